"""Rule schemas of the shipped records, derived from their fields.

A schema says which field paths a rule may read and what each holds, so that
``parse("employes >= 50", schema=Lead)`` is refused with "did you mean
'employees'?". Every aggregate class and :class:`~salescore.domain.Interaction`
carries the hook ``__rule_schema__(custom=None)`` built here. See
``docs/rules.md`` ("Checking rules against a schema").
"""

from __future__ import annotations

import enum
import functools
import types
import typing
from collections.abc import Callable, Mapping
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any, Final

import attrs

from salescore._validation import fail
from salescore.domain.custom_fields import CustomFieldSchema, FieldType
from salescore.money import Money
from salescore.rules._schema import FieldKind, RuleSchema

__all__ = ["INTERACTION_RECORDS", "RuleSchemaHook", "rule_schema"]

_K = FieldKind

#: What each record of an ``interactions`` relation holds (the fields of
#: :class:`~salescore.domain.Interaction`; a test holds the two equal).
INTERACTION_RECORDS: Final[Mapping[str, Any]] = types.MappingProxyType(
    {
        "id": _K.TEXT,
        "at": _K.DATETIME,
        "actor": _K.TEXT,
        "channel": _K.CHOICE,
        "direction": _K.CHOICE,
        "kind": _K.TEXT,
        "duration": _K.DURATION,
        "party": {"kind": _K.CHOICE, "id": _K.TEXT},
        "account_id": _K.TEXT,
        "opportunity_id": _K.TEXT,
        "case_id": _K.TEXT,
        "campaign_id": _K.TEXT,
        "rep_id": _K.TEXT,
        "subject": _K.TEXT,
        "notes": _K.TEXT,
        "message_id": _K.TEXT,
        "url": _K.TEXT,
        "outcome": _K.ANY,
        "email_event": _K.CHOICE,
        "ended_at": _K.DATETIME,
    }
)

_CUSTOM_KINDS: Final = {
    FieldType.TEXT: _K.TEXT,
    FieldType.NUMBER: _K.NUMBER,
    FieldType.MONEY: _K.MONEY,
    FieldType.DATE: _K.DATE,
    FieldType.DATETIME: _K.DATETIME,
    FieldType.CHOICE: _K.CHOICE,
    FieldType.MULTI_CHOICE: _K.LIST,
    FieldType.FLAG: _K.FLAG,
}

_SCALARS: Final[tuple[tuple[type, FieldKind], ...]] = (
    (bool, _K.FLAG),
    (enum.Enum, _K.CHOICE),
    (str, _K.TEXT),
    (int, _K.NUMBER),
    (float, _K.NUMBER),
    (Decimal, _K.NUMBER),
    (Money, _K.MONEY),
    (datetime, _K.DATETIME),
    (date, _K.DATE),
    (timedelta, _K.DURATION),
)
_COLLECTIONS: Final = (tuple, list, frozenset, set)
_MAX_NESTING: Final = 4


def _unwrap(hint: Any) -> Any:
    """Drop ``None`` from an optional type; give up (``Any``) on other unions."""
    if typing.get_origin(hint) in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(hint) if a is not type(None)]
        return args[0] if len(args) == 1 else Any
    return hint


def _kind(hint: Any, depth: int) -> Any:
    hint = _unwrap(hint)
    origin = typing.get_origin(hint)
    if origin is not None:
        if origin in _COLLECTIONS or (isinstance(origin, type) and issubclass(origin, tuple)):
            args = [a for a in typing.get_args(hint) if a is not Ellipsis]
            item = _unwrap(args[0]) if len(args) == 1 else None
            if isinstance(item, type) and attrs.has(item) and depth < _MAX_NESTING:
                return _fields(item, depth + 1) or _K.LIST
            return _K.LIST
        return _K.ANY
    if not isinstance(hint, type):
        return _K.ANY
    for cls, kind in _SCALARS:
        if issubclass(hint, cls):
            return kind
    if attrs.has(hint) and depth < _MAX_NESTING:
        return _fields(hint, depth + 1) or _K.ANY
    return _K.ANY


def _hint(owner: type, name: str, raw: Any) -> Any:
    """Resolve one annotation of ``owner`` in its module (``Any`` if it cannot be)."""
    probe = type("_Probe", (), {"__annotations__": {name: raw}, "__module__": owner.__module__})
    try:
        return typing.get_type_hints(probe)[name]
    except Exception:  # an annotation naming a type only imported for type checking
        return Any


def _hints(cls: type) -> dict[str, Any]:
    """Resolve each annotation of ``cls`` and its bases on its own."""
    try:
        return typing.get_type_hints(cls)
    except Exception:
        out: dict[str, Any] = {}
        for klass in reversed(cls.__mro__):
            for name, raw in vars(klass).get("__annotations__", {}).items():
                out[name] = _hint(klass, name, raw)
        return out


def _fields(cls: type, depth: int = 0) -> dict[str, Any]:
    hints = _hints(cls)
    out: dict[str, Any] = {}
    for a in attrs.fields(cls):
        if a.name.startswith("_"):
            continue
        out[a.name] = _kind(hints.get(a.name, Any), depth)
    for klass in reversed(cls.__mro__):
        for name, member in vars(klass).items():
            if isinstance(member, property) and not name.startswith("_") and member.fget:
                out[name] = _kind(_property_hint(member.fget), depth)
    return out


def _property_hint(fget: Callable[..., Any]) -> Any:
    try:
        return typing.get_type_hints(fget).get("return", Any)
    except Exception:
        return Any


@functools.cache
def _derived(cls: type) -> Mapping[str, Any]:
    return types.MappingProxyType(_fields(cls))


def rule_schema(subject_type: type, custom: CustomFieldSchema | None = None) -> dict[str, Any]:
    """The rule schema of a record class: its fields, properties and relations.

    Each field's kind follows its type (``str`` → text, an enum → choice,
    numbers → number, :class:`~salescore.money.Money` → money, a tuple of
    records → records that ``count(…)`` can filter, another attrs class → its
    own fields); ``custom`` holds the fields of ``custom``, or anything when no
    schema is given; the relations the class's ``__rule_schema__`` hook names
    (``interactions`` for the aggregates) are added.

    Args:
        subject_type: An attrs class such as ``Lead``.
        custom: The custom fields' schema, if any.

    Returns:
        A fresh schema mapping; the same as ``subject_type.__rule_schema__(custom)``.

    Raises:
        ValidationError: ``subject_type`` is not an attrs class.
    """
    if not (isinstance(subject_type, type) and attrs.has(subject_type)):
        fail("subject_type", subject_type, "must be an attrs class")
    relations: Mapping[str, Any] = {}
    for klass in subject_type.__mro__:
        hook = vars(klass).get("__rule_schema__")
        if isinstance(hook, RuleSchemaHook):
            relations = hook.relations
            break
    schema = dict(_derived(subject_type))
    if "custom" in schema:
        schema["custom"] = (
            {f.name: _CUSTOM_KINDS[f.type] for f in custom.fields} if custom else _K.ANY
        )
    schema.update(relations)
    return schema


class RuleSchemaHook:
    """The ``__rule_schema__`` hook of a record class: ``Lead.__rule_schema__(custom=None)``.

    Args:
        relations: Names a rule may count (``interactions``), each with the
            schema of its records.
    """

    __slots__ = ("relations",)

    def __init__(self, **relations: Any) -> None:
        self.relations: Mapping[str, Any] = types.MappingProxyType(relations)

    def __get__(self, obj: object, owner: type) -> Callable[..., RuleSchema]:
        return functools.partial(rule_schema, owner)
