"""The PostgreSQL store passes the conformance kit against a real server.

The server comes from ``SALESCORE_TEST_POSTGRES`` (a libpq conninfo). Without
it the tests are skipped locally; under CI (``CI`` set) they fail.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator

import pytest

from salescore.storage.protocols import Store
from salescore.testing.storage import StoreConformance

CONNINFO = os.environ.get("SALESCORE_TEST_POSTGRES")
TABLES = (
    "leads, contacts, accounts, opportunities, campaigns, campaign_members, cases, tasks, "
    "products, price_books, reps, teams, queues, interactions, settings, events"
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
