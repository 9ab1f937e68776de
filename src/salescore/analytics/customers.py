"""Customers and retention: repeat purchases, cohorts, lifetime value, renewals.

A *customer* is an account with at least one won deal; a *purchase* is a
won deal, dated by its ``closed_at``. A cohort is the customers whose first
purchase fell in one period (week, month, quarter or year, in the reporting
zone and fiscal year); a customer is *active* in a period when it made a
purchase in it. Retention at age ``k`` is the share of a cohort active ``k``
periods after its first; churn is ``1 - retention`` one period on.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal
from typing import Any

import attrs

from salescore.analytics._money import Converter, Rates
from salescore.analytics._report import Items, Report, check_collection, items, ratio
from salescore.analytics.periods import Period, ReportingCalendar, to_period
from salescore.domain.service import CsatResponse, sla_clocks
from salescore.errors import ValidationError
from salescore.money import Money

__all__ = [
    "Cohort",
    "CustomerReport",
    "RenewalEffect",
    "RenewalReport",
    "customer_report",
    "predictive_clv",
    "renewals_by_service",
]


@attrs.frozen(kw_only=True)
class Cohort:
    """Customers whose first purchase fell in one period.

    Attributes:
        period: The period's label.
        customers: How many.
        active: Customers active at each age 0, 1, 2 … up to the last
            period in the data (``active[0] == customers``).
        retention: ``active[k] / customers`` for each age.
        churn: ``1 - retention[1]`` (``None`` when no later period is observed).
    """

    period: str
    customers: int
    active: tuple[int, ...]
    retention: tuple[float, ...]
    churn: float | None


@attrs.frozen(kw_only=True)
class CustomerReport(Report):
    """Customer counts, repeat purchases, lifetime value and retention.

    Attributes:
        currency: The currency of the money figures.
        customers: Accounts with at least one won deal.
        repeat_purchase_rate: Customers with two or more purchases over all
            customers.
        revenue: Total won revenue.
        lifetime_value: Historical customer lifetime value: revenue per customer.
        average_order_value: Revenue per purchase.
        cohorts: Retention per cohort, oldest first.
        revenue_by_age: Won revenue by the customer's age in periods at the
            time of the purchase (age 0 is the period of the first purchase).
    """

    currency: str
    customers: int
    repeat_purchase_rate: float | None
    revenue: Money
    lifetime_value: Money | None
    average_order_value: Money | None
    cohorts: tuple[Cohort, ...]
    revenue_by_age: tuple[Money, ...]

    def to_rows(self) -> list[dict[str, Any]]:
        """One row per cohort with its retention by age."""
        return [
            {"period": c.period, "customers": c.customers, "churn": c.churn}
            | {f"retention_{k}": r for k, r in enumerate(c.retention)}
            for c in self.cohorts
        ]


@items(opportunities=Items("a deal", has=("is_won", "account_id", "amount", "closed_at")))
def customer_report(
    opportunities: Iterable[Any],
    *,
    currency: str,
    rates: Rates | None = None,
    period: Period | str = Period.QUARTER,
    calendar: ReportingCalendar | None = None,
) -> CustomerReport:
    """Repeat-purchase rate, retention by cohort, lifetime value, revenue by age.

    Args:
        opportunities: Deals (``is_won``, ``account_id``, ``amount``,
            ``closed_at``); only won deals with an account count.
        currency: The reporting currency.
        rates: Other currency → units of ``currency`` per unit.
        period: The cohort period.
        calendar: The reporting zone and fiscal-year start.

    Returns:
        The report.
    """
    check_collection(opportunities, "opportunities", "opportunities")
    kind = to_period(period)
    cal = calendar or ReportingCalendar()
    convert = Converter(currency, rates)
    purchases: dict[str, list[tuple[datetime, Decimal]]] = {}
    for opp in opportunities:
        if not opp.is_won or opp.account_id is None or opp.closed_at is None:
            continue
        amount = Decimal(0) if opp.amount is None else convert(opp.amount).amount
        purchases.setdefault(opp.account_id, []).append((opp.closed_at, amount))
    zero = Money.zero(currency)
    if not purchases:
        return CustomerReport(
            currency=currency,
            customers=0,
            repeat_purchase_rate=None,
            revenue=zero,
            lifetime_value=None,
            average_order_value=None,
            cohorts=(),
            revenue_by_age=(),
        )
    last = max(cal.index(at, kind) for rows in purchases.values() for at, _ in rows)
    cohorts: dict[int, tuple[str, list[set[str]]]] = {}
    by_age: dict[int, Decimal] = {}
    total = Decimal(0)
    count = 0
    for account, rows in purchases.items():
        rows.sort(key=lambda r: r[0])
        start = cal.index(rows[0][0], kind)
        label, active = cohorts.setdefault(
            start, (cal.label(rows[0][0], kind), [set() for _ in range(last - start + 1)])
        )
        for at, amount in rows:
            age = cal.index(at, kind) - start
            active[age].add(account)
            by_age[age] = by_age.get(age, Decimal(0)) + amount
            total += amount
            count += 1
    result = []
    for start in sorted(cohorts):
        label, active = cohorts[start]
        counts = tuple(len(a) for a in active)
        retention = tuple(n / counts[0] for n in counts)
        result.append(
            Cohort(
                period=label,
                customers=counts[0],
                active=counts,
                retention=retention,
                churn=1.0 - retention[1] if len(retention) > 1 else None,
            )
        )
    customers = len(purchases)
    revenue = Money(total, currency)
    return CustomerReport(
        currency=currency,
        customers=customers,
        repeat_purchase_rate=ratio(sum(1 for r in purchases.values() if len(r) > 1), customers),
        revenue=revenue,
        lifetime_value=revenue / customers,
        average_order_value=revenue / count,
        cohorts=tuple(result),
        revenue_by_age=tuple(
            Money(by_age.get(age, Decimal(0)), currency) for age in range(max(by_age) + 1)
        ),
    )


def predictive_clv(
    average_order_value: Money,
    purchases_per_period: float,
    churn_rate: float,
    *,
    margin: float = 1.0,
) -> Money:
    """A simple predictive customer lifetime value.

    ``average_order_value × purchases_per_period × margin / churn_rate``.
    Assumptions: order value, purchase frequency and churn stay constant;
    a customer's lifetime is geometric with mean ``1 / churn_rate`` periods;
    future revenue is not discounted.

    Args:
        average_order_value: Revenue per purchase.
        purchases_per_period: Purchases per customer per period (≥ 0).
        churn_rate: Share of customers lost per period, in (0, 1].
        margin: The gross margin applied to revenue, in [0, 1].

    Returns:
        The expected lifetime value (not rounded).

    Raises:
        ValidationError: ``average_order_value`` is not money, or a rate out
            of range.
    """
    if not isinstance(average_order_value, Money):
        raise ValidationError.single("average_order_value", average_order_value, "must be Money")
    checks = (
        ("purchases_per_period", purchases_per_period, 0.0, float("inf"), False),
        ("churn_rate", churn_rate, 0.0, 1.0, True),
        ("margin", margin, 0.0, 1.0, False),
    )
    for name, value, low, high, open_low in checks:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValidationError.single(name, value, "must be a number")
        if not (low < value if open_low else low <= value) or not value <= high:
            bracket = "(" if open_low else "["
            raise ValidationError.single(name, value, f"must be in {bracket}{low}, {high}]")
    factor = Decimal(repr(float(purchases_per_period))) * Decimal(repr(float(margin)))
    return average_order_value * factor / Decimal(repr(float(churn_rate)))


@attrs.frozen(kw_only=True)
class RenewalEffect:
    """Renewal outcomes of accounts sharing one service experience.

    Attributes:
        factor: ``"sla_breach"`` or ``"csat"``.
        value: For ``sla_breach``: ``True`` (had a breached clock) or
            ``False``; for ``csat``: ``"satisfied"`` (all answers 4–5),
            ``"unsatisfied"`` (any answer 1–3) or ``None`` (no answer).
        renewals: Closed renewal deals of those accounts.
        won: Renewals won.
        renewal_rate: ``won / renewals``.
    """

    factor: str
    value: Any
    renewals: int
    won: int
    renewal_rate: float | None


@attrs.frozen
class RenewalReport(Report):
    """Renewal rate by service experience.

    Attributes:
        effects: Rows for ``sla_breach`` then ``csat``.
    """

    effects: tuple[RenewalEffect, ...]

    def get(self, factor: str, value: Any) -> RenewalEffect | None:
        """One row, or ``None`` when no account had that experience."""
        for e in self.effects:
            if (e.factor, e.value) == (factor, value):
                return e
        return None

    def to_rows(self) -> list[dict[str, Any]]:
        """One row per factor and value."""
        return [attrs.asdict(e) for e in self.effects]


@items(
    renewals=Items("a renewal deal", has=("account_id", "is_closed", "is_won")),
    cases=Items("a service case", has=("account_id", "history")),
)
def renewals_by_service(
    renewals: Iterable[Any], cases: Iterable[Any], *, at: datetime
) -> RenewalReport:
    """Compare the renewal rate of accounts by their service experience.

    Args:
        renewals: Renewal deals (``account_id``, ``is_closed``, ``is_won``);
            open ones are left out.
        cases: Service cases (``account_id``); their SLA clocks at ``at`` and
            CSAT answers describe the account's experience.
        at: The instant the clocks are evaluated at.

    Returns:
        The renewal rate with and without an SLA breach, and by CSAT.

    Raises:
        ValidationError: ``at`` is not aware.
    """
    check_collection(renewals, "renewals", "renewal opportunities")
    check_collection(cases, "cases", "service cases")
    if not isinstance(at, datetime) or at.utcoffset() is None:
        raise ValidationError.single("at", at, "must be a timezone-aware datetime")
    breached: dict[str, bool] = {}
    satisfied: dict[str, bool] = {}
    for case in cases:
        account = case.account_id
        if account is None or case.created_at > at:
            continue
        hit = any(c.violated for c in sla_clocks(case, at))
        breached[account] = breached.get(account, False) or hit
        for r in case.satisfaction:
            if isinstance(r, CsatResponse):
                satisfied[account] = satisfied.get(account, True) and r.satisfied
    counts: dict[tuple[str, Any], list[int]] = {}
    for opp in renewals:
        if not opp.is_closed or opp.account_id is None:
            continue
        csat_value = satisfied.get(opp.account_id)
        experiences = (
            ("sla_breach", breached.get(opp.account_id, False)),
            ("csat", None if csat_value is None else "satisfied" if csat_value else "unsatisfied"),
        )
        for key in experiences:
            row = counts.setdefault(key, [0, 0])
            row[0] += 1
            row[1] += bool(opp.is_won)
    order = {("sla_breach", False): 0, ("sla_breach", True): 1, ("csat", "satisfied"): 2}
    order |= {("csat", "unsatisfied"): 3, ("csat", None): 4}
    return RenewalReport(
        tuple(
            RenewalEffect(factor=k[0], value=k[1], renewals=n, won=w, renewal_rate=ratio(w, n))
            for k, (n, w) in sorted(counts.items(), key=lambda kv: order[kv[0]])
        )
    )
