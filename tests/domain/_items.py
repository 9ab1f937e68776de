"""A minimal aggregate that moves through any funnel, for testing the mechanism."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, Self

import attrs

from salescore.domain.aggregate import Aggregate
from salescore.domain.events import Event
from salescore.domain.stages import Funnel
from salescore.serialization import register_type


@register_type(name="TestItemCreated")
@attrs.frozen(kw_only=True)
class ItemCreated(Event):
    """Creation of an :class:`Item`."""

    name: str
    pipeline: Funnel


@register_type(name="TestItem")
@attrs.frozen(kw_only=True)
class Item(Aggregate):
    """An item in one funnel; the funnel travels with it."""

    name: str
    pipeline: Funnel
    stage: str = ""
    amount: int | None = None
    close_date: str | None = None
    lost_reason: str | None = None

    @classmethod
    def _created(cls, event: Event) -> Self:
        assert isinstance(event, ItemCreated)
        return cls(id=event.subject_id, name=event.name, pipeline=event.pipeline)

    def funnel(self, key: str) -> Funnel:
        return self.pipeline

    def _stage_field(self, funnel_key: str) -> str | None:
        return "stage" if funnel_key == self.pipeline.key else None

    @classmethod
    def new(cls, *, id: str, at: datetime, actor: str, name: str, pipeline: Funnel) -> Self:
        created = ItemCreated(subject_id=id, at=at, actor=actor, name=name, pipeline=pipeline)
        return cls._new(created, [(pipeline, pipeline.initial)])

    def move_to(
        self,
        stage: str,
        *,
        at: datetime,
        actor: str,
        reason: str | None = None,
        context: Mapping[str, Any] | None = None,
    ) -> Self:
        return self._move(
            self.pipeline.key, stage, at=at, actor=actor, reason=reason, context=context
        )

    def edit(self, *, at: datetime, actor: str, **changes: object) -> Self:
        return self._edit(changes, at=at, actor=actor)
