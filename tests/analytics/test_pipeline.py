"""Pipeline totals, forecast by category, sales metrics, stage aging, Monte Carlo."""

from __future__ import annotations

import random
import statistics
from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from salescore.analytics import (
    ReportingCalendar,
    customer_report,
    forecast_by_category,
    monte_carlo_forecast,
    pipeline_report,
    sales_report,
    stage_aging,
)
from salescore.domain.opportunities import Opportunity
from salescore.errors import NotFound, ValidationError
from salescore.money import Money
from tests.analytics._deals import T0, deal

OPEN = [
    deal("a", "1000", probability=0.5, close=date(2026, 2, 10), category="commit"),
    deal("b", "3000", probability=0.2, close=date(2026, 4, 1)),
    deal("c", "500", "USD", probability=0.8, close=date(2026, 3, 31), category="best_case"),
    deal("d", None),
]
CLOSED = [
    deal("w1", "2000", days=0, won_after=10, account="acc-1"),
    deal("w2", "4000", days=5, won_after=30, account="acc-2"),
    deal("l1", "6000", days=0, lost_after=20),
]


def test_pipeline_totals_per_currency() -> None:
    report = pipeline_report(iter(OPEN + CLOSED), confidence=0.9)
    assert [t.currency for t in report.totals] == ["EUR", "USD"]
    eur = report.of("EUR")
    assert eur.count == 2
    assert eur.amount == Money("4000", "EUR")
    assert eur.weighted == Money("1100", "EUR")
    # 1000² × .5 × .5 + 3000² × .2 × .8 = 250000 + 1440000
    assert eur.variance == Decimal("1690000")
    assert eur.std_dev == Money("1300", "EUR")
    z = Decimal(repr(statistics.NormalDist().inv_cdf(0.95)))
    assert eur.high == Money(Decimal(1100) + z * 1300, "EUR")
    assert eur.low == Money(0, "EUR")  # 1100 - 2138.3 is clipped at zero
    usd = report.of("USD")
    assert usd.variance == Decimal("40000.00")
    assert report.to_rows()[1]["weighted"] == Money("400", "USD")
    with pytest.raises(NotFound, match="'JPY' has no open pipeline"):
        report.of("JPY")


def test_pipeline_converted_with_a_rate_table() -> None:
    report = pipeline_report(OPEN, currency="EUR", rates={"USD": "0.9"})
    (only,) = report.totals
    assert only.amount == Money("4450", "EUR")
    assert only.weighted == Money("1460", "EUR")
    with pytest.raises(ValidationError, match="USD"):
        pipeline_report(OPEN, currency="EUR")
    with pytest.raises(ValidationError, match=r"rates\.USD"):
        pipeline_report(OPEN, currency="EUR", rates={"USD": 0.9})  # type: ignore[dict-item]
    with pytest.raises(ValidationError, match="confidence"):
        pipeline_report(OPEN, confidence=1.0)


def test_forecast_by_category_and_period() -> None:
    report = forecast_by_category(OPEN + CLOSED, include_closed=True)
    cells = [(r.period, r.category, r.currency, r.count, r.amount) for r in report.rows]
    assert cells == [
        (None, "closed", "EUR", 2, Money("6000", "EUR")),
        ("2026-Q1", "commit", "EUR", 1, Money("1000", "EUR")),
        ("2026-Q1", "best_case", "USD", 1, Money("500", "USD")),
        ("2026-Q2", "pipeline", "EUR", 1, Money("3000", "EUR")),
    ]
    commit = report.get("2026-Q1", "commit", "EUR")
    assert commit is not None
    assert commit.weighted == Money("500", "EUR")
    assert report.get("2026-Q3", "commit", "EUR") is None
    fiscal = forecast_by_category(OPEN, calendar=ReportingCalendar(fiscal_year_start=2))
    assert [r.period for r in fiscal.rows] == ["FY2026-Q1"] * 3


def test_sales_metrics() -> None:
    report = sales_report(OPEN + CLOSED, quota=Money("8000", "EUR"))
    eur = report.of("EUR")
    assert (eur.won, eur.lost, eur.open) == (2, 1, 2)
    assert eur.win_rate == 2 / 3
    assert eur.win_rate_by_value == 0.5  # 6000 won of 12000 closed
    assert eur.average_deal_size == Money("3000", "EUR")
    assert eur.average_sales_cycle == timedelta(days=20)
    # 2 open × 3000 × 2/3 ÷ 20 days
    assert eur.velocity is not None
    assert eur.velocity.round() == Money("200.00", "EUR")
    assert eur.open_pipeline == Money("4000", "EUR")
    assert eur.coverage == 0.5
    usd = report.of("USD")
    assert usd.win_rate is None
    assert usd.velocity is None
    assert usd.coverage is None
    with pytest.raises(ValidationError, match="quota"):
        sales_report(CLOSED, quota={"EUR": Money("1", "USD")})


def test_stage_aging() -> None:
    moved = deal("m", "100", days=0).move_to("discovery", at=T0 + timedelta(days=3), actor="r")
    report = stage_aging(OPEN + CLOSED + [moved], at=T0 + timedelta(days=10))
    assert [(s.stage, s.count, s.median_age, s.oldest) for s in report.stages] == [
        ("qualification", 4, timedelta(days=10), timedelta(days=10)),
        ("discovery", 1, timedelta(days=7), timedelta(days=7)),
    ]
    assert report.to_rows()[1]["stage"] == "discovery"


def test_monte_carlo_forecast_is_seeded_and_exact_at_the_extremes() -> None:
    deals = [
        deal("x", "1000", probability=1.0, close=date(2026, 2, 1)),
        deal("y", "500", probability=0.0, close=date(2026, 2, 1)),
        deal("z", "200", probability=0.5, close=date(2026, 3, 1)),
        deal("out", "999", probability=1.0, close=date(2026, 4, 1)),
        *CLOSED,
    ]
    args = {"start": date(2026, 1, 1), "end": date(2026, 3, 31), "currency": "EUR", "runs": 2000}
    dist = monte_carlo_forecast(deals, rng=random.Random(1), **args)  # type: ignore[arg-type]
    again = monte_carlo_forecast(deals, rng=random.Random(1), **args)  # type: ignore[arg-type]
    assert dist == again
    assert dist.booked == Money("6000", "EUR")  # both won deals closed in the quarter
    assert dist.open_deals == 3
    assert dist.quantile(0.0) == Money("7000", "EUR")
    assert dist.quantile(1.0) == Money("7200", "EUR")
    share = dist.probability_of_reaching(Money("7200", "EUR"))
    assert 0.45 < share < 0.55
    assert Money("7090", "EUR") < dist.mean < Money("7110", "EUR")
    assert len(dist.to_rows()) == 2000
    with pytest.raises(ValidationError, match="runs"):
        monte_carlo_forecast(deals, rng=random.Random(1), **{**args, "runs": 0})  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="end"):
        monte_carlo_forecast(
            deals,
            rng=random.Random(1),
            start=date(2026, 2, 1),
            end=date(2026, 1, 1),
            currency="EUR",
        )


@given(st.permutations(OPEN + CLOSED))
def test_reports_do_not_depend_on_input_order(deals: list[Opportunity]) -> None:
    assert pipeline_report(deals) == pipeline_report(OPEN + CLOSED)
    assert sales_report(deals) == sales_report(OPEN + CLOSED)
    assert forecast_by_category(deals) == forecast_by_category(OPEN + CLOSED)
    assert customer_report(deals, currency="EUR") == customer_report(OPEN + CLOSED, currency="EUR")


def test_a_forecast_period_given_as_datetimes_or_text_is_refused_by_name() -> None:
    from datetime import UTC, datetime

    deals = [deal("x", "1000", probability=1.0, close=date(2026, 2, 1))]
    cases = [
        ("start", datetime(2026, 1, 1, tzinfo=UTC), date(2026, 3, 31)),
        ("end", date(2026, 1, 1), datetime(2026, 3, 31, tzinfo=UTC)),
        ("start", "2026-01-01", date(2026, 3, 31)),
    ]
    for field, start, end in cases:
        with pytest.raises(ValidationError) as info:
            monte_carlo_forecast(
                deals, start=start, end=end, currency="EUR", rng=random.Random(1), runs=10
            )
        bad = start if field == "start" else end
        assert [(e.path, e.value, e.message) for e in info.value.errors] == [
            (field, bad, "must be a date (not a datetime)")
        ]


def test_arguments_of_the_wrong_kind_are_refused_by_name() -> None:
    from salescore.analytics import (
        Linear,
        attribute,
        funnel_report,
        lost_reasons,
        predictive_clv,
        sales_report,
    )

    deals = [deal("x", "1000", probability=0.5, close=date(2026, 2, 1))]
    cases = [
        (lambda: sales_report(deals, quota="8000"), "quota", "8000", "must be Money"),
        (lambda: sales_report(deals, quota={"EUR": 8000}), "quota.EUR", 8000, "must be Money"),
        (
            lambda: predictive_clv("200", 1, 0.5),
            "average_order_value",
            "200",
            "must be Money",
        ),
        (
            lambda: attribute([], "linear"),
            "model",
            "linear",
            "must be an attribution model, such as Linear()",
        ),
        (lambda: funnel_report("deals", []), "funnel", "deals", "must be a Funnel"),
        (lambda: lost_reasons(None, []), "funnel", None, "must be a Funnel"),
    ]
    for call, path, value, message in cases:
        with pytest.raises(ValidationError) as info:
            call()  # type: ignore[no-untyped-call]
        assert [(e.path, e.value, e.message) for e in info.value.errors] == [(path, value, message)]
    # The right kinds still work.
    assert sales_report(deals, quota=Money("2000", "EUR")).of("EUR").coverage == 0.5
    assert attribute([], Linear()) == {}
