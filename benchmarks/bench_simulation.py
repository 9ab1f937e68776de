"""Simulation: the cost of a simulated lead, a funnel against SimPy, and two workers.

``python -m benchmarks simulation [--quick]``. In one run:

(a) The built-in B2B quarter (about 2,300 leads; one week with ``--quick``)
    through ``simulate``: arrival, scoring, routing, a cadence of calls and
    e-mails, qualification, conversion, a deal through the pipeline, service
    cases, and the reports at the end. Reported: µs per lead (median of the
    runs, wall and CPU time; targets ≤ 300 µs, goal 100 µs), the CPU cost
    per lead with the garbage collector paused for the run
    (``pause_gc=True``, as the ``salescore`` command runs, in alternation
    with the runs above) and a cost table per operation: the share of the
    run spent inside each kind of engine event, in the reports and inside
    the main operations those events call (and in the garbage collector's
    collections), times the CPU cost per lead.
(b) A funnel-only model — six stages, each a conversion probability and a
    duration: the MQL score, the meeting and its qualification, the four open
    stages of the pipeline; no cadences or cases — for about 5,000 leads
    (500 with ``--quick``), in alternation: through ``simulate`` with a
    funnel-only :class:`Scenario` (real leads, meetings, conversions, deals,
    events, a store and the reports), as SimPy processes, as a bare Python
    loop and with numpy (the floor). Target: at most 1.5× SimPy per lead.
    Then the engine's cost table, as in (a), with the collector off as in
    the comparison (the parts of a conversion included), and its cost per
    lead with the collector on.
(c) ``runner.run`` with 8 replications of the quarter (2 of four days with
    ``--quick``) in one process and on a 2-worker process pool: the speed-up
    (target ≥ 1.6×) and whether the results are identical.
(d) ``Workspace.capture_lead`` on a store of 5,000 leads (1,000 with
    ``--quick``): its duplicate check through the in-memory store's hash
    indexes, and with every find scanning the table (the indexes turned off in
    the same run, as before them).
"""

from __future__ import annotations

import gc
import random
import statistics
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime
from typing import Any

from benchmarks._harness import compare
from salescore.simulation import Scenario, b2b_quarter, simulate
from salescore.simulation import engine as engine_module
from salescore.simulation.runner import run as run_shards

# -- (a) the whole scenario ---------------------------------------------------------------


def _inner() -> list[tuple[Any, str, str]]:
    """The operations timed inside the engine's events: (owner, attribute, label).

    The rows marked "convert:" are the parts of a conversion, inside ``Workspace.convert``.
    """
    from salescore.domain.interactions import Interaction
    from salescore.domain.leads import Lead
    from salescore.domain.opportunities import Opportunity
    from salescore.domain.parties import Account, Contact
    from salescore.storage.memory import InMemoryStore
    from salescore.workspace import Workspace

    return [
        (Lead, "new", "Lead.new"),
        (engine_module, "score", "score"),
        (engine_module, "apply_score", "apply_score (record the score)"),
        (engine_module, "route", "route"),
        (Lead, "assign", "Lead.assign"),
        (Lead, "move_to", "Lead.move_to (status moves)"),
        (Interaction, "call", "Interaction.call"),
        (Interaction, "email", "Interaction.email"),
        (Interaction, "meeting", "Interaction.meeting"),
        (engine_module, "assess", "assess (qualification)"),
        (Workspace, "convert", "Workspace.convert"),
        (Workspace, "_memberships", "  convert: find the campaign memberships"),
        (Account, "new", "  convert: Account.new"),
        (Contact, "new", "  convert: Contact.new"),
        (Opportunity, "new", "  convert: Opportunity.new"),
        (Lead, "_record_conversion", "  convert: the lead's move to converted"),
        (Workspace, "move_opportunity", "Workspace.move_opportunity"),
        (Workspace, "close_opportunity", "Workspace.close_opportunity"),
        (Workspace, "open_case", "Workspace.open_case"),
        (Workspace, "answer_case", "Workspace.answer_case"),
        (InMemoryStore, "_commit", "store commits (all units of work)"),
        (engine_module._Run, "later", "business-time arithmetic (later)"),
    ]


def _timed_run(scenario: Scenario, seed: int, inner: bool) -> tuple[float, float, dict[str, float]]:
    """One instrumented run: seconds, leads, and seconds spent per operation.

    With ``inner``, the operations of :func:`_inner` are timed (they nest in
    the engine's events); otherwise each kind of engine event and the reports.
    """
    spent: dict[str, float] = {}
    saved: list[tuple[Any, str, Any]] = []

    def wrap(name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        def timed(*args: Any, **kwargs: Any) -> Any:
            t = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                spent[name] = spent.get(name, 0.0) + time.perf_counter() - t

        return timed

    def patch(owner: Any, attr: str, label: str) -> None:
        original = vars(owner)[attr]
        saved.append((owner, attr, original))
        timed = wrap(label, getattr(owner, attr))
        setattr(
            owner,
            attr,
            staticmethod(timed) if isinstance(original, classmethod | staticmethod) else timed,
        )

    def collector(phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            started.append(time.perf_counter())
        elif started:
            label = "garbage collector (every collection)"
            spent[label] = spent.get(label, 0.0) + time.perf_counter() - started.pop()

    started: list[float] = []
    cls = engine_module._Run
    if inner:
        for owner, attr, label in _inner():
            patch(owner, attr, label)
        gc.callbacks.append(collector)
    else:
        for name in ("on_day", "on_lead", "on_step", "on_meeting", "on_stage", "on_case",
                     "on_reply", "on_solve"):  # fmt: skip
            patch(cls, name, "arrivals (day)" if name == "on_day" else name.removeprefix("on_"))
        patch(engine_module, "summarize", "reports (analytics)")
    try:
        t = time.perf_counter()
        result = simulate(scenario, seed=seed)
        total = time.perf_counter() - t
    finally:
        for owner, attr, original in reversed(saved):
            setattr(owner, attr, original)
        if collector in gc.callbacks:
            gc.callbacks.remove(collector)
    if not inner:
        spent["engine and set-up"] = total - sum(spent.values())
    return total, result.summary.metric("leads"), spent


def _tables(
    scenario: Scenario, seed: int, runs: int, us_per_lead: float
) -> tuple[dict[str, float], dict[str, float]]:
    """The cost tables by engine event and by operation (see :func:`_table`)."""
    events = [(r[0], r[2]) for r in (_timed_run(scenario, seed, False) for _ in range(runs))]
    inner = [(r[0], r[2]) for r in (_timed_run(scenario, seed, True) for _ in range(runs))]
    return _table(events, us_per_lead), _table(inner, us_per_lead)


def _print_tables(
    table: dict[str, float], operations: dict[str, float], runs: int, unit: str = "CPU µs"
) -> None:
    print(f"  {unit} per lead by engine event (median shares of {runs} instrumented runs):")
    for k, v in table.items():
        print(f"    {k:<42} {v:8.1f}")
    print(f"  inside those events ({unit} per lead, as above; nested, so they overlap):")
    for k, v in operations.items():
        print(f"    {k:<42} {v:8.1f}")


def _plain_run(days: int, pause_gc: bool = False) -> tuple[float, float, float]:
    """One run without instruments: wall seconds, CPU seconds of this process, leads."""
    scenario = b2b_quarter().with_overrides({"days": days})
    t, cpu = time.perf_counter(), time.process_time()
    result = simulate(scenario, seed=1, pause_gc=pause_gc)
    wall, cpu = time.perf_counter() - t, time.process_time() - cpu
    return wall, cpu, result.summary.metric("leads")


def _table(runs: list[tuple[float, dict[str, float]]], us_per_lead: float) -> dict[str, float]:
    """µs per lead of each operation: its median share of the run times ``us_per_lead``.

    Shares, not raw seconds, so that the table adds up to the uninstrumented
    CPU cost per lead, whatever the wall clock lost to other processes.
    """
    keys = {k for _, spent in runs for k in spent}
    med = {k: statistics.median(t.get(k, 0.0) / total for total, t in runs) for k in keys}
    return dict(sorted(((k, v * us_per_lead) for k, v in med.items()), key=lambda kv: -kv[1]))


def whole_scenario(quick: bool) -> dict[str, Any]:
    days, runs, instrumented = (7, 2, 1) if quick else (91, 5, 3)
    totals, per_lead, cpu_per_lead, cpu_paused = [], [], [], []
    leads = 0.0
    for _ in range(runs):  # in alternation: the collector running, then paused (pause_gc)
        total, cpu, leads = _plain_run(days)
        totals.append(total)
        per_lead.append(total / leads * 1e6)
        cpu_per_lead.append(cpu / leads * 1e6)
        cpu_paused.append(_plain_run(days, pause_gc=True)[1] / leads * 1e6)
    median_us = statistics.median(per_lead)
    print(f"\n(a) B2B scenario, {days} days, {leads:.0f} leads, {runs} runs")
    cpu_us = statistics.median(cpu_per_lead)
    paused_us = statistics.median(cpu_paused)
    print(
        f"  µs per lead (median): {median_us:,.0f} wall, {cpu_us:,.0f} CPU   target ≤ 300, goal 100"
    )
    print(f"  CPU µs per lead with the collector paused (pause_gc=True): {paused_us:,.0f}")
    print(f"  seconds per run (median): {statistics.median(totals):.2f}")
    scenario = b2b_quarter().with_overrides({"days": days})
    table, operations = _tables(scenario, 1, instrumented, cpu_us)
    _print_tables(table, operations, instrumented)
    return {
        "days": days,
        "leads": leads,
        "us_per_lead_median": median_us,
        "us_per_lead_runs": per_lead,
        "cpu_us_per_lead_median": cpu_us,
        "cpu_us_per_lead_runs": cpu_per_lead,
        "cpu_us_per_lead_paused_median": paused_us,
        "cpu_us_per_lead_paused_runs": cpu_paused,
        "seconds_median": statistics.median(totals),
        "cost_table_us_per_lead": table,
        "operations_us_per_lead": operations,
    }


# -- (b) funnel only -----------------------------------------------------------------------

# Six stages, each a conversion probability and a duration in business days: the MQL
# score (60 % of leads are in the scored industry), the meeting and its qualification
# (held a business day later, 50 % qualified), then the four open stages of the pipeline.
PROBABILITIES = (0.6, 0.5, 0.55, 0.6, 0.5, 0.7)
DAYS = (0.0, 1.0, 4.0, 5.0, 6.0, 4.0)
BUSINESS_DAYS = 40  # arrivals on 40 business days (8 weeks); the run ends after them

FUNNEL_SCENARIO = """
name = "Funnel only"
start = 2026-01-05
days = 56
timezone = "UTC"
currency = "EUR"

[[sources]]
key = "inbound"
rate = {rate}
[sources.attributes.industry]
saas = 3
retail = 2

[scoring]
mql = 10
[[scoring.criteria]]
key = "saas"
rule = "industry == 'saas'"
points = 10

[qualification]
[[qualification.items]]
key = "need"
confirmed = 0.5

[routing]
default_team = "sdr"
deal_team = "ae"

[[teams]]
key = "sdr"
role = "sdr"
reps = 1

[[teams]]
key = "ae"
role = "ae"
reps = 1
meetings_per_day = 1000000

[pipeline]
amount = "10000"
[[pipeline.stages]]
key = "qualification"
advance = 0.55
days = 4
[[pipeline.stages]]
key = "discovery"
advance = 0.6
days = 5
[[pipeline.stages]]
key = "proposal"
advance = 0.5
days = 6
[[pipeline.stages]]
key = "negotiation"
advance = 0.7
days = 4
"""


def funnel_scenario(leads: int) -> Scenario:
    """The funnel-only scenario: about ``leads`` leads, no cadence, no service."""
    return Scenario.from_toml(FUNNEL_SCENARIO.format(rate=leads / BUSINESS_DAYS))


def funnel_engine(scenario: Scenario, seed: int = 3) -> int:
    """The funnel through ``simulate``: real leads, meetings, deals, events and reports."""
    return int(simulate(scenario, seed=seed).summary.metric("won"))


def funnel_simpy(n: int, seed: int = 3) -> int:
    """The same model as SimPy processes (time in business days, same horizon)."""
    import simpy

    rng = random.Random(seed)
    env = simpy.Environment()
    won = [0]

    def deal(start: float) -> Any:
        yield env.timeout(start)
        for k in range(len(PROBABILITIES)):
            if DAYS[k]:
                yield env.timeout(rng.expovariate(1 / DAYS[k]) if k > 1 else DAYS[k])
            if rng.random() >= PROBABILITIES[k]:
                return
        won[0] += 1

    for _ in range(n):
        env.process(deal(rng.random() * BUSINESS_DAYS))
    env.run(until=BUSINESS_DAYS)
    return won[0]


def funnel_loop(n: int, seed: int = 3) -> int:
    """The same model as a bare loop: the floor for pure Python."""
    rng = random.Random(seed)
    won = 0
    for _ in range(n):
        t = rng.random() * BUSINESS_DAYS
        for k in range(len(PROBABILITIES)):
            if DAYS[k]:
                t += rng.expovariate(1 / DAYS[k]) if k > 1 else DAYS[k]
            if rng.random() >= PROBABILITIES[k]:
                break
        else:
            won += t < BUSINESS_DAYS
    return won


def funnel_numpy(n: int, seed: int = 3) -> int:
    """The same model vectorised: the floor."""
    import numpy as np

    gen = np.random.default_rng(seed)
    alive = np.ones(n, dtype=bool)
    t = gen.random(n) * BUSINESS_DAYS
    for k in range(len(PROBABILITIES)):
        if DAYS[k]:
            t += gen.exponential(DAYS[k], n) if k > 1 else DAYS[k]
        alive &= gen.random(n) < PROBABILITIES[k]
    return int((alive & (t < BUSINESS_DAYS)).sum())


def funnel_only(quick: bool) -> dict[str, Any]:
    target = 500 if quick else 5_000
    scenario = funnel_scenario(target)
    first = simulate(scenario, seed=3).summary
    n = int(first.metric("leads"))  # the engine's Poisson draw: the others simulate as many
    result = compare(
        f"(b) funnel only, six stages, {n:,} leads per call",
        {
            "salescore simulate (funnel-only scenario)": lambda: funnel_engine(scenario),
            "SimPy processes": lambda: funnel_simpy(n),
            "bare Python loop": lambda: funnel_loop(n),
            "numpy": lambda: funnel_numpy(n),
        },
        baseline="SimPy processes",
        number=1,
        repeats=3 if quick else 5,
        warmup=0,
    )
    for name, row in result["contenders"].items():
        row["us_per_lead"] = row["median_ns"] / n / 1000
        print(f"  {name:<42} {row['us_per_lead']:9.3f} µs per lead  ×{row['ratio']:.3f}")
    wins = {
        "engine": int(first.metric("won")),
        "simpy": funnel_simpy(n),
        "loop": funnel_loop(n),
        "numpy": funnel_numpy(n),
    }
    print(f"  deals won (seeded, per contender): {wins}")
    result["leads"] = n
    result["won"] = wins
    # Where the engine's time goes, with the collector off as in the comparison above.
    instrumented = 1 if quick else 3
    engine_us = result["contenders"]["salescore simulate (funnel-only scenario)"]["us_per_lead"]
    gc.collect()
    gc.disable()
    try:
        table, operations = _tables(scenario, 3, instrumented, engine_us)
    finally:
        gc.enable()
    _print_tables(table, operations, instrumented, unit="µs")
    collected = []
    for _ in range(1 if quick else 3):  # the same runs with the collector on
        gc.collect()
        t = time.perf_counter()
        funnel_engine(scenario)
        collected.append((time.perf_counter() - t) / n * 1e6)
    on = statistics.median(collected)
    print(f"  salescore simulate with the garbage collector on: {on:,.1f} µs per lead")
    result["cost_table_us_per_lead"] = table
    result["operations_us_per_lead"] = operations
    result["engine_us_per_lead_gc_on"] = on
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


# -- (d) the duplicate check of a capture ---------------------------------------------------


def capture(quick: bool) -> dict[str, Any]:
    """``Workspace.capture_lead`` on a store of many leads: hash index against a full scan."""
    from salescore.clock import ManualClock
    from salescore.domain.leads import Lead
    from salescore.ids import DeterministicIds
    from salescore.storage import InMemoryStore, memory
    from salescore.workspace import Workspace

    stored = 1_000 if quick else 5_000
    at = datetime(2026, 1, 5, 9, tzinfo=UTC)

    def workspace() -> Workspace:
        store = InMemoryStore()
        with store.unit_of_work() as uow:
            for i in range(stored):
                uow.leads.add(Lead.new(id=f"old-{i}", at=at, actor="import",
                                       email=f"p{i}@c{i}.example", company=f"C{i}"))  # fmt: skip
        return Workspace(store, clock=ManualClock(at), ids=DeterministicIds("b", seed=1))

    indexed, scanned = workspace(), workspace()
    count = [0]

    def one(ws: Workspace) -> None:
        count[0] += 1
        ws.capture_lead(actor="form", email=f"new{count[0]}@n{count[0]}.example", company="N")

    def without_index() -> None:
        wanted = memory._wanted
        memory._wanted = lambda rule, spec: None  # every find scans, as before the indexes
        try:
            one(scanned)
        finally:
            memory._wanted = wanted

    return compare(
        f"(d) capture_lead with {stored:,} stored leads (duplicate check)",
        {"hash index": lambda: one(indexed), "full scan": without_index},
        baseline="full scan",
        number=5 if quick else 20,
        repeats=3 if quick else 5,
    )


def run(quick: bool = False) -> dict[str, Any]:
    """Run (a) to (d); return their figures."""
    return {
        "whole_scenario": whole_scenario(quick),
        "funnel_only": funnel_only(quick),
        "two_workers": two_workers(quick),
        "capture": capture(quick),
    }
