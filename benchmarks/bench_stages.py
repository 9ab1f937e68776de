"""A stage move versus a bare ``attrs.evolve`` of the same item.

Target (foundation issue): a move on an item with a 20-event history costs at
most 3× ``attrs.evolve`` of that item, measured in the same run.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any, Self

import attrs

from benchmarks._harness import compare
from salescore import funnels
from salescore.domain.aggregate import Aggregate
from salescore.domain.events import Event
from salescore.domain.stages import Funnel


@attrs.frozen(kw_only=True)
class DealOpened(Event):
    """Creation event of the benchmark item."""

    name: str


@attrs.frozen(kw_only=True)
class Deal(Aggregate):
    """An item of realistic width (about twenty fields)."""

    stage_fields = {"b2b_pipeline": "stage"}

    name: str
    stage: str = ""
    account_id: str | None = None
    contact_id: str | None = None
    owner_id: str | None = None
    team_id: str | None = None
    amount: Decimal | None = None
    currency: str = "EUR"
    close_date: date | None = None
    probability: float | None = None
    next_step: str | None = None
    lost_reason: str | None = None
    won_reason: str | None = None
    source: str | None = None
    campaign_id: str | None = None
    competitors: tuple[str, ...] = ()
    tags: frozenset[str] = frozenset()
    custom: Mapping[str, Any] = attrs.field(factory=dict)

    @classmethod
    def _created(cls, event: Event) -> Self:
        assert isinstance(event, DealOpened)
        return cls(id=event.subject_id, name=event.name)

    def funnel(self, key: str) -> Funnel:
        return funnels.B2B_PIPELINE

    def move_to(self, stage: str, *, at: datetime, actor: str) -> Self:
        return self._move("b2b_pipeline", stage, at=at, actor=actor)


def _item() -> Deal:
    t0 = datetime(2026, 3, 2, 9, tzinfo=UTC)
    deal = Deal._new(
        DealOpened(subject_id="deal-1", at=t0, actor="rep-1", name="Acme renewal"),
        [(funnels.B2B_PIPELINE, "qualification")],
    )
    deal = deal._edit(
        {"amount": Decimal("12000"), "close_date": date(2026, 6, 30), "owner_id": "rep-1"},
        at=t0,
        actor="rep-1",
    )
    t = t0
    while deal.version < 20:
        t += timedelta(hours=3)
        target = "discovery" if deal.stage == "qualification" else "qualification"
        deal = deal.move_to(target, at=t, actor="rep-1")
    assert deal.version == 20
    return deal


def run(quick: bool = False) -> dict[str, Any]:
    """Time a free move and a move with entry requirements against evolve."""
    deal = _item()
    at = deal.updated_at + timedelta(hours=1)
    target = "discovery" if deal.stage == "qualification" else "qualification"
    number = 2_000 if quick else 20_000
    free = compare(
        "stage move (no entry requirements) vs attrs.evolve, 20-event history",
        {
            "attrs.evolve": lambda: attrs.evolve(deal, stage=target),
            "move_to": lambda: deal.move_to(target, at=at, actor="rep-1"),
        },
        baseline="attrs.evolve",
        number=number,
        repeats=3 if quick else 9,
    )
    required = compare(
        "stage move into 'proposal' (amount and close date required) vs attrs.evolve",
        {
            "attrs.evolve": lambda: attrs.evolve(deal, stage="proposal"),
            "move_to": lambda: deal.move_to("proposal", at=at, actor="rep-1"),
        },
        baseline="attrs.evolve",
        number=number,
        repeats=3 if quick else 9,
    )
    return {"free_move": free, "move_with_requirements": required}
