"""The base of every aggregate: a frozen object with a version and its history.

An aggregate (a lead, a deal, a case…) changes only by recording events.
A transition method validates its input, builds its events and hands them to
:meth:`Aggregate._record`, which checks that time does not go backwards,
folds each event into the state with :meth:`Aggregate._apply` and returns a
new object whose ``version`` has advanced by the number of events. A refused
transition raises before anything is recorded, so nothing is half-changed.
Because state is only ever changed by folding events,
``type(x).from_events(x.history) == x`` for every aggregate ``x``.

Subclasses implement:

* ``_created(event)`` (classmethod): the state right after the creation event;
* ``_apply(event)``: the field changes an event of their own makes (the base
  handles :class:`StageChanged` and :class:`FieldsChanged`);
* ``_stage_fields`` (class variable): funnel key → the attribute holding the
  current stage in that funnel (or override ``_stage_field`` when the funnel
  varies per item, as a deal's pipeline does);
* ``funnel(key)``: the :class:`Funnel` object for a funnel key.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any, ClassVar, Self

import attrs

from salescore._validation import fail
from salescore.domain.events import Event, FieldsChanged, StageChanged
from salescore.domain.stages import Funnel, StageVisit, stage_visits
from salescore.domain.stages import is_stale as _is_stale
from salescore.domain.stages import move_count as _move_count
from salescore.domain.stages import time_in_stage as _time_in_stage
from salescore.domain.stages import time_in_stages as _time_in_stages
from salescore.errors import TransitionError, ValidationError

__all__ = ["Aggregate"]


@attrs.frozen(kw_only=True)
class Aggregate:
    """Base class of event-sourced, immutable aggregates.

    Attributes:
        id: The aggregate's id.
        version: The number of events in ``history``.
        history: Every event, oldest first; starts with the creation event.
    """

    _stage_fields: ClassVar[Mapping[str, str]] = {}

    id: str
    version: int = attrs.field(default=0, repr=False)
    history: tuple[Event, ...] = attrs.field(default=(), repr=False)

    # --- to be provided by subclasses ------------------------------------------

    def _stage_field(self, funnel_key: str) -> str | None:
        """The attribute holding the current stage in ``funnel_key`` (``None``: none)."""
        return self._stage_fields.get(funnel_key)

    @classmethod
    def _created(cls, event: Event) -> Self:
        """Build the state right after the creation event (without history)."""
        raise NotImplementedError(f"{cls.__name__} must implement _created")

    def _apply(self, event: Event) -> dict[str, Any]:
        """Return the field changes that ``event`` makes to this state."""
        if type(event) is StageChanged:
            name = self._stage_field(event.funnel)
            if name is None:
                fail("funnel", event.funnel, f"{type(self).__name__} has no such funnel")
            return {name: event.to_stage}
        if type(event) is FieldsChanged:
            return {name: new for name, (_, new) in event.changes.items()}
        fail("history", type(event).__name__, f"{type(self).__name__} cannot apply this event")

    def funnel(self, key: str) -> Funnel:
        """Return the funnel object for ``key``.

        Raises:
            ValidationError: the aggregate does not move in that funnel.
        """
        fail("funnel", key, f"{type(self).__name__} has no funnels")

    # --- replay and recording ----------------------------------------------------

    @classmethod
    def from_events(cls, events: Iterable[Event]) -> Self:
        """Rebuild an aggregate by replaying its history.

        Args:
            events: The history, creation event first.

        Returns:
            The aggregate, equal to the one that recorded these events.

        Raises:
            ValidationError: the history is empty or inconsistent.
        """
        seq = tuple(events)
        if not seq:
            fail("events", seq, "a history needs at least its creation event")
        first = cls._created(seq[0])
        first = attrs.evolve(first, version=1, history=(seq[0],))
        return first._record(*seq[1:])

    def _record(self, *events: Event) -> Self:
        """Fold ``events`` into a new state; nothing changes if any is refused."""
        obj = self
        history = obj.history
        last = history[-1].at if history else None
        for event in events:
            if event.subject_id != obj.id:
                fail("subject_id", event.subject_id, f"event belongs to another item, not {obj.id}")
            if last is not None and event.at < last:
                fail(
                    "at",
                    event.at,
                    f"is earlier than the last event ({last.isoformat()}): "
                    "events of one item never go back in time",
                )
            changes = obj._apply(event)
            history = (*history, event)
            obj = attrs.evolve(obj, version=len(history), history=history, **changes)
            last = event.at
        return obj

    @classmethod
    def _new(cls, created: Event, entries: Sequence[tuple[Funnel, str]] = ()) -> Self:
        """Create an aggregate from its creation event and its funnel entries.

        Args:
            created: The creation event.
            entries: ``(funnel, stage)`` for each funnel it starts in; a
                :class:`StageChanged` with ``from_stage=None`` is recorded for each.

        Returns:
            The new aggregate.
        """
        obj = attrs.evolve(cls._created(created), version=1, history=(created,))
        for f, stage in entries:
            reasons = f.refusals(obj, None, stage, at=created.at)
            if reasons:
                raise TransitionError(obj.id, None, stage, reasons)
        events = [
            StageChanged(
                subject_id=created.subject_id,
                at=created.at,
                actor=created.actor,
                funnel=f.key,
                from_stage=None,
                to_stage=stage,
            )
            for f, stage in entries
        ]
        return obj._record(*events)

    # --- editing -------------------------------------------------------------------

    def _edit(
        self,
        changes: Mapping[str, Any],
        *,
        at: datetime,
        actor: str,
        reason: str | None = None,
    ) -> Self:
        """Record a :class:`FieldsChanged` for the fields whose value differs.

        Returns ``self`` unchanged when no value differs.
        """
        pairs = {
            name: (getattr(self, name), new)
            for name, new in changes.items()
            if getattr(self, name) != new
        }
        if not pairs:
            return self
        return self._record(
            FieldsChanged(subject_id=self.id, at=at, actor=actor, changes=pairs, reason=reason)
        )

    # --- stage moves -----------------------------------------------------------------

    def stage_in(self, funnel: Funnel | str) -> str:
        """The current stage in ``funnel`` (a Funnel or its key)."""
        key = funnel.key if isinstance(funnel, Funnel) else funnel
        name = self._stage_field(key)
        if name is None:
            fail("funnel", key, f"{type(self).__name__} does not move in this funnel")
        return str(getattr(self, name))

    def _move(
        self,
        funnel_key: str,
        to_stage: str,
        *,
        at: datetime,
        actor: str,
        reason: str | None = None,
        context: Mapping[str, Any] | None = None,
        before: Sequence[Event] = (),
        after: Sequence[Event] = (),
    ) -> Self:
        """Move to ``to_stage`` in a funnel, with events recorded around the move.

        The funnel's policy and the target's entry requirements are checked
        against the state after the ``before`` events (so a close that sets a
        lost reason can satisfy a requirement for one). The target's entry
        rule sees the move's ``at`` and ``context``. Every reason for a
        refusal is reported at once and nothing is recorded.

        Raises:
            TransitionError: the move is not allowed or requirements are unmet.
            ValidationError: a bad ``at`` or ``actor``.
        """
        funnel = self.funnel(funnel_key)
        field = self._stage_field(funnel_key)
        if field is None:
            fail("funnel", funnel_key, f"{type(self).__name__} does not move in this funnel")
        current = str(getattr(self, field))
        staged = self._record(*before) if before else self
        if not funnel.allows_freely(current, to_stage):
            reasons = funnel.refusals(staged, current, to_stage, at=at, context=context)
            if reasons:
                raise TransitionError(self.id, current, to_stage, reasons)
        move = StageChanged(
            subject_id=self.id,
            at=at,
            actor=actor,
            funnel=funnel_key,
            from_stage=current,
            to_stage=to_stage,
            reason=reason,
        )
        return staged._record(move, *after)

    # --- stage questions (folds over history) ------------------------------------------

    def stage_history(self, funnel: Funnel | str) -> tuple[StageVisit, ...]:
        """Every stay in every stage of ``funnel``, oldest first."""
        return stage_visits(self.history, funnel)

    def time_in_stage(
        self,
        funnel: Funnel | str,
        stage: str,
        *,
        at: datetime | None = None,
        latest: bool = False,
    ) -> timedelta:
        """Total time spent in ``stage`` (or only the latest stay).

        Args:
            funnel: The funnel or its key.
            stage: The stage key.
            at: The present; needed when the item is still in ``stage``.
            latest: Only the latest stay.

        Returns:
            The time, zero if never in the stage.

        Raises:
            ValidationError: the item is in ``stage`` and ``at`` is missing.
        """
        return _time_in_stage(self.history, funnel, stage, at=at, latest=latest)

    def time_in_stages(
        self, funnel: Funnel | str, *, at: datetime | None = None
    ) -> dict[str, timedelta]:
        """Total time in each stage visited, in order of first entry."""
        return _time_in_stages(self.history, funnel, at=at)

    def moves(self, funnel: Funnel | str) -> int:
        """How many moves the item made in ``funnel`` (the entry not counted)."""
        return _move_count(self.history, funnel)

    def is_stale(self, funnel: Funnel | str, *, at: datetime) -> bool:
        """Whether the item has sat in its stage of ``funnel`` past the rotting age."""
        f = funnel if isinstance(funnel, Funnel) else self.funnel(funnel)
        return _is_stale(self.history, f, at=at)

    @property
    def created_at(self) -> datetime:
        """When the aggregate was created (its first event)."""
        if not self.history:
            raise ValidationError.single("history", (), "the aggregate has no history")
        return self.history[0].at

    @property
    def updated_at(self) -> datetime:
        """When the aggregate last changed (its latest event)."""
        if not self.history:
            raise ValidationError.single("history", (), "the aggregate has no history")
        return self.history[-1].at
