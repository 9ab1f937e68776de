"""Hypothesis strategies for rules: ``rules()``, ``rule_literals()``, ``truths()``."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

from hypothesis import strategies as st

from salescore.rules import (
    And,
    Between,
    Compare,
    Constant,
    Count,
    Field,
    In,
    IsNull,
    Not,
    Now,
    Op,
    Operand,
    Or,
    Rule,
    Truth,
    Value,
)
from salescore.rules._nodes import Call, Match, MatchOp

__all__ = ["RULE_FIELDS", "rule_literals", "rules", "truths"]

#: The field paths :func:`rules` uses by default.
RULE_FIELDS: tuple[str, ...] = (
    "industry",
    "employees",
    "score",
    "active",
    "created_at",
    "closed_on",
    "custom.budget",
    "account.industry",
)

_UTC = UTC


def truths() -> st.SearchStrategy[Truth]:
    """TRUE, FALSE or UNKNOWN."""
    return st.sampled_from(list(Truth))


def _durations() -> st.SearchStrategy[timedelta]:
    return st.integers(-400 * 86400, 400 * 86400).map(lambda s: timedelta(seconds=s))


def rule_literals() -> st.SearchStrategy[Any]:
    """Literal values of every kind a rule accepts, drawn from small pools.

    Small pools make literals collide with the subject values that tests
    generate, so comparisons come out TRUE as well as FALSE.
    """
    return st.one_of(
        st.sampled_from(["saas", "fintech", "DE", "new", ""]),
        st.text(max_size=6),
        st.integers(-5, 120),
        st.integers(),
        st.decimals(allow_nan=False, allow_infinity=False, places=2, min_value=-200, max_value=200),
        st.sampled_from([Decimal("1E+2"), Decimal("-0.0"), Decimal("7")]),
        st.booleans(),
        st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 31)),
        st.datetimes(
            min_value=datetime(2020, 1, 1),
            max_value=datetime(2030, 12, 31),
            timezones=st.sampled_from([_UTC, timezone(timedelta(hours=2))]),
        ),
        _durations(),
    )


def _fields(paths: Sequence[str]) -> st.SearchStrategy[Field]:
    return st.sampled_from([Field(p) for p in paths])


def _operands(
    paths: Sequence[str], where: st.SearchStrategy[Rule] | None
) -> st.SearchStrategy[Operand]:
    options: list[st.SearchStrategy[Any]] = [
        _fields(paths),
        _fields(paths),
        rule_literals().map(Value),
        _durations().map(Now),
        st.deferred(lambda: st.builds(Call, st.sampled_from(["lower", "upper"]), _fields(paths))),
    ]
    if where is not None:
        options.append(
            st.builds(
                Count,
                st.just("interactions"),
                st.none() | where,
                st.none() | st.integers(0, 60 * 86400).map(lambda s: timedelta(seconds=s)),
            )
        )
    return st.one_of(options)


def _leaves(paths: Sequence[str], where: st.SearchStrategy[Rule] | None) -> st.SearchStrategy[Rule]:
    operands = _operands(paths, where)
    return st.one_of(
        st.builds(Compare, operands, st.sampled_from(list(Op)), operands),
        st.builds(Compare, _fields(paths), st.sampled_from(list(Op)), rule_literals().map(Value)),
        st.builds(
            In,
            operands,
            st.lists(rule_literals().map(Value), max_size=4).map(tuple),
            st.booleans(),
        ),
        st.builds(Between, operands, operands, operands),
        st.builds(IsNull, _fields(paths), st.booleans()),
        st.deferred(lambda: _matches(operands, paths)),
        st.builds(Constant, st.booleans()),
    )


def _matches(operands: st.SearchStrategy[Operand], paths: Sequence[str]) -> st.SearchStrategy[Rule]:
    patterns = st.sampled_from(["sa", "S", "", "de"]).map(Value) | _fields(paths)
    return st.builds(Match, operands, st.sampled_from(list(MatchOp)), patterns)


def _trees(leaves: st.SearchStrategy[Rule], max_leaves: int) -> st.SearchStrategy[Rule]:
    return st.recursive(
        leaves,
        lambda children: st.one_of(
            st.lists(children, min_size=2, max_size=4).map(lambda rs: And(tuple(rs))),
            st.lists(children, min_size=2, max_size=4).map(lambda rs: Or(tuple(rs))),
            children.map(Not),
        ),
        max_leaves=max_leaves,
    )


def rules(
    *, fields: Sequence[str] = RULE_FIELDS, max_leaves: int = 12, counts: bool = True
) -> st.SearchStrategy[Rule]:
    """Random rule trees covering every node type.

    Args:
        fields: The field paths to use.
        max_leaves: Roughly how many comparisons a tree may hold.
        counts: Whether to include ``count(interactions …)`` operands (their
            ``where`` rules read ``channel``, ``kind`` and ``at``).

    Returns:
        A strategy of :class:`~salescore.rules.Rule`.
    """
    where = _trees(_leaves(("channel", "kind", "at"), None), 3) if counts else None
    return _trees(_leaves(fields, where), max_leaves)
