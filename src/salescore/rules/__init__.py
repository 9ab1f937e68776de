"""Rules: conditions over leads, contacts, accounts, deals, cases and mappings.

A rule is a typed, immutable tree that answers TRUE, FALSE or UNKNOWN
(three-valued, Kleene logic) for a subject. Write it as text
(:func:`parse`), with the Python builders (:func:`field`, :func:`all_of` …)
or from its JSON form (:meth:`Rule.from_dict`); the three round-trip.
Rules compile once into plain Python functions, and every answer can be
explained (:meth:`Rule.explain`).

Example:
    >>> from salescore.rules import parse, Truth
    >>> fit = parse("industry in ['saas', 'fintech'] and employees >= 50")
    >>> fit.evaluate({"industry": "saas", "employees": 120}) is Truth.TRUE
    True
    >>> parse("budget >= 10000").explain({}).missing_fields
    ('budget',)
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from salescore._lazy import attach, exports
from salescore.rules._nodes import Rule
from salescore.serialization import register_codec

if TYPE_CHECKING:
    from salescore.rules._builders import (
        Term,
        all_of,
        any_of,
        count,
        field,
        literal,
        not_,
        now,
    )
    from salescore.rules._explain import (
        ClauseResult,
        Explanation,
    )
    from salescore.rules._nodes import (
        MAX_DEPTH,
        And,
        Between,
        Call,
        Compare,
        Constant,
        Count,
        Field,
        In,
        IsNull,
        LiteralValue,
        Match,
        MatchOp,
        Not,
        Now,
        Op,
        Operand,
        Or,
        Rule,
        Value,
    )
    from salescore.rules._parser import (
        MAX_LENGTH,
        parse,
    )
    from salescore.rules._schema import (
        FieldKind,
        RuleSchema,
        SchemaSource,
    )
    from salescore.rules._truth import (
        Truth,
    )

_EXPORTS = exports(
    {
        "salescore.rules._builders": (
            "Term",
            "all_of",
            "any_of",
            "count",
            "field",
            "literal",
            "not_",
            "now",
        ),
        "salescore.rules._explain": (
            "ClauseResult",
            "Explanation",
        ),
        "salescore.rules._nodes": (
            "And",
            "Between",
            "Call",
            "Compare",
            "Constant",
            "Count",
            "Field",
            "In",
            "IsNull",
            "LiteralValue",
            "MAX_DEPTH",
            "Match",
            "MatchOp",
            "Not",
            "Now",
            "Op",
            "Operand",
            "Or",
            "Rule",
            "Value",
        ),
        "salescore.rules._parser": (
            "MAX_LENGTH",
            "parse",
        ),
        "salescore.rules._schema": (
            "FieldKind",
            "RuleSchema",
            "SchemaSource",
        ),
        "salescore.rules._truth": ("Truth",),
    }
)
_MOVED = exports(
    {
        "salescore.decisions.qualification": (
            "ANUM",
            "BANT",
            "CHAMP",
            "FRAMEWORKS",
            "Framework",
            "FrameworkItem",
            "GPCTBA_CI",
            "ItemResult",
            "ItemStatus",
            "MEDDIC",
            "MEDDPICC",
            "QualificationVerdict",
            "RepAnswer",
            "Verdict",
            "assess",
            "qualification",
        ),
        "salescore.decisions.routing": (
            "RepLike",
            "RoutingDecision",
            "RoutingRule",
            "RoutingState",
            "RoutingTable",
            "RuleCheck",
            "Strategy",
            "Target",
            "TargetKind",
            "TeamLike",
            "route",
            "routing",
        ),
        "salescore.decisions.scoring": (
            "Criterion",
            "CriterionScore",
            "GroupScore",
            "HalfLife",
            "ScoreGroup",
            "ScoreModel",
            "ScoreResult",
            "ScoredLead",
            "Step",
            "StepDecay",
            "Threshold",
            "apply_score",
            "score",
            "scoring",
        ),
        "salescore.decisions.win_model": (
            "Contribution",
            "FieldCount",
            "StageCount",
            "TrainingExample",
            "ValueCount",
            "WinModel",
            "WinPrediction",
            "WinTable",
            "win_model",
        ),
    }
)

__all__ = [
    "MAX_DEPTH",
    "MAX_LENGTH",
    "And",
    "Between",
    "Call",
    "ClauseResult",
    "Compare",
    "Constant",
    "Count",
    "Explanation",
    "Field",
    "FieldKind",
    "In",
    "IsNull",
    "LiteralValue",
    "Match",
    "MatchOp",
    "Not",
    "Now",
    "Op",
    "Operand",
    "Or",
    "Rule",
    "RuleSchema",
    "SchemaSource",
    "Term",
    "Truth",
    "Value",
    "all_of",
    "any_of",
    "count",
    "field",
    "literal",
    "not_",
    "now",
    "parse",
]
__getattr__, __dir__ = attach(__name__, _EXPORTS, moved=_MOVED)

# Rule-typed fields anywhere (funnel entry rules, SLA conditions, score
# criteria…) serialise through the rule's own JSON form.
register_codec(Rule, lambda rule: rule.to_dict(), Rule.from_dict)
