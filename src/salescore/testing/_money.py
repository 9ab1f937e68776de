"""Hypothesis strategies for :class:`~salescore.money.Money`."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from hypothesis import strategies as st

from salescore.money import KNOWN_CURRENCIES, Money, currency_minor_unit

__all__ = ["money"]

_DEFAULT_BOUND = Decimal(10) ** 12


def money(
    currencies: Iterable[str] | None = None,
    *,
    min_value: Decimal | int | str | None = None,
    max_value: Decimal | int | str | None = None,
    places: int | None = None,
) -> st.SearchStrategy[Money]:
    """Generate :class:`~salescore.money.Money` values.

    Args:
        currencies: The codes to draw from; every known ISO 4217 code by
            default. Codes are checked when the strategy is built.
        min_value: The smallest amount (default ``-10**12``).
        max_value: The largest amount (default ``10**12``).
        places: Decimal places of every amount; by default each example
            draws between 0 and the currency's minor unit plus 3, so that
            amounts both in whole cents and with sub-cent precision appear.

    Returns:
        A strategy of Money values with finite amounts in ``[min_value, max_value]``.

    Raises:
        ValidationError: A currency code is unknown.
        ValueError: ``places`` is negative or the bounds are not numbers.
    """
    codes = sorted(set(KNOWN_CURRENCIES if currencies is None else currencies))
    if not codes:
        raise ValueError("currencies must not be empty")
    for code in codes:
        currency_minor_unit(code)
    if places is not None and places < 0:
        raise ValueError(f"places must not be negative, got {places!r}")
    low = -_DEFAULT_BOUND if min_value is None else Decimal(min_value)
    high = _DEFAULT_BOUND if max_value is None else Decimal(max_value)
    if not low.is_finite() or not high.is_finite() or low > high:
        raise ValueError(f"need finite bounds with min_value <= max_value, got {low}, {high}")

    @st.composite
    def build(draw: st.DrawFn) -> Money:
        code = draw(st.sampled_from(codes))
        digits = places
        if digits is None:
            digits = draw(st.integers(0, currency_minor_unit(code) + 3))
        amount = draw(st.decimals(min_value=low, max_value=high, places=digits))
        return Money(amount, code)

    return build()
