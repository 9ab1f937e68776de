"""The in-memory store passes the conformance kit."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from salescore.storage import InMemoryStore
from salescore.storage.protocols import Store
from salescore.testing.storage import StoreConformance


class TestInMemoryStore(StoreConformance):
    @pytest.fixture
    def store_factory(self) -> Callable[[], Store]:
        return InMemoryStore
