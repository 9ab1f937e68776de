"""Capture leads, log calls and emails, move a lead through its statuses, print histories.

Run: ``python examples/leads_and_interactions.py``
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from salescore import funnels
from salescore.domain.events import FieldsChanged, StageChanged
from salescore.domain.interactions import Interaction, count_interactions, timeline
from salescore.domain.leads import Lead, LeadSource
from salescore.domain.tasks import Task
from salescore.ids import DeterministicIds

ids = DeterministicIds(namespace="example", seed=1)
t0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
webinar = LeadSource(
    channel="webinar",
    campaign_id="campaign-autumn",
    utm_source="linkedin",
    utm_medium="social",
    utm_campaign="autumn-webinar",
)


def describe(event: object) -> str:
    """One line per event."""
    if isinstance(event, StageChanged):
        why = f" ({event.reason})" if event.reason else ""
        return f"{event.funnel}: {event.from_stage or '∅'} → {event.to_stage}{why}"
    if isinstance(event, FieldsChanged):
        changes = ", ".join(f"{k}: {old!r} → {new!r}" for k, (old, new) in event.changes.items())
        return f"edited {changes}"
    return type(event).__name__


def main() -> None:
    """Run the example."""
    ana = Lead.new(
        id=ids.new("lead"),
        at=t0,
        actor="web-form",
        first_name="Ana",
        last_name="Silva",
        email="Ana.Silva@Acme.io",
        company="Acme",
        industry="saas",
        employees=120,
        country="PT",
        time_zone="Europe/Lisbon",
        source=webinar,
    )
    ben = Lead.new(
        id=ids.new("lead"),
        at=t0 + timedelta(minutes=5),
        actor="web-form",
        first_name="Ben",
        email="ben@globex.example",
        phone="020 7946 0958",
        country="GB",
        company="Globex",
    )
    cho = Lead.new(
        id=ids.new("lead"),
        at=t0 + timedelta(minutes=9),
        actor="import",
        last_name="Dupont",
        company="Initech",
        email="c.dupont@initech.fr",
    )
    print("Captured:")
    for lead in (ana, ben, cho):
        print(
            f"  {lead.id}: {lead.name or lead.company:<10} {lead.email:<24} "
            f"phone={lead.phone} status={lead.status}"
        )

    # Touches with Ana: emails from the webinar campaign, then calls.
    rep = "rep-7"
    xs = [
        Interaction.email(
            id=ids.new("touch"),
            at=t0 + timedelta(hours=h),
            actor="esp",
            message_id="msg-1",
            kind=kind,
            party=ana.ref,
            campaign_id="campaign-autumn",
        )
        for h, kind in (
            (1, "sent"),
            (2, "delivered"),
            (5, "opened"),
            (6, "clicked"),
            (30, "clicked"),
            (50, "clicked"),
        )
    ]
    call1 = Interaction.call(
        id=ids.new("touch"),
        at=t0 + timedelta(days=3),
        actor=rep,
        disposition="callback_requested",
        sentiment="positive",
        duration=timedelta(minutes=3),
        party=ana.ref,
        rep_id=rep,
        notes="Busy this week; call back Monday",
    )
    call2 = Interaction.call(
        id=ids.new("touch"),
        at=t0 + timedelta(days=7),
        actor=rep,
        disposition="meeting_booked",
        sentiment="very_positive",
        duration=timedelta(minutes=18),
        party=ana.ref,
        rep_id=rep,
    )
    xs += [call1, call2]
    clicks = count_interactions(
        xs, channel="email", kind="clicked", since=t0 + timedelta(days=7) - timedelta(days=14)
    )
    print(f"\nAna clicked {clicks} times in 14 days")

    callback = Task.callback(call1, id=ids.new("task"), due_at=t0 + timedelta(days=7))
    callback = callback.complete(at=t0 + timedelta(days=7), actor=rep)
    print(f"Callback task: {callback.title!r} due {callback.due_at:%a %d %b} → {callback.status}")

    # Ana's status: worked, qualified; Ben disqualified and recycled; Chloé nurtured.
    ana = ana.assign(rep, at=t0 + timedelta(hours=3), actor="router")
    ana = ana.move_to("working", at=t0 + timedelta(days=3), actor=rep)
    ana = ana.set_score(
        72,
        at=t0 + timedelta(days=3, hours=1),
        actor="scoring",
        reason="3 clicks and a positive call",
    )
    ana = ana.set_lifecycle_stage("mql", at=t0 + timedelta(days=3, hours=1), actor="scoring")
    ana = ana.move_to(
        "qualified", at=t0 + timedelta(days=7, hours=1), actor=rep, reason="BANT confirmed on call"
    )
    ben = ben.move_to("disqualified", at=t0 + timedelta(days=1), actor=rep, reason="no budget")
    ben = ben.move_to("nurturing", at=t0 + timedelta(days=40), actor=rep, reason="new budget year")
    cho = cho.move_to("nurturing", at=t0 + timedelta(days=2), actor="marketing")

    for lead in (ana, ben, cho):
        print(f"\nHistory of {lead.id} ({lead.name or lead.company}), version {lead.version}:")
        for event in lead.history:
            print(f"  {event.at:%Y-%m-%d %H:%M}  {event.actor:<9} {describe(event)}")
        now = lead.updated_at + timedelta(days=1)
        spent = lead.time_in_stages(funnels.LEAD_STATUS, at=now)
        print("  time in status: " + ", ".join(f"{k} {v}" for k, v in spent.items()))

    print("\nAna's timeline:")
    for x in timeline(xs, ana.ref):
        print(f"  {x.at:%Y-%m-%d %H:%M}  {x.channel:<6} {x.kind}")
    assert Lead.from_events(ana.history) == ana


if __name__ == "__main__":
    main()
