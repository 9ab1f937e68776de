"""The duplicate check of a capture, by e-mail address up to case, in one run.

``python -m benchmarks capture [--quick]``. A store of 5,000 leads (1,000
with ``--quick``), a third of their addresses with capitals; each call is one
``Workspace.capture_lead`` of a new address. On ``InMemoryStore`` and on
``SQLiteStore`` (a file), three contenders in alternation:

* ``lower(email) index``: the shipped check (one lookup of the indexed
  ``lower(email)``, and the phone and domain lookups);
* ``lower(email) scanned``: the same rules with the index of ``lower(email)``
  not consulted (every such ``find`` reads the whole table): what the check
  would cost without the schema version 3 column;
* ``two e-mail lookups``: the check as it was before (``email == address``
  and ``email == address.lower()`` on the ``email`` index), which misses a
  stored address with capitals (the baseline).

(e) Migrating such a SQLite file from schema version 2 to 3 (filling the
column for every stored lead) is timed once per size.
"""

from __future__ import annotations

import shutil
import sqlite3
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from benchmarks._harness import compare
from salescore.clock import ManualClock
from salescore.domain.leads import Lead, LeadStatus
from salescore.ids import DeterministicIds
from salescore.outreach.duplicates import Match, find_duplicates
from salescore.rules import field
from salescore.serialization import to_json
from salescore.storage import InMemoryStore, SQLiteStore, _query, memory
from salescore.storage._catalog import REPOSITORIES, column_value
from salescore.storage._sql import statements
from salescore.storage.protocols import Store, UnitOfWork
from salescore.storage.sqlite import MIGRATIONS
from salescore.workspace import Workspace

AT = datetime(2026, 1, 5, 9, tzinfo=UTC)


def _leads(n: int) -> list[Lead]:
    return [
        Lead.new(
            id=f"old-{i}",
            at=AT,
            actor="import",
            company=f"C{i}",
            email=f"{'Pat' if i % 3 == 0 else 'p'}{i}@c{i}.example",
        )
        for i in range(n)
    ]


def _fill(store: Store, leads: list[Lead]) -> Store:
    store.migrate()
    with store.unit_of_work() as uow:
        for lead in leads:
            uow.leads.add(lead)
    return store


def _before(
    ws: Workspace, uow: UnitOfWork, lead: Lead
) -> tuple[tuple[Match, ...], dict[str, Lead]]:
    """The check before schema version 3: the address as given and in lower case."""
    stored: dict[str, Lead] = {}
    keys = {("phone", lead.phone), ("domain", lead.domain)}
    if lead.email is not None:
        domain = lead.email.rpartition("@")[2]
        keys |= {("email", lead.email), ("email", lead.email.lower()), ("domain", domain)}
    for name, value in sorted(k for k in keys if k[1] is not None):
        for other in uow.leads.find(field(name) == value).items:
            if other.status != LeadStatus.CONVERTED:
                stored[other.id] = other
    if not stored:
        return (), stored
    report = find_duplicates([*stored.values(), lead], ws.match_rules)
    return tuple(m for m in report.matches if m.right == lead.id), stored


@contextmanager
def _no_function_index() -> Iterator[None]:
    """Finds on ``lower(email)`` read the whole table, as without its column."""
    saved = _query.column_for, memory.column_for

    def fields_only(spec: Any, operand: Any) -> Any:
        column = saved[0](spec, operand)
        return None if column is None or column.function is not None else column

    _query.column_for = memory.column_for = fields_only  # type: ignore[assignment]
    try:
        yield
    finally:
        _query.column_for, memory.column_for = saved  # type: ignore[assignment]


def _contenders(make: Callable[[], Store]) -> dict[str, Callable[[], None]]:
    count = [0]

    def workspace() -> Workspace:
        return Workspace(make(), clock=ManualClock(AT), ids=DeterministicIds("b", seed=1))

    shipped, scanned, before = workspace(), workspace(), workspace()
    before._duplicates = lambda uow, lead: _before(before, uow, lead)  # type: ignore[method-assign]

    def one(ws: Workspace) -> None:
        count[0] += 1
        ws.capture_lead(actor="form", email=f"New{count[0]}@n{count[0]}.example", company="N")

    def without_index() -> None:
        with _no_function_index():
            one(scanned)

    return {
        "lower(email) index": lambda: one(shipped),
        "lower(email) scanned": without_index,
        "two e-mail lookups": lambda: one(before),
    }


def _version_2_file(path: Path, leads: list[Lead]) -> None:
    spec = REPOSITORIES["leads"]
    columns = [c for c in spec.columns if c.function is None]
    names = ["id", "version", "document", *(c.name for c in columns)]
    insert = f"INSERT INTO leads ({', '.join(names)}) VALUES ({', '.join('?' for _ in names)})"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE salescore_schema (version INTEGER NOT NULL)")
        for _, script in MIGRATIONS[:2]:
            for stmt in statements(script):
                conn.execute(stmt)
        conn.execute("INSERT INTO salescore_schema (version) VALUES (2)")
        conn.executemany(
            insert,
            [(x.id, x.version, to_json(x), *(column_value(x, c) for c in columns)) for x in leads],
        )
    conn.close()


def run(quick: bool = False) -> dict[str, Any]:
    """Time the capture's duplicate check on both stores, and the migration."""
    size = 1_000 if quick else 5_000
    leads = _leads(size)
    folder = Path(tempfile.mkdtemp(prefix="bench-capture-"))
    files = iter(range(100))
    results: dict[str, Any] = {}
    try:
        stores = {
            "memory": lambda: _fill(InMemoryStore(), leads),
            "sqlite": lambda: _fill(SQLiteStore(folder / f"s{next(files)}.db"), leads),
        }
        for name, make in stores.items():
            results[name] = compare(
                f"capture_lead with {size:,} stored leads on {name} (duplicate check)",
                _contenders(make),
                baseline="two e-mail lookups",
                number=5 if quick else 20,
                repeats=3 if quick else 7,
            )
        path = folder / "v2.db"
        _version_2_file(path, leads)
        store = SQLiteStore(path)
        t0 = time.perf_counter()
        store.migrate()
        seconds = time.perf_counter() - t0
        store.close()
        print(f"\n(e) migrate() from version 2 to 3 with {size:,} leads: {seconds * 1e3:.1f} ms")
        results["migrate_2_to_3_s"] = seconds
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return results
