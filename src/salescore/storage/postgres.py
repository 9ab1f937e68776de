"""The PostgreSQL store: psycopg 3 with a connection pool, for many processes.

Install with ``pip install 'salescore[postgres]'``. Each repository is a table
with its document (``json``), a ``version`` column and indexed columns; text
compares by code point (``COLLATE "C"``).

Concurrency: a unit of work reads in autocommit mode and writes at commit in
one ``READ COMMITTED`` transaction whose ``UPDATE … WHERE version = expected``
statements are the optimistic check (a concurrent writer's committed change
makes the statement match no row: a ``ConcurrencyError``). ``SERIALIZABLE``
is not used: the version check already guards every aggregate the unit
writes, and serializable isolation would add aborts for reads the unit never
writes back on (every ``find``), which callers would have to retry.

Event positions: a ``bigserial`` is handed out when a row is inserted, not
when its transaction commits, so a reader could see position 11 before 10
commits and skip 10 for ever. Every commit that appends events therefore
takes a transaction-scoped advisory lock right before inserting them; the lock
is held until the commit is done, so positions are handed out in commit order
and a reader that sees a position has already been able to see every smaller
one. Only the short tail of each writing transaction is serialised.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, Final

from salescore.errors import ConcurrencyError, StorageError
from salescore.storage._sql import (
    Decoded,
    PreparedWrites,
    SqlStore,
    fill_columns,
    schema_message,
    statements,
)
from salescore.storage.sqlite import migrations

if TYPE_CHECKING:
    import psycopg
    import psycopg_pool

__all__ = ["MIGRATIONS", "PostgresStore"]

#: The schema versions shipped with this release: (version, SQL script).
MIGRATIONS: Final = migrations("postgres")
LATEST: Final = MIGRATIONS[-1][0]
_EVENTS_LOCK: Final = 0x5A1E5C0E  # advisory lock key: event positions in commit order
_MIGRATE_LOCK: Final = 0x5A1E5C0F


def _drivers() -> tuple[Any, Any]:
    try:
        import psycopg
        import psycopg_pool
    except ImportError as exc:
        raise StorageError(
            "PostgresStore needs psycopg 3 and psycopg_pool: pip install 'salescore[postgres]'"
        ) from exc
    return psycopg, psycopg_pool


# PostgreSQL text cannot hold NUL. Every string bound or stored in a column
# goes through this injective, order-preserving code (NUL → \x01\x01,
# \x01 → \x01\x02), so equality and code-point order are those of Python.
# Documents are JSON, in which both characters are escaped: unchanged.
_ESCAPE = str.maketrans({"\x01": "\x01\x02", "\x00": "\x01\x01"})
_UNESCAPE = re.compile("\x01([\x01\x02])")


def _enc(value: Any) -> Any:
    return value.translate(_ESCAPE) if isinstance(value, str) else value


def _dec(value: Any) -> Any:
    if isinstance(value, str) and "\x01" in value:
        return _UNESCAPE.sub(lambda m: "\x00" if m.group(1) == "\x01" else "\x01", value)
    return value


def _enc_row(row: tuple[Any, ...]) -> tuple[Any, ...]:
    return tuple(_enc(v) for v in row)


def _translate(exc: Exception, what: str) -> StorageError | ConcurrencyError:
    psycopg, _ = _drivers()
    errors = psycopg.errors
    if isinstance(exc, errors.UniqueViolation):
        return ConcurrencyError(f"{what}: an item with this key exists already ({exc})")
    if isinstance(exc, errors.SerializationFailure | errors.DeadlockDetected):
        return ConcurrencyError(f"{what}: a concurrent writer got there first ({exc})")
    return StorageError(f"{what}: {type(exc).__name__}: {exc}")


class PostgresStore(SqlStore):
    """A store in a PostgreSQL database.

    Args:
        conninfo: A libpq connection string (``"host=… dbname=…"`` or a
            ``postgresql://`` URL); the store opens its own pool.
        pool: A ``psycopg_pool.ConnectionPool`` to use instead (the store
            does not close it).
        max_size: Connections in the store's own pool.
        cache_size: How many decoded objects to keep for reuse while their
            stored document is unchanged (0: none).

    Safe to share between threads and processes. Call :meth:`migrate` once
    per database.

    Raises:
        StorageError: psycopg is not installed (``salescore[postgres]``), or
            neither or both of ``conninfo`` and ``pool`` were given.
    """

    def __init__(
        self,
        conninfo: str | None = None,
        *,
        pool: psycopg_pool.ConnectionPool[Any] | None = None,
        max_size: int = 8,
        cache_size: int = 10_000,
    ) -> None:
        psycopg, psycopg_pool = _drivers()
        if (conninfo is None) == (pool is None):
            raise StorageError("PostgresStore needs exactly one of conninfo and pool")
        self._owns_pool = pool is None
        if pool is None:
            pool = psycopg_pool.ConnectionPool(
                conninfo,
                min_size=1,
                max_size=max_size,
                kwargs={"autocommit": True},
                configure=_configure,
                open=True,
            )
        self._pool = pool
        self._checked = False
        self._decoded = Decoded(cache_size)
        self._psycopg = psycopg
        self._mark = "%s"
        self._pin = True  # a unit of work keeps its connection: one pool checkout

    def __repr__(self) -> str:
        return "PostgresStore(...)"

    def _connection(self) -> Any:
        try:
            return self._pool.connection()
        except self._psycopg.Error as exc:
            raise _translate(exc, "connecting") from exc

    def close(self) -> None:
        """Close the store's own pool (a pool passed in is left open)."""
        if self._owns_pool:
            self._pool.close()

    # -- schema ------------------------------------------------------------------------------

    @staticmethod
    def _version(conn: psycopg.Connection[Any]) -> int | None:
        row = conn.execute("SELECT to_regclass('salescore_schema') IS NOT NULL").fetchone()
        if row is None or not row[0]:
            return None
        found = conn.execute("SELECT max(version) FROM salescore_schema").fetchone()
        return None if found is None or found[0] is None else int(found[0])

    def schema_version(self) -> int | None:
        """The database's schema version (``None`` before :meth:`migrate`)."""
        try:
            with self._connection() as conn:
                return self._version(conn)
        except self._psycopg.Error as exc:
            raise _translate(exc, "reading the schema version") from exc

    def migrate(self) -> None:
        """Create the schema or upgrade it to this release's version (idempotent).

        Raises:
            StorageError: the database is newer than this release, or the
                driver failed (nothing is changed then).
        """
        try:
            with self._connection() as conn, conn.transaction():
                conn.execute("SELECT pg_advisory_xact_lock(%s)", (_MIGRATE_LOCK,))
                found = self._version(conn) or 0
                if found > LATEST:
                    raise StorageError(str(schema_message(found, LATEST)))
                if found == 0:
                    conn.execute("CREATE TABLE salescore_schema (version integer NOT NULL)")
                for version, script in MIGRATIONS:
                    if version > found:
                        for stmt in statements(script):
                            conn.execute(stmt.encode("utf-8"))
                        fill_columns(
                            version, lambda sql, p: _Decoding(conn.execute(sql, _enc_row(p))), "%s"
                        )
                        conn.execute(
                            "INSERT INTO salescore_schema (version) VALUES (%s)", (version,)
                        )
        except self._psycopg.Error as exc:
            raise _translate(exc, "migrating the schema") from exc
        self._checked = True

    def _check_schema(self, conn: psycopg.Connection[Any]) -> None:
        if self._checked:
            return
        problem = schema_message(self._version(conn), LATEST)
        if problem is not None:
            raise StorageError(f"PostgreSQL database: {problem}")
        self._checked = True

    # -- reading and writing ------------------------------------------------------------------

    def _fetch(self, sql: str, params: tuple[Any, ...], conn: Any = None) -> list[tuple[Any, ...]]:
        if conn is None:
            with self._connection() as own:
                return self._fetch(sql, params, own)
        try:
            self._check_schema(conn)
            rows = conn.execute(sql.encode("utf-8"), _enc_row(params)).fetchall()
        except self._psycopg.Error as exc:
            raise _translate(exc, "reading") from exc
        return [tuple(_dec(v) for v in row) for row in rows]

    def _write(self, prepared: PreparedWrites, conn: Any = None) -> int:
        if conn is None:
            with self._connection() as own:
                return self._write(prepared, own)
        last = 0
        try:
            self._check_schema(conn)
            with conn.transaction(), conn.cursor() as cur:
                for stmt, rows in prepared.inserts.values():
                    cur.executemany(stmt.encode("utf-8"), [_enc_row(r) for r in rows])
                for table, (stmt, rows) in prepared.updates.items():
                    for row in rows:
                        cur.execute(stmt.encode("utf-8"), _enc_row(row))
                        if cur.rowcount != 1:
                            raise ConcurrencyError(
                                f"{table} item {row[-2]!r} is no longer at version {row[-1]}"
                            )
                prepared.rewrite_events(
                    lambda sql, params: cur.execute(sql.encode("utf-8"), _enc_row(params)), "%s"
                )
                if prepared.events:
                    # Positions in commit order: see the module's docstring.
                    cur.execute("SELECT pg_advisory_xact_lock(%s)", (_EVENTS_LOCK,))
                    cur.executemany(
                        "INSERT INTO events (repository, subject_id, document) VALUES (%s, %s, %s)",
                        [_enc_row(r) for r in prepared.events],
                    )
                    cur.execute("SELECT currval(pg_get_serial_sequence('events', 'position'))")
                    found = cur.fetchone()
                    last = int(found[0]) if found else 0
        except self._psycopg.Error as exc:
            raise _translate(exc, "committing a unit of work") from exc
        return last


class _Decoding:
    """A cursor whose rows come back with stored text unescaped."""

    def __init__(self, cursor: Any) -> None:
        self._cursor = cursor

    def fetchall(self) -> list[tuple[Any, ...]]:
        return [tuple(_dec(v) for v in row) for row in self._cursor.fetchall()]


def _configure(conn: psycopg.Connection[Any]) -> None:
    from psycopg.types.string import TextLoader

    # Documents come back as their JSON text, for salescore.from_json.
    conn.adapters.register_loader("json", TextLoader)
