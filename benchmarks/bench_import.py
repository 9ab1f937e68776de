"""Import time of ``salescore`` against its own dependencies, in fresh interpreters.

Each sample is a new ``python -X importtime -c CODE`` process; the time is the
sum of the cumulative times the interpreter reports for the imports ``CODE``
makes (the interpreter's own start-up imports are left out). Contenders run
in alternation and the medians are compared with the baseline measured in
the same run.

Every contender reads warmed bytecode caches, as an installed package has
them: ``PYTHONPYCACHEPREFIX`` points at a scratch folder that each contender's
code fills once before sampling (with ``PYTHONDONTWRITEBYTECODE`` unset), and
the samples then only read it. One extra row shows the cost without caches:

* ``attrs + cattrs + dateutil`` (baseline): ``import attrs, cattrs, dateutil``,
  the runtime dependencies.
* ``import salescore``: the façade (the target: at most 2× the baseline).
* ``from salescore import Lead``: the façade and what a lead needs.
* ``every module``: the whole domain, rule language, decisions, analytics and
  outreach.
* ``import salescore (no bytecode cache)``: salescore's modules compiled from
  source in every sample (its dependencies still cached).
* ``import salescore (before)``: the eager façade of an earlier revision, when
  the environment variable ``SALESCORE_BEFORE_SRC`` names the ``src`` folder
  of its checkout (skipped otherwise).
"""

from __future__ import annotations

import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from benchmarks._harness import format_ns

SRC = Path(__file__).resolve().parent.parent / "src"
BEFORE_SRC = Path(os.environ.get("SALESCORE_BEFORE_SRC", "/nonexistent"))
LINE = re.compile(r"^import time:\s+(\d+) \|\s+(\d+) \|( *)(\S+)$")
EVERY_MODULE = "import salescore; salescore._import_all()"
# name → (code, src folder, whether salescore's own bytecode is cached)
CONTENDERS: dict[str, tuple[str, Path, bool]] = {
    "attrs + cattrs + dateutil": ("import attrs, cattrs, dateutil", SRC, True),
    "import salescore": ("import salescore", SRC, True),
    "from salescore import Lead": ("from salescore import Lead", SRC, True),
    "every module": (EVERY_MODULE, SRC, True),
    "import salescore (no bytecode cache)": ("import salescore", SRC, False),
    "import salescore (before)": ("import salescore", BEFORE_SRC, True),
}
BASELINE = "attrs + cattrs + dateutil"
TARGET = 2.0


def _env(src: Path, cache: Path, *, write: bool = False) -> dict[str, str]:
    """The environment of a sample: ``src`` first on the path, caches in ``cache``."""
    env = {**os.environ, "PYTHONPATH": str(src), "PYTHONPYCACHEPREFIX": str(cache)}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    if not write:
        env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


def warm(code: str, src: Path, cache: Path) -> None:
    """Run ``code`` once so that ``cache`` holds the bytecode of what it imports."""
    subprocess.run([sys.executable, "-c", code], env=_env(src, cache, write=True), check=True)


def without_salescore(cache: Path, scratch: Path) -> Path:
    """A copy of ``cache`` without the bytecode of salescore's own modules."""
    target = scratch / "no-salescore"
    shutil.copytree(cache, target)
    # The prefix mirrors the absolute path of each source file.
    for src in {SRC, BEFORE_SRC}:
        shutil.rmtree(target / src.resolve().relative_to("/") / "salescore", ignore_errors=True)
    return target


def _top_level(code: str, src: Path, cache: Path) -> dict[str, int]:
    """Depth-0 entries of ``-X importtime``: module → cumulative microseconds."""
    env = _env(src, cache)
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


def measure(code: str, src: Path, cache: Path, startup: frozenset[str]) -> float:
    """Microseconds spent in the imports ``code`` makes (start-up excluded)."""
    times = _top_level(code, src, cache)
    return float(sum(us for name, us in times.items() if name not in startup))


def run(*, quick: bool = False) -> dict[str, Any]:
    """Measure every contender in alternation; medians and ratios to the baseline."""
    repeats = 5 if quick else 21
    contenders = {
        name: spec
        for name, spec in CONTENDERS.items()
        if (spec[1] / "salescore" / "__init__.py").exists()
    }
    with tempfile.TemporaryDirectory(prefix="salescore-import-") as tmp:
        scratch = Path(tmp)
        cached = scratch / "pycache"
        for code, src, _ in contenders.values():
            warm(code, src, cached)
        warm("pass", SRC, cached)
        uncached = without_salescore(cached, scratch)
        startup = frozenset(_top_level("pass", SRC, cached))
        samples: dict[str, list[float]] = {name: [] for name in contenders}
        for _ in range(repeats):
            for name, (code, src, warmed) in contenders.items():
                cache = cached if warmed else uncached
                samples[name].append(measure(code, src, cache, startup))
    base = statistics.median(samples[BASELINE])
    print(f"\nimport time, fresh interpreters, warm bytecode caches ({repeats} samples, medians)")
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
