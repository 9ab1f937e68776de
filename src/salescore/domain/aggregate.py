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
* ``stage_fields`` (class variable): funnel key → the attribute holding the
  current stage in that funnel (or override ``_stage_field`` when the funnel
  varies per item, as a deal's pipeline does);
* ``funnel(key)``: the :class:`Funnel` object for a funnel key.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any, ClassVar, Self

import attrs

from salescore._validation import Checker, fail
from salescore.domain.events import Event, FieldsChanged, StageChanged
from salescore.domain.stages import Funnel, StageVisit, stage_visits
from salescore.domain.stages import is_stale as _is_stale
from salescore.domain.stages import move_count as _move_count
from salescore.domain.stages import time_in_stage as _time_in_stage
from salescore.domain.stages import time_in_stages as _time_in_stages
from salescore.errors import FieldError, TransitionError, ValidationError, shown

__all__ = ["Aggregate"]

_EDITABLE: dict[type, frozenset[str]] = {}


@attrs.frozen(kw_only=True)
class Aggregate:
    """Base class of event-sourced, immutable aggregates.

    Attributes:
        id: The aggregate's id.
        version: The number of events in ``history``.
        history: Every event, oldest first; starts with the creation event.
    """

    #: Funnel key → the attribute holding the aggregate's current stage in
    #: that funnel (public; an aggregate whose funnel varies per item, as a
    #: deal's pipeline does, overrides ``_stage_field`` instead).
    stage_fields: ClassVar[Mapping[str, str]] = {}

    id: str
    version: int = attrs.field(default=0, repr=False)
    history: tuple[Event, ...] = attrs.field(default=(), repr=False)

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        legacy = cls.__dict__.get("_stage_fields")
        if legacy is not None and "stage_fields" not in cls.__dict__:
            warnings.warn(
                f"{cls.__name__}._stage_fields is deprecated: name the map stage_fields",
                DeprecationWarning,
                stacklevel=2,
            )
            cls.stage_fields = legacy

    # --- to be provided by subclasses ------------------------------------------

    def _stage_field(self, funnel_key: str) -> str | None:
        """The attribute holding the current stage in ``funnel_key`` (``None``: none)."""
        return self.stage_fields.get(funnel_key)

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
        fail("_type", type(event).__name__, f"{type(self).__name__} cannot apply this event")

    @classmethod
    def _fixed_fields(cls) -> frozenset[str]:
        """Fields a :class:`FieldsChanged` may not touch: identity, history, stages."""
        return frozenset({"id", "version", "history", *cls.stage_fields.values()})

    @classmethod
    def _editable_fields(cls) -> frozenset[str]:
        known = _EDITABLE.get(cls)
        if known is None:
            fixed = cls._fixed_fields()
            known = frozenset(f.name for f in attrs.fields(cls) if f.init and f.name not in fixed)
            _EDITABLE[cls] = known
        return known

    def funnel(self, key: str) -> Funnel:
        """Return the funnel object for ``key``.

        Raises:
            ValidationError: the aggregate does not move in that funnel.
        """
        fail("funnel", key, f"{type(self).__name__} has no funnels")

    # --- replay and recording ----------------------------------------------------

    @classmethod
    def from_events(cls, events: Iterable[Event]) -> Self:
        """Rebuild an aggregate by replaying its history, in time linear in its length.

        Args:
            events: The history, creation event first.

        Returns:
            The aggregate, equal to the one that recorded these events.

        Raises:
            ValidationError: the history is empty or inconsistent; the path
                names the first event that disagrees (``events[3].from_stage``).
        """
        if isinstance(events, str | bytes | Mapping) or not isinstance(events, Iterable):
            fail("events", events, "must be a sequence of events")
        return cls._from_history(tuple(events), "events")

    @classmethod
    def _from_history(cls, events: Sequence[Event], path: str = "history") -> Self:
        """Replay ``events``; errors are reported under ``path[i]``."""
        if not events:
            fail(path, (), "a history needs at least its creation event")
        first = events[0]
        if not isinstance(first, Event):
            fail(f"{path}[0]", first, "must be an event")
        try:
            obj = cls._created(first)
        except ValidationError as exc:
            raise ValidationError(
                [
                    FieldError(f"{path}[0]{e.path.removeprefix('history[0]')}", e.value, e.message)
                    if e.path.startswith("history[0]")
                    else e.prefixed(f"{path}[0]")
                    for e in exc.errors
                ],
                exc.subject,
            ) from None
        object.__setattr__(obj, "version", 1)  # a new object nobody else holds
        object.__setattr__(obj, "history", (first,))
        return obj._fold(events, 1, path, owned=True)

    def _record(self, *events: Event) -> Self:
        """Fold ``events`` into a new state; nothing changes if any is refused."""
        if not events:
            return self
        return self._fold((*self.history, *events), len(self.history), None)

    def _fold(
        self, history: Sequence[Event], start: int, path: str | None, *, owned: bool = False
    ) -> Self:
        """Apply ``history[start:]`` to this state (which holds ``history[:start]``).

        Each event is checked against the state it meets: same subject, not
        earlier than the last event, a stage move from the current stage, an
        edit of editable fields from their current values. The history tuple
        is built once, so replay is linear in its length. ``owned``: this
        object is new and held by nobody else, so it may be finished in place.
        """
        obj = self
        last = history[start - 1] if start else None
        editable = self._editable_fields()
        for i in range(start, len(history)):
            event = history[i]
            try:
                changes = obj._checked_changes(event, last, i == 1, editable)
                for name, value in changes.items():
                    if getattr(obj, name) != value:
                        obj = attrs.evolve(obj, **changes)
                        break
            except ValidationError as exc:
                if path is None:
                    raise
                raise exc.prefixed(f"{path}[{i}]") from None
            last = event
        if obj is self and not owned:
            obj = attrs.evolve(self)
        history = history if type(history) is tuple else tuple(history)
        object.__setattr__(obj, "history", history)
        object.__setattr__(obj, "version", len(history))
        return obj

    def _checked_changes(
        self, event: Any, last: Event | None, after_creation: bool, editable: frozenset[str]
    ) -> dict[str, Any]:
        if not isinstance(event, Event):
            fail("", event, "must be an event")
        if event.subject_id != self.id:
            fail("subject_id", event.subject_id, f"event belongs to another item, not {self.id}")
        if last is not None and event.at < last.at:
            fail(
                "at",
                event.at,
                f"is earlier than the last event ({last.at.isoformat()}): "
                "events of one item never go back in time",
            )
        if isinstance(event, StageChanged) and type(event) is StageChanged:
            field = self._stage_field(event.funnel)
            if field is None:
                fail("funnel", event.funnel, f"{type(self).__name__} has no such funnel")
            if event.from_stage is None:
                entering = type(last) is StageChanged and last.from_stage is None
                if not (entering or after_creation):
                    fail("from_stage", None, "only the entries at creation come from no stage")
            elif event.from_stage != str(getattr(self, field)):
                fail(
                    "from_stage",
                    event.from_stage,
                    f"disagrees with the current stage {str(getattr(self, field))!r}",
                )
            if event.to_stage not in self.funnel(event.funnel):
                fail("to_stage", event.to_stage, f"is not a stage of {event.funnel!r}")
        elif isinstance(event, FieldsChanged) and type(event) is FieldsChanged:
            for name, (old, _) in event.changes.items():
                if name not in editable:
                    fail(
                        f"changes.{name}",
                        name,
                        f"is not an editable field of {type(self).__name__}",
                    )
                if getattr(self, name) != old:
                    fail(
                        f"changes.{name}",
                        old,
                        f"old value disagrees with the current one ({shown(getattr(self, name))})",
                    )
        return self._apply(event)

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
            self._check_when(at, actor)
            return self
        return self._record(
            FieldsChanged(subject_id=self.id, at=at, actor=actor, changes=pairs, reason=reason)
        )

    def _check_when(self, at: Any, actor: Any) -> None:
        """Check ``at`` and ``actor`` as an event would (for changes that record nothing)."""
        with Checker(type(self).__name__) as c:
            c.text(actor, "actor")
            c.aware(at, "at")
            if not c.errors and self.history and at < self.history[-1].at:
                c.add("at", at, "is earlier than the last event: events never go back in time")

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
