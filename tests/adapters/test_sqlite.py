"""The SQLite store passes the conformance kit, in memory and in a file."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

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


def file_stores(folder: Path) -> Callable[[], Store]:
    """A function that makes a new, migrated store in a new file in ``folder``."""
    counter = iter(range(10**6))

    def make() -> Store:
        store = SQLiteStore(folder / f"store-{next(counter)}.db")
        store.migrate()
        return store

    return make


class TestSQLiteFile(StoreConformance):
    @pytest.fixture
    def store_factory(self, tmp_path: Path) -> Callable[[], Store]:
        return file_stores(tmp_path)


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


def old_rows(version: int, leads: Sequence[Lead], mark: str) -> tuple[str, list[tuple[Any, ...]]]:
    """The INSERT of ``leads`` as the release at schema ``version`` wrote them (its columns)."""
    later = {path for v, (_, path) in ADDED_COLUMNS.items() if v > version}
    columns = [c for c in REPOSITORIES["leads"].columns if c.path not in later]
    names = ["id", "version", "document", *(c.name for c in columns)]
    insert = f"INSERT INTO leads ({', '.join(names)}) VALUES ({', '.join(mark for _ in names)})"
    rows = [(x.id, x.version, to_json(x), *(column_value(x, c) for c in columns)) for x in leads]
    return insert, rows


def _at_version(path: Path, version: int, leads: Sequence[Lead]) -> None:
    """A database file at schema ``version`` holding ``leads``, as that release wrote it."""
    insert, rows = old_rows(version, leads, "?")
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE salescore_schema (version INTEGER NOT NULL)")
        for _, script in MIGRATIONS[:version]:
            for stmt in statements(script):
                conn.execute(stmt)
        conn.execute("INSERT INTO salescore_schema (version) VALUES (?)", (version,))
        conn.executemany(insert, rows)
    conn.close()


def test_a_version_1_database_says_so_and_migrate_upgrades(tmp_path: Path) -> None:
    lead = Lead.new(id="lead-1", at=T0, actor="t", email="ana@acme.io", domain="acme.io")
    _at_version(tmp_path / "old.db", 1, [lead])
    _upgrade(SQLiteStore(tmp_path / "old.db"), lead)


# Leads the duplicate check must find from a capture whose address differs only in case;
# SQLite's lower() would leave the Ü of the second as it is.
OLD_LEADS = (
    Lead.new(id="lead-1", at=T0, actor="t", email="John.Smith@Example.com", company="Acme"),
    Lead.new(id="lead-2", at=T0, actor="t", email="JÜRGEN@example.de"),
)


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
    _at_version(tmp_path / "v2.db", 2, OLD_LEADS)
    with closing(sqlite3.connect(":memory:")) as conn:
        assert conn.execute("SELECT lower('JÜRGEN')").fetchone() == ("jÜrgen",)
    upgrade_from_version_2(SQLiteStore(tmp_path / "v2.db"))


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
