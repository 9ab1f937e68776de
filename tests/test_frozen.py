"""Sealed classes: the sealed ``__init__`` takes exactly the class's own parameters."""

from __future__ import annotations

import inspect
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from salescore.domain.events import StageChanged
from salescore.domain.leads import LeadCreated
from salescore.frozen import FrozenDict, seal

PARIS = timezone(timedelta(hours=1))


@seal
@attrs.frozen
class Box:
    name: str
    tags: Mapping[str, Any] = attrs.field(factory=dict)
    when: datetime | None = None


@seal
@attrs.frozen(kw_only=True)
class KeywordBox:
    name: str
    items: tuple[str, ...] = ()
    _hidden: Mapping[str, Any] = attrs.field(factory=dict)


@pytest.mark.parametrize("cls", [Box, KeywordBox, StageChanged, LeadCreated])
def test_the_sealed_init_has_the_signature_of_the_original(cls: type) -> None:
    init: Any = vars(cls)["__init__"]
    assert init.__wrapped__ is not init
    assert inspect.signature(init) == inspect.signature(init.__wrapped__)


def test_positional_keyword_and_default_arguments_reach_the_original() -> None:
    when = datetime(2026, 3, 2, 10, tzinfo=PARIS)
    box = Box("a", {"x": [1, 2]}, when)
    assert box == Box(name="a", tags={"x": (1, 2)}, when=when)
    assert type(box.tags) is FrozenDict
    assert box.tags["x"] == (1, 2)
    assert box.when == when
    assert box.when is not None
    assert box.when.tzinfo is UTC
    empty = Box("b")
    assert (empty.tags, empty.when) == ({}, None)
    assert type(empty.tags) is FrozenDict


def test_private_fields_take_their_public_parameter_name() -> None:
    box = KeywordBox(name="a", items=["x"], hidden={"k": "v"})  # type: ignore[arg-type]
    assert box.items == ("x",)
    assert box._hidden == {"k": "v"}  # private fields are the class's own business: not sealed


def test_wrong_arguments_are_refused_as_by_the_original() -> None:
    with pytest.raises(TypeError, match="name"):
        Box()  # type: ignore[call-arg]
    with pytest.raises(TypeError, match="colour"):
        Box("a", colour="red")  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        KeywordBox("a")  # type: ignore[call-arg]


@given(
    tags=st.dictionaries(st.text(max_size=3), st.lists(st.integers(), max_size=3), max_size=3),
    hours=st.integers(min_value=-12, max_value=12),
)
def test_sealed_values_are_frozen_and_in_utc(tags: dict[str, list[int]], hours: int) -> None:
    when = datetime(2026, 1, 1, tzinfo=timezone(timedelta(hours=hours)))
    box = Box("a", tags, when)
    assert box.tags == {k: tuple(v) for k, v in tags.items()}
    assert all(type(v) is tuple for v in box.tags.values())
    assert box.when == when
    assert box.when is not None
    assert box.when.tzinfo is UTC
