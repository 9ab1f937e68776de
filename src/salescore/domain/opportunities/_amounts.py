"""A deal's money checks: its lines, their currency, and the amount they make."""

from __future__ import annotations

from typing import Any

from salescore._validation import Checker, fail, is_collection
from salescore.domain.products import LineItem, line_items_total
from salescore.errors import FieldError
from salescore.money import Money

__all__ = ["check_line_currency", "check_money", "line_tuple", "lines"]


def line_tuple(items: Any) -> tuple[LineItem, ...]:
    """The lines as a tuple, each checked to be a :class:`LineItem`."""
    return lines(items, "line_items")


def lines(value: Any, path: str, region: str | None = None) -> tuple[LineItem, ...]:
    """A deal's lines (a normaliser): a tuple of :class:`LineItem`."""
    if type(value) is tuple and all(type(item) is LineItem for item in value):
        return value
    if not is_collection(value):
        fail(path, value, "must be a sequence of LineItem")
    seq = tuple(value)
    with Checker("Opportunity") as c:
        for i, item in enumerate(seq):
            c.instance(item, LineItem, f"{path}[{i}]")
    return seq


def check_money(
    amount: Money | None,
    lines: tuple[LineItem, ...],
    recurring: Money | None,
    c: Checker,
) -> None:
    """Record problems with the amount, the lines and the recurring revenue."""
    if lines:
        currency = amount.currency if amount is not None else lines[0].currency
        if check_line_currency(lines, currency, c):
            total = line_items_total(lines, currency)
            if amount is None or amount != total:
                c.errors.append(
                    FieldError(
                        "amount",
                        amount,
                        f"must equal the line items' total ({total}): "
                        "with line items the amount is derived",
                    )
                )
    if amount is not None and recurring is not None and amount.currency != recurring.currency:
        c.add(
            "recurring",
            recurring,
            f"must be in the deal's currency ({amount.currency})",
        )


def check_line_currency(lines: tuple[LineItem, ...], currency: str | None, c: Checker) -> bool:
    """Record each line not in ``currency``; whether every line is in it."""
    same = True
    for i, item in enumerate(lines):
        if item.currency != currency:
            same = False
            c.add(
                f"line_items[{i}]",
                item.unit_price,
                f"is in {item.currency}, not the deal's currency {currency}",
            )
    return same
