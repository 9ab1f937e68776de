"""Deeply immutable values: a read-only, hashable mapping and the freezing of containers.

Everything an aggregate, event or value holds is immutable all the way down,
so ``hash()`` works and history cannot be rewritten through a reference:

* :class:`FrozenDict` is a read-only, hashable mapping. It is a ``dict`` to
  readers (``json``, ``isinstance(x, dict)``, fast lookups) but every method
  that would change it raises :class:`TypeError`, as item assignment on a
  tuple does.
* :func:`freeze` turns a value into its immutable form: a ``dict`` (or any
  mapping) into a :class:`FrozenDict`, a ``list`` into a ``tuple``, a ``set``
  into a ``frozenset``, recursively; an aware ``datetime`` into the same
  instant in UTC. The caller's containers are copied, never kept.

>>> from salescore.frozen import FrozenDict, freeze
>>> d = freeze({"tags": ["a", "b"]})
>>> d
FrozenDict({'tags': ('a', 'b')})
>>> d["tags"] = ()
Traceback (most recent call last):
...
TypeError: 'FrozenDict' object does not support item assignment
"""

from __future__ import annotations

import enum
import inspect
from collections.abc import Mapping, Set
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any, NoReturn, TypeVar

import attrs

from salescore._validation import is_aware
from salescore.errors import ValidationError

__all__ = ["EMPTY", "FrozenDict", "freeze", "seal"]

T = TypeVar("T")

_ATOMS: frozenset[type] = frozenset(
    {str, int, float, bool, type(None), Decimal, date, time, timedelta, bytes}
)


class FrozenDict(dict[str, Any]):
    """A read-only, hashable mapping.

    Built like a ``dict`` (from a mapping, pairs or keywords); its values are
    frozen with :func:`freeze` so that nothing reachable from it can change.
    It compares equal to a ``dict`` with the same items. Every mutating
    method (item assignment and deletion, ``update``, ``pop``, ``clear``, …)
    raises :class:`TypeError`.
    """

    __slots__ = ("_hash",)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        source = dict(*args, **kwargs)
        dict.__init__(self, {k: freeze(v) for k, v in source.items()})
        self._hash: int | None = None

    def __hash__(self) -> int:  # type: ignore[override]
        if self._hash is None:
            self._hash = hash(frozenset(self.items()))
        return self._hash

    def __repr__(self) -> str:
        return f"FrozenDict({dict.__repr__(self)})"

    def _readonly(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise TypeError(f"'{type(self).__name__}' object does not support item assignment")

    __setitem__ = _readonly
    __delitem__ = _readonly
    __ior__ = _readonly
    clear = _readonly
    pop = _readonly
    popitem = _readonly
    setdefault = _readonly
    update = _readonly

    def __reduce__(self) -> tuple[Any, ...]:
        return (FrozenDict, (dict(self),))

    def __copy__(self) -> FrozenDict:
        return self

    def __deepcopy__(self, memo: Any) -> FrozenDict:
        return self


EMPTY: FrozenDict = FrozenDict()
"""The empty :class:`FrozenDict` (shared: it cannot change)."""


def freeze(value: Any) -> Any:
    """Return the deeply immutable form of ``value``.

    Mappings become :class:`FrozenDict`, lists and tuples tuples, sets
    frozensets (recursively); an aware datetime becomes the same instant in
    UTC; enum members, scalars and other objects (frozen salescore values)
    are returned as they are.

    Args:
        value: Any value.

    Returns:
        ``value`` itself when it is already immutable, else a frozen copy.

    Raises:
        ValidationError: a naive datetime (no offset to place it in time).
    """
    t = type(value)
    if t in _ATOMS:
        return value
    if t is FrozenDict:
        return value
    if isinstance(value, datetime):
        return utc(value)
    if isinstance(value, enum.Enum):
        return value
    if isinstance(value, Mapping):
        if not value:
            return EMPTY
        return FrozenDict(value)
    if t is tuple:
        for item in value:
            if type(item) not in _ATOMS:
                return tuple(freeze(v) for v in value)
        return value
    if isinstance(value, list | tuple):
        return tuple(freeze(v) for v in value)
    if isinstance(value, Set) and not isinstance(value, frozenset):
        return frozenset(freeze(v) for v in value)
    return value


def utc(value: datetime, path: str = "") -> datetime:
    """The same instant in UTC (``tzinfo`` exactly :data:`datetime.UTC`).

    Raises:
        ValidationError: ``value`` is naive.
    """
    if value.tzinfo is UTC:
        return value
    if not is_aware(value):
        raise ValidationError.single(
            path, value, "must be timezone-aware (naive datetimes are refused)"
        )
    return value.astimezone(UTC)


# --- sealing attrs classes ------------------------------------------------------------------

_DEEP = ("Mapping", "dict", "Any", "list", "Sequence", "Iterable", "set[", "Set[")


def _plan(cls: type) -> tuple[tuple[str, str], ...]:
    """Which fields of ``cls`` need freezing, and how (from their annotations)."""
    steps: list[tuple[str, str]] = []
    for field in attrs.fields(cls):
        if not field.init or field.name.startswith("_"):
            continue
        note = field.type if isinstance(field.type, str) else repr(field.type)
        if any(word in note for word in _DEEP):
            steps.append((field.name, "deep"))
        elif "datetime" in note:
            steps.append((field.name, "instant"))
        elif "tuple[" in note:
            steps.append((field.name, "tuple"))
    return tuple(steps)


def _forwarding(init: Any, namespace: dict[str, Any]) -> tuple[str, str]:
    """The parameters of ``init`` and the arguments passing each on by name.

    The sealed ``__init__`` takes exactly the parameters of the class's own
    (defaults included, put in ``namespace``), so a call packs no ``*args``
    or ``**kwargs``; an ``__init__`` with variable arguments is forwarded as
    it is.
    """
    params: list[str] = []
    names: list[str] = []
    marked = False
    for i, p in enumerate(inspect.signature(init).parameters.values()):
        if i == 0:
            continue  # self
        if p.kind not in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY):
            return "*args, **kwargs", "*args, **kwargs"
        if p.kind is p.KEYWORD_ONLY and not marked:
            params.append("*")
            marked = True
        if p.default is p.empty:
            params.append(p.name)
        else:
            namespace[f"_default_{p.name}"] = p.default
            params.append(f"{p.name}=_default_{p.name}")
        names.append(f"{p.name}={p.name}")
    return ", ".join(params), ", ".join(names)


def _deep(value: Any, path: str) -> Any:
    if isinstance(value, datetime):
        return utc(value, path)
    try:
        return freeze(value)
    except ValidationError as exc:
        raise exc.prefixed(path) from None


def _instant(value: Any, path: str) -> Any:
    if isinstance(value, datetime):
        return utc(value, path)
    return value


# Values a "deep" field may hold as they are (everything else goes through freeze).
_KEPT = frozenset({FrozenDict, str, int, float, bool, type(None), Decimal, date, time, timedelta})

_STEP_CODE = {
    "instant": (
        "    v = self.{name}\n"
        "    if v is not None and (v.__class__ is not _datetime or v.tzinfo is not _UTC):\n"
        "        _set(self, {name!r}, _instant(v, {name!r}))\n"
    ),
    "deep": (
        "    v = self.{name}\n"
        "    if v.__class__ not in _KEPT:\n"
        "        w = _deep(v, {name!r})\n"
        "        if w is not v:\n"
        "            _set(self, {name!r}, w)\n"
    ),
    "tuple": (
        "    v = self.{name}\n    if v.__class__ is list:\n        _set(self, {name!r}, tuple(v))\n"
    ),
}


_SEALERS: dict[type, Any] = {}


def _leave(obj: Any) -> None:
    """Seal nothing (for a class that is not sealed)."""


def _steps(cls: type) -> tuple[str, dict[str, Any]]:
    """The sealing code of ``cls``'s fields (``self`` is the object) and the names it uses."""
    namespace: dict[str, Any] = {
        "_set": object.__setattr__,
        "_datetime": datetime,
        "_UTC": UTC,
        "_KEPT": _KEPT,
        "_deep": _deep,
        "_instant": _instant,
    }
    body = "".join(_STEP_CODE[kind].format(name=name) for name, kind in _plan(cls))
    return body, namespace


def _sealer(cls: type) -> Any:
    """``finish(obj)``: do to ``obj``'s fields what :func:`seal`'s ``__init__`` does after init.

    For objects of attrs class ``cls`` built without their constructor from
    values already checked: the containers are frozen and the datetimes moved
    to UTC exactly as the sealed constructor would (nothing for a class that
    is not sealed: its constructor does nothing of the kind). Made once per class.
    """
    finish = _SEALERS.get(cls)
    if finish is None:
        if not cls.__dict__.get("__salescore_sealed__"):
            return _leave
        body, namespace = _steps(cls)
        code = f"def finish(self):\n{body}    return None\n"
        exec(compile(code, f"<sealing of {cls.__qualname__}>", "exec"), namespace)
        finish = _SEALERS[cls] = namespace["finish"]
    return finish


def seal(cls: type[T]) -> type[T]:
    """Make the instances of attrs class ``cls`` deeply immutable and UTC inside.

    After the class's own ``__init__`` (and its validation) has run, every
    field that may hold a container is frozen with :func:`freeze` and every
    datetime is moved to UTC, so a caller's ``dict`` or ``list`` is copied,
    never kept. Sealing a class twice is harmless. Registered document types
    are sealed by :func:`salescore.serialization.register_type`.

    Args:
        cls: An attrs class.

    Returns:
        ``cls``, sealed.
    """
    if cls.__dict__.get("__salescore_sealed__"):
        return cls
    steps = _plan(cls)
    type.__setattr__(cls, "__salescore_sealed__", True)
    if not steps:
        return cls
    body, namespace = _steps(cls)
    namespace["_original"] = cls.__init__
    params, call = _forwarding(cls.__init__, namespace)
    code = f"def __init__(self, {params}):\n    _original(self, {call})\n{body}"
    exec(compile(code, f"<sealed __init__ of {cls.__qualname__}>", "exec"), namespace)
    sealed_init = namespace["__init__"]
    sealed_init.__qualname__ = f"{cls.__qualname__}.__init__"
    sealed_init.__doc__ = namespace["_original"].__doc__
    sealed_init.__wrapped__ = namespace["_original"]
    type.__setattr__(cls, "__init__", sealed_init)
    return cls
