"""Cold calling from a purchased lead list: import, clean, enrol, call for a week.

Imports the messy list in ``examples/data/cold_leads.csv`` (national phone
formats, mixed-case e-mails, country names, duplicates, bad rows), reports
the rejected rows, merges the duplicates, enrols every lead in a call cadence
and plays a week of calls with seeded, realistic dispositions: every call
comes from the day's call list, which only lists people ``can_contact``
allows at that time. Prints what happened and the connect rate.

Run: ``python examples/cold_calling.py``
"""

from __future__ import annotations

import csv
import random
from collections import Counter
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

from salescore.calendar import BusinessCalendar
from salescore.domain.interactions import CONVERSATIONS, CallDisposition, Interaction
from salescore.domain.leads import Lead, LeadSource
from salescore.domain.parties import PartyRef
from salescore.domain.tasks import Task
from salescore.ids import DeterministicIds
from salescore.outreach import (
    Cadence,
    CadenceStep,
    Column,
    ConsentRecord,
    DoNotContactList,
    Enrollment,
    LeadMapping,
    RegistryCheck,
    StepKind,
    call_list,
    can_contact,
    duplicate_groups,
    find_duplicates,
    import_leads,
    merge_leads,
    record_call,
)

DATA = Path(__file__).parent / "data" / "cold_leads.csv"
REP = "rep-berlin"
REP_ZONE = "Europe/Berlin"
ids = DeterministicIds(namespace="cold", seed=3)
t0 = datetime(2026, 11, 2, 7, 0, tzinfo=UTC)  # a Monday, 08:00 in Berlin

# --- 1. import ------------------------------------------------------------------------
mapping = LeadMapping(
    columns={
        "First Name": "first_name",
        "Last Name": "last_name",
        "E-mail": "email",
        "Phone": "phone",
        "Company": "company",
        "Website": "domain",
        "Country": "country",
        "Employees": "employees",
        "Revenue": Column(field="annual_revenue"),
        "Title": "title",
    },
    source=LeadSource(channel="purchased_list", campaign_id="cold-q4"),
    owner_id=REP,
)
with DATA.open(newline="", encoding="utf-8") as fh:
    result = import_leads(csv.DictReader(fh), mapping, at=t0, actor="import", ids=ids)
print(f"rows read: {result.rows}; leads created: {len(result.created)}")
print(f"rejected rows: {len(result.rejected)}")
for bad in result.rejected:
    problems = "; ".join(f"{p.path}: {p.message}" for p in bad.problems)
    print(f"  row {bad.row}: {problems}")

# --- 2. duplicates and merges -----------------------------------------------------------
leads: dict[str, Lead] = {lead.id: lead for lead in result.created}
report = find_duplicates(leads.values())
groups = duplicate_groups(report.matches)
print(
    f"duplicates: {len(report.matches)} matching pairs in {len(groups)} groups "
    f"({report.pairs_compared} pairs compared)"
)
for m in report.matches:
    print(f"  {leads[m.left].name} ~ {leads[m.right].name}: {', '.join(m.rules)} ({m.score})")
merged_away = set()
for group in groups:
    survivor = leads[group[0]]
    for other_id in group[1:]:
        merge = merge_leads(survivor, leads[other_id], at=t0, actor="import", ids=ids)
        survivor = merge.survivor
        leads[survivor.id] = survivor
        leads[merge.tombstone.id] = merge.tombstone
        merged_away.add(merge.tombstone.id)
active = [lead for lead in leads.values() if lead.id not in merged_away]
print(f"leads after merging: {len(active)}")

# --- 3. cadence, enrollments, consent, registry ------------------------------------------
calendar = BusinessCalendar.weekdays(time(8), time(18), tz=REP_ZONE)
cadence = Cadence(
    id="cadence-cold",
    name="Cold call, three tries",
    calendar=calendar,
    steps=(
        CadenceStep(kind=StepKind.CALL),
        CadenceStep(kind=StepKind.CALL, business_days=1),
        CadenceStep(kind=StepKind.CALL, business_days=2),
    ),
)
enrollments = {
    lead.id: Enrollment.new(
        id=ids.new("enrollment"),
        at=t0,
        actor="import",
        cadence=cadence,
        party=lead.ref,
        owner_id=REP,
    )
    for lead in active
}
consents = {
    lead.ref: ConsentRecord.new(id=ids.new("consent"), at=t0, actor="import", party=lead.ref)
    for lead in active
}
phones = sorted({lead.phone for lead in active if lead.phone})
registry = {
    p: RegistryCheck(phone=p, checked_at=t0 - timedelta(days=3), listed=(i % 17 == 5))
    for i, p in enumerate(phones)
}
dnc = DoNotContactList()
tasks: dict[str, Task] = {}
interactions: list[Interaction] = []

# --- 4. a week of calls ---------------------------------------------------------------------
rng = random.Random(42)
DISPOSITIONS = [
    (CallDisposition.NO_ANSWER, 40),
    (CallDisposition.VOICEMAIL_LEFT, 20),
    (CallDisposition.BUSY, 5),
    (CallDisposition.GATEKEEPER, 8),
    (CallDisposition.CONNECTED, 10),
    (CallDisposition.CALLBACK_REQUESTED, 6),
    (CallDisposition.MEETING_BOOKED, 5),
    (CallDisposition.NOT_INTERESTED, 4),
    (CallDisposition.DO_NOT_CALL, 2),
]
parties: dict[PartyRef, Lead] = {lead.ref: lead for lead in active}
held_back: dict[PartyRef, str] = {}
calls: Counter[str] = Counter()
for offset in range(5):
    day = date(2026, 11, 2) + timedelta(days=offset)
    plan = call_list(
        REP,
        day,
        tz=REP_ZONE,
        hours=(time(8), time(20)),
        enrollments=enrollments.values(),
        cadences={cadence.id: cadence},
        parties=parties,
        consents=consents,
        interactions=interactions,
        tasks=tasks.values(),
        lists=dnc,
        registry=registry,
    )
    for skipped in plan.skipped:
        held_back.setdefault(skipped.party, skipped.decision.refusals[0])
    clock = datetime.combine(day, time(0), tzinfo=UTC)
    for entry in plan.entries:
        lead = parties[entry.party]
        at = max(entry.at, clock)
        if at != entry.at:  # the rep is running late: ask again before dialling
            late = can_contact(
                lead, "phone", at=at, consent=consents[lead.ref], lists=dnc, registry=registry
            )
            if not late.allowed:
                continue
        clock = at + timedelta(minutes=6)
        disposition = rng.choices(
            [d for d, _ in DISPOSITIONS], weights=[w for _, w in DISPOSITIONS]
        )[0]
        call = Interaction.call(
            id=ids.new("call"),
            at=at,
            actor=REP,
            disposition=disposition,
            party=lead.ref,
            rep_id=REP,
        )
        interactions.append(call)
        calls[disposition.value] += 1
        if entry.task_id is not None:  # a callback: done by this call
            tasks[entry.task_id] = tasks[entry.task_id].complete(at=at, actor=REP)
        enrollment = enrollments[lead.id]
        if not enrollment.is_active:
            continue
        outcome = record_call(
            enrollment,
            cadence,
            call,
            party=lead,
            consent=consents[lead.ref],
            ids=ids,
            lists=dnc,
            # "Call me tomorrow at 11": read in the person's own zone.
            callback_at=datetime.combine(day + timedelta(days=1), time(11)),
            registry=registry,
        )
        enrollments[lead.id] = outcome.enrollment
        consents[lead.ref] = outcome.consent
        dnc = outcome.lists
        if outcome.task is not None:
            tasks[outcome.task.id] = outcome.task

# --- 5. what happened ---------------------------------------------------------------------
made = sum(calls.values())
connects = sum(n for d, n in calls.items() if d in CONVERSATIONS)
print(f"calls made: {made}")
for disposition, n in sorted(calls.items(), key=lambda kv: -kv[1]):
    print(f"  {disposition}: {n}")
print(f"connect rate: {connects / made:.1%} ({connects} conversations in {made} calls)")
ends = Counter(e.exit_reason or e.status for e in enrollments.values())
print("enrollments: " + ", ".join(f"{k}: {v}" for k, v in sorted(ends.items())))
print(f"callback tasks made: {len(tasks)}; numbers on the do-not-call list: {len(dnc.phones)}")
print(f"people can_contact held back: {len(held_back)}")
for ref, why in sorted(held_back.items(), key=lambda kv: kv[0].id):
    print(f"  {parties[ref].name}: {why}")
