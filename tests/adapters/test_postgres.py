"""The PostgreSQL store passes the conformance kit against a real server.

The server comes from ``SALESCORE_TEST_POSTGRES`` (a libpq conninfo). Without
it the tests are skipped locally; under CI (``CI`` set) they fail.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager

import pytest

from salescore.domain.leads import Lead
from salescore.storage._sql import statements
from salescore.storage.protocols import Store
from salescore.testing.storage import StoreConformance

from .test_sqlite import OLD_LEADS, T0, _upgrade, old_rows, upgrade_from_version_2

CONNINFO = os.environ.get("SALESCORE_TEST_POSTGRES")
TABLES = (
    "leads, contacts, accounts, opportunities, campaigns, campaign_members, cases, tasks, "
    "products, price_books, reps, teams, queues, interactions, enrollments, consent_records, "
    "merges, settings, events"
)


def _require_server() -> str:
    if CONNINFO:
        return CONNINFO
    if os.environ.get("CI"):
        pytest.fail("SALESCORE_TEST_POSTGRES is not set: CI must run the PostgreSQL tests")
    pytest.skip("set SALESCORE_TEST_POSTGRES to a libpq conninfo to run the PostgreSQL tests")


@contextmanager
def fresh_database(prefix: str) -> Iterator[str]:
    """A new, empty database on the test server (its conninfo), dropped afterwards."""
    info = _require_server()
    import psycopg

    name = f"{prefix}_{os.getpid()}"
    with psycopg.connect(info, autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {name}")
        admin.execute(f"CREATE DATABASE {name} ENCODING 'UTF8' TEMPLATE template0")
    try:
        yield f"{info} dbname={name}"
    finally:
        with psycopg.connect(info, autocommit=True) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture(scope="module")
def conninfo() -> Iterator[str]:
    with fresh_database("salescore_test") as info:  # one database for this module
        yield info


def emptied_stores(conninfo: str) -> Callable[[], Store]:
    """A function that makes a migrated store on ``conninfo``'s database, emptied."""
    from salescore.storage import PostgresStore

    def make() -> Store:
        store = PostgresStore(conninfo, max_size=4)
        store.migrate()
        with store._pool.connection() as conn:
            conn.execute(f"TRUNCATE {TABLES} RESTART IDENTITY")
        return store

    return make


class TestPostgresStore(StoreConformance):
    @pytest.fixture
    def store_factory(self, conninfo: str) -> Callable[[], Store]:
        return emptied_stores(conninfo)


def _at_version(conninfo: str, version: int, leads: Sequence[Lead]) -> None:
    """The database at schema ``version`` holding ``leads``, as that release wrote it."""
    import psycopg

    from salescore.storage.postgres import MIGRATIONS

    insert, rows = old_rows(version, leads, "%s")
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute("CREATE TABLE salescore_schema (version INTEGER NOT NULL)")
        for _, script in MIGRATIONS[:version]:
            for stmt in statements(script):
                conn.execute(stmt.encode("utf-8"))
        conn.execute("INSERT INTO salescore_schema (version) VALUES (%s)", (version,))
        conn.cursor().executemany(insert.encode("utf-8"), rows)


def test_a_version_1_database_says_so_and_migrate_upgrades() -> None:
    from salescore.storage import PostgresStore

    lead = Lead.new(id="lead-1", at=T0, actor="t", email="ana@acme.io", domain="acme.io")
    with fresh_database("salescore_old") as old:
        _at_version(old, 1, [lead])
        _upgrade(PostgresStore(old, max_size=2), lead)


def test_a_version_2_database_migrates_and_finds_duplicates_up_to_case() -> None:
    from salescore.storage import PostgresStore

    with fresh_database("salescore_v2") as old:
        _at_version(old, 2, OLD_LEADS)
        upgrade_from_version_2(PostgresStore(old, max_size=2))
