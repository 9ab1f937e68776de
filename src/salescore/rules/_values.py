"""Value semantics shared by the interpreter and the compiled code.

Everything here works on plain Python values and returns ``True``, ``False`` or
``None`` (unknown); :class:`~salescore.rules.Truth` is only made at the edge.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any, Final, NoReturn

from salescore._validation import ensure_aware, fail, plain
from salescore.money import Money

__all__ = [
    "MISSING",
    "OPS",
    "apply_function",
    "between",
    "check_at",
    "compare",
    "count_records",
    "is_in",
    "match_text",
    "need_at",
    "resolve",
    "resolve_first",
    "resolve_rest",
    "shift",
    "value_kind",
]


class _Missing:
    """The marker for a field that is not there at all (as opposed to ``None``)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "MISSING"


MISSING: Final = _Missing()

OPS: Final[Mapping[str, Callable[[Any, Any], Any]]] = {
    "==": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}


def check_at(at: Any) -> None:
    """Raise unless ``at`` is an aware datetime (``None`` passes)."""
    if at is not None:
        ensure_aware(at, "at")


def need_at() -> NoReturn:
    """Refuse to evaluate a rule that uses ``now`` or ``within`` without ``at``."""
    fail("at", None, "this rule uses now or within, so evaluating it needs at=")


def shift(at: datetime, offset: timedelta) -> datetime:
    """Return ``at + offset``.

    Raises:
        ValidationError: The result is outside the range of datetimes.
    """
    try:
        return at + offset
    except OverflowError:
        fail("at", at, f"shifted by {offset} it falls outside the range of datetimes")


def _step(obj: Any, name: str) -> Any:
    if isinstance(obj, Mapping):
        return obj.get(name, MISSING)
    return getattr(obj, name, MISSING)


def resolve_first(subject: Any, name: str, context: Any) -> Any:
    """Resolve the first segment of a path: the subject, then the context.

    Returns:
        The value, or :data:`MISSING`.
    """
    value = _step(subject, name)
    if value is MISSING and context is not None and isinstance(context, Mapping):
        value = context.get(name, MISSING)
    return value


def resolve_rest(value: Any, rest: tuple[str, ...]) -> Any:
    """Walk the remaining segments of a path from ``value``.

    Returns:
        The value, ``None`` (a null on the way) or :data:`MISSING`.
    """
    for name in rest:
        if value is None or value is MISSING:
            return value
        value = _step(value, name)
    return value


def resolve(subject: Any, segments: tuple[str, ...], context: Any) -> Any:
    """Resolve a dotted path against a subject, falling back to the context.

    The first segment is looked up on the subject (attribute, or key of a
    mapping); when the subject has no such field and ``context`` is a mapping
    holding that key, the context's value is used. Further segments walk
    attributes or mapping keys.

    Returns:
        The value, ``None`` or :data:`MISSING`.
    """
    return resolve_rest(resolve_first(subject, segments[0], context), segments[1:])


def kind_by_type(value: Any, kinds: Mapping[type, str], default: str) -> str:
    """The kind ``kinds`` gives the nearest class of ``value``, else ``default``.

    The nearest class first: a bool is a bool before it is an int, a datetime
    a datetime before it is a date.
    """
    for cls in type(value).__mro__:
        kind = kinds.get(cls)
        if kind is not None:
            return kind
    return default


_COMPARED: Final[Mapping[type, str]] = {
    bool: "flag",
    int: "number",
    float: "number",
    Decimal: "number",
    str: "text",
    datetime: "datetime",
    date: "date",
    timedelta: "duration",
    Money: "money",
}


def value_kind(value: Any) -> str:
    """Classify a (non-null, enum-free) value for comparison purposes.

    Returns:
        One of ``"flag"``, ``"number"``, ``"text"``, ``"datetime"``, ``"date"``,
        ``"duration"``, ``"money"`` or ``"other"``.
    """
    return kind_by_type(value, _COMPARED, "other")


def compare(op: str, a: Any, b: Any) -> bool | None:
    """Compare two values with three-valued semantics.

    * ``None`` or :data:`MISSING` on either side: ``None`` (unknown).
    * Enum members compare by their ``.value``.
    * Numbers (int, float, Decimal; not bool) compare numerically; a float
      against a Decimal compares as floats.
    * :class:`~salescore.money.Money` against a number compares its amount
      (the currency is not looked at); Money against Money of the same
      currency compares amounts, of another currency is "not equal".
    * Values of different kinds, or that cannot be ordered (a naive against an
      aware datetime): ``==`` is False, ``!=`` is True, orderings are False.

    Args:
        op: One of ``== != < <= > >=``.
        a: The left value.
        b: The right value.

    Returns:
        ``True``, ``False`` or ``None``.
    """
    if a is None or b is None or a is MISSING or b is MISSING:
        return None
    a = plain(a)
    b = plain(b)
    if a is None or b is None:
        return None
    ka = value_kind(a)
    kb = value_kind(b)
    if ka == "money" or kb == "money":
        if ka == "money" and kb == "money":
            if a.currency != b.currency:
                return op == "!="
            a, b = a.amount, b.amount
        elif ka == "money" and kb == "number":
            a = a.amount
        elif kb == "money" and ka == "number":
            b = b.amount
        else:
            return op == "!="
        ka = kb = "number"
    if ka != kb:
        return op == "!="
    if ka == "number":
        if isinstance(a, float) and isinstance(b, Decimal):
            b = float(b)
        elif isinstance(b, float) and isinstance(a, Decimal):
            a = float(a)
    try:
        return bool(OPS[op](a, b))
    except (TypeError, ValueError, ArithmeticError):
        return op == "!="


def between(value: Any, low: Any, high: Any) -> bool | None:
    """``value >= low and value <= high`` with :func:`compare`, joined by Kleene's ``and``."""
    lo = compare(">=", value, low)
    hi = compare("<=", value, high)
    if lo is False or hi is False:
        return False
    if lo is None or hi is None:
        return None
    return True


def is_in(value: Any, items: Iterable[Any]) -> bool | None:
    """``value in items`` with the equality of :func:`compare`.

    Returns:
        ``None`` when ``value`` is null or missing, else whether any item equals it.
    """
    if value is None or value is MISSING:
        return None
    return any(compare("==", value, item) is True for item in items)


def count_records(
    records: Any,
    where: Callable[[Any, Any, Any], bool | None] | None,
    within: timedelta | None,
    at: datetime | None,
    context: Any,
) -> int | None:
    """Count the related records that satisfy ``where`` inside the window.

    A record counts when ``where`` is TRUE for it (UNKNOWN does not count) and,
    with ``within``, when its ``at`` lies in ``[at - within, at]``.

    Returns:
        The count, or ``None`` when ``records`` is null, missing or not a
        collection of records.
    """
    if records is None or records is MISSING:
        return None
    if isinstance(records, str | bytes | Mapping) or not isinstance(records, Iterable):
        return None
    start = end = None
    if within is not None and at is not None:
        start, end = shift(at, -within), at
    n = 0
    for record in records:
        if start is not None:
            when = plain(_step(record, "at"))
            if not isinstance(when, datetime):
                continue
            try:
                if not start <= when <= end:  # type: ignore[operator]
                    continue
            except TypeError:
                continue
        if where is None or where(record, at, context) is True:
            n += 1
    return n


def apply_function(name: str, value: Any) -> Any:
    """``lower(value)`` or ``upper(value)``: a text changed, anything else null.

    Returns:
        The text in lower or upper case, or ``None`` (null, missing, not text).
    """
    value = plain(value)
    if not isinstance(value, str):
        return None
    return value.lower() if name == "lower" else value.upper()


def match_text(op: str, text: Any, pattern: Any) -> bool | None:
    """``text contains / starts_with / ends_with pattern`` with three-valued semantics.

    Returns:
        ``None`` when either side is null or missing, ``False`` when either is
        not text, else the test's answer.
    """
    if text is None or pattern is None or text is MISSING or pattern is MISSING:
        return None
    text = plain(text)
    pattern = plain(pattern)
    if not isinstance(text, str) or not isinstance(pattern, str):
        return None if text is None or pattern is None else False
    if op == "contains":
        return pattern in text
    if op == "starts_with":
        return text.startswith(pattern)
    return text.endswith(pattern)
