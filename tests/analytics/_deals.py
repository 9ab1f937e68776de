"""Small helpers building deals for the analytics tests."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from salescore.domain.opportunities import Opportunity
from salescore.money import Money

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def deal(
    id: str,
    amount: str | None,
    currency: str = "EUR",
    *,
    probability: float | None = None,
    category: str | None = None,
    close: date | None = None,
    days: float = 0,
    won_after: float | None = None,
    lost_after: float | None = None,
    account: str | None = None,
    type: str = "new_business",
) -> Opportunity:
    """A deal opened ``days`` after T0; won or lost that many days after opening."""
    at = T0 + timedelta(days=days)
    opp = Opportunity.new(
        id=id,
        at=at,
        actor="rep-1",
        name=id,
        amount=None if amount is None else Money(amount, currency),
        close_date=close,
        account_id=account,
        type=type,
    )
    if probability is not None:
        opp = opp.override_probability(probability, at=at, actor="rep-1")
    if category is not None:
        opp = opp.override_forecast_category(category, at=at, actor="rep-1")
    if won_after is not None:
        opp = opp.close_won(at=at + timedelta(days=won_after), actor="rep-1")
    if lost_after is not None:
        opp = opp.close_lost(at=at + timedelta(days=lost_after), actor="rep-1", reason="price")
    return opp
