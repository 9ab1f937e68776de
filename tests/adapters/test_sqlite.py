"""The SQLite store passes the conformance kit, in memory and in a file."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from salescore.clock import ManualClock
from salescore.domain.leads import Lead
from salescore.domain.parties import PartyRef
from salescore.errors import StorageError, ValidationError
from salescore.ids import DeterministicIds
from salescore.outreach import ConsentRecord
from salescore.serialization import to_json
from salescore.storage import SQLiteStore
from salescore.storage._catalog import REPOSITORIES, column_value
from salescore.storage._sql import ADDED_COLUMNS, statements
from salescore.storage.protocols import Store
from salescore.storage.sqlite import LATEST, MIGRATIONS, migrations
from salescore.testing.storage import StoreConformance
from salescore.workspace import Workspace

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
        assert f"schema is at version 1, older than the version {LATEST}" in str(info.value)
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


# Leads the duplicate check must find from a capture whose address differs only in case;
# SQLite's lower() would leave the Ü of the second as it is.
OLD_LEADS = (
    Lead.new(id="lead-1", at=T0, actor="t", email="John.Smith@Example.com", company="Acme"),
    Lead.new(id="lead-2", at=T0, actor="t", email="JÜRGEN@example.de"),
)


def version_2_rows(mark: str) -> tuple[str, list[tuple[object, ...]]]:
    """The INSERT of ``OLD_LEADS`` as the release at schema version 2 wrote them."""
    spec = REPOSITORIES["leads"]
    columns = [c for c in spec.columns if c.path != ADDED_COLUMNS[3][1]]
    names = ["id", "version", "document", *(c.name for c in columns)]
    insert = f"INSERT INTO leads ({', '.join(names)}) VALUES ({', '.join(mark for _ in names)})"
    rows = [
        (x.id, x.version, to_json(x), *(column_value(x, c) for c in columns)) for x in OLD_LEADS
    ]
    return insert, rows


def upgrade_from_version_2(store: Store) -> None:
    """A version 2 database refuses to work, migrates, and then finds the duplicates."""
    try:
        with (
            pytest.raises(StorageError, match="at version 2, older than the version 3"),
            store.unit_of_work() as uow,
        ):
            uow.leads.find()
        store.migrate()
        assert store.schema_version() == 3  # type: ignore[attr-defined]
        with store.unit_of_work() as uow:
            lowered = [x.id for x in uow.leads.find("lower(email) == 'jürgen@example.de'").items]
            assert lowered == ["lead-2"]
        ws = Workspace(store, clock=ManualClock(T0), ids=DeterministicIds(namespace="m", seed=1))
        captures = ("john.smith@EXAMPLE.com", "Jürgen@example.de")
        for lead, address in zip(OLD_LEADS, captures, strict=True):
            got = ws.capture_lead(actor="form", email=address)
            assert [(m.left, m.rules) for m in got.duplicates] == [(lead.id, ("email",))]
    finally:
        store.close()


def test_a_version_2_database_migrates_and_finds_duplicates_up_to_case(tmp_path: Path) -> None:
    path = tmp_path / "v2.db"
    insert, rows = version_2_rows("?")
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE salescore_schema (version INTEGER NOT NULL)")
        for _, script in MIGRATIONS[:2]:
            for stmt in statements(script):
                conn.execute(stmt)
        conn.execute("INSERT INTO salescore_schema (version) VALUES (2)")
        conn.executemany(insert, rows)
        assert conn.execute("SELECT lower('JÜRGEN')").fetchone() == ("jÜrgen",)
    conn.close()
    upgrade_from_version_2(SQLiteStore(path))


def test_both_dialects_share_each_migration_but_for_the_column_types() -> None:
    sqlite, postgres = migrations("sqlite"), migrations("postgres")
    assert sqlite == MIGRATIONS
    assert [v for v, _ in sqlite] == [v for v, _ in postgres] == [1, 2, 3] == [1, 2, LATEST]
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
