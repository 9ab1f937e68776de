"""Faults: a writer killed mid-way, and many processes racing on one lead."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from salescore import Lead
from salescore.storage import SQLiteStore
from salescore.testing.storage import T0

SRC = str(Path(__file__).resolve().parents[2] / "src")
LEADS_PER_UNIT = 3

WRITER = f"""
import sys
from salescore import Lead
from salescore.storage import SQLiteStore
from salescore.testing.storage import T0

store = SQLiteStore(sys.argv[1])
for unit in range(100_000):
    with store.unit_of_work() as uow:
        for k in range({LEADS_PER_UNIT}):
            uow.leads.add(Lead.new(id=f"lead-{{unit:06d}}-{{k}}", at=T0, actor="w", company="A"))
    print(unit, flush=True)
"""

INCREMENTER = """
import sys
from salescore.errors import ConcurrencyError
from salescore.storage import {cls}
from salescore.testing.storage import T0

store = {cls}(sys.argv[1])
done = 0
for _ in range(int(sys.argv[2])):
    while True:
        try:
            with store.unit_of_work() as uow:
                lead = uow.leads.get("lead-1")
                uow.leads.save(lead.set_score(lead.score + 1, at=T0, actor="p"))
            done += 1
            break
        except ConcurrencyError:
            continue
store.close()
print(done)
"""


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = SRC + os.pathsep + env.get("PYTHONPATH", "")
    return env


def test_sigkill_mid_write_keeps_committed_units_whole(tmp_path: Path) -> None:
    path = tmp_path / "crash.db"
    store = SQLiteStore(path)
    store.migrate()
    store.close()
    child = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(path)],
        stdout=subprocess.PIPE,
        text=True,
        env=_env(),
    )
    assert child.stdout is not None
    reported = -1
    for line in child.stdout:
        reported = int(line)
        if reported >= 2000:
            break
    child.send_signal(signal.SIGKILL)
    child.wait()
    assert reported >= 2000

    store = SQLiteStore(path)
    with store.unit_of_work() as uow:
        ids = [lead.id for lead in uow.leads.find().items]
    store.close()
    units: dict[int, int] = {}
    for lead_id in ids:
        unit = int(lead_id.split("-")[1])
        units[unit] = units.get(unit, 0) + 1
    assert set(units.values()) == {LEADS_PER_UNIT}  # no unit half there
    assert sorted(units) == list(range(len(units)))  # no unit after a missing one
    assert len(units) - 1 >= reported  # every reported commit is there
    events = list(SQLiteStore(path).events_since(0))
    assert [r.position for r in events] == list(range(1, len(events) + 1))
    assert len(events) == 3 * len(ids)  # created + two funnel entries per lead


def _race(cls: str, target: str, processes: int, each: int) -> int:
    children = [
        subprocess.Popen(
            [sys.executable, "-c", INCREMENTER.format(cls=cls), target, str(each)],
            stdout=subprocess.PIPE,
            text=True,
            env=_env(),
        )
        for _ in range(processes)
    ]
    total = 0
    for child in children:
        out, _ = child.communicate(timeout=300)
        assert child.returncode == 0
        total += int(out)
    return total


def _lead_one() -> Lead:
    return Lead.new(id="lead-1", at=T0, actor="test", company="Acme")


def test_processes_incrementing_a_score_sqlite(tmp_path: Path) -> None:
    path = tmp_path / "race.db"
    store = SQLiteStore(path)
    store.migrate()
    with store.unit_of_work() as uow:
        uow.leads.add(_lead_one())
    total = _race("SQLiteStore", str(path), processes=4, each=15)
    with store.unit_of_work() as uow:
        assert uow.leads.get("lead-1").score == float(total) == 60.0
    store.close()


def test_processes_incrementing_a_score_postgres() -> None:
    conninfo = os.environ.get("SALESCORE_TEST_POSTGRES")
    if not conninfo:
        if os.environ.get("CI"):
            pytest.fail("SALESCORE_TEST_POSTGRES is not set: CI must run the PostgreSQL tests")
        pytest.skip("set SALESCORE_TEST_POSTGRES to run the PostgreSQL tests")
    import psycopg

    from salescore.storage import PostgresStore

    name = f"salescore_race_{os.getpid()}"
    with psycopg.connect(conninfo, autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {name}")
        admin.execute(f"CREATE DATABASE {name} ENCODING 'UTF8' TEMPLATE template0")
    target = f"{conninfo} dbname={name}"
    try:
        store = PostgresStore(target, max_size=2)
        store.migrate()
        with store.unit_of_work() as uow:
            uow.leads.add(_lead_one())
        total = _race("PostgresStore", target, processes=4, each=15)
        with store.unit_of_work() as uow:
            assert uow.leads.get("lead-1").score == float(total) == 60.0
        store.close()
    finally:
        with psycopg.connect(conninfo, autocommit=True) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
