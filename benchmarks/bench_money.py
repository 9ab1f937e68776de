"""Money operations versus the same operations on bare ``Decimal``.

What a typed, currency-checked amount costs over a plain Decimal: the
construction (parsing and validation), addition, weighting by a float
probability, rounding to cents, summing a list and splitting three ways.
"""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

from benchmarks._harness import compare
from salescore.money import Money

_CENT = Decimal("0.01")


def _split_decimal(total: Decimal, n: int) -> list[Decimal]:
    """A hand-written even split in cents, the leftover cents to the first parts."""
    cents = int(total.quantize(_CENT, rounding=ROUND_HALF_EVEN) * 100)
    base, extra = divmod(cents, n)
    return [Decimal(base + (1 if i < extra else 0)) / 100 for i in range(n)]


def run(quick: bool = False) -> dict[str, Any]:
    """Time Money against Decimal for the common operations."""
    number = 5_000 if quick else 50_000
    repeats = 3 if quick else 9
    a, b = Decimal("12000.00"), Decimal("349.99")
    ma, mb = Money(a, "EUR"), Money(b, "EUR")
    p = 0.35
    decimals = [Decimal(i).scaleb(-2) for i in range(100)]
    moneys = [Money(d, "EUR") for d in decimals]

    def pair(title: str, plain: Any, money: Any, n: int = number) -> dict[str, Any]:
        return compare(
            title,
            {"Decimal": plain, "Money": money},
            baseline="Decimal",
            number=n,
            repeats=repeats,
        )

    return {
        "construct": pair(
            "construct from '12.50'",
            lambda: Decimal("12.50"),
            lambda: Money("12.50", "EUR"),
        ),
        "add": pair("a + b", lambda: a + b, lambda: ma + mb),
        "weight": pair(
            "amount × float probability",
            lambda: a * Decimal(str(p)),
            lambda: ma * p,
        ),
        "round": pair(
            "round to cents",
            lambda: a.quantize(_CENT, rounding=ROUND_HALF_EVEN),
            lambda: ma.round(),
        ),
        "sum": pair(
            "sum() of 100 amounts",
            lambda: sum(decimals),
            lambda: sum(moneys),
            n=number // 20,
        ),
        "split": pair(
            "split three ways in cents",
            lambda: _split_decimal(a, 3),
            lambda: ma.allocate([1, 1, 1]),
            n=number // 5,
        ),
    }
