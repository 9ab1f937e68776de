"""Generated (exec'd once per class, then cached) readers and writers of attrs documents.

The codec's fast converter uses these instead of per-field hook calls for the
plain attrs classes it meets: one function per class that reads or writes
every field in straight-line code, with the common scalar types (text,
integers, booleans, floats, instants, and their optional forms) checked and
converted inline and every other field handed to the converter's own hook.

A generated *reader* accepts only what the codec's generic hooks accept, and
builds the same object from it; on anything else it raises, and the codec
falls back to its detailed converter, which reports every problem with its
path. A generated *writer* gives exactly the data of the generic one. Both
properties are checked by the test suite for every registered type.
"""

from __future__ import annotations

import functools
import math
import re
import types
import typing
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any, Final, TypeVar, cast

import attrs

from salescore.frozen import utc

__all__ = ["Slow", "make_reader", "make_writer", "slot_builder", "slot_copier", "slot_setters"]

T = TypeVar("T")

_INT_MIN, _INT_MAX = -(2**63), 2**63 - 1
_NONE = type(None)

StructureHook = Callable[[Any, Any], Any]
UnstructureHook = Callable[[Any], Any]


class Slow(Exception):
    """The input is not of the plain, valid shape the generated reader handles."""


def _fields(cls: type) -> tuple[tuple[str, Any], ...]:
    attrs.resolve_types(cls)
    return tuple((f.name, f.type) for f in attrs.fields(cls))


def _optional(t: Any) -> Any:
    """``X`` of ``X | None`` (a union of exactly one type and None), else None."""
    if typing.get_origin(t) in (typing.Union, types.UnionType):
        args = typing.get_args(t)
        if len(args) == 2 and _NONE in args:
            return args[0] if args[1] is _NONE else args[1]
    return None


def _kind(t: Any) -> str | None:
    """The inline kind of a field type, or None when the converter's hook is used."""
    if t in (str, int, bool, float, datetime):
        return str(t.__name__)
    inner = _optional(t)
    if inner in (str, int, bool, datetime):
        return "opt_" + str(inner.__name__)
    return None if inner is None else "optional"


def _float(value: Any) -> float:
    if type(value) is float:
        if math.isfinite(value):
            return value
        raise Slow
    if type(value) is int and _INT_MIN <= value <= _INT_MAX:
        return float(value)
    raise Slow


def _instant(value: Any) -> datetime:
    if value.__class__ is not str:
        raise Slow
    result = datetime.fromisoformat(value)
    return result if result.tzinfo is UTC else utc(result)


_READ = {
    "str": "    if {v}.__class__ is not str: raise _Slow\n",
    "opt_str": "    if {v} is not None and {v}.__class__ is not str: raise _Slow\n",
    "int": ("    if {v}.__class__ is not int or not (_MIN <= {v} <= _MAX): raise _Slow\n"),
    "opt_int": (
        "    if {v} is not None and ({v}.__class__ is not int or not (_MIN <= {v} <= _MAX)):"
        " raise _Slow\n"
    ),
    "bool": "    if {v}.__class__ is not bool: raise _Slow\n",
    "opt_bool": "    if {v} is not None and {v}.__class__ is not bool: raise _Slow\n",
    "float": "    if {v}.__class__ is not float or {v} - {v} != 0.0: {v} = _float({v})\n",
    "datetime": (
        "    if {v}.__class__ is not str: raise _Slow\n"
        "    {v} = _fromiso({v})\n"
        "    if {v}.tzinfo is not _UTC: {v} = _utc({v})\n"
    ),
    "opt_datetime": "    if {v} is not None: {v} = _instant({v})\n",
}


def make_reader(
    cls: type, hook_of: Callable[[Any], StructureHook], *, header: int = 0
) -> StructureHook:
    """A function ``(data, _) -> cls`` for documents holding exactly ``cls``'s fields.

    Args:
        cls: An attrs class whose fields ``__init__`` sets by name.
        hook_of: The converter's structure hook of a field type (fields of
            kinds not handled inline).
        header: How many keys besides the fields the document holds (2 for
            an event document's ``_type`` and ``_schema``, already checked by
            the caller).

    The function raises (:class:`Slow`, ``KeyError``, or the class's own
    ``ValidationError``) on any document it does not handle.
    """
    fields = _fields(cls)
    namespace: dict[str, Any] = {
        "_cls": cls,
        "_Slow": Slow,
        "_MIN": _INT_MIN,
        "_MAX": _INT_MAX,
        "_float": _float,
        "_instant": _instant,
        "_fromiso": datetime.fromisoformat,
        "_UTC": UTC,
        "_utc": utc,
    }
    lines = [
        "def read(o, _=None):\n",
        f"    if o.__class__ is not dict or len(o) != {len(fields) + header}: raise _Slow\n",
    ]
    for i, (name, t) in enumerate(fields):
        v = f"v{i}"
        lines.append(f"    {v} = o[{name!r}]\n")
        kind = _kind(t)
        if kind == "optional":  # X | None: the hook of X, as the converter's optional hook does
            namespace[f"_h{i}"] = hook_of(_optional(t))
            namespace[f"_t{i}"] = _optional(t)
            lines.append(f"    if {v} is not None: {v} = _h{i}({v}, _t{i})\n")
        elif kind is not None:
            lines.append(_READ[kind].format(v=v))
        else:
            namespace[f"_h{i}"] = hook_of(t)
            namespace[f"_t{i}"] = t
            lines.append(f"    {v} = _h{i}({v}, _t{i})\n")
    args = ", ".join(f"{name}=v{i}" for i, (name, _) in enumerate(fields))
    lines.append(f"    return _cls({args})\n")
    return _compile("".join(lines), f"<generated reader of {cls.__qualname__}>", namespace)


_WRITE = {
    "str": "o.{n}",
    "opt_str": "o.{n}",
    "int": "o.{n}",
    "opt_int": "o.{n}",
    "bool": "o.{n}",
    "opt_bool": "o.{n}",
    "float": "_ufloat(o.{n})",
    "datetime": "(_v.isoformat() if (_v := o.{n}).tzinfo is _UTC else _udt(_v))",
    "opt_datetime": (
        "(None if (_v := o.{n}) is None else _v.isoformat() if _v.tzinfo is _UTC else _udt(_v))"
    ),
}


def make_writer(
    cls: type,
    hook_of: Callable[[Any], UnstructureHook],
    *,
    header: tuple[str, int] | None = None,
) -> UnstructureHook:
    """A function ``obj -> dict`` writing every field of ``cls`` (keys sorted).

    Args:
        cls: An attrs class whose fields ``__init__`` sets by name.
        hook_of: The converter's unstructure hook of a field type (fields
            of kinds not written inline).
        header: ``(name, schema)`` to write as ``_type`` and ``_schema`` too.
    """
    namespace: dict[str, Any] = {
        "_UTC": UTC,
        "_udt": hook_of(datetime),  # the converter's own writers of these two
        "_ufloat": hook_of(float),
    }
    items: list[tuple[str, str]] = []
    if header is not None:
        items += [("_schema", repr(header[1])), ("_type", repr(header[0]))]
    for i, (name, t) in enumerate(_fields(cls)):
        kind = _kind(t)
        if kind == "optional":
            namespace[f"_h{i}"] = hook_of(_optional(t))
            items.append((name, f"(None if (_v := o.{name}) is None else _h{i}(_v))"))
        elif kind is not None:
            items.append((name, _WRITE[kind].format(n=name)))
        else:
            namespace[f"_h{i}"] = hook_of(t)
            items.append((name, f"_h{i}(o.{name})"))
    body = ", ".join(f"{k!r}: {expr}" for k, expr in sorted(items))
    code = f"def write(o):\n    return {{{body}}}\n"
    return _compile(code, f"<generated writer of {cls.__qualname__}>", namespace)


def _compile(code: str, filename: str, namespace: dict[str, Any]) -> Callable[..., Any]:
    exec(compile(code, filename, "exec"), namespace)
    made: Callable[..., Any] = namespace[next(k for k in ("read", "write") if k in namespace)]
    return made


# --- building and copying slotted attrs objects, unchecked ------------------------------


def slot_setters(cls: type) -> dict[str, Callable[[Any, Any], None]]:
    """Each attrs field of ``cls``, in order, with the setter of its slot.

    A frozen class refuses ``setattr``; its slots' own setters do not. A
    field without a slot (a class built without ``slots=True``) is set
    through ``object.__setattr__``.
    """
    setters: dict[str, Callable[[Any, Any], None]] = {}
    for f in attrs.fields(cls):
        slot = next((vars(k)[f.name] for k in cls.__mro__ if f.name in vars(k)), None)
        if isinstance(slot, types.MemberDescriptorType):
            setters[f.name] = slot.__set__
        else:
            setters[f.name] = functools.partial(_set_attribute, name=f.name)
    return setters


def _set_attribute(obj: Any, value: Any, *, name: str) -> None:
    object.__setattr__(obj, name, value)


#: The generated functions' own names, which no field may take.
_CLASH: Final = re.compile(r"_(obj|new|cls|old|[sd]\d+)\Z")


def _generated(
    cls: type, kind: str, head: str, value: str, given: Sequence[Any] = ()
) -> Callable[..., Any]:
    """A function ``head`` building a ``cls`` whose field ``name`` is set to ``value``.

    ``given``: the values ``head`` names ``_d0``, ``_d1``… (its defaults).
    """
    setters = slot_setters(cls)
    if any(_CLASH.match(name) for name in setters):
        raise TypeError(f"{cls.__qualname__} has a field named like a generated variable")
    names = [f"_s{i}" for i in range(len(setters))] + [f"_d{i}" for i in range(len(given))]
    body = "".join(f"        _s{i}(_obj, {value.format(n)})\n" for i, n in enumerate(setters))
    code = (
        f"def make(_new, _cls, {', '.join(names)}):\n"
        f"    def {head}:\n        _obj = _new(_cls)\n{body}        return _obj\n"
        f"    return {kind}\n"
    )
    namespace: dict[str, Any] = {}
    exec(compile(code, f"<{kind} {cls.__qualname__}>", "exec"), namespace)
    make: Callable[..., Callable[..., Any]] = namespace["make"]
    return make(object.__new__, cls, *setters.values(), *given)


def slot_builder(cls: type[T], *, defaults: bool = False) -> Callable[..., T]:
    """A constructor of slotted attrs class ``cls`` setting values already checked, as they are.

    Arguments are every field, by name or in order; with ``defaults``, a
    field with a plain default (not a factory) may be left out and takes it.
    For values that are valid and in the form the class's own constructor
    would leave them in (its checks, conversions and sealing would change
    nothing): the object is then exactly what ``cls(...)`` builds, without
    those steps.
    """
    fields = attrs.fields(cast(Any, cls))
    if not all(f.init for f in fields):
        raise TypeError(f"{cls.__qualname__} has fields its constructor does not set")
    params: list[str] = []
    given: list[Any] = []
    for f in fields:
        if not defaults or f.default is attrs.NOTHING:
            if given:
                raise TypeError(f"{cls.__qualname__}: {f.name} has no default but follows one")
            params.append(f.name)
        elif isinstance(f.default, attrs.Factory):  # type: ignore[arg-type]
            raise TypeError(f"{cls.__qualname__}: {f.name}'s default is made by a factory")
        else:
            params.append(f"{f.name}=_d{len(given)}")
            given.append(f.default)
    return _generated(cls, "build", f"build({', '.join(params)})", "{}", given)


def slot_copier(cls: type[T]) -> Callable[[T], T]:
    """A function copying an object of slotted attrs class ``cls`` slot by slot, unchecked."""
    return _generated(cls, "copy", "copy(_old)", "_old.{}")
