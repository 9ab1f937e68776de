"""Charts of a simulation's reports, as PNG images (matplotlib, extra ``salescore[plot]``).

Each function takes a :class:`~salescore.simulation.Summary` (or a
:class:`~salescore.simulation.runner.RunResult`) and returns the PNG bytes of
one chart, :data:`WIDTH` × :data:`HEIGHT` pixels. matplotlib is imported
when a chart is drawn, with its file-free ``Agg`` backend.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from salescore.simulation.summary import Summary

if TYPE_CHECKING:
    from salescore.simulation.runner import RunResult

__all__ = [
    "CHARTS",
    "HEIGHT",
    "WIDTH",
    "attribution_chart",
    "charts",
    "forecast_chart",
    "funnel_chart",
    "outreach_chart",
    "pipeline_chart",
    "sla_chart",
    "variants_chart",
]

#: Size of every chart, in pixels.
WIDTH, HEIGHT = 960, 540
_DPI = 120
_BLUE, _GREY, _RED, _GREEN = "#2f6db5", "#c9ced6", "#c0392b", "#2e8b57"


def _pyplot() -> Any:
    try:
        import matplotlib
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError("charts need matplotlib: pip install 'salescore[plot]'") from exc
    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    return plt


def _figure(title: str) -> tuple[Any, Any]:
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(WIDTH / _DPI, HEIGHT / _DPI), dpi=_DPI)
    ax.set_title(title, loc="left", fontsize=12, fontweight="bold")
    ax.spines[["top", "right"]].set_visible(False)
    return fig, ax


def _png(fig: Any) -> bytes:
    plt = _pyplot()
    fig.tight_layout()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=_DPI, metadata={"Software": None})
    plt.close(fig)
    return buffer.getvalue()


def funnel_chart(summary: Summary) -> bytes:
    """The funnel: how many reached each step, with conversion and drop-off."""
    fig, ax = _figure("Funnel: reached each step, conversion from the step before")
    steps = [k for k, _ in summary.funnel]
    counts = [n for _, n in summary.funnel]
    top = max(counts) or 1
    y = list(range(len(steps)))[::-1]
    ax.barh(y, [top] * len(steps), color=_GREY, height=0.7)
    ax.barh(y, counts, color=_BLUE, height=0.7)
    ax.set_yticks(y, steps)
    for i, (yy, n) in enumerate(zip(y, counts, strict=True)):
        note = f"{n:,}"
        if i:
            before = counts[i - 1]
            rate = n / before if before else 0.0
            note += f"   {rate:.0%} converted, {1 - rate:.0%} dropped"
        ax.text(top * 0.01, yy, note, va="center", color="white" if n > top * 0.4 else "black")
    ax.set_xlabel("leads")
    return _png(fig)


def pipeline_chart(summary: Summary) -> bytes:
    """Open pipeline by stage (amount and weighted) and by forecast category."""
    plt = _pyplot()
    fig, (left, right) = plt.subplots(1, 2, figsize=(WIDTH / _DPI, HEIGHT / _DPI), dpi=_DPI)
    fig.suptitle("Open pipeline", x=0.01, ha="left", fontsize=12, fontweight="bold")
    stages = [r[0] for r in summary.open_deals]
    x = range(len(stages))
    left.bar([i - 0.2 for i in x], [r[2] for r in summary.open_deals], 0.4, color=_GREY,
             label="amount")  # fmt: skip
    left.bar([i + 0.2 for i in x], [r[3] for r in summary.open_deals], 0.4, color=_BLUE,
             label="weighted")  # fmt: skip
    left.set_xticks(list(x), stages, rotation=20)
    left.set_title("by stage", fontsize=10)
    left.legend(frameon=False)
    cats = [r[0] for r in summary.categories]
    right.bar(cats, [r[2] for r in summary.categories], color=_GREY, label="amount")
    right.bar(cats, [r[3] for r in summary.categories], color=_BLUE, width=0.5, label="weighted")
    right.set_title("by forecast category", fontsize=10)
    for ax in (left, right):
        ax.spines[["top", "right"]].set_visible(False)
        ax.yaxis.set_major_formatter(_thousands())
    return _png(fig)


def _thousands() -> Any:
    from matplotlib.ticker import FuncFormatter

    return FuncFormatter(lambda v, _: f"{v / 1000:,.0f}k")


def forecast_chart(summary: Summary) -> bytes:
    """The next quarter's revenue forecast: the distribution of its Monte Carlo draws."""
    fig, ax = _figure("Revenue forecast, next 90 days (Monte Carlo)")
    qs = [q for q, _ in summary.forecast]
    values = [v for _, v in summary.forecast]
    ax.plot(values, qs, color=_BLUE)
    for q, label in ((0.1, "P10"), (0.5, "median"), (0.9, "P90")):
        v = dict(summary.forecast).get(q)
        if v is not None:
            ax.axvline(v, color=_GREY, linestyle="--")
            ax.text(v, 0.02, f" {label} {v:,.0f}", rotation=90, va="bottom")
    ax.set_xlabel("revenue")
    ax.set_ylabel("probability of at most this revenue")
    ax.xaxis.set_major_formatter(_thousands())
    return _png(fig)


def attribution_chart(summary: Summary) -> bytes:
    """Won revenue by channel under each attribution model, side by side."""
    fig, ax = _figure("Attribution of won revenue by model")
    models = [m for m, _ in summary.attribution]
    channels = sorted({c for _, credits in summary.attribution for c, _ in credits})
    width = 0.8 / max(len(models), 1)
    for i, (model, credits) in enumerate(summary.attribution):
        values = dict(credits)
        ax.bar(
            [j + i * width - 0.4 + width / 2 for j in range(len(channels))],
            [values.get(c, 0.0) for c in channels],
            width,
            label=model.replace("_", " "),
        )
    ax.set_xticks(range(len(channels)), [c.replace("_", " ") for c in channels])
    ax.yaxis.set_major_formatter(_thousands())
    ax.legend(frameon=False, ncols=3, fontsize=8)
    return _png(fig)


def sla_chart(summary: Summary) -> bytes:
    """SLA attainment by case priority."""
    fig, ax = _figure("SLA attainment by priority")
    order = ("low", "normal", "high", "urgent")
    rows = sorted(summary.service, key=lambda r: order.index(r[0]) if r[0] in order else 9)
    names = [r[0] for r in rows]
    rates = [r[2] or 0.0 for r in rows]
    colours = [_GREEN if r >= 0.95 else _RED for r in rates]
    ax.bar(names, rates, color=colours)
    ax.axhline(0.95, color=_GREY, linestyle="--")
    for i, r in enumerate(rows):
        ax.text(i, (r[2] or 0.0) + 0.01, f"{(r[2] or 0.0):.0%} of {r[1]} cases", ha="center")
    ax.set_ylim(0, 1.1)
    ax.set_ylabel("clocks met")
    return _png(fig)


def outreach_chart(summary: Summary) -> bytes:
    """Outreach results by cadence step: attempts, connects or replies, meetings."""
    fig, ax = _figure("Outreach by cadence step")
    steps = [r[0] for r in summary.outreach]
    x = range(len(steps))
    for offset, index, label, colour in (
        (-0.27, 1, "attempts", _GREY),
        (0.0, 2, "connects / replies", _BLUE),
        (0.27, 3, "meetings", _GREEN),
    ):
        ax.bar([i + offset for i in x], [r[index] for r in summary.outreach], 0.27,
               label=label, color=colour)  # fmt: skip
    ax.set_xticks(list(x), steps)
    ax.legend(frameon=False)
    return _png(fig)


def variants_chart(result: RunResult, metric: str = "revenue") -> bytes:
    """Each variant's difference from the baseline on one metric, with its 95 % interval."""
    fig, ax = _figure(f"Variants against the baseline: {metric.replace('_', ' ')}")
    rows = [c for c in result.comparisons if c.metric == metric]
    names = [c.variant for c in rows]
    diffs = [c.difference for c in rows]
    errors = [
        [c.difference - (c.low if c.low is not None else c.difference) for c in rows],
        [(c.high if c.high is not None else c.difference) - c.difference for c in rows],
    ]
    ax.barh(names, diffs, xerr=errors, color=[_GREEN if d >= 0 else _RED for d in diffs],
            capsize=6)  # fmt: skip
    ax.axvline(0, color="black", linewidth=0.8)
    ax.set_xlabel(f"difference in {metric.replace('_', ' ')} (mean of paired replications)")
    return _png(fig)


#: The charts of one summary, by file name.
CHARTS: dict[str, Callable[[Summary], bytes]] = {
    "funnel": funnel_chart,
    "pipeline": pipeline_chart,
    "forecast": forecast_chart,
    "attribution": attribution_chart,
    "sla": sla_chart,
    "outreach": outreach_chart,
}


def charts(summary: Summary) -> dict[str, bytes]:
    """Every chart of a summary, by name (see :data:`CHARTS`)."""
    return {name: draw(summary) for name, draw in CHARTS.items()}
