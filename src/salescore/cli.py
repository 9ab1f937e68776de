"""The ``salescore`` command: ``demo``, ``simulate`` and ``report``.

Install with ``pip install 'salescore[cli]'`` (rich and matplotlib). Run
``salescore --help`` or ``python -m salescore --help``.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor
from datetime import datetime
from pathlib import Path
from typing import Any

from salescore.errors import SalescoreError, ValidationError

__all__ = ["main"]

#: Exit status of a bad command line, scenario file or store.
USAGE = 2


class _Refused(Exception):
    """A problem with the input, reported as one line and exit status 2."""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="salescore",
        description="Simulate a sales organisation with the salescore model and report on it.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    demo = commands.add_parser("demo", help="run a built-in quarter of a B2B company")
    demo.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    demo.add_argument("--out", type=Path, help="folder for charts and report (default: a new one)")

    sim = commands.add_parser("simulate", help="run a scenario file")
    sim.add_argument("scenario", type=Path, help="the scenario (TOML)")
    sim.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    sim.add_argument("--replications", type=int, default=1, help="runs per variant (default 1)")
    sim.add_argument(
        "--variant", action="append", default=[], help="a variant to compare (repeatable)"
    )
    sim.add_argument("--workers", type=int, default=1, help="worker processes (default 1)")
    sim.add_argument("--out", type=Path, help="folder for summary.json, charts and report")
    sim.add_argument("--store", help="keep the run's data in a store: sqlite:PATH")

    report = commands.add_parser("report", help="report on a stored workspace")
    report.add_argument("--store", required=True, help="the store: sqlite:PATH")
    report.add_argument(
        "--currency", help="currency of deals and costs (default: the one the store holds)"
    )
    report.add_argument("--out", type=Path, help="folder for summary.json, charts and report")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    args = _parser().parse_args(argv)
    try:
        console = _console()
        if args.command == "demo":
            return _demo(args, console)
        if args.command == "simulate":
            return _simulate(args, console)
        return _report(args, console)
    except _Refused as exc:
        print(f"salescore: error: {exc}", file=sys.stderr)
        return USAGE


def _console() -> Any:
    try:
        from rich.console import Console
    except ImportError as exc:
        raise _Refused("the command needs rich: pip install 'salescore[cli]'") from exc
    return Console()


def _progress(console: Any, label: str) -> Any:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    return Progress(
        TextColumn(label), BarColumn(), MofNCompleteColumn(), console=console, transient=True
    )


def _with_bar(console: Any, label: str) -> tuple[Any, Callable[[int, int], None]]:
    bar = _progress(console, label)
    task = bar.add_task(label, total=None)

    def update(done: int, total: int) -> None:
        bar.update(task, completed=done, total=total)

    return bar, update


def _new_folder(stem: str) -> Path:
    n = 1
    while True:
        path = Path(f"{stem}-{n}")
        if not path.exists():
            return path
        n += 1


def _demo(args: argparse.Namespace, console: Any) -> int:
    from salescore.simulation import b2b_quarter, simulate
    from salescore.simulation.runner import BASELINE, RunResult, Shard

    scenario = b2b_quarter()
    _check_out(args.out)
    out = args.out if args.out is not None else _new_folder("salescore-demo")
    bar, update = _with_bar(console, "Simulating a B2B quarter")
    with bar:
        result = simulate(scenario, args.seed, progress=update, pause_gc=True)
    console.print(
        f"[bold]{scenario.name}[/bold]: {len(result.events):,} events, "
        f"{len(result.interactions):,} interactions, seed {args.seed}"
    )
    run = RunResult(
        scenario=scenario.name,
        seed=args.seed,
        replications=1,
        variants=(BASELINE,),
        shards=(Shard(BASELINE, 0, args.seed, result.summary),),
        comparisons=(),
    )
    _show(console, run)
    _write(out, run, f"{scenario.name}, seed {args.seed}")
    console.print(f"Charts and report written to [bold]{out}[/bold] (open {out / 'report.html'})")
    return 0


def _read_scenario(path: Path) -> Any:
    from salescore.simulation import Scenario

    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise _Refused(f"{path}: cannot read: {exc.strerror or exc}") from exc
    try:
        return Scenario.from_toml(text)
    except ValidationError as exc:
        lines = "; ".join(f"{e.path or '(top)'}: {e.message}" for e in exc.errors)
        raise _Refused(f"{path}: {lines}") from exc


def _sqlite(spec: str, *, existing: bool = False) -> Any:
    if not spec.startswith("sqlite:") or len(spec) == len("sqlite:"):
        raise _Refused(f"--store {spec}: must be sqlite:PATH")
    from salescore.storage.sqlite import SQLiteStore

    path = spec[len("sqlite:") :]
    if existing and path != ":memory:" and not Path(path).is_file():
        raise _Refused(f"--store {spec}: no such file")
    try:
        store = SQLiteStore(path)
        store.migrate()
    except (SalescoreError, OSError) as exc:
        raise _Refused(f"--store {spec}: {exc}") from exc
    return store


def _simulate(args: argparse.Namespace, console: Any) -> int:
    from salescore.simulation import simulate
    from salescore.simulation.runner import BASELINE, RunResult, Shard, derive_seed, run

    scenario = _read_scenario(args.scenario)
    for name in args.variant:
        try:
            scenario.variant(name)
        except ValidationError as exc:
            raise _Refused(f"{args.scenario}: {exc.errors[0].message} ({name})") from exc
    if args.replications < 1:
        raise _Refused(f"--replications {args.replications}: must be at least 1")
    if args.workers < 1:
        raise _Refused(f"--workers {args.workers}: must be at least 1")
    _check_out(args.out)
    if args.store is not None and (args.replications > 1 or args.variant):
        raise _Refused("--store keeps one run: use it without --replications or --variant")
    if args.store is not None and scenario.parts:
        raise _Refused(
            f"--store keeps one run: {args.scenario} has parts, which run as separate shards"
        )
    if args.store is not None:
        store = _sqlite(args.store)
        if store.last_position() != 0:
            raise _Refused(f"--store {args.store}: the store is not empty")
        seed = derive_seed(args.seed, 0)
        bar, update = _with_bar(console, f"Simulating {scenario.name}")
        with bar:
            summary = simulate(scenario, seed, store=store, progress=update, pause_gc=True).summary
        result = RunResult(
            scenario=scenario.name,
            seed=args.seed,
            replications=1,
            variants=(BASELINE,),
            shards=(Shard(BASELINE, 0, seed, summary),),
            comparisons=(),
        )
    else:
        executor: Executor | None = None
        if args.workers > 1:
            executor = ProcessPoolExecutor(max_workers=args.workers)
        bar, update = _with_bar(console, f"Simulating {scenario.name}")
        try:
            with bar:
                result = run(
                    scenario,
                    args.seed,
                    replications=args.replications,
                    variants=args.variant,
                    executor=executor,
                    progress=update,
                    pause_gc=True,
                )
        finally:
            if executor is not None:
                executor.shutdown()
    _show(console, result)
    if args.out is not None:
        _write(args.out, result, f"{scenario.name}, seed {args.seed}")
        console.print(f"Written to [bold]{args.out}[/bold]")
    return 0


def _report(args: argparse.Namespace, console: Any) -> int:
    from salescore.simulation.runner import BASELINE, RunResult, Shard
    from salescore.simulation.summary import summarize

    _check_out(args.out)
    store = _sqlite(args.store, existing=True)
    last: datetime | None = None
    for record in store.events_since(0):
        last = record.event.at if last is None else max(last, record.event.at)
    if last is None:
        raise _Refused(f"--store {args.store}: the store holds no events")
    currency = args.currency if args.currency is not None else _stored_currency(store, args.store)
    try:
        summary = summarize(store, at=last, currency=currency)
    except SalescoreError as exc:
        raise _Refused(f"--currency {currency}: {exc}") from exc
    result = RunResult(
        scenario=args.store,
        seed=0,
        replications=1,
        variants=(BASELINE,),
        shards=(Shard(BASELINE, 0, 0, summary),),
        comparisons=(),
    )
    _show(console, result)
    if args.out is not None:
        _write(args.out, result, f"Stored workspace {args.store}, as of {last.isoformat()}")
        console.print(f"Written to [bold]{args.out}[/bold]")
    return 0


def _stored_currency(store: Any, spec: str) -> str:
    """The one currency of the store's deal amounts and campaign costs (EUR when none)."""
    with store.unit_of_work() as uow:
        deals = uow.opportunities.find().items
        campaigns = uow.campaigns.find().items
    found = {d.amount.currency for d in deals if d.amount is not None}
    for c in campaigns:
        found.update(m.currency for m in (c.budget, c.actual_cost) if m is not None)
    if len(found) > 1:
        raise _Refused(
            f"--store {spec}: holds amounts in {', '.join(sorted(found))}: "
            "choose one with --currency"
        )
    return found.pop() if found else "EUR"


def _check_out(out: Path | None) -> None:
    """Refuse an output folder that cannot be one, before any work is done."""
    if out is not None and out.exists() and not out.is_dir():
        raise _Refused(f"--out {out}: is a file, not a folder")


def _show(console: Any, result: Any) -> None:
    from salescore.reports.tables import comparison_table, tables, to_rich

    for grid in tables(result.summary()):
        console.print(to_rich(grid))
    if result.comparisons:
        console.print(to_rich(comparison_table(result)))


def _headline(summary: Any) -> list[tuple[str, str]]:
    """The report's headline figures; a rate of nothing (no closed deal, no SLA clock met
    or missed, no lead) is shown as "–", not as 0."""
    m = dict(summary.metrics)
    none = "–"
    attained = any(row[2] is not None for row in summary.service)
    return [
        ("leads", f"{m['leads']:,.0f}"),
        ("meetings", f"{m['meetings']:,.0f}"),
        ("deals won", f"{m['won']:,.0f}"),
        ("revenue won", f"{m['revenue']:,.0f}"),
        ("weighted pipeline", f"{m['weighted_pipeline']:,.0f}"),
        ("win rate", f"{m['win_rate']:.1%}" if m["won"] + m["lost"] else none),
        ("SLA attainment", f"{m['sla_attainment']:.1%}" if attained else none),
        ("cost per lead", f"{m['cost_per_lead']:,.2f}" if m["leads"] else none),
    ]


def _write(out: Path, result: Any, subtitle: str) -> None:
    """Write summary.json, the charts and report.html into ``out``."""
    from salescore.reports.charts import charts, variants_chart
    from salescore.reports.html import html_report
    from salescore.reports.tables import comparison_table, tables

    summary = result.summary()
    images = charts(summary)
    grids = tables(summary)
    if result.comparisons:
        for metric in ("revenue", "won", "leads", "sla_attainment"):
            images[f"variants_{metric}"] = variants_chart(result, metric)
        grids.append(comparison_table(result, metrics=None))
    page = html_report(
        f"salescore: {result.scenario}",
        subtitle=subtitle,
        metrics=_headline(summary),
        tables=grids,
        images=images,
    )
    out.mkdir(parents=True, exist_ok=True)
    text = json.dumps(result.to_dict(), indent=2, sort_keys=True) + "\n"
    (out / "summary.json").write_text(text, encoding="utf-8")
    for name, png in images.items():
        (out / f"{name}.png").write_bytes(png)
    (out / "report.html").write_text(page, encoding="utf-8")
