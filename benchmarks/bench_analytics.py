"""Analytics: a funnel report over a million stage changes; Markov attribution.

Funnel (analytics issue): 1,000,000 stage changes of 200,000 subjects in a
six-stage funnel, from a list of ``StageChanged`` events in time order (as an
event log gives them). ``funnel_report`` — reading any order, and folding as
it reads with ``in_time_order=True`` — against pandas computing the same
numbers from the same list (building the DataFrame included, as a user would
have to) and polars (from the list, and from a prebuilt frame). The numbers
are checked equal before timing. Peak memory of each Python-side contender
is measured with ``tracemalloc`` in a separate run (numpy registers its
buffers with it; polars allocates in Rust outside it, so it is not shown).

Markov (analytics issue): first-order Markov attribution of 100,000 journeys
of 1–10 touches over 12 channels, target under one second; beside the
``ChannelAttribution`` package (if installed) on the same journeys, with the
distance of its simulated removal effects from the exact ones.
"""

from __future__ import annotations

import contextlib
import importlib
import io
import random
import statistics
import time
import tracemalloc
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from benchmarks._harness import compare
from salescore.analytics import Journey, Markov, Touchpoint, attribute, funnel_report
from salescore.domain.events import StageChanged
from salescore.domain.stages import Funnel, Stage, StageKind

FUNNEL = Funnel(
    key="pipeline",
    stages=(
        Stage(key="lead"),
        Stage(key="qualified"),
        Stage(key="demo"),
        Stage(key="proposal"),
        Stage(key="won", kind=StageKind.WON),
        Stage(key="lost", kind=StageKind.LOST),
    ),
)
START = datetime(2026, 1, 1, tzinfo=UTC)
CHANNELS = [f"ch{i:02d}" for i in range(12)]


def build_changes(subjects: int, changes: int, seed: int = 11) -> list[StageChanged]:
    """``changes`` stage changes of ``subjects`` subjects, in time order."""
    rng = random.Random(seed)
    keys = FUNNEL.keys
    counts = [1] * subjects
    for _ in range(changes - subjects):
        counts[rng.randrange(subjects)] += 1
    out = []
    for i, k in enumerate(counts):
        at = START + timedelta(minutes=rng.randrange(500_000))
        pos = 0
        for j in range(k):
            if j:
                pos = min(4, pos + rng.choice((0, 1, 1, 2))) if rng.random() > 0.1 else 5
            out.append(
                StageChanged(
                    subject_id=f"s{i}",
                    funnel="pipeline",
                    from_stage=None,
                    to_stage=keys[pos],
                    at=at,
                    actor="rep",
                )
            )
            if pos == 5:
                pos = 0
            at += timedelta(minutes=rng.randrange(0, 20_000))
    out.sort(key=lambda c: c.at)
    return out


def _steps() -> tuple[dict[str, int], dict[int, int], int]:
    pos_of = {k: i for i, k in enumerate(FUNNEL.keys)}
    step_of: dict[int, int] = {}
    n = 0
    for i, s in enumerate(FUNNEL.stages):
        if s.kind is StageKind.LOST:
            step_of[i] = -1
        else:
            step_of[i] = n
            n += 1
    return pos_of, step_of, n


def pandas_report(changes: list[StageChanged]) -> tuple[list[int], list[float], list[float]]:
    """Entered per step and median/p90 time in stage (seconds), with pandas."""
    pd = importlib.import_module("pandas")
    pos_of, step_of, n = _steps()
    df = pd.DataFrame(
        {
            "sid": [c.subject_id for c in changes],
            "pos": [pos_of[c.to_stage] for c in changes],
            "at": pd.to_datetime([c.at for c in changes], utc=True),
        }
    )
    df = df.sort_values(["sid", "at", "pos"], kind="stable")
    df["dur"] = (df.groupby("sid", sort=False)["at"].shift(-1) - df["at"]).dt.total_seconds()
    df["step"] = df["pos"].map(step_of)
    reached = df.groupby("sid", sort=False)["step"].max()
    counts = reached[reached >= 0].value_counts().reindex(range(n), fill_value=0)
    entered = counts[::-1].cumsum()[::-1].tolist()
    totals = df.dropna(subset=["dur"]).groupby(["pos", "sid"], sort=False)["dur"].sum()
    by_stage = totals.groupby(level=0)
    med, p90 = by_stage.median(), by_stage.quantile(0.9)
    steps = [p for p, s in step_of.items() if s >= 0]
    return entered, [float(med[p]) for p in steps], [float(p90[p]) for p in steps]


def polars_frame(changes: list[StageChanged]) -> Any:
    """The changes as a polars frame."""
    pl = importlib.import_module("polars")
    pos_of, _, _ = _steps()
    return pl.DataFrame(
        {
            "sid": [c.subject_id for c in changes],
            "pos": [pos_of[c.to_stage] for c in changes],
            "at": [c.at for c in changes],
        }
    )


def polars_report(frame: Any) -> tuple[list[int], list[float], list[float]]:
    """The same numbers with polars, from a frame."""
    pl = importlib.import_module("polars")
    _, step_of, n = _steps()
    df = frame.sort(["sid", "at", "pos"], maintain_order=True).with_columns(
        ((pl.col("at").shift(-1).over("sid") - pl.col("at")).dt.total_microseconds() / 1e6).alias(
            "dur"
        ),
        pl.col("pos").replace_strict(step_of).alias("step"),
    )
    reached = df.group_by("sid").agg(pl.col("step").max())["step"].to_list()
    hist = [0] * (n + 1)
    for r in reached:
        hist[r + 1] += 1
    entered = [sum(hist[i + 1 :]) for i in range(n)]
    totals = df.drop_nulls("dur").group_by(["pos", "sid"]).agg(pl.col("dur").sum())
    stats = totals.group_by("pos").agg(
        pl.col("dur").median().alias("med"),
        pl.col("dur").quantile(0.9, interpolation="linear").alias("p90"),
    )
    row = {p: (m, q) for p, m, q in stats.iter_rows()}
    steps = [p for p, s in step_of.items() if s >= 0]
    return entered, [row[p][0] for p in steps], [row[p][1] for p in steps]


def ours(changes: list[StageChanged], in_order: bool) -> tuple[list[int], list[float], list[float]]:
    """The same numbers from ``funnel_report``."""
    r = funnel_report(FUNNEL, changes, in_time_order=in_order)
    return (
        list(r.entered),
        [s.median_time_in_stage.total_seconds() for s in r.steps],  # type: ignore[union-attr]
        [s.p90_time_in_stage.total_seconds() for s in r.steps],  # type: ignore[union-attr]
    )


def _same(a: tuple[list[int], list[float], list[float]], b: Any) -> bool:
    return a[0] == list(b[0]) and all(
        abs(x - y) < 1e-3
        for xs, ys in ((a[1], b[1]), (a[2], b[2]))
        for x, y in zip(xs, ys, strict=False)
    )


def _installed(name: str) -> bool:
    try:
        importlib.import_module(name)
    except ImportError:
        return False
    return True


def peak_bytes(fn: Callable[[], object]) -> int:
    """Peak memory allocated while ``fn`` runs (tracemalloc)."""
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def build_journeys(count: int, seed: int = 5) -> list[Journey]:
    """``count`` journeys of 1–10 touches over 12 channels; about a third convert."""
    rng = random.Random(seed)
    strength = {c: 0.02 + 0.04 * i / 11 for i, c in enumerate(CHANNELS)}
    out = []
    for _ in range(count):
        n = rng.randint(1, 10)
        at = START + timedelta(minutes=rng.randrange(100_000))
        touches = []
        p = 0.05
        for _ in range(n):
            c = rng.choice(CHANNELS)
            p += strength[c]
            touches.append(Touchpoint(c, at))
            at += timedelta(hours=rng.randrange(1, 72))
        converted = rng.random() < min(p, 0.9)
        out.append(Journey(touches, converted, float(rng.randint(50, 500)) if converted else 0.0))
    return out


def channelattribution_effects(journeys: list[Journey], **options: Any) -> dict[str, float] | None:
    """Removal effects from the ChannelAttribution package (``None`` if absent)."""
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            ca = importlib.import_module("ChannelAttribution")
    except ImportError:
        return None
    pd = importlib.import_module("pandas")
    paths: dict[str, list[int]] = {}
    for j in journeys:
        row = paths.setdefault(">".join(j.channels), [0, 0])
        row[0 if j.converted else 1] += 1
    data = pd.DataFrame(
        {
            "path": list(paths),
            "conv": [v[0] for v in paths.values()],
            "null": [v[1] for v in paths.values()],
        }
    )
    with contextlib.redirect_stdout(io.StringIO()):
        out = ca.markov_model(
            data,
            "path",
            "conv",
            var_null="null",
            out_more=True,
            verbose=False,
            flg_pro=False,
            **options,
        )
    effects = out["removal_effects"]
    return dict(zip(effects["channel_name"], effects["removal_effect"], strict=True))


def run(quick: bool = False) -> dict[str, Any]:
    """Run both benchmarks; return their results."""
    results: dict[str, Any] = {}
    subjects, count = (10_000, 50_000) if quick else (200_000, 1_000_000)
    t0 = time.perf_counter()
    changes = build_changes(subjects, count)
    print(
        f"built {len(changes):,} stage changes of {subjects:,} subjects in "
        f"{time.perf_counter() - t0:.1f} s"
    )
    expected = ours(changes, False)
    contenders: dict[str, Callable[[], object]] = {
        "funnel_report(list)": lambda: funnel_report(FUNNEL, changes),
        "funnel_report(iterator), buffered": lambda: funnel_report(FUNNEL, iter(changes)),
        "funnel_report(iterator, in_time_order=True)": lambda: funnel_report(
            FUNNEL, iter(changes), in_time_order=True
        ),
    }
    if _installed("pandas"):
        assert _same(expected, pandas_report(changes)), "pandas disagrees"
        contenders["pandas (DataFrame built from the list)"] = lambda: pandas_report(changes)
    else:
        print("pandas is not installed: left out")
    if _installed("polars"):
        frame = polars_frame(changes)
        assert _same(expected, polars_report(frame)), "polars disagrees"
        contenders["polars (frame built from the list)"] = lambda: polars_report(
            polars_frame(changes)
        )
        contenders["polars (prebuilt frame)"] = lambda: polars_report(frame)
    else:
        print("polars is not installed: left out")
    assert ours(changes, True) == expected
    baseline = next((n for n in contenders if n.startswith("pandas")), "funnel_report(list)")
    results["funnel"] = compare(
        f"funnel report: {len(changes):,} changes of {subjects:,} subjects, six stages",
        contenders,
        baseline=baseline,
        number=1,
        repeats=3 if quick else 5,
        warmup=0 if not quick else 1,
    )
    memory = {
        "funnel_report(iterator), buffered": peak_bytes(
            lambda: funnel_report(FUNNEL, iter(changes))
        ),
        "funnel_report(list) or in_time_order=True": peak_bytes(
            lambda: funnel_report(FUNNEL, changes)
        ),
    }
    if baseline.startswith("pandas"):
        memory["pandas"] = peak_bytes(lambda: pandas_report(changes))
    if not quick:
        fewer = build_changes(subjects, count // 2, seed=12)
        memory["funnel_report(iterator), buffered, half the changes"] = peak_bytes(
            lambda: funnel_report(FUNNEL, iter(fewer))
        )
        memory["funnel_report(list), half the changes"] = peak_bytes(
            lambda: funnel_report(FUNNEL, fewer)
        )
    print("peak memory (tracemalloc):")
    for name, value in memory.items():
        print(f"  {name:<55} {value / 2**20:8.1f} MiB")
    results["funnel_peak_bytes"] = memory

    n_journeys = 10_000 if quick else 100_000
    t0 = time.perf_counter()
    journeys = build_journeys(n_journeys)
    print(f"\nbuilt {n_journeys:,} journeys in {time.perf_counter() - t0:.1f} s")
    markov: dict[str, Callable[[], object]] = {
        "salescore Markov (exact)": lambda: attribute(journeys, Markov()),
    }
    exact = Markov().removal_effects(journeys)
    theirs = channelattribution_effects(journeys)
    if theirs is None:
        print("ChannelAttribution is not installed: left out")
    else:
        markov["ChannelAttribution markov_model (simulated)"] = lambda: channelattribution_effects(
            journeys
        )
        runs = {"defaults": theirs}
        if not quick:
            # longer simulated paths and more of them: the simulation then approaches
            # the exact solution (by default paths are cut at the longest journey)
            longer = channelattribution_effects(journeys, max_step=100, nsim_start=1e6)
            assert longer is not None
            runs["max_step=100, nsim_start=1e6"] = longer
        distance = {}
        for label, effects in runs.items():
            diffs = [abs(effects[c] - exact[c]) for c in exact]
            rel = [abs(effects[c] - exact[c]) / exact[c] for c in exact]
            distance[label] = {
                "max_abs": max(diffs),
                "mean_abs": statistics.fmean(diffs),
                "max_rel": max(rel),
                "effects": effects,
            }
            print(
                f"ChannelAttribution ({label}) removal effects vs exact: max |Δ| "
                f"{max(diffs):.4f}, mean |Δ| {statistics.fmean(diffs):.4f}, "
                f"max relative {max(rel):.1%}"
            )
        results["removal_effect_distance"] = {"exact": exact, "channelattribution": distance}
    results["markov"] = compare(
        f"Markov attribution: {n_journeys:,} journeys, 1–10 touches, 12 channels",
        markov,
        baseline="salescore Markov (exact)",
        number=1,
        repeats=3 if quick else 7,
    )
    return results
