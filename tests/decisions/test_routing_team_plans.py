"""A team's round robin decided by position equals the general path, rep by rep.

Routing decides the round robin of a :class:`Team` whose reps were given as a
tuple (or not at all) from a plan of the team worked out once: which checks
can keep a member from work, the members' parts of an item, and, while every
member has the same share, only the counts. Each test runs the same
decisions with the plans and with them turned off; the decisions, their
states (key order and float bits included, through ``repr``) and the types
of every field must be the same, or the same error raised.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from unittest import mock

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from salescore.calendar import BusinessCalendar
from salescore.decisions import routing as routing_module
from salescore.decisions.routing import (
    RoutingDecision,
    RoutingRule,
    RoutingState,
    RoutingTable,
    Target,
    route,
)
from salescore.domain.team import Rep, Team
from salescore.errors import ValidationError
from salescore.rules import parse

MONDAY = datetime(2026, 3, 2, 0, 0, tzinfo=UTC)
EARLY = BusinessCalendar.weekdays(time(8), time(16), tz="UTC", holidays=[date(2026, 3, 4)])
LATE = BusinessCalendar.weekdays(time(12), time(20), tz="UTC")
NAMES = ("a", "b", "c", "d", "e", "f")


def _both(run: Callable[[], Any]) -> tuple[Any, Any]:
    """``run()`` with the team plans, then without them (result or error)."""
    out = []
    for general in (False, True):
        with pytest.MonkeyPatch.context() as m:
            m.setattr(routing_module, "_PLANS", {})
            if general:
                m.setattr(routing_module, "_plan_of", lambda *args: None)
            try:
                out.append(run())
            except ValidationError as exc:
                out.append(("error", str(exc), exc.errors))
    return out[0], out[1]


def _types(value: Any) -> Any:
    """The types of a state's fields and of the mappings inside them."""
    return [
        (type(m), sorted((k, type(v)) for k, v in m.items()))
        for m in (value.cursors, value.loads, value.expected, value.given)
    ]


def _seen(decisions: Any) -> Any:
    if not isinstance(decisions, list):
        return decisions
    return [(d, repr(d), _types(d.state)) for d in decisions]


reps_drawn = st.lists(
    st.tuples(
        st.sampled_from([None, "early", "late"]),  # calendar
        st.sampled_from([None, None, None, 0, 1, 3, 5, 50]),  # open_leads capacity
        st.sampled_from([True] * 7 + [False]),  # active
    ),
    min_size=len(NAMES),
    max_size=len(NAMES),
)
share = st.sampled_from([0.0, -0.0, 0.25, 1 / 3, 2.0, 7.123456789, 1e-10, 3e9, 1e300])
count = st.sampled_from([0, 0, 1, 2, 5, 3_000_000_000])


@st.composite
def states(draw: st.DrawFn, members: tuple[str, ...]) -> RoutingState:
    """A state whose team shares hold the members in some order (or not at all)."""
    kind = draw(st.sampled_from(["empty", "even", "mixed", "other"]))
    order = list(draw(st.permutations(members)))
    if kind == "empty":
        return RoutingState(loads=draw(st.dictionaries(st.sampled_from(NAMES), count, max_size=3)))
    if kind == "even":
        value = draw(share)
        expected = dict.fromkeys(order, value)
    else:
        expected = {r: draw(share) for r in order}
        if kind == "other":
            expected[draw(st.sampled_from(["zed", order[0]]))] = draw(share)
    counts = {r: draw(count) for r in draw(st.permutations(members))}
    if draw(st.booleans()):
        counts = dict.fromkeys(members, draw(count))
    return RoutingState(
        cursors={"t": draw(st.sampled_from([*members, "zed"]))} if draw(st.booleans()) else {},
        loads=draw(st.dictionaries(st.sampled_from(NAMES), count, max_size=3)),
        expected={"t": expected},
        given={"t": counts},
    )


@settings(max_examples=250, deadline=None)
@example(  # everyone even and open: the counts alone decide, from the cursor on
    drawn=[(None, None, True)] * len(NAMES),
    size=4,
    unknown=False,
    use_reps="tuple",
    hold=False,
    data=None,
    leads=[60 * 10] * 9,
    two=False,
)
@given(
    drawn=reps_drawn,
    size=st.integers(1, len(NAMES)),
    unknown=st.booleans(),
    use_reps=st.sampled_from(["tuple", "tuple", "list", None]),
    hold=st.booleans(),
    data=st.data(),
    leads=st.lists(st.integers(0, 9 * 24 * 60 - 1), min_size=1, max_size=25),
    two=st.booleans(),
)
def test_team_plans_decide_as_the_general_path(
    drawn: list[tuple[str | None, int | None, bool]],
    size: int,
    unknown: bool,
    use_reps: str | None,
    hold: bool,
    data: Any,
    leads: list[int],
    two: bool,
) -> None:
    """Odd minutes go to a second team (the members in reverse) when ``two``."""
    calendars = {None: None, "early": EARLY, "late": LATE}
    reps = tuple(
        Rep(
            id=name,
            name=name,
            calendar=calendars[cal],
            capacities={} if cap is None else {"open_leads": cap},
            active=active,
        )
        for name, (cal, cap, active) in zip(NAMES, drawn, strict=True)
        if not (unknown and name == "a")
    )
    members = NAMES[:size]
    team = Team(id="t", name="T", rep_ids=members)
    other = Team(id="u", name="U", rep_ids=members[::-1])
    odd = RoutingRule(key="odd", rule=parse("odd == true"), target=Target.team("u"))
    table = RoutingTable(key="k", rules=(odd,) if two else (), default=Target.team("t", hold=hold))
    start = RoutingState() if data is None else data.draw(states(members))
    given_reps: Any = None if use_reps is None else reps if use_reps == "tuple" else list(reps)

    def run() -> list[RoutingDecision]:
        state = start
        out = []
        for minute in leads:  # not in order: a week may come back
            d = route(
                table,
                {"odd": minute % 2 == 1},
                state=state,
                at=MONDAY + timedelta(minutes=minute),
                reps=given_reps,
                teams=(team, other),
            )
            state = d.state
            out.append(d)
        return out

    fast, general = _both(run)
    assert _seen(fast) == _seen(general)


@settings(max_examples=60, deadline=None)
@given(
    size=st.integers(1, 40),
    leads=st.lists(st.sampled_from([0, 1, 2]), min_size=1, max_size=60),
    value=share,
    counts=st.lists(st.integers(0, 3), min_size=40, max_size=40),
)
def test_a_large_even_team_keeps_its_rotation(
    size: int, leads: list[int], value: float, counts: list[int]
) -> None:
    """Long runs of even turns (the counts kept between decisions) as the general path.

    Decisions that continue from the last state, from an older one, and from
    a copy of it (the same values in new mappings) are mixed.
    """
    members = tuple(f"r{i}" for i in range(size))
    reps = tuple(Rep(id=r, name=r, calendar=EARLY) for r in members)
    team = Team(id="t", name="T", rep_ids=members)
    table = RoutingTable(key="k", rules=(), default=Target.team("t"))
    start = RoutingState(
        expected={"t": dict.fromkeys(members, value)},
        given={"t": dict(zip(members, counts, strict=False))},
    )
    at = MONDAY + timedelta(hours=9)

    def run() -> list[RoutingDecision]:
        states = [start]
        out = []
        for how in leads:
            state = states[-1]
            if how == 1:
                state = states[len(states) // 2]
            elif how == 2:
                state = RoutingState(
                    cursors=state.cursors,
                    loads=state.loads,
                    expected=state.expected,
                    given=state.given,
                )
            d = route(table, {}, state=state, at=at, reps=reps, teams=(team,))
            states.append(d.state)
            out.append(d)
        return out

    fast, general = _both(run)
    assert _seen(fast) == _seen(general)


def test_uneven_weights_are_decided_by_position() -> None:
    """Two calendars give the reps different parts: the shares decide, as in general."""
    reps = (
        Rep(id="a", name="A", calendar=EARLY),
        Rep(id="b", name="B", calendar=LATE),
        Rep(id="c", name="C", calendar=EARLY),
    )
    team = Team(id="t", name="T", rep_ids=("a", "b", "c"))
    table = RoutingTable(key="k", rules=(), default=Target.team("t"))
    at = MONDAY + timedelta(hours=13)

    def run() -> list[str]:
        state = RoutingState()
        notes = []
        for _ in range(12):
            d = route(table, {}, state=state, at=at, reps=reps, teams=(team,))
            state = d.state
            notes.append(d.reason)
        return notes

    fast, general = _both(run)
    assert fast == general
    assert any("furthest behind" in note for note in fast)


def test_a_plan_is_used_for_a_tuple_of_reps_only() -> None:
    reps = (Rep(id="a", name="A"), Rep(id="b", name="B"))
    team = Team(id="t", name="T", rep_ids=("a", "b"))
    table = RoutingTable(key="k", rules=(), default=Target.team("t"))
    at = MONDAY + timedelta(hours=9)
    with pytest.MonkeyPatch.context() as m:
        m.setattr(routing_module, "_PLANS", {})
        route(table, {}, state=RoutingState(), at=at, reps=list(reps), teams=(team,))
        assert routing_module._PLANS == {}
        route(table, {}, state=RoutingState(), at=at, reps=reps, teams=(team,))
        assert [p.team for p in routing_module._PLANS.values()] == [team]


@pytest.mark.parametrize(
    ("shares", "winner"),
    [
        ({"a": 0.0, "b": 1e-10, "c": 0.0}, "a"),  # within rounding: the rotation decides
        ({"a": 0.0, "b": 2e-9, "c": 0.0}, "b"),  # beyond it: the share decides
        ({"b": 1e-10, "c": 1e-10, "a": 0.0}, "a"),  # shares in another order
    ],
)
def test_shares_that_round_alike_tie_in_rotation_order(
    shares: dict[str, float], winner: str
) -> None:
    reps = tuple(Rep(id=r, name=r) for r in ("a", "b", "c"))
    team = Team(id="t", name="T", rep_ids=("a", "b", "c"))
    table = RoutingTable(key="k", rules=(), default=Target.team("t"))
    state = RoutingState(expected={"t": shares}, given={"t": {"a": 1, "b": 1, "c": 1}})

    def run() -> RoutingDecision:
        return route(table, {}, state=state, at=MONDAY, reps=reps, teams=(team,))

    fast, general = _both(run)
    assert (fast, repr(fast)) == (general, repr(general))
    assert fast.owner_id == winner


def test_a_rep_at_capacity_is_passed_over_as_in_general() -> None:
    reps = (Rep(id="a", name="A", capacities={"open_leads": 2}), Rep(id="b", name="B"))
    team = Team(id="t", name="T", rep_ids=("a", "b"))
    table = RoutingTable(key="k", rules=(), default=Target.team("t"))

    def run() -> list[tuple[str | None, str]]:
        state = RoutingState()
        out = []
        for _ in range(6):
            d = route(table, {}, state=state, at=MONDAY, reps=reps, teams=(team,))
            state = d.state
            out.append((d.owner_id, d.trail[-1].note))
        return out

    fast, general = _both(run)
    assert fast == general
    assert [owner for owner, _ in fast] == ["a", "b", "a", "b", "b", "b"]
    assert fast[4][1] == "b is next in team t's rotation (skipped: a is at capacity (2/2))"


@settings(max_examples=150, deadline=None)
@given(
    weights=st.lists(
        st.sampled_from([1.0, 0.1, 0.2, 0.3, 0.7, 1e-9, 1 / 3]), min_size=5, max_size=5
    ),
    caps=st.lists(st.sampled_from([None, 1, 2]), min_size=5, max_size=5),
    leads=st.integers(1, 25),
)
def test_uneven_weights_are_summed_in_rotation_order(
    weights: list[float], caps: list[int | None], leads: int
) -> None:
    """Weights whose sum depends on its order, and reps who fill up, as in general."""
    members = NAMES[:5]
    reps = tuple(
        Rep(id=r, name=r, capacities={} if c is None else {"open_leads": c})
        for r, c in zip(members, caps, strict=True)
    )
    team = Team(id="t", name="T", rep_ids=members)
    table = RoutingTable(key="k", rules=(), default=Target.team("t"))
    fitted = dict(zip(members, weights, strict=True))

    def run() -> list[RoutingDecision]:
        state = RoutingState()
        out = []
        for i in range(leads):
            d = route(
                table, {}, state=state, at=MONDAY + timedelta(minutes=i), reps=reps, teams=(team,)
            )
            state = d.state
            out.append(d)
        return out

    with pytest.MonkeyPatch.context() as m:
        m.setattr(routing_module._Router, "weights", lambda self, members: fitted)
        fast, general = _both(run)
    assert _seen(fast) == _seen(general)


def test_a_plan_asks_each_calendar_once_and_only_skipped_reps_why() -> None:
    """Four reps share a calendar: one question per decision; reasons only for the note."""
    reps = tuple(
        Rep(id=r, name=r, calendar=EARLY, capacities={"open_leads": 1} if r == "b" else {})
        for r in ("a", "b", "c", "d")
    )
    team = Team(id="t", name="T", rep_ids=("a", "b", "c", "d"))
    table = RoutingTable(key="k", rules=(), default=Target.team("t"))
    at = MONDAY + timedelta(hours=9)
    asked: list[str] = []
    unavailable = routing_module._Router.unavailable

    def recorded(router: Any, rep_id: str) -> str | None:
        asked.append(rep_id)
        return unavailable(router, rep_id)

    original = BusinessCalendar.is_open
    with (
        pytest.MonkeyPatch.context() as m,
        mock.patch.object(
            BusinessCalendar, "is_open", autospec=True, side_effect=original
        ) as is_open,
    ):
        m.setattr(routing_module, "_PLANS", {})
        m.setattr(routing_module._Router, "unavailable", recorded)
        state = RoutingState(
            loads={"b": 1},
            expected={"t": dict.fromkeys("abcd", 0.0)},
            given={"t": dict.fromkeys("abcd", 0)},
        )
        decision = route(table, {}, state=state, at=at, reps=reps, teams=(team,))
        assert is_open.call_count == 1
        assert decision.owner_id == "a"
        assert asked == []  # nobody skipped before the chosen rep
        decision = route(table, {}, state=decision.state, at=at, reps=reps, teams=(team,))
        assert is_open.call_count == 2
        assert (decision.owner_id, asked) == ("c", ["b"])
        assert (
            decision.trail[-1].note
            == "c is next in team t's rotation (skipped: b is at capacity (1/1))"
        )
