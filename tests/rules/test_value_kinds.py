"""The kinds values are compared as: the nearest class of the value decides."""

from __future__ import annotations

import enum
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from salescore.money import Money
from salescore.rules._values import compare, kind_by_type, value_kind


class _Text(str):
    pass


class _Count(int):
    pass


@pytest.mark.parametrize(
    ("value", "kind"),
    [
        (True, "flag"),
        (False, "flag"),
        (3, "number"),
        (_Count(3), "number"),
        (1.5, "number"),
        (Decimal("2"), "number"),
        ("x", "text"),
        (_Text("x"), "text"),
        (datetime(2026, 1, 1, tzinfo=UTC), "datetime"),
        (datetime(2026, 1, 1), "datetime"),
        (date(2026, 1, 1), "date"),
        (timedelta(hours=1), "duration"),
        (Money("10", "EUR"), "money"),
        (b"x", "other"),
        ((1, 2), "other"),
        (object(), "other"),
    ],
)
def test_value_kind(value: Any, kind: str) -> None:
    assert value_kind(value) == kind


def test_kind_by_type_takes_the_nearest_class_first() -> None:
    class Colour(enum.IntEnum):
        RED = 1

    kinds = {int: "int", enum.Enum: "enum"}
    assert kind_by_type(Colour.RED, kinds, "none") == "int"  # IntEnum: int comes before Enum
    assert kind_by_type(Colour.RED, {enum.Enum: "enum"}, "none") == "enum"
    assert kind_by_type("x", kinds, "none") == "none"


def test_a_flag_is_not_a_number_when_compared() -> None:
    assert compare("==", True, 1) is False
    assert compare("!=", True, 1) is True
    assert compare("==", 1, Decimal("1")) is True
    assert compare("<", _Count(1), 2) is True


def _chain(value: Any) -> str:
    """The classification as a chain of ``isinstance`` tests, most specific first."""
    if isinstance(value, bool):
        return "flag"
    if isinstance(value, int | float | Decimal):
        return "number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, datetime):
        return "datetime"
    if isinstance(value, date):
        return "date"
    if isinstance(value, timedelta):
        return "duration"
    if isinstance(value, Money):
        return "money"
    return "other"


_ANY = st.one_of(
    st.booleans(),
    st.integers(),
    st.integers().map(_Count),
    st.floats(),
    st.decimals(),
    st.text(max_size=3),
    st.text(max_size=3).map(_Text),
    st.datetimes(),
    st.datetimes(timezones=st.just(UTC)),
    st.dates(),
    st.timedeltas(),
    st.binary(max_size=2),
    st.tuples(st.integers()),
    st.none(),
    st.sampled_from([Money("1.00", "EUR"), Money("0", "JPY")]),
)


@given(_ANY)
def test_value_kind_agrees_with_a_chain_of_isinstance_tests(value: Any) -> None:
    assert value_kind(value) == _chain(value)
