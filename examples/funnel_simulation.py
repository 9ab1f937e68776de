"""Simulate a small sales team for six weeks, then compare two variants.

Run with ``python examples/funnel_simulation.py``. It reads
``examples/scenarios/small_team.toml``, runs it once and prints the funnel,
then runs the baseline and a variant three times each on the same seeds and
prints the differences with 95 % confidence intervals.
"""

from __future__ import annotations

from pathlib import Path

from salescore.simulation import Scenario, simulate
from salescore.simulation.runner import run

HERE = Path(__file__).resolve().parent


def main() -> None:
    scenario = Scenario.from_toml((HERE / "scenarios" / "small_team.toml").read_text("utf-8"))
    result = simulate(scenario, seed=1)
    print(f"{scenario.name}: {len(result.events):,} events, {len(result.interactions):,} touches")
    before = None
    for step, reached in result.summary.funnel:
        rate = f"{reached / before:6.1%}" if before else "      "
        print(f"  {step:<10} {reached:>5}  {rate}")
        before = reached

    compared = run(scenario, seed=1, replications=3, variants=["three_sdrs"])
    print("\nthree_sdrs against the baseline (3 paired replications):")
    for c in compared.comparisons:
        if c.metric in ("meetings", "deals", "won", "revenue"):
            interval = f"[{c.low:,.1f}, {c.high:,.1f}]" if c.low is not None else ""
            print(f"  {c.metric:<9} {c.baseline:>10,.1f} -> {c.mean:>10,.1f}  {interval}")


if __name__ == "__main__":
    main()
