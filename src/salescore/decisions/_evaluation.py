"""What every decision point shares: UNKNOWN counts as not met, and says why.

Score criteria, qualification items and routing rules all evaluate rules the
same way: the compiled function first (fast), and only when the answer is
UNKNOWN the interpreter's explanation, to learn which fields were missing.
Rule-typed fields of decision objects serialise through the rule's own JSON
form (the codec is registered by :mod:`salescore.rules`).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from salescore.rules._explain import Explanation
from salescore.rules._nodes import And, Between, Compare, Field, In, Not, Or, Rule, Value
from salescore.rules._truth import Truth
from salescore.rules._values import MISSING, resolve

__all__ = ["lookup", "missing_fields", "seen_values", "text_list"]


def missing_fields(
    rule: Rule, subject: Any, at: datetime | None, context: Mapping[str, Any] | None
) -> tuple[str, ...]:
    """The fields that leave ``rule`` UNKNOWN for ``subject`` (empty if it is decided).

    Call it only for an UNKNOWN answer. The answer is the same as
    ``rule.explain(...).missing_fields``, found faster: a comparison of fields
    and literals is UNKNOWN exactly when one of its fields is missing or null,
    and an ``and``/``or``/``not`` is UNKNOWN through its UNKNOWN parts, which
    the compiled parts find. Anything else is explained (interpreted).
    """
    found = _missing(rule, subject, at, context)
    if found is None:
        return rule.explain(subject, at, context).missing_fields
    return found


def _missing(
    rule: Rule, subject: Any, at: datetime | None, context: Mapping[str, Any] | None
) -> tuple[str, ...] | None:
    if isinstance(rule, And | Or):
        out: dict[str, None] = {}
        for part in rule.rules:
            if part.evaluate(subject, at, context) is Truth.UNKNOWN:
                found = _missing(part, subject, at, context)
                if found is None:
                    return None
                out.update(dict.fromkeys(found))
        return tuple(out)
    if isinstance(rule, Not):
        return _missing(rule.rule, subject, at, context)
    operands: tuple[Any, ...]
    if isinstance(rule, Compare):
        operands = (rule.left, rule.right)
    elif isinstance(rule, In):
        operands = (rule.operand,)
    elif isinstance(rule, Between):
        operands = (rule.operand, rule.low, rule.high)
    else:
        return None
    if not all(type(o) is Field or type(o) is Value for o in operands):
        return None
    found = tuple(
        dict.fromkeys(
            o.path
            for o in operands
            if type(o) is Field and lookup(subject, o.path, context) is None
        )
    )
    return found or None


def seen_values(explanation: Explanation) -> dict[str, Any]:
    """The non-literal operands an explanation saw, by their text, first value kept."""
    out: dict[str, Any] = {}
    for clause in explanation.clauses:
        for text, value in clause.seen:
            out.setdefault(text, value)
    return out


def lookup(subject: Any, path: str, context: Mapping[str, Any] | None) -> Any:
    """Resolve a dotted path like a rule does; ``None`` for missing or null."""
    value = resolve(subject, tuple(path.split(".")), context)
    return None if value is MISSING else value


def text_list(items: tuple[str, ...]) -> str:
    """``a, b and c``."""
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def is_true(truth: Truth) -> bool:
    """Whether ``truth`` is TRUE (UNKNOWN is not met)."""
    return truth is Truth.TRUE
