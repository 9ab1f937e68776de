"""Quickstart: leads and their touches, a small deal funnel, stage histories and JSON.

Run with ``python examples/quickstart.py``.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any, Self

import attrs

from salescore import (
    Aggregate,
    Event,
    Funnel,
    Interaction,
    Lead,
    Stage,
    StageChanged,
    StageKind,
    TransitionPolicy,
    funnels,
)
from salescore.domain.interactions import count_interactions
from salescore.errors import TransitionError
from salescore.ids import DeterministicIds
from salescore.serialization import from_json, register_type, to_json

# A small funnel for deals: four open stages, a won and a lost end.
DEALS = Funnel(
    key="deals",
    label="Small-business deals",
    stages=(
        Stage(key="new", probability=0.05),
        Stage(key="demo", probability=0.25, rotting_after=timedelta(days=14)),
        Stage(key="trial", probability=0.50),
        Stage(key="quote", probability=0.70, requires=("amount",)),
        Stage(key="won", kind=StageKind.WON, probability=1.0),
        Stage(key="lost", kind=StageKind.LOST, probability=0.0, requires=("lost_reason",)),
    ),
    policy=TransitionPolicy(skipping=True, backwards=True),
)


@register_type
@attrs.frozen(kw_only=True)
class DealOpened(Event):
    """A deal was opened."""

    name: str


@register_type
@attrs.frozen(kw_only=True)
class Deal(Aggregate):
    """A minimal deal: a name, an amount and a stage in :data:`DEALS`."""

    stage_fields = {"deals": "stage"}

    name: str
    stage: str = ""
    amount: int | None = None
    lost_reason: str | None = None

    @classmethod
    def _created(cls, event: Event) -> Self:
        assert isinstance(event, DealOpened)
        return cls(id=event.subject_id, name=event.name)

    def funnel(self, key: str) -> Funnel:
        return DEALS

    @classmethod
    def open(cls, *, id: str, name: str, at: datetime, actor: str) -> Self:
        return cls._new(DealOpened(subject_id=id, at=at, actor=actor, name=name), [(DEALS, "new")])

    def move_to(self, stage: str, *, at: datetime, actor: str, reason: str | None = None) -> Self:
        return self._move("deals", stage, at=at, actor=actor, reason=reason)

    def update(self, *, at: datetime, actor: str, **changes: Any) -> Self:
        return self._edit(changes, at=at, actor=actor)


def leads(ids: DeterministicIds, monday: datetime) -> None:
    """Capture two leads, log a call and emails, move one through its statuses."""
    ana = Lead.new(
        id=ids.new("lead"),
        at=monday,
        actor="web-form",
        first_name="Ana",
        email="Ana.Silva@Acme.io",
        company="Acme",
        industry="saas",
        employees=120,
    )
    ben = Lead.new(
        id=ids.new("lead"),
        at=monday + timedelta(minutes=20),
        actor="import",
        email="ben@globex.example",
        company="Globex",
    )
    touches = [
        Interaction.email(
            id=ids.new("touch"),
            at=monday + timedelta(hours=h),
            actor="esp",
            message_id="msg-1",
            kind=kind,
            party=ana.ref,
        )
        for h, kind in ((1, "sent"), (3, "opened"), (4, "clicked"), (28, "clicked"))
    ]
    touches.append(
        Interaction.call(
            id=ids.new("touch"),
            at=monday + timedelta(days=2),
            actor="rep-7",
            disposition="meeting_booked",
            sentiment="positive",
            duration=timedelta(minutes=12),
            party=ana.ref,
            rep_id="rep-7",
        )
    )
    clicks = count_interactions(touches, channel="email", kind="clicked")
    print(f"{ana.name} ({ana.email}) clicked {clicks} times, then booked a meeting")

    ana = ana.move_to("working", at=monday + timedelta(days=1), actor="rep-7")
    ana = ana.move_to(
        "qualified", at=monday + timedelta(days=2), actor="rep-7", reason="meeting booked"
    )
    ben = ben.move_to(
        "disqualified", at=monday + timedelta(days=1), actor="rep-2", reason="student project"
    )
    for lead in (ana, ben):
        print(f"\n{lead.company} lead {lead.id}: {lead.status}, version {lead.version}")
        for event in lead.history:
            move = ""
            if isinstance(event, StageChanged):
                move = f" {event.funnel}: {event.from_stage or '(entry)'} → {event.to_stage}"
            print(f"  {event.at:%a %H:%M}  {type(event).__name__}{move}")
        assert from_json(Lead, to_json(lead)) == lead


def main() -> None:
    ids = DeterministicIds(namespace="quickstart", seed=1)
    monday = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
    leads(ids, monday)
    print()

    acme = Deal.open(id=ids.new("deal"), name="Acme", at=monday, actor="rep-7")
    acme = acme.move_to("demo", at=monday + timedelta(hours=26), actor="rep-7")
    acme = acme.move_to("trial", at=monday + timedelta(days=4), actor="rep-7")
    try:
        acme.move_to("quote", at=monday + timedelta(days=9), actor="rep-7")
    except TransitionError as refused:
        print(f"refused: {refused}")
    acme = acme.update(amount=4800, at=monday + timedelta(days=9), actor="rep-7")
    acme = acme.move_to("quote", at=monday + timedelta(days=9, hours=1), actor="rep-7")
    acme = acme.move_to("won", at=monday + timedelta(days=12), actor="rep-7")

    globex = Deal.open(
        id=ids.new("deal"), name="Globex", at=monday + timedelta(hours=3), actor="rep-2"
    )
    globex = globex.move_to("demo", at=monday + timedelta(days=1), actor="rep-2")
    globex = globex.update(lost_reason="no budget", at=monday + timedelta(days=20), actor="rep-2")
    globex = globex.move_to(
        "lost", at=monday + timedelta(days=20), actor="rep-2", reason="no budget this year"
    )

    initech = Deal.open(
        id=ids.new("deal"), name="Initech", at=monday + timedelta(days=2), actor="rep-7"
    )
    initech = initech.move_to("demo", at=monday + timedelta(days=3), actor="rep-7")

    now = monday + timedelta(days=21)
    for deal in (acme, globex, initech):
        print(f"\n{deal.name} ({deal.id}): {deal.stage}, version {deal.version}")
        for visit in deal.stage_history("deals"):
            left = visit.left_at.isoformat() if visit.left_at else "(still there)"
            print(f"  {visit.stage:<6} {visit.entered_at.isoformat()} → {left}")
        for stage, spent in deal.time_in_stages("deals", at=now).items():
            print(f"  time in {stage:<6} {spent}")
        print(f"  stale at {now.date()}: {deal.is_stale('deals', at=now)}")

        text = to_json(deal)
        back = from_json(Deal, text)
        assert back == deal
        assert Deal.from_events(deal.history) == deal
        print(f"  JSON round trip: {len(text)} bytes, equal: {back == deal}")

    print(f"\nLead statuses: {', '.join(funnels.LEAD_STATUS.keys)}")


if __name__ == "__main__":
    main()
