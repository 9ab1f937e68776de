"""Tests for salescore.money."""

from __future__ import annotations

import copy
import decimal
import pickle
import time
from collections.abc import Callable
from decimal import Decimal

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from salescore._iso4217 import MINOR_UNITS
from salescore.errors import ValidationError
from salescore.money import KNOWN_CURRENCIES, ROUNDING_MODES, Money, currency_minor_unit
from salescore.serialization import from_dict, from_json, to_dict, to_json
from salescore.testing.strategies import money

EUR = "EUR"


def eur(amount: str) -> Money:
    return Money(amount, EUR)


def exponent(value: Decimal) -> int:
    exp = value.as_tuple().exponent
    assert isinstance(exp, int)
    return exp


# -- construction -------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (Decimal("12.50"), Decimal("12.50")),
        (12, Decimal("12")),
        ("12.50", Decimal("12.50")),
        ("  -3.1 \n", Decimal("-3.1")),
        ("1e3", Decimal("1000")),
        ("12,000.50", Decimal("12000.50")),
        ("-0.00", Decimal("0.00")),
        ("+7", Decimal("7")),
    ],
)
def test_amount_is_normalised_to_decimal(raw: object, expected: Decimal) -> None:
    m = Money(raw, EUR)  # type: ignore[arg-type]
    assert type(m.amount) is Decimal
    assert str(m.amount) == str(expected)
    assert m.currency == EUR


def test_repr_is_exact() -> None:
    assert repr(Money("12000.00", EUR) * 0.5) == "Money('6000.000', 'EUR')"
    assert repr(Money("1e3", "JPY")) == "Money('1000', 'JPY')"
    assert repr(Money("-0", EUR)) == "Money('0', 'EUR')"


def test_str_is_readable() -> None:
    assert str(eur("12000.00")) == "12,000.00 EUR"
    assert str(eur("-1234567.891")) == "-1,234,567.891 EUR"
    assert str(Money(5, "JPY")) == "5 JPY"
    assert f"{eur('1234.5'):,.2f}" == "1,234.50 EUR"
    assert f"{eur('1234.5')}" == "1,234.5 EUR"


@pytest.mark.parametrize("bad", [1.5, 0.0, float("nan")])
def test_float_amount_is_refused(bad: float) -> None:
    with pytest.raises(ValidationError) as info:
        Money(bad, EUR)  # type: ignore[arg-type]
    assert info.value.paths == ("amount",)
    assert "not a float" in info.value.errors[0].message


@pytest.mark.parametrize(
    "bad",
    [
        "",
        "   ",
        "abc",
        "NaN",
        "nan",
        "sNaN",
        "Infinity",
        "-inf",
        "1,2,3",
        Decimal("NaN"),
        Decimal("-Infinity"),
        True,
        None,
        [1],
    ],
)
def test_bad_amounts_are_refused(bad: object) -> None:
    with pytest.raises(ValidationError) as info:
        Money(bad, EUR)  # type: ignore[arg-type]
    assert info.value.paths == ("amount",)
    assert info.value.errors[0].value is bad or info.value.errors[0].value == bad


@pytest.mark.parametrize("bad", ["XYZ", "eur", "EURO", "", "EU", "ANG", "HRK", None, 978])
def test_bad_currencies_are_refused(bad: object) -> None:
    with pytest.raises(ValidationError) as info:
        Money("1", bad)  # type: ignore[arg-type]
    assert info.value.paths == ("currency",)
    assert info.value.errors[0].value == bad


def test_lower_case_code_gets_a_hint() -> None:
    with pytest.raises(ValidationError, match="did you mean 'EUR'"):
        Money("1", "eur")


def test_both_problems_are_reported_at_once() -> None:
    with pytest.raises(ValidationError) as info:
        Money(0.1, "XYZ")  # type: ignore[arg-type]
    assert info.value.paths == ("amount", "currency")


def test_money_is_frozen_slotted_attrs() -> None:
    m = eur("1.00")
    assert attrs.has(Money)
    assert [f.name for f in attrs.fields(Money)] == ["amount", "currency"]
    assert not hasattr(m, "__dict__")
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        m.amount = Decimal(2)  # type: ignore[misc]
    # (mypy's attrs plugin does not see the hand-written __init__ through evolve)
    assert attrs.evolve(m, currency="USD") == Money("1.00", "USD")  # type: ignore[call-arg]
    with pytest.raises(ValidationError):
        attrs.evolve(m, amount=1.0)  # type: ignore[arg-type]


def test_keyword_construction_and_copies() -> None:
    m = Money(amount=Decimal("9.99"), currency="USD")
    assert pickle.loads(pickle.dumps(m)) == m
    assert copy.deepcopy(m) == m
    assert repr(copy.copy(m)) == "Money('9.99', 'USD')"


def test_zero_and_parse() -> None:
    assert repr(Money.zero("EUR")) == "Money('0.00', 'EUR')"
    assert repr(Money.zero("JPY")) == "Money('0', 'JPY')"
    assert repr(Money.zero("KWD")) == "Money('0.000', 'KWD')"
    assert Money.zero("EUR").is_zero
    assert not eur("0.01").is_zero
    assert Money.parse("12.50 EUR") == eur("12.50")
    assert Money.parse(" 12,000.00  EUR ") == eur("12000")
    with pytest.raises(ValidationError) as info:
        Money.parse("12.50")
    assert info.value.paths == ("text",)
    with pytest.raises(ValidationError) as info:
        Money.parse("12.50 XYZ")
    assert info.value.paths == ("currency",)
    with pytest.raises(ValidationError):
        Money.zero("XYZ")


# -- currencies ---------------------------------------------------------------


def test_minor_units() -> None:
    expected = {"EUR": 2, "USD": 2, "JPY": 0, "KRW": 0, "KWD": 3, "BHD": 3, "TND": 3,
                "CLF": 4, "UYW": 4, "UYI": 0, "XAU": 0, "XDR": 0, "XTS": 0, "XCG": 2,
                "ZWG": 2, "SLE": 2, "VED": 2}  # fmt: skip
    assert {code: currency_minor_unit(code) for code in expected} == expected
    assert eur("1").minor_unit == 2
    assert Money("1", "KWD").minor_unit == 3
    with pytest.raises(ValidationError) as info:
        currency_minor_unit("ABC")
    assert info.value.paths == ("currency",)


def test_currency_table_shape() -> None:
    assert frozenset(MINOR_UNITS) == KNOWN_CURRENCIES
    assert 170 <= len(KNOWN_CURRENCIES) <= 190
    assert all(len(c) == 3 and c.isalpha() and c.isupper() for c in KNOWN_CURRENCIES)
    assert set(MINOR_UNITS.values()) == {0, 2, 3, 4}
    assert {c for c, d in MINOR_UNITS.items() if d == 3} == {
        "BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"}  # fmt: skip


# -- arithmetic ---------------------------------------------------------------


def test_add_and_subtract_keep_full_precision() -> None:
    assert repr(eur("0.10") + eur("0.2")) == "Money('0.30', 'EUR')"
    assert repr(eur("1.005") - eur("0.005")) == "Money('1.000', 'EUR')"
    assert repr(eur("5") - eur("5")) == "Money('0', 'EUR')"
    assert eur("1") + 0 == eur("1")
    assert 0 + eur("1") == eur("1")
    assert eur("1") - 0 == eur("1")


def test_sum_works() -> None:
    items = [eur("1.50"), eur("2.25"), eur("0.005")]
    assert repr(sum(items)) == "Money('3.755', 'EUR')"
    assert sum([], Money.zero(EUR)) == Money.zero(EUR)


@pytest.mark.parametrize("other", [1, 0.0, Decimal(0), "0", False])
def test_add_refuses_non_money(other: object) -> None:
    with pytest.raises(TypeError):
        eur("1") + other  # type: ignore[operator]
    with pytest.raises(TypeError):
        other + eur("1")  # type: ignore[operator]


def test_multiply() -> None:
    assert repr(eur("12000.00") * 0.5) == "Money('6000.000', 'EUR')"
    assert repr(0.5 * eur("12000.00")) == "Money('6000.000', 'EUR')"
    assert repr(eur("19.99") * 3) == "Money('59.97', 'EUR')"
    assert repr(eur("10.00") * Decimal("0.19")) == "Money('1.9000', 'EUR')"
    # The float goes through its shortest repr, not its binary value.
    assert repr(eur("100") * 0.1) == "Money('10.0', 'EUR')"
    assert repr(eur("3") * Decimal("1E+2")) == "Money('300', 'EUR')"
    assert repr(eur("3") * 0) == "Money('0', 'EUR')"
    assert repr(eur("-3") * 0) == "Money('0', 'EUR')"
    with pytest.raises(TypeError):
        eur("1") * eur("1")  # type: ignore[operator]
    with pytest.raises(TypeError):
        eur("1") * True
    with pytest.raises(ValidationError) as info:
        eur("1") * float("inf")
    assert info.value.paths == ("factor",)


def test_divide() -> None:
    assert repr(eur("100.00") / 4) == "Money('25.00', 'EUR')"
    assert repr(eur("100.00") / 3) == "Money('" + "33." + "3" * 48 + "', 'EUR')"
    assert repr(eur("1") / 0.5) == "Money('2', 'EUR')"
    assert eur("30") / eur("120") == Decimal("0.25")
    with pytest.raises(ZeroDivisionError):
        eur("1") / 0
    with pytest.raises(ZeroDivisionError):
        eur("1") / eur("0.00")
    with pytest.raises(ValidationError) as info:
        eur("1") / Money("1", "USD")
    assert info.value.paths == ("currency",)
    with pytest.raises(TypeError):
        2 / eur("1")  # type: ignore[operator]


def test_unary_operations() -> None:
    assert repr(-eur("1.50")) == "Money('-1.50', 'EUR')"
    assert repr(-Money.zero(EUR)) == "Money('0.00', 'EUR')"
    assert repr(abs(eur("-1.50"))) == "Money('1.50', 'EUR')"
    assert repr(+eur("-1.50")) == "Money('-1.50', 'EUR')"


def test_global_decimal_context_is_not_used() -> None:
    with decimal.localcontext() as ctx:
        ctx.prec = 3
        ctx.rounding = decimal.ROUND_DOWN
        assert repr(eur("12345.67") + eur("0.01")) == "Money('12345.68', 'EUR')"
        assert repr(eur("12345.67") * 3) == "Money('37037.01', 'EUR')"
        assert repr(eur("2.345").round()) == "Money('2.34', 'EUR')"
        assert repr(eur("2.355").round()) == "Money('2.36', 'EUR')"


# -- currencies don't mix -----------------------------------------------------


def test_cross_currency_behaviour() -> None:
    a, b = Money("1", "EUR"), Money("1", "USD")
    assert a != b
    assert (a == b) is False
    for op in ("add", "subtract"):
        with pytest.raises(ValidationError) as info:
            _ = a + b if op == "add" else a - b
        assert info.value.paths == ("currency",)
        assert info.value.errors[0].value == ("EUR", "USD")
        assert "EUR and USD" in str(info.value)
    compares: list[Callable[[], bool]] = [
        lambda: a < b,
        lambda: a <= b,
        lambda: a > b,
        lambda: a >= b,
    ]
    for compare in compares:
        with pytest.raises(ValidationError) as info:
            compare()
        assert info.value.paths == ("currency",)
    with pytest.raises(ValidationError):
        sum([a, b])
    with pytest.raises(ValidationError):
        max(a, b)


def test_equality_and_hash() -> None:
    assert eur("1.0") == eur("1.00")
    assert hash(eur("1.0")) == hash(eur("1.00"))
    assert len({eur("1.0"), eur("1.00"), eur("1"), Money("1", "USD")}) == 2
    assert eur("1") != Decimal(1)
    assert eur("1") != 1
    assert eur("1") != "1 EUR"
    assert eur("1") < eur("1.01") <= eur("1.010") < eur("2")
    assert eur("2") > eur("1") >= eur("1.00")
    assert max(eur("1"), eur("3"), eur("2")) == eur("3")
    with pytest.raises(TypeError):
        eur("1") < 2  # type: ignore[operator]  # noqa: B015


# -- rounding -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "currency", "rounding", "expected"),
    [
        ("2.345", "EUR", decimal.ROUND_HALF_EVEN, "2.34"),
        ("2.355", "EUR", decimal.ROUND_HALF_EVEN, "2.36"),
        ("2.345", "EUR", decimal.ROUND_HALF_UP, "2.35"),
        ("-2.345", "EUR", decimal.ROUND_HALF_UP, "-2.35"),
        ("2.341", "EUR", decimal.ROUND_CEILING, "2.35"),
        ("2.349", "EUR", decimal.ROUND_FLOOR, "2.34"),
        ("2.349", "EUR", decimal.ROUND_DOWN, "2.34"),
        ("2", "EUR", decimal.ROUND_HALF_EVEN, "2.00"),
        ("-0.001", "EUR", decimal.ROUND_HALF_EVEN, "0.00"),
        ("2.5", "JPY", decimal.ROUND_HALF_EVEN, "2"),
        ("3.5", "JPY", decimal.ROUND_HALF_EVEN, "4"),
        ("2.5", "JPY", decimal.ROUND_HALF_UP, "3"),
        ("1234", "JPY", decimal.ROUND_HALF_EVEN, "1234"),
        ("1.2345", "KWD", decimal.ROUND_HALF_EVEN, "1.234"),
        ("1.2355", "KWD", decimal.ROUND_HALF_EVEN, "1.236"),
        ("1.23456", "CLF", decimal.ROUND_HALF_EVEN, "1.2346"),
        ("1.5", "XAU", decimal.ROUND_HALF_EVEN, "2"),
    ],
)
def test_round(amount: str, currency: str, rounding: str, expected: str) -> None:
    result = Money(amount, currency).round(rounding)
    assert repr(result) == f"Money('{expected}', '{currency}')"


def test_builtin_round() -> None:
    assert repr(round(eur("2.345"))) == "Money('2.34', 'EUR')"
    assert repr(round(eur("2.345"), 1)) == "Money('2.3', 'EUR')"
    assert repr(round(Money("1250", "JPY"), -2)) == "Money('1200', 'JPY')"
    with pytest.raises(TypeError):
        round(eur("1"), 1.5)  # type: ignore[call-overload]


def test_round_refuses_unknown_mode() -> None:
    with pytest.raises(ValidationError) as info:
        eur("1").round("HALF_UP")
    assert info.value.paths == ("rounding",)
    assert len(ROUNDING_MODES) == 8


def test_round_largest_amount_keeps_every_digit() -> None:
    big = "9" * 29 + ".125"
    assert repr(eur(big).round()) == f"Money('{'9' * 29}.12', 'EUR')"


# -- allocation ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "currency", "ratios", "expected"),
    [
        ("100.00", "EUR", [1, 1, 1], ["33.34", "33.33", "33.33"]),
        ("100", "EUR", [1, 1, 1], ["33.34", "33.33", "33.33"]),
        ("-100.00", "EUR", [1, 1, 1], ["-33.34", "-33.33", "-33.33"]),
        ("0.05", "EUR", [3, 7], ["0.02", "0.03"]),
        ("0.05", "EUR", ["0.3", "0.7"], ["0.02", "0.03"]),
        ("0.05", "EUR", [0.3, 0.7], ["0.02", "0.03"]),
        ("10.00", "EUR", [1, 0, 1], ["5.00", "0.00", "5.00"]),
        ("0.01", "EUR", [1, 1], ["0.01", "0.00"]),
        ("0.02", "EUR", [1, 1, 1], ["0.01", "0.01", "0.00"]),
        ("1000", "JPY", [1, 1, 1], ["334", "333", "333"]),
        ("1.000", "KWD", [1, 2], ["0.333", "0.667"]),
        ("100.005", "EUR", [1, 1], ["50.00", "50.00"]),
        ("100.015", "EUR", [1, 1], ["50.01", "50.01"]),
        ("0.00", "EUR", [1, 2], ["0.00", "0.00"]),
        ("7.00", "EUR", [Decimal("1E+1"), Decimal("0.5")], ["6.67", "0.33"]),
    ],
)
def test_allocate(amount: str, currency: str, ratios: list[object], expected: list[str]) -> None:
    parts = Money(amount, currency).allocate(ratios)  # type: ignore[arg-type]
    assert [repr(p) for p in parts] == [f"Money('{e}', '{currency}')" for e in expected]


def test_allocate_rounding_parameter() -> None:
    parts = eur("100.005").allocate([1, 1], rounding=decimal.ROUND_HALF_UP)
    assert [str(p) for p in parts] == ["50.01 EUR", "50.00 EUR"]


@pytest.mark.parametrize(
    ("ratios", "paths"),
    [
        ([], ("ratios",)),
        ([0, 0], ("ratios",)),
        ([1, -1], ("ratios[1]",)),
        (["x", -2, 1], ("ratios[0]", "ratios[1]")),
        ([1, float("nan")], ("ratios[1]",)),
        ([1, True], ("ratios[1]",)),
        ("11", ("ratios",)),
    ],
)
def test_allocate_refuses_bad_ratios(ratios: object, paths: tuple[str, ...]) -> None:
    with pytest.raises(ValidationError) as info:
        eur("1").allocate(ratios)  # type: ignore[arg-type]
    assert info.value.paths == paths


# -- properties ---------------------------------------------------------------

ratios_lists = st.lists(
    st.one_of(st.integers(0, 1000), st.decimals(0, 100, places=3)), min_size=1, max_size=8
).filter(any)


@settings(max_examples=200)
@given(money(), ratios_lists)
def test_allocate_sums_exactly(m: Money, ratios: list[int | Decimal]) -> None:
    parts = m.allocate(ratios)
    assert len(parts) == len(ratios)
    assert sum(parts, Money.zero(m.currency)) == m.round()
    for part, ratio in zip(parts, ratios, strict=True):
        assert part.currency == m.currency
        assert exponent(part.amount) == -m.minor_unit
        if ratio == 0:
            assert part.is_zero
    # No part is more than one minor unit away from its exact share.
    unit = Decimal(1).scaleb(-m.minor_unit)
    total = Decimal(sum(ratios))
    for part, ratio in zip(parts, ratios, strict=True):
        exact = m.round().amount * ratio / total
        assert abs(part.amount - exact) < unit


@given(st.integers(-(10**9), 10**9), st.integers(1, 50))
def test_allocate_even_split_differs_by_at_most_one_cent(cents: int, n: int) -> None:
    m = Money(Decimal(cents).scaleb(-2), "EUR")
    parts = m.allocate([1] * n)
    amounts = [p.amount for p in parts]
    assert max(amounts) - min(amounts) <= Decimal("0.01")
    assert amounts == sorted(amounts, reverse=cents >= 0)


@given(st.data())
def test_add_then_subtract_is_identity(data: st.DataObject) -> None:
    a = data.draw(money())
    b = data.draw(money([a.currency]))
    assert a + b - b == a
    assert a + b == b + a
    assert a - a == Money.zero(a.currency)
    assert abs(-a) == abs(a)
    assert -a + a == Money.zero(a.currency)


@given(money(), st.sampled_from(sorted(ROUNDING_MODES)))
def test_round_is_idempotent(m: Money, rounding: str) -> None:
    once = m.round(rounding)
    assert once.round(rounding) == once
    assert repr(once.round()) == repr(once)
    assert exponent(once.amount) == -m.minor_unit
    assert abs(once.amount - m.amount) < Decimal(1).scaleb(-m.minor_unit)


@given(st.data())
def test_ordering_follows_amounts(data: st.DataObject) -> None:
    a = data.draw(money())
    b = data.draw(money([a.currency]))
    assert (a < b) == (a.amount < b.amount)
    assert (a <= b) == (a.amount <= b.amount)
    assert (a > b) == (a.amount > b.amount)
    assert (a >= b) == (a.amount >= b.amount)
    assert (a == b) == (a.amount == b.amount)
    if a == b:
        assert hash(a) == hash(b)


@given(money(), st.floats(0, 1).filter(lambda p: p == 0 or p >= 1e-20))
def test_float_multiplication_uses_shortest_repr(m: Money, p: float) -> None:
    exact = decimal.Context(prec=100).multiply(m.amount, Decimal(str(p)))
    assert (m * p).amount == exact


@given(money())
def test_text_round_trips(m: Money) -> None:
    assert Money.parse(str(m)) == m
    assert eval(repr(m), {"Money": Money}) == m
    assert repr(eval(repr(m), {"Money": Money})) == repr(m)


@given(money(["EUR", "JPY"], min_value=0, max_value=10, places=1))
def test_strategy_respects_its_arguments(m: Money) -> None:
    assert m.currency in {"EUR", "JPY"}
    assert Decimal(0) <= m.amount <= Decimal(10)
    assert exponent(m.amount) >= -1


def test_strategy_refuses_bad_arguments() -> None:
    with pytest.raises(ValidationError):
        money(["XYZ"])
    with pytest.raises(ValueError):
        money([])
    with pytest.raises(ValueError):
        money(places=-1)
    with pytest.raises(ValueError):
        money(min_value=5, max_value=1)


# -- serialization ------------------------------------------------------------


def test_serialized_form() -> None:
    m = Money("12.50", "EUR")
    assert to_json(m) == '{"_schema":1,"_type":"Money","amount":"12.5","currency":"EUR"}'
    assert from_dict(Money, {"amount": "12.50", "currency": "EUR"}) == m
    with pytest.raises(ValidationError) as info:
        from_dict(Money, {"amount": "1", "currency": "XYZ"})
    assert info.value.paths == ("currency",)


@given(money())
def test_serialization_round_trips_exactly(m: Money) -> None:
    back = from_json(Money, to_json(m))
    assert back == m  # equal, written in the canonical form (no trailing zeros)
    assert to_json(back) == to_json(m)
    assert from_dict(Money, to_dict(m)) == m


# -- what real use found: truthiness, 0 - money, bounds, digits ----------------


def test_zero_money_is_false_and_other_amounts_true() -> None:
    assert not Money("0", "USD")
    assert not Money("0.00", "EUR")
    assert Money("0.01", "EUR")
    assert Money("-5", "EUR")


def test_zero_minus_money_is_its_negation() -> None:
    m = Money("12.50", "EUR")
    assert 0 - m == Money("-12.50", "EUR")
    assert repr(0 - Money("0.00", "EUR")) == "Money('0.00', 'EUR')"
    with pytest.raises(TypeError):
        1 - m  # type: ignore[operator]


def _refused(call: object, path: str, message: str) -> None:
    assert callable(call)
    started = time.perf_counter()
    with pytest.raises(ValidationError) as info:
        call()
    assert time.perf_counter() - started < 1.0
    assert info.value.paths == (path,)
    assert message in str(info.value)


@pytest.mark.parametrize(
    "amount",
    [
        Decimal("1E+999999999999999999"),
        "1e99999999999",
        "1e999999999",
        "1e5000",
        Decimal(10) ** 30,
        "-1" + "0" * 30,
        "1e999999999999999999999",
    ],
)
def test_amounts_of_magnitude_10_to_the_30_are_refused_quickly(amount: object) -> None:
    _refused(lambda: Money(amount, "EUR"), "amount", "10**30")  # type: ignore[arg-type]


@pytest.mark.parametrize("amount", ["1e-51", Decimal("1E-999999999"), "1e-9999999999"])
def test_more_than_50_decimal_places_are_refused(amount: object) -> None:
    _refused(lambda: Money(amount, "EUR"), "amount", "at most 50 decimal places")  # type: ignore[arg-type]


def test_the_largest_amounts_are_accepted() -> None:
    assert Money("9" * 30, "EUR").amount == Decimal("9" * 30)
    assert Money("1e-50", "EUR").amount == Decimal("1E-50")


def test_arithmetic_beyond_the_bounds_is_refused() -> None:
    big = Money("6" + "0" * 29, "EUR")
    _refused(lambda: big + big, "amount", "the sum is 10**30 or more")
    _refused(lambda: -big - big, "amount", "the difference is 10**30 or more")
    m = Money("12.50", "EUR")
    _refused(lambda: m * Decimal("1e999999999"), "factor", "10**30 or more")
    _refused(lambda: m * 10**29, "factor", "10**30 or more")
    _refused(lambda: Money("99.9", "EUR") * Decimal("2e28"), "amount", "the result is 10**30")
    _refused(lambda: m * 1e300, "factor", "10**30 or more")
    _refused(lambda: m / Decimal("1e-999999999"), "divisor", "10**30 or more")


def test_results_finer_than_50_places_are_rounded() -> None:
    m = Money("1", "EUR")
    assert (m * Decimal("1e-60")).amount == Decimal("0E-50")
    assert (m * Decimal("1.5e-50")).amount == Decimal("2E-50")
    assert (m / 3).amount == Decimal("0." + "3" * 50)


def test_round_with_absurd_places_is_refused() -> None:
    m = Money("12.50", "EUR")
    _refused(lambda: round(m, 10**18), "ndigits", "between -30 and 50")
    _refused(lambda: round(m, -31), "ndigits", "between -30 and 50")
    assert round(m, -1) == Money("10", "EUR")
    assert repr(round(m, 4)) == "Money('12.5000', 'EUR')"


def test_allocate_with_absurd_ratios_is_refused_quickly() -> None:
    m = Money("100.00", "EUR")
    _refused(lambda: m.allocate(["1e99999999", 1]), "ratios[0]", "10**30")
    _refused(lambda: m.allocate([1, 1e300]), "ratios[1]", "10**30")
    _refused(lambda: m.allocate([Decimal("1e-999999999"), 1]), "ratios[0]", "50 decimal places")
    _refused(lambda: Money("1e5000", "EUR").allocate([1, 1]), "amount", "10**30")


@pytest.mark.parametrize("text", ["١٢", "１２", "1_000", "1 000", "12.5.0", "0x10"])
def test_only_ascii_digits_are_read_as_amounts(text: str) -> None:
    _refused(lambda: Money(text, "EUR"), "amount", "ASCII digits")
    if " " not in text:
        _refused(lambda: Money.parse(f"{text} EUR"), "amount", "ASCII digits")


@given(st.decimals(allow_nan=False, allow_infinity=False))
def test_every_finite_decimal_is_accepted_or_refused_with_a_validation_error(d: Decimal) -> None:
    if exponent(d) < -50 or (d and d.adjusted() >= 30):
        with pytest.raises(ValidationError) as info:
            Money(d, "EUR")
        assert info.value.paths == ("amount",)
    else:
        assert Money(d, "EUR").amount == d
