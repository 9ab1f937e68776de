"""SLA policies and clocks: exact scenarios, escalation, JSON, and a lifecycle state machine."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from salescore.calendar import BusinessCalendar
from salescore.domain.service import (
    Escalation,
    EscalationRule,
    Milestone,
    PauseSpan,
    PolicyChoice,
    Priority,
    ServiceCase,
    SlaClock,
    SlaMetric,
    SlaPolicy,
    SlaState,
    SlaTarget,
    choose_policy,
    evaluate_escalations,
    explain_escalations,
    sla_clocks,
)
from salescore.errors import TransitionError, ValidationError
from salescore.rules import Truth, parse
from salescore.serialization import from_json, to_json

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
H = timedelta(hours=1)
M = timedelta(minutes=1)
CAL = BusinessCalendar.weekdays(time(9), time(17), tz="Europe/Berlin")


def berlin(*args: int) -> datetime:
    return datetime(*args, tzinfo=BERLIN)  # type: ignore[arg-type,misc]


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[arg-type,misc]


def policy(
    calendar: BusinessCalendar | None = CAL,
    *,
    name: str = "standard",
    business_time: bool = True,
    **durations: timedelta,
) -> SlaPolicy:
    """A policy with targets named ``<metric>_<priority>=duration``."""
    targets = []
    for key, duration in durations.items():
        metric, priority = key.rsplit("_", 1)
        targets.append(
            SlaTarget(
                metric=metric, priority=priority, duration=duration, business_time=business_time
            )
        )
    return SlaPolicy(name=name, calendar=calendar, targets=targets)


def open_case(at: datetime, pol: SlaPolicy | None, priority: str = "normal") -> ServiceCase:
    return ServiceCase.open(
        id="case-1",
        at=at,
        actor="gateway",
        requester_id="contact-1",
        subject="Printer on fire",
        priority=priority,
        sla_policy=pol,
    )


def clock(case: ServiceCase, at: datetime, metric: str, cycle: int = 0) -> SlaClock:
    for c in sla_clocks(case, at):
        if c.metric == metric and c.cycle == cycle:
            return c
    raise AssertionError(f"no {metric} clock {cycle}")


# --- due times on the calendar ---------------------------------------------------------

FIRST_REPLY_4H = policy(first_reply_normal=4 * H)


def test_friday_afternoon_case_is_due_monday_midday() -> None:
    case = open_case(berlin(2026, 1, 9, 16, 30), FIRST_REPLY_4H)
    c = clock(case, berlin(2026, 1, 9, 16, 45), "first_reply")
    assert c.due_at == berlin(2026, 1, 12, 12, 30)
    assert c.used == timedelta(minutes=15)
    assert c.remaining == timedelta(hours=3, minutes=45)
    assert c.state is SlaState.RUNNING


def test_monday_holiday_moves_the_due_time_to_tuesday() -> None:
    whit_monday = date(2026, 5, 25)
    cal = BusinessCalendar.weekdays(time(9), time(17), tz="Europe/Berlin", holidays=[whit_monday])
    case = open_case(berlin(2026, 5, 22, 16, 30), policy(cal, first_reply_normal=4 * H))
    due = clock(case, berlin(2026, 5, 22, 17), "first_reply").due_at
    assert due == berlin(2026, 5, 26, 12, 30)
    assert due == utc(2026, 5, 26, 10, 30)


def test_across_the_spring_clock_change_in_berlin() -> None:
    # Clocks go forward on Sunday 29 March 2026: CET (+01:00) → CEST (+02:00).
    opened = utc(2026, 3, 27, 15, 30)  # Friday 16:30 CET
    case = open_case(opened, FIRST_REPLY_4H)
    due = clock(case, opened, "first_reply").due_at
    assert due == utc(2026, 3, 30, 10, 30)  # Monday 12:30 CEST
    assert due is not None
    assert due.astimezone(BERLIN).time() == time(12, 30)
    assert due - opened == timedelta(hours=67)  # one wall-clock hour fewer than usual


def test_across_the_autumn_clock_change_in_berlin() -> None:
    # Clocks go back on Sunday 25 October 2026: CEST (+02:00) → CET (+01:00).
    opened = utc(2026, 10, 23, 14, 30)  # Friday 16:30 CEST
    case = open_case(opened, FIRST_REPLY_4H)
    due = clock(case, opened, "first_reply").due_at
    assert due == utc(2026, 10, 26, 11, 30)  # Monday 12:30 CET
    assert due is not None
    assert due - opened == timedelta(hours=69)


def test_round_the_clock_calendar_counts_real_hours_across_dst() -> None:
    always = BusinessCalendar("America/New_York", {d: [(time(0), time(0))] for d in range(7)})
    opened = datetime(2026, 3, 7, 12, 0, tzinfo=NEW_YORK)  # Saturday 12:00 EST = 17:00Z
    case = open_case(opened, policy(always, first_reply_normal=24 * H))
    due = clock(case, opened, "first_reply").due_at
    assert due == utc(2026, 3, 8, 17, 0)
    assert due is not None
    assert due.astimezone(NEW_YORK).hour == 13


def test_calendar_time_target_ignores_the_calendar() -> None:
    pol = policy(business_time=False, first_reply_normal=H)
    case = open_case(berlin(2026, 1, 9, 16, 30), pol)
    c = clock(case, berlin(2026, 1, 9, 19, 0), "first_reply")
    assert c.due_at == berlin(2026, 1, 9, 17, 30)
    assert c.breached_at == berlin(2026, 1, 9, 17, 30)
    assert c.used == timedelta(hours=2, minutes=30)
    assert not c.business_time


# --- pauses --------------------------------------------------------------------------

RES_8H = policy(resolution_normal=8 * H)


def test_pending_for_two_business_hours_moves_the_due_time_by_two() -> None:
    monday = berlin(2026, 1, 12, 9)
    case = open_case(monday, RES_8H)
    assert clock(case, monday, "resolution").due_at == berlin(2026, 1, 12, 17)
    case = case.reply("Need logs", at=berlin(2026, 1, 12, 11), actor="rep-1", status="pending")
    case = case.reply(
        "Logs attached", at=berlin(2026, 1, 12, 13), actor="contact-1", author_kind="customer"
    )
    assert case.status == "open"
    c = clock(case, berlin(2026, 1, 12, 14), "resolution")
    assert c.used == 3 * H
    assert c.paused == 2 * H
    assert c.remaining == 5 * H
    assert c.due_at == berlin(2026, 1, 13, 11)
    assert c.pauses == (PauseSpan(berlin(2026, 1, 12, 11), berlin(2026, 1, 12, 13)),)


def test_paused_clock_shows_open_pause_and_due_that_moves_later() -> None:
    monday = berlin(2026, 1, 12, 9)
    case = open_case(monday, RES_8H).move_to("on_hold", at=berlin(2026, 1, 12, 10), actor="r")
    c1 = clock(case, berlin(2026, 1, 12, 12), "resolution")
    c2 = clock(case, berlin(2026, 1, 12, 15), "resolution")
    assert c1.state is SlaState.PAUSED
    assert c1.is_paused
    assert c1.pauses == (PauseSpan(berlin(2026, 1, 12, 10), None),)
    assert (c1.used, c1.paused) == (H, 2 * H)
    assert c1.due_at == berlin(2026, 1, 13, 11)
    assert c2.due_at == berlin(2026, 1, 13, 14)
    assert c2.due_at > c1.due_at


def test_a_clock_at_the_instant_the_case_becomes_pending_is_paused() -> None:
    monday = berlin(2026, 1, 12, 9)
    ten = berlin(2026, 1, 12, 10)
    case = open_case(monday, RES_8H).move_to("pending", at=ten, actor="r")
    at_once = clock(case, ten, "resolution")
    assert at_once.state is SlaState.PAUSED
    assert at_once.pauses == (PauseSpan(ten, None),)
    assert (at_once.used, at_once.paused) == (H, timedelta(0))
    later = clock(case, ten + timedelta(microseconds=1), "resolution")
    assert later.state is SlaState.PAUSED
    assert later.pauses == (PauseSpan(ten, None),)
    # Paused and resumed at the same instant: the state at that instant is running.
    resumed = case.move_to("open", at=ten, actor="r")
    assert clock(resumed, ten, "resolution").state is SlaState.RUNNING


def test_pause_over_a_weekend_counts_business_hours_not_wall_clock() -> None:
    pol = policy(resolution_normal=40 * H)
    case = open_case(berlin(2026, 1, 12, 9), pol)
    assert clock(case, berlin(2026, 1, 12, 9), "resolution").due_at == berlin(2026, 1, 16, 17)
    case = case.move_to("pending", at=berlin(2026, 1, 16, 16), actor="rep-1")
    case = case.move_to("open", at=berlin(2026, 1, 19, 10), actor="rep-1")
    c = clock(case, berlin(2026, 1, 19, 10), "resolution")
    assert c.paused == 2 * H  # Friday 16–17 and Monday 9–10, not 66 wall-clock hours
    assert c.used == 39 * H
    assert c.due_at == berlin(2026, 1, 19, 11)  # Friday 17:00 + exactly 2 business hours


# --- re-targeting ----------------------------------------------------------------------

TIERS = policy(
    resolution_urgent=4 * H,
    resolution_high=8 * H,
    resolution_normal=16 * H,
    resolution_low=40 * H,
)


def test_priority_change_keeps_used_time() -> None:
    case = open_case(berlin(2026, 1, 12, 9), TIERS)
    urgent = case.change_priority("urgent", at=berlin(2026, 1, 12, 12), actor="rep-1")
    c = clock(urgent, berlin(2026, 1, 12, 12, 30), "resolution")
    assert (c.used, c.target, c.remaining) == (3.5 * H, 4 * H, 0.5 * H)
    assert c.due_at == berlin(2026, 1, 12, 13)
    assert c.priority is Priority.URGENT
    low = case.change_priority("low", at=berlin(2026, 1, 12, 12), actor="rep-1")
    c = clock(low, berlin(2026, 1, 12, 12), "resolution")
    assert c.used == 3 * H
    assert c.due_at == berlin(2026, 1, 16, 17)


def test_priority_change_keeps_paused_time() -> None:
    case = open_case(berlin(2026, 1, 12, 9), TIERS)
    case = case.move_to("pending", at=berlin(2026, 1, 12, 10), actor="rep-1")
    case = case.change_priority("high", at=berlin(2026, 1, 12, 11), actor="rep-1")
    case = case.move_to("open", at=berlin(2026, 1, 12, 12), actor="rep-1")
    c = clock(case, berlin(2026, 1, 12, 13), "resolution")
    assert (c.used, c.paused) == (2 * H, 2 * H)
    assert c.pauses == (PauseSpan(berlin(2026, 1, 12, 10), berlin(2026, 1, 12, 12)),)
    assert c.due_at == berlin(2026, 1, 13, 11)


def test_lowering_the_target_below_used_time_breaches_at_the_change() -> None:
    case = open_case(berlin(2026, 1, 12, 9), TIERS)
    case = case.change_priority("urgent", at=berlin(2026, 1, 12, 15), actor="rep-1")
    c = clock(case, berlin(2026, 1, 12, 16), "resolution")
    assert c.breached_at == berlin(2026, 1, 12, 15)
    assert c.due_at == berlin(2026, 1, 12, 13)  # when the used time reached 4 h
    assert c.overdue == 3 * H
    assert c.state is SlaState.OVERDUE


def test_policy_change_re_targets_without_losing_time() -> None:
    fast = policy(name="fast", resolution_normal=4 * H)
    case = open_case(berlin(2026, 1, 12, 9), TIERS)
    case = case.apply_sla_policy(fast, at=berlin(2026, 1, 12, 11), actor="router")
    c = clock(case, berlin(2026, 1, 12, 11), "resolution")
    assert (c.policy, c.used, c.due_at) == ("fast", 2 * H, berlin(2026, 1, 12, 13))


def test_policy_applied_later_counts_from_opening() -> None:
    case = open_case(berlin(2026, 1, 12, 9), None)
    assert sla_clocks(case, berlin(2026, 1, 12, 10)) == ()
    case = case.apply_sla_policy(FIRST_REPLY_4H, at=berlin(2026, 1, 12, 10), actor="router")
    c = clock(case, berlin(2026, 1, 12, 10), "first_reply")
    assert c.started_at == berlin(2026, 1, 12, 9)
    assert c.used == H


def test_removing_the_policy_cancels_open_clocks() -> None:
    case = open_case(berlin(2026, 1, 12, 9), TIERS)
    case = case.apply_sla_policy(None, at=berlin(2026, 1, 12, 10), actor="router")
    (c,) = sla_clocks(case, berlin(2026, 1, 12, 12))
    assert c.state is SlaState.CANCELLED
    assert c.completed_at == berlin(2026, 1, 12, 10)


# --- breaches --------------------------------------------------------------------------


def test_breach_is_recorded_once_and_survives_a_priority_change() -> None:
    case = open_case(berlin(2026, 1, 12, 9), TIERS, priority="urgent")
    assert clock(case, berlin(2026, 1, 12, 13), "resolution").breached_at is None
    c = clock(case, berlin(2026, 1, 12, 13, 1), "resolution")
    assert c.breached_at == berlin(2026, 1, 12, 13)
    case = case.change_priority("low", at=berlin(2026, 1, 12, 14), actor="rep-1")
    later = clock(case, berlin(2026, 1, 14, 9), "resolution")
    assert later.breached_at == berlin(2026, 1, 12, 13)
    assert later.remaining == 40 * H - later.used
    case = case.solve(at=berlin(2026, 1, 14, 10), actor="rep-1")
    done = clock(case, berlin(2026, 1, 20, 9), "resolution")
    assert done.state is SlaState.BREACHED
    assert done.breached_at == berlin(2026, 1, 12, 13)
    assert done.milestone() == Milestone(
        case_id="case-1",
        metric=SlaMetric.RESOLUTION,
        cycle=0,
        target=40 * H,
        target_at=done.due_at,
        completed_at=berlin(2026, 1, 14, 10),
        violated=True,
        time_stopped=timedelta(0),
    )


def test_due_at_closing_time_breaches_only_once_it_has_passed() -> None:
    case = open_case(berlin(2026, 1, 12, 9), policy(resolution_normal=8 * H))
    at_due = clock(case, berlin(2026, 1, 12, 17), "resolution")
    assert at_due.breached_at is None
    assert at_due.remaining == timedelta(0)
    evening = clock(case, berlin(2026, 1, 12, 20), "resolution")
    assert evening.breached_at == berlin(2026, 1, 12, 17)
    assert evening.state is SlaState.OVERDUE
    on_time = case.solve(at=berlin(2026, 1, 12, 17), actor="rep-1")
    assert clock(on_time, berlin(2026, 1, 13, 9), "resolution").state is SlaState.FULFILLED


# --- reply clocks --------------------------------------------------------------------

REPLIES = policy(
    first_reply_normal=2 * H,
    next_reply_normal=H,
    periodic_update_normal=4 * H,
    resolution_normal=16 * H,
)


def test_first_reply_stops_only_at_a_public_agent_reply() -> None:
    t = berlin(2026, 1, 12, 9)
    case = open_case(t, REPLIES)
    case = case.reply("auto-ack", at=t, actor="bot", author_kind="system")
    case = case.reply("internal", at=t + H / 2, actor="rep-1", public=False)
    case = case.add_note("looking", at=t + H / 2, actor="rep-1")
    assert clock(case, t + H, "first_reply").is_open
    case = case.reply("Hello!", at=t + H, actor="rep-1")
    c = clock(case, t + 3 * H, "first_reply")
    assert (c.state, c.completed_at, c.used) == (SlaState.FULFILLED, t + H, H)


def test_next_reply_cycles_and_periodic_updates() -> None:
    t = berlin(2026, 1, 12, 9)
    case = open_case(t, REPLIES)
    case = case.reply("Hello", at=t + H, actor="rep-1")
    case = case.reply("It still fails", at=t + 2 * H, actor="contact-1", author_kind="customer")
    case = case.reply("And now?", at=t + 3 * H, actor="contact-1", author_kind="customer")
    case = case.reply("Try this", at=t + 3.5 * H, actor="rep-1")
    case = case.reply("No luck", at=t + 4 * H, actor="contact-1", author_kind="customer")
    clocks = sla_clocks(case, t + 6 * H)
    summary = [
        (c.metric.value, c.cycle, c.state.value, c.started_at, c.completed_at) for c in clocks
    ]
    assert summary == [
        ("first_reply", 0, "fulfilled", t, t + H),
        ("next_reply", 0, "breached", t + 2 * H, t + 3.5 * H),
        ("next_reply", 1, "overdue", t + 4 * H, None),
        ("periodic_update", 0, "fulfilled", t + H, t + 3.5 * H),
        ("periodic_update", 1, "running", t + 3.5 * H, None),
        ("resolution", 0, "running", t, None),
    ]
    assert clocks[1].breached_at == t + 3 * H
    assert clocks[2].breached_at == t + 5 * H


def test_solving_stops_reply_clocks_and_reopen_resumes_resolution() -> None:
    t = berlin(2026, 1, 12, 9)
    case = open_case(t, REPLIES).solve(at=t + 2 * H, actor="rep-1")
    first = clock(case, t + 3 * H, "first_reply")
    assert (first.state, first.completed_at) == (SlaState.FULFILLED, t + 2 * H)
    case = case.reopen(at=berlin(2026, 1, 13, 10), actor="contact-1")
    c = clock(case, berlin(2026, 1, 13, 12), "resolution")
    assert c.is_open
    assert c.used == 4 * H  # Monday 9–11 and Tuesday 10–12
    assert c.paused == 7 * H  # solved: Monday 11–17 and Tuesday 9–10
    assert c.elapsed == CAL.business_time_between(t, berlin(2026, 1, 13, 12))


# --- choosing a policy ---------------------------------------------------------------


def test_first_matching_policy_wins_and_unknown_counts_as_not_met() -> None:
    gold = SlaPolicy(
        name="gold",
        calendar=CAL,
        applies_when="account.tier == 'gold'",
        targets=[SlaTarget(metric="first_reply", priority="normal", duration=H)],
    )
    urgent = SlaPolicy(
        name="urgent",
        calendar=CAL,
        applies_when=parse("priority == 'urgent'"),
        targets=[SlaTarget(metric="first_reply", priority="urgent", duration=H)],
    )
    default = policy(name="default", first_reply_normal=8 * H)
    case = open_case(berlin(2026, 1, 12, 9), None)
    at = berlin(2026, 1, 12, 9)
    choice = choose_policy([gold, urgent, default], case, at)
    assert choice.policy == default
    assert choice.unknown_fields == ("account.tier",)
    assert [(c.policy, c.result) for c in choice.checks] == [
        ("gold", Truth.UNKNOWN),
        ("urgent", Truth.FALSE),
        ("default", Truth.TRUE),
    ]
    assert choice.reason == "'default' is the default policy"
    vip = choose_policy([gold, urgent, default], case, at, {"account": {"tier": "gold"}})
    assert vip.policy == gold
    assert vip.unknown_fields == ()
    assert vip.reason == "'gold' applies: account.tier == 'gold'"
    none = choose_policy([gold], case, at)
    assert none.policy is None
    assert none.reason == "no policy applies (unknown: account.tier)"
    applied = case.choose_sla_policy([gold, urgent, default], at=at, actor="router")
    assert applied.sla_policy == default
    assert applied.history[-1].unknown_fields == ("account.tier",)  # type: ignore[attr-defined]


def test_default_policy_must_come_last() -> None:
    default = policy(name="default", first_reply_normal=8 * H)
    other = SlaPolicy(name="x", calendar=CAL, applies_when="priority == 'low'", targets=[])
    with pytest.raises(ValidationError) as info:
        choose_policy([default, other], {}, berlin(2026, 1, 12, 9))
    assert info.value.errors[0].path == "policies[0]"


def test_policy_list_reports_repeated_names_then_a_misplaced_default() -> None:
    default = policy(name="default", first_reply_normal=8 * H)
    other = SlaPolicy(name="x", calendar=CAL, applies_when="priority == 'low'", targets=[])
    at = berlin(2026, 1, 12, 9)
    with pytest.raises(ValidationError) as info:
        choose_policy([default, other, other], {}, at)
    assert info.value.paths == ("policies[2].name", "policies[0]")
    with pytest.raises(ValidationError) as info:
        choose_policy([default, "gold", other], {}, at)  # type: ignore[list-item]
    assert [(e.path, e.message) for e in info.value.errors] == [
        ("policies[1]", "must be a SlaPolicy"),
        ("policies[0]", "a default policy (no condition) must come last: it hides the rest"),
    ]


def test_policy_validation_lists_every_problem() -> None:
    with pytest.raises(ValidationError) as info:
        SlaPolicy(
            name="",
            targets=[
                SlaTarget(metric="resolution", priority="low", duration=H),
                SlaTarget(metric="resolution", priority="low", duration=2 * H),
            ],
            applies_when="priority ==",
            pauses={"resolution": {"pending", "solved"}},
        )
    paths = [e.path for e in info.value.errors]
    assert "name" in paths
    assert "targets[1]" in paths
    assert "targets[0].calendar" in paths
    assert "pauses.resolution" in paths
    assert any(p.startswith("applies_when") for p in paths)
    with pytest.raises(ValidationError) as info2:
        SlaTarget(metric="lunch", priority="asap", duration=-H)
    assert [e.path for e in info2.value.errors] == ["metric", "priority", "duration"]


# --- escalation ----------------------------------------------------------------------


def test_escalation_at_eighty_percent_of_resolution() -> None:
    rule80 = EscalationRule(name="warn-80", metric="resolution", at_fraction=0.8)
    case = open_case(berlin(2026, 1, 12, 9), TIERS)
    at = berlin(2026, 1, 13, 12)  # 11 h used of 16 h
    assert evaluate_escalations(case, sla_clocks(case, at), [rule80], at) == ()
    at = berlin(2026, 1, 13, 14)  # 13 h used
    (fired,) = evaluate_escalations(case, sla_clocks(case, at), [rule80], at)
    assert fired.rule == "warn-80"
    assert fired.fired
    assert fired.reasons == ("81% of the resolution target used (threshold 80%)",)
    assert (fired.used, fired.target) == (13 * H, 16 * H)


def test_escalation_after_breach_for_urgent_cases_only() -> None:
    breached = EscalationRule(
        name="urgent-breach", metric="resolution", after_breach=True, when="priority == 'urgent'"
    )
    before = EscalationRule(name="last-hour", metric="resolution", before_due=H)
    at = berlin(2026, 1, 12, 14)
    urgent = open_case(berlin(2026, 1, 12, 9), TIERS, priority="urgent")
    fired = evaluate_escalations(urgent, sla_clocks(urgent, at), [breached, before], at)
    assert [e.rule for e in fired] == ["urgent-breach", "last-hour"]
    assert fired[0].reasons[1] == "condition \"priority == 'urgent'\" holds"
    high = open_case(berlin(2026, 1, 12, 9), TIERS, priority="high")
    late = berlin(2026, 1, 13, 12)
    decisions = explain_escalations(high, sla_clocks(high, late), [breached], late)
    assert [(d.fired, d.reasons[-1]) for d in decisions] == [
        (False, "condition \"priority == 'urgent'\" does not hold")
    ]


def test_unknown_condition_does_not_fire_and_says_which_fields() -> None:
    rule = EscalationRule(
        name="gold", metric="resolution", at_fraction=0.5, when="account.tier == 'gold'"
    )
    case = open_case(berlin(2026, 1, 12, 9), TIERS)
    at = berlin(2026, 1, 13, 9)
    (d,) = explain_escalations(case, sla_clocks(case, at), [rule], at)
    assert not d.fired
    assert d.unknown_fields == ("account.tier",)
    assert d.reasons[-1] == "condition \"account.tier == 'gold'\" is unknown (counts as not met)"


def test_escalation_rule_needs_exactly_one_trigger() -> None:
    with pytest.raises(ValidationError):
        EscalationRule(name="none", metric="resolution")
    with pytest.raises(ValidationError):
        EscalationRule(name="two", metric="resolution", at_fraction=0.5, after_breach=True)


# --- JSON ----------------------------------------------------------------------------


def test_policy_clock_choice_and_escalation_round_trip() -> None:
    pol = SlaPolicy(
        name="gold",
        calendar=BusinessCalendar.weekdays(
            tz="Europe/Berlin", holiday_rules=["FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=25"]
        ),
        applies_when="account.tier == 'gold'",
        targets=[
            SlaTarget(metric="first_reply", priority="urgent", duration=H),
            SlaTarget(metric="resolution", priority="urgent", duration=H, business_time=False),
        ],
        pauses={"resolution": {"on_hold"}},
    )
    case = open_case(berlin(2026, 1, 12, 9), pol, priority="urgent")
    case = case.move_to("on_hold", at=berlin(2026, 1, 12, 9, 30), actor="rep-1")
    at = berlin(2026, 1, 12, 12)
    rule = EscalationRule(name="late", metric="first_reply", after_breach=True)
    values: list[object] = [
        pol,
        *sla_clocks(case, at),
        *case.milestones(at),
        choose_policy([pol], case, at),
        *explain_escalations(case, sla_clocks(case, at), [rule], at),
        rule,
    ]
    kinds = {type(v) for v in values}
    assert {SlaPolicy, SlaClock, Milestone, PolicyChoice, Escalation, EscalationRule} <= kinds
    for value in values:
        text = to_json(value)
        assert from_json(type(value), text) == value
        assert to_json(from_json(type(value), text)) == text
    assert from_json(SlaPolicy, to_json(pol)).condition == parse("account.tier == 'gold'")


def test_evaluating_before_opening_is_refused() -> None:
    case = open_case(berlin(2026, 1, 12, 9), TIERS)
    with pytest.raises(ValidationError):
        sla_clocks(case, berlin(2026, 1, 12, 8))
    with pytest.raises(ValidationError):
        sla_clocks(case, datetime(2026, 1, 12, 10))


# --- the state machine ---------------------------------------------------------------

MACHINE_CAL = BusinessCalendar.weekdays(
    time(9), time(17), tz="Europe/Berlin", holidays=[date(2026, 1, 14)]
)
_TARGETS = {
    SlaMetric.FIRST_REPLY: (H, 2 * H, 4 * H, 8 * H),
    SlaMetric.NEXT_REPLY: (H, 2 * H, 4 * H, 8 * H),
    SlaMetric.PERIODIC_UPDATE: (4 * H, 8 * H, 16 * H, 24 * H),
    SlaMetric.RESOLUTION: (4 * H, 8 * H, 16 * H, 40 * H),
}
MACHINE_POLICY = SlaPolicy(
    name="machine",
    calendar=MACHINE_CAL,
    targets=[
        SlaTarget(
            metric=metric,
            priority=priority,
            duration=durations[i],
            # First reply in calendar time, the rest in business time.
            business_time=metric is not SlaMetric.FIRST_REPLY,
        )
        for metric, durations in _TARGETS.items()
        for i, priority in enumerate(Priority)
    ],
)


def test_a_solved_case_keeps_the_resolution_clock_it_stopped_with() -> None:
    # Found by the state machine: urgent, solved, made high, then a customer reply.
    t = berlin(2026, 1, 12, 8)  # Monday, before the 9:00 opening
    solved = open_case(t, MACHINE_POLICY, priority="urgent").solve(at=t, actor="rep-1")
    high = solved.change_priority("high", at=t, actor="rep-1")
    replied = high.reply("Thanks!", at=t + M, actor="contact-1", author_kind="customer")
    assert replied.status == "solved"  # a customer reply reopens only a pending case
    stopped = (
        Priority.URGENT,
        4 * H,
        berlin(2026, 1, 12, 13),
        t,
        SlaState.FULFILLED,
    )
    closed = high.close(at=t, actor="rep-1")
    evaluations = [(high, t), (high, t + M), (replied, t + M), (replied, berlin(2026, 1, 13, 9))]
    lowered = replied.change_priority("low", at=t + 2 * M, actor="rep-1")
    evaluations += [(lowered, t + 3 * M), (closed, t), (closed, t + M)]
    for case, at in evaluations:
        c = clock(case, at, "resolution")
        assert (c.priority, c.target, c.due_at, c.completed_at, c.state) == stopped, at
    # Reopened, it resumes under the priority in force: high, eight business hours.
    reopened = replied.reopen(at=berlin(2026, 1, 12, 10), actor="contact-1")
    c = clock(reopened, berlin(2026, 1, 12, 11), "resolution")
    assert (c.priority, c.target, c.used, c.paused) == (Priority.HIGH, 8 * H, H, H)
    assert c.due_at == berlin(2026, 1, 13, 10)
    assert c.state is SlaState.RUNNING


class CaseLifecycle(RuleBasedStateMachine):
    """Random case lifecycles; the clock invariants hold after every step."""

    def __init__(self) -> None:
        super().__init__()
        self.case: ServiceCase
        self.now = berlin(2026, 1, 12, 8)
        self.breaches: dict[tuple[SlaMetric, int], datetime] = {}
        self.dues: dict[tuple[SlaMetric, int], tuple[datetime, Priority]] = {}
        self.snapshots: list[tuple[datetime, ServiceCase, tuple[SlaClock, ...]]] = []

    def _advance(self, minutes: int) -> datetime:
        self.now += timedelta(minutes=minutes)
        return self.now

    def _try(self, change: object) -> None:
        before = self.case
        try:
            self.case = change()  # type: ignore[operator]
        except TransitionError:
            assert self.case is before

    @initialize(minutes=st.integers(0, 60 * 72), priority=st.sampled_from(Priority))
    def open(self, minutes: int, priority: Priority) -> None:
        at = self._advance(minutes)
        self.case = open_case(at, MACHINE_POLICY, priority=priority.value)

    @rule(minutes=st.integers(0, 60 * 30), public=st.booleans())
    def agent_reply(self, minutes: int, public: bool) -> None:
        at = self._advance(minutes)
        self._try(lambda: self.case.reply("agent", at=at, actor="rep-1", public=public))

    @rule(minutes=st.integers(0, 60 * 30))
    def customer_reply(self, minutes: int) -> None:
        at = self._advance(minutes)
        self._try(lambda: self.case.reply("customer", at=at, actor="c-1", author_kind="customer"))

    @rule(
        minutes=st.integers(0, 60 * 30),
        status=st.sampled_from(["open", "pending", "on_hold", "solved", "closed"]),
    )
    def move(self, minutes: int, status: str) -> None:
        at = self._advance(minutes)
        self._try(lambda: self.case.move_to(status, at=at, actor="rep-1"))

    @rule(minutes=st.integers(0, 60 * 30), priority=st.sampled_from(Priority))
    def change_priority(self, minutes: int, priority: Priority) -> None:
        at = self._advance(minutes)
        self._try(lambda: self.case.change_priority(priority, at=at, actor="rep-1"))

    @rule(minutes=st.integers(0, 60 * 72))
    def wait(self, minutes: int) -> None:
        self._advance(minutes)

    @invariant()
    def replay_equals_and_version_counts_events(self) -> None:
        case = self.case
        assert case.version == len(case.history)
        assert ServiceCase.from_events(case.history) == case

    @invariant()
    def clocks_add_up_and_never_undo(self) -> None:
        clocks = sla_clocks(self.case, self.now)
        for c in clocks:
            key = (c.metric, c.cycle)
            assert c.target is not None
            assert c.remaining is not None
            assert c.used + c.remaining == c.target
            end = c.completed_at or self.now
            if c.business_time:
                expected = MACHINE_CAL.business_time_between(c.started_at, end)
            else:
                expected = end - c.started_at
            assert c.used + c.paused == expected
            assert c.used >= timedelta(0)
            assert c.paused >= timedelta(0)
            if key in self.breaches:
                assert c.breached_at == self.breaches[key]
            elif c.breached_at is not None:
                self.breaches[key] = c.breached_at
                assert c.breached_at <= self.now
            assert c.due_at is not None
            # Only a change of target (a new priority) may bring a due time forward.
            if key in self.dues and self.dues[key][1] == c.priority:
                assert c.due_at >= self.dues[key][0], "a due time moved earlier"
            self.dues[key] = (c.due_at, c.priority)
            if c.violated:
                assert c.breached_at is not None
                assert c.breached_at >= c.started_at
            # The state at an instant includes every event at that instant.
            if c.is_open:
                status = self.case.status
                waiting = status in MACHINE_POLICY.pauses.get(c.metric, ()) or status == "solved"
                assert c.is_paused is waiting, (c.metric, status, c.pauses)
        # The past does not change: clocks evaluated at an earlier instant on
        # the newer history equal those computed then (unless a later event
        # carries that very instant).
        history = self.case.history
        for at, old_case, old_clocks in self.snapshots[-3:]:
            n = len(old_case.history)
            assert old_case.history == history[:n]
            if n == len(history) or history[n].at > at:
                assert sla_clocks(self.case, at) == old_clocks
        self.snapshots.append((self.now, self.case, clocks))


TestCaseLifecycle = CaseLifecycle.TestCase
TestCaseLifecycle.settings = settings(max_examples=60, stateful_step_count=25, deadline=None)
