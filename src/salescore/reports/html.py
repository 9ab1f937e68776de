"""A self-contained HTML report: tables and charts in one file, no server needed.

Charts are embedded as base64 PNG ``data:`` URIs, styles inline; the page
loads nothing from anywhere.
"""

from __future__ import annotations

import base64
import html
from collections.abc import Mapping, Sequence

from salescore.reports.tables import Grid

__all__ = ["html_report"]

_STYLE = """
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 2rem auto;
       max-width: 1000px; color: #1d2733; padding: 0 1rem; }
h1 { font-size: 1.6rem; margin-bottom: .2rem; }
p.lede { color: #5a6675; margin-top: 0; }
.metrics { display: flex; flex-wrap: wrap; gap: .8rem; margin: 1.2rem 0; }
.metric { background: #f1f4f8; border-radius: 8px; padding: .6rem .9rem; min-width: 8rem; }
.metric b { display: block; font-size: 1.3rem; }
.metric span { color: #5a6675; font-size: .8rem; }
h2 { font-size: 1.15rem; margin-top: 2rem; border-bottom: 1px solid #dde3ea; }
table { border-collapse: collapse; margin: .6rem 0 1.2rem; font-size: .9rem; }
th, td { padding: .25rem .7rem; border-bottom: 1px solid #e4e8ee; text-align: right; }
th:first-child, td:first-child { text-align: left; }
th { background: #f6f8fa; }
img { max-width: 100%; height: auto; border: 1px solid #e4e8ee; border-radius: 6px; }
"""


def _grid(grid: Grid) -> str:
    head = "".join(f"<th>{html.escape(c)}</th>" for c in grid.columns)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(cell)}</td>" for cell in row) + "</tr>"
        for row in grid.rows
    )
    return (
        f"<h2>{html.escape(grid.title)}</h2>"
        f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
    )


def html_report(
    title: str,
    *,
    subtitle: str = "",
    metrics: Sequence[tuple[str, str]] = (),
    tables: Sequence[Grid] = (),
    images: Mapping[str, bytes] = {},
) -> str:
    """The report page as one string of HTML.

    Args:
        title: The page's heading.
        subtitle: A line under it (scenario, seed …).
        metrics: Headline figures as (label, value) pairs.
        tables: Tables (see :mod:`salescore.reports.tables`), in order.
        images: PNG charts by name, embedded in order after the tables.

    Returns:
        The HTML document.
    """
    cards = "".join(
        f'<div class="metric"><b>{html.escape(value)}</b><span>{html.escape(label)}</span></div>'
        for label, value in metrics
    )
    charts = "".join(
        f"<h2>{html.escape(name.replace('_', ' ').capitalize())}</h2>"
        f'<img alt="{html.escape(name)} chart" '
        f'src="data:image/png;base64,{base64.b64encode(png).decode("ascii")}">'
        for name, png in images.items()
    )
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title>"
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<style>{_STYLE}</style></head><body>"
        f'<h1>{html.escape(title)}</h1><p class="lede">{html.escape(subtitle)}</p>'
        f'<div class="metrics">{cards}</div>'
        + "".join(_grid(t) for t in tables)
        + charts
        + "</body></html>\n"
    )
