"""The SQLite store passes the conformance kit, in memory and in a file."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from salescore.domain.leads import Lead
from salescore.domain.parties import PartyRef
from salescore.errors import StorageError, ValidationError
from salescore.outreach import ConsentRecord
from salescore.serialization import to_json
from salescore.storage import SQLiteStore
from salescore.storage._sql import statements
from salescore.storage.protocols import Store
from salescore.storage.sqlite import MIGRATIONS, migrations
from salescore.testing.storage import StoreConformance

T0 = datetime(2026, 3, 2, 9, tzinfo=UTC)


def _memory() -> Store:
    store = SQLiteStore(":memory:")
    store.migrate()
    return store


class TestSQLiteInMemory(StoreConformance):
    @pytest.fixture
    def store_factory(self) -> Callable[[], Store]:
        return _memory


class TestSQLiteFile(StoreConformance):
    @pytest.fixture
    def store_factory(self, tmp_path: Path) -> Callable[[], Store]:
        counter = iter(range(10**6))

        def make() -> Store:
            store = SQLiteStore(tmp_path / f"store-{next(counter)}.db")
            store.migrate()
            return store

        return make


def _upgrade(store: Store, lead: Lead) -> None:
    """A store on schema version 1 refuses to work until migrated, then keeps its data."""
    try:
        with pytest.raises(StorageError) as info, store.unit_of_work() as uow:
            uow.leads.get(lead.id)
        assert "schema is at version 1, older than the version 2" in str(info.value)
        assert "call store.migrate() to upgrade it" in str(info.value)
        store.migrate()
        record = ConsentRecord.new(id="consent-1", at=T0, actor="t", party=PartyRef.lead("lead-1"))
        with store.unit_of_work() as uow:
            assert uow.leads.get(lead.id) == lead
            assert uow.leads.find("domain == 'acme.io'").items == (lead,)  # filled in
            uow.consent_records.add(record)
        with store.unit_of_work() as uow:
            assert uow.consent_records.get("consent-1") == record
        store.migrate()  # idempotent at the latest version
    finally:
        store.close()


def test_a_version_1_database_says_so_and_migrate_upgrades(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    lead = Lead.new(id="lead-1", at=T0, actor="t", email="ana@acme.io", domain="acme.io")
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE salescore_schema (version INTEGER NOT NULL)")
        for stmt in statements(MIGRATIONS[0][1]):
            conn.execute(stmt)
        conn.execute("INSERT INTO salescore_schema (version) VALUES (1)")
        conn.execute(
            "INSERT INTO leads (id, version, document) VALUES (?, ?, ?)",
            (lead.id, lead.version, to_json(lead)),
        )
    conn.close()
    _upgrade(SQLiteStore(path), lead)


def test_both_dialects_share_each_migration_but_for_the_column_types() -> None:
    sqlite, postgres = migrations("sqlite"), migrations("postgres")
    assert sqlite == MIGRATIONS
    assert [v for v, _ in sqlite] == [v for v, _ in postgres] == [1, 2]
    for (_, lite), (_, pg) in zip(sqlite, postgres, strict=True):
        assert "$" not in lite + pg
        assert len(statements(lite)) == len(statements(pg))
    first_lite, first_pg = sqlite[0][1].splitlines()[1], postgres[0][1].splitlines()[1]
    assert first_lite.startswith(
        "CREATE TABLE leads (id TEXT PRIMARY KEY, version INTEGER NOT NULL, document TEXT NOT NULL"
    )
    assert first_pg.startswith(
        'CREATE TABLE leads (id text COLLATE "C" PRIMARY KEY, version INTEGER NOT NULL,'
        " document json NOT NULL"
    )
    assert "position INTEGER PRIMARY KEY AUTOINCREMENT" in sqlite[0][1]
    assert "position bigserial PRIMARY KEY" in postgres[0][1]


def test_an_unknown_dialect_is_refused() -> None:
    with pytest.raises(ValidationError, match="dialect") as caught:
        migrations("oracle")
    assert caught.value.errors[0].value == "oracle"
