"""Field normalisers shared by leads, contacts and accounts.

A normaliser takes ``(value, path, region)`` and returns the value's normal
form or raises a :class:`~salescore.errors.ValidationError` naming ``path``;
``region`` is the default phone region (used by phone normalisers only).
Every normaliser returns its argument itself when it is already normal, so
checking a valid object costs little. :func:`normalise` runs a table of them,
collecting every problem before raising.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime
from decimal import Decimal
from math import isfinite
from typing import Any, Final, TypeVar

from salescore._validation import (
    Checker,
    ensure_aware,
    fail,
    is_aware,
    line_ok,
    text_problem,
    to_member,
)
from salescore.domain._normalize import _country, _domain, _email, _phone, _time_zone
from salescore.domain.custom_fields import CustomFieldSchema, _check_custom
from salescore.errors import FieldError, ValidationError
from salescore.frozen import FrozenDict
from salescore.money import Money

Normaliser = Callable[[Any, str, "str | None"], Any]
T = TypeVar("T")


def opt_text(value: Any, path: str, region: str | None = None) -> str | None:
    """Optional one-line text: stripped; blank becomes ``None``; control characters refused."""
    if value is None:
        return None
    if type(value) is str:
        stripped = value.strip()
        if stripped is value and line_ok(value):
            return value
        if not stripped:
            return None
        problem = text_problem(stripped)
        if problem is not None:
            fail(path, value, problem)
        return stripped
    fail(path, value, "must be a string or None")


def req_text(value: Any, path: str, region: str | None = None) -> str:
    """Required text: stripped, not blank."""
    result = opt_text(value, path)
    if result is None:
        fail(path, value, "is required and must not be blank")
    return result


def opt_id(value: Any, path: str, region: str | None = None) -> str | None:
    """An optional id: a non-blank string without surrounding spaces."""
    if value is None or (type(value) is str and line_ok(value) and value.strip() is value):
        return value
    fail(
        path,
        value,
        "must be an id (one line of text without surrounding spaces or control characters) or None",
    )


def opt_date(value: Any, path: str, region: str | None = None) -> date | None:
    """An optional calendar date (not a datetime)."""
    if value is None or type(value) is date:
        return value
    fail(path, value, "must be a date (not a datetime) or None")


def aware(value: Any, path: str, region: str | None = None) -> datetime:
    """A timezone-aware datetime."""
    if type(value) is datetime and is_aware(value):
        return value
    return ensure_aware(value, path)


def opt_aware(value: Any, path: str, region: str | None = None) -> datetime | None:
    """An optional timezone-aware datetime."""
    if value is None or (type(value) is datetime and is_aware(value)):
        return value
    return ensure_aware(value, path)


def member(
    cls: type[enum.Enum], what: str | None = None, *, message: str | None = None
) -> Normaliser:
    """A normaliser for members of the enum ``cls`` (a member or its value).

    Args:
        cls: The enum.
        what: How the error message names the kind (``"a task priority"``);
            by default it lists the allowed values.
        message: The whole error message instead (``"is not a lead status"``).
    """

    def normalise(value: Any, path: str, region: str | None = None) -> Any:
        if type(value) is cls:
            return value
        if message is None:
            return to_member(cls, value, path, what)
        try:
            return cls(value)
        except ValueError:
            fail(path, value, message)

    normalise.__name__ = f"member_of_{cls.__name__}"
    return normalise


def instance(cls: type, *, optional: bool = False) -> Normaliser:
    """A normaliser accepting instances of ``cls`` as they are (and ``None`` if optional)."""
    message = f"must be a {cls.__name__}" + (" or None" if optional else "")

    def normalise(value: Any, path: str, region: str | None = None) -> Any:
        if isinstance(value, cls) or (optional and value is None):
            return value
        fail(path, value, message)

    normalise.__name__ = f"instance_of_{cls.__name__}"
    return normalise


def checked(check: Callable[[Checker, Any, str], None]) -> Normaliser:
    """A normaliser from a :class:`~salescore._validation.Checker` call that only checks.

    Example: ``checked(lambda c, v, p: c.text(v, p, empty=True))``.
    """

    def normalise(value: Any, path: str, region: str | None = None) -> Any:
        c = Checker()
        check(c, value, path)
        c.raise_if_any()
        return value

    return normalise


def text_field(*, optional: bool = False, empty: bool = False) -> Normaliser:
    """Text as :meth:`~salescore._validation.Checker.text` checks it, kept as given.

    Valid one-line text takes a fast path; anything else gets the checker's
    message.

    Args:
        optional: ``None`` is allowed.
        empty: The empty string is allowed.
    """
    check = checked(lambda c, v, p: c.text(v, p, optional=optional, empty=empty))

    def normalise(value: Any, path: str, region: str | None = None) -> Any:
        if type(value) is str and (line_ok(value) or (empty and not value)):
            return value
        if value is None and optional:
            return None
        return check(value, path, region)

    return normalise


checked_text: Final = text_field()
"""Required text (not blank), kept as given."""

checked_opt_text: Final = text_field(optional=True)
"""Optional text (not blank when given), kept as given."""


def _blank_is_none(normal: Normaliser, name: str, doc: str) -> Normaliser:
    """``normal`` made optional: ``None`` and blank text become ``None``."""

    def normalise(value: Any, path: str, region: str | None = None) -> Any:
        if value is None or (type(value) is str and not value.strip()):
            return None
        return normal(value, path, region)

    normalise.__name__ = normalise.__qualname__ = name
    normalise.__doc__ = doc
    return normalise


opt_email: Final = _blank_is_none(_email, "opt_email", "An optional email address, normalised.")
opt_phone: Final = _blank_is_none(_phone, "opt_phone", "An optional phone number, in E.164.")
opt_domain: Final = _blank_is_none(_domain, "opt_domain", "An optional web domain, normalised.")
opt_country: Final = _blank_is_none(
    _country, "opt_country", "An optional ISO 3166-1 alpha-2 code, upper-case."
)
opt_time_zone: Final = _blank_is_none(
    _time_zone, "opt_time_zone", "An optional IANA time-zone name."
)


def opt_count(value: Any, path: str, region: str | None = None) -> int | None:
    """An optional non-negative integer."""
    if value is None or (type(value) is int and value >= 0):
        return value
    fail(path, value, "must be a non-negative integer or None")


def opt_amount(value: Any, path: str, region: str | None = None) -> Money | None:
    """An optional non-negative :class:`Money`."""
    if value is None or (type(value) is Money and value.amount >= 0):
        return value
    fail(path, value, "must be a non-negative Money amount or None")


def score(value: Any, path: str, region: str | None = None) -> float:
    """A finite score, stored as a float."""
    if type(value) is float and isfinite(value):
        return value
    if isinstance(value, int | Decimal) and not isinstance(value, bool):
        try:
            as_float = float(value)
        except OverflowError:
            fail(path, value, "must be a finite number within the range of a float")
        if isfinite(as_float):
            return as_float
    fail(path, value, "must be a finite number")


def tags(value: Any, path: str, region: str | None = None) -> frozenset[str]:
    """A set of tags: stripped, non-blank strings; stored as a frozenset."""
    if type(value) is frozenset and all(
        type(t) is str and line_ok(t) and t.strip() is t for t in value
    ):
        return value
    if isinstance(value, str) or not isinstance(value, Iterable):
        fail(path, value, "must be a collection of tag strings")
    result = set()
    for tag in value:
        if type(tag) is not str or not line_ok(tag.strip()):
            fail(path, tag, "tags must be non-blank one-line strings")
        result.add(tag.strip())
    return frozenset(result)


def custom(value: Any, path: str, region: str | None = None) -> Mapping[str, Any]:
    """Custom field values without a schema: snake-case names, serialisable values."""
    if isinstance(value, dict) and not value:
        return value
    checker = Checker()
    result = _check_custom(value, checker, path)
    checker.raise_if_any()
    if isinstance(value, dict) and result == value:
        return value
    return result


def normalise(
    specs: Mapping[str, Normaliser],
    values: Mapping[str, Any],
    *,
    subject: str,
    region: str | None = None,
    schema: CustomFieldSchema | None = None,
    checker: Checker | None = None,
) -> dict[str, Any]:
    """Normalise ``values`` with ``specs``, raising once with every problem.

    Args:
        specs: Field name → normaliser; names not in it are refused.
        values: The values given.
        subject: The class name, for the error message.
        region: The default phone region.
        schema: Custom field schema the ``custom`` value is validated against.
        checker: An existing checker to add problems to (then nothing is
            raised here; the caller raises).

    Returns:
        The normal values.

    Raises:
        ValidationError: listing every bad or unknown field.
    """
    c = checker if checker is not None else Checker(subject)
    result: dict[str, Any] = {}
    for name, value in values.items():
        fn = specs.get(name)
        if fn is None:
            c.add(name, value, f"is not a field that can be set on a {subject}")
            continue
        if name == "custom" and schema is not None:
            result[name] = schema.check(value, c, "custom")
            continue
        try:
            result[name] = fn(value, name, region)
        except ValidationError as exc:
            c.errors.extend(exc.errors)
    if checker is None:
        c.raise_if_any()
    return result


def normalise_self(obj: Any, specs: Mapping[str, Normaliser], region: str | None) -> None:
    """Normalise an attrs object's fields in place (for ``__attrs_post_init__``).

    Raises:
        ValidationError: listing every bad field.
    """
    errors: list[FieldError] | None = None
    for name, fn in specs.items():
        value = getattr(obj, name)
        try:
            new = fn(value, name, region)
        except ValidationError as exc:
            if errors is None:
                errors = []
            errors.extend(exc.errors)
            continue
        if new is not value:
            object.__setattr__(obj, name, new)
    if errors:
        raise ValidationError(errors, type(obj).__name__)


def _distinct(
    normal: Normaliser,
    name: str,
    doc: str,
    what: str,
    repeats: str,
    fold: Callable[[str], str] | None,
) -> Normaliser:
    """A normaliser of a tuple of distinct values, each normalised by ``normal``.

    Two values are the same when ``fold`` (if any) makes them equal; ``what`` names
    the sequence and ``repeats`` is the message for a value given twice.
    """
    problem = f"must be a sequence of {what}"

    def normalise(value: Any, path: str, region: str | None = None) -> tuple[str, ...]:
        if type(value) is tuple:
            normal_items = True
            for item in value:
                if type(item) is not str or normal(item, path, region) is not item:
                    normal_items = False
                    break
            if normal_items and len(set(value if fold is None else map(fold, value))) == len(value):
                return value
        if isinstance(value, str) or not isinstance(value, Iterable):
            fail(path, value, problem)
        c = Checker()
        result: list[str] = []
        seen: set[str] = set()
        for i, item in enumerate(value):
            try:
                one = normal(item, f"{path}[{i}]", region)
            except ValidationError as exc:
                c.errors.extend(exc.errors)
                continue
            key = one if fold is None else fold(one)
            if key in seen:
                c.add(f"{path}[{i}]", item, repeats)
                continue
            seen.add(key)
            result.append(one)
        c.raise_if_any()
        return tuple(result)

    normalise.__name__ = normalise.__qualname__ = name
    normalise.__doc__ = doc
    return normalise


emails: Final = _distinct(
    _email,
    "emails",
    "A tuple of distinct email addresses, each normalised; the first is primary.",
    "email addresses",
    "repeats an address already given",
    str.lower,
)
phones: Final = _distinct(
    _phone,
    "phones",
    "A tuple of distinct phone numbers in E.164; the first is primary.",
    "phone numbers",
    "repeats a number already given",
    None,
)


def edit(
    obj: Any,
    specs: Mapping[str, Normaliser],
    fields: Mapping[str, Any],
    *,
    at: Any,
    actor: str,
    reason: str | None,
    region: str | None,
    schema: CustomFieldSchema | None,
    refused: Mapping[str, str],
) -> Any:
    """Validate an edit of ``obj`` and record it as one ``FieldsChanged``.

    Args:
        obj: The aggregate.
        specs: The editable fields' normalisers.
        fields: Field name → new value.
        at: When.
        actor: Who.
        reason: Why, if given.
        region: Default phone region.
        schema: Custom field schema for ``custom``.
        refused: Field name → why it cannot be edited this way.

    Returns:
        The new aggregate (``obj`` itself when nothing changes).

    Raises:
        ValidationError: every bad, unknown or refused field at once.
    """
    subject = type(obj).__name__
    c = Checker(subject)
    allowed: dict[str, Any] = {}
    for name, value in fields.items():
        why = refused.get(name)
        if why is not None:
            c.add(name, value, why)
        elif name not in specs:
            c.add(name, value, f"is not a field of {subject}")
        else:
            allowed[name] = value
    changes = normalise(specs, allowed, subject=subject, region=region, schema=schema, checker=c)
    c.raise_if_any()
    return obj._edit(changes, at=at, actor=actor, reason=reason)


# --------------------------------------------------------------------------- building


def frozen(items: dict[str, Any]) -> FrozenDict:
    """``FrozenDict(items)`` for values that are already frozen (scalars, FrozenDicts)."""
    out = dict.__new__(FrozenDict)
    dict.update(out, items)
    out._hash = None
    return out
