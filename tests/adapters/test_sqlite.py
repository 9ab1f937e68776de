"""The SQLite store passes the conformance kit, in memory and in a file."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from salescore.storage import SQLiteStore
from salescore.storage.protocols import Store
from salescore.testing.storage import StoreConformance


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
