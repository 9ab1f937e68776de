"""Cadences, enrollments, cold-call outcomes and call lists."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from salescore.calendar import BusinessCalendar
from salescore.domain.conversion import convert_lead
from salescore.domain.events import StageChanged
from salescore.domain.interactions import Interaction
from salescore.domain.leads import Lead
from salescore.domain.parties import PartyRef
from salescore.domain.tasks import Task, TaskKind
from salescore.errors import TransitionError, ValidationError
from salescore.ids import DeterministicIds
from salescore.outreach import (
    ENROLLMENT_STATUS,
    Cadence,
    CadenceStep,
    ConsentRecord,
    ConsentStatus,
    Enrollment,
    EnrollmentStatus,
    ExitReason,
    RegistryCheck,
    StepCompleted,
    StepKind,
    call_list,
    can_contact,
    next_step,
    record_call,
)
from salescore.serialization import from_json, to_json
from salescore.testing.strategies import (
    consent_records,
    contact_policies,
    do_not_contact_lists,
    enrollments,
    registry_checks,
)

BERLIN = ZoneInfo("Europe/Berlin")
T0 = datetime(2026, 3, 2, 9, tzinfo=BERLIN)  # Monday 09:00 Berlin
CAL = BusinessCalendar.weekdays(time(9), time(17), tz="Europe/Berlin")
CADENCE = Cadence(
    id="cadence-1",
    name="Outbound",
    calendar=CAL,
    steps=(
        CadenceStep(kind=StepKind.CALL),
        CadenceStep(kind=StepKind.EMAIL, business_days=1, window=(time(10), time(12))),
        CadenceStep(kind=StepKind.CALL, business_days=2, business_hours=3),
    ),
)
ANA = Lead.new(
    id="lead-1",
    at=T0 - timedelta(days=3),
    actor="t",
    first_name="Ana",
    phone="+4930901820",
    email="ana@acme.io",
)
REGISTRY = {
    "+4930901820": RegistryCheck(
        phone="+4930901820", checked_at=T0 - timedelta(days=1), listed=False
    )
}


def enrol(at: datetime = T0, cadence: Cadence = CADENCE) -> Enrollment:
    return Enrollment.new(
        id="enr-1", at=at, actor="rep-1", cadence=cadence, party=ANA.ref, owner_id="rep-1"
    )


def consent() -> ConsentRecord:
    return ConsentRecord.new(id="c-1", at=T0 - timedelta(days=1), actor="t", party=ANA.ref)


def call(disposition: str, at: datetime = T0, id: str = "call-1") -> Interaction:
    return Interaction.call(
        id=id, at=at, actor="rep-1", disposition=disposition, party=ANA.ref, rep_id="rep-1"
    )


def test_cadence_refuses_bad_steps() -> None:
    with pytest.raises(ValidationError) as info:
        CadenceStep(kind="call", business_days=-1, window=(time(12), time(10)))
    assert [e.path for e in info.value.errors] == ["business_days", "window"]
    with pytest.raises(ValidationError, match="at least one step"):
        Cadence(id="c", name="n", calendar=CAL, steps=())
    with pytest.raises(ValidationError) as info:
        CadenceStep(kind="carrier_pigeon")
    assert [e.path for e in info.value.errors] == ["kind"]
    assert (
        Cadence(id="c", name="n", calendar=CAL, steps=CADENCE.steps, purpose="marketing").purpose
        == "marketing"
    )


def test_due_times_in_business_days_hours_and_windows() -> None:
    friday = datetime(2026, 3, 6, 16, tzinfo=BERLIN)
    assert CADENCE.due_after(0, friday) == friday
    # One business day after Friday 16:00 is Monday 16:00, then into the 10–12 window: Tuesday.
    assert CADENCE.due_after(1, friday) == datetime(2026, 3, 10, 10, tzinfo=BERLIN)
    # Two business days (Tuesday 16:00) and three business hours (Wednesday 11:00).
    assert CADENCE.due_after(2, friday) == datetime(2026, 3, 11, 11, tzinfo=BERLIN)
    # A window in the person's zone: Monday 10:00 in Berlin is 05:00 in New York, so the
    # step waits until 10:00 there (15:00 in Berlin; New York is on summer time already).
    assert CADENCE.due_after(1, friday - timedelta(hours=6), "America/New_York") == datetime(
        2026, 3, 9, 15, tzinfo=BERLIN
    )


def test_enrollment_walks_the_steps_and_completes() -> None:
    e = enrol()
    assert (e.version, e.status, e.current_step) == (2, "active", 0)
    assert next_step(e, CADENCE, at=T0).is_due is True
    e = e.complete_step(CADENCE, at=T0, actor="rep-1", outcome="no_answer", interaction_id="c1")
    nxt = next_step(e, CADENCE, at=T0)
    assert (nxt.index, nxt.step.kind, nxt.is_due) == (1, StepKind.EMAIL, False)  # type: ignore[union-attr]
    assert nxt.due_at == datetime(2026, 3, 3, 10, tzinfo=BERLIN)
    e = e.complete_step(CADENCE, at=T0 + timedelta(days=1, hours=1), actor="rep-1", outcome="sent")
    e = e.complete_step(CADENCE, at=T0 + timedelta(days=4), actor="rep-1", outcome="connected")
    assert e.status == EnrollmentStatus.COMPLETED
    assert e.version == 6
    assert isinstance(e.history[-1], StageChanged)
    assert e.history[-1].reason == "every step done"
    assert next_step(e, CADENCE, at=T0 + timedelta(days=5)).index is None
    assert Enrollment.from_events(e.history) == e
    assert from_json(Enrollment, to_json(e)) == e
    with pytest.raises(ValidationError, match="only an active enrollment"):
        e.exit("manual", at=T0 + timedelta(days=5), actor="rep-1")


def test_interactions_end_a_cadence() -> None:
    e = enrol()
    reply = Interaction.email(
        id="m1",
        at=T0 + timedelta(hours=2),
        actor="esp",
        kind="replied",
        message_id="x",
        party=ANA.ref,
    )
    nxt = next_step(e, CADENCE, [reply], at=T0 + timedelta(hours=3))
    assert nxt.exit_reason is ExitReason.REPLIED
    # Not yet at an earlier instant, and not for someone else.
    assert next_step(e, CADENCE, [reply], at=T0 + timedelta(hours=1)).exit_reason is None
    other = Interaction.email(
        id="m2",
        at=T0 + timedelta(hours=2),
        actor="esp",
        kind="bounced",
        message_id="y",
        party=PartyRef.lead("lead-2"),
    )
    assert next_step(e, CADENCE, [other], at=T0 + timedelta(hours=3)).exit_reason is None
    done = e.exit(nxt.exit_reason, at=T0 + timedelta(hours=3), actor="rep-1")  # type: ignore[arg-type]
    assert (done.status, done.exit_reason, done.succeeded) == ("exited", "replied", True)


def test_a_converted_lead_ends_the_cadence() -> None:
    e = enrol()
    qualified = ANA.move_to("qualified", at=T0, actor="rep-1")
    conversion = convert_lead(
        qualified,
        at=T0 + timedelta(hours=1),
        actor="rep-1",
        ids=DeterministicIds(namespace="t", seed=1),
        opportunity=False,
    )
    converted = conversion.lead
    assert next_step(e, CADENCE, at=T0 + timedelta(hours=2), party=converted).exit_reason is (
        ExitReason.CONVERTED
    )
    assert next_step(e, CADENCE, at=T0 + timedelta(hours=2), party=ANA).exit_reason is None


def test_task_step_holds_until_the_task_is_done() -> None:
    cad = Cadence(
        id="cadence-2",
        name="Task first",
        calendar=CAL,
        steps=(CadenceStep(kind=StepKind.TASK), CadenceStep(kind=StepKind.CALL, business_hours=1)),
    )
    e = enrol(cadence=cad)
    task = Task.new(
        id="task-1",
        at=T0,
        actor="rep-1",
        subject=ANA.ref,
        title="Research",
        due_at=T0 + timedelta(days=1),
    )
    e = e.complete_step(cad, at=T0, actor="rep-1", outcome="task_created", hold_on=task.id)
    assert e.held_by == "task-1"
    later = T0 + timedelta(days=3)
    held = next_step(e, cad, at=later, tasks={task.id: task})
    assert (held.held_by, held.is_due, held.step) == ("task-1", False, None)
    assert next_step(e, cad, at=later).held_by == "task-1"  # an unknown task holds too
    done = task.complete(at=T0 + timedelta(days=2), actor="rep-1")
    nxt = next_step(e, cad, at=later, tasks={task.id: done})
    assert nxt.due_at == T0 + timedelta(days=2, hours=1)
    assert nxt.is_due is True


@pytest.mark.parametrize(
    ("disposition", "status", "reason"),
    [
        ("no_answer", "active", None),
        ("voicemail_left", "active", None),
        ("connected", "active", None),
        ("meeting_booked", "exited", "meeting_booked"),
        ("not_interested", "exited", "not_interested"),
        ("do_not_call", "exited", "do_not_call"),
        ("wrong_number", "exited", "bounced"),
    ],
)
def test_call_outcomes_drive_the_enrollment(disposition: str, status: str, reason: str) -> None:
    ids = DeterministicIds(namespace="t", seed=1)
    out = record_call(enrol(), CADENCE, call(disposition), party=ANA, consent=consent(), ids=ids)
    assert (out.enrollment.status, out.enrollment.exit_reason) == (status, reason)
    assert out.task is None
    if status == "active":
        assert out.enrollment.current_step == 1
        assert isinstance(out.enrollment.history[-1], StepCompleted)
    phone_sales = out.consent.status("phone", "sales")
    withdrawn = disposition in ("not_interested", "do_not_call")
    assert (phone_sales is ConsentStatus.WITHDRAWN) is withdrawn
    assert (out.lists.phones == {"+4930901820"}) is (disposition == "do_not_call")
    assert out.enrollment.succeeded is (disposition == "meeting_booked")


def test_callback_makes_a_task_at_the_asked_local_time_and_holds() -> None:
    ids = DeterministicIds(namespace="t", seed=1)
    ny = Lead.new(
        id="lead-1", at=T0 - timedelta(days=3), actor="t", first_name="Ana", phone="+12125550147"
    )
    reg = {ny.phone: RegistryCheck(phone=ny.phone, checked_at=T0, listed=False)}  # type: ignore[dict-item]
    out = record_call(
        enrol(),
        CADENCE,
        call("callback_requested"),
        party=ny,
        consent=consent(),
        ids=ids,
        callback_at=datetime(2026, 3, 3, 11),  # 11:00 in New York
        registry=reg,
    )
    assert out.task is not None
    assert out.task.kind is TaskKind.CALLBACK
    assert out.task.due_at == datetime(2026, 3, 3, 16, tzinfo=UTC)
    assert out.decision is not None
    assert out.decision.allowed is True
    assert out.enrollment.held_by == out.task.id
    # At 23:00 their time it is not allowed: no task, and the refusal is returned.
    refused = record_call(
        enrol(),
        CADENCE,
        call("callback_requested"),
        party=ny,
        consent=consent(),
        ids=ids,
        callback_at=datetime(2026, 3, 3, 23),
        registry=reg,
    )
    assert refused.task is None
    assert refused.decision is not None
    assert refused.decision.allowed is False
    with pytest.raises(ValidationError, match="callback needs a time"):
        record_call(
            enrol(), CADENCE, call("callback_requested"), party=ny, consent=consent(), ids=ids
        )


def test_record_call_refuses_someone_elses_call() -> None:
    other = Interaction.call(
        id="x", at=T0, actor="r", disposition="no_answer", party=PartyRef.lead("lead-9")
    )
    with pytest.raises(ValidationError, match="enrollment's person"):
        record_call(
            enrol(),
            CADENCE,
            other,
            party=ANA,
            consent=consent(),
            ids=DeterministicIds(namespace="t", seed=1),
        )


def test_call_list_orders_callbacks_then_priority_and_skips_refusals() -> None:
    people = {
        "lead-1": ("+4930901820", 10.0),
        "lead-2": ("+12125550147", 50.0),
        "lead-3": ("+442079460958", 30.0),
        "lead-4": ("+33142685300", 90.0),
    }
    leads = {
        (
            lead := Lead.new(
                id=i, at=T0 - timedelta(days=5), actor="t", first_name=i, phone=p, score=s
            )
        ).ref: lead
        for i, (p, s) in people.items()
    }
    registry = {
        p: RegistryCheck(phone=p, checked_at=T0, listed=(i == "lead-4"))
        for i, (p, _) in people.items()
    }
    enrs = [
        Enrollment.new(
            id=f"e-{ref.id}", at=T0, actor="t", cadence=CADENCE, party=ref, owner_id="rep-1"
        )
        for ref in leads
    ]
    ask = call("callback_requested", at=T0 - timedelta(days=1), id="c0")
    cb = Task.callback(ask, id="task-1", due_at=datetime(2026, 3, 2, 15, tzinfo=BERLIN))
    result = call_list(
        "rep-1",
        date(2026, 3, 2),
        tz="Europe/Berlin",
        enrollments=enrs,
        cadences={CADENCE.id: CADENCE},
        parties=leads,
        tasks=[cb],
        registry=registry,
    )
    got = [
        (e.party.id, e.at.astimezone(BERLIN).strftime("%H:%M"), e.task_id) for e in result.entries
    ]
    assert got == [
        ("lead-1", "15:00", "task-1"),
        ("lead-2", "14:00", None),  # 08:00 in New York
        ("lead-3", "09:00", None),
        ("lead-1", "09:00", None),
    ]
    assert [(s.party.id, s.decision.refusals) for s in result.skipped] == [
        ("lead-4", ("+33142685300 is listed in the national do-not-call registry",))
    ]
    assert all(e.decision.allowed for e in result.entries)
    # A morning shift in Berlin: New York is still asleep, the callback is due later.
    morning = call_list(
        "rep-1",
        date(2026, 3, 2),
        tz="Europe/Berlin",
        hours=(time(9), time(12)),
        enrollments=enrs,
        cadences={CADENCE.id: CADENCE},
        parties=leads,
        tasks=[cb],
        registry=registry,
    )
    assert [(e.party.id, e.at.astimezone(BERLIN).strftime("%H:%M")) for e in morning.entries] == [
        ("lead-3", "09:00"),
        ("lead-1", "09:00"),
    ]
    assert [s.party.id for s in morning.skipped] == ["lead-2", "lead-4"]
    with pytest.raises(ValidationError):
        call_list(
            "rep-1",
            date(2026, 3, 2),
            tz="Europe/Berlin",
            hours=(time(12), time(9)),
            enrollments=[],
            cadences={},
            parties={},
        )


@settings(max_examples=60)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(
                ["+493012345678", "+442079460958", "+12125550147", "+14155552671", "+81312345678"]
            ),
            st.sampled_from([None, "Asia/Tokyo", "America/Los_Angeles", "Europe/Berlin"]),
            st.data(),
        ),
        min_size=1,
        max_size=5,
    ),
    do_not_contact_lists(),
    contact_policies(),
    st.dates(min_value=date(2026, 1, 5), max_value=date(2026, 2, 27)),
    st.sampled_from(["Europe/Berlin", "America/New_York", "Asia/Tokyo"]),
)
def test_nobody_without_a_yes_is_ever_scheduled(people, lists, policy, day, rep_zone) -> None:  # type: ignore[no-untyped-def]
    t0 = datetime(2025, 12, 1, tzinfo=UTC)
    parties: dict[PartyRef, Lead] = {}
    consents: dict[PartyRef, ConsentRecord] = {}
    registry: dict[str, RegistryCheck] = {}
    enrs: list[Enrollment] = []
    for n, (phone, zone, data) in enumerate(people):
        lead = Lead.new(id=f"lead-{n}", at=t0, actor="t", phone=phone, time_zone=zone)
        parties[lead.ref] = lead
        consents[lead.ref] = data.draw(consent_records(lead.ref, at=t0))
        registry[phone] = data.draw(registry_checks(phone))
        enrs.append(
            Enrollment.new(
                id=f"e-{n}", at=t0, actor="t", cadence=CADENCE, party=lead.ref, owner_id="rep-1"
            )
        )
    result = call_list(
        "rep-1",
        day,
        tz=rep_zone,
        enrollments=enrs,
        cadences={CADENCE.id: CADENCE},
        parties=parties,
        consents=consents,
        lists=lists,
        registry=registry,
        policy=policy,
    )
    for entry in result.entries:
        again = can_contact(
            parties[entry.party],
            "phone",
            at=entry.at,
            purpose=CADENCE.purpose,
            consent=consents[entry.party],
            lists=lists,
            registry=registry,
            policy=policy,
        )
        assert again.allowed is True
        assert entry.decision == again
    scheduled = {e.party for e in result.entries}
    assert scheduled.isdisjoint({s.party for s in result.skipped})


@given(enrollments())
def test_generated_enrollments_replay(e: Enrollment) -> None:
    assert Enrollment.from_events(e.history) == e
    assert e.version == len(e.history)


class EnrollmentMachine(RuleBasedStateMachine):
    """An enrollment under random steps, holds and exits keeps its invariants."""

    def __init__(self) -> None:
        super().__init__()
        self.e = enrol()
        self.at = T0
        self.done = 0

    @precondition(lambda self: self.e.is_active)
    @rule(hours=st.integers(0, 30), hold=st.booleans())
    def complete(self, hours: int, hold: bool) -> None:
        self.at += timedelta(hours=hours)
        self.e = self.e.complete_step(
            CADENCE, at=self.at, actor="r", outcome="done", hold_on="task-x" if hold else None
        )
        self.done += 1

    @precondition(lambda self: self.e.is_active)
    @rule(reason=st.sampled_from(list(ExitReason)))
    def exit(self, reason: ExitReason) -> None:
        self.e = self.e.exit(reason, at=self.at, actor="r")

    @precondition(lambda self: not self.e.is_active)
    @rule()
    def refused_when_over(self) -> None:
        before = self.e
        with pytest.raises(ValidationError):
            self.e.complete_step(CADENCE, at=self.at, actor="r", outcome="x")
        with pytest.raises((ValidationError, TransitionError)):
            self.e.exit("manual", at=self.at, actor="r")
        assert self.e == before

    @invariant()
    def consistent(self) -> None:
        e = self.e
        assert e.version == len(e.history)
        assert Enrollment.from_events(e.history) == e
        assert e.current_step == self.done
        assert (e.status == "completed") is (self.done == len(CADENCE.steps))
        assert (e.exit_reason is not None) is (e.status == "exited")


TestEnrollmentMachine = EnrollmentMachine.TestCase


def test_an_enrollment_is_changed_only_by_its_transitions() -> None:
    e = enrol()
    with pytest.raises(ValidationError) as info:
        e.update(at=T0, actor="t", status="completed", owner_id="bob", colour="red")
    assert sorted((x.path, x.message) for x in info.value.errors) == [
        ("colour", "is not a field of Enrollment"),
        ("owner_id", "is fixed when the person is enrolled"),
        ("status", "moves through the enrollment status funnel (complete_step(), exit())"),
    ]
    with pytest.raises(ValidationError) as info:
        Enrollment.new(id="e-2", at=T0, actor="t", cadence=CADENCE, party="lead-1", owner_id=" ")
    assert sorted(x.path for x in info.value.errors) == ["owner_id", "party"]
    with pytest.raises(ValidationError, match="history starts with EnrollmentCreated"):
        Enrollment.from_events(e.history[1:])
    assert e.funnel("enrollment_status") is ENROLLMENT_STATUS
    with pytest.raises(
        ValidationError,
        match=r"not a funnel Enrollment moves in \(its funnels: enrollment_status\)",
    ):
        e.funnel("lead_status")
