"""Private helpers that collect every validation problem before raising."""

from __future__ import annotations

import enum
import math
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any, NoReturn, TypeGuard, TypeVar, cast

from salescore.errors import FieldError, ValidationError

__all__ = [
    "MULTILINE_NAMES",
    "Checker",
    "ensure_aware",
    "fail",
    "line_ok",
    "text_problem",
    "to_member",
]

_C0 = "\\x00-\\x1f\\x7f\\ud800-\\udfff"
_C0_BUT_LINES = "\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\x7f\\ud800-\\udfff"

_line = re.compile(f"[^{_C0}]*[^{_C0}\\s][^{_C0}]*").fullmatch


def line_ok(value: str) -> bool:
    """Whether a string is good one-line text: not blank, no control character, no lone surrogate.

    A printable string (the common case, checked in C) holds no control
    character, surrogate or whitespace other than the space, so it is good
    unless it is empty or all spaces; anything else takes the full pattern.
    """
    if value.isprintable():
        return value != "" and not value.isspace()
    return _line(value) is not None


_bad_line = re.compile(f"[{_C0}]").search
_bad_text = re.compile(f"[{_C0_BUT_LINES}]").search

MULTILINE_NAMES = frozenset(
    {"description", "body", "notes", "note", "comment", "reason", "question", "summary", "text"}
)
"""Field names whose text may span lines (newline and tab allowed)."""


def text_problem(value: str, *, multiline: bool = False, empty: bool = False) -> str | None:
    """What is wrong with ``value`` as text, or ``None``.

    One-line text (names, ids, actors, stage keys) refuses blanks, C0 control
    characters (and DEL) and lone surrogates; multi-line text (descriptions,
    notes) allows newline, carriage return and tab.
    """
    bad = (_bad_text if multiline else _bad_line)(value)
    if bad is not None:
        return f"must not contain the control character {bad.group()!r}"
    if not empty and not value.strip():
        return "must not be blank"
    return None


E = TypeVar("E", bound=enum.Enum)


def fail(path: str, value: Any, message: str) -> NoReturn:
    """Raise a :class:`ValidationError` with one problem."""
    raise ValidationError.single(path, value, message)


def is_collection(value: Any) -> bool:
    """Whether ``value`` can be read as a collection of items: iterable, and not text."""
    return isinstance(value, Iterable) and not isinstance(value, str | bytes)


def check_collection(value: Any, path: str, what: str) -> None:
    """Refuse ``value`` unless it is a collection (not a string) of ``what``.

    Checks the kind only: an iterator passed in is not consumed.

    Raises:
        ValidationError: ``value`` is ``None``, a number, a string … (names ``path``).
    """
    if not is_collection(value):
        fail(path, value, f"must be a collection of {what}")


def check_mapping(value: Any, path: str, what: str, *, optional: bool = False) -> None:
    """Refuse ``value`` unless it is a mapping of ``what`` (or ``None`` with ``optional``).

    Raises:
        ValidationError: ``value`` is no mapping (names ``path``).
    """
    if type(value) is dict or (optional and value is None) or isinstance(value, Mapping):
        return
    fail(path, value, f"must be a mapping of {what}")


def is_aware(value: Any) -> TypeGuard[datetime]:
    """Whether ``value`` is a datetime with a usable UTC offset.

    A naive datetime, and one whose ``tzinfo`` gives an offset outside
    ±24 hours (which Python refuses with ``ValueError``), are not.
    """
    try:
        return isinstance(value, datetime) and value.utcoffset() is not None
    except ValueError:
        return False


def ensure_aware(value: Any, path: str = "at") -> datetime:
    """Return ``value`` if it is a timezone-aware datetime, else raise.

    Args:
        value: The value to check.
        path: The field's name, used in the error.

    Returns:
        The same datetime.

    Raises:
        ValidationError: ``value`` is not a datetime or is naive.
    """
    if not isinstance(value, datetime):
        fail(path, value, "must be a timezone-aware datetime")
    try:
        offset = value.utcoffset()
    except ValueError as exc:  # a tzinfo whose offset is not strictly within ±24 hours
        fail(path, value, f"has an unusable time zone ({exc})")
    if offset is None:
        fail(path, value, "must be timezone-aware (naive datetimes are refused)")
    return value


def member_named(cls: type[E], value: Any) -> E | None:
    """Return the member of enum ``cls`` that ``value`` is, or names by a str or int value.

    Args:
        cls: The enum.
        value: Anything.

    Returns:
        The member, or ``None`` when ``value`` is neither a member nor the
        exact ``str``/``int`` value of one.
    """
    if type(value) is cls:
        return value
    if type(value) in (str, int):
        found = cls._value2member_map_.get(value)  # what cls(value) looks up first
        if found is not None:
            return cast("E", found)
        try:
            return cls(value)
        except ValueError:
            pass
    return None


def to_member(cls: type[E], value: Any, path: str, what: str | None = None) -> E:
    """Return the member of enum ``cls`` that ``value`` is or names, else raise.

    Args:
        cls: The enum.
        value: A member or a member's value.
        path: The field's name, used in the error.
        what: The kind of value in words (``"a campaign type"``); the error
            then reads "must be a campaign type (…)" instead of "must be one of …".

    Returns:
        The member.

    Raises:
        ValidationError: ``value`` is not a member's value; the message lists
            the allowed values.
    """
    if type(value) is cls:
        return value
    try:
        return cls(value)
    except ValueError:
        allowed = ", ".join(str(m.value) for m in cls)
        fail(path, value, f"must be {what} ({allowed})" if what else f"must be one of {allowed}")


class Checker:
    """Collects problems and raises them together.

    Use ``with Checker("Lead") as c: c.check(cond, path, value, msg)``; leaving
    the block raises one :class:`ValidationError` listing every problem.
    """

    __slots__ = ("errors", "subject")

    def __init__(self, subject: str = "") -> None:
        self.subject = subject
        self.errors: list[FieldError] = []

    def __enter__(self) -> Checker:
        return self

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        if exc_type is None:
            self.raise_if_any()

    def add(self, path: str, value: Any, message: str) -> None:
        """Record a problem."""
        self.errors.append(FieldError(path, value, message))

    def check(self, ok: bool, path: str, value: Any, message: str) -> bool:
        """Record a problem unless ``ok``; return ``ok``."""
        if not ok:
            self.errors.append(FieldError(path, value, message))
        return ok

    def aware(self, value: Any, path: str, *, optional: bool = False) -> None:
        """Check that ``value`` is an aware datetime (or ``None`` if optional)."""
        if value is None and optional:
            return
        try:
            ensure_aware(value, path)
        except ValidationError as exc:
            self.errors.extend(exc.errors)

    def text(
        self,
        value: Any,
        path: str,
        *,
        optional: bool = False,
        empty: bool = False,
        multiline: bool | None = None,
    ) -> None:
        """Check that ``value`` is text (non-blank unless ``empty``).

        ``multiline`` (by default: whether the field's name is one of
        :data:`MULTILINE_NAMES`) allows newline and tab; control characters
        and lone surrogates are refused either way.
        """
        if value is None and optional:
            return
        if not isinstance(value, str):
            self.add(path, value, "must be a string")
            return
        if not empty and line_ok(value):
            return
        if multiline is None:
            multiline = path.rsplit(".", 1)[-1] in MULTILINE_NAMES
        problem = text_problem(value, multiline=multiline, empty=empty)
        if problem is not None:
            self.add(path, value, problem)

    def number(
        self,
        value: Any,
        path: str,
        *,
        optional: bool = False,
        minimum: float | None = None,
        maximum: float | None = None,
        integer: bool = False,
    ) -> None:
        """Check a finite number, optionally an int, within ``[minimum, maximum]``."""
        if value is None and optional:
            return
        kinds: tuple[type, ...] = (int,) if integer else (int, float, Decimal)
        if isinstance(value, bool) or not isinstance(value, kinds):
            self.add(path, value, "must be an integer" if integer else "must be a number")
            return
        if isinstance(value, float | Decimal) and not _finite(value):
            self.add(path, value, "must be finite")
            return
        num: Any = value
        if minimum is not None and num < minimum:
            self.add(path, value, f"must be at least {minimum}")
        if maximum is not None and num > maximum:
            self.add(path, value, f"must be at most {maximum}")

    def probability(self, value: Any, path: str, *, optional: bool = False) -> None:
        """Check a probability: a number in [0, 1]."""
        self.number(value, path, optional=optional, minimum=0, maximum=1)

    def instance(
        self, value: Any, kind: type | tuple[type, ...], path: str, *, optional: bool = False
    ) -> bool:
        """Check ``isinstance(value, kind)``; return whether it held."""
        if value is None and optional:
            return True
        names = kind.__name__ if isinstance(kind, type) else " or ".join(k.__name__ for k in kind)
        return self.check(isinstance(value, kind), path, value, f"must be a {names}")

    def distinct_texts(self, values: Any, path: str, repeated: str) -> bool:
        """Check a tuple of non-blank texts that holds no value twice.

        Args:
            values: The tuple.
            path: Its path; an item's is ``path[i]``.
            repeated: The message for a repeated value (``"must not repeat a field"``).

        Returns:
            Whether ``values`` is a tuple (and its items were checked).
        """
        if not self.instance(values, tuple, path):
            return False
        for i, value in enumerate(values):
            self.text(value, f"{path}[{i}]")
        self.check(len(set(values)) == len(values), path, values, repeated)
        return True

    def member(self, cls: type[E], value: Any, path: str, default: Any = None) -> Any:
        """Return :func:`to_member` of ``value``, or record the problem and return ``default``."""
        try:
            return to_member(cls, value, path)
        except ValidationError as exc:
            self.errors.extend(exc.errors)
            return default

    def duration(self, value: Any, path: str, *, optional: bool = False) -> None:
        """Check a non-negative :class:`~datetime.timedelta`."""
        if value is None and optional:
            return
        if not isinstance(value, timedelta):
            self.add(path, value, "must be a timedelta")
        elif value < timedelta(0):
            self.add(path, value, "must not be negative")

    def date(self, value: Any, path: str, *, optional: bool = False) -> None:
        """Check a calendar date (not a datetime)."""
        if value is None and optional:
            return
        if isinstance(value, datetime) or not isinstance(value, date):
            self.add(path, value, "must be a date")

    @contextmanager
    def nested(self, prefix: str) -> Iterator[None]:
        """Run checks whose :class:`ValidationError` is folded in under ``prefix``."""
        try:
            yield
        except ValidationError as exc:
            self.errors.extend(e.prefixed(prefix) for e in exc.errors)

    def call(self, prefix: str, fn: Callable[[], Any]) -> Any:
        """Call ``fn``; fold a :class:`ValidationError` it raises in under ``prefix``."""
        try:
            return fn()
        except ValidationError as exc:
            self.errors.extend(e.prefixed(prefix) for e in exc.errors)
            return None

    def raise_if_any(self) -> None:
        """Raise one :class:`ValidationError` with every recorded problem, if any."""
        if self.errors:
            raise ValidationError(self.errors, self.subject)

    def keyed(
        self,
        values: Any,
        kind: type,
        path: str,
        *,
        key: str = "key",
        repeated: str = "is used twice",
    ) -> bool:
        """Check a tuple of ``kind`` items in which no two share a ``key``.

        Each item that is not a ``kind`` is recorded at ``path[i]``; a key
        already held by an earlier item at ``path[i].key`` (with ``key`` as
        the attribute's name) with ``repeated`` as the message.

        Args:
            values: The tuple.
            kind: The type every item must have.
            path: The tuple's path.
            key: The attribute that must be unique (``"name"``).
            repeated: The message for a repeated key.

        Returns:
            Whether ``values`` is a tuple (and its items were checked).
        """
        if not self.instance(values, tuple, path):
            return False
        seen: set[Any] = set()
        for i, item in enumerate(values):
            if self.instance(item, kind, f"{path}[{i}]"):
                value = getattr(item, key)
                self.check(value not in seen, f"{path}[{i}].{key}", value, repeated)
                seen.add(value)
        return True


def _finite(value: float | Decimal) -> bool:
    if isinstance(value, Decimal):
        return value.is_finite()
    return math.isfinite(value)


def as_tuple(value: Any) -> Any:
    """Turn a list into a tuple (an attrs converter); leave anything else to the checks."""
    if isinstance(value, list):
        return tuple(value)
    return value


def as_float(value: Any) -> Any:
    """Turn an int (not a bool) into a float (an attrs converter); leave anything else."""
    if isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    return value


def plain(value: Any) -> Any:
    """The value of an enum member; anything else as it is."""
    if isinstance(value, enum.Enum):
        return value.value
    return value


def label_of(key: str) -> str:
    """The default label of a snake-case key: ``"closed_won"`` → ``"Closed won"``."""
    return key.replace("_", " ").capitalize()
