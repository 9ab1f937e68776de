"""Collections holding items of the wrong kind: a ValidationError naming the item."""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from salescore.analytics import (
    Journey,
    Linear,
    Markov,
    Touchpoint,
    attribute,
    csat,
    funnel_report,
    pipeline_report,
    service_report,
    stage_durations,
)
from salescore.errors import ValidationError
from tests.analytics.test_argument_kinds import AT, COLLECTIONS, FUNNEL, SCALARS, Call

# Entries whose items are scores: numbers are right, everything else is wrong.
SCORES = {"csat", "nps"}
# Entries that skip objects that are not stage changes (a whole event log can be passed).
CHANGES = {"funnel_report", "lost_reasons", "stale_items", "stage_durations"}
# Checked item by item before anything is computed (a constructor).
CHECKED_AHEAD = {"Journey"}
# A right item, where one is easy to make: put before the wrong one.
RIGHT: dict[str, Any] = {
    "attribute": Journey([], False),
    "Linear.credit": Journey([], False),
    "Markov.credit": Journey([], False),
    "Markov.removal_effects": Journey([], False),
    "Shapley.credit": Journey([], False),
    "csat": 5,
    "nps": 9,
}


def _wrong(name: str) -> st.SearchStrategy[Any]:
    if name in SCORES:  # the analytics tests' values that are no number
        return SCALARS.filter(lambda v: not isinstance(v, int | float | Decimal))
    return SCALARS


@given(data=st.data(), entry=st.sampled_from(COLLECTIONS), right=st.integers(0, 3))
def test_a_wrong_item_is_named_with_its_index(
    data: st.DataObject, entry: tuple[str, Call, str], right: int
) -> None:
    name, call, path = entry
    wrong = data.draw(_wrong(name), label="wrong")
    good = [RIGHT[name]] * right if name in RIGHT else []
    rest = data.draw(st.lists(SCALARS, max_size=2), label="rest")
    items = [*good, wrong, *rest]
    before = copy.copy(items)
    if name in CHANGES:  # not a stage change: skipped, like any other event of a log
        call(items)
    else:
        with pytest.raises(ValidationError) as info:
            call(items)
        [error] = info.value.errors
        assert (error.path, error.value) == (f"{path}[{len(good)}]", wrong)
        assert error.message.startswith("must be ")
        if name not in CHECKED_AHEAD:  # raised from the error the computation met
            assert isinstance(info.value.__cause__, TypeError | AttributeError | KeyError)
    assert items == before  # nothing was changed, nothing replaced
    assert all(a is b for a, b in zip(items, before, strict=True))


def test_exact_messages() -> None:
    scores: list[Any] = [5, 4, "a"]
    with pytest.raises(ValidationError) as info:
        csat(scores)
    assert str(info.value.errors[0]) == "scores[2]: must be a score (a number) (got 'a')"
    assert isinstance(info.value.__cause__, TypeError)

    journeys: list[Any] = [Journey([Touchpoint("email", AT)], True, 10.0), 5]
    with pytest.raises(ValidationError) as info:
        attribute(journeys, Linear())
    assert str(info.value.errors[0]) == "journeys[1]: must be a Journey (got 5)"
    assert isinstance(info.value.__cause__, AttributeError)

    cases: list[Any] = ["case-1"]
    with pytest.raises(ValidationError) as info:
        service_report(cases, at=AT)
    assert str(info.value.errors[0]) == "cases[0]: must be a ServiceCase (got 'case-1')"

    change = SimpleNamespace(to_stage="lead")  # a stage change without subject or time
    with pytest.raises(ValidationError) as info:
        stage_durations(FUNNEL, [change])
    assert str(info.value.errors[0]) == (
        "changes[0]: must be a stage change (with subject_id, to_stage and at)"
        " (got namespace(to_stage='lead'))"
    )


def test_without_a_wrong_item_the_original_error_is_kept() -> None:
    # Every deal has the attributes read; the amount itself is wrong.
    deal = SimpleNamespace(is_open=True, amount="x", probability=0.5)
    with pytest.raises(AttributeError) as info:
        pipeline_report([deal], currency="EUR")
    assert "currency" in str(info.value)
    # An iterator cannot be read again to find the item: its error stays as it was.
    scores: list[Any] = [5, "a"]
    with pytest.raises(TypeError):
        csat(iter(scores))
    journeys: list[Any] = [Journey([], False), 5]
    with pytest.raises(AttributeError):
        Markov().credit(x for x in journeys)


def test_right_items_still_give_the_report() -> None:
    stamp = datetime(2026, 1, 1, tzinfo=UTC)
    journeys = [Journey([Touchpoint("email", stamp)], True, 10.0)]
    assert attribute(journeys, Linear()) == {"email": 10.0}
    assert csat([5, 1]) == 0.5
    assert funnel_report(FUNNEL, ["not a change"]).entered == (0, 0)
