"""The in-memory store passes the conformance kit."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest

from salescore.errors import StorageError
from salescore.storage import InMemoryStore
from salescore.storage.protocols import Store
from salescore.testing.storage import StoreConformance


class TestInMemoryStore(StoreConformance):
    @pytest.fixture
    def store_factory(self) -> Callable[[], Store]:
        return InMemoryStore


def _lead() -> Any:
    from salescore.domain import Lead

    return Lead.new(id="lead-1", at=_AT, actor="rep-1", email="ada@acme.io")


_AT = datetime(2024, 3, 1, tzinfo=UTC)


@pytest.mark.parametrize("finish", ["commit", "rollback", "raise"])
def test_a_finished_unit_is_freed_without_the_garbage_collector(finish: str) -> None:
    store = InMemoryStore()
    gc.collect()
    gc.disable()
    try:
        uow = store.unit_of_work()
        uow.leads.add(_lead())
        held = uow.leads
        assert repr(uow.settings) == "<settings repository>"
        if finish == "commit":
            uow.commit()
        elif finish == "rollback":
            uow.rollback()
        else:
            with pytest.raises(KeyError), uow:
                raise KeyError("boom")
        gone = weakref.ref(uow)
        del uow
        alive = gone()
        with pytest.raises(StorageError, match="finished"):
            held.get("lead-1")  # a repository kept from the unit still refuses to work
        assert alive is not None  # the repository holds it
        del alive, held
        assert gone() is None
    finally:
        gc.enable()
    with store.unit_of_work() as uow:
        found = [lead.id for lead in uow.leads.find().items]
    assert found == (["lead-1"] if finish == "commit" else [])
