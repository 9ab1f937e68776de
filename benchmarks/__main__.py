"""Run one benchmark: ``python -m benchmarks NAME [--quick]``.

``NAME`` is the part after ``bench_`` of a module in this folder; ``all`` runs
every one. Results are printed and written to ``benchmarks/results/NAME.json``.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys
from pathlib import Path

from benchmarks._harness import write_results


def _names() -> list[str]:
    here = Path(__file__).parent
    return sorted(
        m.name.removeprefix("bench_")
        for m in pkgutil.iter_modules([str(here)])
        if m.name.startswith("bench_")
    )


def main(argv: list[str] | None = None) -> int:
    """Parse arguments and run the named benchmarks."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks")
    parser.add_argument("name", help=f"one of: all, {', '.join(_names())}")
    parser.add_argument("--quick", action="store_true", help="fewer, smaller runs")
    args = parser.parse_args(argv)
    names = _names() if args.name == "all" else [args.name]
    for name in names:
        if name not in _names():
            parser.error(f"unknown benchmark {name!r}")
        module = importlib.import_module(f"benchmarks.bench_{name}")
        data = module.run(quick=args.quick)
        if not args.quick:
            path = write_results(name, data)
            print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
