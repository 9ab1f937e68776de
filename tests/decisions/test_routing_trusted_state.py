"""Routing builds its next state through a trusted path: the same as the checked one."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, time, timedelta
from typing import Any
from unittest import mock

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from salescore.calendar import BusinessCalendar
from salescore.decisions import routing as routing_module
from salescore.decisions.routing import (
    RoutingDecision,
    RoutingRule,
    RoutingState,
    RoutingTable,
    Strategy,
    Target,
    route,
)
from salescore.domain.team import Rep, Team
from salescore.errors import ValidationError
from salescore.frozen import FrozenDict
from salescore.rules import parse

MONDAY = datetime(2026, 3, 2, 0, 0, tzinfo=UTC)
OFFICE = BusinessCalendar.weekdays(time(9), time(17), tz="UTC")
LATE = BusinessCalendar.weekdays(time(13), time(21), tz="UTC")
REPS = [
    Rep(id="ana", name="Ana"),
    Rep(id="ben", name="Ben", calendar=OFFICE),
    Rep(id="cy", name="Cy", calendar=LATE, capacities={"open_leads": 3}),
    Rep(id="dee", name="Dee", calendar=OFFICE, capacities={"open_leads": 2}),
]


class _NoCalendar:
    """Stands for ``BusinessCalendar`` in routing so that no calendar is taken for one."""


def _index_in_general(items: Any, path: str) -> Any:
    """``_index`` through its general path (an iterator is no list)."""
    if isinstance(items, list | tuple):
        items = iter(items)
    return _INDEX(items, path)


_INDEX = routing_module._index


def _both(run: Callable[[], Any]) -> tuple[Any, Any]:
    """``run()`` through the fast paths, then through the checked ones (result or error).

    The checked run builds states through the public constructor, indexes
    reps and teams through the general path, asks every calendar whether it
    is open each time and fits the round-robin weights without the cache by
    identity.
    """
    out = []
    for patch in (False, True):
        with pytest.MonkeyPatch.context() as m:
            if patch:
                m.setattr(RoutingState, "_after", RoutingState._after_checked)
                m.setattr(routing_module, "BusinessCalendar", _NoCalendar)
                m.setattr(routing_module, "_index", _index_in_general)
                m.setattr(routing_module, "_RECENT_WEIGHTS", {})
            try:
                out.append(run())
            except ValidationError as exc:
                out.append(("error", str(exc), exc.errors))
    return out[0], out[1]


def _same_state(a: RoutingState, b: RoutingState) -> None:
    assert a == b
    assert hash(a) == hash(b)
    for field in ("cursors", "loads", "expected", "given"):
        x, y = getattr(a, field), getattr(b, field)
        assert type(x) is FrozenDict
        assert type(y) is FrozenDict
        assert [type(v) for v in x.values()] == [type(v) for v in y.values()]


strategies = st.sampled_from(list(Strategy))
members = st.lists(
    st.sampled_from(["ana", "ben", "cy", "dee", "zed"]), min_size=1, max_size=4, unique=True
)


@settings(max_examples=60, deadline=None)
@given(
    rr=members,
    ll=members,
    strategy=strategies,
    hold=st.booleans(),
    use_reps=st.booleans(),
    leads=st.lists(
        st.tuples(st.integers(0, 3000), st.integers(0, 7 * 24 * 60 - 1)), min_size=1, max_size=25
    ),
)
def test_route_gives_the_same_decisions_and_states_as_the_checked_path(
    rr: list[str],
    ll: list[str],
    strategy: Strategy,
    hold: bool,
    use_reps: bool,
    leads: list[tuple[int, int]],
) -> None:
    table = RoutingTable(
        key="t",
        rules=(
            RoutingRule(
                key="big",
                rule=parse("employees >= 1000"),
                target=Target.team("ll", strategy, hold=hold),
            ),
            RoutingRule(
                key="vip", rule=parse("employees == 7"), target=Target.rep("ben", hold=hold)
            ),
        ),
        default=Target.team("rr", hold=hold),
    )
    teams = [
        Team(id="rr", name="RR", rep_ids=tuple(rr)),
        Team(id="ll", name="LL", rep_ids=tuple(ll)),
    ]

    def run() -> list[RoutingDecision]:
        state = RoutingState()
        out = []
        for employees, minute in leads:
            d = route(
                table,
                {"employees": employees},
                state=state,
                at=MONDAY + timedelta(minutes=minute),
                reps=REPS if use_reps else None,
                teams=teams,
            )
            state = d.state
            out.append(d)
        return out

    fast, checked = _both(run)
    assert fast == checked
    for a, b in zip(fast, checked, strict=True):
        _same_state(a.state, b.state)


@pytest.mark.parametrize("bad", ["", "   ", "a\x00b", 7])
def test_a_bad_rep_id_in_a_team_is_refused_as_by_the_checked_path(bad: Any) -> None:
    teams = [Team.__new__(Team)]
    object.__setattr__(teams[0], "id", "t")
    object.__setattr__(teams[0], "rep_ids", (bad, "ana"))
    for strategy in Strategy:
        table = RoutingTable(key="t", rules=(), default=Target.team("t", strategy))

        def run(table: RoutingTable = table) -> Any:
            return route(table, {}, state=RoutingState(), at=MONDAY, teams=teams)

        fast, checked = _both(run)
        assert fast[0] == "error"
        assert fast == checked


def test_frozen_is_a_frozen_dict_like_the_public_one() -> None:
    items = {"a": 1, "b": 2.5}
    made = routing_module._frozen(items)
    assert type(made) is FrozenDict
    assert made == FrozenDict(items)
    assert hash(made) == hash(FrozenDict(items))
    with pytest.raises(TypeError):
        made["c"] = 3  # type: ignore[index]


_ITEMS = st.one_of(
    st.text(max_size=3),
    st.builds(Rep, id=st.sampled_from(["ana", "ben"]), name=st.just("A")),
    st.sampled_from([None, 3, b"x", ""]),
)


@settings(max_examples=200, deadline=None)
@given(st.lists(_ITEMS, max_size=5), st.booleans())
def test_index_of_a_list_equals_the_general_path(items: list[Any], as_tuple: bool) -> None:
    given_items = tuple(items) if as_tuple else items

    def index(items: Any) -> Any:
        try:
            return ("index", _INDEX(items, "reps"))
        except ValidationError as exc:
            return ("error", str(exc), exc.errors)

    assert index(given_items) == index(iter(items))


def test_a_business_calendar_is_asked_once_per_decision() -> None:
    reps = [Rep(id=f"r{i}", name="R", calendar=OFFICE) for i in range(4)]
    team = Team(id="t", name="T", rep_ids=tuple(r.id for r in reps))
    table = RoutingTable(key="t", rules=(), default=Target.team("t"))
    at = MONDAY + timedelta(hours=10)
    original = BusinessCalendar.is_open
    with mock.patch.object(
        BusinessCalendar, "is_open", autospec=True, side_effect=original
    ) as is_open:
        decision = route(table, {}, state=RoutingState(), at=at, reps=reps, teams=[team])
        assert decision.owner_id == "r0"
        assert is_open.call_count == 1

        class Other(BusinessCalendar):
            """A subclass may answer differently: it is asked for each rep."""

        other = Other(OFFICE.tz, OFFICE.hours)
        reps = [Rep(id=f"r{i}", name="R", calendar=other) for i in range(4)]
        is_open.reset_mock()
        route(table, {}, state=RoutingState(), at=at, reps=reps, teams=[team])
        assert is_open.call_count == 4
