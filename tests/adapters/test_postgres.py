"""The PostgreSQL store passes the conformance kit against a real server.

The server comes from ``SALESCORE_TEST_POSTGRES`` (a libpq conninfo). Without
it the tests are skipped locally; under CI (``CI`` set) they fail.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator

import pytest

from salescore.domain.leads import Lead
from salescore.serialization import to_json
from salescore.storage._sql import statements
from salescore.storage.protocols import Store
from salescore.testing.storage import StoreConformance

from .test_sqlite import T0, _upgrade, upgrade_from_version_2, version_2_rows

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


@pytest.fixture(scope="module")
def conninfo() -> Iterator[str]:
    info = _require_server()
    import psycopg

    # A fresh database for this module, dropped afterwards.
    name = f"salescore_test_{os.getpid()}"
    with psycopg.connect(info, autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {name}")
        admin.execute(f"CREATE DATABASE {name} ENCODING 'UTF8' TEMPLATE template0")
    yield f"{info} dbname={name}"
    with psycopg.connect(info, autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


class TestPostgresStore(StoreConformance):
    @pytest.fixture
    def store_factory(self, conninfo: str) -> Callable[[], Store]:
        from salescore.storage import PostgresStore

        def make() -> Store:
            store = PostgresStore(conninfo, max_size=4)
            store.migrate()
            with store._pool.connection() as conn:
                conn.execute(f"TRUNCATE {TABLES} RESTART IDENTITY")
            return store

        return make


def test_a_version_1_database_says_so_and_migrate_upgrades(conninfo: str) -> None:
    import psycopg

    from salescore.storage import PostgresStore
    from salescore.storage.postgres import MIGRATIONS

    name = f"salescore_old_{os.getpid()}"
    with psycopg.connect(conninfo, autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {name}")
        admin.execute(f"CREATE DATABASE {name} ENCODING 'UTF8' TEMPLATE template0")
    old = f"{conninfo} dbname={name}"
    try:
        lead = Lead.new(id="lead-1", at=T0, actor="t", email="ana@acme.io", domain="acme.io")
        with psycopg.connect(old, autocommit=True) as conn:
            conn.execute("CREATE TABLE salescore_schema (version INTEGER NOT NULL)")
            for stmt in statements(MIGRATIONS[0][1]):
                conn.execute(stmt.encode("utf-8"))
            conn.execute("INSERT INTO salescore_schema (version) VALUES (1)")
            conn.execute(
                "INSERT INTO leads (id, version, document) VALUES (%s, %s, %s)",
                (lead.id, lead.version, to_json(lead)),
            )
        _upgrade(PostgresStore(old, max_size=2), lead)
    finally:
        with psycopg.connect(conninfo, autocommit=True) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def test_a_version_2_database_migrates_and_finds_duplicates_up_to_case(conninfo: str) -> None:
    import psycopg

    from salescore.storage import PostgresStore
    from salescore.storage.postgres import MIGRATIONS

    name = f"salescore_v2_{os.getpid()}"
    with psycopg.connect(conninfo, autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {name}")
        admin.execute(f"CREATE DATABASE {name} ENCODING 'UTF8' TEMPLATE template0")
    old = f"{conninfo} dbname={name}"
    insert, rows = version_2_rows("%s")
    try:
        with psycopg.connect(old, autocommit=True) as conn:
            conn.execute("CREATE TABLE salescore_schema (version INTEGER NOT NULL)")
            for _, script in MIGRATIONS[:2]:
                for stmt in statements(script):
                    conn.execute(stmt.encode("utf-8"))
            conn.execute("INSERT INTO salescore_schema (version) VALUES (2)")
            conn.cursor().executemany(insert.encode("utf-8"), rows)
        upgrade_from_version_2(PostgresStore(old, max_size=2))
    finally:
        with psycopg.connect(conninfo, autocommit=True) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
