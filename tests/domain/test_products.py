"""Products, price books, line items and their totals."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from salescore.domain.products import (
    LineItem,
    PriceBook,
    Product,
    line_items_total,
    price_line,
)
from salescore.errors import NotFound, ValidationError
from salescore.money import Money
from salescore.serialization import from_json, to_json
from salescore.testing.strategies import line_items, price_books, products

BOOK = PriceBook(
    id="pb-std",
    name="Standard",
    is_standard=True,
    prices={
        "SEAT": {
            "EUR": Money("19.99", "EUR"),
            "JPY": Money("2500", "JPY"),
            "KWD": Money("6.125", "KWD"),
        },
        "ONBOARD": {"EUR": Money("1500.00", "EUR")},
    },
)


def line(unit: str, currency: str, quantity: str, discount: str = "0") -> LineItem:
    return LineItem(
        product_code="X",
        quantity=Decimal(quantity),
        unit_price=Money(unit, currency),
        discount=Decimal(discount),
    )


# --- products and price books ---------------------------------------------------------


def test_product_lists_every_bad_field() -> None:
    with pytest.raises(ValidationError) as info:
        Product(code=" ", name="", active="yes")  # type: ignore[arg-type]
    assert info.value.paths == ("code", "name", "active")


def test_price_book_lookup() -> None:
    assert BOOK.price("SEAT", "JPY") == Money("2500", "JPY")
    assert BOOK.currencies("SEAT") == ("EUR", "JPY", "KWD")
    assert BOOK.product_codes == ("ONBOARD", "SEAT")


def test_price_book_missing_product_or_currency_is_not_found() -> None:
    with pytest.raises(NotFound, match="'NOPE' is not in price book 'pb-std'"):
        BOOK.price("NOPE", "EUR")
    with pytest.raises(NotFound, match=r"no USD price .* \(it has: EUR, JPY, KWD\)"):
        BOOK.price("SEAT", "USD")


def test_price_book_refuses_wrong_currency_and_negative_prices() -> None:
    with pytest.raises(ValidationError) as info:
        PriceBook(
            id="pb",
            name="Bad",
            prices={"A": {"EUR": Money("1", "USD")}, "B": {"EUR": Money("-1", "EUR")}},
        )
    assert info.value.paths == ("prices.A.EUR", "prices.B.EUR")


def test_price_book_with_price_and_without_product() -> None:
    book = BOOK.with_price("SEAT", Money("21.00", "USD")).without_product("ONBOARD")
    assert book.currencies("SEAT") == ("EUR", "JPY", "KWD", "USD")
    assert book.product_codes == ("SEAT",)
    assert BOOK.currencies("SEAT") == ("EUR", "JPY", "KWD")  # the original is unchanged


# --- line totals: exact values ------------------------------------------------------------


def test_line_total_with_percentage_discount() -> None:
    item = price_line(BOOK, "SEAT", 3, "EUR", discount="0.15")
    # 3 × 19.99 × 0.85 = 50.9745 → 50.97
    assert item.total == Money("50.97", "EUR")
    assert item.subtotal == Money("59.97", "EUR")
    assert item.discount_total == Money("9.00", "EUR")
    assert item.list_price == Money("19.99", "EUR")
    assert item.price_book_id == "pb-std"


def test_line_total_in_yen_rounds_to_whole_yen() -> None:
    item = price_line(BOOK, "SEAT", 3, "JPY", discount="0.15")
    # 3 × 2500 × 0.85 = 6375 exactly
    assert item.total == Money("6375", "JPY")
    assert str(item.total.amount) == "6375"
    odd = price_line(BOOK, "SEAT", 1, "JPY", discount="0.0333")
    # 2500 × 0.9667 = 2416.75 → 2417
    assert str(odd.total.amount) == "2417"


def test_line_total_in_three_decimal_currency() -> None:
    item = price_line(BOOK, "SEAT", 7, "KWD", discount="0.1")
    # 7 × 6.125 × 0.9 = 38.5875 → half-even at the third place → 38.588
    assert str(item.total.amount) == "38.588"
    assert item.total.currency == "KWD"


@pytest.mark.parametrize(
    ("unit", "quantity", "expected"),
    [
        ("0.125", "1", "0.12"),  # half to even: 2 stays
        ("0.135", "1", "0.14"),  # half to even: 3 goes up to 4
        ("0.005", "3", "0.02"),  # 0.015 → 0.02
        ("0.005", "5", "0.02"),  # 0.025 → 0.02
        ("2.675", "2", "5.35"),  # 5.35 exactly (no binary float error)
    ],
)
def test_line_total_rounds_half_to_even(unit: str, quantity: str, expected: str) -> None:
    assert str(line(unit, "EUR", quantity).total.amount) == expected


def test_absolute_discount_applies_after_percentage() -> None:
    item = price_line(
        BOOK,
        "ONBOARD",
        2,
        "EUR",
        discount="0.10",
        discount_amount=Money("100.00", "EUR"),
    )
    # 2 × 1500 × 0.9 − 100 = 2600
    assert item.total == Money("2600.00", "EUR")


def test_absolute_discount_cannot_make_a_line_negative() -> None:
    with pytest.raises(ValidationError) as info:
        price_line(BOOK, "SEAT", 1, "EUR", discount_amount=Money("20.00", "EUR"))
    assert info.value.paths == ("discount_amount",)


def test_amount_is_sum_of_rounded_lines_not_rounded_sum() -> None:
    lines = [line("0.005", "EUR", "3"), line("0.005", "EUR", "3")]
    # each 0.015 → 0.02; the unrounded sum 0.03 would differ
    assert line_items_total(lines) == Money("0.04", "EUR")


def test_total_refuses_mixed_currencies_naming_each_line() -> None:
    lines = [line("1", "EUR", "1"), line("1", "USD", "1"), line("1", "JPY", "1")]
    with pytest.raises(ValidationError) as info:
        line_items_total(lines, "EUR")
    assert info.value.paths == ("line_items[1]", "line_items[2]")


def test_empty_total_needs_a_currency() -> None:
    assert line_items_total([], "EUR") == Money("0", "EUR")
    with pytest.raises(ValidationError):
        line_items_total([])


# --- pricing from the book ----------------------------------------------------------------


def test_override_keeps_list_price() -> None:
    item = price_line(BOOK, "SEAT", 10, "EUR", unit_price=Money("17.50", "EUR"))
    assert item.unit_price == Money("17.50", "EUR")
    assert item.list_price == Money("19.99", "EUR")
    assert item.total == Money("175.00", "EUR")


def test_no_price_in_currency_is_not_found() -> None:
    with pytest.raises(NotFound, match="no USD price"):
        price_line(BOOK, "ONBOARD", 1, "USD")
    with pytest.raises(NotFound, match="not in price book"):
        price_line(BOOK, "GHOST", 1, "EUR")


def test_override_in_another_currency_is_refused() -> None:
    with pytest.raises(ValidationError) as info:
        price_line(BOOK, "SEAT", 1, "EUR", unit_price=Money("10", "USD"))
    assert info.value.paths == ("unit_price",)


def test_inactive_product_or_book_is_refused() -> None:
    catalogue = {"SEAT": Product(code="SEAT", name="Seat", active=False)}
    with pytest.raises(ValidationError, match="inactive product"):
        price_line(BOOK, "SEAT", 1, "EUR", products=catalogue)
    with pytest.raises(NotFound):
        price_line(BOOK, "ONBOARD", 1, "EUR", products=catalogue)
    closed = PriceBook(id="pb-old", name="Old", active=False, prices=BOOK.prices)
    with pytest.raises(ValidationError, match="not active"):
        price_line(closed, "SEAT", 1, "EUR")


def test_line_item_lists_every_bad_field() -> None:
    with pytest.raises(ValidationError) as info:
        LineItem(
            product_code="",
            quantity=0.5,  # type: ignore[arg-type]
            unit_price=Money("-1", "EUR"),
            discount=Decimal("1.5"),
        )
    assert info.value.paths == ("product_code", "quantity", "discount", "unit_price")


def test_quantity_must_be_positive_and_is_converted() -> None:
    assert LineItem(product_code="A", quantity="2.5", unit_price=Money("4", "EUR")).quantity == (  # type: ignore[arg-type]
        Decimal("2.5")
    )
    with pytest.raises(ValidationError, match="greater than 0"):
        LineItem(product_code="A", quantity=Decimal(0), unit_price=Money("4", "EUR"))


# --- properties -----------------------------------------------------------------------------


@settings(max_examples=60)
@given(st.lists(line_items("EUR"), min_size=1, max_size=5))
def test_total_is_sum_of_line_totals_each_in_minor_units(items: list[LineItem]) -> None:
    total = line_items_total(items)
    assert total == sum((i.total for i in items), Money.zero("EUR"))
    for item in items:
        assert item.total.amount == item.total.amount.quantize(Decimal("0.01"))
        assert item.total.amount >= 0
        assert item.total <= item.subtotal.round()


@settings(max_examples=40)
@given(st.one_of(products(), price_books(), line_items()))
def test_json_round_trip(value: object) -> None:
    assert from_json(type(value), to_json(value)) == value
