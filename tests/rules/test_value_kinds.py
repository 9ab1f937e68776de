"""The kinds values are compared as: the nearest class of the value decides."""

from __future__ import annotations

import enum
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

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
