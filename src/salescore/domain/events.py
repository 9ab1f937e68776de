"""The event base class and the events every aggregate shares.

Every change to an aggregate is an event: frozen, with the aggregate's id
(``subject_id``), the instant it happened (``at``, timezone-aware) and who or
what caused it (``actor``, a person's id or a system name). Aggregate-specific
events (``LeadCreated``, ``OpportunityClosed``, …) live beside their
aggregates and subclass :class:`Event`; two kinds are shared by all:

* :class:`StageChanged`: a move in a funnel (also the entry into a funnel at
  creation, with ``from_stage=None``);
* :class:`FieldsChanged`: an edit that is not a stage move, mapping each field
  to its ``(old, new)`` pair.
"""

from __future__ import annotations

import enum
import math
import types
import typing
from collections.abc import Callable, Mapping
from datetime import date, datetime, timedelta
from typing import Any, TypeVar

import attrs

from salescore._codegen import slot_builder
from salescore._validation import (
    MULTILINE_NAMES,
    Checker,
    fail,
    is_aware,
    line_ok,
    member_named,
    text_problem,
)
from salescore.errors import FieldError, ValidationError
from salescore.serialization import register_polymorphic, register_type

__all__ = ["RESERVED_FIELDS", "Event", "FieldsChanged", "StageChanged"]

T = TypeVar("T")

RESERVED_FIELDS = frozenset(
    {"id", "subject_id", "version", "history", "status", "lifecycle_stage", "stage", "pipeline"}
)
"""Fields a :class:`FieldsChanged` may never touch: identity, version, history and stages.

Stages move only by :class:`StageChanged`; an aggregate refuses, on top of
these, the fields of its own that only a transition sets.
"""


@register_polymorphic
@attrs.frozen(kw_only=True)
class Event:
    """Base of every event.

    Attributes:
        subject_id: The id of the aggregate the event belongs to.
        at: When it happened (timezone-aware).
        actor: Who or what caused it: a rep's id, a user, or a system name
            such as ``"web-form"``.
    """

    subject_id: str
    at: datetime
    actor: str

    def __attrs_post_init__(self) -> None:
        at = self.at
        if (
            type(self.subject_id) is str
            and line_ok(self.subject_id)
            and type(self.actor) is str
            and line_ok(self.actor)
            and isinstance(at, datetime)
            and at.tzinfo is not None
            and is_aware(at)
        ):
            self._check()
            return
        with Checker(type(self).__name__) as c:
            c.text(self.subject_id, "subject_id")
            c.text(self.actor, "actor")
            c.aware(self.at, "at")
            with c.nested(""):
                self._check()

    def _check(self) -> None:
        """Validate the subclass's own fields by their annotations.

        Text is one-line text (multi-line for descriptions, notes, reasons…),
        numbers are finite, enums accept a member or its value, nested values
        must be of their class; problems are reported together, each under
        the field's name. Events with richer rules override this.
        """
        fast = _fast_event_check(type(self))
        try:
            if fast(self):
                return
        except ValueError:  # an unusable time zone: the checks below name it
            pass
        problems: list[FieldError] | None = None
        for name, check in _PLANS[type(self)]:
            value = getattr(self, name)
            try:
                new = check(value, name)
            except ValidationError as exc:
                problems = [*(problems or ()), *exc.errors]
                continue
            if new is not value:
                object.__setattr__(self, name, new)
        if problems:
            raise ValidationError(problems, type(self).__name__)


@register_type
@attrs.frozen(kw_only=True)
class StageChanged(Event):
    """An item moved from one stage of a funnel to another.

    Attributes:
        funnel: The funnel's key (``"lead_status"``, ``"b2b_pipeline"``, …).
        from_stage: The stage left, or ``None`` when the item enters the
            funnel (at creation).
        to_stage: The stage entered.
        reason: Why, when the move needs or has one.
    """

    funnel: str
    from_stage: str | None
    to_stage: str
    reason: str | None = None

    def _check(self) -> None:
        if (  # the common case in one expression
            type(self.funnel) is str
            and line_ok(self.funnel)
            and type(self.to_stage) is str
            and line_ok(self.to_stage)
            and (
                self.from_stage is None
                or (type(self.from_stage) is str and line_ok(self.from_stage))
            )
            and (self.reason is None or (type(self.reason) is str and self.reason.isprintable()))
        ):
            return  # a printable reason is good text (no control character)
        with Checker("StageChanged") as c:
            c.text(self.funnel, "funnel")
            c.text(self.from_stage, "from_stage", optional=True)
            c.text(self.to_stage, "to_stage")
            c.text(self.reason, "reason", optional=True, empty=True)


@register_type
@attrs.frozen(kw_only=True)
class FieldsChanged(Event):
    """Fields of an item were edited (anything that is not a stage move).

    Attributes:
        changes: Field name → ``(old value, new value)``.
        reason: Why, if given.
    """

    changes: Mapping[str, tuple[Any, Any]]
    reason: str | None = None

    def _check(self) -> None:
        with Checker("FieldsChanged") as c:
            if not isinstance(self.changes, Mapping) or not self.changes:
                c.add("changes", self.changes, "must be a non-empty mapping")
                return
            for name, pair in self.changes.items():
                if not (type(name) is str and line_ok(name)):
                    c.add("changes", name, "field names must be non-blank one-line strings")
                    continue
                if name in RESERVED_FIELDS:
                    c.add(
                        f"changes.{name}",
                        name,
                        "cannot be edited: identity, version, history and stages "
                        "change only through their own events",
                    )
                c.check(
                    isinstance(pair, tuple | list) and len(pair) == 2,
                    f"changes.{name}",
                    pair,
                    "must be an (old, new) pair",
                )


# --- checks by annotation ---------------------------------------------------------------------

_Check = Callable[[Any, str], Any]
_PLANS: dict[type, tuple[tuple[str, _Check], ...]] = {}
_FAST: dict[type, Callable[[Any], bool]] = {}
_BASE_FIELDS = frozenset({"subject_id", "at", "actor"})


def _plan(cls: type) -> tuple[tuple[str, _Check], ...]:
    hints = typing.get_type_hints(cls)
    out: list[tuple[str, _Check]] = []
    for field in attrs.fields(cls):
        if field.name in _BASE_FIELDS or not field.init:
            continue
        check = _check_for(hints.get(field.name, Any), field.name in MULTILINE_NAMES)
        if check is not None:
            out.append((field.name, check))
    return tuple(out)


def _check_for(hint: Any, multiline: bool) -> _Check | None:
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        inner = [a for a in args if a is not type(None)]
        checks = [_check_for(a, multiline) for a in inner]
        if len(checks) == 1 and type(None) in args:
            only = checks[0]
            if only is None:
                return None
            return lambda v, p: v if v is None else only(v, p)
        return None
    if hint is str:
        return _text_check(multiline)
    if hint is bool:
        return _bool
    if hint is int:
        return _int
    if hint is float:
        return _float
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        return _enum_check(hint)
    if hint is datetime:
        return _aware
    if hint in (date, timedelta):
        return _instance_check(hint)
    if origin in (tuple, frozenset):
        item = _check_for(args[0], multiline) if args else None
        return _collection_check(origin, item)
    if origin is not None and isinstance(origin, type) and issubclass(origin, Mapping):
        return _instance_check(Mapping)
    if isinstance(hint, type) and attrs.has(hint):
        return _instance_check(hint)
    return None


def _text_check(multiline: bool) -> _Check:
    def check(value: Any, path: str) -> Any:
        if type(value) is str and line_ok(value):
            return value
        if not isinstance(value, str):
            fail(path, value, "must be a string")
        problem = text_problem(value, multiline=multiline)
        if problem is not None:
            fail(path, value, problem)
        return value

    return check


def _bool(value: Any, path: str) -> Any:
    if type(value) is bool:
        return value
    fail(path, value, "must be true or false")


def _int(value: Any, path: str) -> Any:
    if type(value) is int and -(2**63) <= value < 2**63:
        return value
    fail(path, value, "must be an integer (64-bit)")


def _float(value: Any, path: str) -> Any:
    if type(value) is float and math.isfinite(value):
        return value
    if type(value) is int and -(2**63) <= value < 2**63:
        return float(value)
    fail(path, value, "must be a finite number")


def _aware(value: Any, path: str) -> Any:
    if is_aware(value):
        return value
    fail(path, value, "must be a timezone-aware datetime")


def _enum_check(cls: type[enum.Enum]) -> _Check:
    def check(value: Any, path: str) -> Any:
        member = member_named(cls, value)
        if member is None:
            fail(path, value, f"must be one of {', '.join(str(m.value) for m in cls)}")
        return member

    return check


def _instance_check(kind: type) -> _Check:
    def check(value: Any, path: str) -> Any:
        if isinstance(value, kind):
            return value
        fail(path, value, f"must be a {kind.__name__}")

    return check


def _collection_check(kind: type, item: _Check | None) -> _Check:
    def check(value: Any, path: str) -> Any:
        if isinstance(value, str | bytes | Mapping) or not isinstance(
            value, tuple | list | frozenset | set
        ):
            fail(path, value, f"must be a {kind.__name__}")
        if item is None:
            return value if type(value) is kind else kind(value)
        items = [item(v, f"{path}[{i}]") for i, v in enumerate(value)]
        return kind(items)

    return check


def _fast_check(cls: type) -> Callable[[Any], bool]:
    """One compiled function that is true when every field is already valid and normal.

    It covers the common case at the cost of one attribute read a field;
    anything it does not accept goes through the per-field checks, which
    report (or normalise) it.
    """
    hints = typing.get_type_hints(cls)
    names: dict[str, Any] = {
        "line_ok": line_ok,
        "multi_ok": _multi_ok,
        "isfinite": math.isfinite,
        "Mapping": Mapping,
        "_datetime": datetime,
    }
    lines = ["def fast(self):\n"]
    for field in attrs.fields(cls):
        if field.name in _BASE_FIELDS or not field.init:
            continue
        term = _fast_term("v", hints.get(field.name, Any), field.name in MULTILINE_NAMES, names)
        if term is not None:
            lines.append(f"    v = self.{field.name}\n    if not ({term}): return False\n")
    code = "".join(lines) + "    return True\n"
    exec(compile(code, f"<fast check of {cls.__name__}>", "exec"), names)
    fast: Callable[[Any], bool] = names["fast"]
    return fast


def _fast_term(expr: str, hint: Any, multiline: bool, names: dict[str, Any]) -> str | None:
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        inner = [a for a in args if a is not type(None)]
        if len(inner) != 1 or type(None) not in args:
            return "False"
        term = _fast_term(expr, inner[0], multiline, names)
        return None if term is None else f"{expr} is None or ({term})"
    if hint is str:
        if multiline:
            return f"type({expr}) is str and multi_ok({expr})"
        # line_ok inline: a printable, non-blank string is good one-line text
        return (
            f"type({expr}) is str and ({expr}.isprintable() and {expr} != '' "
            f"and not {expr}.isspace() or line_ok({expr}))"
        )
    if hint is bool:
        return f"type({expr}) is bool"
    if hint is int:
        return f"type({expr}) is int and {-(2**63)} <= {expr} < {2**63}"
    if hint is float:
        return f"type({expr}) is float and isfinite({expr})"
    if hint is datetime:
        return f"isinstance({expr}, _datetime) and {expr}.utcoffset() is not None"
    if isinstance(hint, type) and (
        issubclass(hint, enum.Enum) or attrs.has(hint) or hint in (date, timedelta)
    ):
        key = f"_t{len(names)}"
        names[key] = hint
        if hint is date:
            return f"type({expr}) is {key}"
        return (
            f"type({expr}) is {key}"
            if issubclass(hint, enum.Enum)
            else (f"isinstance({expr}, {key})")
        )
    if origin in (tuple, frozenset):
        key = f"_t{len(names)}"
        names[key] = origin
        item = _fast_term("i", args[0], multiline, names) if args else None
        each = f" and all({item} for i in {expr})" if item is not None else ""
        return f"type({expr}) is {key}{each}"
    if origin is not None and isinstance(origin, type) and issubclass(origin, Mapping):
        return f"isinstance({expr}, Mapping)"
    return None if hint is Any else "False"


def _fast_event_check(cls: type) -> Callable[[Any], bool]:
    """The cheap check of ``cls``'s own fields that :meth:`Event._check` tries first."""
    fast = _FAST.get(cls)
    if fast is None:
        _PLANS[cls] = _plan(cls)
        fast = _FAST[cls] = _fast_check(cls)
    return fast


def _multi_ok(value: str) -> bool:
    return text_problem(value, multiline=True) is None


# --- building events from values checked already ----------------------------------------------

_BUILDERS: dict[type, Callable[..., Any]] = {}


def _prechecked(cls: type[T]) -> Callable[..., T]:
    """A constructor of attrs class ``cls`` that sets values already checked, without checking them.

    For creation paths that have just checked every value with rules at
    least as strict as the class's own and in their normal form (datetimes
    in UTC, containers frozen): the object is then exactly what ``cls(...)``
    would build. Arguments are the class's fields, by name or in order.
    One :func:`~salescore._codegen.slot_builder` per class, kept.
    """
    build = _BUILDERS.get(cls)
    if build is None:
        build = _BUILDERS[cls] = slot_builder(cls)
    return build
