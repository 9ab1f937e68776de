"""Tables of a simulation's reports: for the terminal (rich) and for HTML.

Each ``*_table`` function returns a :class:`Grid` — a title, column names
and rows of text — that :func:`to_rich` turns into a ``rich.table.Table``
(extra ``salescore[cli]``; rich is imported then) and
:func:`~salescore.reports.html.html_report` into an HTML table.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import attrs

from salescore.simulation.summary import Summary

if TYPE_CHECKING:
    from salescore.simulation.runner import RunResult

__all__ = [
    "KEY_METRICS",
    "Grid",
    "attribution_table",
    "campaigns_table",
    "comparison_table",
    "funnel_table",
    "outreach_table",
    "pipeline_table",
    "service_table",
    "tables",
    "to_rich",
]


@attrs.define
class Grid:
    """A table as text: a title, column names and rows of cells."""

    title: str
    columns: tuple[str, ...]
    rows: list[tuple[str, ...]] = attrs.field(factory=list)

    def add_row(self, *cells: str) -> None:
        """Append a row (one cell per column)."""
        self.rows.append(tuple(cells))


def _table(title: str, *columns: str) -> Grid:
    return Grid(title, tuple(columns))


def to_rich(grid: Grid) -> Any:
    """The grid as a ``rich.table.Table`` (first column left, the others right)."""
    try:
        from rich.table import Table
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError("tables need rich: pip install 'salescore[cli]'") from exc
    table = Table(title=grid.title, title_justify="left", title_style="bold")
    for i, name in enumerate(grid.columns):
        table.add_column(name, justify="left" if i == 0 else "right", no_wrap=True)
    for row in grid.rows:
        table.add_row(*row)
    return table


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{value:.1%}"


def _num(value: float, sign: str = "") -> str:
    """Whole numbers from 100 on, two decimals below."""
    return f"{value:{sign},.0f}" if abs(value) >= 100 else f"{value:{sign},.2f}"


def _amount(value: float) -> str:
    return f"{value:,.0f}"


def funnel_table(summary: Summary) -> Grid:
    """Each funnel step: how many reached it, conversion and drop-off from the step before."""
    table = _table("Funnel", "step", "reached", "conversion", "drop-off")
    before: int | None = None
    for step, n in summary.funnel:
        rate = None if not before else n / before
        table.add_row(step, f"{n:,}", _pct(rate), _pct(None if rate is None else 1 - rate))
        before = n
    return table


def pipeline_table(summary: Summary) -> Grid:
    """Open deals by stage and forecast category, and the won and lost totals."""
    table = _table("Open pipeline", "stage / category", "deals", "amount", "weighted")
    for row in (*summary.open_deals, *summary.categories):
        table.add_row(str(row[0]), f"{row[1]:,}", _amount(row[2]), _amount(row[3]))
    m = dict(summary.metrics)
    table.add_row("won (in the period)", f"{m['won']:,.0f}", _amount(m["revenue"]), "")
    table.add_row("lost (in the period)", f"{m['lost']:,.0f}", "", "")
    return table


def attribution_table(summary: Summary) -> Grid:
    """Won revenue per channel under each attribution model."""
    models = [m for m, _ in summary.attribution]
    table = _table("Attribution of won revenue", "channel", *(m.replace("_", " ") for m in models))
    channels = sorted({c for _, credits in summary.attribution for c, _ in credits})
    values = {m: dict(credits) for m, credits in summary.attribution}
    for channel in channels:
        table.add_row(channel, *(_amount(values[m].get(channel, 0.0)) for m in models))
    return table


def campaigns_table(summary: Summary) -> Grid:
    """Campaign costs, leads, customers, first-touch revenue and ROI."""
    table = _table("Campaigns", "campaign", "cost", "leads", "customers", "revenue", "ROI")
    for name, cost, leads, customers, revenue, roi in summary.campaigns:
        table.add_row(
            name, _amount(cost), f"{leads:,}", f"{customers:,}", _amount(revenue), _pct(roi)
        )
    return table


def service_table(summary: Summary) -> Grid:
    """Cases, SLA attainment and the median first reply, by priority."""
    table = _table("Service", "priority", "cases", "SLA attainment", "first reply (business h)")
    order = ("urgent", "high", "normal", "low")
    for row in sorted(summary.service, key=lambda r: order.index(r[0]) if r[0] in order else 9):
        hours = "–" if row[3] is None else f"{row[3]:.2f}"
        table.add_row(str(row[0]), f"{row[1]:,}", _pct(row[2]), hours)
    return table


def outreach_table(summary: Summary) -> Grid:
    """Attempts, connects or replies, meetings and opt-outs by cadence step."""
    table = _table("Outreach by cadence step", "step", "attempts", "connects/replies",
                   "meetings", "opt-outs")  # fmt: skip
    for step, attempts, connects, meetings, opt_outs in summary.outreach:
        table.add_row(step, f"{attempts:,}", f"{connects:,}", f"{meetings:,}", f"{opt_outs:,}")
    return table


#: The metrics a comparison shows by default.
KEY_METRICS = ("leads", "mqls", "meetings", "deals", "won", "revenue", "sla_attainment")


def comparison_table(result: RunResult, metrics: tuple[str, ...] | None = KEY_METRICS) -> Grid:
    """Each variant against the baseline: means and the paired difference with its 95 % CI.

    Args:
        result: The run.
        metrics: The metrics to show, in the run's order (``None``: all).
    """
    table = _table(
        f"Variants against the baseline ({result.replications} replications each)",
        "variant",
        "metric",
        "baseline",
        "variant",
        "difference [95 % CI]",
    )
    for c in result.comparisons:
        if metrics is not None and c.metric not in metrics:
            continue
        ci = "" if c.low is None or c.high is None else f" [{_num(c.low)}, {_num(c.high)}]"
        table.add_row(
            c.variant, c.metric, _num(c.baseline), _num(c.mean), _num(c.difference, "+") + ci
        )
    return table


def tables(summary: Summary) -> list[Grid]:
    """The tables the ``salescore`` command prints for one summary, in order."""
    return [
        funnel_table(summary),
        pipeline_table(summary),
        attribution_table(summary),
        campaigns_table(summary),
        service_table(summary),
        outreach_table(summary),
    ]
