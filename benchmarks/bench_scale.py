"""Scale: the B2B quarter grown to 100,000 leads, in one process.

``python -m benchmarks scale [--quick]``. The issue's figure "300 µs per
lead, 100,000 leads in under 30 s" asks for the cost per lead to hold as the
run grows. The built-in quarter (``b2b_quarter()``, about 2,200 leads) is
scaled by a factor ``f`` on its lead rates, in two ways:

* **teams grown with the leads**: every team has ``f`` times the reps (a
  larger organisation: 5 SDRs become 225 at 100,000 leads), so each routing
  decision chooses among more reps;
* **teams of fewer, busier reps**: ``f / 8`` times the reps, each with 8
  times the capacity (as the workers benchmark scales), so that the run
  measures leads rather than long lists of reps.

Each is run once with the collector paused (``pause_gc=True``, as the
``salescore`` command runs) in this process, one after the other, and the
CPU time per lead is reported with the wall time and the load average,
after an untimed week of the quarter (imports and caches warmed up).
The full run takes about 100,000 leads per shape (a few minutes);
``--quick`` about 4,500 leads (``f = 2``).
"""

from __future__ import annotations

import json
import os
import time
from typing import Any

from salescore.simulation import Scenario, simulate
from salescore.simulation.demo import b2b_quarter

#: The capacity each role's head count is traded for (as in the workers benchmark).
_CAPACITY = {"sdr": ("calls_per_day", 45), "ae": ("meetings_per_day", 4),
             "support_agent": ("cases_at_once", 3)}  # fmt: skip


def scaled(factor: float, busier: bool) -> Scenario:
    """The quarter with ``factor`` times the lead rates and its teams grown to match."""
    data = json.loads(b2b_quarter().data)
    for source in data["sources"]:
        source["rate"] = source["rate"] * factor
    for team in data["teams"]:
        if busier:
            team["reps"] = max(1, round(team["reps"] * factor / 8))
            key, default = _CAPACITY[team["role"]]
            team[key] = team.get(key, default) * 8
        else:
            team["reps"] = max(1, round(team["reps"] * factor))
    return Scenario.from_dict(data)


def one_run(scenario: Scenario) -> dict[str, float]:
    """One seeded run: leads, CPU and wall seconds, CPU µs per lead."""
    cpu, wall = time.process_time(), time.perf_counter()
    result = simulate(scenario, seed=1, pause_gc=True)
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    leads = result.summary.metric("leads")
    return {"leads": leads, "cpu_s": cpu, "wall_s": wall, "cpu_us_per_lead": cpu / leads * 1e6}


def run(quick: bool = False) -> dict[str, Any]:
    """Run both shapes at the scale asked for; return the figures."""
    factors = [2.0] if quick else [1.0, 45.0]
    load_before = os.getloadavg()
    simulate(b2b_quarter().with_overrides({"days": 7}), seed=0)  # warm-up: imports, caches
    results: dict[str, Any] = {}
    print("\nScale: the B2B quarter grown, collector paused, one process")
    for factor in factors:
        for busier in (False, True):
            if factor == 1.0 and busier:
                continue  # the same scenario as the other shape at f = 1
            name = f"x{factor:g} " + ("fewer, busier reps" if busier else "teams grown")
            figures = one_run(scaled(factor, busier))
            results[name] = figures
            print(
                f"  {name}: {figures['leads']:,.0f} leads, {figures['cpu_s']:.1f} s CPU "
                f"({figures['wall_s']:.1f} s wall), {figures['cpu_us_per_lead']:,.0f} µs per lead",
                flush=True,
            )
    results["load_average"] = {"before": load_before[0], "after": os.getloadavg()[0]}
    return results
