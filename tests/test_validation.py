"""The private validation helpers shared by every module."""

from __future__ import annotations

import enum
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, tzinfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from salescore import Lead
from salescore._validation import Checker, _line, ensure_aware, is_aware, line_ok, to_member
from salescore.errors import ValidationError


class Colour(enum.StrEnum):
    RED = "red"
    BLUE = "blue"


def test_to_member_accepts_members_and_values() -> None:
    assert to_member(Colour, Colour.RED, "colour") is Colour.RED
    assert to_member(Colour, "blue", "colour") is Colour.BLUE


def test_to_member_names_the_field_and_the_allowed_values() -> None:
    with pytest.raises(ValidationError) as info:
        to_member(Colour, "green", "colour")
    assert info.value.errors[0].path == "colour"
    assert info.value.errors[0].value == "green"
    assert info.value.errors[0].message == "must be one of red, blue"
    with pytest.raises(ValidationError) as info:
        to_member(Colour, "green", "colour", "a colour")
    assert info.value.errors[0].message == "must be a colour (red, blue)"


def test_checker_member_collects_and_returns_the_default() -> None:
    c = Checker("Thing")
    assert c.member(Colour, "red", "a") is Colour.RED
    assert c.member(Colour, "x", "b") is None
    assert c.member(Colour, "y", "c", default="y") == "y"
    assert [e.path for e in c.errors] == ["b", "c"]
    with pytest.raises(ValidationError):
        c.raise_if_any()


def test_checker_distinct_texts_names_each_bad_item_and_a_repeat() -> None:
    c = Checker("Thing")
    assert c.distinct_texts(("a", "b"), "ok", "must not repeat")
    assert not c.distinct_texts(["a"], "listed", "must not repeat")
    assert c.distinct_texts(("a", "", "a", 3), "keys", "must not repeat a key")
    assert [(e.path, e.value, e.message) for e in c.errors] == [
        ("listed", ["a"], "must be a tuple"),
        ("keys[1]", "", "must not be blank"),
        ("keys[3]", 3, "must be a string"),
        ("keys", ("a", "", "a", 3), "must not repeat a key"),
    ]


class _DayAhead(tzinfo):
    """A broken time zone: Python refuses offsets of ±24 hours."""

    def utcoffset(self, dt: datetime | None) -> timedelta:
        return timedelta(hours=24)

    def dst(self, dt: datetime | None) -> timedelta:
        return timedelta(0)

    def tzname(self, dt: datetime | None) -> str:
        return "day-ahead"


_BROKEN = datetime(2026, 1, 5, 9, tzinfo=_DayAhead())
_T0 = datetime(2026, 1, 5, 9, tzinfo=UTC)


def test_is_aware_refuses_a_zone_python_cannot_use() -> None:
    assert is_aware(_T0) is True
    assert is_aware(datetime(2026, 1, 5, 9)) is False
    assert is_aware(_BROKEN) is False
    with pytest.raises(ValidationError) as info:
        ensure_aware(_BROKEN, "closed_at")
    assert info.value.paths == ("closed_at",)
    assert "unusable time zone" in str(info.value)


@pytest.mark.parametrize(
    "transition",
    [
        pytest.param(
            lambda: Lead.new(id="lead-1", at=_BROKEN, actor="web", email="a@b.io"), id="new"
        ),
        pytest.param(
            lambda: Lead.new(id="lead-1", at=_T0, actor="web", email="a@b.io").move_to(
                "working", at=_BROKEN, actor="rep-1"
            ),
            id="move",
        ),
        pytest.param(
            lambda: Lead.new(id="lead-1", at=_T0, actor="web", email="a@b.io").set_score(
                5.0, at=_BROKEN, actor="rep-1"
            ),
            id="edit",
        ),
    ],
)
def test_a_broken_time_zone_is_a_validation_error_in_transitions(
    transition: Callable[[], object],
) -> None:
    with pytest.raises(ValidationError) as info:
        transition()
    assert info.value.paths == ("at",)
    assert "unusable time zone" in str(info.value)


def _pattern_ok(value: str) -> bool:
    return _line(value) is not None


def test_line_ok_agrees_with_its_pattern_on_every_code_point() -> None:
    """The printable shortcut decides exactly as the full pattern, alone, leading and trailing."""
    for code in range(0x110000):
        c = chr(code)
        for value in (c, f" {c}a"):
            assert line_ok(value) is _pattern_ok(value), (hex(code), value)
    assert [line_ok(v) for v in ("", " ", "  ", "a", " a ", "a\tb", "\xa0", "x\u3000")] == [
        False,
        False,
        False,
        True,
        True,
        False,
        False,
        True,
    ]


@given(st.text())
def test_line_ok_agrees_with_its_pattern_on_any_text(value: str) -> None:
    assert line_ok(value) is _pattern_ok(value)
