"""Simulation: the cost of a simulated lead, a funnel against SimPy, and two workers.

``python -m benchmarks simulation [--quick]``. In one run:

(a) The built-in B2B quarter (about 2,300 leads; two weeks with ``--quick``)
    through ``simulate``: arrival, scoring, routing, a cadence of calls and
    e-mails, qualification, conversion, a deal through the pipeline, service
    cases, and the reports at the end. Reported: µs per lead (median of the
    runs; targets ≤ 300 µs, goal 100 µs) and a cost table per operation
    (time inside each kind of engine event, and in the reports).
(b) A funnel-only model — six stages, each with a conversion probability and
    an exponential duration, no cadences or cases — for 20,000 leads (2,000
    with ``--quick``), in alternation: through the real objects and events
    (an ``Opportunity`` on a six-stage pipeline moved by a heap of timed
    events, every move a ``StageChanged``), as SimPy processes, as a bare
    Python loop and with numpy (the floor). Target: at most 1.5× SimPy.
(c) ``runner.run`` with 8 replications of the quarter (2 of four days with
    ``--quick``) in one process and on a 2-worker process pool: the speed-up
    (target ≥ 1.6×) and whether the results are identical.
"""

from __future__ import annotations

import heapq
import random
import statistics
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

from benchmarks._harness import compare
from salescore.domain.opportunities import Opportunity
from salescore.domain.stages import Funnel, Stage, StageKind, TransitionPolicy
from salescore.simulation import b2b_quarter, simulate
from salescore.simulation import engine as engine_module
from salescore.simulation import summary as summary_module
from salescore.simulation.runner import run as run_shards

T0 = datetime(2026, 1, 5, 9, tzinfo=UTC)
STAGES = ("lead", "contacted", "engaged", "demo", "proposal", "negotiation")
PROBABILITIES = (0.6, 0.5, 0.55, 0.6, 0.5, 0.7)
DAYS = (1.0, 3.0, 4.0, 5.0, 6.0, 4.0)
FUNNEL = Funnel(
    key="six",
    stages=(
        *(Stage(key=k) for k in STAGES),
        Stage(key="won", kind=StageKind.WON),
        Stage(key="lost", kind=StageKind.LOST),
    ),
    policy=TransitionPolicy(skipping=True),
)


# -- (a) the whole scenario ---------------------------------------------------------------


def _timed_run(days: int) -> tuple[float, float, dict[str, float]]:
    """One run: seconds, leads, and seconds spent per operation."""
    spent: dict[str, float] = {}
    originals: dict[str, Callable[..., Any]] = {}
    cls = engine_module._Run

    def wrap(name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        def timed(*args: Any, **kwargs: Any) -> Any:
            t = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                spent[name] = spent.get(name, 0.0) + time.perf_counter() - t

        return timed

    for name in ("on_day", "on_lead", "on_step", "on_meeting", "on_stage", "on_case", "on_reply",
                 "on_solve"):  # fmt: skip
        originals[name] = getattr(cls, name)
        setattr(cls, name, wrap(name.removeprefix("on_"), originals[name]))
    original_summary = engine_module.summarize
    engine_module.summarize = wrap("reports (analytics)", summary_module.summarize)
    try:
        scenario = b2b_quarter().with_overrides({"days": days})
        t = time.perf_counter()
        result = simulate(scenario, seed=1)
        total = time.perf_counter() - t
    finally:
        for name, fn in originals.items():
            setattr(cls, name, fn)
        engine_module.summarize = original_summary
    leads = result.summary.metric("leads")
    inner = {"arrivals (day)", "lead", "step", "meeting", "stage", "case", "reply", "solve"}
    spent = {("arrivals (day)" if k == "day" else k): v for k, v in spent.items()}
    spent["engine and set-up"] = (
        total - sum(v for k, v in spent.items() if k in inner) - spent["reports (analytics)"]
    )
    return total, leads, spent


def whole_scenario(quick: bool) -> dict[str, Any]:
    days, runs = (14, 3) if quick else (91, 3)
    totals, per_lead = [], []
    tables: list[dict[str, float]] = []
    leads = 0.0
    for _ in range(runs):
        total, leads, spent = _timed_run(days)
        totals.append(total)
        per_lead.append(total / leads * 1e6)
        tables.append(spent)
    median_us = statistics.median(per_lead)
    print(f"\n(a) B2B scenario, {days} days, {leads:.0f} leads, {runs} runs")
    print(f"  µs per lead (median): {median_us:,.0f}   target ≤ 300, goal 100")
    print(f"  seconds per run (median): {statistics.median(totals):.2f}")
    table = {k: statistics.median(t.get(k, 0.0) for t in tables) / leads * 1e6 for k in tables[0]}
    print("  cost per lead by operation (µs, medians):")
    for k, v in sorted(table.items(), key=lambda kv: -kv[1]):
        print(f"    {k:<22} {v:8.1f}")
    return {
        "days": days,
        "leads": leads,
        "us_per_lead_median": median_us,
        "us_per_lead_runs": per_lead,
        "seconds_median": statistics.median(totals),
        "cost_table_us_per_lead": table,
    }


# -- (b) funnel only -----------------------------------------------------------------------


def funnel_objects(n: int, seed: int = 3) -> int:
    """The funnel with real Opportunity objects and StageChanged events; returns wins."""
    rng = random.Random(seed)
    agenda: list[tuple[float, int, int]] = []
    deals: list[Opportunity] = []
    for i in range(n):
        at = rng.random() * 60
        deals.append(Opportunity.new(id=f"d{i}", at=T0 + timedelta(days=at), actor="sim",
                                     name="d", pipeline=FUNNEL))  # fmt: skip
        heapq.heappush(agenda, (at + rng.expovariate(1 / DAYS[0]), i, 0))
    won = 0
    while agenda:
        at, i, k = heapq.heappop(agenda)
        when = T0 + timedelta(days=at)
        if rng.random() >= PROBABILITIES[k]:
            deals[i] = deals[i].close_lost(at=when, actor="sim", reason="no")
        elif k + 1 == len(STAGES):
            deals[i] = deals[i].close_won(at=when, actor="sim")
            won += 1
        else:
            deals[i] = deals[i].move_to(STAGES[k + 1], at=when, actor="sim")
            heapq.heappush(agenda, (at + rng.expovariate(1 / DAYS[k + 1]), i, k + 1))
    return won


def funnel_simpy(n: int, seed: int = 3) -> int:
    """The same model as SimPy processes."""
    import simpy

    rng = random.Random(seed)
    env = simpy.Environment()
    won = [0]

    def deal(start: float) -> Any:
        yield env.timeout(start)
        for k in range(len(STAGES)):
            yield env.timeout(rng.expovariate(1 / DAYS[k]))
            if rng.random() >= PROBABILITIES[k]:
                return
        won[0] += 1

    for _ in range(n):
        env.process(deal(rng.random() * 60))
    env.run()
    return won[0]


def funnel_loop(n: int, seed: int = 3) -> int:
    """The same model as a bare loop: the floor for pure Python."""
    rng = random.Random(seed)
    won = 0
    for _ in range(n):
        t = rng.random() * 60
        for k in range(len(STAGES)):
            t += rng.expovariate(1 / DAYS[k])
            if rng.random() >= PROBABILITIES[k]:
                break
        else:
            won += 1
    return won


def funnel_numpy(n: int, seed: int = 3) -> int:
    """The same model vectorised: the floor."""
    import numpy as np

    gen = np.random.default_rng(seed)
    alive = np.ones(n, dtype=bool)
    t = gen.random(n) * 60
    for k in range(len(STAGES)):
        t += gen.exponential(DAYS[k], n)
        alive &= gen.random(n) < PROBABILITIES[k]
    return int(alive.sum())


def funnel_only(quick: bool) -> dict[str, Any]:
    n = 2_000 if quick else 20_000
    result = compare(
        f"(b) funnel only, six stages, {n:,} leads per call",
        {
            "salescore objects and events": lambda: funnel_objects(n),
            "SimPy processes": lambda: funnel_simpy(n),
            "bare Python loop": lambda: funnel_loop(n),
            "numpy": lambda: funnel_numpy(n),
        },
        baseline="SimPy processes",
        number=1,
        repeats=3 if quick else 5,
        warmup=0 if quick else 1,
    )
    for name, row in result["contenders"].items():
        print(f"  {name:<30} {row['median_ns'] / n / 1000:8.3f} µs per lead")
    wins = {f(n) for f in (funnel_objects, funnel_simpy, funnel_loop)}
    print(f"  wins (seeded, per contender): {sorted(wins)}; numpy {funnel_numpy(n)}")
    result["leads"] = n
    return result


# -- (c) two workers -----------------------------------------------------------------------


def two_workers(quick: bool) -> dict[str, Any]:
    days, replications = (4, 2) if quick else (91, 8)
    scenario = b2b_quarter().with_overrides({"days": days})
    t = time.perf_counter()
    one = run_shards(scenario, 1, replications=replications)
    single = time.perf_counter() - t
    with ProcessPoolExecutor(max_workers=2) as pool:
        t = time.perf_counter()
        two = run_shards(scenario, 1, replications=replications, executor=pool)
        double = time.perf_counter() - t
    leads = sum(s.summary.metric("leads") for s in one.shards)
    speedup = single / double
    print(f"\n(c) {replications} replications × {days} days, {leads:,.0f} leads in all")
    print(f"  one process {single:.2f} s, two workers {double:.2f} s: speed-up ×{speedup:.2f}"
          f" (target ≥ 1.6), identical results: {one == two}")  # fmt: skip
    return {
        "replications": replications,
        "days": days,
        "leads": leads,
        "one_process_s": single,
        "two_workers_s": double,
        "speedup": speedup,
        "identical": one == two,
    }


def run(quick: bool = False) -> dict[str, Any]:
    """Run (a), (b) and (c); return their figures."""
    return {
        "whole_scenario": whole_scenario(quick),
        "funnel_only": funnel_only(quick),
        "two_workers": two_workers(quick),
    }
