"""Python builders: ``field("employees") >= 50`` and friends."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta
from typing import Any, NoReturn

from salescore._validation import fail
from salescore.rules._nodes import (
    And,
    Between,
    Call,
    Compare,
    Count,
    Field,
    In,
    IsNull,
    Match,
    MatchOp,
    Not,
    Now,
    Op,
    Operand,
    OperandHolder,
    Or,
    Rule,
    Value,
    _as_operand,
)

__all__ = ["Term", "all_of", "any_of", "count", "field", "literal", "not_", "now"]


class Term(OperandHolder):
    """One side of a comparison while a rule is being built.

    Comparing a term (``==``, ``!=``, ``<``, ``<=``, ``>``, ``>=``) builds a
    :class:`~salescore.rules.Compare` rule instead of answering a bool; the
    other side may be a plain value (a float becomes ``Decimal(str(x))``) or
    another term. Make terms with :func:`field`, :func:`now`, :func:`count`
    or :func:`literal`.

    Args:
        operand: The operand the term stands for.

    Attributes:
        operand: The operand node.
    """

    __slots__ = ()

    def __init__(self, operand: Operand) -> None:
        if not isinstance(operand, Operand):
            fail("operand", operand, "must be an operand (Field, Value, Now, Count or Call)")
        self.operand = operand

    def __repr__(self) -> str:
        return f"Term({self.operand!r})"

    def __bool__(self) -> NoReturn:
        raise TypeError("a Term has no truth value; compare it to build a rule")

    __hash__ = None  # type: ignore[assignment]

    def __eq__(self, other: object) -> Compare:  # type: ignore[override]
        return Compare(self.operand, Op.EQ, _as_operand(other))

    def __ne__(self, other: object) -> Compare:  # type: ignore[override]
        return Compare(self.operand, Op.NE, _as_operand(other))

    def __lt__(self, other: object) -> Compare:
        return Compare(self.operand, Op.LT, _as_operand(other))

    def __le__(self, other: object) -> Compare:
        return Compare(self.operand, Op.LE, _as_operand(other))

    def __gt__(self, other: object) -> Compare:
        return Compare(self.operand, Op.GT, _as_operand(other))

    def __ge__(self, other: object) -> Compare:
        return Compare(self.operand, Op.GE, _as_operand(other))

    def is_in(self, values: Iterable[Any]) -> In:
        """Build ``term in [values]``.

        Args:
            values: Literals.

        Returns:
            The rule.
        """
        return In(self.operand, tuple(values))

    def not_in(self, values: Iterable[Any]) -> In:
        """Build ``term not in [values]`` (the negation of :meth:`is_in`)."""
        return In(self.operand, tuple(values), negated=True)

    def between(self, low: Any, high: Any) -> Between:
        """Build ``term between low and high`` (both ends included).

        Args:
            low: The lower bound (a value or a term).
            high: The upper bound.

        Returns:
            The rule.
        """
        return Between(self.operand, _as_operand(low), _as_operand(high))

    def lower(self) -> Term:
        """Build ``lower(term)``: the text in lower case (null for anything else).

        Returns:
            A term.
        """
        return Term(Call("lower", self.operand))

    def upper(self) -> Term:
        """Build ``upper(term)``: the text in upper case (null for anything else).

        Returns:
            A term.
        """
        return Term(Call("upper", self.operand))

    def contains(self, pattern: Any) -> Match:
        """Build ``term contains pattern`` (case-sensitive; see :meth:`lower`).

        Args:
            pattern: A text, or a term.

        Returns:
            The rule.
        """
        return Match(self.operand, MatchOp.CONTAINS, _as_operand(pattern))

    def starts_with(self, pattern: Any) -> Match:
        """Build ``term starts with pattern`` (a text or a term, as for :meth:`contains`)."""
        return Match(self.operand, MatchOp.STARTS_WITH, _as_operand(pattern))

    def ends_with(self, pattern: Any) -> Match:
        """Build ``term ends with pattern`` (a text or a term, as for :meth:`contains`)."""
        return Match(self.operand, MatchOp.ENDS_WITH, _as_operand(pattern))

    def is_null(self) -> IsNull:
        """Build ``field is null``.

        Returns:
            The rule.

        Raises:
            ValidationError: The term is not a field.
        """
        return IsNull(self._field())

    def is_not_null(self) -> IsNull:
        """Build ``field is not null`` (the negation of :meth:`is_null`, with its errors)."""
        return IsNull(self._field(), negated=True)

    def _field(self) -> Field:
        if not isinstance(self.operand, Field):
            fail("operand", self.operand, "only a field can be tested for null")
        return self.operand

    def __add__(self, delta: timedelta) -> Term:
        return self._shift(delta)

    def __sub__(self, delta: timedelta) -> Term:
        if not isinstance(delta, timedelta):
            return NotImplemented
        return self._shift(-delta)

    def _shift(self, delta: timedelta) -> Term:
        if not isinstance(self.operand, Now):
            fail("operand", self.operand, "only now can be shifted by a duration")
        if not isinstance(delta, timedelta):
            fail("delta", delta, "must be a timedelta")
        return Term(Now(self.operand.offset + delta))


def field(path: str) -> Term:
    """Refer to a field of the subject: ``field("employees") >= 50``.

    Args:
        path: A dotted path such as ``industry``, ``account.industry`` or
            ``custom.budget``.

    Returns:
        A term to compare.

    Raises:
        ValidationError: The path is malformed or starts with a reserved word.
    """
    return Term(Field(path))


def now(offset: timedelta = timedelta(0)) -> Term:
    """Refer to the evaluation's ``at``: ``field("created_at") >= now() - timedelta(days=14)``.

    Args:
        offset: Added to ``at``.

    Returns:
        A term; ``+`` and ``-`` with a timedelta shift it.
    """
    return Term(Now(offset))


def count(relation: str, where: Rule | None = None, within: timedelta | None = None) -> Term:
    """Count related records: ``count("interactions", where=..., within=timedelta(days=14)) >= 3``.

    Args:
        relation: The path of the records (usually a key of the context).
        where: The rule each counted record must satisfy (TRUE), or ``None``.
        within: Only records whose ``at`` is in ``[at - within, at]``.

    Returns:
        A term to compare.
    """
    return Term(Count(relation, where, within))


def literal(value: Any) -> Term:
    """Wrap a plain value as a term, to put it on the left of a comparison.

    Args:
        value: A literal (str, int, float, Decimal, bool, date, aware datetime,
            timedelta, or an enum member).

    Returns:
        A term.
    """
    return Term(Value(value))


def all_of(*rules: Rule) -> Rule:
    """All of the rules must hold (``and``).

    Args:
        *rules: One or more rules.

    Returns:
        The single rule itself, or an :class:`~salescore.rules.And`.

    Raises:
        ValidationError: No rules were given.
    """
    return _join(And, rules, "all_of")


def any_of(*rules: Rule) -> Rule:
    """At least one of the rules must hold (``or``): as :func:`all_of`, building an ``Or``."""
    return _join(Or, rules, "any_of")


def _join(kind: type[And] | type[Or], rules: tuple[Rule, ...], name: str) -> Rule:
    if not rules:
        fail("rules", rules, f"{name}() needs at least one rule")
    return rules[0] if len(rules) == 1 and isinstance(rules[0], Rule) else kind(rules)


def not_(rule: Rule) -> Rule:
    """The negation of a rule (``not``).

    Args:
        rule: The rule.

    Returns:
        A :class:`~salescore.rules.Not`.
    """
    return Not(rule)
