"""What the SQL stores share: table layout, statements and row preparation.

Every repository is a table named after it: the key (``id``, a product's
``code``, a setting's ``key``), ``version``, ``document`` (the object's
``salescore.to_json`` text) and one column per indexed field. The event log
is ``events(position, repository, subject_id, document)``. Values are
always bound as parameters; identifiers come only from the catalog.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager
from typing import Any, Final

import attrs

from salescore.domain.events import Event
from salescore.errors import ConcurrencyError
from salescore.rules._values import apply_function
from salescore.serialization import from_json, to_json
from salescore.storage._catalog import REPOSITORIES, Spec, column_value
from salescore.storage._people import PersonRequests
from salescore.storage._query import Query, Sql, keyset, order_clause
from salescore.storage._unit import SETTINGS, Rewrite, Unit, Write, check_position
from salescore.storage.protocols import EventRecord

__all__ = [
    "ADDED_COLUMNS",
    "ALL_SPECS",
    "Decoded",
    "PreparedWrites",
    "SqlStore",
    "decode",
    "prepare",
    "scan_batches",
    "schema_message",
    "statements",
]

ALL_SPECS: Final = (*REPOSITORIES.values(), SETTINGS)


def decode(spec: Spec, document: str) -> Any:
    """The stored object of ``spec`` from its document text."""
    if spec is SETTINGS:
        return document
    return from_json(spec.cls, document)


class Decoded:
    """Decoded objects by (repository, key), reused while the stored text is the same.

    Stored objects are immutable, so an object decoded once serves every later
    read of the very same document text (compared in full, so a rewritten
    document is always decoded afresh). At most ``size`` objects are kept,
    the oldest dropped first; ``size=0`` turns it off.
    """

    def __init__(self, size: int) -> None:
        self._size = size
        self._items: dict[tuple[str, str], tuple[str, Any]] = {}
        self._lock = threading.Lock()

    def get(self, spec: Spec, key: str, document: str) -> Any:
        """The object of ``document`` (stored under ``key``)."""
        if not self._size:
            return decode(spec, document)
        hit = self._items.get((spec.name, key))
        if hit is not None and hit[0] == document:
            return hit[1]
        obj = decode(spec, document)
        self.put(spec, key, document, obj)
        return obj

    def put(self, spec: Spec, key: str, document: str, obj: Any) -> None:
        """Remember ``obj`` as the object of ``document``."""
        if not self._size:
            return
        with self._lock:
            self._items.pop((spec.name, key), None)
            self._items[(spec.name, key)] = (document, obj)
            while len(self._items) > self._size:
                del self._items[next(iter(self._items))]


@attrs.frozen
class PreparedWrites:
    """The statements of one commit, grouped by table, ready to bind.

    Attributes:
        inserts: table → (statement, rows).
        updates: table → (statement, rows); each row ends with key and
            expected version.
        events: (repository, subject id, document) per new event.
        documents: (spec, key, document, object) per write, to remember
            the decoded objects once committed.
    """

    inserts: dict[str, tuple[str, list[tuple[Any, ...]]]]
    updates: dict[str, tuple[str, list[tuple[Any, ...]]]]
    events: list[tuple[str, str, str]]
    documents: list[tuple[Spec, str, str, Any]]
    rewrites: list[tuple[str, str, list[str]]] = attrs.field(factory=list)

    def rewrite_events(self, execute: Callable[[str, tuple[Any, ...]], Any], mark: str) -> None:
        """Replace logged events in place (erasure), inside the caller's transaction.

        Args:
            execute: Runs a statement and returns a cursor.
            mark: The parameter placeholder.

        Raises:
            ConcurrencyError: a subject has another number of logged events.
        """
        select = (
            "SELECT position FROM events WHERE repository = ? AND subject_id = ? ORDER BY position"
        ).replace("?", mark)
        update = "UPDATE events SET document = ? WHERE position = ?".replace("?", mark)
        for repository, subject, documents in self.rewrites:
            positions = [row[0] for row in execute(select, (repository, subject)).fetchall()]
            if len(positions) != len(documents):
                raise ConcurrencyError(
                    f"{repository} item {subject!r} has {len(positions)} logged events, "
                    f"not {len(documents)}"
                )
            for position, document in zip(positions, documents, strict=True):
                execute(update, (document, position))


def _subjects(writes: list[Write]) -> dict[str, str]:
    return {w.key: w.spec.name for w in writes}


def prepare(
    writes: list[Write], events: list[Event], mark: str, rewrites: Sequence[Rewrite] = ()
) -> PreparedWrites:
    """Serialise the writes and events of a commit (outside any transaction).

    Args:
        writes: The buffered writes.
        events: The new events, in order.
        mark: The parameter placeholder (``?`` or ``%s``).
    """
    inserts: dict[str, tuple[str, list[tuple[Any, ...]]]] = {}
    updates: dict[str, tuple[str, list[tuple[Any, ...]]]] = {}
    documents = []
    for w in writes:
        spec = w.spec
        doc = w.obj if spec is SETTINGS else to_json(w.obj)
        documents.append((spec, w.key, doc, w.obj))
        values = tuple(column_value(w.obj, c) for c in spec.columns)
        names = [c.name for c in spec.columns]
        if w.insert:
            if spec.name not in inserts:
                cols = [spec.key, "version", "document", *names]
                marks = ", ".join(mark for _ in cols)
                stmt = f"INSERT INTO {spec.name} ({', '.join(cols)}) VALUES ({marks})"
                inserts[spec.name] = (stmt, [])
            inserts[spec.name][1].append((w.key, w.version, doc, *values))
        else:
            if spec.name not in updates:
                sets = ", ".join(f"{n} = {mark}" for n in ["version", "document", *names])
                stmt = (
                    f"UPDATE {spec.name} SET {sets} WHERE {spec.key} = {mark} AND version = {mark}"
                )
                updates[spec.name] = (stmt, [])
            updates[spec.name][1].append((w.version, doc, *values, w.key, w.expected))
    owners = _subjects(writes)
    rows = [(owners.get(e.subject_id, ""), e.subject_id, to_json(e)) for e in events]
    redone = [(r.repository, r.subject_id, [to_json(e) for e in r.events]) for r in rewrites]
    return PreparedWrites(inserts, updates, rows, documents, redone)


def scan_batches(
    spec: Spec,
    query: Query,
    exclude: frozenset[str],
    mark: str,
    fetch: Callable[[str, tuple[Any, ...]], list[tuple[Any, ...]]],
    decoded: Decoded,
    batch: int = 256,
) -> Iterator[tuple[int, Any]]:
    """Rows in the query's order, fetched in keyset batches, as (version, object).

    Args:
        spec: The repository.
        query: The checked query (its prefilter narrows the SQL).
        exclude: Keys to leave out (written in the unit of work).
        mark: The parameter placeholder.
        fetch: Runs a statement and returns its rows.
        decoded: Decodes documents (reusing earlier decodings).
        batch: Rows per round trip (grows up to the query's limit).
    """
    col = query.column.name
    size = batch if query.limit is None else max(min(query.limit + 1 + len(exclude), 5000), 1)
    current = query
    while True:
        parts: list[Sql] = []
        if current.prefilter is not None:
            parts.append(current.prefilter)
        after = keyset(current, spec.key)
        if after is not None:
            parts.append(after)
        where = " AND ".join(f"({p.text})" for p in parts)
        params: tuple[Any, ...] = tuple(x for p in parts for x in p.params)
        sql = (
            f"SELECT version, document, {col}, {spec.key} FROM {spec.name}"
            + (f" WHERE {where}" if where else "")
            + f" {order_clause(current, spec.key)} LIMIT {int(size)}"
        )
        if mark != "?":
            sql = sql.replace("?", mark)
        rows = fetch(sql, params)
        for version, document, _, key in rows:
            if key not in exclude:
                yield version, decoded.get(spec, key, document)
        if len(rows) < size:
            return
        last = rows[-1]
        current = attrs.evolve(current, after=(last[2], last[3]))
        size = min(size * 4, 5000)


def schema_message(found: int | None, latest: int) -> str | None:
    """What is wrong with a database's schema version, or ``None`` if nothing."""
    if found is None:
        return "the database has no salescore schema: call store.migrate() once"
    if found < latest:
        return (
            f"the database schema is at version {found}, older than the version {latest} "
            "this salescore uses: call store.migrate() to upgrade it"
        )
    if found > latest:
        return (
            f"the database schema is at version {found}, newer than the version {latest} "
            "this salescore knows: upgrade salescore"
        )
    return None


#: The column each migration adds to a table that may hold rows: (repository, column path).
ADDED_COLUMNS: Final = {2: ("leads", "domain"), 3: ("leads", "lower(email)")}


def fill_columns(version: int, execute: Callable[[str, tuple[Any, ...]], Any], mark: str) -> None:
    """Fill the column a migration added from what is stored (after its script).

    Version 2 added the leads' ``domain``: each stored lead is decoded and
    its value written. Version 3 added ``lower(email)`` (``email_lower``):
    it is computed from the ``email`` column in Python, as rules compute
    ``lower()`` (SQLite's ``lower()`` changes only ASCII letters). Both run
    inside the migration's transaction.
    """
    if version not in ADDED_COLUMNS:
        return
    name, path = ADDED_COLUMNS[version]
    spec = REPOSITORIES[name]
    column = spec.by_path[path]
    update = f"UPDATE {name} SET {column.name} = ? WHERE {spec.key} = ?".replace("?", mark)
    if column.function is None:
        found = execute(f"SELECT {spec.key}, document FROM {name}", ()).fetchall()
        values = [(column_value(decode(spec, doc), column), key) for key, doc in found]
    else:
        source = spec.by_path[column.field].name
        select = f"SELECT {spec.key}, {source} FROM {name} WHERE {source} IS NOT NULL"
        found = execute(select, ()).fetchall()
        values = [(apply_function(column.function, text), key) for key, text in found]
    for value, key in values:
        if value is not None:
            execute(update, (value, key))


def statements(script: str) -> list[str]:
    """The statements of a migration script (``;``-separated, ``--`` comment lines)."""
    lines = [ln for ln in script.splitlines() if not ln.lstrip().startswith("--")]
    return [s.strip() for s in "\n".join(lines).split(";") if s.strip()]


class SqlStore(PersonRequests):
    """What the SQL stores share: reads, the event log and units of work.

    A subclass provides :meth:`_fetch` (run a read, return rows) and
    :meth:`_write` (apply prepared writes in one transaction, return the
    position of the last new event), and sets ``_mark`` and ``_decoded``.
    """

    _mark: str = "?"
    _decoded: Decoded
    #: Whether a unit of work keeps one connection from its first read to its end.
    _pin: bool = False

    def _connection(self) -> AbstractContextManager[Any]:
        raise NotImplementedError

    def _fetch(self, sql: str, params: tuple[Any, ...], conn: Any = None) -> list[tuple[Any, ...]]:
        raise NotImplementedError

    def _write(self, prepared: PreparedWrites, conn: Any = None) -> int:
        raise NotImplementedError

    def unit_of_work(self) -> Unit:
        """A unit of work (see the protocols' ``UnitOfWork``)."""
        return Unit(_SqlSession(self))

    def events_since(self, position: int, *, limit: int | None = None) -> Iterator[EventRecord]:
        """Committed events after ``position``, in commit order (read in batches).

        Args:
            position: 0 for everything; a record's ``position`` to continue.
            limit: At most this many.

        Returns:
            An iterator of :class:`~salescore.storage.protocols.EventRecord`.

        Raises:
            ValidationError: a negative or non-int position, a limit below 1.
        """
        check_position(position, limit)
        return self._events(position, limit)

    def _events(self, position: int, limit: int | None) -> Iterator[EventRecord]:
        left = limit
        sql = (
            "SELECT position, document FROM events WHERE position > ? ORDER BY position LIMIT ?"
        ).replace("?", self._mark)
        while left is None or left > 0:
            size = 1000 if left is None else min(left, 1000)
            rows = self._fetch(sql, (position, size))
            for pos, doc in rows:
                yield EventRecord(pos, from_json(Event, doc))
            if len(rows) < size:
                return
            position = rows[-1][0]
            if left is not None:
                left -= len(rows)

    def last_position(self) -> int:
        """The position of the latest committed event (0 when there is none)."""
        rows = self._fetch("SELECT max(position) FROM events", ())
        return int(rows[0][0] or 0)


class _SqlSession:
    def __init__(self, store: SqlStore) -> None:
        self._store = store
        self._held: AbstractContextManager[Any] | None = None
        self._conn: Any = None

    def _connection(self) -> Any:
        if self._store._pin and self._held is None:
            held = self._store._connection()
            self._conn = held.__enter__()
            self._held = held
        return self._conn

    def _fetch(self, sql: str, params: tuple[Any, ...]) -> list[tuple[Any, ...]]:
        return self._store._fetch(sql, params, self._connection())

    def load(self, spec: Spec, key: str) -> tuple[int, Any] | None:
        sql = f"SELECT version, document FROM {spec.name} WHERE {spec.key} = ?"
        rows = self._fetch(sql.replace("?", self._store._mark), (key,))
        if not rows:
            return None
        return int(rows[0][0]), self._store._decoded.get(spec, key, rows[0][1])

    def scan(self, spec: Spec, query: Query, exclude: frozenset[str]) -> Iterator[tuple[int, Any]]:
        store = self._store
        return scan_batches(spec, query, exclude, store._mark, self._fetch, store._decoded)

    def keys(self, spec: Spec) -> list[str]:
        return [r[0] for r in self._fetch(f"SELECT {spec.key} FROM {spec.name}", ())]

    def commit(
        self, writes: list[Write], events: list[Event], rewrites: list[Rewrite]
    ) -> tuple[EventRecord, ...]:
        store = self._store
        # A fixed order of row writes: two units never wait for each other in a cycle.
        ordered = sorted(writes, key=lambda w: (w.spec.name, w.key))
        prepared = prepare(ordered, events, store._mark, rewrites)
        last = store._write(prepared, self._connection())
        for spec, key, doc, obj in prepared.documents:
            store._decoded.put(spec, key, doc, obj)
        first = last - len(events) + 1
        return tuple(map(EventRecord, range(first, first + len(events)), events))

    def close(self) -> None:
        held, self._held, self._conn = self._held, None, None
        if held is not None:
            held.__exit__(None, None, None)
