"""The Monte Carlo forecast's integer draws give what the decimal draws give."""

from __future__ import annotations

import decimal
import random
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from salescore.analytics.forecast import _exponent, _samples, _samples_checked
from salescore.money import Money

#: Amounts as Money keeps them: whole units, cents, thousandths (and the odd mix).
AMOUNTS = st.one_of(
    st.integers(0, 10**9).map(Decimal),
    st.integers(0, 10**9).map(lambda n: Decimal(n).scaleb(-2)),
    st.integers(0, 10**6).map(lambda n: Decimal(n).scaleb(-3)),
)
DEALS = st.lists(st.tuples(st.floats(0, 1), AMOUNTS), max_size=12)


class _Other(random.Random):
    """The same stream through a ``random()`` of its own (the checked draws)."""

    def random(self) -> float:
        return super().random()


def _shape(samples: tuple[Money, ...]) -> list[tuple[str, str, type]]:
    return [(repr(m), m.currency, type(m.amount)) for m in samples]


@given(DEALS, AMOUNTS, st.integers(1, 40), st.integers(0, 2**32))
def test_the_integer_draws_equal_the_decimal_ones(
    deals: list[tuple[float, Decimal]], booked: Decimal, runs: int, seed: int
) -> None:
    fast_rng, checked_rng = random.Random(seed), random.Random(seed)
    fast = _samples(deals, booked, fast_rng, runs, "EUR")
    checked = _samples_checked(deals, booked, checked_rng, runs, "EUR")
    assert _shape(fast) == _shape(checked)
    assert fast == checked
    # the same number of draws: the streams go on alike
    assert fast_rng.random() == checked_rng.random()


@given(DEALS, AMOUNTS, st.integers(0, 2**32))
def test_another_random_takes_the_decimal_draws(
    deals: list[tuple[float, Decimal]], booked: Decimal, seed: int
) -> None:
    assert _shape(_samples(deals, booked, _Other(seed), 5, "EUR")) == _shape(
        _samples_checked(deals, booked, random.Random(seed), 5, "EUR")
    )


def test_inexact_or_mixed_sums_take_the_decimal_draws() -> None:
    cents, units = Decimal("10.00"), Decimal(10)
    assert _exponent([(0.5, cents)], Decimal("0.00")) == -2
    assert _exponent([(0.5, units)], Decimal(0)) == 0
    assert _exponent([(0.5, cents)], Decimal(0)) is None  # two exponents
    assert _exponent([(0.5, Decimal("-1"))], Decimal(0)) is None  # negative
    assert _exponent([(0.5, Decimal("1E+3"))], Decimal(0)) is None  # above the units
    big = Decimal(10**29)
    assert _exponent([(0.5, big), (0.5, big)], Decimal(0)) is None  # beyond Money's bounds
    with decimal.localcontext() as ctx:
        ctx.prec = 5
        assert _exponent([(0.5, Decimal(60000)), (0.5, Decimal(50000))], Decimal(0)) is None
        # rounded by the context in both paths alike
        deals = [(1.0, Decimal(60000)), (1.0, Decimal(50001))]
        rounded = _samples(deals, Decimal(0), random.Random(1), 3, "EUR")
        assert _shape(rounded) == _shape(
            _samples_checked(deals, Decimal(0), random.Random(1), 3, "EUR")
        )
        assert rounded[0] == Money("110000", "EUR")
