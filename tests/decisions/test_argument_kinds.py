"""Arguments of the wrong kind to scoring, qualification and the win model.

Each gives a ValidationError naming the parameter and the value, never a
TypeError or a silently accepted value.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from salescore.decisions.qualification import BANT, assess
from salescore.decisions.scoring import Criterion, ScoreModel, score
from salescore.decisions.win_model import TrainingExample, WinModel
from salescore.errors import ValidationError
from salescore.rules import parse
from tests.analytics.test_argument_kinds import SCALARS

AT = datetime(2026, 3, 2, tzinfo=UTC)
MODEL = ScoreModel(key="m", criteria=(Criterion(key="a", rule=parse("employees > 1"), points=5),))

Call = Callable[[Any], object]

# (name, call with the bad value, the parameter the error must name, whether None is allowed)
ENTRIES: list[tuple[str, Call, str, bool]] = [
    ("score.context", lambda v: score(MODEL, {}, at=AT, context=v), "context", True),
    ("assess.context", lambda v: assess(BANT, {}, context=v), "context", True),
    ("WinModel.learn.examples", lambda v: WinModel.learn(v, fields=()), "examples", False),
    ("WinModel.learn.fields", lambda v: WinModel.learn([], fields=v), "fields", False),
    ("WinModel.learn.funnel", lambda v: WinModel.learn([], fields=(), funnel=v), "funnel", False),
]


@pytest.mark.parametrize(
    ("call", "path", "none_ok"), [e[1:] for e in ENTRIES], ids=[e[0] for e in ENTRIES]
)
@pytest.mark.parametrize("value", [None, 5, "abc", object()], ids=["None", "int", "str", "object"])
def test_an_argument_of_the_wrong_kind_is_named(
    call: Call, path: str, none_ok: bool, value: Any
) -> None:
    if value is None and none_ok:
        call(value)
        return
    with pytest.raises(ValidationError) as info:
        call(value)
    assert type(info.value) is ValidationError
    assert [(e.path, e.value) for e in info.value.errors] == [(path, value)]


def test_the_messages_say_what_is_wanted() -> None:
    with pytest.raises(ValidationError) as info:
        score(MODEL, {}, at=AT, context=[("interactions", ())])
    assert str(info.value.errors[0]) == (
        "context: must be a mapping of names to data (got [('interactions', ())])"
    )
    with pytest.raises(ValidationError) as info:
        WinModel.learn(None, fields=("industry",))
    assert str(info.value.errors[0]) == (
        "examples: must be a collection of TrainingExample (got None)"
    )


def test_a_mapping_context_still_scores() -> None:
    from types import MappingProxyType

    lead = {"employees": 3}
    assert score(MODEL, lead, at=AT, context=MappingProxyType({})).total == 5.0
    assert score(MODEL, lead, at=AT, context={}).total == 5.0
    assert MODEL.total(lead, at=AT, context={}) == 5.0


def test_learn_still_takes_an_iterator() -> None:
    examples = iter([TrainingExample(features={"industry": "saas"}, won=True)])
    model = WinModel.learn(examples, fields=iter(["industry"]))
    assert model.fields == ("industry",)


@given(
    entry=st.sampled_from(ENTRIES),
    value=st.one_of(SCALARS.filter(lambda v: v is not None), st.lists(st.integers(), min_size=1)),
)
def test_any_value_of_the_wrong_kind_gives_a_validation_error(
    entry: tuple[str, Call, str, bool], value: Any
) -> None:
    _, call, path, _ = entry
    if isinstance(value, list) and path != "context":
        return  # a list is a collection: right for examples, fields and funnel
    with pytest.raises(ValidationError) as info:
        call(value)
    assert info.value.errors[0].path == path
    assert info.value.errors[0].value is value
