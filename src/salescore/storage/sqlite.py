"""The SQLite store: the standard library's ``sqlite3``, one file, many processes.

Connections use WAL (readers never wait for the writer), ``synchronous=FULL``
(a committed unit of work survives a power cut) and a busy timeout (a writer
waits for the lock instead of failing). A unit of work reads without a
transaction and writes everything at commit in one ``BEGIN IMMEDIATE``
transaction that checks every version: writers are serialised by SQLite's
lock, so event positions follow commit order.
"""

from __future__ import annotations

import os
import sqlite3
import string
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources
from typing import Any, Final

from salescore.errors import ConcurrencyError, StorageError, ValidationError
from salescore.storage._sql import (
    Decoded,
    PreparedWrites,
    SqlStore,
    fill_columns,
    schema_message,
    statements,
)

__all__ = ["MIGRATIONS", "SQLiteStore", "migrations"]


# The column types of the migration scripts (``$text`` …) in each dialect.
# PostgreSQL compares text byte-wise (``COLLATE "C"``), like SQLite.
_TYPES: Final[dict[str, dict[str, str]]] = {
    "sqlite": {
        "text": "TEXT",
        "json": "TEXT",
        "bigint": "INTEGER",
        "real": "REAL",
        "bool": "INTEGER",
        "serial_key": "INTEGER PRIMARY KEY AUTOINCREMENT",
    },
    "postgres": {
        "text": 'text COLLATE "C"',
        "json": "json",
        "bigint": "bigint",
        "real": "double precision",
        "bool": "boolean",
        "serial_key": "bigserial PRIMARY KEY",
    },
}


def migrations(dialect: str) -> tuple[tuple[int, str], ...]:
    """The migration scripts shipped for ``dialect``: (version, SQL), oldest first.

    Both dialects share one script per version, written with placeholders
    for the column types (``$text``, ``$json``, ``$bigint``, ``$real``,
    ``$bool``, ``$serial_key``).

    Args:
        dialect: ``"sqlite"`` or ``"postgres"``.

    Returns:
        (version, SQL script) pairs, oldest first.

    Raises:
        ValidationError: an unknown dialect.
    """
    types = _TYPES.get(dialect)
    if types is None:
        raise ValidationError.single("dialect", dialect, f"is not one of {sorted(_TYPES)}")
    folder = resources.files("salescore.storage").joinpath("migrations")
    found = []
    for entry in folder.iterdir():
        if entry.name.endswith(".sql"):
            script = string.Template(entry.read_text(encoding="utf-8")).substitute(types)
            found.append((int(entry.name.split("_")[0]), script))
    return tuple(sorted(found))


#: The schema versions shipped with this release: (version, SQL script).
MIGRATIONS: Final = migrations("sqlite")
LATEST: Final = MIGRATIONS[-1][0]


def _translate(exc: sqlite3.Error, what: str) -> StorageError | ConcurrencyError:
    if isinstance(exc, sqlite3.IntegrityError):
        return ConcurrencyError(f"{what}: an item with this key exists already ({exc})")
    return StorageError(f"{what}: {type(exc).__name__}: {exc}")


class SQLiteStore(SqlStore):
    """A store in an SQLite database file (or ``":memory:"``).

    Args:
        path: The database file; ``":memory:"`` for a private in-memory
            database.
        connection: An open ``sqlite3`` connection to use instead of
            ``path`` (the store then uses only this connection, one unit of
            work at a time; it sets the pragmas and autocommit mode on it).
        timeout: Seconds to wait for another writer's lock before failing.
        cache_size: How many decoded objects to keep for reuse while their
            stored document is unchanged (0: none).

    Safe to share between threads: each unit of work borrows a connection.
    Call :meth:`migrate` once per database; opening a migrated file needs no
    call, and opening one at an older schema version raises a
    :class:`~salescore.errors.StorageError` that says so.

    Example:
        >>> from salescore.storage import SQLiteStore
        >>> store = SQLiteStore(":memory:")
        >>> store.migrate()
        >>> store.last_position()
        0
    """

    def __init__(
        self,
        path: str | os.PathLike[str] = ":memory:",
        *,
        connection: sqlite3.Connection | None = None,
        timeout: float = 30.0,
        cache_size: int = 10_000,
    ) -> None:
        self._path = os.fspath(path)
        self._decoded = Decoded(cache_size)
        self._timeout = float(timeout)
        self._lock = threading.Lock()
        self._idle: list[sqlite3.Connection] = []
        self._all: list[sqlite3.Connection] = []
        self._checked = False
        self._closed = False
        self._single: threading.Semaphore | None = None
        if connection is not None or self._path == ":memory:":
            # One connection only: ':memory:' databases are private to theirs.
            conn = connection if connection is not None else self._connect()
            if connection is not None:
                self._configure(conn)
            self._idle.append(conn)
            self._all.append(conn)
            self._single = threading.Semaphore(1)

    def __repr__(self) -> str:
        return f"SQLiteStore({self._path!r})"

    # -- connections -------------------------------------------------------------------

    def _connect(self) -> sqlite3.Connection:
        try:
            conn = sqlite3.connect(
                self._path, timeout=self._timeout, check_same_thread=False, isolation_level=None
            )
            self._configure(conn)
        except sqlite3.Error as exc:
            raise StorageError(f"cannot open SQLite database {self._path!r}: {exc}") from exc
        return conn

    def _configure(self, conn: sqlite3.Connection) -> None:
        conn.isolation_level = None
        conn.execute(f"PRAGMA busy_timeout = {int(self._timeout * 1000)}")
        if self._path != ":memory:":
            conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = FULL")

    @contextmanager
    def _connection(self) -> Iterator[sqlite3.Connection]:
        if self._closed:
            raise StorageError("the store is closed")
        if self._single is not None:
            self._single.acquire()
        with self._lock:
            conn = self._idle.pop() if self._idle else None
        if conn is None:
            conn = self._connect()
            with self._lock:
                self._all.append(conn)
        try:
            yield conn
        finally:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            with self._lock:
                self._idle.append(conn)
            if self._single is not None:
                self._single.release()

    def close(self) -> None:
        """Close every connection the store opened (a passed-in one too)."""
        with self._lock:
            self._closed = True
            for conn in self._all:
                conn.close()
            self._all.clear()
            self._idle.clear()

    # -- schema ----------------------------------------------------------------------

    @staticmethod
    def _version(conn: sqlite3.Connection) -> int | None:
        row = conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'salescore_schema'"
        ).fetchone()
        if row is None:
            return None
        found = conn.execute("SELECT max(version) FROM salescore_schema").fetchone()
        return None if found is None or found[0] is None else int(found[0])

    def schema_version(self) -> int | None:
        """The database's schema version (``None`` before :meth:`migrate`)."""
        with self._connection() as conn:
            try:
                return self._version(conn)
            except sqlite3.Error as exc:
                raise _translate(exc, "reading the schema version") from exc

    def migrate(self) -> None:
        """Create the schema or upgrade it to this release's version (idempotent).

        Raises:
            StorageError: the database is newer than this release, or the
                driver failed (nothing is changed then).
        """
        with self._connection() as conn:
            try:
                conn.execute("BEGIN IMMEDIATE")
                found = self._version(conn) or 0
                if found > LATEST:
                    raise StorageError(schema_message(found, LATEST))
                if found == 0:
                    conn.execute("CREATE TABLE salescore_schema (version INTEGER NOT NULL)")
                for version, script in MIGRATIONS:
                    if version > found:
                        for stmt in statements(script):
                            conn.execute(stmt)
                        fill_columns(version, conn.execute, "?")
                        conn.execute(
                            "INSERT INTO salescore_schema (version) VALUES (?)", (version,)
                        )
                conn.execute("COMMIT")
            except sqlite3.Error as exc:
                raise _translate(exc, "migrating the schema") from exc
        self._checked = True

    def _check_schema(self, conn: sqlite3.Connection) -> None:
        if self._checked:
            return
        try:
            problem = schema_message(self._version(conn), LATEST)
        except sqlite3.Error as exc:
            raise _translate(exc, "reading the schema version") from exc
        if problem is not None:
            raise StorageError(f"SQLite database {self._path!r}: {problem}")
        self._checked = True

    # -- reading and writing ------------------------------------------------------------------

    def _fetch(self, sql: str, params: tuple[Any, ...], conn: Any = None) -> list[tuple[Any, ...]]:
        # Units of work do not keep a connection here (``_pin`` is off): a
        # ':memory:' store has one connection, which concurrent units share.
        with self._connection() as own:
            self._check_schema(own)
            try:
                rows: list[tuple[Any, ...]] = own.execute(sql, params).fetchall()
            except sqlite3.Error as exc:
                raise _translate(exc, "reading") from exc
        return rows

    def _write(self, prepared: PreparedWrites, conn: Any = None) -> int:
        with self._connection() as conn:
            self._check_schema(conn)
            try:
                conn.execute("BEGIN IMMEDIATE")
                for stmt, rows in prepared.inserts.values():
                    conn.executemany(stmt, rows)
                for table, (stmt, rows) in prepared.updates.items():
                    for row in rows:
                        if conn.execute(stmt, row).rowcount != 1:
                            raise ConcurrencyError(
                                f"{table} item {row[-2]!r} is no longer at version {row[-1]}"
                            )
                prepared.rewrite_events(conn.execute, "?")
                last = 0
                if prepared.events:
                    conn.executemany(
                        "INSERT INTO events (repository, subject_id, document) VALUES (?, ?, ?)",
                        prepared.events,
                    )
                    last = int(conn.execute("SELECT last_insert_rowid()").fetchone()[0])
                conn.execute("COMMIT")
            except sqlite3.Error as exc:
                raise _translate(exc, "committing a unit of work") from exc
        return last
