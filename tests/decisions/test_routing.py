"""Routing: first match, round robin, least loaded, capacity, closed hours, default."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, time, timedelta
from typing import Any, ClassVar

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

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
    assert state == RoutingState(
        cursors={"emea": "ana"},
        loads={"ana": 3, "ben": 2, "cy": 2},
        expected={"emea": dict.fromkeys(("ana", "ben", "cy"), sum([1 / 3] * 7))},
        given={"emea": {"ana": 3, "ben": 2, "cy": 2}},
    )
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
    no_default = route(TABLE.rules, {}, state=RoutingState(), at=MONDAY_10, teams=TEAMS)
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


def test_a_rule_that_matched_but_could_not_take_the_lead_is_named_in_the_reason() -> None:
    full = RoutingState(loads={"dee": 2})
    d = _route({"employees": 5000, "vip": True}, full, at=SATURDAY)
    assert d.rule_key == "default"
    assert d.reason == (
        "rule 'enterprise' matched but no rep of team ent is available: "
        "dee is at capacity (2/2); eve is outside working hours; "
        "rule 'vip' matched but eve is outside working hours; "
        "the default, queue 'unassigned': queued in unassigned"
    )
    vip = route(TABLE.rules, {"vip": True}, state=full, at=SATURDAY, reps=REPS, teams=TEAMS)
    assert not vip.assigned
    assert vip.reason == (
        "rule 'vip' matched but eve is outside working hours; there is no default"
    )
    closed = route(
        TABLE.rules,
        {"vip": True},
        state=full,
        at=SATURDAY,
        reps=REPS,
        teams=TEAMS,
        default=Target.rep("eve"),
    )
    assert closed.reason == (
        "rule 'vip' matched but eve is outside working hours; "
        "the default rep 'eve' cannot take it: eve is outside working hours"
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


def test_an_unknown_target_is_refused_when_the_table_is_built() -> None:
    rules = TABLE.rules
    with pytest.raises(ValidationError) as info:  # teams= forgotten
        RoutingTable(key="t", rules=rules, default=Target.queue("unassigned"), reps=REPS)
    assert [(e.path, e.value, e.message) for e in info.value.errors] == [
        ("rules[0].target.id", "ent", "is not a known team: no teams= given"),
        ("rules[1].target.id", "emea", "is not a known team: no teams= given"),
        ("default.id", "unassigned", "is not a known queue: no queues= given"),
    ]
    with pytest.raises(ValidationError) as info:
        RoutingTable(
            key="t",
            rules=(*rules, RoutingRule(key="x", rule=parse("true"), target=Target.rep("evee"))),
            reps=REPS,
            teams=TEAMS[:1],
            queues=["triage"],
        )
    assert [(e.path, e.value) for e in info.value.errors] == [
        ("rules[0].target.id", "ent"),
        ("rules[3].target.id", "evee"),
    ]
    assert "is not a known rep (not in reps=)" in str(info.value)
    built = RoutingTable(
        key="inbound",
        rules=rules,
        default=Target.queue("unassigned"),
        reps=REPS,
        teams={t.id: t for t in TEAMS},
        queues=["unassigned"],
        subject={"employees": "number", "region": "choice", "vip": "flag"},
    )
    assert built == TABLE  # the directories and the subject are checked, not stored


def test_route_refuses_targets_missing_from_what_it_is_given() -> None:
    with pytest.raises(ValidationError) as info:  # teams= forgotten: no silent queueing
        route(TABLE, {"region": "emea"}, state=RoutingState(), at=MONDAY_10, reps=REPS)
    assert [(e.path, e.value) for e in info.value.errors] == [
        ("rules[0].target.id", "ent"),
        ("rules[1].target.id", "emea"),
    ]
    assert str(info.value).startswith("invalid routing (2 problems): rules[0].target.id: ")
    with pytest.raises(ValidationError, match=r"default\.id: is not a known queue"):
        route(TABLE, {}, state=RoutingState(), at=MONDAY_10, teams=TEAMS, queues=["triage"])
    gone = route(
        TABLE, {"vip": True}, state=RoutingState(), at=MONDAY_10, reps=REPS[:4], teams=TEAMS
    )
    assert gone.trail[-2].note == "eve is not a known rep"  # a rep may leave: unavailable
    assert gone.owner_id == "unassigned"


def test_a_misspelled_condition_field_is_refused_with_the_nearest_spelling() -> None:
    from salescore.domain import Lead

    rule = RoutingRule(key="de", rule=parse("countri == 'DE'"), target=Target.queue("q"))
    with pytest.raises(ValidationError) as info:
        RoutingTable(key="t", rules=(rule,), subject=Lead)
    assert [(e.path, e.value) for e in info.value.errors] == [
        ("rules[0].rule.countri", "countri == 'DE'")
    ]
    assert "did you mean 'country'?" in str(info.value)


def test_hold_until_the_reps_working_hours() -> None:
    held = RoutingTable(
        key="held",
        rules=(
            RoutingRule(key="vip", rule=parse("vip == true"), target=Target.rep("eve", hold=True)),
        ),
        default=Target.queue("unassigned"),
    )
    d = route(held, {"vip": True}, state=RoutingState(), at=SATURDAY, reps=REPS, teams=TEAMS)
    assert (d.owner_id, d.rule_key) == ("eve", "vip")
    assert d.hold_until == datetime(2026, 3, 9, 9, 0, tzinfo=UTC)  # Monday's opening
    assert d.reason == (
        "rule 'vip' matched (vip == true): eve is outside working hours: "
        "held until 2026-03-09 09:00 UTC"
    )
    assert d.state.loads == {"eve": 1}
    now = route(held, {"vip": True}, state=RoutingState(), at=MONDAY_10, reps=REPS, teams=TEAMS)
    assert (now.owner_id, now.hold_until) == ("eve", None)
    # A rep who is full is not held for: the work goes on to the default.
    full = [*REPS[:4], Rep(id="eve", name="Eve", calendar=OFFICE, capacities={"open_leads": 0})]
    d = route(held, {"vip": True}, state=RoutingState(), at=SATURDAY, reps=full, teams=TEAMS)
    assert (d.owner_id, d.hold_until) == ("unassigned", None)
    assert str(Target.rep("eve", hold=True)) == "rep 'eve' (held until open)"


def test_hold_for_the_team_rep_who_is_back_first() -> None:
    berlin = BusinessCalendar.weekdays(time(9), time(17), tz="Europe/Berlin")
    tokyo = BusinessCalendar.weekdays(time(9), time(17), tz="Asia/Tokyo")
    reps = [Rep(id="b", name="B", calendar=berlin), Rep(id="t", name="T", calendar=tokyo)]
    team = Team(id="world", name="World", rep_ids=("b", "t"))
    table = RoutingTable(
        key="w",
        rules=(RoutingRule(key="all", rule=parse("true"), target=Target.team("world", hold=True)),),
        reps=reps,
        teams=[team],
    )
    d = route(table, {}, state=RoutingState(), at=SATURDAY, reps=reps, teams=[team])
    # Monday 09:00 in Tokyo is Sunday 24:00 UTC; in Berlin it is Monday 08:00 UTC.
    assert (d.owner_id, d.hold_until) == ("t", datetime(2026, 3, 9, 0, 0, tzinfo=UTC))
    assert d.trail[0].note == (
        "no rep of team world is available (b is outside working hours; "
        "t is outside working hours): held for t, the first back, until 2026-03-09 00:00 UTC"
    )
    assert d.state.cursors == {"world": "t"}
    assert d.state.given == {"world": {"t": 1}}
    assert str(Target.team("world", hold=True)) == "team 'world' (round-robin, held until open)"
    with pytest.raises(ValidationError, match="hold: a queue has no working hours"):
        Target(kind=TargetKind.QUEUE, id="q", hold=True)
    with pytest.raises(ValidationError, match="strategy: must be round_robin or least_loaded"):
        Target.team("world", "fastest")
    assert from_json(RoutingTable, to_json(table)) == table
    assert from_json(RoutingState, to_json(d.state)) == d.state


def test_round_robin_shares_follow_available_hours_over_a_week() -> None:
    # Staggered calendars: Berlin and New York office hours, a part-timer, and a
    # support desk open 07-23 UTC every day, alone at weekends and at the
    # edges of the day. Work arrives every 7 minutes around the clock.
    calendars = {
        "berlin": BusinessCalendar.weekdays(time(9), time(17), tz="Europe/Berlin"),
        "newyork": BusinessCalendar.weekdays(time(9), time(17), tz="America/New_York"),
        "part": BusinessCalendar.weekdays(time(9), time(13), tz="Europe/Berlin"),
        "support": BusinessCalendar("UTC", {d: [(time(7), time(23))] for d in range(7)}),
    }
    reps = [Rep(id=k, name=k, calendar=c) for k, c in calendars.items()]
    team = Team(id="all", name="All", rep_ids=tuple(calendars))
    table = RoutingTable(
        key="k",
        rules=(RoutingRule(key="all", rule=parse("true"), target=Target.team("all")),),
        default=Target.queue("night"),
    )
    start = datetime(2026, 3, 2, tzinfo=UTC)
    state = RoutingState()
    counts: Counter[str | None] = Counter()
    at = start
    while at < start + timedelta(days=7):
        d = route(table, {}, state=state, at=at, reps=reps, teams=[team])
        state = d.state
        counts[d.owner_id] += 1
        at += timedelta(minutes=7)
    hours = {
        k: c.business_time_between(start, start + timedelta(days=7)) / timedelta(hours=1)
        for k, c in calendars.items()
    }
    assert hours == {"berlin": 40.0, "newyork": 40.0, "part": 20.0, "support": 112.0}
    worked = sum(counts[k] for k in calendars)
    assert counts["night"] == 480
    assert worked == 960
    for rep, h in hours.items():
        share, due = counts[rep] / worked, h / sum(hours.values())
        assert abs(share - due) <= 0.1 * due, (rep, share, due)
    assert counts == {"support": 507, "berlin": 181, "newyork": 181, "part": 91, "night": 480}


@pytest.mark.parametrize(
    ("options", "path", "value"),
    [
        ({"teams": 5}, "teams", 5),
        ({"teams": "emea"}, "teams", "emea"),
        ({"reps": [42]}, "reps[0]", 42),
        ({"queues": ["unassigned", None]}, "queues[1]", None),
        ({"state": None}, "state", None),
        ({"default": "unassigned"}, "default", "unassigned"),
        ({"teams": [Rep(id="emea", name="not a team")]}, "teams.emea.rep_ids", None),
    ],
)
def test_bad_routing_input_is_a_validation_error(
    options: dict[str, Any], path: str, value: Any
) -> None:
    kwargs: dict[str, Any] = {"state": RoutingState(), "teams": TEAMS, **options}
    with pytest.raises(ValidationError) as info:
        route(TABLE.rules, {}, at=MONDAY_10, **kwargs)
    assert [(e.path, e.value) for e in info.value.errors] == [(path, value)]


def test_a_bad_table_is_a_validation_error() -> None:
    with pytest.raises(ValidationError) as info:
        route(42, {}, state=RoutingState(), at=MONDAY_10)  # type: ignore[arg-type]
    assert [(e.path, e.value) for e in info.value.errors] == [("table", 42)]
    with pytest.raises(ValidationError) as info:
        route(["x"], {}, state=RoutingState(), at=MONDAY_10)  # type: ignore[list-item]
    assert [(e.path, e.value) for e in info.value.errors] == [("table[0]", "x")]
    with pytest.raises(ValidationError) as info:
        RoutingState(expected={"t": {"a": float("nan")}}, given={"t": {"a": -1}})
    assert [e.path for e in info.value.errors] == ["expected.t.a", "given.t.a"]


class RoutingLifecycle(RuleBasedStateMachine):
    """Assign and release through a staggered team: the state's books always balance."""

    CALENDARS: ClassVar[dict[str, BusinessCalendar | None]] = {
        "a": BusinessCalendar.weekdays(time(8), time(16), tz="UTC"),
        "b": BusinessCalendar.weekdays(time(12), time(20), tz="UTC"),
        "c": None,
    }

    def __init__(self) -> None:
        super().__init__()
        self.state = RoutingState()
        self.at = MONDAY_10
        self.team = Team(id="t", name="T", rep_ids=tuple(self.CALENDARS))
        self.reps = [
            Rep(id=k, name=k, calendar=c, capacities={"open_leads": 3})
            for k, c in self.CALENDARS.items()
        ]
        self.open: Counter[str] = Counter()
        self.shared = 0  # round-robin decisions that found someone available

    @rule(
        minutes=st.integers(min_value=0, max_value=600),
        hold=st.booleans(),
    )
    def route_one(self, minutes: int, hold: bool) -> None:
        self.at += timedelta(minutes=minutes)
        table = RoutingTable(
            key="t",
            rules=(RoutingRule(key="all", rule=parse("true"), target=Target.team("t", hold=hold)),),
            default=Target.queue("q"),
        )
        before = self.state
        d = route(table, {}, state=before, at=self.at, reps=self.reps, teams=[self.team])
        assert self.state == before
        if d.owner_id == "q":
            assert d.state == before
        else:
            assert d.owner_id in self.CALENDARS
            self.open[d.owner_id] += 1
            if d.hold_until is None:
                self.shared += 1
            else:
                assert d.hold_until > self.at
        self.state = d.state

    @rule(rep=st.sampled_from(["a", "b", "c"]))
    def release(self, rep: str) -> None:
        if self.open[rep]:
            self.open[rep] -= 1
            self.state = self.state.release(rep)

    @invariant()
    def books_balance(self) -> None:
        assert dict(self.state.loads) == {k: n for k, n in self.open.items() if n}
        assert all(n <= 3 for n in self.state.loads.values())
        given = self.state.given.get("t", {})
        expected = self.state.expected.get("t", {})
        assert abs(sum(expected.values()) - self.shared) < 1e-6
        assert sum(given.values()) >= self.shared
        assert from_json(RoutingState, to_json(self.state)) == self.state


TestRoutingLifecycle = RoutingLifecycle.TestCase
TestRoutingLifecycle.settings = settings(max_examples=30, stateful_step_count=25, deadline=None)
