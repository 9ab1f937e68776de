"""Cadences (sequences): ordered outreach steps, and the enrollments that walk them.

A :class:`Cadence` is a plan: steps (call, e-mail, task, social touch, wait),
each due a number of business days and hours after the previous one on a
:class:`~salescore.calendar.BusinessCalendar`, optionally only inside a local
send window in the person's zone. An :class:`Enrollment` (an aggregate, one
per person and cadence) records the steps done and how it ended.

Nothing is sent here. :func:`next_step` computes what is due from the
enrollment, the person's interactions and an instant; :func:`record_call`
lets a cold call's outcome drive the enrollment: no answer or a voicemail
moves on, a callback request makes a follow-up task at the asked time (in the
person's zone) that holds the cadence until it is done, a booked meeting exits
with success, and "not interested" or "do not call" exit and update consent.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from datetime import date, datetime, time, timedelta
from typing import Any, ClassVar, Final
from zoneinfo import ZoneInfo

import attrs

from salescore._validation import Checker, fail
from salescore.calendar import BusinessCalendar
from salescore.domain import normalisers as fld
from salescore.domain._fields import checked_opt_text, checked_text
from salescore.domain.aggregate import Aggregate, Fields, FieldSpec
from salescore.domain.events import Event, StageChanged
from salescore.domain.interactions import (
    CallDisposition,
    CallOutcome,
    Channel,
    EmailEventKind,
    Interaction,
)
from salescore.domain.leads import Lead
from salescore.domain.parties import Contact, PartyRef
from salescore.domain.stages import Funnel, Stage, StageKind, TransitionPolicy
from salescore.domain.tasks import Task, TaskStatus
from salescore.ids import IdFactory
from salescore.outreach.consent import (
    ConsentRecord,
    ContactPolicy,
    Decision,
    DoNotContactList,
    Purpose,
    RegistryCheck,
    apply_interaction,
    can_contact,
    person_zone,
)
from salescore.serialization import register_type

__all__ = [
    "ENROLLMENT_STATUS",
    "STEP_CHANNELS",
    "SUCCESSFUL_EXITS",
    "Cadence",
    "CadenceStep",
    "CallResult",
    "Enrollment",
    "EnrollmentCreated",
    "EnrollmentRepointed",
    "EnrollmentStatus",
    "ExitReason",
    "NextStep",
    "StepCompleted",
    "StepHeld",
    "StepKind",
    "next_step",
    "record_call",
]


class StepKind(enum.StrEnum):
    """What a cadence step does."""

    CALL = "call"
    EMAIL = "email"
    TASK = "task"
    SOCIAL = "social"
    WAIT = "wait"


#: The channel each touching step uses.
STEP_CHANNELS: Final = {
    StepKind.CALL: Channel.PHONE,
    StepKind.EMAIL: Channel.EMAIL,
    StepKind.SOCIAL: Channel.SOCIAL,
}


@register_type
@attrs.frozen(kw_only=True)
class CadenceStep:
    """One step of a cadence.

    Attributes:
        kind: Call, e-mail, task, social touch or wait.
        business_days: Business days after the previous step (or the
            enrollment) before it is due.
        business_hours: Business hours added after the days.
        window: Local ``(start, end)`` times in the person's zone the step
            may be done in, if any (a send window).
        title: What to do, for people.

    Raises:
        ValidationError: negative delays or an inverted window.
    """

    kind: StepKind
    business_days: int = 0
    business_hours: int = 0
    window: tuple[time, time] | None = None
    title: str | None = None

    def __attrs_post_init__(self) -> None:
        with Checker("CadenceStep") as c:
            object.__setattr__(self, "kind", c.member(StepKind, self.kind, "kind", self.kind))
            for name in ("business_days", "business_hours"):
                v = getattr(self, name)
                c.check(type(v) is int and v >= 0, name, v, "must be a non-negative whole number")
            w = self.window
            if w is not None:
                c.check(
                    isinstance(w, tuple)
                    and len(w) == 2
                    and all(isinstance(t, time) and t.tzinfo is None for t in w)
                    and w[0] < w[1],
                    "window",
                    w,
                    "must be a (start, end) pair of local times, start before end",
                )
            c.text(self.title, "title", optional=True)


@register_type
@attrs.frozen(kw_only=True)
class Cadence:
    """An ordered outreach plan.

    Attributes:
        id: The cadence's id.
        name: Its name.
        steps: The steps, in order (at least one).
        calendar: The business calendar delays are counted on.
        purpose: Why its touches happen (checked by :func:`can_contact`).

    Raises:
        ValidationError: no steps, or bad values.
    """

    id: str
    name: str
    steps: tuple[CadenceStep, ...] = attrs.field(converter=tuple)
    calendar: BusinessCalendar
    purpose: Purpose = Purpose.SALES

    def __attrs_post_init__(self) -> None:
        with Checker("Cadence") as c:
            c.text(self.id, "id")
            c.text(self.name, "name")
            c.check(len(self.steps) > 0, "steps", self.steps, "a cadence needs at least one step")
            for i, s in enumerate(self.steps):
                c.instance(s, CadenceStep, f"steps[{i}]")
            c.instance(self.calendar, BusinessCalendar, "calendar")
            object.__setattr__(
                self, "purpose", c.member(Purpose, self.purpose, "purpose", self.purpose)
            )

    def due_after(self, index: int, base: datetime, zone: str | None = None) -> datetime:
        """When step ``index`` is due if the previous one was done at ``base``.

        Business days move to the next working day of the calendar (keeping
        the local time of day), then business hours are added on the
        calendar; the result is moved into the step's send window in
        ``zone`` (the calendar's zone when ``None``).

        Raises:
            ValidationError: ``index`` is not a step.
        """
        if not 0 <= index < len(self.steps):
            fail("index", index, f"is not a step of cadence {self.id}")
        step = self.steps[index]
        cal = self.calendar
        at = base
        if step.business_days:
            local = base.astimezone(cal.zone)
            day = local.date()
            for _ in range(step.business_days):
                day = _next_working_day(cal, day)
            at = datetime.combine(day, local.time(), tzinfo=cal.zone)
            if not cal.is_open(at):
                at = cal.next_opening(at)
        if step.business_hours:
            at = cal.add_business_time(at, timedelta(hours=step.business_hours))
        if step.window is not None:
            at = _into_window(at, step.window, ZoneInfo(zone) if zone else cal.zone)
        return at


def _next_working_day(cal: BusinessCalendar, day: date) -> date:
    for _ in range(366):
        day += timedelta(days=1)
        if cal.hours_on(day):
            return day
    fail("calendar", cal.tz, "has no working day within a year")


def _into_window(at: datetime, window: tuple[time, time], zone: ZoneInfo) -> datetime:
    local = at.astimezone(zone)
    start, end = window
    t = local.time().replace(tzinfo=None)
    if start <= t < end:
        return at
    day = local.date() if t < start else local.date() + timedelta(days=1)
    return datetime.combine(day, start, tzinfo=zone).astimezone(at.tzinfo)


class EnrollmentStatus(enum.StrEnum):
    """Where an enrollment is (the stages of :data:`ENROLLMENT_STATUS`)."""

    ACTIVE = "active"
    COMPLETED = "completed"
    EXITED = "exited"


#: An enrollment's status: active → completed (every step done) or exited.
ENROLLMENT_STATUS: Final = Funnel(
    key="enrollment_status",
    label="Enrollment status",
    stages=(
        Stage(key="active"),
        Stage(key="completed", kind=StageKind.WON),
        Stage(key="exited", kind=StageKind.LOST),
    ),
    policy=TransitionPolicy.explicit({"active": {"completed", "exited"}}),
)


class ExitReason(enum.StrEnum):
    """Why an enrollment ended early."""

    REPLIED = "replied"
    MEETING_BOOKED = "meeting_booked"
    BOUNCED = "bounced"
    OPTED_OUT = "opted_out"
    CONVERTED = "converted"
    NOT_INTERESTED = "not_interested"
    DO_NOT_CALL = "do_not_call"
    MANUAL = "manual"


#: The exits that count as success.
SUCCESSFUL_EXITS: Final = frozenset(
    {ExitReason.REPLIED, ExitReason.MEETING_BOOKED, ExitReason.CONVERTED}
)


@register_type
@attrs.frozen(kw_only=True)
class EnrollmentCreated(Event):
    """A person was enrolled in a cadence.

    Attributes:
        cadence_id: The cadence.
        party: The lead or contact.
        owner_id: The rep who works it.
    """

    cadence_id: str
    party: PartyRef
    owner_id: str


@register_type
@attrs.frozen(kw_only=True)
class StepCompleted(Event):
    """A step of the cadence was done.

    Attributes:
        step: Its index.
        outcome: What came of it (a call's disposition, ``"sent"``, ``"waited"``…).
        interaction_id: The interaction that did it, if any.
    """

    step: int
    outcome: str
    interaction_id: str | None = None

    def _check(self) -> None:
        with Checker("StepCompleted") as c:
            c.check(type(self.step) is int and self.step >= 0, "step", self.step, "must be >= 0")
            c.text(self.outcome, "outcome")
            c.text(self.interaction_id, "interaction_id", optional=True)


@register_type
@attrs.frozen(kw_only=True)
class StepHeld(Event):
    """The cadence waits until a task is done (a task step, or a callback).

    Attributes:
        task_id: The task.
    """

    task_id: str


@register_type
@attrs.frozen(kw_only=True)
class EnrollmentRepointed(Event):
    """The enrollment moved to another person record (a merge, or its undoing).

    Attributes:
        from_party: The record it was for.
        to_party: The record it is for now.
    """

    from_party: PartyRef
    to_party: PartyRef


_ENROLLED: Final = "is fixed when the person is enrolled"
_MOVES: Final = "moves through the enrollment status funnel (complete_step(), exit())"
_STEPS: Final = "changes as the steps are done (complete_step())"


@register_type
@attrs.frozen(kw_only=True)
class Enrollment(Aggregate):
    """A person's walk through a cadence.

    Attributes:
        cadence_id: The cadence.
        party: The lead or contact.
        owner_id: The rep who works it.
        status: Active, completed or exited (:data:`ENROLLMENT_STATUS`).
        current_step: The index of the next step to do.
        last_done_at: When the latest step was done.
        held_by: The task the cadence waits on, if any.
        exit_reason: Why it exited, if it did.
    """

    stage_fields: ClassVar[Mapping[str, str]] = {"enrollment_status": "status"}
    stage_funnels: ClassVar[Mapping[str, Funnel]] = {"enrollment_status": ENROLLMENT_STATUS}
    field_table: ClassVar[Fields] = Fields(
        {
            "cadence_id": FieldSpec(checked_text, refused=_ENROLLED),
            "party": FieldSpec(fld.instance(PartyRef), refused="changes with repoint()"),
            "owner_id": FieldSpec(checked_text, refused=_ENROLLED),
            "status": FieldSpec(checked_text, refused=_MOVES, initial=False),
            "current_step": FieldSpec(fld.opt_count, refused=_STEPS, initial=False),
            "last_done_at": FieldSpec(fld.opt_aware, refused=_STEPS, initial=False),
            "held_by": FieldSpec(checked_opt_text, refused=_STEPS, initial=False),
            "exit_reason": FieldSpec(checked_opt_text, refused=_MOVES, initial=False),
        },
        created=EnrollmentCreated,
    )

    cadence_id: str
    party: PartyRef
    owner_id: str
    status: str = EnrollmentStatus.ACTIVE.value
    current_step: int = 0
    last_done_at: datetime | None = None
    held_by: str | None = None
    exit_reason: str | None = None

    @classmethod
    def new(
        cls,
        *,
        id: str,
        at: datetime,
        actor: str,
        cadence: Cadence,
        party: PartyRef,
        owner_id: str,
    ) -> Enrollment:
        """Enroll a person in a cadence.

        Returns:
            The enrollment, version 2 (created, then entered ``active``).

        Raises:
            ValidationError: bad values.
        """
        if not isinstance(cadence, Cadence):
            fail("cadence", cadence, "must be a Cadence")
        return cls._create(
            {"cadence_id": cadence.id, "party": party, "owner_id": owner_id},
            id=id,
            at=at,
            actor=actor,
            entries=[(ENROLLMENT_STATUS, EnrollmentStatus.ACTIVE.value)],
        )

    def _apply(self, event: Event) -> dict[str, Any]:
        if type(event) is StepCompleted:
            return {"current_step": event.step + 1, "last_done_at": event.at, "held_by": None}
        if type(event) is StepHeld:
            return {"held_by": event.task_id}
        if type(event) is EnrollmentRepointed:
            return {"party": event.to_party}
        if type(event) is StageChanged and event.funnel == "enrollment_status":
            exited = event.to_stage == EnrollmentStatus.EXITED
            return {"status": event.to_stage, "exit_reason": event.reason if exited else None}
        return super()._apply(event)

    @property
    def is_active(self) -> bool:
        """Whether the enrollment still runs."""
        return self.status == EnrollmentStatus.ACTIVE

    @property
    def succeeded(self) -> bool:
        """Whether it ended with a reply, a booked meeting or a conversion."""
        return self.exit_reason in SUCCESSFUL_EXITS

    def _active(self, what: str) -> None:
        if not self.is_active:
            fail("status", self.status, f"only an active enrollment can {what}")

    def complete_step(
        self,
        cadence: Cadence,
        *,
        at: datetime,
        actor: str,
        outcome: str,
        interaction_id: str | None = None,
        hold_on: str | None = None,
    ) -> Enrollment:
        """Record the current step as done; the last step completes the enrollment.

        Args:
            cadence: The enrollment's cadence.
            at: When it was done.
            actor: Who did it.
            outcome: What came of it.
            interaction_id: The interaction that did it.
            hold_on: A task the cadence then waits on (a task step's task,
                or a callback).

        Returns:
            The enrollment with a :class:`StepCompleted` more (then a
            :class:`StepHeld`, and after the last step the move to ``completed``).

        Raises:
            ValidationError: the enrollment is not active, or the cadence is another.
        """
        self._active("complete a step")
        if cadence.id != self.cadence_id:
            fail("cadence", cadence.id, f"is not this enrollment's cadence ({self.cadence_id})")
        done = self._event(
            StepCompleted,
            at=at,
            actor=actor,
            step=self.current_step,
            outcome=outcome,
            interaction_id=interaction_id,
        )
        after: list[Event] = []
        if hold_on is not None:
            after.append(self._event(StepHeld, at=at, actor=actor, task_id=hold_on))
        if self.current_step + 1 >= len(cadence.steps):
            return self._move(
                "enrollment_status",
                EnrollmentStatus.COMPLETED.value,
                at=at,
                actor=actor,
                reason="every step done",
                before=(done, *after),
            )
        return self._record(done, *after)

    def exit(self, reason: ExitReason | str, *, at: datetime, actor: str) -> Enrollment:
        """End the enrollment early, with its reason.

        Returns:
            The enrollment moved to ``exited`` (a :class:`StageChanged` whose
            reason is the :class:`ExitReason`'s value).

        Raises:
            ValidationError: not active, or an unknown reason.
        """
        self._active("exit")
        with Checker("Enrollment") as c:
            r = c.member(ExitReason, reason, "reason", default=reason)
        return self._move(
            "enrollment_status", EnrollmentStatus.EXITED.value, at=at, actor=actor, reason=r.value
        )

    def repoint(self, to: PartyRef, *, at: datetime, actor: str) -> Enrollment:
        """Move the enrollment to another person record (merges use this).

        Raises:
            ValidationError: ``to`` is not a PartyRef or is the current one.
        """
        if not isinstance(to, PartyRef) or to == self.party:
            fail("to", to, "must be a PartyRef other than the current party")
        return self._emit(
            EnrollmentRepointed, at=at, actor=actor, from_party=self.party, to_party=to
        )


@attrs.frozen(kw_only=True)
class NextStep:
    """What is next for an enrollment at an instant.

    Attributes:
        enrollment_id: The enrollment.
        index: The step's index, ``None`` when nothing is next.
        step: The step, ``None`` when nothing is next.
        due_at: When it is due, if known.
        is_due: Whether it is due at the instant asked about.
        held_by: The open task the cadence waits on, if any.
        exit_reason: Why the enrollment should exit (or did), if so.
    """

    enrollment_id: str
    index: int | None = None
    step: CadenceStep | None = None
    due_at: datetime | None = None
    is_due: bool = False
    held_by: str | None = None
    exit_reason: ExitReason | None = None


_EMAIL_EXITS: Final = {
    EmailEventKind.REPLIED.value: ExitReason.REPLIED,
    EmailEventKind.BOUNCED.value: ExitReason.BOUNCED,
    EmailEventKind.UNSUBSCRIBED.value: ExitReason.OPTED_OUT,
}
_CALL_EXITS: Final = {
    CallDisposition.MEETING_BOOKED.value: ExitReason.MEETING_BOOKED,
    CallDisposition.NOT_INTERESTED.value: ExitReason.NOT_INTERESTED,
    CallDisposition.DO_NOT_CALL.value: ExitReason.DO_NOT_CALL,
    CallDisposition.WRONG_NUMBER.value: ExitReason.BOUNCED,
}


def _exit_from(interaction: Interaction) -> ExitReason | None:
    ch = interaction.channel
    if ch == Channel.EMAIL:
        return _EMAIL_EXITS.get(interaction.kind)
    if ch == Channel.PHONE:
        return _CALL_EXITS.get(interaction.kind)
    if ch in (Channel.MEETING, Channel.VIDEO):
        return ExitReason.MEETING_BOOKED
    return None


def next_step(
    enrollment: Enrollment,
    cadence: Cadence,
    interactions: Iterable[Interaction] = (),
    *,
    at: datetime,
    tasks: Mapping[str, Task] | None = None,
    zone: str | None = None,
    party: Lead | Contact | None = None,
) -> NextStep:
    """Compute what is next for an enrollment at ``at`` (nothing is sent or recorded).

    An interaction with the person since the enrollment began that ends it
    (a reply, a bounce, an unsubscribe, a booked meeting, "not interested",
    "do not call", a wrong number), or the person's lead having been
    converted, is reported as ``exit_reason``; the caller records the exit
    with :meth:`Enrollment.exit`. A task the cadence waits
    on that is still open (or unknown) holds it. Otherwise the current step is
    due :meth:`Cadence.due_after` the last step (or the enrollment, or the
    held task's completion).

    Args:
        enrollment: The enrollment.
        cadence: Its cadence.
        interactions: The person's interactions (others are ignored).
        at: The instant.
        tasks: Task id → task, to see whether a held task is done.
        zone: The person's zone, for send windows.
        party: The person's lead or contact (a converted lead ends the cadence).

    Returns:
        The next step.

    Raises:
        ValidationError: the cadence is not the enrollment's.
    """
    if cadence.id != enrollment.cadence_id:
        fail("cadence", cadence.id, f"is not the enrollment's cadence ({enrollment.cadence_id})")
    eid = enrollment.id
    if not enrollment.is_active:
        reason = ExitReason(enrollment.exit_reason) if enrollment.exit_reason else None
        return NextStep(enrollment_id=eid, exit_reason=reason)
    start = enrollment.created_at
    if (
        isinstance(party, Lead)
        and party.ref == enrollment.party
        and party.converted_at is not None
        and party.converted_at <= at
    ):
        return NextStep(enrollment_id=eid, exit_reason=ExitReason.CONVERTED)
    for i in sorted(interactions, key=lambda x: x.at):
        if i.party == enrollment.party and start <= i.at <= at:
            why = _exit_from(i)
            if why is not None:
                return NextStep(enrollment_id=eid, exit_reason=why)
    base = enrollment.last_done_at or start
    if enrollment.held_by is not None:
        task = (tasks or {}).get(enrollment.held_by)
        if task is None or task.status is TaskStatus.OPEN:
            return NextStep(
                enrollment_id=eid, index=enrollment.current_step, held_by=enrollment.held_by
            )
        base = max(base, task.updated_at)
    index = enrollment.current_step
    step = cadence.steps[index]
    due = cadence.due_after(index, base, zone)
    return NextStep(enrollment_id=eid, index=index, step=step, due_at=due, is_due=due <= at)


@attrs.frozen(kw_only=True)
class CallResult:
    """What a call's outcome did.

    Attributes:
        enrollment: The updated enrollment.
        consent: The updated consent record (unchanged unless the outcome
            changes consent).
        lists: The do-not-contact list (with the number added after "do not call").
        task: The follow-up task of a callback request, if one was made.
        decision: The :func:`can_contact` decision on the callback time, if asked.
    """

    enrollment: Enrollment
    consent: ConsentRecord
    lists: DoNotContactList
    task: Task | None = None
    decision: Decision | None = None


def record_call(
    enrollment: Enrollment,
    cadence: Cadence,
    interaction: Interaction,
    *,
    party: Lead | Contact,
    consent: ConsentRecord,
    ids: IdFactory,
    lists: DoNotContactList | None = None,
    callback_at: datetime | None = None,
    registry: Mapping[str, RegistryCheck] | None = None,
    policy: ContactPolicy | None = None,
) -> CallResult:
    """Let a call's outcome drive the enrollment (and consent).

    * no answer, busy, voicemail, gatekeeper, connected: the call step is
      done and the cadence moves on;
    * callback requested: the step is done and a callback
      :class:`~salescore.domain.tasks.Task` is made for ``callback_at`` (a
      naive time is read in the person's zone) if :func:`can_contact` allows
      a call then; the cadence waits on it; if not allowed, no task is made
      and the refusal is returned;
    * meeting booked: the enrollment exits with success;
    * wrong number: exits as bounced;
    * not interested: exits and phone consent for sales is withdrawn;
    * do not call: exits, phone consent is withdrawn for direct marketing and
      the number goes on the do-not-call list.

    Args:
        enrollment: The active enrollment.
        cadence: Its cadence.
        interaction: The call (a phone interaction with a call outcome, with
            the enrollment's person).
        party: The person.
        consent: The person's consent record.
        ids: Makes the task's id.
        lists: The company's do-not-contact list.
        callback_at: When the person asked to be called back.
        registry: Registry checks, for the callback decision.
        policy: The contact policy, for the callback decision.

    Returns:
        The updated enrollment, consent and list, and the task if one was made.

    Raises:
        ValidationError: not a call with an outcome, another person, no
            ``callback_at`` for a callback request, or a refused transition.
    """
    with Checker("record_call") as c:
        c.check(
            interaction.channel == Channel.PHONE and isinstance(interaction.outcome, CallOutcome),
            "interaction",
            interaction.id,
            "must be a phone interaction with a call outcome",
        )
        c.check(
            interaction.party == enrollment.party and party.ref == enrollment.party,
            "interaction.party",
            interaction.party,
            f"must be the enrollment's person ({enrollment.party})",
        )
        if interaction.kind == CallDisposition.CALLBACK_REQUESTED:
            c.check(callback_at is not None, "callback_at", None, "a callback needs a time")
    dnc = lists or DoNotContactList()
    at, actor = interaction.at, interaction.actor
    kind = interaction.kind
    new_consent = apply_interaction(consent, interaction)
    exit_reason = _CALL_EXITS.get(kind)
    if exit_reason is not None:
        if kind == CallDisposition.DO_NOT_CALL and party.phone is not None:
            dnc = dnc.with_phone(party.phone)
        done = enrollment.exit(exit_reason, at=at, actor=actor)
        return CallResult(enrollment=done, consent=new_consent, lists=dnc)
    if kind != CallDisposition.CALLBACK_REQUESTED:
        done = enrollment.complete_step(
            cadence, at=at, actor=actor, outcome=kind, interaction_id=interaction.id
        )
        return CallResult(enrollment=done, consent=new_consent, lists=dnc)
    assert callback_at is not None
    when = callback_at
    if when.tzinfo is None or when.utcoffset() is None:
        zone, how = person_zone(party)
        if zone is None:
            fail("callback_at", callback_at, f"has no offset and the person's {how}")
        when = when.replace(tzinfo=ZoneInfo(zone))
    decision = can_contact(
        party,
        Channel.PHONE,
        at=when,
        purpose=cadence.purpose,
        consent=new_consent,
        lists=dnc,
        registry=registry,
        policy=policy,
    )
    task = None
    if decision.allowed:
        task = Task.callback(interaction, id=ids.new("task"), due_at=when)
    done = enrollment.complete_step(
        cadence,
        at=at,
        actor=actor,
        outcome=kind,
        interaction_id=interaction.id,
        hold_on=None if task is None else task.id,
    )
    return CallResult(enrollment=done, consent=new_consent, lists=dnc, task=task, decision=decision)
