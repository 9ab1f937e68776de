"""Products, price books and the line items of a deal.

* :class:`Product`: something you sell, identified by a ``code``.
* :class:`PriceBook`: unit prices per product and per currency. A product can
  be priced in several currencies and appear in several price books (a
  standard list price book, a partner price book…).
* :class:`LineItem`: one line of a deal: a product, a quantity, a unit price
  (from a price book unless overridden) and a discount.

A line's total is ``unit_price × quantity × (1 − discount) − discount_amount``
rounded **once** to the currency's minor unit (banker's rounding, as
:meth:`~salescore.money.Money.round`); a deal's amount is the sum of its
rounded line totals (:func:`line_items_total`), so the lines on a quote always
add up to the amount shown.

Discounts come in two forms that may be combined: ``discount`` is a fraction
in [0, 1] (``Decimal("0.15")`` is 15 % off), applied first; ``discount_amount``
is a fixed sum taken off the whole line after it. A line's total may not be
negative.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

import attrs

from salescore._validation import Checker, fail
from salescore.errors import NotFound
from salescore.money import Money
from salescore.serialization import register_type

__all__ = [
    "LineItem",
    "PriceBook",
    "Product",
    "line_items_total",
    "price_line",
]

_ZERO = Decimal(0)
_ONE = Decimal(1)


def _decimal(value: Any, path: str, checker: Checker) -> Decimal | None:
    """A Decimal from a Decimal, an int or a numeric string (never a float)."""
    if isinstance(value, bool | float):
        checker.add(path, value, "must be a Decimal, an int or a numeric string (not a float)")
        return None
    if isinstance(value, Decimal):
        if not value.is_finite():
            checker.add(path, value, "must be finite")
            return None
        return value
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, str):
        try:
            parsed = Decimal(value.strip())
        except ArithmeticError:
            checker.add(path, value, "must be a numeric string such as '2.5'")
            return None
        if not parsed.is_finite():
            checker.add(path, value, "must be finite")
            return None
        return parsed
    checker.add(path, value, "must be a Decimal, an int or a numeric string")
    return None


@register_type
@attrs.frozen(kw_only=True)
class Product:
    """Something you sell.

    Attributes:
        code: Unique product code (a SKU), the key in price books and lines.
        name: Name for people.
        family: Product family or line, if you group products.
        active: Whether the product may be sold (inactive products cannot be
            priced onto new lines through :func:`price_line`).
        recurring: Whether it is sold by subscription (priced per period).
        description: Longer text.

    Raises:
        ValidationError: a blank code or name (every problem at once).
    """

    code: str
    name: str
    family: str | None = None
    active: bool = True
    recurring: bool = False
    description: str = ""

    def __attrs_post_init__(self) -> None:
        with Checker("Product") as c:
            c.text(self.code, "code")
            if isinstance(self.code, str) and self.code.strip() and self.code.strip() != self.code:
                c.add("code", self.code, "must not have surrounding spaces")
            c.text(self.name, "name")
            c.text(self.family, "family", optional=True)
            c.instance(self.active, bool, "active")
            c.instance(self.recurring, bool, "recurring")
            c.text(self.description, "description", empty=True)


@register_type
@attrs.frozen(kw_only=True)
class PriceBook:
    """Unit prices of products, per currency.

    Attributes:
        id: The price book's id.
        name: Name for people (``"Standard"``, ``"Partners 2027"``).
        prices: Product code → currency code → unit price. Every price is
            non-negative and in the currency it is filed under.
        is_standard: Whether this is the standard (list) price book.
        active: Whether it may be used to price new lines.

    Raises:
        ValidationError: every bad entry at once, with paths such as
            ``prices.WIDGET.EUR``.

    Example:
        >>> book = PriceBook(id="pb-1", name="Standard", is_standard=True,
        ...                  prices={"SEAT": {"EUR": Money("30.00", "EUR")}})
        >>> book.price("SEAT", "EUR")
        Money('30.00', 'EUR')
    """

    id: str
    name: str
    prices: Mapping[str, Mapping[str, Money]] = attrs.field(factory=dict)
    is_standard: bool = False
    active: bool = True

    def __attrs_post_init__(self) -> None:
        with Checker("PriceBook") as c:
            c.text(self.id, "id")
            c.text(self.name, "name")
            c.instance(self.is_standard, bool, "is_standard")
            c.instance(self.active, bool, "active")
            if not isinstance(self.prices, Mapping):
                c.add("prices", self.prices, "must map product codes to {currency: price}")
                return
            normal: dict[str, dict[str, Money]] = {}
            for code, by_currency in self.prices.items():
                if not isinstance(code, str) or not code.strip():
                    c.add("prices", code, "product codes must be non-blank strings")
                    continue
                if not isinstance(by_currency, Mapping):
                    c.add(f"prices.{code}", by_currency, "must map currency codes to prices")
                    continue
                normal[code] = {}
                for currency, price in by_currency.items():
                    path = f"prices.{code}.{currency}"
                    if not isinstance(price, Money):
                        c.add(path, price, "must be Money")
                        continue
                    c.check(price.currency == currency, path, price, f"must be in {currency}")
                    c.check(price.amount >= 0, path, price, "must not be negative")
                    normal[code][currency] = price
        if not isinstance(self.prices, dict) or any(
            not isinstance(v, dict) for v in self.prices.values()
        ):
            object.__setattr__(self, "prices", normal)

    @property
    def product_codes(self) -> tuple[str, ...]:
        """The codes of every priced product, sorted."""
        return tuple(sorted(self.prices))

    def currencies(self, product_code: str) -> tuple[str, ...]:
        """The currencies ``product_code`` is priced in, sorted (empty if none)."""
        return tuple(sorted(self.prices.get(product_code, {})))

    def price(self, product_code: str, currency: str) -> Money:
        """The unit price of a product in a currency.

        Args:
            product_code: The product's code.
            currency: An ISO 4217 code.

        Returns:
            The unit price.

        Raises:
            NotFound: the product is not in this price book, or has no price
                in ``currency`` (the message lists the currencies it has).
        """
        by_currency = self.prices.get(product_code)
        if by_currency is None:
            raise NotFound(f"product {product_code!r} is not in price book {self.id!r}")
        price = by_currency.get(currency)
        if price is None:
            have = ", ".join(sorted(by_currency)) or "none"
            raise NotFound(
                f"product {product_code!r} has no {currency} price in price book "
                f"{self.id!r} (it has: {have})"
            )
        return price

    def with_price(self, product_code: str, price: Money) -> PriceBook:
        """Return a copy with ``price`` set for ``product_code`` in its currency.

        Raises:
            ValidationError: a bad code or a negative price.
        """
        prices = {code: dict(by) for code, by in self.prices.items()}
        prices.setdefault(product_code, {})[price.currency] = price
        return attrs.evolve(self, prices=prices)

    def without_product(self, product_code: str) -> PriceBook:
        """Return a copy without any price for ``product_code``.

        Raises:
            NotFound: the product is not in this price book.
        """
        if product_code not in self.prices:
            raise NotFound(f"product {product_code!r} is not in price book {self.id!r}")
        return attrs.evolve(
            self, prices={k: v for k, v in self.prices.items() if k != product_code}
        )


@register_type
@attrs.frozen(kw_only=True)
class LineItem:
    """One line of a deal: a product, a quantity, a price and a discount.

    Build lines from a price book with :func:`price_line`, or directly.

    Attributes:
        product_code: The product sold.
        quantity: How many (a Decimal greater than 0; ints and numeric
            strings are accepted, floats are refused).
        unit_price: The price of one unit (non-negative Money).
        discount: Fraction off, in [0, 1] (``Decimal("0.1")`` is 10 % off).
        discount_amount: A fixed sum off the whole line, after ``discount``;
            in the unit price's currency.
        list_price: The price book's unit price when the line was priced,
            kept to show an overridden price (``None`` if there was none).
        price_book_id: The price book the line was priced from, if any.
        description: A note for the line.

    Raises:
        ValidationError: every bad field at once, including a total below zero.
    """

    product_code: str
    quantity: Decimal
    unit_price: Money
    discount: Decimal = _ZERO
    discount_amount: Money | None = None
    list_price: Money | None = None
    price_book_id: str | None = None
    description: str = ""

    def __attrs_post_init__(self) -> None:
        with Checker("LineItem") as c:
            c.text(self.product_code, "product_code")
            quantity = _decimal(self.quantity, "quantity", c)
            if quantity is not None and c.check(
                quantity > 0, "quantity", self.quantity, "must be greater than 0"
            ):
                object.__setattr__(self, "quantity", quantity)
            discount = _decimal(self.discount, "discount", c)
            if discount is not None and c.check(
                _ZERO <= discount <= _ONE,
                "discount",
                self.discount,
                "must be a fraction in [0, 1] (0.15 is 15 % off)",
            ):
                object.__setattr__(self, "discount", discount)
            unit_ok = c.instance(self.unit_price, Money, "unit_price")
            if unit_ok:
                unit_ok = c.check(
                    self.unit_price.amount >= 0,
                    "unit_price",
                    self.unit_price,
                    "must not be negative",
                )
            for name in ("discount_amount", "list_price"):
                value = getattr(self, name)
                if not c.instance(value, Money, name, optional=True) or value is None:
                    continue
                c.check(value.amount >= 0, name, value, "must not be negative")
                if unit_ok:
                    c.check(
                        value.currency == self.unit_price.currency,
                        name,
                        value,
                        f"must be in the unit price's currency ({self.unit_price.currency})",
                    )
            c.text(self.price_book_id, "price_book_id", optional=True)
            c.text(self.description, "description", empty=True)
            if not c.errors:
                total = self._exact_total()
                c.check(
                    total.amount >= 0,
                    "discount_amount",
                    self.discount_amount,
                    f"takes the line below zero ({total})",
                )

    def _exact_total(self) -> Money:
        total = self.unit_price * self.quantity
        if self.discount:
            total = total * (_ONE - self.discount)
        if self.discount_amount is not None:
            total = total - self.discount_amount
        return total

    @property
    def currency(self) -> str:
        """The line's currency (its unit price's)."""
        return self.unit_price.currency

    @property
    def subtotal(self) -> Money:
        """``unit_price × quantity`` before discounts, unrounded."""
        return self.unit_price * self.quantity

    @property
    def total(self) -> Money:
        """The line's total after discounts, rounded to the currency's minor unit.

        ``round(unit_price × quantity × (1 − discount) − discount_amount)``,
        with banker's rounding (half to even).
        """
        return self._exact_total().round()

    @property
    def discount_total(self) -> Money:
        """How much the discounts take off: ``round(subtotal) − total``."""
        return self.subtotal.round() - self.total


def price_line(
    price_book: PriceBook,
    product_code: str,
    quantity: Decimal | int | str,
    currency: str,
    *,
    unit_price: Money | None = None,
    discount: Decimal | int | str = _ZERO,
    discount_amount: Money | None = None,
    products: Mapping[str, Product] | None = None,
    description: str = "",
) -> LineItem:
    """Price a line from a price book.

    Args:
        price_book: Where the unit price comes from.
        product_code: The product sold.
        quantity: How many (greater than 0).
        currency: The deal's currency; the price book's price in it is used.
        unit_price: An overridden unit price (in ``currency``); the price
            book's price is then kept as ``list_price`` when there is one.
        discount: Fraction off, in [0, 1].
        discount_amount: A fixed sum off the line, in ``currency``.
        products: The catalogue, if you want inactive or unknown products
            refused.
        description: A note for the line.

    Returns:
        The line item.

    Raises:
        NotFound: the product is not in the price book (or not in
            ``products``), or has no price in ``currency`` and none was given.
        ValidationError: an inactive price book or product, an override in
            another currency, or a bad quantity or discount (every problem
            at once).
    """
    if products is not None:
        product = products.get(product_code)
        if product is None:
            raise NotFound(f"product {product_code!r} is not in the catalogue")
        if not product.active:
            fail("product_code", product_code, "is an inactive product")
    if not price_book.active:
        fail("price_book", price_book.id, "is not active")
    if product_code not in price_book.prices:
        raise NotFound(f"product {product_code!r} is not in price book {price_book.id!r}")
    listed = price_book.prices[product_code].get(currency)
    if unit_price is None:
        if listed is None:
            price_book.price(product_code, currency)  # raises NotFound naming what exists
        unit_price = listed
    elif not isinstance(unit_price, Money) or unit_price.currency != currency:
        fail("unit_price", unit_price, f"must be Money in {currency}")
    assert unit_price is not None
    return LineItem(
        product_code=product_code,
        quantity=quantity,  # type: ignore[arg-type]  # converted by LineItem
        unit_price=unit_price,
        discount=discount,  # type: ignore[arg-type]
        discount_amount=discount_amount,
        list_price=listed,
        price_book_id=price_book.id,
        description=description,
    )


def line_items_total(items: Iterable[LineItem], currency: str | None = None) -> Money:
    """The sum of the lines' rounded totals.

    Args:
        items: The lines.
        currency: The currency every line must be in; taken from the first
            line when not given. Needed when ``items`` is empty.

    Returns:
        The total (zero in ``currency`` when there are no lines).

    Raises:
        ValidationError: a line in another currency (every such line is
            named, as ``line_items[i]``), or no lines and no currency.
    """
    seq = tuple(items)
    if currency is None:
        if not seq:
            fail("currency", None, "is needed to total an empty list of lines")
        currency = seq[0].currency
    with Checker("line items") as c:
        for i, item in enumerate(seq):
            c.check(
                item.currency == currency,
                f"line_items[{i}]",
                item.unit_price,
                f"is in {item.currency}, not the deal's currency {currency}",
            )
    total = Money.zero(currency)
    for item in seq:
        total = total + item.total
    return total
