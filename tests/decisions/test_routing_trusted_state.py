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
    RuleCheck,
    Strategy,
    Target,
    route,
)
from salescore.domain.team import Rep, Team
from salescore.errors import ValidationError
from salescore.frozen import FrozenDict
from salescore.rules import Truth, parse

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
    is open each time, fits the round-robin weights without the cache by
    identity, checks the teams and targets of every decision and makes every
    rule check and target text anew.
    """
    out = []
    for patch in (False, True):
        with pytest.MonkeyPatch.context() as m:
            if patch:
                m.setattr(RoutingState, "_after", RoutingState._after_checked)
                m.setattr(routing_module, "BusinessCalendar", _NoCalendar)
                m.setattr(routing_module, "_index", _index_in_general)
                m.setattr(routing_module, "_RECENT_WEIGHTS", {})
                m.setattr(routing_module, "_checked_before", lambda *args: False)
                m.setattr(routing_module, "_not_met", _rule_check)
                m.setattr(routing_module, "_text_of", str)
            try:
                out.append(run())
            except ValidationError as exc:
                out.append(("error", str(exc), exc.errors))
    return out[0], out[1]


def _rule_check(key: str, truth: Any) -> RuleCheck:
    return RuleCheck(key=key, result=truth)


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
    fixed=st.booleans(),
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
    fixed: bool,
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
    teams: Any = [
        Team(id="rr", name="RR", rep_ids=tuple(rr)),
        Team(id="ll", name="LL", rep_ids=tuple(ll)),
    ]
    reps: Any = REPS
    if fixed:  # tuples: their indexes and the checks of the table are remembered
        teams, reps = tuple(teams), tuple(REPS)

    def run() -> list[RoutingDecision]:
        state = RoutingState()
        out = []
        for employees, minute in leads:
            d = route(
                table,
                {"employees": employees},
                state=state,
                at=MONDAY + timedelta(minutes=minute),
                reps=reps if use_reps else None,
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


_DEFAULTS = {
    "rr": Target.team("rr"),
    "ll": Target.team("ll", Strategy.LEAST_LOADED),
    "zz": Target.team("zz"),  # no such team
    "q": Target.queue("q1"),
    "not a target": "rr",
}
_FIXED_TEAMS = (
    Team(id="rr", name="RR", rep_ids=("ana", "ben")),
    Team(id="ll", name="LL", rep_ids=("cy", "dee")),
)
_TABLE = RoutingTable(
    key="t",
    rules=(
        RoutingRule(key="big", rule=parse("employees >= 1000"), target=Target.team("ll")),
        RoutingRule(key="odd", rule=parse("employees == 7"), target=Target.queue("q1")),
    ),
    default=Target.team("rr"),
)


@settings(max_examples=100, deadline=None)
@given(
    calls=st.lists(
        st.tuples(
            st.sampled_from([None, *_DEFAULTS]),
            st.sampled_from([None, ("q1",), ("q2",)]),
            st.sampled_from(["same", "copy", "list"]),
            st.integers(0, 3000),
        ),
        min_size=1,
        max_size=10,
    ),
    as_list=st.booleans(),
)
def test_remembered_checks_refuse_and_decide_what_the_checks_do(
    calls: list[tuple[str | None, tuple[str, ...] | None, str, int]], as_list: bool
) -> None:
    """The same table, default and team tuple skip their checks; any change is checked."""
    table: Any = list(_TABLE.rules) if as_list else _TABLE

    def run() -> list[Any]:
        state = RoutingState()
        out: list[Any] = []
        for default_key, queues, teams_kind, employees in calls:
            teams: Any = _FIXED_TEAMS
            if teams_kind == "copy":
                teams = tuple(Team(id=t.id, name=t.name, rep_ids=t.rep_ids) for t in teams)
            elif teams_kind == "list":
                teams = list(teams)
            default = None if default_key is None else _DEFAULTS[default_key]
            if as_list and default is None:
                default = _DEFAULTS["rr"]
            try:
                d = route(
                    table,
                    {"employees": employees},
                    state=state,
                    at=MONDAY + timedelta(hours=10),
                    reps=REPS,
                    teams=teams,
                    queues=queues,
                    default=default,
                )
            except ValidationError as exc:
                out.append(("error", str(exc), exc.errors))
            else:
                state = d.state
                out.append(d)
        return out

    fast, checked = _both(run)
    assert fast == checked


def test_a_rule_check_and_a_target_text_are_the_ones_made_anew() -> None:
    check = routing_module._not_met("big", Truth.FALSE)
    assert check == RuleCheck(key="big", result=Truth.FALSE)
    assert routing_module._not_met("big", Truth.FALSE) is check
    assert routing_module._not_met("big", Truth.TRUE) == RuleCheck(key="big", result=Truth.TRUE)
    target = Target.team("rr", hold=True)
    text = "team 'rr' (round-robin, held until open)"
    assert routing_module._text_of(target) == str(target) == text
    assert routing_module._text_of(target) is routing_module._text_of(target)
