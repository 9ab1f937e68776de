"""Lenient parsers for cells of imported lead lists.

Every parser takes the cell's text (already stripped, never blank) and the
path to report problems under, and returns the parsed value or raises a
:class:`~salescore.errors.ValidationError` naming that path. None of them
guesses: an ambiguous value is refused, never silently read one way.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any, Final
from zoneinfo import ZoneInfo

from salescore._iso3166 import COUNTRY_CODES
from salescore._iso4217 import MINOR_UNITS as CURRENCIES
from salescore._validation import fail
from salescore.money import Money

__all__ = [
    "parse_bool",
    "parse_country",
    "parse_date",
    "parse_datetime",
    "parse_decimal",
    "parse_int",
    "parse_money",
]

#: Currency symbols that name one currency without doubt.
_SYMBOLS: Final = {"€": "EUR", "£": "GBP", "₹": "INR", "₩": "KRW", "₽": "RUB", "₺": "TRY"}
#: Symbols shared by several currencies: they need the column's currency.
_SHARED_SYMBOLS: Final = frozenset({"$", "¥", "kr", "R$", "Fr."})
_GROUP_CHARS: Final = " \u00a0\u202f'_"
_PLAIN_INT: Final = re.compile(r"[+-]?[0-9]+").fullmatch
_GROUPED: Final = re.compile(r"[+-]?[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]+)?").fullmatch
_GROUPED_DOT: Final = re.compile(r"[+-]?[0-9]{1,3}(?:\.[0-9]{3})+(?:,[0-9]+)?").fullmatch
_PLAIN_DEC: Final = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)").fullmatch
_PLAIN_DEC_COMMA: Final = re.compile(r"[+-]?[0-9]+(?:,[0-9]*)?").fullmatch


def parse_decimal(text: str, path: str, *, decimal_comma: bool = False) -> Decimal:
    """Read a number written with or without thousands separators.

    With ``decimal_comma=False`` (the default) ``,`` groups thousands and
    ``.`` is the decimal point (``"1,250,000.50"``); with ``True`` it is the
    other way round (``"1.250.000,50"``). Spaces, no-break spaces,
    apostrophes and underscores are accepted between digit groups. A comma
    that cannot be a thousands separator (``"1,5"``) is refused, not guessed.

    Args:
        text: The cell.
        path: Where to report a problem.
        decimal_comma: Whether ``,`` is the decimal separator.

    Returns:
        The exact value.

    Raises:
        ValidationError: not a number in that notation.
    """
    s = text.strip()
    for ch in _GROUP_CHARS:
        if ch in s:
            s = s.replace(ch, "")
    if decimal_comma:
        if _PLAIN_DEC_COMMA(s) or _GROUPED_DOT(s):
            s = s.replace(".", "").replace(",", ".")
        else:
            fail(path, text, "is not a number (decimal comma, '.' between thousands)")
    elif not _PLAIN_DEC(s):
        if _GROUPED(s):
            s = s.replace(",", "")
        else:
            fail(path, text, "is not a number (decimal point, ',' between thousands)")
    try:
        return Decimal(s)
    except InvalidOperation:  # pragma: no cover - the patterns above admit only numbers
        fail(path, text, "is not a number")


def parse_int(text: str, path: str) -> int:
    """Read a whole, non-negative count such as ``"1,200"`` or ``"12 000"``.

    Raises:
        ValidationError: not a whole number, or negative.
    """
    if _PLAIN_INT(text):
        value = int(text)
    else:
        number = parse_decimal(text, path)
        if number != number.to_integral_value():
            fail(path, text, "must be a whole number")
        value = int(number)
    if value < 0:
        fail(path, text, "must not be negative")
    return value


def parse_money(
    text: str, path: str, *, currency: str | None = None, decimal_comma: bool = False
) -> Money:
    """Read an amount with an optional currency symbol or ISO code.

    ``"$1,200"`` (with ``currency="USD"``), ``"€ 5,000"``, ``"5000 EUR"``,
    ``"GBP 12.5"``. A symbol that several currencies share (``$``, ``¥``)
    needs ``currency``; a symbol or code that disagrees with ``currency`` is
    refused.

    Args:
        text: The cell.
        path: Where to report a problem.
        currency: The column's currency, used when the cell names none.
        decimal_comma: Whether ``,`` is the decimal separator (see
            :func:`parse_decimal`).

    Returns:
        The amount.

    Raises:
        ValidationError: no number, no currency, or two that disagree.
    """
    s = text.strip()
    found: str | None = None
    shared = False
    upper = s.upper()
    for code in (upper[:3], upper[-3:]):
        if len(s) > 3 and code.isalpha() and code in CURRENCIES:
            found = code
            s = s[3:] if upper.startswith(code) else s[:-3]
            break
    else:
        for sym, code in _SYMBOLS.items():
            if sym in s:
                found = code
                s = s.replace(sym, "")
                break
        else:
            for sym in sorted(_SHARED_SYMBOLS, key=len, reverse=True):
                if sym in s:
                    shared = True
                    s = s.replace(sym, "")
                    break
    if found is None:
        if currency is None:
            why = "uses a symbol several currencies share" if shared else "names no currency"
            fail(path, text, f"{why}: give the column a currency")
        found = currency
    elif currency is not None and found != currency:
        fail(path, text, f"is in {found}, but the column's currency is {currency}")
    amount = parse_decimal(s, path, decimal_comma=decimal_comma)
    if amount < 0:
        fail(path, text, "must not be negative")
    return Money(amount, found)


def parse_bool(text: str, path: str) -> bool:
    """Read yes/no, true/false, y/n, 1/0 (any case).

    Raises:
        ValidationError: anything else.
    """
    low = text.strip().lower()
    if low in ("yes", "y", "true", "t", "1"):
        return True
    if low in ("no", "n", "false", "f", "0"):
        return False
    fail(path, text, "is not a yes/no value")


def parse_datetime(
    text: str, path: str, *, tz: str | None = None, dayfirst: bool = False
) -> datetime:
    """Read a date and time in any common notation, through ``python-dateutil``.

    A value without an offset is local time in ``tz``; without ``tz`` it is
    refused (reading it as UTC would be a guess). The result is in UTC.

    Args:
        text: The cell (``"2026-03-01 14:30"``, ``"1 Mar 2026 2:30pm +01:00"``).
        path: Where to report a problem.
        tz: IANA zone for values without an offset.
        dayfirst: Read ``01/02/2026`` as 1 February.

    Returns:
        The aware instant, in UTC.

    Raises:
        ValidationError: unreadable, or without offset and without ``tz``.
    """
    from dateutil import parser as dparser

    try:
        value = dparser.parse(text, dayfirst=dayfirst)
    except (ValueError, OverflowError) as exc:
        fail(path, text, f"is not a date and time ({exc})")
    if value.tzinfo is None or value.utcoffset() is None:
        if tz is None:
            fail(path, text, "has no UTC offset and no time zone was given to read it in")
        value = value.replace(tzinfo=_zone(tz))
    return value.astimezone(UTC)


def parse_date(text: str, path: str, *, dayfirst: bool = False) -> date:
    """Read a calendar date in any common notation, through ``python-dateutil``.

    Raises:
        ValidationError: unreadable, or it carries a time of day.
    """
    from dateutil import parser as dparser

    try:
        value = dparser.parse(text, dayfirst=dayfirst)
    except (ValueError, OverflowError) as exc:
        fail(path, text, f"is not a date ({exc})")
    if value.time() != datetime.min.time() or value.tzinfo is not None:
        fail(path, text, "is a date and time, not a date")
    return value.date()


@lru_cache(maxsize=64)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


#: The codes ISO 3166 reserves for a country that also goes by them ("UK", "EL").
_RESERVED: Final = {"UK": "GB", "EL": "GR"}


@lru_cache(maxsize=1024)
def _country_code(key: str) -> str | None:
    if key in COUNTRY_CODES:
        return key
    if key in _RESERVED:
        return _RESERVED[key]
    try:
        import pycountry
    except ImportError:
        raise ImportError(
            "reading country names needs the optional 'pycountry' package: "
            "pip install 'salescore[outreach]'"
        ) from None
    for candidate in (key, key.replace(".", "")):
        try:
            found: Any = pycountry.countries.lookup(candidate)
        except LookupError:
            continue
        code = str(found.alpha_2)
        return code if code in COUNTRY_CODES else None
    return None


def parse_country(text: str, path: str) -> str:
    """Read a country as an ISO 3166-1 alpha-2 code.

    Accepts alpha-2 and alpha-3 codes, numeric codes and the names ISO 3166
    gives (short, official and common: ``"Germany"``, ``"United States"``,
    ``"Bolivia"``), in any case, through the maintained ``pycountry`` tables,
    plus ``"UK"`` and ``"EL"``, which ISO 3166 reserves for the United
    Kingdom and Greece. Dots are ignored (``"U.S.A."``). Nothing is matched
    approximately: an unknown name is refused.

    Raises:
        ValidationError: no country has that code or name.
        ImportError: a name was given and ``pycountry`` is not installed.
    """
    key = text.strip().upper()
    code = _country_code(key)
    if code is None:
        fail(path, text, "is not a country code or name known to ISO 3166")
    return code
