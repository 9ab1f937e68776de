"""The opt-in pause of the garbage collector during a simulation run."""

from __future__ import annotations

import gc
import json
from collections.abc import Iterator

import pytest

from salescore.serialization import to_json
from salescore.simulation import SimulationResult, b2b_quarter, simulate
from salescore.simulation.engine import collector_paused
from salescore.simulation.runner import run

SHORT = b2b_quarter().with_overrides({"days": 4, "service.existing_customers": 20})


def fingerprint(result: SimulationResult) -> str:
    events = [to_json(r.event) for r in result.events]
    interactions = [to_json(i) for i in result.interactions]
    return json.dumps([events, interactions, result.summary.to_dict()], sort_keys=True)


@pytest.fixture
def collector_on() -> Iterator[None]:
    was = gc.isenabled()
    gc.enable()
    try:
        yield
    finally:
        if not was:
            gc.disable()


def test_a_paused_run_gives_the_same_bytes(collector_on: None) -> None:
    assert fingerprint(simulate(SHORT, 5, pause_gc=True)) == fingerprint(simulate(SHORT, 5))


def test_the_collector_is_off_during_a_paused_run_and_on_after(collector_on: None) -> None:
    seen: list[bool] = []
    simulate(SHORT, 5, progress=lambda done, total: seen.append(gc.isenabled()), pause_gc=True)
    assert seen
    assert not any(seen)
    assert gc.isenabled()


def test_the_collector_runs_as_before_by_default(collector_on: None) -> None:
    seen: list[bool] = []
    simulate(SHORT, 5, progress=lambda done, total: seen.append(gc.isenabled()))
    assert seen
    assert all(seen)
    assert gc.isenabled()


def test_the_collector_comes_back_after_an_error(collector_on: None) -> None:
    def boom(done: int, total: int) -> None:
        raise RuntimeError("stop")

    with pytest.raises(RuntimeError, match="stop"):
        simulate(SHORT, 5, progress=boom, pause_gc=True)
    assert gc.isenabled()


def test_a_collector_already_off_stays_off(collector_on: None) -> None:
    gc.disable()
    simulate(SHORT, 5, pause_gc=True)
    assert not gc.isenabled()
    with collector_paused(True):
        assert not gc.isenabled()
    assert not gc.isenabled()


def test_no_pause_changes_nothing(collector_on: None) -> None:
    with collector_paused(False):
        assert gc.isenabled()
    assert gc.isenabled()


def test_runner_pauses_each_shard_with_the_same_result(collector_on: None) -> None:
    paused = run(SHORT, 2, replications=2, pause_gc=True)
    assert paused == run(SHORT, 2, replications=2)
    assert gc.isenabled()
