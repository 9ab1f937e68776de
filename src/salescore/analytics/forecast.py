"""A seeded Monte Carlo forecast of a period's revenue.

Each open deal whose close date falls in the period closes won with its
probability, independently of the others; won deals already closed in the
period count in full. Repeating that draw many times gives the distribution
of the period's revenue, not only its expectation.
"""

from __future__ import annotations

import decimal
import random
from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from itertools import compress, repeat, starmap
from operator import gt
from typing import Any

import attrs

from salescore.analytics._money import Converter, Rates
from salescore.analytics._report import Items, Report, check_collection, items
from salescore.analytics.periods import ReportingCalendar
from salescore.errors import ValidationError
from salescore.money import _MAX_DIGITS, _MAX_PLACES, Money, _make

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
    booked_money = Money(booked, currency)  # refuses a bad currency before any draw's
    samples = _samples(deals, booked, rng, runs, currency)
    return RevenueDistribution(
        currency=currency,
        start=start,
        end=end,
        runs=runs,
        booked=booked_money,
        open_deals=len(deals),
        samples=samples,
    )


def _samples(
    deals: list[tuple[float, Decimal]],
    booked: Decimal,
    rng: random.Random,
    runs: int,
    currency: str,
) -> tuple[Money, ...]:
    """The revenue of each draw, sorted: ``booked`` plus the deals won in it.

    One ``rng.random()`` per deal and draw, in order; a deal is won when its
    draw is below its probability. When every sum is exact (see
    :func:`_exponent`) and ``random()`` is the standard one, the amounts are
    added as integers of their common exponent, inside ``map``, ``compress``
    and ``sum``: the same values, in the same order, as :func:`_samples_checked`.
    """
    exponent = _exponent(deals, booked)
    if exponent is None or type(rng).random is not random.Random.random:
        return _samples_checked(deals, booked, rng, runs, currency)
    probabilities = [p for p, _ in deals]
    scaled = [int(a.scaleb(-exponent, _WIDE)) for _, a in deals]
    start = int(booked.scaleb(-exponent, _WIDE))
    drawn = starmap(rng.random, repeat(()))  # rng.random(), again and again
    # ``p > x`` is ``x < p`` for floats; ``probabilities`` comes first, so that
    # ``map`` stops at its end without drawing once more.
    totals = [sum(compress(scaled, map(gt, probabilities, drawn)), start) for _ in range(runs)]
    totals.sort()
    if exponent:
        return tuple(_make(Decimal(t).scaleb(exponent, _WIDE), currency) for t in totals)
    return tuple(_make(Decimal(t), currency) for t in totals)


def _samples_checked(
    deals: list[tuple[float, Decimal]],
    booked: Decimal,
    rng: random.Random,
    runs: int,
    currency: str,
) -> tuple[Money, ...]:
    """:func:`_samples` a draw at a time, in decimal arithmetic: any deals, any ``random()``."""
    draw = rng.random
    totals = []
    for _ in range(runs):
        total = booked
        for p, amount in deals:
            if draw() < p:
                total += amount
        totals.append(total)
    totals.sort()
    return tuple(Money(t, currency) for t in totals)


def _exponent(deals: list[tuple[float, Decimal]], booked: Decimal) -> int | None:
    """The exponent shared by ``booked`` and the amounts, when every sum of them is exact.

    ``None`` unless the amounts and ``booked`` are finite, not negative and
    written with one exponent (at most 50 places, none above the units), and
    even the sum of them all fits the current decimal context's precision
    and Money's bounds. Then no sum of them is rounded: each is the integer
    sum of their digits at that exponent, an amount that ``Money`` keeps as
    it is (so :func:`~salescore.money._make` builds the same value).
    """
    parts = [booked, *(a for _, a in deals)]
    if any(a.is_signed() or not a.is_finite() for a in parts):
        return None
    exponents = {int(a.as_tuple().exponent) for a in parts}
    if len(exponents) != 1:
        return None
    (exponent,) = exponents
    if not -_MAX_PLACES <= exponent <= 0:
        return None
    whole = sum(int(a.scaleb(-exponent, _WIDE)) for a in parts)
    ctx = decimal.getcontext()
    if (
        len(str(whole)) <= ctx.prec
        and whole < 10 ** (_MAX_DIGITS - exponent)
        and ctx.Emin <= _EMIN
        and ctx.Emax >= _EMAX
    ):
        return exponent
    return None


# Enough digits to scale any Money amount to and from its finest places exactly.
_WIDE = decimal.Context(prec=200, Emin=decimal.MIN_EMIN, Emax=decimal.MAX_EMAX)
# Exponents that sums of Money amounts stay well within (no subnormal, no overflow).
_EMIN = -1_000
_EMAX = 1_000
