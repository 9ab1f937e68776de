"""Routing: first match, round robin, least loaded, capacity, closed hours, default."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, time
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from salescore.calendar import BusinessCalendar
from salescore.decisions.routing import (
    RoutingRule,
    RoutingState,
    RoutingTable,
    Strategy,
    Target,
    TargetKind,
    route,
)
from salescore.domain.team import Rep, Team
from salescore.errors import ValidationError
from salescore.rules import Truth, parse
from salescore.serialization import from_json, to_json

MONDAY_10 = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)  # a Monday
SATURDAY = datetime(2026, 3, 7, 10, 0, tzinfo=UTC)
OFFICE = BusinessCalendar.weekdays(time(9), time(17), tz="UTC")

REPS = [
    Rep(id="ana", name="Ana"),
    Rep(id="ben", name="Ben"),
    Rep(id="cy", name="Cy"),
    Rep(id="dee", name="Dee", capacities={"open_leads": 2}),
    Rep(id="eve", name="Eve", calendar=OFFICE),
]
TEAMS = [
    Team(id="emea", name="EMEA", rep_ids=("ana", "ben", "cy")),
    Team(id="ent", name="Enterprise", rep_ids=("dee", "eve")),
]
TABLE = RoutingTable(
    key="inbound",
    rules=(
        RoutingRule(
            key="enterprise",
            rule=parse("employees >= 1000"),
            target=Target.team("ent", Strategy.LEAST_LOADED),
        ),
        RoutingRule(key="emea", rule=parse("region == 'emea'"), target=Target.team("emea")),
        RoutingRule(key="vip", rule=parse("vip == true"), target=Target.rep("eve")),
    ),
    default=Target.queue("unassigned"),
)


def _route(subject: dict[str, Any], state: RoutingState, at: datetime = MONDAY_10) -> Any:
    return route(TABLE, subject, state=state, at=at, reps=REPS, teams=TEAMS)


def test_round_robin_sequence() -> None:
    state = RoutingState()
    owners = []
    for _ in range(7):
        decision = _route({"region": "emea"}, state)
        owners.append(decision.owner_id)
        state = decision.state
    assert owners == ["ana", "ben", "cy", "ana", "ben", "cy", "ana"]
    assert state == RoutingState(cursors={"emea": "ana"}, loads={"ana": 3, "ben": 2, "cy": 2})
    assert decision.rule_key == "emea"
    assert decision.owner_kind is TargetKind.REP
    assert (
        decision.reason
        == "rule 'emea' matched (region == 'emea'): ana is next in team emea's rotation"
    )


def test_round_robin_skips_unavailable_reps_and_says_so() -> None:
    reps = [*REPS[:1], Rep(id="ben", name="Ben", active=False), *REPS[2:]]
    state = RoutingState(cursors={"emea": "ana"})
    d = route(TABLE, {"region": "emea"}, state=state, at=MONDAY_10, reps=reps, teams=TEAMS)
    assert d.owner_id == "cy"
    assert d.trail[-1].note == "cy is next in team emea's rotation (skipped: ben is inactive)"


def test_least_loaded_with_capacity_and_closed_hours() -> None:
    big = {"employees": 5000}
    state = RoutingState(loads={"dee": 1, "eve": 0})
    d = _route(big, state)
    assert (d.owner_id, d.rule_key) == ("eve", "enterprise")  # least loaded
    d = _route(big, d.state)  # dee 1, eve 1: tie goes on in rotation after eve → dee
    assert d.owner_id == "dee"
    assert d.state.loads == {"dee": 2, "eve": 1}
    d = _route(big, d.state)  # dee at capacity (2/2)
    assert d.owner_id == "eve"
    # On Saturday eve's calendar is closed and dee is full: the next rule, then the default.
    d = _route({**big, "vip": True}, d.state, at=SATURDAY)
    assert (d.owner_kind, d.owner_id, d.rule_key) == (TargetKind.QUEUE, "unassigned", "default")
    assert [(c.key, c.result, c.note) for c in d.trail] == [
        (
            "enterprise",
            Truth.TRUE,
            "no rep of team ent is available: dee is at capacity (2/2); "
            "eve is outside working hours",
        ),
        ("emea", Truth.UNKNOWN, "unknown: counts as not met"),
        ("vip", Truth.TRUE, "eve is outside working hours"),
        ("default", Truth.TRUE, "queued in unassigned"),
    ]
    assert d.unknown_fields == ("region",)
    assert d.state.loads == {"dee": 2, "eve": 2}  # a queue adds no load


def test_default_and_unassigned() -> None:
    d = _route({"region": "apac", "employees": 10, "vip": False}, RoutingState())
    assert (d.owner_id, d.rule_key, d.unknown_fields) == ("unassigned", "default", ())
    assert d.reason == "no rule matched: the default, queue 'unassigned': queued in unassigned"
    no_default = route(TABLE.rules, {}, state=RoutingState(), at=MONDAY_10)
    assert not no_default.assigned
    assert no_default.reason == "no rule matched and there is no default"
    assert no_default.unknown_fields == ("employees", "region", "vip")
    closed_default = route(
        [], {}, state=RoutingState(), at=SATURDAY, reps=REPS, default=Target.rep("eve")
    )
    assert closed_default.owner_id is None
    assert closed_default.reason == (
        "no rule matched and the default rep 'eve' cannot take it: eve is outside working hours"
    )


def test_without_reps_nothing_is_checked() -> None:
    d = route(TABLE, {"vip": True}, state=RoutingState(), at=SATURDAY, teams=TEAMS)
    assert (d.owner_id, d.rule_key) == ("eve", "vip")
    assert d.state.loads == {"eve": 1}


def test_state_release_and_validation() -> None:
    state = RoutingState(loads={"ana": 2})
    assert state.release("ana").loads == {"ana": 1}
    assert state.release("ana", 5).loads == {}
    assert state.loads == {"ana": 2}
    with pytest.raises(ValidationError):
        RoutingState(loads={"ana": -1})
    with pytest.raises(ValidationError) as info:
        RoutingTable(key="t", rules=(TABLE.rules[0], TABLE.rules[0]))
    assert [e.path for e in info.value.errors] == ["rules[1].key"]
    with pytest.raises(ValidationError):
        route(TABLE, {}, state=RoutingState(), at=datetime(2026, 3, 2))


def test_json_round_trips() -> None:
    assert from_json(RoutingTable, to_json(TABLE)) == TABLE
    state = _route({"region": "emea"}, RoutingState()).state
    assert from_json(RoutingState, to_json(state)) == state


@settings(max_examples=60)
@given(
    st.integers(min_value=1, max_value=6),
    st.integers(min_value=1, max_value=40),
    st.sampled_from(list(Strategy)),
)
def test_state_is_never_mutated_and_rotation_is_fair(
    team_size: int, n: int, strategy: Strategy
) -> None:
    members = tuple(f"r{i}" for i in range(team_size))
    team = Team(id="t", name="T", rep_ids=members)
    reps = [Rep(id=m, name=m) for m in members]
    table = RoutingTable(
        key="t",
        rules=(RoutingRule(key="all", rule=parse("true"), target=Target.team("t", strategy)),),
    )
    state = RoutingState()
    counts: Counter[str] = Counter()
    for _ in range(n):
        before = to_json(state)
        d = route(table, {}, state=state, at=MONDAY_10, reps=reps, teams=[team])
        assert to_json(state) == before  # the input state is untouched
        assert d.owner_id is not None
        counts[d.owner_id] += 1
        state = d.state
    assert max(counts.values()) - min(counts.get(m, 0) for m in members) <= 1
    assert sum(state.loads.values()) == n
