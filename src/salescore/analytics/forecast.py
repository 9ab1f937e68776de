"""A seeded Monte Carlo forecast of a period's revenue.

Each open deal whose close date falls in the period closes won with its
probability, independently of the others; won deals already closed in the
period count in full. Repeating that draw many times gives the distribution
of the period's revenue, not only its expectation.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import Any

import attrs

from salescore.analytics._money import Converter, Rates
from salescore.analytics._report import Items, Report, check_collection, items
from salescore.analytics.periods import ReportingCalendar
from salescore.errors import ValidationError
from salescore.money import Money

__all__ = ["RevenueDistribution", "monte_carlo_forecast"]


@attrs.frozen(kw_only=True)
class RevenueDistribution(Report):
    """The simulated revenue of a period.

    Attributes:
        currency: The currency.
        start: The period's first day.
        end: The period's last day.
        runs: The number of draws.
        booked: Revenue of deals already won in the period.
        open_deals: Open deals closing in the period.
        samples: The revenue of every draw, sorted.
    """

    currency: str
    start: date
    end: date
    runs: int
    booked: Money
    open_deals: int
    samples: tuple[Money, ...] = attrs.field(repr=False)

    @property
    def mean(self) -> Money:
        """The mean revenue over the draws."""
        return sum(self.samples, Money.zero(self.currency)) / len(self.samples)

    def quantile(self, q: float) -> Money:
        """The ``q`` quantile of the draws (the lower of the two neighbours).

        Raises:
            ValidationError: ``q`` is not in [0, 1].
        """
        if isinstance(q, bool) or not isinstance(q, int | float) or not 0 <= q <= 1:
            raise ValidationError.single("q", q, "must be in [0, 1]")
        return self.samples[min(len(self.samples) - 1, int(q * len(self.samples)))]

    def probability_of_reaching(self, target: Money) -> float:
        """The share of draws whose revenue is at least ``target``."""
        return sum(1 for s in self.samples if s >= target) / len(self.samples)

    def to_rows(self) -> list[dict[str, Any]]:
        """One row per draw, sorted by revenue."""
        return [{"run": i, "revenue": s} for i, s in enumerate(self.samples)]


@items(
    opportunities=Items(
        "a deal", has=("amount", "probability", "close_date", "is_open", "is_won", "closed_at")
    )
)
def monte_carlo_forecast(
    opportunities: Iterable[Any],
    *,
    start: date,
    end: date,
    rng: random.Random,
    runs: int = 10_000,
    currency: str,
    rates: Rates | None = None,
    calendar: ReportingCalendar | None = None,
) -> RevenueDistribution:
    """Simulate a period's revenue from each deal's probability and close date.

    Args:
        opportunities: Deals (``amount``, ``probability``, ``close_date``,
            ``is_open``, ``is_won``, ``closed_at``).
        start: The period's first day.
        end: The period's last day (inclusive).
        rng: The seeded random source.
        runs: The number of draws.
        currency: The reporting currency.
        rates: Other currency → units of ``currency`` per unit.
        calendar: The zone in which a won deal's ``closed_at`` falls on a day.

    Returns:
        The distribution.

    Raises:
        ValidationError: ``start`` or ``end`` not a date, ``end`` before
            ``start``, ``runs`` below 1, or an amount in a currency without a
            rate.
    """
    check_collection(opportunities, "opportunities", "opportunities")
    if not isinstance(runs, int) or isinstance(runs, bool) or runs < 1:
        raise ValidationError.single("runs", runs, "must be a positive int")
    for name, day in (("start", start), ("end", end)):
        if type(day) is not date:  # a datetime is a date too, but not a day of the period
            raise ValidationError.single(name, day, "must be a date (not a datetime)")
    if end < start:
        raise ValidationError.single("end", end, f"is before start ({start})")
    if not isinstance(rng, random.Random):
        raise ValidationError.single("rng", rng, "must be a seeded random.Random")
    cal = calendar or ReportingCalendar()
    convert = Converter(currency, rates)
    booked = Decimal(0)
    deals: list[tuple[float, Decimal]] = []
    for opp in opportunities:
        if opp.amount is None:
            continue
        amount = convert(opp.amount).amount
        if opp.is_open:
            if opp.close_date is not None and start <= opp.close_date <= end:
                deals.append((float(opp.probability), amount))
        elif (
            opp.is_won
            and opp.closed_at is not None
            and start <= cal.local_date(opp.closed_at) <= end
        ):
            booked += amount
    draw = rng.random
    totals = []
    for _ in range(runs):
        total = booked
        for p, amount in deals:
            if draw() < p:
                total += amount
        totals.append(total)
    totals.sort()
    return RevenueDistribution(
        currency=currency,
        start=start,
        end=end,
        runs=runs,
        booked=Money(booked, currency),
        open_deals=len(deals),
        samples=tuple(Money(t, currency) for t in totals),
    )
