"""A small benchmark harness.

Contenders run in alternation (A, B, C, A, B, C, …) so that noise from a shared
machine falls on all of them alike; each sample times ``number`` calls; the
report gives the median per-call time of ``repeats`` samples and the ratio of
each median to the baseline's median measured in the same run.
"""

from __future__ import annotations

import gc
import json
import platform
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

__all__ = ["RESULTS", "compare", "format_ns", "write_results"]

RESULTS = Path(__file__).parent / "results"


def format_ns(ns: float) -> str:
    """Format a duration in nanoseconds with a readable unit."""
    if ns >= 1e9:
        return f"{ns / 1e9:.3f} s"
    if ns >= 1e6:
        return f"{ns / 1e6:.3f} ms"
    if ns >= 1e3:
        return f"{ns / 1e3:.3f} µs"
    return f"{ns:.1f} ns"


def compare(
    title: str,
    contenders: dict[str, Callable[[], object]],
    *,
    baseline: str,
    number: int,
    repeats: int = 7,
    warmup: int = 1,
) -> dict[str, Any]:
    """Time several contenders in alternation and compare them to a baseline.

    Args:
        title: What is measured.
        contenders: Name → zero-argument callable doing one unit of work.
        baseline: The name of the contender the others are compared to.
        number: Calls per sample.
        repeats: Samples per contender; medians are reported.
        warmup: Untimed samples per contender first.

    Returns:
        ``{"title", "number", "repeats", "baseline", "contenders": {name:
        {"median_ns", "min_ns", "samples_ns", "ratio"}}}`` (per-call times).
    """
    if baseline not in contenders:
        raise KeyError(f"baseline {baseline!r} is not a contender")
    samples: dict[str, list[float]] = {name: [] for name in contenders}
    for _ in range(warmup):
        for fn in contenders.values():
            for _ in range(number):
                fn()
    gc_was_enabled = gc.isenabled()
    try:
        for _ in range(repeats):
            for name, fn in contenders.items():
                gc.collect()
                gc.disable()
                t0 = time.perf_counter_ns()
                for _ in range(number):
                    fn()
                elapsed = time.perf_counter_ns() - t0
                if gc_was_enabled:
                    gc.enable()
                samples[name].append(elapsed / number)
    finally:
        if gc_was_enabled:
            gc.enable()
    base = statistics.median(samples[baseline])
    result: dict[str, Any] = {
        "title": title,
        "number": number,
        "repeats": repeats,
        "baseline": baseline,
        "contenders": {},
    }
    print(f"\n{title}  ({repeats} samples × {number} calls, medians)")
    width = max(len(n) for n in contenders)
    for name, values in samples.items():
        med = statistics.median(values)
        ratio = med / base if base else float("nan")
        result["contenders"][name] = {
            "median_ns": med,
            "min_ns": min(values),
            "samples_ns": values,
            "ratio": ratio,
        }
        mark = "  (baseline)" if name == baseline else ""
        print(f"  {name:<{width}}  {format_ns(med):>12}/call  ×{ratio:8.3f}{mark}")
    return result


def write_results(name: str, data: dict[str, Any]) -> Path:
    """Write ``data`` with machine facts to ``benchmarks/results/NAME.json``."""
    RESULTS.mkdir(exist_ok=True)
    doc = {
        "benchmark": name,
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "machine": platform.machine(),
        "results": data,
    }
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps(doc, indent=2, sort_keys=True, default=str) + "\n")
    return path
