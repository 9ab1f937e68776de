"""Storage: the stores against hand-written baselines on the same data, in one run.

``python -m benchmarks storage [--quick]``. With 100,000 leads of realistic
shape (1,000 with ``--quick``):

(a) ``SQLiteStore``: saving the leads in units of work of 1,000, against raw
    ``sqlite3`` ``executemany`` of the same JSON documents and events into the
    same schema (one transaction per 1,000 leads), both starting from the lead
    objects (the raw writer calls ``to_json`` too); the raw writer with
    documents serialised beforehand is shown as well (target ≥ 50 % of raw);
(b) ``SQLiteStore`` load by id inside a unit of work against a raw fetch plus
    ``from_json`` of the same document (target ≤ 1.2×), with the store's
    cache of decoded documents off, and warm;
(c) ``find`` on an indexed field with ``limit=50`` on all the leads
    (target < 2 ms), beside the raw query plus 50 ``from_json``;
(d) with ``SALESCORE_TEST_POSTGRES`` set: ``PostgresStore`` against raw
    psycopg ``executemany`` and ``COPY`` (each writer timed once in the full
    run: a run takes minutes), and load by id;
(e) ``InMemoryStore``: a unit of work saving one lead against a hand-written
    dict store doing the same version check and event append (target ≤ 2×).
"""

from __future__ import annotations

import itertools
import os
import random
import shutil
import sqlite3
import tempfile
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from benchmarks._harness import compare
from benchmarks.bench_leads import lead_rows
from salescore.domain.leads import Lead
from salescore.errors import ConcurrencyError
from salescore.serialization import from_json, to_json
from salescore.storage import InMemoryStore, PostgresStore, SQLiteStore
from salescore.storage._catalog import REPOSITORIES, column_value

UNIT = 1000
SPEC = REPOSITORIES["leads"]
COLUMNS = [c.name for c in SPEC.columns]
INSERT_LEAD = (
    f"INSERT INTO leads (id, version, document, {', '.join(COLUMNS)}) "
    f"VALUES ({', '.join('?' for _ in range(3 + len(COLUMNS)))})"
)
INSERT_EVENT = "INSERT INTO events (repository, subject_id, document) VALUES (?, ?, ?)"


def _leads(n: int) -> list[Lead]:
    return [Lead.new(**row) for row in lead_rows(n)]


def _lead_row(lead: Lead, document: str) -> tuple[Any, ...]:
    return (lead.id, lead.version, document, *(column_value(lead, c) for c in SPEC.columns))


def _chunks(items: list[Any]) -> Iterator[list[Any]]:
    for i in range(0, len(items), UNIT):
        yield items[i : i + UNIT]


class _Files:
    """Fresh migrated database files in a temporary folder."""

    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="salescore-bench-"))
        self.template = self.root / "template.db"
        store = SQLiteStore(self.template)
        store.migrate()
        store.close()
        self.n = itertools.count()

    def fresh(self) -> Path:
        path = self.root / f"db-{next(self.n)}.db"
        shutil.copyfile(self.template, path)
        return path

    def clean(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)


def _salescore_writer(files: _Files, leads: list[Lead]) -> Callable[[], None]:
    def write() -> None:
        store = SQLiteStore(files.fresh())
        for chunk in _chunks(leads):
            with store.unit_of_work() as uow:
                for lead in chunk:
                    uow.leads.add(lead)
        store.close()

    return write


def _raw_connection(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = FULL")
    return conn


def _raw_writer(files: _Files, leads: list[Lead], serialise: bool) -> Callable[[], None]:
    ready = [
        (_lead_row(x, to_json(x)), [("leads", x.id, to_json(e)) for e in x.history]) for x in leads
    ]

    def write() -> None:
        conn = _raw_connection(files.fresh())
        for chunk in _chunks(leads if serialise else ready):
            if serialise:
                rows = [_lead_row(x, to_json(x)) for x in chunk]
                events = [("leads", x.id, to_json(e)) for x in chunk for e in x.history]
            else:
                rows = [r for r, _ in chunk]
                events = [e for _, es in chunk for e in es]
            conn.execute("BEGIN IMMEDIATE")
            conn.executemany(INSERT_LEAD, rows)
            conn.executemany(INSERT_EVENT, events)
            conn.execute("COMMIT")
        conn.close()

    return write


def _sqlite(results: dict[str, Any], leads: list[Lead], repeats: int, quick: bool) -> None:
    n = len(leads)
    files = _Files()
    try:
        results["sqlite_write"] = compare(
            f"(a) SQLite: {n:,} leads in units of {UNIT:,} (per run)",
            {
                "raw sqlite3 executemany + to_json": _raw_writer(files, leads, True),
                "raw sqlite3, documents ready": _raw_writer(files, leads, False),
                "SQLiteStore": _salescore_writer(files, leads),
            },
            baseline="raw sqlite3 executemany + to_json",
            number=1,
            repeats=3,
            warmup=0,
        )
        rows_per_second = {
            name: n / (c["median_ns"] / 1e9)
            for name, c in results["sqlite_write"]["contenders"].items()
        }
        results["sqlite_write"]["leads_per_second"] = rows_per_second
        for name, rate in rows_per_second.items():
            print(f"  {name}: {rate:,.0f} leads/s")

        path = files.fresh()
        filler = SQLiteStore(path)
        for chunk in _chunks(leads):
            with filler.unit_of_work() as unit:
                for lead in chunk:
                    unit.leads.add(lead)
        filler.close()
        store = SQLiteStore(path)  # reuses decoded documents (warm after a first read)
        cold_store = SQLiteStore(path, cache_size=0)  # decodes every read
        raw = _raw_connection(path)
        rng = random.Random(3)
        ids = [leads[rng.randrange(n)].id for _ in range(5000)]
        next_a, next_b, next_c = (itertools.cycle(ids).__next__ for _ in range(3))
        uow, cold = store.unit_of_work(), cold_store.unit_of_work()

        def raw_get() -> Lead:
            row = raw.execute("SELECT document FROM leads WHERE id = ?", (next_a(),)).fetchone()
            return from_json(Lead, row[0])

        results["sqlite_get"] = compare(
            f"(b) SQLite: load one lead by id ({n:,} stored)",
            {
                "raw fetch + from_json": raw_get,
                "uow.leads.get, cache off": lambda: cold.leads.get(next_b()),
                "uow.leads.get, warm cache": lambda: uow.leads.get(next_c()),
            },
            baseline="raw fetch + from_json",
            number=200 if quick else 2000,
            repeats=repeats,
        )
        industries = itertools.cycle(["saas", "fintech", "retail", "healthcare"])

        def find(unit: Any) -> Callable[[], Any]:
            return lambda: unit.leads.find(f"industry == '{next(industries)}'", limit=50)

        def raw_find() -> list[Lead]:
            rows = raw.execute(
                "SELECT document FROM leads WHERE industry = ? ORDER BY id LIMIT 51",
                (next(industries),),
            ).fetchall()
            return [from_json(Lead, r[0]) for r in rows[:50]]

        assert len(find(uow)().items) == 50
        results["sqlite_find"] = compare(
            f"(c) SQLite: find on an indexed field, limit=50 ({n:,} leads)",
            {
                "raw query + 50 × from_json": raw_find,
                "find, cache off": find(cold),
                "find, warm cache": find(uow),
            },
            baseline="raw query + 50 × from_json",
            number=20 if quick else 100,
            repeats=repeats,
        )
        uow.rollback()
        cold.rollback()
        raw.close()
        store.close()
        cold_store.close()
    finally:
        files.clean()


def _postgres(results: dict[str, Any], leads: list[Lead], repeats: int, quick: bool) -> None:
    conninfo = os.environ.get("SALESCORE_TEST_POSTGRES")
    if not conninfo:
        print("\n(d) PostgreSQL: skipped (SALESCORE_TEST_POSTGRES is not set)")
        return
    import psycopg

    name = f"salescore_bench_{os.getpid()}"
    with psycopg.connect(conninfo, autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {name}")
        admin.execute(f"CREATE DATABASE {name} ENCODING 'UTF8' TEMPLATE template0")
    target = f"{conninfo} dbname={name}"
    store = PostgresStore(target, max_size=2, cache_size=0)
    store.migrate()
    raw = psycopg.connect(target, autocommit=True)
    insert_lead = INSERT_LEAD.replace("?", "%s")
    insert_event = INSERT_EVENT.replace("?", "%s")
    tables = "leads, events"

    def reset() -> None:
        raw.execute(f"TRUNCATE {tables} RESTART IDENTITY")

    def salescore_write() -> None:
        reset()
        for chunk in _chunks(leads):
            with store.unit_of_work() as uow:
                for lead in chunk:
                    uow.leads.add(lead)

    def raw_executemany() -> None:
        reset()
        for chunk in _chunks(leads):
            rows = [_lead_row(x, to_json(x)) for x in chunk]
            events = [("leads", x.id, to_json(e)) for x in chunk for e in x.history]
            with raw.transaction(), raw.cursor() as cur:
                cur.executemany(insert_lead, rows)
                cur.executemany(insert_event, events)

    def raw_copy() -> None:
        reset()
        for chunk in _chunks(leads):
            with raw.transaction(), raw.cursor() as cur:
                with cur.copy(
                    f"COPY leads (id, version, document, {', '.join(COLUMNS)}) FROM STDIN"
                ) as cp:
                    for x in chunk:
                        cp.write_row(_lead_row(x, to_json(x)))
                with cur.copy("COPY events (repository, subject_id, document) FROM STDIN") as cp:
                    for x in chunk:
                        for e in x.history:
                            cp.write_row(("leads", x.id, to_json(e)))

    n = len(leads)
    results["postgres_write"] = compare(
        f"(d) PostgreSQL: {n:,} leads in units of {UNIT:,} (per run)",
        {
            "raw psycopg executemany + to_json": raw_executemany,
            "raw psycopg COPY + to_json": raw_copy,
            "PostgresStore": salescore_write,
        },
        baseline="raw psycopg executemany + to_json",
        number=1,
        repeats=1 if not quick else 2,
        warmup=0,
    )
    for cname, c in results["postgres_write"]["contenders"].items():
        print(f"  {cname}: {n / (c['median_ns'] / 1e9):,.0f} leads/s")
    rng = random.Random(3)
    ids = [leads[rng.randrange(n)].id for _ in range(5000)]
    next_a, next_b = itertools.cycle(ids).__next__, itertools.cycle(ids).__next__
    uow = store.unit_of_work()

    def raw_get() -> Lead:
        row = raw.execute("SELECT document::text FROM leads WHERE id = %s", (next_a(),)).fetchone()
        assert row is not None
        return from_json(Lead, row[0])

    results["postgres_get"] = compare(
        f"    PostgreSQL: load one lead by id ({n:,} stored)",
        {
            "raw fetch + from_json": raw_get,
            "uow.leads.get, cache off": lambda: uow.leads.get(next_b()),
        },
        baseline="raw fetch + from_json",
        number=200 if quick else 2000,
        repeats=repeats,
    )
    uow.rollback()
    raw.close()
    store.close()
    with psycopg.connect(conninfo, autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


class DictStore:
    """The hand-written baseline: a dict of (version, lead), an event log and a lock."""

    def __init__(self) -> None:
        self.rows: dict[str, tuple[int, Lead]] = {}
        self.events: list[tuple[int, Any]] = []
        self.lock = threading.Lock()

    def unit(self) -> DictUnit:
        return DictUnit(self)


class DictUnit:
    """A minimal unit of work: buffer, then check versions and append under the lock."""

    def __init__(self, store: DictStore) -> None:
        self.store = store
        self.pending: dict[str, tuple[int, Lead]] = {}
        self.new_events: list[Any] = []

    def __enter__(self) -> DictUnit:
        return self

    def add(self, lead: Lead) -> None:
        self.pending[lead.id] = (0, lead)
        self.new_events.extend(lead.history)

    def __exit__(self, *exc: object) -> None:
        if exc[0] is not None:
            return
        store = self.store
        with store.lock:
            rows = store.rows
            for key, (expected, _) in self.pending.items():
                current = rows.get(key)
                if (0 if current is None else current[0]) != expected:
                    raise ConcurrencyError(key)
            for key, (_, lead) in self.pending.items():
                rows[key] = (lead.version, lead)
            start = len(store.events)
            store.events.extend((start + i + 1, e) for i, e in enumerate(self.new_events))


def _memory(results: dict[str, Any], leads: list[Lead], repeats: int) -> None:
    n = len(leads)
    state: dict[str, Any] = {}

    def fresh() -> None:
        state["memory"], state["dict"] = InMemoryStore(), DictStore()
        state["a"], state["b"] = iter(leads), iter(leads)

    fresh()

    def memory_unit() -> None:
        with state["memory"].unit_of_work() as uow:
            uow.leads.add(next(state["a"]))

    def dict_unit() -> None:
        with state["dict"].unit() as unit:
            unit.add(next(state["b"]))

    results["memory_unit"] = compare(
        "(e) InMemoryStore: one unit of work saving one new lead",
        {"hand-written dict store": dict_unit, "InMemoryStore": memory_unit},
        baseline="hand-written dict store",
        number=n // (repeats + 2),
        repeats=repeats,
        warmup=0,
    )


def run(quick: bool = False) -> dict[str, Any]:
    """Run every comparison; return the results."""
    n = 1_000 if quick else 100_000
    repeats = 3 if quick else 5
    leads = _leads(n)
    results: dict[str, Any] = {"leads": n, "unit": UNIT}
    _sqlite(results, leads, repeats, quick)
    _postgres(results, leads, repeats, quick)
    _memory(results, leads, repeats)
    return results
