"""Workers: a scenario split into parts, on one process and on two.

``python -m benchmarks workers [--quick]``. The four-region scenario of
``examples/scenarios/regions.toml`` is scaled (lead rates, teams) to
about 200,000 leads over its quarter (about 2,000 over two weeks with
``--quick``) and run with ``runner.run`` in alternation: in this process
(``salescore simulate --workers 1``) and on a two-worker process pool
(``--workers 2``, pool start-up included), twice each (three times with
``--quick``). Reported: the median seconds of each, the speed-up (target ≥
1.6×), whether every result is identical, each part's time in the
one-process runs (the balance of the shards), the bytes a part's result
takes when pickled (what crosses the process boundary), the load average
of the machine before and after, and a control: the speed-up of two
processes over one on a pure Python loop, measured before the first and
after every round, which is what the machine offers at that moment (on a
2-core machine busy with other work it is well below 2).
"""

from __future__ import annotations

import itertools
import json
import os
import pickle
import statistics
import time
import tomllib
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from datetime import timedelta
from pathlib import Path
from typing import Any

from salescore.simulation import Scenario
from salescore.simulation.runner import RunResult
from salescore.simulation.runner import run as run_shards

REGIONS = Path(__file__).parents[1] / "examples" / "scenarios" / "regions.toml"
SEED = 11


#: The capacity each role's head count is traded for.
_CAPACITY = {"sdr": ("calls_per_day", 60), "ae": ("meetings_per_day", 4),
             "support_agent": ("cases_at_once", 3)}  # fmt: skip


def scaled(leads: int, days: int) -> Scenario:
    """The four regions over ``days`` days, scaled to about ``leads`` leads in all.

    Lead rates grow by a factor ``f``; teams keep up with ``f / 8`` times the
    reps, each with 8 times the capacity (calls, meetings or cases a day), so
    that the run measures leads, not long lists of reps; existing customers
    stay as they are.
    """
    data = tomllib.loads(REGIONS.read_text(encoding="utf-8"))
    data["days"] = days
    start = Scenario.from_dict(data).start
    business_days = sum((start + timedelta(days=i)).weekday() < 5 for i in range(days))
    factor = leads / (sum(s["rate"] for s in data["sources"]) * business_days)
    for source in data["sources"]:
        source["rate"] = round(source["rate"] * factor, 3)
    for team in data["teams"]:
        team["reps"] = max(1, round(team["reps"] * factor / 8))
        key, default = _CAPACITY[team["role"]]
        team[key] = team.get(key, default) * 8
    return Scenario.from_dict(data)


def _one_process(scenario: Scenario, spent: list[float]) -> RunResult:
    marks = [time.perf_counter()]

    def progress(done: int, total: int) -> None:
        if done:
            marks.append(time.perf_counter())

    result = run_shards(scenario, SEED, progress=progress)
    spent.extend(b - a for a, b in itertools.pairwise(marks))
    return result


def _two_workers(scenario: Scenario) -> RunResult:
    with ProcessPoolExecutor(max_workers=2) as pool:
        return run_shards(scenario, SEED, executor=pool)


def spin(n: int) -> int:
    """A pure Python loop: the control for what two processes can gain on this machine."""
    total = 0
    for i in range(n):
        total += i
    return total


def control(n: int) -> float:
    """The speed-up of two processes over one on ``spin`` right now: the machine's ceiling."""
    t = time.perf_counter()
    spin(n)
    spin(n)
    one = time.perf_counter() - t
    with ProcessPoolExecutor(max_workers=2) as pool:
        t = time.perf_counter()
        list(pool.map(spin, [n, n]))
        two = time.perf_counter() - t
    return one / two


def run(quick: bool = False) -> dict[str, Any]:
    """Time one process against two workers; return the figures."""
    leads, days, repeats = (2_000, 14, 3) if quick else (200_000, 91, 2)
    scenario = scaled(leads, days)
    load_before = os.getloadavg()
    spins = 2_000_000 if quick else 20_000_000
    ceilings = [control(spins)]
    part_seconds: list[list[float]] = []
    contenders: dict[str, Callable[[], RunResult]] = {
        "one process": lambda: _one_process(scenario, part_seconds[-1]),
        "two workers": lambda: _two_workers(scenario),
    }
    seconds: dict[str, list[float]] = {name: [] for name in contenders}
    results: list[RunResult] = []
    print(f"\nWorkers: {len(scenario.parts)} parts, about {leads:,} leads, {days} days")
    for i in range(repeats):
        for name, fn in contenders.items():
            if name == "one process":
                part_seconds.append([])
            t = time.perf_counter()
            results.append(fn())
            seconds[name].append(time.perf_counter() - t)
            print(f"  run {i + 1}, {name}: {seconds[name][-1]:.2f} s", flush=True)
        ceilings.append(control(spins))
    load_after = os.getloadavg()
    first = results[0]
    identical = all(
        r == first and json.dumps(r.to_dict()) == json.dumps(first.to_dict()) for r in results
    )
    one = statistics.median(seconds["one process"])
    two = statistics.median(seconds["two workers"])
    shipped = {p.part: len(pickle.dumps(p)) for p in first.shards[0].parts}
    per_part = [statistics.median(column) for column in zip(*part_seconds, strict=True)]
    total_leads = first.summary().metric("leads")
    print(f"  leads simulated: {total_leads:,.0f}")
    print(f"  one process: median {one:.2f} s ({one / total_leads * 1e6:,.0f} µs per lead)")
    print(f"  two workers: median {two:.2f} s")
    print(f"  speed-up ×{one / two:.2f} (target ≥ 1.6); identical results: {identical}")
    print(f"  seconds per part in one process (medians, biggest first): {per_part}")
    print(f"  bytes pickled per part's result: {shipped}")
    print(f"  load average before {load_before[0]:.2f}, after {load_after[0]:.2f}")
    print(
        "  control, a pure Python loop on two processes against one, before and after "
        f"each round: ×{', ×'.join(f'{c:.2f}' for c in ceilings)}"
    )
    return {
        "parts": len(scenario.parts),
        "days": days,
        "leads": total_leads,
        "repeats": repeats,
        "one_process_s": seconds["one process"],
        "two_workers_s": seconds["two workers"],
        "one_process_median_s": one,
        "two_workers_median_s": two,
        "speedup": one / two,
        "identical": identical,
        "part_seconds_median": per_part,
        "pickled_bytes_per_part": shipped,
        "load_average_before": load_before,
        "load_average_after": load_after,
        "control_speedups": ceilings,
    }
