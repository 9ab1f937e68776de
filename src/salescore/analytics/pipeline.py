"""Pipeline: weighted value and its uncertainty, win rates, velocity, aging.

Every function takes opportunities (any iterable, read once) and keeps money
as :class:`~salescore.money.Money`. A pipeline in several currencies is
reported per currency, or converted into one with an explicit rate table
(``currency=`` and ``rates=``); amounts of different currencies never add
silently.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import attrs

from salescore.analytics._money import Converter, Rates
from salescore.analytics._report import (
    Items,
    Report,
    check_collection,
    find,
    items,
    ratio,
    seconds_median,
)
from salescore.analytics.periods import Period, ReportingCalendar, to_period
from salescore.domain.stages import entered_at
from salescore.errors import ValidationError
from salescore.money import Money

__all__ = [
    "CategoryForecast",
    "ForecastByCategory",
    "PipelineReport",
    "PipelineTotals",
    "SalesMetrics",
    "SalesReport",
    "StageAge",
    "StageAging",
    "forecast_by_category",
    "pipeline_report",
    "sales_report",
    "stage_aging",
]


@attrs.frozen(kw_only=True)
class PipelineTotals:
    """The open pipeline of one currency.

    Attributes:
        currency: The currency.
        count: Open deals with an amount.
        amount: Their total amount.
        weighted: Σ amount × probability (the expected revenue).
        variance: Σ amount² × p × (1 − p), in squared units of the currency:
            the variance of the revenue if deals close independently.
        std_dev: Its square root, as money.
        low: ``weighted - z × std_dev`` (not below zero).
        high: ``weighted + z × std_dev``.
        confidence: The two-sided confidence level of ``low``–``high``
            (normal approximation).
    """

    currency: str
    count: int
    amount: Money
    weighted: Money
    variance: Decimal
    std_dev: Money
    low: Money
    high: Money
    confidence: float


@attrs.frozen
class PipelineReport(Report):
    """Open pipeline totals, one entry per currency (or one when converted).

    Attributes:
        totals: Sorted by currency.
    """

    totals: tuple[PipelineTotals, ...]

    def of(self, currency: str) -> PipelineTotals:
        """The totals of one currency.

        Raises:
            NotFound: no open deal in that currency.
        """
        return find(
            self.totals,
            lambda t: t.currency == currency,
            "currency",
            currency,
            "has no open pipeline",
        )

    def to_rows(self) -> list[dict[str, Any]]:
        """One row per currency."""
        return [attrs.asdict(t, recurse=False) for t in self.totals]


def _check_confidence(confidence: float) -> float:
    if isinstance(confidence, bool) or not isinstance(confidence, int | float):
        raise ValidationError.single("confidence", confidence, "must be a number in (0, 1)")
    if not 0 < confidence < 1:
        raise ValidationError.single("confidence", confidence, "must be in (0, 1)")
    return float(confidence)


@items(opportunities=Items("a deal", has=("is_open", "amount", "probability")))
def pipeline_report(
    opportunities: Iterable[Any],
    *,
    confidence: float = 0.9,
    currency: str | None = None,
    rates: Rates | None = None,
) -> PipelineReport:
    """Weighted pipeline with its variance and a confidence interval.

    Only open deals with an amount count.

    Args:
        opportunities: Deals (``is_open``, ``amount``, ``probability``).
        confidence: Level of the interval (normal approximation).
        currency: Convert every amount into this currency (with ``rates``).
        rates: Currency → units of ``currency`` per unit.

    Returns:
        The totals per currency.

    Raises:
        ValidationError: a bad confidence, or a currency without a rate.
    """
    check_collection(opportunities, "opportunities", "opportunities")
    level = _check_confidence(confidence)
    convert = Converter(currency, rates)
    z = Decimal(repr(statistics.NormalDist().inv_cdf((1 + level) / 2)))
    acc: dict[str, list[Any]] = {}
    for opp in opportunities:
        if not opp.is_open or opp.amount is None:
            continue
        amount = convert(opp.amount)
        p = Decimal(repr(float(opp.probability)))
        row = acc.setdefault(amount.currency, [0, Decimal(0), Decimal(0), Decimal(0)])
        row[0] += 1
        row[1] += amount.amount
        row[2] += amount.amount * p
        row[3] += amount.amount * amount.amount * p * (1 - p)
    totals = []
    for code in sorted(acc):
        count, total, weighted, variance = acc[code]
        std = variance.sqrt() if variance else Decimal(0)
        low = weighted - z * std
        totals.append(
            PipelineTotals(
                currency=code,
                count=count,
                amount=Money(total, code),
                weighted=Money(weighted, code),
                variance=variance,
                std_dev=Money(std, code),
                low=Money(max(low, Decimal(0)), code),
                high=Money(weighted + z * std, code),
                confidence=level,
            )
        )
    return PipelineReport(tuple(totals))


# --- forecast by category and period ----------------------------------------


@attrs.frozen(kw_only=True)
class CategoryForecast:
    """Deals of one close period, forecast category and currency.

    Attributes:
        period: The close period's label (``None`` for deals without a close date).
        category: The forecast category (``"commit"``, ``"best_case"``…).
        currency: The currency.
        count: Deals.
        amount: Their total amount.
        weighted: Σ amount × probability.
    """

    period: str | None
    category: str
    currency: str
    count: int
    amount: Money
    weighted: Money


@attrs.frozen
class ForecastByCategory(Report):
    """Deals by close period and forecast category.

    Attributes:
        rows: Sorted by period, then category from most to least certain,
            then currency.
    """

    rows: tuple[CategoryForecast, ...]

    def get(self, period: str | None, category: str, currency: str) -> CategoryForecast | None:
        """One cell, or ``None`` when no deal falls in it."""
        for r in self.rows:
            if (r.period, r.category, r.currency) == (period, category, currency):
                return r
        return None

    def to_rows(self) -> list[dict[str, Any]]:
        """One row per (period, category, currency)."""
        return [attrs.asdict(r, recurse=False) for r in self.rows]


_CATEGORY_ORDER = {"closed": 0, "commit": 1, "best_case": 2, "pipeline": 3, "omitted": 4}


@items(
    opportunities=Items("a deal", has=("amount", "probability", "forecast_category", "close_date"))
)
def forecast_by_category(
    opportunities: Iterable[Any],
    *,
    period: Period | str = Period.QUARTER,
    calendar: ReportingCalendar | None = None,
    currency: str | None = None,
    rates: Rates | None = None,
    include_closed: bool = False,
) -> ForecastByCategory:
    """Sum open deals (and optionally won ones) by close period and forecast category.

    Args:
        opportunities: Deals (``amount``, ``probability``,
            ``forecast_category``, ``close_date``).
        period: The close period length.
        calendar: Reporting zone and fiscal-year start.
        currency: Convert into this currency (with ``rates``).
        rates: Currency → units of ``currency`` per unit.
        include_closed: Also count won deals (category ``closed``); lost
            deals never count.

    Returns:
        The table.
    """
    check_collection(opportunities, "opportunities", "opportunities")
    kind = to_period(period)
    cal = calendar or ReportingCalendar()
    convert = Converter(currency, rates)
    acc: dict[tuple[str | None, str, str], list[Any]] = {}
    for opp in opportunities:
        if opp.amount is None or not (opp.is_open or (include_closed and opp.is_won)):
            continue
        amount = convert(opp.amount)
        label = None if opp.close_date is None else cal.label(opp.close_date, kind)
        category = str(opp.forecast_category)
        key = (label, category, amount.currency)
        row = acc.setdefault(key, [0, Money.zero(amount.currency), Money.zero(amount.currency)])
        row[0] += 1
        row[1] += amount
        row[2] += amount * float(opp.probability)
    keys = sorted(
        acc, key=lambda k: (k[0] is not None, k[0] or "", _CATEGORY_ORDER.get(k[1], 9), k[2])
    )
    return ForecastByCategory(
        tuple(
            CategoryForecast(
                period=k[0],
                category=k[1],
                currency=k[2],
                count=acc[k][0],
                amount=acc[k][1],
                weighted=acc[k][2],
            )
            for k in keys
        )
    )


# --- win rate, deal size, cycle, velocity, coverage ---------------------------


@attrs.frozen(kw_only=True)
class SalesMetrics:
    """Sales performance in one currency.

    Attributes:
        currency: The currency.
        won: Won deals.
        lost: Lost deals.
        open: Open deals.
        win_rate: ``won / (won + lost)`` by count (``None`` with no closed deal).
        win_rate_by_value: Won amount over closed amount (``None`` if zero).
        average_deal_size: Mean amount of won deals.
        average_sales_cycle: Mean time from creation to close of won deals.
        open_pipeline: Total amount of open deals.
        velocity: Open deals × average deal size × win rate ÷ average cycle
            in days: the revenue the pipeline yields per day.
        coverage: Open pipeline ÷ quota (``None`` without a quota).
    """

    currency: str
    won: int
    lost: int
    open: int
    win_rate: float | None
    win_rate_by_value: float | None
    average_deal_size: Money | None
    average_sales_cycle: timedelta | None
    open_pipeline: Money
    velocity: Money | None
    coverage: float | None


@attrs.frozen
class SalesReport(Report):
    """Sales metrics per currency.

    Attributes:
        metrics: Sorted by currency.
    """

    metrics: tuple[SalesMetrics, ...]

    def of(self, currency: str) -> SalesMetrics:
        """The metrics of one currency.

        Raises:
            NotFound: no deal in that currency.
        """
        return find(
            self.metrics, lambda m: m.currency == currency, "currency", currency, "has no deals"
        )

    def to_rows(self) -> list[dict[str, Any]]:
        """One row per currency."""
        return [attrs.asdict(m, recurse=False) for m in self.metrics]


@items(
    opportunities=Items(
        "a deal", has=("amount", "is_open", "is_won", "is_lost", "created_at", "closed_at")
    )
)
def sales_report(
    opportunities: Iterable[Any],
    *,
    quota: Money | Mapping[str, Money] | None = None,
    currency: str | None = None,
    rates: Rates | None = None,
) -> SalesReport:
    """Win rate, average deal size and cycle, sales velocity and coverage.

    Deals without an amount are left out (their currency is unknown).

    Args:
        opportunities: Deals (``amount``, ``is_open``, ``is_won``,
            ``is_lost``, ``created_at``, ``closed_at``).
        quota: The quota the open pipeline is compared to: one (for the
            currency it is in), or currency → quota.
        currency: Convert into this currency (with ``rates``).
        rates: Currency → units of ``currency`` per unit.

    Returns:
        The metrics per currency.

    Raises:
        ValidationError: a quota that is not ``Money`` (or a mapping of it),
            a quota given for a currency in another one, or an amount in a
            currency without a rate.
    """
    check_collection(opportunities, "opportunities", "opportunities")
    quotas = quota.items() if isinstance(quota, Mapping) else [("", quota)]
    for code, q in quotas:
        if q is not None and not isinstance(q, Money):
            raise ValidationError.single(f"quota.{code}" if code else "quota", q, "must be Money")
    convert = Converter(currency, rates)
    acc: dict[str, dict[str, Any]] = {}

    def bucket(code: str) -> dict[str, Any]:
        return acc.setdefault(
            code,
            {
                "won": 0,
                "lost": 0,
                "open": 0,
                "won_amount": Money.zero(code),
                "closed_amount": Money.zero(code),
                "open_amount": Money.zero(code),
                "won_with_amount": 0,
                "cycles": [],
            },
        )

    for opp in opportunities:
        status = "open" if opp.is_open else "won" if opp.is_won else "lost"
        if opp.amount is None:
            continue
        amount = convert(opp.amount)
        b = bucket(amount.currency)
        b[status] += 1
        if status == "open":
            b["open_amount"] += amount
            continue
        b["closed_amount"] += amount
        if status == "won":
            b["won_amount"] += amount
            b["won_with_amount"] += 1
            if opp.closed_at is not None:
                b["cycles"].append(opp.closed_at - opp.created_at)
    metrics = []
    for code in sorted(acc):
        b = acc[code]
        won, lost, open_ = b["won"], b["lost"], b["open"]
        win_rate = ratio(won, won + lost)
        closed = b["closed_amount"]
        by_value = None if closed.is_zero else float(b["won_amount"] / closed)
        size = b["won_amount"] / b["won_with_amount"] if b["won_with_amount"] else None
        cycles: list[timedelta] = b["cycles"]
        cycle = sum(cycles, timedelta(0)) / len(cycles) if cycles else None
        velocity = None
        if size is not None and win_rate is not None and cycle is not None and cycle:
            days = Decimal(repr(cycle / timedelta(days=1)))
            velocity = size * open_ * Decimal(repr(win_rate)) / days
        if isinstance(quota, Mapping):
            target = quota.get(code)
            if target is not None and target.currency != code:
                raise ValidationError.single(f"quota.{code}", target, f"is not in {code}")
        else:
            target = quota if quota is not None and quota.currency == code else None
        coverage = None
        if target is not None and not target.is_zero:
            coverage = float(b["open_amount"] / target)
        metrics.append(
            SalesMetrics(
                currency=code,
                won=won,
                lost=lost,
                open=open_,
                win_rate=win_rate,
                win_rate_by_value=by_value,
                average_deal_size=size,
                average_sales_cycle=cycle,
                open_pipeline=b["open_amount"],
                velocity=velocity,
                coverage=coverage,
            )
        )
    return SalesReport(tuple(metrics))


# --- stage aging ---------------------------------------------------------------


@attrs.frozen(kw_only=True)
class StageAge:
    """How long open deals have been in one stage.

    Attributes:
        stage: The stage key.
        count: Open deals in it.
        median_age: The median time since they entered it.
        oldest: The longest time.
        stale: Deals past the stage's rotting age.
    """

    stage: str
    count: int
    median_age: timedelta
    oldest: timedelta
    stale: int


@attrs.frozen
class StageAging(Report):
    """Open deals by stage with their age in it.

    Attributes:
        at: The evaluation instant.
        stages: Stages with open deals, in pipeline order.
    """

    at: datetime
    stages: tuple[StageAge, ...]

    def to_rows(self) -> list[dict[str, Any]]:
        """One row per stage."""
        return [attrs.asdict(s) for s in self.stages]


@items(opportunities=Items("a deal", has=("is_open", "stage", "pipeline", "history")))
def stage_aging(opportunities: Iterable[Any], *, at: datetime) -> StageAging:
    """Age of open deals in their current stage, by stage.

    Args:
        opportunities: Deals (``is_open``, ``stage``, ``pipeline``, ``history``).
        at: The evaluation instant.

    Returns:
        The aging table.

    Raises:
        ValidationError: ``at`` is not aware.
    """
    check_collection(opportunities, "opportunities", "opportunities")
    if not isinstance(at, datetime) or at.utcoffset() is None:
        raise ValidationError.single("at", at, "must be a timezone-aware datetime")
    ages: dict[tuple[int, str], list[float]] = {}
    stale: dict[tuple[int, str], int] = {}
    for opp in opportunities:
        if not opp.is_open:
            continue
        since = entered_at(opp.history, opp.pipeline, opp.stage)
        if since is None or since > at:
            continue
        key = (opp.pipeline.position(opp.stage), opp.stage)
        age = at - since
        ages.setdefault(key, []).append(age.total_seconds())
        limit = opp.pipeline.stage(opp.stage).rotting_after
        stale[key] = stale.get(key, 0) + (limit is not None and age > limit)
    rows = []
    for key in sorted(ages):
        secs = ages[key]
        rows.append(
            StageAge(
                stage=key[1],
                count=len(secs),
                median_age=seconds_median(secs) or timedelta(0),
                oldest=timedelta(seconds=max(secs)),
                stale=stale[key],
            )
        )
    return StageAging(at, tuple(rows))
