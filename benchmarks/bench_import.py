"""Import time of ``salescore`` against its own dependencies, in fresh interpreters.

Each sample is a new ``python -X importtime -c CODE`` process; the time is the
sum of the cumulative times the interpreter reports for the imports ``CODE``
makes (the interpreter's own start-up imports are left out). Contenders run
in alternation and the medians are compared with the baseline measured in
the same run:

* ``attrs + cattrs + dateutil`` (baseline): ``import attrs, cattrs, dateutil``,
  the runtime dependencies.
* ``import salescore``: the façade (the target: at most 2× the baseline).
* ``from salescore import Lead``: the façade and what a lead needs.
* ``every module``: the whole domain, rule language and decisions.
* ``import salescore (before)``: the eager façade of an earlier revision, when
  the environment variable ``SALESCORE_BEFORE_SRC`` names the ``src`` folder
  of its checkout (skipped otherwise).
"""

from __future__ import annotations

import os
import re
import statistics
import subprocess
import sys
from pathlib import Path
from typing import Any

from benchmarks._harness import format_ns

SRC = Path(__file__).resolve().parent.parent / "src"
BEFORE_SRC = Path(os.environ.get("SALESCORE_BEFORE_SRC", "/nonexistent"))
LINE = re.compile(r"^import time:\s+(\d+) \|\s+(\d+) \|( *)(\S+)$")
CONTENDERS: dict[str, tuple[str, Path]] = {
    "attrs + cattrs + dateutil": ("import attrs, cattrs, dateutil", SRC),
    "import salescore": ("import salescore", SRC),
    "from salescore import Lead": ("from salescore import Lead", SRC),
    "every module": ("import salescore; salescore._import_all()", SRC),
    "import salescore (before)": ("import salescore", BEFORE_SRC),
}
BASELINE = "attrs + cattrs + dateutil"
TARGET = 2.0


def _top_level(code: str, src: Path) -> dict[str, int]:
    """Depth-0 entries of ``-X importtime``: module → cumulative microseconds."""
    env = {**os.environ, "PYTHONPATH": str(src)}
    err = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", code],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    ).stderr
    out: dict[str, int] = {}
    for line in err.splitlines():
        m = LINE.match(line)
        if m and m.group(3) == " ":
            out[m.group(4)] = out.get(m.group(4), 0) + int(m.group(2))
    return out


def measure(code: str, src: Path, startup: frozenset[str]) -> float:
    """Microseconds spent in the imports ``code`` makes (start-up excluded)."""
    return float(sum(us for name, us in _top_level(code, src).items() if name not in startup))


def run(*, quick: bool = False) -> dict[str, Any]:
    """Measure every contender in alternation; medians and ratios to the baseline."""
    repeats = 5 if quick else 21
    startup = frozenset(_top_level("pass", SRC))
    contenders = {
        name: spec
        for name, spec in CONTENDERS.items()
        if (spec[1] / "salescore" / "__init__.py").exists()
    }
    samples: dict[str, list[float]] = {name: [] for name in contenders}
    for _ in range(repeats):
        for name, (code, src) in contenders.items():
            samples[name].append(measure(code, src, startup))
    base = statistics.median(samples[BASELINE])
    print(f"\nimport time, fresh interpreters ({repeats} samples each, medians)")
    width = max(len(n) for n in contenders)
    result: dict[str, Any] = {"repeats": repeats, "baseline": BASELINE, "contenders": {}}
    for name, values in samples.items():
        med = statistics.median(values)
        ratio = med / base
        result["contenders"][name] = {"median_us": med, "samples_us": values, "ratio": ratio}
        mark = "  (baseline)" if name == BASELINE else ""
        print(f"  {name:<{width}}  {format_ns(med * 1000):>12}  ×{ratio:7.3f}{mark}")
    ratio = result["contenders"]["import salescore"]["ratio"]
    verdict = "met" if ratio <= TARGET else "NOT met"
    print(f"  target: import salescore ≤ {TARGET}× the baseline: {verdict} (×{ratio:.2f})")
    result["target_met"] = ratio <= TARGET
    return result
