"""The unit of work and repositories that every adapter shares.

An adapter supplies a :class:`Session` (reads, and one atomic ``commit`` of
the buffered writes); this module does the rest the same way for all of
them: it remembers the version at which each item was read, buffers writes
(reads in the same unit see them), checks ``find``'s arguments, evaluates
rules in Python over what the session returns, pages with keyset cursors,
and collects the new events in the order they were saved.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
from types import TracebackType
from typing import Any, Generic, Protocol, TypeVar, overload

import attrs

from salescore._validation import fail
from salescore.domain.aggregate import Aggregate
from salescore.domain.events import Event
from salescore.domain.interactions import Interaction
from salescore.errors import ConcurrencyError, NotFound, StorageError
from salescore.rules import Rule
from salescore.serialization import from_json, to_json
from salescore.storage._catalog import REPOSITORIES, Spec, column_value, key_of
from salescore.storage._query import Query, build_query, is_after, order_rows
from salescore.storage.protocols import EventRecord, Page

__all__ = ["SETTINGS", "Rewrite", "Session", "Unit", "Write", "check_position"]

T = TypeVar("T")

#: The pseudo-spec of settings: documents (JSON text) by key.
SETTINGS = Spec("settings", str, "document", (), key="key")


def check_position(position: Any, limit: Any) -> None:
    """Refuse a bad ``events_since`` position or limit (a ValidationError naming it)."""
    if isinstance(position, bool) or not isinstance(position, int) or position < 0:
        fail("position", position, "must be a non-negative int")
    if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int) or limit < 1):
        fail("limit", limit, "must be a positive int or None")


@attrs.define
class Write:
    """A buffered write of one item: insert it, or update it from ``expected``."""

    spec: Spec
    key: str
    insert: bool
    expected: int
    version: int
    obj: Any


@attrs.frozen
class Rewrite:
    """Logged events replaced in place (erasure): the first ``len(events)`` of a subject."""

    repository: str
    subject_id: str
    events: tuple[Event, ...]


class Session(Protocol):
    """What an adapter provides for one unit of work."""

    def load(self, spec: Spec, key: str) -> tuple[int, Any] | None:
        """``(version, object)`` of a stored item, or ``None``."""
        ...

    def scan(self, spec: Spec, query: Query, exclude: frozenset[str]) -> Iterator[tuple[int, Any]]:
        """Stored items in the query's order after its cursor, ``exclude`` left out.

        May leave out items that fail the query's SQL prefilter; must not
        leave out any other.
        """
        ...

    def keys(self, spec: Spec) -> list[str]:
        """Every stored key of a repository."""
        ...

    def commit(
        self, writes: list[Write], events: list[Event], rewrites: list[Rewrite]
    ) -> tuple[EventRecord, ...]:
        """Apply the writes, append the events and rewrite logged ones atomically.

        Raises:
            ConcurrencyError: an insert found the key taken, an update found
                another version, or a rewrite found another number of
                logged events; nothing is written.
        """
        ...

    def close(self) -> None:
        """End the session (after commit or without one: a rollback)."""
        ...


R = TypeVar("R")

#: The rewrites of a unit that has none (shared, never appended to).
_NO_REWRITES: list[Rewrite] = []


class _Cached(Generic[R]):
    """A repository attribute of a unit, made on first use (no lock: a unit has one thread)."""

    def __init__(self, make: Callable[[Unit, Spec], R], spec: Spec) -> None:
        self._make = make
        self._spec = spec
        self._name = spec.name

    def __set_name__(self, owner: type, name: str) -> None:
        self._name = name

    @overload
    def __get__(self, unit: None, owner: type) -> _Cached[R]: ...

    @overload
    def __get__(self, unit: Unit, owner: type) -> R: ...

    def __get__(self, unit: Unit | None, owner: type) -> R | _Cached[R]:
        if unit is None:
            return self
        repo = self._make(unit, self._spec)
        unit.__dict__[self._name] = repo
        return repo


class _Repository(Generic[T]):
    def __init__(self, unit: Unit, spec: Spec) -> None:
        self._unit = unit
        self._spec = spec

    def __repr__(self) -> str:
        return f"<{self._spec.name} repository>"

    def get(self, key: str) -> T:
        """The item with this key.

        Raises:
            NotFound: there is none.
        """
        return self._unit._get(self._spec, key)[1]  # type: ignore[no-any-return]

    def find(
        self,
        where: str | Rule | None = None,
        *,
        order_by: str = "id",
        limit: int | None = None,
        after: str | None = None,
        at: datetime | None = None,
    ) -> Page[T]:
        """Items for which ``where`` is TRUE, one page at a time (see the protocols)."""
        return self._unit._find(self._spec, where, order_by, limit, after, at)


class _Aggregates(_Repository[T]):
    def add(self, item: T) -> None:
        """Store a new aggregate (``ConcurrencyError`` at commit if the id exists)."""
        unit = self._unit
        spec = self._spec
        if not unit._open:
            unit._check_open()
        if type(item) is not spec.cls:
            unit._check_type(spec, item)
        agg: Aggregate = item  # type: ignore[assignment]
        history = agg.history
        version = agg.version
        if version != len(history) or not history:
            fail("version", version, "must equal the length of a non-empty history")
        unit._add(spec, item, version, agg.id)
        unit._events.extend(history)

    def save(self, item: T, expected_version: int | None = None) -> None:
        """Store the aggregate's events after ``expected_version``."""
        unit = self._unit
        spec = self._spec
        if not unit._open:
            unit._check_open()
        if type(item) is not spec.cls:
            unit._check_type(spec, item)
        agg: Aggregate = item  # type: ignore[assignment]
        key = agg.id
        k = (spec.name, key)
        pending = unit._pending.get(k)
        if expected_version is None and pending is None and k in unit._read:
            expected = unit._read[k]  # the common case of _expected: read in this unit
        else:
            expected = unit._expected(spec, key, expected_version)
        version = agg.version
        if version < expected:
            raise ConcurrencyError(
                f"{spec.name} item {key!r} is at version {version}, "
                f"older than the stored version {expected}"
            )
        if version == expected:
            return
        if pending is None:
            unit._pending[k] = Write(spec, key, False, expected, version, item)
        else:
            pending.obj, pending.version = item, version
        unit._events.extend(agg.history[expected:])


class _Documents(_Repository[T]):
    def add(self, item: T) -> None:
        """Store a new record at version 1."""
        self._unit._add(self._spec, item, 1)

    def version(self, key: str) -> int:
        """The stored version of a record."""
        return self._unit._get(self._spec, key)[0]

    def save(self, item: T, expected_version: int | None = None) -> None:
        """Replace a record whole; its version goes up by one."""
        unit = self._unit
        unit._check_open()
        unit._check_type(self._spec, item)
        key = key_of(self._spec, item)
        pending = unit._pending.get((self._spec.name, key))
        expected = unit._expected(self._spec, key, expected_version)
        version = pending.version if pending is not None else expected + 1
        unit._save(self._spec, item, key, expected, version)


class _Interactions(_Repository[Interaction]):
    def append(self, interaction: Interaction) -> None:
        """Record an interaction (``ConcurrencyError`` at commit if the id exists)."""
        self._unit._add(self._spec, interaction, 1)


class _Settings:
    def __init__(self, unit: Unit, spec: Spec) -> None:
        self._unit = unit
        self._spec = spec

    def __repr__(self) -> str:
        return "<settings repository>"

    def add(self, key: str, value: Any) -> None:
        """Store a new setting at version 1."""
        unit = self._unit
        unit._check_open()
        self._check_key(key)
        k = (self._spec.name, key)
        if k in unit._pending or k in unit._read:
            raise ConcurrencyError(f"setting {key!r} exists already")
        unit._pending[k] = Write(self._spec, key, True, 0, 1, to_json(value))

    def get(self, key: str, cls: type[T]) -> T:
        """The setting under ``key`` read as a ``cls``."""
        return from_json(cls, self._unit._get(self._spec, key)[1])

    def version(self, key: str) -> int:
        """The stored version of a setting."""
        return self._unit._get(self._spec, key)[0]

    def save(self, key: str, value: Any, expected_version: int | None = None) -> None:
        """Replace a setting whole; its version goes up by one."""
        unit = self._unit
        unit._check_open()
        self._check_key(key)
        text = to_json(value)
        pending = unit._pending.get((self._spec.name, key))
        expected = unit._expected(self._spec, key, expected_version)
        version = pending.version if pending is not None else expected + 1
        unit._save(self._spec, text, key, expected, version)

    def keys(self) -> tuple[str, ...]:
        """Every key, in code-point order."""
        unit = self._unit
        unit._check_open()
        stored = set(unit._session.keys(self._spec))
        stored.update(k for (name, k) in unit._pending if name == self._spec.name)
        return tuple(sorted(stored))

    @staticmethod
    def _check_key(key: Any) -> None:
        if not isinstance(key, str) or not key:
            fail("key", key, "must be a non-empty string")


class Unit:
    """A unit of work over a :class:`Session`.

    See :class:`~salescore.storage.protocols.UnitOfWork`.
    """

    #: The new events with their positions, once committed.
    committed: tuple[EventRecord, ...] = ()
    # Class-level defaults, replaced per unit only when needed: an open unit has
    # nothing to rewrite (a list never appended to: sessions only read it).
    _open: bool = True
    _rewrites: list[Rewrite] = _NO_REWRITES

    def __init__(self, session: Session) -> None:
        self._session = session
        self._read: dict[tuple[str, str], int] = {}
        self._pending: dict[tuple[str, str], Write] = {}
        self._events: list[Event] = []

    # -- repositories ---------------------------------------------------------------

    leads: _Cached[_Aggregates[Any]] = _Cached(_Aggregates, REPOSITORIES["leads"])
    """The leads."""

    contacts: _Cached[_Aggregates[Any]] = _Cached(_Aggregates, REPOSITORIES["contacts"])
    """The contacts."""

    accounts: _Cached[_Aggregates[Any]] = _Cached(_Aggregates, REPOSITORIES["accounts"])
    """The accounts."""

    opportunities: _Cached[_Aggregates[Any]] = _Cached(_Aggregates, REPOSITORIES["opportunities"])
    """The opportunities."""

    campaigns: _Cached[_Aggregates[Any]] = _Cached(_Aggregates, REPOSITORIES["campaigns"])
    """The campaigns."""

    campaign_members: _Cached[_Aggregates[Any]] = _Cached(
        _Aggregates, REPOSITORIES["campaign_members"]
    )
    """The campaign members."""

    cases: _Cached[_Aggregates[Any]] = _Cached(_Aggregates, REPOSITORIES["cases"])
    """The service cases."""

    tasks: _Cached[_Aggregates[Any]] = _Cached(_Aggregates, REPOSITORIES["tasks"])
    """The tasks."""

    products: _Cached[_Documents[Any]] = _Cached(_Documents, REPOSITORIES["products"])
    """The products, by code."""

    price_books: _Cached[_Documents[Any]] = _Cached(_Documents, REPOSITORIES["price_books"])
    """The price books."""

    reps: _Cached[_Documents[Any]] = _Cached(_Documents, REPOSITORIES["reps"])
    """The reps."""

    teams: _Cached[_Documents[Any]] = _Cached(_Documents, REPOSITORIES["teams"])
    """The teams."""

    queues: _Cached[_Documents[Any]] = _Cached(_Documents, REPOSITORIES["queues"])
    """The queues."""

    interactions: _Cached[_Interactions] = _Cached(_Interactions, REPOSITORIES["interactions"])
    """The interactions (append-only)."""

    enrollments: _Cached[_Aggregates[Any]] = _Cached(_Aggregates, REPOSITORIES["enrollments"])
    """The cadence enrollments."""

    consent_records: _Cached[_Aggregates[Any]] = _Cached(
        _Aggregates, REPOSITORIES["consent_records"]
    )
    """The consent records."""

    merges: _Cached[_Aggregates[Any]] = _Cached(_Aggregates, REPOSITORIES["merges"])
    """The merges of duplicate records (kept so that they can be undone)."""

    settings: _Cached[_Settings] = _Cached(_Settings, SETTINGS)
    """Configuration documents by key."""

    # -- life cycle -----------------------------------------------------------------

    def _check_open(self) -> None:
        if not self._open:
            raise StorageError("this unit of work is finished; open a new one")

    def commit(self) -> tuple[EventRecord, ...]:
        """Write everything buffered; return the new events with their positions.

        Raises:
            ConcurrencyError: a version check failed; nothing was written.
            StorageError: the backend failed; nothing was written.
        """
        if not self._open:
            self._check_open()
        session = self._session
        committed: tuple[EventRecord, ...] = ()
        try:
            if self._pending or self._events:
                committed = session.commit(
                    list(self._pending.values()), self._events, self._rewrites
                )
        finally:
            self._finish(session, committed)
        return committed

    def rollback(self) -> None:
        """Forget every buffered write."""
        if self._open:
            self._finish(self._session, ())

    def _finish(self, session: Session, committed: tuple[EventRecord, ...]) -> None:
        # A finished unit keeps only its session, that it is finished and what
        # it committed: the buffers go, and with them the repositories made so
        # far, which point back at the unit; so a finished unit is freed by
        # reference counting, without waiting for the garbage collector (a
        # repository kept by the caller still refuses to work, and one asked
        # for anew is made anew). Every operation checks ``_open`` before
        # touching a buffer.
        state: dict[str, Any] = {"_session": session, "_open": False}
        if committed:
            state["committed"] = committed
        self.__dict__ = state
        session.close()

    def __enter__(self) -> Unit:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if not self._open:
            return  # committed or rolled back explicitly inside the block
        if exc_type is None:
            self.commit()
        else:
            self.rollback()

    def _rewrite_history(self, spec: Spec, agg: Aggregate, logged: int) -> None:
        """Replace the ``logged`` events of ``agg`` in the log by ``agg.history[:logged]``."""
        self._check_open()
        if self._rewrites is _NO_REWRITES:
            self._rewrites = []
        self._rewrites.append(Rewrite(spec.name, agg.id, agg.history[:logged]))

    def _replace(self, spec: Spec, obj: Any, key: str) -> None:
        """Replace an item read in this unit in place, keeping its version (erasure)."""
        self._check_open()
        expected = self._expected(spec, key, None)
        self._save(spec, obj, key, expected, expected)

    # -- shared machinery -------------------------------------------------------------

    def _get(self, spec: Spec, key: str) -> tuple[int, Any]:
        if not self._open:
            self._check_open()
        if type(key) is not str and not isinstance(key, str):
            fail(spec.key, key, "must be a string")
        k = (spec.name, key)
        pending = self._pending.get(k)
        if pending is not None:
            return pending.version, pending.obj
        found = self._session.load(spec, key)
        if found is None:
            raise NotFound(f"no {spec.name} item with {spec.key} {key!r}")
        self._read[k] = found[0]
        return found

    def _add(self, spec: Spec, obj: Any, version: int, key: str | None = None) -> None:
        if key is None:
            if not self._open:
                self._check_open()
            if type(obj) is not spec.cls:
                self._check_type(spec, obj)
            key = getattr(obj, spec.key)
            if type(key) is not str:
                key = str(key)  # as key_of makes it
        k = (spec.name, key)
        if k in self._pending or k in self._read:
            raise ConcurrencyError(f"{spec.name} item {key!r} exists already")
        self._pending[k] = Write(spec, key, True, 0, version, obj)

    def _expected(self, spec: Spec, key: str, expected_version: int | None) -> int:
        k = (spec.name, key)
        pending = self._pending.get(k)
        known = pending.version if pending is not None else self._read.get(k)
        if expected_version is None:
            if known is None:
                fail(
                    "expected_version",
                    None,
                    f"{spec.name} item {key!r} was not read in this unit of work: "
                    "pass the version it was read at",
                )
            return known
        if isinstance(expected_version, bool) or not isinstance(expected_version, int):
            fail("expected_version", expected_version, "must be an int or None")
        if expected_version < 0:
            fail("expected_version", expected_version, "must not be negative")
        if known is not None and known != expected_version:
            raise ConcurrencyError(
                f"{spec.name} item {key!r} is at version {known}, not {expected_version}"
            )
        return expected_version

    def _save(self, spec: Spec, obj: Any, key: str, expected: int, version: int) -> None:
        k = (spec.name, key)
        pending = self._pending.get(k)
        if pending is None:
            self._pending[k] = Write(spec, key, False, expected, version, obj)
        else:
            pending.obj, pending.version = obj, version

    @staticmethod
    def _check_type(spec: Spec, obj: Any) -> None:
        if not isinstance(obj, spec.cls):
            fail(spec.name, obj, f"must be a {spec.cls.__name__}")

    def _find(
        self,
        spec: Spec,
        where: str | Rule | None,
        order_by: str,
        limit: int | None,
        after: str | None,
        at: datetime | None,
    ) -> Page[Any]:
        self._check_open()
        query = build_query(spec, where, order_by=order_by, limit=limit, after=after, at=at)
        col = query.column
        mine = [
            (w.version, w.obj)
            for (name, _), w in self._pending.items()
            if name == spec.name and query.matches(w.obj)
        ]
        exclude = frozenset(k for (name, k) in self._pending if name == spec.name)
        want = None if limit is None else limit + 1
        found: list[tuple[int, Any]] = []
        for version, obj in self._session.scan(spec, query, exclude):
            if query.matches(obj):
                found.append((version, obj))
                if want is not None and len(found) >= want:
                    break
        mine = [
            r
            for r in mine
            if is_after(column_value(r[1], col), key_of(spec, r[1]), query.after, query.descending)
        ]
        rows = found + mine
        if mine:
            rows = order_rows(
                rows,
                lambda r: column_value(r[1], col),
                lambda r: key_of(spec, r[1]),
                query.descending,
            )
        cursor = None
        if limit is not None and len(rows) > limit:
            rows = rows[:limit]
            last = rows[-1][1]
            cursor = query.cursor(column_value(last, col), key_of(spec, last))
        for version, obj in rows:
            k = (spec.name, key_of(spec, obj))
            if k not in self._pending:
                self._read[k] = version
        return Page(tuple(obj for _, obj in rows), cursor)
