"""The tree-walking evaluator: the reference semantics, and :meth:`Rule.explain`.

The compiled code (``_compile``) must agree with :func:`interpret` on every
rule and subject; a property test holds it to that.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

from salescore.rules._explain import ClauseResult, Explanation
from salescore.rules._kinds import (
    is_and,
    is_between,
    is_call,
    is_compare,
    is_constant,
    is_count,
    is_field,
    is_is_null,
    is_junction,
    is_match,
    is_membership,
    is_not,
    is_now,
    is_value,
)
from salescore.rules._truth import Truth
from salescore.rules._values import (
    MISSING,
    apply_function,
    between,
    check_at,
    compare,
    count_records,
    is_in,
    match_text,
    need_at,
    resolve,
    shift,
)

if TYPE_CHECKING:
    from salescore.rules._nodes import Operand, Rule


__all__ = ["explain", "interpret", "require_at"]


def require_at(rule: Rule, at: Any) -> None:
    """Check ``at``: aware when given, and given when the rule needs it."""
    check_at(at)
    if at is None and rule.needs_at:
        need_at()


def _junction(values: list[bool | None], decisive: bool) -> bool | None:
    """Kleene ``and`` (``decisive`` False) or ``or`` (True): a decisive part decides."""
    if any(v is decisive for v in values):
        return decisive
    if any(v is None for v in values):
        return None
    return not decisive


class _Walker:
    def __init__(self, at: datetime | None, context: Any, trace: bool) -> None:
        self.at = at
        self.context = context
        self.trace = trace
        self.clauses: list[ClauseResult] = []

    def operand(self, op: Operand, subject: Any, missing: list[str]) -> Any:
        if is_value(op):
            return op.value
        if is_field(op):
            value = resolve(subject, op.segments, self.context)
            if value is None or value is MISSING:
                missing.append(op.path)
                return None
            return value
        if is_now(op):
            assert self.at is not None
            return shift(self.at, op.offset)
        if is_call(op):
            return apply_function(op.function, self.operand(op.operand, subject, missing))
        assert is_count(op)
        records = resolve(subject, tuple(op.relation.split(".")), self.context)
        where = op.where
        inner = _Walker(self.at, self.context, trace=False)

        def match(record: Any, at: Any, context: Any) -> bool | None:
            assert where is not None
            return inner.rule(where, record, 0, [])

        n = count_records(
            records, None if where is None else match, op.within, self.at, self.context
        )
        if n is None:
            missing.append(op.relation)
        return n

    def rule(self, node: Rule, subject: Any, depth: int, decisive: list[str]) -> bool | None:
        """Evaluate ``node``; append to ``decisive`` the missing fields an UNKNOWN rests on."""
        index = len(self.clauses)
        missing: list[str] = []
        seen: list[tuple[str, Any]] = []
        result: bool | None
        if is_junction(node):
            parts: list[bool | None] = []
            child_missing: list[list[str]] = []
            for child in node.rules:
                found: list[str] = []
                parts.append(self.rule(child, subject, depth + 1, found))
                child_missing.append(found)
            result = _junction(parts, decisive=not is_and(node))
            if result is None:
                for part, found in zip(parts, child_missing, strict=True):
                    if part is None:
                        missing.extend(found)
        elif is_not(node):
            found = []
            inner = self.rule(node.rule, subject, depth + 1, found)
            result = None if inner is None else not inner
            missing.extend(found)
        elif is_constant(node):
            result = node.value
        else:
            operands: tuple[Operand, ...] = node._operands()
            values = [self.operand(o, subject, missing) for o in operands]
            if self.trace:
                seen = [
                    (o.to_text(), v)
                    for o, v in zip(operands, values, strict=True)
                    if not is_value(o)
                ]
            result = self.leaf(node, values)
            if result is not None:
                missing = []
        if self.trace:
            self.clauses.insert(
                index,
                ClauseResult(
                    rule=node,
                    text=node.to_text(),
                    result=Truth.of(result),
                    depth=depth,
                    seen=tuple(seen),
                    missing=tuple(dict.fromkeys(missing)) if result is None else (),
                ),
            )
        if result is None:
            decisive.extend(missing)
        return result

    @staticmethod
    def leaf(node: Rule, values: list[Any]) -> bool | None:
        if is_compare(node):
            return compare(node.op.value, values[0], values[1])
        if is_match(node):
            return match_text(node.op.value, values[0], values[1])
        if is_membership(node):
            found = is_in(values[0], [v.value for v in node.values])
            if found is None or not node.negated:
                return found
            return not found
        if is_between(node):
            return between(values[0], values[1], values[2])
        assert is_is_null(node)
        return (values[0] is not None) if node.negated else (values[0] is None)


def interpret(
    rule: Rule, subject: Any, at: datetime | None = None, context: Mapping[str, Any] | None = None
) -> Truth:
    """Evaluate ``rule`` by walking its tree (the reference semantics): :func:`explain`'s result.

    Takes the arguments of :func:`explain`; returns TRUE, FALSE or UNKNOWN.
    """
    return explain(rule, subject, at, context).result


def explain(
    rule: Rule, subject: Any, at: datetime | None = None, context: Mapping[str, Any] | None = None
) -> Explanation:
    """Evaluate ``rule`` and record every clause (see :meth:`Rule.explain`).

    Args:
        rule: The rule.
        subject: An object or a mapping.
        at: The evaluation time.
        context: Related data by name.

    Returns:
        The explanation.
    """
    require_at(rule, at)
    walker = _Walker(at, context, trace=True)
    decisive: list[str] = []
    result = walker.rule(rule, subject, 0, decisive)
    return Explanation(
        rule=rule,
        result=Truth.of(result),
        clauses=tuple(walker.clauses),
        missing_fields=tuple(dict.fromkeys(decisive)),
    )
