"""The private validation helpers shared by every module."""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from salescore import Lead
from salescore._validation import (
    Checker,
    _line,
    as_float,
    as_tuple,
    ensure_aware,
    is_aware,
    label_of,
    line_ok,
    plain,
    to_member,
)
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


@dataclass(frozen=True)
class _Item:
    key: str
    name: str = ""


def test_checker_keyed_names_each_bad_item_and_each_repeat_in_order() -> None:
    c = Checker("Thing")
    a, b, a2 = _Item("a"), _Item("b"), _Item("a", "again")
    assert c.keyed((a, b), _Item, "ok")
    assert c.keyed((), _Item, "empty")
    assert not c.keyed([a], _Item, "listed")
    assert not c.keyed(None, _Item, "missing")
    assert c.keyed(("x", a, 3, a2, b, a), _Item, "items")
    assert c.keyed((_Item("k", "n"), _Item("j", "n")), _Item, "fields", key="name", repeated="dup")
    assert [(e.path, e.value, e.message) for e in c.errors] == [
        ("listed", [a], "must be a tuple"),
        ("missing", None, "must be a tuple"),
        ("items[0]", "x", "must be a _Item"),
        ("items[2]", 3, "must be a _Item"),
        ("items[3].key", "a", "is used twice"),
        ("items[5].key", "a", "is used twice"),
        ("fields[1].name", "n", "dup"),
    ]


_items = st.lists(st.one_of(st.builds(_Item, st.sampled_from("abc")), st.integers(0, 2)))


@given(_items)
def test_checker_keyed_counts_each_stray_and_each_later_repeat(values: list[object]) -> None:
    c = Checker("Thing")
    assert c.keyed(tuple(values), _Item, "items")
    items = [v for v in values if isinstance(v, _Item)]
    distinct = {v.key for v in items}
    assert len(c.errors) == (len(values) - len(items)) + (len(items) - len(distinct))
    at = [int(e.path[len("items[") : e.path.index("]")]) for e in c.errors]
    assert at == sorted(set(at))  # one problem per item at most, in the items' order
    for e, i in zip(c.errors, at, strict=True):
        if isinstance(values[i], _Item):
            assert (e.path, e.message) == (f"items[{i}].key", "is used twice")
            assert any(isinstance(v, _Item) and v.key == e.value for v in values[:i])
        else:
            assert (e.path, e.value) == (f"items[{i}]", values[i])


def test_the_converters_and_labels_exactly() -> None:
    items = [1, "a"]
    assert as_tuple(items) == (1, "a")
    assert as_tuple((1,)) == (1,)
    assert as_tuple("ab") == "ab"
    assert as_tuple(None) is None
    assert as_float(3) == 3.0
    assert type(as_float(3)) is float
    assert as_float(True) is True
    assert as_float("3") == "3"
    assert as_float(2.5) == 2.5
    assert plain(Colour.RED) == "red"
    assert type(plain(Colour.RED)) is str
    assert plain("red") == "red"
    assert plain(None) is None
    assert label_of("closed_won") == "Closed won"
    assert label_of("nda") == "Nda"
