"""The private validation helpers shared by every module."""

from __future__ import annotations

import enum

import pytest

from salescore._validation import Checker, to_member
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
