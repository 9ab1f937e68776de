"""The in-memory store: the default, and the reference every adapter matches.

It keeps the (immutable) objects themselves, so nothing is serialised. Each
unit of work reads one snapshot: the state as of the latest commit when the
unit began, whatever other threads commit meanwhile. Commits are atomic and
serialised by a lock; versions are checked then, as the SQL stores do.

A ``find`` whose rule asks for an indexed column to equal a value (``email
== 'a@b.example'``, ``status in ('new', 'working')``, or such a test within
an ``and``) reads the matching keys from a hash index instead of scanning
the table. A column's index is built on its first such ``find`` and kept in
step with every commit from then on; it is used only when no commit came
after the unit's snapshot (otherwise the table is scanned, as without it).
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable, Iterator
from typing import Any

from salescore.domain.events import Event
from salescore.errors import ConcurrencyError
from salescore.rules import And, Compare, In, Op, Rule, Value
from salescore.storage._catalog import Column, Spec, column_for, column_value
from salescore.storage._people import PersonRequests
from salescore.storage._query import Query, _bind, is_after, order_rows
from salescore.storage._unit import Rewrite, Unit, Write, check_position
from salescore.storage.protocols import EventRecord

__all__ = ["InMemoryStore"]


#: One version of a stored item: ``[seq, version, obj, prev]``, where ``seq``
#: is the commit that wrote it and ``prev`` the row it replaced (kept while an
#: open snapshot may need it, else ``None``). A list: made by C code, and a
#: commit makes one per write.
_Row = list[Any]

_SEQ, _VERSION, _OBJ, _PREV = range(4)


def _at(row: _Row | None, seq: int) -> _Row | None:
    """The version of an item that the snapshot after commit ``seq`` reads."""
    while row is not None and row[_SEQ] > seq:
        row = row[_PREV]
    return row


class _Index:
    """The keys of one table by the value one indexed column holds at the head."""

    __slots__ = ("column", "keys", "value_of")

    def __init__(self, column: Column, table: dict[str, _Row]) -> None:
        self.column = column
        self.keys: dict[Any, set[str]] = {}
        self.value_of: dict[str, Any] = {}
        for key, head in table.items():
            self.put(key, head[_OBJ])

    def put(self, key: str, obj: Any) -> None:
        """Index (or re-index) the item ``key`` now holding ``obj``.

        Raises:
            TypeError: the column's value cannot be hashed.
        """
        value = column_value(obj, self.column)
        hash(value)
        value_of = self.value_of
        if key in value_of:
            old = value_of[key]
            if type(old) is type(value) and old == value:
                return
            keys = self.keys[old]
            keys.discard(key)
            if not keys:
                del self.keys[old]
        value_of[key] = value
        self.keys.setdefault(value, set()).add(key)

    def get(self, values: tuple[Any, ...]) -> set[str]:
        """The keys whose column equals one of ``values``."""
        found: set[str] = set()
        for value in values:
            found.update(self.keys.get(value, ()))
        return found


#: ``EventRecord(*pair)`` for a (position, event) pair, made by C code.
_record: Callable[[tuple[int, Event]], EventRecord] = functools.partial(tuple.__new__, EventRecord)


def _leave(active: dict[int, int], seq: int) -> None:
    """Count one open unit less on the snapshot after commit ``seq`` (under the lock)."""
    n = active[seq] - 1
    if n:
        active[seq] = n
    else:
        del active[seq]


_Wanted = tuple[tuple[Column, tuple[Any, ...]], ...]


def _wanted(rule: Rule | None, spec: Spec) -> _Wanted:
    """Indexed columns and the values each must equal wherever ``rule`` is TRUE.

    Each entry alone narrows the search (the tests of an ``and`` all hold),
    so the most selective one can be used. The values are bound as the SQL
    stores bind them, so an index lookup is never stricter than the rule (the
    rule is still evaluated on every item found). Empty when the rule has no
    such test.
    """
    if isinstance(rule, Compare) and rule.op is Op.EQ:
        column, right = column_for(spec, rule.left), rule.right
        if column is None:
            column, right = column_for(spec, rule.right), rule.left
        if isinstance(right, Value) and column is not None and column.path != spec.key:
            ok, param = _bind(column, right.kind, right.value)
            if ok:
                return ((column, (param,)),)
        return ()
    if isinstance(rule, In) and not rule.negated:
        column = column_for(spec, rule.operand)
        if column is None or column.path == spec.key:
            return ()
        params = []
        for v in rule.values:
            ok, param = _bind(column, v.kind, v.value)
            if not ok:
                return ()  # a value the index cannot look up: it might match
            params.append(param)
        return ((column, tuple(params)),)
    if isinstance(rule, And):
        return tuple(w for part in rule.rules for w in _wanted(part, spec))
    return ()


class InMemoryStore(PersonRequests):
    """A store that keeps everything in this process's memory.

    Safe to share between threads. :meth:`migrate` exists for symmetry with
    the other stores and does nothing: memory needs no schema.

    Example:
        >>> from salescore.storage import InMemoryStore
        >>> store = InMemoryStore()
        >>> with store.unit_of_work() as uow:
        ...     uow.leads.find().items
        ()
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._tables: dict[str, dict[str, _Row]] = {}
        self._events: list[EventRecord] = []
        # (repository, subject id) -> the indexes in the log of its events, oldest
        # first; kept up to date only when a rewrite needs it, from ``_unlogged``:
        # per commit not indexed yet, its first and end index in the log and the
        # repository of each key it wrote.
        self._logged: dict[tuple[str, str], list[int]] = {}
        self._unlogged: list[tuple[int, int, dict[str, str]]] = []
        self._seq = 0
        self._active: dict[int, int] = {}
        # table -> column path -> index; a column that cannot be indexed maps to None
        self._indexes: dict[str, dict[str, _Index | None]] = {}

    def __repr__(self) -> str:
        return f"InMemoryStore(events={len(self._events)})"

    def migrate(self) -> None:
        """Do nothing: an in-memory store needs no schema (idempotent)."""

    def unit_of_work(self) -> Unit:
        """A unit of work reading one snapshot (see the protocols' ``UnitOfWork``)."""
        with self._lock:
            seq = self._seq
            self._active[seq] = self._active.get(seq, 0) + 1
        return Unit(_Session(self, seq))

    def events_since(self, position: int, *, limit: int | None = None) -> Iterator[EventRecord]:
        """Committed events after ``position``, in commit order.

        Args:
            position: 0 for everything; a record's ``position`` to continue.
            limit: At most this many.

        Returns:
            An iterator of :class:`~salescore.storage.protocols.EventRecord`.
        """
        check_position(position, limit)
        with self._lock:
            chunk = self._events[position : None if limit is None else position + limit]
        return iter(chunk)

    def last_position(self) -> int:
        """The position of the latest committed event (0 when there is none)."""
        return len(self._events)

    def close(self) -> None:
        """Nothing to release."""

    # -- used by the session -------------------------------------------------------------

    def _commit(
        self, writes: list[Write], events: list[Event], rewrites: list[Rewrite], session: _Session
    ) -> tuple[EventRecord, ...]:
        """Apply a unit's writes and events atomically; on success the session is closed."""
        tables = self._tables
        with self._lock:
            replaced = self._rewritten(rewrites) if rewrites else ()
            # Every check first, so that nothing is written when one fails.
            heads: list[tuple[dict[str, _Row] | None, _Row | None]] = []
            owners: dict[str, str] = {}
            for w in writes:
                name = w.spec.name
                owners[w.key] = name
                table = tables.get(name)
                current = None if table is None else table.get(w.key)
                if w.insert:
                    if current is not None:
                        raise ConcurrencyError(f"{name} item {w.key!r} exists already")
                elif current is None or current[_VERSION] != w.expected:
                    found = "absent" if current is None else f"at version {current[_VERSION]}"
                    raise ConcurrencyError(
                        f"{name} item {w.key!r} is {found}, not at version {w.expected}"
                    )
                heads.append((table, current))
            seq = self._seq + 1
            active = self._active
            reader = session._seq
            # The committing unit reads no more: it is closed here. When no other
            # unit is open, no snapshot needs the versions this commit replaces.
            _leave(active, reader)
            session._closed = True
            alone = not active
            oldest = seq if alone else min(active)
            all_indexes = self._indexes
            for w, (table, prev) in zip(writes, heads, strict=True):
                if prev is not None:
                    if alone:
                        prev = None
                    elif prev[_SEQ] <= oldest:
                        prev[_PREV] = None  # no open snapshot needs anything older
                if table is None:
                    table = tables.setdefault(w.spec.name, {})
                table[w.key] = [seq, w.version, w.obj, prev]
                if all_indexes:
                    indexes = all_indexes.get(w.spec.name)
                    if indexes:
                        for path, index in indexes.items():
                            if index is not None:
                                try:
                                    index.put(w.key, w.obj)
                                except TypeError:
                                    indexes[path] = None
            self._seq = seq
            log = self._events
            for i, event in replaced:
                log[i] = EventRecord(i + 1, event)
            if not events:
                return ()
            first = len(log)
            records = tuple(map(_record, enumerate(events, first + 1)))
            log.extend(records)
            self._unlogged.append((first, first + len(records), owners))
            return records

    def _rewritten(self, rewrites: list[Rewrite]) -> list[tuple[int, Event]]:
        """The (log index, new event) pairs of ``rewrites``, checked (under the lock)."""
        logged = self._logged
        log = self._events
        for first, end, owners in self._unlogged:
            for i in range(first, end):
                subject = log[i].event.subject_id
                logged.setdefault((owners.get(subject, ""), subject), []).append(i)
        self._unlogged.clear()
        replaced: list[tuple[int, Event]] = []
        for r in rewrites:
            where = logged.get((r.repository, r.subject_id), [])
            if len(where) != len(r.events):
                raise ConcurrencyError(
                    f"{r.repository} item {r.subject_id!r} has {len(where)} logged events, "
                    f"not {len(r.events)}"
                )
            replaced.extend(zip(where, r.events, strict=True))
        return replaced


class _Session:
    __slots__ = ("_closed", "_seq", "_store")

    def __init__(self, store: InMemoryStore, seq: int) -> None:
        self._store = store
        self._seq = seq
        self._closed = False

    def load(self, spec: Spec, key: str) -> tuple[int, Any] | None:
        table = self._store._tables.get(spec.name)
        row = None if table is None else table.get(key)
        if row is not None and row[_SEQ] > self._seq:
            row = _at(row, self._seq)
        return None if row is None else (row[_VERSION], row[_OBJ])

    def _indexed(self, spec: Spec, query: Query) -> list[tuple[str, _Row]] | None:
        """The rows the indexes find for the query, or ``None`` to scan the table."""
        wanted = _wanted(query.rule, spec)
        if not wanted:
            return None
        store = self._store
        with store._lock:
            if store._seq != self._seq:
                return None  # committed since the snapshot: the heads are newer
            table = store._tables.get(spec.name, {})
            indexes = store._indexes.setdefault(spec.name, {})
            best: set[str] | None = None
            for column, values in wanted:
                if column.path in indexes:
                    index = indexes[column.path]
                else:
                    try:
                        index = indexes[column.path] = _Index(column, table)
                    except TypeError:
                        index = indexes[column.path] = None
                if index is not None:
                    keys = index.get(values)
                    if best is None or len(keys) < len(best):
                        best = keys
            if best is None:
                return None
            return [(key, table[key]) for key in best]

    def scan(self, spec: Spec, query: Query, exclude: frozenset[str]) -> Iterator[tuple[int, Any]]:
        col = query.column
        rows = []
        candidates = self._indexed(spec, query)
        if candidates is None:
            candidates = list(self._store._tables.get(spec.name, {}).items())
        by_key = col.path == spec.key  # ordered by the key: the value is the key itself
        for key, head in candidates:
            if key in exclude:
                continue
            row = _at(head, self._seq)
            if row is None:
                continue
            value = key if by_key else column_value(row[_OBJ], col)
            if is_after(value, key, query.after, query.descending):
                rows.append((value, key, row))
        rows = order_rows(rows, lambda r: r[0], lambda r: r[1], query.descending)
        return ((r[2][_VERSION], r[2][_OBJ]) for r in rows)

    def keys(self, spec: Spec) -> list[str]:
        table = self._store._tables.get(spec.name, {})
        return [k for k, row in list(table.items()) if _at(row, self._seq) is not None]

    def commit(
        self, writes: list[Write], events: list[Event], rewrites: list[Rewrite]
    ) -> tuple[EventRecord, ...]:
        return self._store._commit(writes, events, rewrites, self)

    def close(self) -> None:
        if not self._closed:
            self._closed = True
            store = self._store
            seq = self._seq
            with store._lock:
                _leave(store._active, seq)
