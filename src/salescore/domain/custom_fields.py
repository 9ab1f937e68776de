"""Typed custom fields: a schema that accounts, contacts and leads validate against.

Every item that has custom fields keeps them in one mapping, ``custom``,
and errors name them ``custom.<name>``. A :class:`CustomFieldSchema` says which
names exist and what each holds; giving one to ``new(..., schema=...)`` or
``update(..., schema=...)`` validates the values. Schemas are plain data and
serialise like everything else.

Value types (:class:`FieldType`):

============  =====================================================
text          ``str``
number        ``int``, ``float`` or ``Decimal`` (not ``bool``)
money         :class:`~salescore.money.Money` (in ``currency`` if set)
date          :class:`datetime.date` (not a datetime)
datetime      timezone-aware :class:`datetime.datetime`
choice        one ``str`` of ``choices``
multi_choice  a set of ``choices``, stored as a ``frozenset``
flag          ``bool``
============  =====================================================
"""

from __future__ import annotations

import enum
import math
import re
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Final

import attrs

from salescore._validation import Checker, is_aware, label_of, line_ok, text_problem
from salescore.errors import NotFound
from salescore.money import KNOWN_CURRENCIES, Money
from salescore.serialization import register_type

__all__ = ["CustomField", "CustomFieldSchema", "FieldType"]

_NAME: Final = re.compile(r"[a-z][a-z0-9_]*")


class FieldType(enum.StrEnum):
    """The type of a custom field's values."""

    TEXT = "text"
    NUMBER = "number"
    MONEY = "money"
    DATE = "date"
    DATETIME = "datetime"
    CHOICE = "choice"
    MULTI_CHOICE = "multi_choice"
    FLAG = "flag"


@register_type
@attrs.frozen(kw_only=True)
class CustomField:
    """The definition of one custom field.

    Attributes:
        name: Snake-case name, the key in ``custom`` (``"budget"``).
        type: What the values are.
        label: Name for people; defaults to the name in words.
        required: Whether every item must have a value.
        choices: The allowed values of a choice or multi-choice field.
        currency: For a money field, the one currency its values must use
            (any currency if ``None``).
        description: Help text.

    Raises:
        ValidationError: a bad name, choices on a non-choice field (or none
            on a choice field), or a currency on a non-money field.
    """

    name: str
    type: FieldType
    label: str = ""
    required: bool = False
    choices: tuple[str, ...] = ()
    currency: str | None = None
    description: str = ""

    def __attrs_post_init__(self) -> None:
        with Checker("CustomField") as c:
            if c.instance(self.name, str, "name"):
                c.check(
                    bool(_NAME.fullmatch(self.name)),
                    "name",
                    self.name,
                    "must be snake case: a lower-case letter, then letters, digits or '_'",
                )
            c.check(
                isinstance(self.type, FieldType),
                "type",
                self.type,
                f"must be a FieldType ({', '.join(t.value for t in FieldType)})",
            )
            c.text(self.label, "label", empty=True)
            c.instance(self.required, bool, "required")
            c.text(self.description, "description", empty=True)
            is_choice = self.type in (FieldType.CHOICE, FieldType.MULTI_CHOICE)
            if c.instance(self.choices, tuple, "choices"):
                for i, choice in enumerate(self.choices):
                    c.text(choice, f"choices[{i}]")
                c.check(
                    len(set(self.choices)) == len(self.choices),
                    "choices",
                    self.choices,
                    "must not repeat a value",
                )
                if is_choice:
                    c.check(
                        bool(self.choices),
                        "choices",
                        self.choices,
                        "a choice field needs at least one choice",
                    )
                else:
                    c.check(
                        not self.choices,
                        "choices",
                        self.choices,
                        "only choice and multi_choice fields have choices",
                    )
            if self.currency is not None:
                c.check(
                    self.type == FieldType.MONEY,
                    "currency",
                    self.currency,
                    "only money fields have a currency",
                )
                c.check(
                    type(self.currency) is str and self.currency in KNOWN_CURRENCIES,
                    "currency",
                    self.currency,
                    "must be an ISO 4217 currency code",
                )
        if not self.label and isinstance(self.name, str):
            object.__setattr__(self, "label", label_of(self.name))

    def check(self, value: Any, checker: Checker, path: str) -> Any:
        """Check one value of this field, recording problems in ``checker``.

        Args:
            value: The value (not ``None``).
            checker: Where problems go.
            path: The value's path (``custom.<name>``).

        Returns:
            The normal form of the value (a multi-choice becomes a frozenset).
        """
        t = self.type
        if t == FieldType.TEXT:
            checker.instance(value, str, path)
        elif t == FieldType.NUMBER:
            ok = (
                isinstance(value, int | float | Decimal)
                and not isinstance(value, bool)
                and _serialisable(value)
            )
            checker.check(ok, path, value, "must be a finite number (int, float or Decimal)")
        elif t == FieldType.MONEY:
            if checker.instance(value, Money, path) and self.currency is not None:
                checker.check(
                    value.currency == self.currency, path, value, f"must be in {self.currency}"
                )
        elif t == FieldType.DATE:
            checker.date(value, path)
        elif t == FieldType.DATETIME:
            checker.aware(value, path)
        elif t == FieldType.CHOICE:
            checker.check(
                value in self.choices,
                path,
                value,
                f"must be one of {', '.join(map(repr, self.choices))}",
            )
        elif t == FieldType.MULTI_CHOICE:
            if isinstance(value, str) or not isinstance(value, frozenset | set | tuple | list):
                checker.add(path, value, "must be a set of choices")
                return value
            if not all(type(v) is str for v in value):
                checker.add(path, value, "must be a set of choices (strings)")
                return value
            bad = sorted(str(v) for v in value if v not in self.choices)
            if bad:
                checker.add(
                    path,
                    value,
                    f"has values that are not choices: {', '.join(bad)}"
                    f" (choices: {', '.join(self.choices)})",
                )
            return frozenset(value)
        else:  # FLAG
            checker.instance(value, bool, path)
        return value


@register_type
@attrs.frozen
class CustomFieldSchema:
    """The custom fields one kind of item may carry.

    Attributes:
        fields: The field definitions; names are unique.

    Raises:
        ValidationError: a field is not a :class:`CustomField` or a name repeats.

    Example:
        >>> schema = CustomFieldSchema((
        ...     CustomField(name="budget", type=FieldType.NUMBER),
        ...     CustomField(name="plan", type=FieldType.CHOICE, choices=("basic", "pro")),
        ... ))
        >>> schema.validate({"budget": 12000, "plan": "pro"})
        {'budget': 12000, 'plan': 'pro'}
    """

    fields: tuple[CustomField, ...] = ()
    _by_name: dict[str, CustomField] = attrs.field(init=False, eq=False, repr=False, hash=False)

    def __attrs_post_init__(self) -> None:
        with Checker("CustomFieldSchema") as c:
            c.keyed(self.fields, CustomField, "fields", key="name", repeated="duplicate field name")
        object.__setattr__(self, "_by_name", {f.name: f for f in self.fields})

    @property
    def names(self) -> tuple[str, ...]:
        """The field names, in order."""
        return tuple(f.name for f in self.fields)

    def __contains__(self, name: object) -> bool:
        return name in self._by_name

    def field(self, name: str) -> CustomField:
        """Return the definition of ``name``.

        Raises:
            NotFound: no such field.
        """
        f = self._by_name.get(name)
        if f is None:
            raise NotFound(
                f"{name!r} is not a custom field of the schema ({', '.join(self.names)})"
            )
        return f

    def check(self, values: Any, checker: Checker, prefix: str = "custom") -> dict[str, Any]:
        """Check ``values``, recording every problem in ``checker``.

        Args:
            values: Field name → value.
            checker: Where problems go.
            prefix: The path prefix of the values.

        Returns:
            The normal form of the values (``None`` values dropped).
        """
        if not isinstance(values, Mapping):
            checker.add(prefix, values, "must be a mapping of field name to value")
            return {}
        result: dict[str, Any] = {}
        for name, value in values.items():
            path = f"{prefix}.{name}"
            f = self._by_name.get(name) if isinstance(name, str) else None
            if f is None:
                known = ", ".join(self.names) or "none"
                checker.add(path, value, f"is not a custom field (known: {known})")
                continue
            if value is None:
                continue
            result[name] = f.check(value, checker, path)
        for f in self.fields:
            if f.required and result.get(f.name) is None:
                checker.add(f"{prefix}.{f.name}", values.get(f.name), "is required")
        return result

    def validate(self, values: Mapping[str, Any]) -> dict[str, Any]:
        """Validate custom values against the schema.

        ``None`` means "not set" and is dropped; a multi-choice value given
        as a list, tuple or set becomes a ``frozenset``.

        Args:
            values: Field name → value.

        Returns:
            The normal form of the values.

        Raises:
            ValidationError: listing every bad value as ``custom.<name>``,
                including unknown names and missing required fields.
        """
        with Checker("custom fields") as c:
            result = self.check(values, c)
        return result


def _check_custom(values: Any, checker: Checker, prefix: str = "custom") -> dict[str, Any]:
    """Check custom values without a schema: string keys, serialisable values.

    Args:
        values: The mapping.
        checker: Where problems go.
        prefix: The path prefix.

    Returns:
        A copy of the mapping (``None`` values dropped).
    """
    if not isinstance(values, Mapping):
        checker.add(prefix, values, "must be a mapping of field name to value")
        return {}
    result: dict[str, Any] = {}
    for name, value in values.items():
        if not isinstance(name, str) or not _NAME.fullmatch(name):
            checker.add(f"{prefix}.{name}", name, "custom field names must be snake case")
            continue
        if value is None:
            continue
        if not _serialisable(value):
            checker.add(
                f"{prefix}.{name}",
                value,
                "must be text, a number, Money, a date, an aware datetime, a bool "
                "or a set of strings",
            )
            continue
        if isinstance(value, set | list | tuple):
            value = frozenset(value)
        result[name] = value
    return result


def _serialisable(value: Any) -> bool:
    if type(value) is int:
        return -(2**63) <= value < 2**63
    if isinstance(value, str):
        return text_problem(value, multiline=True, empty=True) is None
    if isinstance(value, bool | int | Decimal | Money | date):
        if isinstance(value, datetime):
            return is_aware(value)
        if isinstance(value, Decimal):
            return value.is_finite() and abs(value.adjusted()) <= 1000
        return not isinstance(value, int) or -(2**63) <= value < 2**63
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, frozenset | set | list | tuple):
        return all(type(v) is str and line_ok(v) for v in value)
    return False
