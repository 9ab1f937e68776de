"""Money in reports: per currency, or converted with an explicit rate table."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from salescore.analytics._report import check_mapping
from salescore.errors import ValidationError
from salescore.money import Money

__all__ = ["Converter", "Rates"]

Rates = Mapping[str, Decimal | int | str]
"""Currency → units of the reporting currency per unit of it."""


class Converter:
    """Puts amounts into one reporting currency, or leaves them per currency.

    Args:
        currency: The reporting currency; ``None`` reports each currency apart.
        rates: Currency → units of ``currency`` per unit of it (the reporting
            currency itself needs no entry).

    Raises:
        ValidationError: rates that are no mapping, rates without a
            currency, or a rate that is not a positive number.
    """

    def __init__(
        self, currency: str | None, rates: Mapping[str, Decimal | int | str] | None
    ) -> None:
        check_mapping(rates, "rates", "currency codes to rates", optional=True)
        if rates and currency is None:
            raise ValidationError.single("currency", None, "is needed to convert with rates")
        self.currency = currency
        self.rates: dict[str, Decimal] = {}
        for code, rate in (rates or {}).items():
            if isinstance(rate, float | bool):
                raise ValidationError.single(f"rates.{code}", rate, "must be a Decimal, int or str")
            try:
                value = Decimal(rate)
            except ArithmeticError:
                raise ValidationError.single(f"rates.{code}", rate, "is not a number") from None
            if not value.is_finite() or value <= 0:
                raise ValidationError.single(f"rates.{code}", rate, "must be positive")
            self.rates[code] = value

    def key(self, money: Money) -> str:
        """The currency ``money`` is reported in."""
        return self.currency or money.currency

    def __call__(self, money: Money, path: str = "amount") -> Money:
        """``money`` in its reporting currency.

        Raises:
            ValidationError: no rate for ``money``'s currency.
        """
        target = self.currency
        if target is None or money.currency == target:
            return money
        rate = self.rates.get(money.currency)
        if rate is None:
            raise ValidationError.single(
                path, money, f"has no rate to {target} (give rates={{{money.currency!r}: …}})"
            )
        return Money(money.amount * rate, target)
