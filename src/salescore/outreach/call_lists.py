"""A rep's call list for a day: who is due, when, in which order — all through can_contact.

:func:`call_list` collects the day's callbacks (open callback tasks of the rep
due that day) and the call steps of the rep's active enrollments that fall
due by the end of the rep's day (their working hours, or midnight), finds
for each the first time within the day that
:func:`~salescore.outreach.consent.can_contact` allows (the due time, or the
start of the calling hours in the person's own zone), and orders the result:
callbacks first, then by priority (highest first), then by time. Anyone
refused all day is listed in ``skipped`` with the refusal: nobody without a
yes is ever on the list.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import attrs

from salescore._validation import fail
from salescore.domain.interactions import Channel, Interaction
from salescore.domain.leads import Lead
from salescore.domain.parties import Contact, PartyRef
from salescore.domain.tasks import Task, TaskKind, TaskStatus
from salescore.outreach.cadences import Cadence, Enrollment, StepKind, next_step
from salescore.outreach.consent import (
    ConsentRecord,
    ContactPolicy,
    Decision,
    DoNotContactList,
    Purpose,
    RegistryCheck,
    can_contact,
    person_zone,
)

__all__ = ["CallList", "CallListEntry", "SkippedCall", "call_list"]


@attrs.frozen(kw_only=True)
class CallListEntry:
    """One call on the list.

    Attributes:
        party: Whom to call.
        at: The first instant within the day at which the call is allowed.
        priority: Higher first.
        decision: The :func:`can_contact` decision at ``at`` (allowed).
        enrollment_id: The enrollment whose call step this is, if any.
        step: The step's index, if any.
        task_id: The callback task, if this is a callback.
    """

    party: PartyRef
    at: datetime
    priority: float
    decision: Decision
    enrollment_id: str | None = None
    step: int | None = None
    task_id: str | None = None


@attrs.frozen(kw_only=True)
class SkippedCall:
    """A call that was due but is not allowed at any time of the day.

    Attributes:
        party: Who.
        decision: The refusal with the fewest reasons among the times tried.
        enrollment_id: The enrollment, if any.
        task_id: The callback task, if any.
    """

    party: PartyRef
    decision: Decision
    enrollment_id: str | None = None
    task_id: str | None = None


@attrs.frozen(kw_only=True)
class CallList:
    """A rep's calls for one day.

    Attributes:
        rep_id: The rep.
        day: The day (in the rep's zone).
        entries: The calls, in the order to make them.
        skipped: Due calls not allowed during the day, with the reasons.
    """

    rep_id: str
    day: date
    entries: tuple[CallListEntry, ...]
    skipped: tuple[SkippedCall, ...]


def _score(party: Lead | Contact) -> float:
    return party.score if isinstance(party, Lead) else 0.0


def call_list(
    rep_id: str,
    day: date,
    *,
    tz: str,
    hours: tuple[time, time] | None = None,
    enrollments: Iterable[Enrollment],
    cadences: Mapping[str, Cadence],
    parties: Mapping[PartyRef, Lead | Contact],
    consents: Mapping[PartyRef, ConsentRecord] | None = None,
    interactions: Iterable[Interaction] = (),
    tasks: Iterable[Task] = (),
    lists: DoNotContactList | None = None,
    registry: Mapping[str, RegistryCheck] | None = None,
    policy: ContactPolicy | None = None,
    priority: Callable[[Lead | Contact], float] = _score,
) -> CallList:
    """Build the call list of ``rep_id`` for ``day``.

    Args:
        rep_id: The rep.
        day: The day, in the rep's zone ``tz``.
        tz: The rep's IANA zone.
        hours: The rep's working hours that day, local ``(start, end)`` in
            ``tz``; the whole day (midnight to midnight) if ``None``.
        enrollments: Enrollments (the rep's active ones are used).
        cadences: Cadence id → cadence.
        parties: Person reference → lead or contact.
        consents: Person reference → consent record.
        interactions: Interactions of these people (for exits).
        tasks: Tasks (the rep's open callbacks due that day are used; held
            tasks are looked up here).
        lists: The company's do-not-contact list.
        registry: Registry checks by number.
        policy: The contact policy.
        priority: Person → priority, higher first (a lead's score by default).

    Returns:
        The ordered list and the skipped calls.

    Raises:
        ValidationError: a person or cadence that is referred to is missing.
    """
    zone = ZoneInfo(tz)
    if hours is None:
        day_start = datetime.combine(day, time(0), tzinfo=zone)
        day_end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone)
    else:
        if not (
            isinstance(hours, tuple)
            and len(hours) == 2
            and all(isinstance(h, time) and h.tzinfo is None for h in hours)
            and hours[0] < hours[1]
        ):
            fail("hours", hours, "must be a (start, end) pair of local times, start before end")
        day_start = datetime.combine(day, hours[0], tzinfo=zone)
        day_end = datetime.combine(day, hours[1], tzinfo=zone)
    pol = policy or ContactPolicy()
    consents = consents or {}
    all_tasks = tuple(tasks)
    by_id = {t.id: t for t in all_tasks}
    seq = tuple(interactions)
    by_party: dict[PartyRef, list[Interaction]] = {}
    for i in seq:
        if i.party is not None:
            by_party.setdefault(i.party, []).append(i)

    def person(ref: PartyRef) -> Lead | Contact:
        p = parties.get(ref)
        if p is None:
            fail("parties", str(ref), "is referred to but not given")
        return p

    def first_allowed(
        p: Lead | Contact, earliest: datetime, purpose: Purpose
    ) -> tuple[datetime | None, Decision]:
        """The first instant from ``earliest`` within the day that can_contact allows."""
        candidates = [max(earliest, day_start)]
        pzone, _ = person_zone(p)
        if pzone is not None:
            pz = ZoneInfo(pzone)
            local = candidates[0].astimezone(pz).date()
            for d in (local - timedelta(days=1), local, local + timedelta(days=1)):
                opening = datetime.combine(d, pol.calling_hours[0], tzinfo=pz)
                if candidates[0] < opening < day_end:
                    candidates.append(opening)
        best: Decision | None = None
        for when in sorted(candidates):
            if when >= day_end:
                break
            decision = can_contact(
                p,
                Channel.PHONE,
                at=when,
                purpose=purpose,
                consent=consents.get(p.ref),
                lists=lists,
                registry=registry,
                policy=pol,
            )
            if decision.allowed:
                return when, decision
            if best is None or len(decision.refusals) < len(best.refusals):
                best = decision
        assert best is not None
        return None, best

    entries: list[tuple[int, CallListEntry]] = []
    skipped: list[SkippedCall] = []
    for t in all_tasks:
        party = t.subject.party
        if (
            t.kind is TaskKind.CALLBACK
            and t.status is TaskStatus.OPEN
            and t.assignee_id == rep_id
            and party is not None
            and t.due_at < day_end
        ):
            p = person(party)
            when, decision = first_allowed(p, t.due_at, Purpose.SALES)
            if when is None:
                skipped.append(SkippedCall(party=party, decision=decision, task_id=t.id))
            else:
                entry = CallListEntry(
                    party=party, at=when, priority=priority(p), decision=decision, task_id=t.id
                )
                entries.append((0, entry))
    for e in enrollments:
        if e.owner_id != rep_id or not e.is_active:
            continue
        cadence = cadences.get(e.cadence_id)
        if cadence is None:
            fail("cadences", e.cadence_id, "is referred to but not given")
        p = person(e.party)
        pzone, _ = person_zone(p)
        nxt = next_step(e, cadence, by_party.get(e.party, ()), at=day_end, tasks=by_id, zone=pzone)
        if (
            nxt.step is None
            or nxt.step.kind is not StepKind.CALL
            or nxt.due_at is None
            or nxt.due_at >= day_end
        ):
            continue
        when, decision = first_allowed(p, nxt.due_at, cadence.purpose)
        if when is None:
            skipped.append(SkippedCall(party=e.party, decision=decision, enrollment_id=e.id))
            continue
        entry = CallListEntry(
            party=e.party,
            at=when,
            priority=priority(p),
            decision=decision,
            enrollment_id=e.id,
            step=nxt.index,
        )
        entries.append((1, entry))
    entries.sort(key=lambda pair: (pair[0], -pair[1].priority, pair[1].at, pair[1].party.id))
    return CallList(
        rep_id=rep_id, day=day, entries=tuple(e for _, e in entries), skipped=tuple(skipped)
    )
