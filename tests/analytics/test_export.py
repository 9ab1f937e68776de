"""Every report converts to rows and to a DataFrame; the package exports what it lists."""

from __future__ import annotations

import importlib
import random
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

import salescore.analytics as analytics
from salescore.analytics import (
    Report,
    campaign_report,
    customer_report,
    forecast_by_category,
    funnel_report,
    lost_reasons,
    monte_carlo_forecast,
    outreach_report,
    pipeline_report,
    renewals_by_service,
    sales_report,
    service_report,
    stage_aging,
    stage_durations,
    stale_items,
)
from salescore.domain.stages import Funnel, Stage
from tests.analytics._deals import deal

T0 = datetime(2026, 1, 1, tzinfo=UTC)
FUNNEL = Funnel(key="f", stages=(Stage(key="a", rotting_after=timedelta(days=1)), Stage(key="b")))


class _Change:
    def __init__(self, sid: str, stage: str, days: int) -> None:
        self.subject_id, self.to_stage, self.at = sid, stage, T0 + timedelta(days=days)


class _Campaign:
    id = "c"
    name = "Campaign"
    actual_cost = None


def reports() -> list[Report]:
    changes = [_Change("x", "a", 0), _Change("x", "b", 1), _Change("y", "a", 0)]
    deals = [
        deal("o", "100", probability=0.5, close=date(2026, 2, 1), account="A"),
        deal("w", "100", won_after=3, account="A"),
    ]
    return [
        funnel_report(FUNNEL, changes),
        lost_reasons(FUNNEL, changes),
        stale_items(FUNNEL, changes, at=T0 + timedelta(days=5)),
        stage_durations(FUNNEL, changes),
        pipeline_report(deals),
        forecast_by_category(deals),
        sales_report(deals),
        stage_aging(deals, at=T0 + timedelta(days=9)),
        monte_carlo_forecast(
            deals,
            start=date(2026, 1, 1),
            end=date(2026, 3, 31),
            currency="EUR",
            rng=random.Random(1),
            runs=10,
        ),
        customer_report(deals, currency="EUR"),
        renewals_by_service(deals, [], at=T0),
        campaign_report([_Campaign()], {"c": 5.0}, currency="EUR"),
        service_report([], at=T0),
        outreach_report([]),
    ]


@pytest.mark.parametrize("report", reports(), ids=lambda r: type(r).__name__)
def test_rows_and_frames(report: Report) -> None:
    rows = report.to_rows()
    assert isinstance(rows, list)
    assert all(isinstance(r, dict) for r in rows)
    pd = pytest.importorskip("pandas")
    frame = report.to_pandas()
    assert isinstance(frame, pd.DataFrame)
    assert len(frame) == len(rows)
    if rows:
        assert list(frame.columns) == list(rows[0])


def test_to_pandas_names_the_missing_dependency(monkeypatch: pytest.MonkeyPatch) -> None:
    real = importlib.import_module

    def no_pandas(name: str, *args: Any) -> Any:
        if name == "pandas":
            raise ImportError("No module named 'pandas'")
        return real(name, *args)

    monkeypatch.setattr(importlib, "import_module", no_pandas)
    report = reports()[0]
    with pytest.raises(ImportError, match="pip install pandas"):
        report.to_pandas()
    assert report.to_rows()[0]["stage"] == "a"


def test_package_exports_every_listed_name() -> None:
    for name in analytics.__all__:
        assert getattr(analytics, name) is not None
    modules = ["attribution", "customers", "forecast", "funnels", "outreach", "periods"]
    modules += ["pipeline", "service"]
    for module in modules:
        sub = importlib.import_module(f"salescore.analytics.{module}")
        assert set(sub.__all__) <= set(analytics.__all__), module
    # importing the module never shadows the function of the package
    funnels = importlib.import_module("salescore.analytics.funnels")
    assert analytics.funnel_report is funnels.funnel_report
    assert callable(analytics.funnel_report)
