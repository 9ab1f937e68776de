"""Storage: one port, three adapters.

:class:`InMemoryStore` (the default and the reference), :class:`SQLiteStore`
(the standard library's ``sqlite3``) and :class:`PostgresStore` (psycopg 3,
``pip install 'salescore[postgres]'``). The SQL adapters are imported on
first use, so ``import salescore.storage`` loads no database driver.

Example:
    >>> from salescore.storage import InMemoryStore
    >>> store = InMemoryStore()
    >>> store.migrate()
    >>> list(store.events_since(0))
    []
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from salescore.storage.memory import InMemoryStore
from salescore.storage.protocols import (
    AggregateRepository,
    DocumentRepository,
    EventRecord,
    InteractionLog,
    Page,
    Settings,
    Store,
    UnitOfWork,
)

if TYPE_CHECKING:
    from salescore.storage.postgres import PostgresStore
    from salescore.storage.sqlite import SQLiteStore

__all__ = [
    "AggregateRepository",
    "DocumentRepository",
    "EventRecord",
    "InMemoryStore",
    "InteractionLog",
    "Page",
    "PostgresStore",
    "SQLiteStore",
    "Settings",
    "Store",
    "UnitOfWork",
]

_LAZY = {
    "SQLiteStore": "salescore.storage.sqlite",
    "PostgresStore": "salescore.storage.postgres",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'salescore.storage' has no attribute {name!r}")
    from importlib import import_module

    value = getattr(import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
