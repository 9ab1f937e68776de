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
from salescore.rules._explain import ClauseResult, Explanation
from salescore.rules._nodes import (
    MAX_DEPTH,
    And,
    Between,
    Compare,
    Constant,
    Count,
    Field,
    In,
    IsNull,
    LiteralValue,
    Not,
    Now,
    Op,
    Operand,
    Or,
    Rule,
    Value,
)
from salescore.rules._parser import MAX_LENGTH, parse
from salescore.rules._schema import FieldKind, RuleSchema
from salescore.rules._truth import Truth
from salescore.rules.qualification import (
    ANUM,
    BANT,
    CHAMP,
    FRAMEWORKS,
    GPCTBA_CI,
    MEDDIC,
    MEDDPICC,
    Framework,
    FrameworkItem,
    ItemResult,
    ItemStatus,
    QualificationVerdict,
    RepAnswer,
    Verdict,
    assess,
)
from salescore.rules.routing import (
    RepLike,
    RoutingDecision,
    RoutingRule,
    RoutingState,
    RoutingTable,
    RuleCheck,
    Strategy,
    Target,
    TargetKind,
    TeamLike,
    route,
)
from salescore.rules.scoring import (
    Criterion,
    CriterionScore,
    GroupScore,
    HalfLife,
    ScoredLead,
    ScoreGroup,
    ScoreModel,
    ScoreResult,
    Step,
    StepDecay,
    Threshold,
    apply_score,
    score,
)
from salescore.rules.win_model import (
    Contribution,
    FieldCount,
    StageCount,
    TrainingExample,
    ValueCount,
    WinModel,
    WinPrediction,
    WinTable,
)
from salescore.serialization import register_codec as _register_codec

__all__ = [
    "ANUM",
    "BANT",
    "CHAMP",
    "FRAMEWORKS",
    "GPCTBA_CI",
    "MAX_DEPTH",
    "MAX_LENGTH",
    "MEDDIC",
    "MEDDPICC",
    "And",
    "Between",
    "ClauseResult",
    "Compare",
    "Constant",
    "Contribution",
    "Count",
    "Criterion",
    "CriterionScore",
    "Explanation",
    "Field",
    "FieldCount",
    "FieldKind",
    "Framework",
    "FrameworkItem",
    "GroupScore",
    "HalfLife",
    "In",
    "IsNull",
    "ItemResult",
    "ItemStatus",
    "LiteralValue",
    "Not",
    "Now",
    "Op",
    "Operand",
    "Or",
    "QualificationVerdict",
    "RepAnswer",
    "RepLike",
    "RoutingDecision",
    "RoutingRule",
    "RoutingState",
    "RoutingTable",
    "Rule",
    "RuleCheck",
    "RuleSchema",
    "ScoreGroup",
    "ScoreModel",
    "ScoreResult",
    "ScoredLead",
    "StageCount",
    "Step",
    "StepDecay",
    "Strategy",
    "Target",
    "TargetKind",
    "TeamLike",
    "Term",
    "Threshold",
    "TrainingExample",
    "Truth",
    "Value",
    "ValueCount",
    "Verdict",
    "WinModel",
    "WinPrediction",
    "WinTable",
    "all_of",
    "any_of",
    "apply_score",
    "assess",
    "count",
    "field",
    "literal",
    "not_",
    "now",
    "parse",
    "route",
    "score",
]

# Rule-typed fields anywhere (funnel entry rules, SLA conditions, score
# criteria…) serialise through the rule's own JSON form.
_register_codec(Rule, lambda rule: rule.to_dict(), Rule.from_dict)
