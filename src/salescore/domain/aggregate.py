"""The base of every aggregate: a frozen object with a version and its history.

An aggregate (a lead, a deal, a case…) changes only by recording events.
A transition method validates its input, builds its events and hands them to
:meth:`Aggregate._record`, which checks that time does not go backwards,
folds each event into the state with :meth:`Aggregate._apply` and returns a
new object whose ``version`` has advanced by the number of events. A refused
transition raises before anything is recorded, so nothing is half-changed.
Because state is only ever changed by folding events,
``type(x).from_events(x.history) == x`` for every aggregate ``x``.

A subclass declares its fields once, in a :class:`Fields` table (field →
normaliser, editable or refused and why, personal data or not, carried by the
creation event or not); from it the base derives normalising construction,
:meth:`Aggregate.update`, the state built from the creation event and the
checks of a replayed edit. Beside the table a subclass provides:

* ``_apply(event)``: the field changes an event of its own makes (the base
  handles :class:`StageChanged` and :class:`FieldsChanged`);
* ``stage_fields`` (class variable): funnel key → the attribute holding the
  current stage in that funnel (or override ``_stage_field`` when the funnel
  varies per item, as a deal's pipeline does);
* ``stage_funnels`` (class variable): funnel key → the :class:`Funnel`
  (or override ``funnel(key)`` when the funnel varies per item);
* its own creation method (``new``/``open``) and transitions, which call
  :meth:`Aggregate._create`, :meth:`Aggregate._emit` and :meth:`Aggregate._move`.

Guide: :doc:`/aggregates`.
"""

from __future__ import annotations

import operator
import re
import types
import warnings
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar, Final, Self, TypeVar

import attrs

from salescore._codegen import slot_copier
from salescore._validation import Checker, fail, line_ok
from salescore.domain import _fields as fld
from salescore.domain._fields import Normaliser
from salescore.domain.custom_fields import CustomFieldSchema
from salescore.domain.events import (
    Event,
    FieldsChanged,
    StageChanged,
    _fast_event_check,
    _prechecked,
)
from salescore.domain.stages import Funnel, StageVisit, stage_visits
from salescore.domain.stages import is_stale as _is_stale
from salescore.domain.stages import move_count as _move_count
from salescore.domain.stages import time_in_stage as _time_in_stage
from salescore.domain.stages import time_in_stages as _time_in_stages
from salescore.errors import FieldError, TransitionError, ValidationError, shown
from salescore.frozen import _sealer

__all__ = ["Aggregate", "FieldSpec", "Fields", "Normaliser"]

_EDITABLE: dict[type, frozenset[str]] = {}
#: Class → how :meth:`Aggregate._evolved` copies it (``None``: through its constructor).
_COPIERS: dict[type, _Copier | None] = {}
_FIXED: Final = {
    "id": "cannot be changed",
    "version": "cannot be changed",
    "history": "cannot be changed",
}
E = TypeVar("E", bound=Event)


@attrs.frozen
class FieldSpec:
    """One row of a :class:`Fields` table: how a field is checked and who may change it.

    Attributes:
        normalise: ``(value, path, region) -> normal value``; raises a
            :class:`~salescore.errors.ValidationError` naming ``path``.
            Should return its argument itself when it is already normal.
        refused: Why :meth:`Aggregate.update` may not change the field
            (shown to the caller), or ``None`` when it is editable.
        personal: Whether the field holds personal data (erasure blanks it).
        erased: What a personal field becomes when erased.
        initial: Whether the creation event carries the field (``False``:
            only a transition sets it).
    """

    normalise: Normaliser
    refused: str | None = attrs.field(default=None, kw_only=True)
    personal: bool = attrs.field(default=False, kw_only=True)
    erased: Any = attrs.field(default=None, kw_only=True)
    initial: bool = attrs.field(default=True, kw_only=True)


class Fields(Mapping[str, FieldSpec]):
    """The declarative field table of an aggregate: field name → :class:`FieldSpec`.

    A plain normaliser stands for an editable, non-personal field carried by
    the creation event. ``id``, ``version`` and ``history`` are never editable.

    Args:
        specs: Field name → :class:`FieldSpec` or normaliser.
        created: The creation event class; it has an attribute for every
            ``initial`` field.
        region: The field holding the default phone region (``"country"``),
            passed to every normaliser; ``None``: no region.
        is_normal: An optional cheap check of an object's fields: when it
            returns ``True`` every field is already valid and normal, and
            constructing the object skips the normalisers.

    Example:
        >>> from salescore.domain.normalisers import opt_text, req_text
        >>> status = FieldSpec(opt_text, refused="use move_to()")
        >>> table = Fields({"name": req_text, "status": status})
        >>> sorted(table.editable), table.refusals["status"]
        (['name'], 'use move_to()')
    """

    __slots__ = (
        "_specs",
        "created",
        "editable",
        "initial",
        "is_normal",
        "normalisers",
        "personal",
        "refusals",
        "region",
    )

    def __init__(
        self,
        specs: Mapping[str, FieldSpec | Normaliser],
        *,
        created: type[Event] | None = None,
        region: str | None = None,
        is_normal: Callable[[Any], bool] | None = None,
    ) -> None:
        table = {n: s if isinstance(s, FieldSpec) else FieldSpec(s) for n, s in specs.items()}
        self._specs: Mapping[str, FieldSpec] = table
        self.created = created
        self.region = region
        self.is_normal = is_normal
        #: Field name → normaliser, for every field.
        self.normalisers: Mapping[str, Normaliser] = {n: s.normalise for n, s in table.items()}
        #: Field name → normaliser, for the fields :meth:`Aggregate.update` may change.
        self.editable: Mapping[str, Normaliser] = {
            n: s.normalise for n, s in table.items() if s.refused is None
        }
        #: Field name → why it cannot be edited (``id``, ``version``, ``history`` included).
        self.refusals: Mapping[str, str] = {
            **{n: s.refused for n, s in table.items() if s.refused is not None},
            **_FIXED,
        }
        #: The fields the creation event carries, in table order.
        self.initial: tuple[str, ...] = tuple(n for n, s in table.items() if s.initial)
        #: Personal field → the value it becomes when erased.
        self.personal: Mapping[str, Any] = {n: s.erased for n, s in table.items() if s.personal}

    def __getitem__(self, name: str) -> FieldSpec:
        return self._specs[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._specs)

    def __len__(self) -> int:
        return len(self._specs)

    def __repr__(self) -> str:
        return f"Fields({dict(self._specs)!r})"

    def normalise(
        self,
        values: Mapping[str, Any],
        *,
        subject: str,
        region: str | None = None,
        schema: CustomFieldSchema | None = None,
    ) -> dict[str, Any]:
        """Normalise ``values``, raising once with every problem (unknown names included).

        Raises:
            ValidationError: every bad or unknown field at once.
        """
        return fld.normalise(
            self.normalisers, values, subject=subject, region=region, schema=schema
        )

    def normalise_self(self, obj: Any) -> None:
        """Normalise an object's fields in place (for ``__attrs_post_init__``).

        Raises:
            ValidationError: every bad field at once.
        """
        if self.is_normal is not None and self.is_normal(obj):
            return
        region = None if self.region is None else getattr(obj, self.region)
        fld.normalise_self(obj, self.normalisers, region if type(region) is str else None)


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
    #: Funnel key → the :class:`Funnel` itself, for an aggregate whose funnels
    #: are fixed (one whose funnel varies per item overrides :meth:`funnel`).
    stage_funnels: ClassVar[Mapping[str, Funnel]] = {}
    #: The aggregate's field table (empty: the subclass checks its own fields).
    field_table: ClassVar[Fields] = Fields({})

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

    def __attrs_post_init__(self) -> None:
        table = type(self).field_table
        if table:
            table.normalise_self(self)

    # --- to be provided by subclasses ------------------------------------------

    def _stage_field(self, funnel_key: str) -> str | None:
        """The attribute holding the current stage in ``funnel_key`` (``None``: none)."""
        return self.stage_fields.get(funnel_key)

    @classmethod
    def _created(cls, event: Event) -> Self:
        """Build the state right after the creation event (without history).

        Derived from the table: the event must be of its ``created`` class and
        carries every ``initial`` field. Override for anything else.
        """
        table = cls.field_table
        if table.created is None:
            raise NotImplementedError(f"{cls.__name__} must implement _created")
        if type(event) is not table.created:
            words = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", cls.__name__).lower()
            article = "an" if words[0] in "aeiou" else "a"
            raise ValidationError.single(
                "history[0]",
                type(event).__name__,
                f"{article} {words}'s history starts with {table.created.__name__}",
            )
        values = {n: getattr(event, n) for n in table.initial}
        if table.is_normal is not None:
            copier = cls._state_copier()
            if copier is not None and copier.build is not None:
                # the event's values are sealed already; normal ones need no constructor
                obj: Self = copier.build(event.subject_id, values)
                if table.is_normal(obj):
                    return obj
        return cls(id=event.subject_id, **values)

    @classmethod
    def _state_copier(cls) -> _Copier | None:
        """The copier building a state the table's ``is_normal`` accepts, without the constructor.

        By default the class's own copier (``None`` when the class checks
        more than its table after construction); a class whose ``is_normal``
        covers those checks too may return one.
        """
        return _copier(cls)

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
        """Fields a recorded :class:`FieldsChanged` may touch.

        With a table: the editable fields and those the creation event
        carries (an operation of the aggregate's own may record an edit of
        one :meth:`update` refuses); never a field only a transition sets.
        """
        known = _EDITABLE.get(cls)
        if known is None:
            fixed = cls._fixed_fields()
            if cls.field_table:
                known = frozenset(
                    n
                    for n, spec in cls.field_table.items()
                    if (spec.refused is None or spec.initial) and n not in fixed
                )
            else:
                known = frozenset(
                    f.name for f in attrs.fields(cls) if f.init and f.name not in fixed
                )
            _EDITABLE[cls] = known
        return known

    def funnel(self, key: str) -> Funnel:
        """Return the funnel object for ``key`` (from :attr:`stage_funnels` unless overridden).

        Raises:
            ValidationError: the aggregate does not move in that funnel.
        """
        found = self.stage_funnels.get(key)
        if found is None:
            known = ", ".join(sorted(self.stage_funnels)) or "none"
            fail(
                "funnel",
                key,
                f"is not a funnel {type(self).__name__} moves in (its funnels: {known})",
            )
        return found

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
        fresh = owned  # ``obj`` is new and held by nobody: it may change in place
        for i in range(start, len(history)):
            event = history[i]
            try:
                changes = obj._checked_changes(event, last, i == 1, editable)
                for name, value in changes.items():
                    if getattr(obj, name) != value:
                        obj = obj._evolved(changes, in_place=fresh)
                        fresh = True
                        break
            except ValidationError as exc:
                if path is None:
                    raise
                raise exc.prefixed(f"{path}[{i}]") from None
            last = event
        if obj is self and not owned:
            obj = self._evolved({})
        history = history if type(history) is tuple else tuple(history)
        object.__setattr__(obj, "history", history)
        object.__setattr__(obj, "version", len(history))
        return obj

    def _evolved(self, changes: Mapping[str, Any], *, in_place: bool = False) -> Self:
        """A copy of this (valid) state with ``changes``, checking only the changed fields.

        Equal to ``attrs.evolve(self, **changes)``, with the same errors: the
        changed fields go through the table's normalisers (in table order,
        every problem reported at once); the others are already normal, so
        their normalisers would return them unchanged. A class with an
        ``__attrs_post_init__`` of its own (cross-field checks), and a change
        of the table's region field, go through the constructor instead.

        ``in_place``: this object is new and held by nobody (a replay's own
        state), so when the copier applies, the changes are set on it rather
        than on a copy; when a change is refused, nothing is set.

        Raises:
            ValidationError: every bad changed field at once.
        """
        copier = _copier(type(self))
        if (
            copier is None
            or copier.region in changes
            or not changes.keys() <= copier.setters.keys()
        ):
            return attrs.evolve(self, **changes)
        new: Self = copier.copy(self, changes, self if in_place else None)
        return new

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
        return cls._born(cls._created(created), created, entries)

    @classmethod
    def _born(cls, obj: Self, created: Event, entries: Sequence[tuple[Funnel, str]]) -> Self:
        """Finish ``obj``, the state right after ``created``, with its history and entries.

        ``obj`` is new and held by nobody else, so it is finished in place, as
        a replay's state is.
        """
        object.__setattr__(obj, "version", 1)
        object.__setattr__(obj, "history", (created,))
        if not entries:
            return obj
        at, subject_id, actor = created.at, created.subject_id, created.actor
        for f, stage in entries:
            reasons = f.refusals(obj, None, stage, at=at)
            if reasons:
                raise TransitionError(obj.id, None, stage, reasons)
        events = [_stage_changed(subject_id, at, actor, f.key, None, stage) for f, stage in entries]
        return obj._fold((created, *events), 1, None, owned=True)

    @classmethod
    def _normal_birth(
        cls, values: Mapping[str, Any], id: Any, at: Any, actor: Any
    ) -> tuple[Self, Event] | None:
        """The state and creation event for ``values`` valid and normal already, else ``None``.

        The common case of creation, without the normalisers and the
        constructors: ``id``, ``at`` (in UTC) and ``actor`` plain, exactly
        the table's initial fields given, the state built from them passing
        the table's ``is_normal``, and the event its own cheap check. Both are
        then what the constructors would build (sealed alike). ``None``: take
        the general path, which reports every problem.
        """
        birth = _births(cls)
        if (
            birth is None
            or type(at) is not datetime
            or at.tzinfo is not UTC
            or type(id) is not str
            or not line_ok(id)
            or type(actor) is not str
            or not line_ok(actor)
            or len(values) != len(birth.initial)
            or not values.keys() <= birth.names
        ):
            return None
        obj: Self = birth.build(id, values)
        if not birth.is_normal(obj):
            return None
        try:
            birth.seal_state(obj)
            event = birth.event(id, at, actor, *birth.values(obj))
            birth.seal_event(event)
            if not birth.event_ok(event):
                return None
        except (ValidationError, ValueError):
            return None  # the general path says what is wrong
        return obj, event

    @classmethod
    def _create(
        cls,
        values: Mapping[str, Any],
        *,
        id: str,
        at: datetime,
        actor: str,
        entries: Sequence[tuple[Funnel, str]] = (),
        region: str | None = None,
        schema: CustomFieldSchema | None = None,
        check: Callable[[Mapping[str, Any]], None] | None = None,
        event_fields: Mapping[str, Any] | None = None,
    ) -> Self:
        """Validate ``values`` by the table and create the aggregate from them.

        Records the table's creation event (``subject_id=id``, ``at``,
        ``actor`` and the normal values), then a :class:`StageChanged` from
        no stage for each funnel entry, as :meth:`_new` does.

        Args:
            values: The initial field values (names not in the table are refused).
            id: The new aggregate's id.
            at: When.
            actor: Who.
            entries: ``(funnel, stage)`` for each funnel it starts in.
            region: The default phone region for the normalisers.
            schema: Custom field schema the ``custom`` value is checked against.
            check: Called with the normal values once every one is valid, for
                rules across fields (raise a ``ValidationError``).
            event_fields: More fields of the creation event that are not in
                the table (a deal's pipeline), passed as given.

        Returns:
            The new aggregate.

        Raises:
            ValidationError: every bad or unknown value at once.
            TransitionError: a funnel refuses an entry.
        """
        table = cls.field_table
        if table.created is None:
            raise NotImplementedError(f"{cls.__name__}.field_table names no creation event")
        if schema is None and region is None and not event_fields and _table_built(cls):
            born = cls._normal_birth(values, id, at, actor)
            if born is not None:
                if check is not None:
                    check(dict(values))
                return cls._born(*born, entries)
        normal = table.normalise(values, subject=cls.__name__, region=region, schema=schema)
        if check is not None:
            check(normal)
        if event_fields:
            normal.update(event_fields)
        return cls._new(table.created(subject_id=id, at=at, actor=actor, **normal), entries)

    # --- events ----------------------------------------------------------------------

    def _event(self, kind: type[E], *, at: datetime, actor: str, **fields: Any) -> E:
        """Build an event of this aggregate: ``kind(subject_id=self.id, at=at, actor=actor, …)``."""
        return kind(subject_id=self.id, at=at, actor=actor, **fields)

    def _emit(self, kind: type[Event], *, at: datetime, actor: str, **fields: Any) -> Self:
        """Record one event of ``kind`` (built by :meth:`_event`); return the new state."""
        return self._record(self._event(kind, at=at, actor=actor, **fields))

    # --- editing -------------------------------------------------------------------

    def update(self, *, at: datetime, actor: str, reason: str | None = None, **fields: Any) -> Self:
        """Edit fields, recording one ``FieldsChanged`` (nothing if no value differs).

        Values are normalised by the table; refused and unknown fields are
        refused, every problem reported at once and nothing recorded.

        Args:
            at: When.
            actor: Who.
            reason: Why, if given.
            **fields: Field name → new value.

        Returns:
            The updated aggregate (``self`` when nothing differs).

        Raises:
            ValidationError: every bad, unknown or refused field at once.
        """
        return self._update(fields, at=at, actor=actor, reason=reason)

    def _update(
        self,
        changes: Mapping[str, Any],
        *,
        at: datetime,
        actor: str,
        reason: str | None = None,
        region: str | None = None,
        schema: CustomFieldSchema | None = None,
    ) -> Self:
        """Check ``changes`` against the table and record them as one ``FieldsChanged``.

        A field the table refuses is refused with the table's reason; a name
        not in the table is refused as unknown. ``region`` defaults to the
        (new) value of the table's region field.

        Raises:
            ValidationError: every bad, unknown or refused field at once.
        """
        table = type(self).field_table
        if region is None and table.region is not None:
            value = changes.get(table.region, getattr(self, table.region))
            region = value if isinstance(value, str) else None
        result: Self = fld.edit(
            self,
            table.editable,
            changes,
            at=at,
            actor=actor,
            reason=reason,
            region=region,
            schema=schema,
            refused=table.refusals,
        )
        return result

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
        return self._emit(FieldsChanged, at=at, actor=actor, changes=pairs, reason=reason)

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
        if type(self)._event is _BASE_EVENT:
            move = _stage_changed(self.id, at, actor, funnel_key, current, to_stage, reason)
        else:
            move = self._event(
                StageChanged,
                at=at,
                actor=actor,
                funnel=funnel_key,
                from_stage=current,
                to_stage=to_stage,
                reason=reason,
            )
        if staged is self:
            return self._record(move, *after)
        # ``staged`` is new (the ``before`` events made it) and held by nobody: finish it in place
        return staged._fold((*staged.history, move, *after), staged.version, None, owned=True)

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


def _copier(cls: type[Aggregate]) -> _Copier | None:
    """The copier of ``cls`` (made once), or ``None`` when its constructor must run."""
    try:
        return _COPIERS[cls]
    except KeyError:
        copier = _COPIERS[cls] = _Copier.of(cls)
        return copier


class _Copier:
    """Copies one aggregate class's instances, normalising only the changed fields."""

    __slots__ = ("build", "clone", "cls", "order", "region", "setters", "table")

    def __init__(
        self, cls: type[Aggregate], slots: Mapping[str, types.MemberDescriptorType]
    ) -> None:
        self.cls = cls
        self.table = cls.field_table
        self.region = self.table.region
        #: Field name → the setter of its slot (a frozen class refuses ``setattr``).
        self.setters: Mapping[str, Callable[[Any, Any], None]] = {
            name: slot.__set__ for name, slot in slots.items()
        }
        #: ``obj -> copy``: a new object holding ``obj``'s values, slot by slot.
        self.clone: Callable[[Any], Any] = slot_copier(cls)
        self.order = {name: i for i, name in enumerate(self.table.normalisers)}
        #: ``(id, values) -> object`` of the creation event's ``values`` and
        #: every other field at its default, unchecked (``None``: a field
        #: outside the event has no default that can be made without the object).
        self.build: Callable[[str, Mapping[str, Any]], Any] | None = self._builder()

    def _builder(self) -> Callable[[str, Mapping[str, Any]], Any] | None:
        initial = set(self.table.initial)
        namespace: dict[str, Any] = {"_new": object.__new__, "_cls": self.cls}
        lines = ["def build(id, values):\n    new = _new(_cls)\n"]
        for i, f in enumerate(attrs.fields(self.cls)):
            if f.name == "id":
                value = "id"
            elif f.name in initial:
                value = f"values[{f.name!r}]"
            elif isinstance(f.default, attrs.Factory) and not f.default.takes_self:  # type: ignore[arg-type]
                namespace[f"_make{i}"] = f.default.factory
                value = f"_make{i}()"
            elif f.default is not attrs.NOTHING and not isinstance(f.default, attrs.Factory):  # type: ignore[arg-type]
                namespace[f"_default{i}"] = f.default
                value = f"_default{i}"
            else:
                return None
            namespace[f"_set{i}"] = self.setters[f.name]
            lines.append(f"    _set{i}(new, {value})\n")
        lines.append("    return new\n")
        code = compile("".join(lines), f"<creation of {self.cls.__qualname__}>", "exec")
        exec(code, namespace)
        build: Callable[[str, Mapping[str, Any]], Any] = namespace["build"]
        return build

    @classmethod
    def of(cls, kind: type[Aggregate]) -> _Copier | None:
        """The copier of ``kind``, or ``None`` when its constructor must run.

        The constructor is skipped only when the ``__attrs_post_init__`` that
        ``kind`` runs is the base's (it checks nothing but the field table),
        and no field has an attrs validator or converter or is left out of
        ``__init__``.
        """
        owner = next(k for k in kind.__mro__ if "__attrs_post_init__" in k.__dict__)
        if owner is not Aggregate:
            return None
        if any(f.validator or f.converter or not f.init for f in attrs.fields(kind)):
            return None
        slots = cls.slots_of(kind)
        if not all(type(slot) is types.MemberDescriptorType for slot in slots.values()):
            return None
        return cls(kind, slots)

    @staticmethod
    def slots_of(kind: type[Aggregate]) -> dict[str, Any]:
        """Field name → the descriptor of its slot (found along ``kind``'s MRO)."""
        return {
            f.name: next(k.__dict__[f.name] for k in kind.__mro__ if f.name in k.__dict__)
            for f in attrs.fields(kind)
        }

    def copy(self, obj: Any, changes: Mapping[str, Any], into: Any = None) -> Any:
        """``obj`` with ``changes``, the changed table fields normalised.

        ``into``: ``obj`` itself, to change it in place (only for an object
        nobody else holds); by default a new object.

        Raises:
            ValidationError: every bad changed field at once, in table order.
        """
        normalisers = self.table.normalisers
        checked = [n for n in changes if n in normalisers]
        if checked:
            if len(checked) > 1:
                checked.sort(key=self.order.__getitem__)
            region = None if self.region is None else getattr(obj, self.region)
            region = region if type(region) is str else None
            changes = dict(changes)
            errors: list[FieldError] = []
            for name in checked:
                try:
                    changes[name] = normalisers[name](changes[name], name, region)
                except ValidationError as exc:
                    errors.extend(exc.errors)
            if errors:
                raise ValidationError(errors, self.cls.__name__)
        setters = self.setters
        new = obj if into is obj else self.clone(obj)
        for name, value in changes.items():
            setters[name](new, value)
        return new


_new_stage: Final = _prechecked(StageChanged)


def _stage_changed(
    subject_id: Any,
    at: Any,
    actor: Any,
    funnel: Any,
    from_stage: Any,
    to_stage: Any,
    reason: Any = None,
) -> StageChanged:
    """``StageChanged(...)`` of these values, built directly when the constructor would keep them.

    Plain values (one-line text, ``at`` in UTC, a printable reason) are
    valid and normal as they are: the event is then exactly what the
    constructor builds, without its checks. Anything else goes through the
    constructor, which refuses or normalises it as always.
    """
    if (
        type(at) is datetime
        and at.tzinfo is UTC
        and type(subject_id) is str
        and line_ok(subject_id)
        and type(actor) is str
        and line_ok(actor)
        and type(funnel) is str
        and line_ok(funnel)
        and (from_stage is None or (type(from_stage) is str and line_ok(from_stage)))
        and type(to_stage) is str
        and line_ok(to_stage)
        and (reason is None or (type(reason) is str and reason.isprintable()))
    ):
        built: StageChanged = _new_stage(
            subject_id, at, actor, funnel, from_stage, to_stage, reason
        )
        return built
    return StageChanged(
        subject_id=subject_id,
        at=at,
        actor=actor,
        funnel=funnel,
        from_stage=from_stage,
        to_stage=to_stage,
        reason=reason,
    )


@attrs.frozen
class _Birth:
    """How :meth:`Aggregate._normal_birth` builds one class's state and creation event."""

    #: The initial fields, in the order of the creation event's fields.
    initial: tuple[str, ...]
    names: frozenset[str]
    #: ``obj -> (value, …)``: the object's initial values, in that order.
    values: Callable[[Any], tuple[Any, ...]]
    build: Callable[[str, Mapping[str, Any]], Any]
    is_normal: Callable[[Any], bool]
    seal_state: Callable[[Any], None]
    event: Callable[..., Any]
    seal_event: Callable[[Any], None]
    event_ok: Callable[[Any], bool]


_BIRTHS: dict[type, _Birth | None] = {}


def _births(cls: type[Aggregate]) -> _Birth | None:
    """The birth plan of ``cls`` (made once), or ``None`` when its creation needs the general path.

    It needs a table with ``is_normal`` and a creation event, a state
    copier that can build, and a creation event whose fields are exactly the
    base ones and the table's initial ones, checked by the event base alone;
    both constructors must set their fields as given.
    """
    try:
        return _BIRTHS[cls]
    except KeyError:
        pass
    birth = None
    table = cls.field_table
    created = table.created
    copier = cls._state_copier()
    if (
        table.is_normal is not None
        and created is not None
        and copier is not None
        and copier.build is not None
        and created.__attrs_post_init__ is Event.__attrs_post_init__
        and created._check is Event._check
        and _set_as_given(cls)
        and _set_as_given(created)
    ):
        fields = tuple(f.name for f in attrs.fields(created) if f.init)
        own = fields[3:]
        if (
            fields[:3] == ("subject_id", "at", "actor")
            and len(own) == len(table.initial)
            and set(own) == set(table.initial)
        ):
            birth = _Birth(
                initial=own,
                names=frozenset(table.initial),
                values=_getter(own),
                build=copier.build,
                is_normal=table.is_normal,
                seal_state=_sealer(cls),
                event=_prechecked(created),
                seal_event=_sealer(created),
                event_ok=_fast_event_check(created),
            )
    _BIRTHS[cls] = birth
    return birth


def _getter(names: tuple[str, ...]) -> Callable[[Any], tuple[Any, ...]]:
    """``obj -> (obj.<name>, …)`` for ``names``, always a tuple."""
    if len(names) > 1:
        return operator.attrgetter(*names)
    return lambda obj: tuple(getattr(obj, n) for n in names)


def _set_as_given(cls: type) -> bool:
    """Whether the constructor of attrs class ``cls`` sets every field as given.

    That is: no converter, no validator, no field left out of ``__init__``.
    """
    return not any(f.validator or f.converter or not f.init for f in attrs.fields(cls))


def _table_built(cls: type[Aggregate]) -> bool:
    """Whether ``cls`` builds its state after creation as the base does (from the table)."""
    return getattr(cls._created, "__func__", None) is _BASE_CREATED


_BASE_CREATED: Final = Aggregate.__dict__["_created"].__func__
_BASE_EVENT: Final = Aggregate._event
