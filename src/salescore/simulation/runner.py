"""Replications and variants, in this process or on an executor.

:func:`run` splits the work into shards — one per variant and replication,
and for a scenario with parts one per variant, replication and part — each a
:func:`~salescore.simulation.simulate` call with a seed derived from the
run's seed, the replication's number and the part's key
(:func:`derive_seed`). Every variant runs on the same seeds as the baseline,
so their differences are paired. A shard returns its
:class:`~salescore.simulation.Summary` (a part's
:class:`~salescore.simulation.parts.PartSummary`), not its event log; the
parts of a replication are merged into one summary
(:func:`~salescore.simulation.parts.merge`). So the result is the same in
one process, on a ``concurrent.futures.ProcessPoolExecutor`` or on any
executor with the same ``submit`` (a Dask ``Client.get_executor()``, for
instance).

This module is outside the core: it hands work to executors.
"""

from __future__ import annotations

import math
import random
import statistics
from collections.abc import Callable, Sequence
from concurrent.futures import Executor
from typing import Any

import attrs

from salescore.simulation.engine import simulate
from salescore.simulation.parts import PartSummary, merge, simulate_part
from salescore.simulation.scenario import Scenario
from salescore.simulation.summary import Summary

__all__ = ["BASELINE", "Comparison", "RunResult", "Shard", "derive_seed", "run"]

#: The name of the scenario as written, among its variants.
BASELINE = "baseline"

# Two-sided 95 % quantiles of Student's t for 1..30 degrees of freedom.
_T95 = (
    12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
    2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086,
    2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042,
)  # fmt: skip


def derive_seed(seed: int, replication: int, part: str | None = None) -> int:
    """The seed of one replication, or of one part in it.

    A function of the run's seed, the replication's number and the part's
    key only: not of the executor, the number of workers or the other parts.
    """
    tail = "" if part is None else f"/{part}"
    return random.Random(f"salescore/{seed}/{replication}{tail}").getrandbits(32)


@attrs.frozen
class Shard:
    """One replication of one variant: what it ran and what it reported.

    Attributes:
        variant: The variant.
        replication: The replication's number.
        seed: The replication's seed.
        summary: Its reports (for a scenario with parts: the parts merged).
        parts: Each part's reports, by part key (empty without parts).
    """

    variant: str
    replication: int
    seed: int
    summary: Summary
    parts: tuple[PartSummary, ...] = ()


@attrs.frozen(kw_only=True)
class Comparison:
    """A variant against the baseline on one metric, paired by replication.

    Attributes:
        variant: The variant.
        metric: The metric (see :attr:`Summary.metrics`).
        baseline: The baseline's mean over the replications.
        mean: The variant's mean.
        difference: The mean paired difference (variant − baseline).
        low: The lower end of its 95 % confidence interval (``None`` with
            one replication).
        high: The upper end.
    """

    variant: str
    metric: str
    baseline: float
    mean: float
    difference: float
    low: float | None
    high: float | None


@attrs.frozen(kw_only=True)
class RunResult:
    """What :func:`run` produced.

    Attributes:
        scenario: The scenario's name.
        seed: The run's seed.
        replications: Replications per variant.
        variants: The baseline first, then the variants in the order asked.
        shards: Every shard's summary, in (variant, replication) order.
        comparisons: Each variant against the baseline, per metric.
    """

    scenario: str
    seed: int
    replications: int
    variants: tuple[str, ...]
    shards: tuple[Shard, ...]
    comparisons: tuple[Comparison, ...]

    def summary(self, variant: str = BASELINE, replication: int = 0) -> Summary:
        """One shard's summary.

        Raises:
            KeyError: no such shard.
        """
        for shard in self.shards:
            if (shard.variant, shard.replication) == (variant, replication):
                return shard.summary
        raise KeyError((variant, replication))

    def to_dict(self) -> dict[str, Any]:
        """Plain data for JSON: no time, duration, worker count or path."""
        return {
            "scenario": self.scenario,
            "seed": self.seed,
            "replications": self.replications,
            "variants": list(self.variants),
            "shards": [
                {
                    "variant": s.variant,
                    "replication": s.replication,
                    "seed": s.seed,
                    "summary": s.summary.to_dict(),
                    "parts": [
                        {"part": p.part, "seed": p.seed, "summary": p.summary.to_dict()}
                        for p in s.parts
                    ],
                }
                for s in self.shards
            ],
            "comparisons": [attrs.asdict(c) for c in self.comparisons],
        }


def _whole(scenario: Scenario, seed: int, pause_gc: bool = False) -> Summary:
    return simulate(scenario, seed, pause_gc=pause_gc).summary


def run(
    scenario: Scenario,
    seed: int = 0,
    *,
    replications: int = 1,
    variants: Sequence[str] = (),
    executor: Executor | None = None,
    progress: Callable[[int, int], None] | None = None,
    pause_gc: bool = False,
) -> RunResult:
    """Run the baseline and variants, ``replications`` times each.

    A scenario with parts runs one shard per part, the biggest (by lead
    arrival rate) handed out first so that workers finish together; each
    replication's parts are merged into its summary.

    Args:
        scenario: The scenario (its variants are looked up by name).
        seed: The run's seed; replication ``r`` uses ``derive_seed(seed, r)``,
            its part ``p`` ``derive_seed(seed, r, p)``.
        replications: How many runs per variant (at least 1).
        variants: Names of the scenario's variants to compare with it.
        executor: Runs the shards (in this process when ``None``).
        progress: Called with (shards done, shards in all).
        pause_gc: Pause the garbage collector during each shard's run, in
            the process that runs it (see :func:`~salescore.simulation.simulate`).

    Returns:
        The :class:`RunResult`, the same whatever the executor.

    Raises:
        ValidationError: an unknown variant, or fewer than one replication.
    """
    from salescore._validation import fail

    if isinstance(replications, bool) or not isinstance(replications, int) or replications < 1:
        fail("replications", replications, "must be a whole number >= 1")
    chosen = [(BASELINE, scenario)] + [(name, scenario.variant(name)) for name in variants]
    # One task per (variant, replication, part): (weight, where, function, arguments).
    tasks: list[tuple[float, tuple[str, int, str | None], Callable[..., Any], tuple[Any, ...]]]
    tasks = []
    for name, variant in chosen:
        parts = [(p.key, variant.part(p.key)) for p in variant.parts]
        for r in range(replications):
            if not parts:
                weight = sum(s.rate for s in variant.sources)
                whole = (variant, derive_seed(seed, r), pause_gc)
                tasks.append((weight, (name, r, None), _whole, whole))
            for key, own in parts:
                weight = sum(s.rate for s in own.sources)
                args = (own, key, derive_seed(seed, r, key), pause_gc)
                tasks.append((weight, (name, r, key), simulate_part, args))
    # Biggest first (a stable sort keeps the order of equals): balanced workers.
    order = sorted(range(len(tasks)), key=lambda i: -tasks[i][0])
    results: dict[tuple[str, int, str | None], Any] = {}
    total = len(tasks)
    if progress is not None:
        progress(0, total)
    if executor is None:
        for done, i in enumerate(order, 1):
            _, where, function, args = tasks[i]
            results[where] = function(*args)
            if progress is not None:
                progress(done, total)
    else:
        futures = [(tasks[i][1], executor.submit(tasks[i][2], *tasks[i][3])) for i in order]
        for done, (where, future) in enumerate(futures, 1):
            results[where] = future.result()
            if progress is not None:
                progress(done, total)
    shards = []
    for name, variant in chosen:
        for r in range(replications):
            if not variant.parts:
                shards.append(Shard(name, r, derive_seed(seed, r), results[name, r, None]))
                continue
            done_parts = tuple(results[name, r, p.key] for p in variant.parts)
            shards.append(Shard(name, r, derive_seed(seed, r), merge(done_parts), done_parts))
    return RunResult(
        scenario=scenario.name,
        seed=seed,
        replications=replications,
        variants=tuple(name for name, _ in chosen),
        shards=tuple(shards),
        comparisons=compare(shards),
    )


def compare(shards: Sequence[Shard]) -> tuple[Comparison, ...]:
    """Each variant against the baseline, per metric, paired by replication."""
    base = {s.replication: dict(s.summary.metrics) for s in shards if s.variant == BASELINE}
    out = []
    names = dict.fromkeys(s.variant for s in shards if s.variant != BASELINE)
    for name in names:
        mine = {s.replication: dict(s.summary.metrics) for s in shards if s.variant == name}
        reps = sorted(mine)
        for metric in mine[reps[0]]:
            a = [base[r][metric] for r in reps]
            b = [mine[r][metric] for r in reps]
            diffs = [y - x for x, y in zip(a, b, strict=True)]
            mean = statistics.fmean(diffs)
            low = high = None
            if len(diffs) > 1:
                t = _T95[min(len(diffs) - 1, len(_T95)) - 1] if len(diffs) <= 31 else 1.96
                half = t * statistics.stdev(diffs) / math.sqrt(len(diffs))
                low, high = round(mean - half, 6), round(mean + half, 6)
            out.append(
                Comparison(
                    variant=name,
                    metric=metric,
                    baseline=round(statistics.fmean(a), 6),
                    mean=round(statistics.fmean(b), 6),
                    difference=round(mean, 6),
                    low=low,
                    high=high,
                )
            )
    return tuple(out)
