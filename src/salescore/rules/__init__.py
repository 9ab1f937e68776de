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

from salescore._lazy import FacadeTable, attach, exports, star
from salescore.rules._nodes import Rule as Rule
from salescore.serialization import register_codec

if TYPE_CHECKING:
    from salescore.rules._builders import *
    from salescore.rules._explain import *
    from salescore.rules._nodes import (
        And as And,
        Between as Between,
        Call as Call,
        Compare as Compare,
        Constant as Constant,
        Count as Count,
        Field as Field,
        In as In,
        IsNull as IsNull,
        LiteralValue as LiteralValue,
        MAX_DEPTH as MAX_DEPTH,
        Match as Match,
        MatchOp as MatchOp,
        Not as Not,
        Now as Now,
        Op as Op,
        Operand as Operand,
        Or as Or,
        Rule as Rule,
        Value as Value,
    )
    from salescore.rules._parser import *
    from salescore.rules._schema import (
        FieldKind as FieldKind,
        RuleSchema as RuleSchema,
        SchemaSource as SchemaSource,
    )
    from salescore.rules._truth import *

# Module → the names offered from it, space-separated (a module's own name offers the module).
_EXPORTS = exports(
    {
        "salescore.rules._builders": "Term all_of any_of count field literal not_ now",
        "salescore.rules._explain": "ClauseResult Explanation",
        "salescore.rules._nodes": (
            "And Between Call Compare Constant Count Field In IsNull LiteralValue MAX_DEPTH"
            " Match MatchOp Not Now Op Operand Or Rule Value"
        ),
        "salescore.rules._parser": "MAX_LENGTH parse",
        "salescore.rules._schema": "FieldKind RuleSchema SchemaSource",
        "salescore.rules._truth": "Truth",
    }
)
# The decision names offered here before they moved to salescore.decisions:
# still offered, with a deprecation warning.
_MOVED = FacadeTable("salescore.decisions")

__all__ = star(_EXPORTS)
__getattr__, __dir__ = attach(__name__, _EXPORTS, moved=_MOVED)

# Rule-typed fields anywhere (funnel entry rules, SLA conditions, score
# criteria…) serialise through the rule's own JSON form.
register_codec(Rule, lambda rule: rule.to_dict(), Rule.from_dict)
