"""Charts, tables and the HTML report: real images, real tables, a page Chromium renders."""

from __future__ import annotations

import os
import re
import shutil
import struct
import subprocess
from pathlib import Path

import pytest

from salescore.reports.charts import CHARTS, HEIGHT, WIDTH, charts, variants_chart
from salescore.reports.html import html_report
from salescore.reports.tables import (
    comparison_table,
    funnel_table,
    service_table,
    tables,
    to_rich,
)
from salescore.simulation import Summary, b2b_quarter, simulate
from salescore.simulation.runner import run

SCENARIO = b2b_quarter().with_overrides({"days": 30, "service.existing_customers": 30})


@pytest.fixture(scope="module")
def summary() -> Summary:
    return simulate(SCENARIO, 4).summary


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def distinct_pixels(data: bytes) -> int:
    """How many different colours the image uses (a blank image uses one)."""
    import io

    from matplotlib import image

    pixels = image.imread(io.BytesIO(data), format="png")
    flat = pixels.reshape(-1, pixels.shape[-1])
    return len({tuple(p) for p in flat[:: max(1, len(flat) // 20000)]})


def test_every_chart_is_a_non_empty_png_of_the_expected_size(summary: Summary) -> None:
    images = charts(summary)
    assert (
        list(images)
        == list(CHARTS)
        == [
            "funnel",
            "pipeline",
            "forecast",
            "attribution",
            "sla",
            "outreach",
        ]
    )
    for name, data in images.items():
        assert png_size(data) == (WIDTH, HEIGHT), name
        assert distinct_pixels(data) > 20, name


def test_charts_are_the_same_bytes_for_the_same_summary(summary: Summary) -> None:
    assert charts(summary) == charts(Summary.from_dict(summary.to_dict()))


def test_variant_chart() -> None:
    tiny = SCENARIO.with_overrides({"days": 5})
    result = run(tiny, 1, replications=2, variants=["more_sdrs", "higher_mql"])
    data = variants_chart(result, "mqls")
    assert png_size(data) == (WIDTH, HEIGHT)
    grid = comparison_table(result)
    rows = [r for r in grid.rows if r[1] == "mqls"]
    assert [r[0] for r in rows] == ["more_sdrs", "higher_mql"]
    assert rows[0][4] == "+0.00 [0.00, 0.00]"  # more SDRs do not change who is an MQL
    assert rows[1][4].startswith("-")  # a higher threshold makes fewer


def test_funnel_table_has_conversion_and_drop_off(summary: Summary) -> None:
    grid = funnel_table(summary)
    assert grid.columns == ("step", "reached", "conversion", "drop-off")
    counts = dict(summary.funnel)
    assert grid.rows[0] == ("leads", f"{counts['leads']:,}", "–", "–")
    rate = counts["mql"] / counts["leads"]
    assert grid.rows[1] == ("mql", f"{counts['mql']:,}", f"{rate:.1%}", f"{1 - rate:.1%}")


def test_service_table_orders_priorities_most_urgent_first(summary: Summary) -> None:
    order = [row[0] for row in service_table(summary).rows]
    assert order == [p for p in ("urgent", "high", "normal", "low") if p in order]


def test_tables_render_in_rich(summary: Summary) -> None:
    from rich.console import Console

    console = Console(width=120, record=True)
    for grid in tables(summary):
        console.print(to_rich(grid))
    text = console.export_text()
    for title in ("Funnel", "Open pipeline", "Attribution", "Campaigns", "Service", "Outreach"):
        assert title in text
    assert "paid_search" in text


def test_html_report_is_self_contained(summary: Summary) -> None:
    page = html_report(
        "Demo <quarter>",
        subtitle="seed 4",
        metrics=[("leads", "12")],
        tables=tables(summary),
        images=charts(summary),
    )
    assert page.startswith("<!DOCTYPE html>")
    assert "Demo &lt;quarter&gt;" in page
    assert page.count('src="data:image/png;base64,') == 6
    assert not re.search(r'(src|href)="(?!data:)', page)  # nothing loaded from elsewhere
    assert page.count("<table>") == 6


def _chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


def test_html_report_renders_in_headless_chromium(summary: Summary, tmp_path: Path) -> None:
    browser = _chromium()
    if browser is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is missing: .ci/run installs it (apt-get install chromium)")
        pytest.skip("chromium is not installed")
    page = html_report("Demo", tables=tables(summary), images=charts(summary))
    probe = (
        '<script>window.addEventListener("load", () => document.body.setAttribute('
        '"data-images", [...document.images].filter(i => i.naturalWidth === '
        f"{WIDTH} && i.naturalHeight === {HEIGHT}).length))</script></body>"
    )
    path = tmp_path / "report.html"
    path.write_text(page.replace("</body>", probe), encoding="utf-8")
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--virtual-time-budget=5000"]
    dom = subprocess.run(
        [browser, *flags, "--dump-dom", path.as_uri()],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    ).stdout
    assert '<body data-images="6">' in dom
    assert "Attribution of won revenue" in dom
    shot = tmp_path / "shot.png"
    subprocess.run(
        [browser, *flags, "--window-size=1100,1600", f"--screenshot={shot}", path.as_uri()],
        capture_output=True,
        timeout=120,
        check=True,
    )
    assert png_size(shot.read_bytes()) == (1100, 1600)
    assert distinct_pixels(shot.read_bytes()) > 20
