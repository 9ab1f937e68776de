"""One converter for every salescore object: dicts and JSON, versioned.

``to_dict(obj)`` turns any salescore value, entity, event or aggregate into
plain JSON-ready data; ``from_dict(cls, data)`` rebuilds it, validating
everything on the way and reporting every problem at once as a
:class:`~salescore.errors.ValidationError` with paths such as
``history[3].at``. ``to_json`` is compact with sorted keys, so equal objects
give byte-identical text.

Top-level documents carry ``"_type"`` (the class name) and ``"_schema"`` (the
class attribute ``__schema__``, 1 unless a class raises it). When a class's
shape changes, raise its ``__schema__`` and register an upcaster that turns
an old document into the next version::

    register_upcaster("Lead", 1, lambda doc: {**doc, "score": doc.get("score", 0)})

Polymorphic fields (a history of many event types, a tree of rule nodes)
carry ``"_type"`` and ``"_schema"`` on every element and are upcast the same
way.
"""

from __future__ import annotations

import enum
import json
import types
import typing
from collections.abc import Callable, Mapping
from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar, cast

import attrs
import cattrs
from cattrs.errors import (
    AttributeValidationNote,
    BaseValidationError,
    ForbiddenExtraKeysError,
    IterableValidationNote,
)

from salescore.errors import FieldError, ValidationError

__all__ = [
    "from_dict",
    "from_json",
    "register_codec",
    "register_polymorphic",
    "register_type",
    "register_upcaster",
    "schema_of",
    "to_dict",
    "to_json",
    "type_name",
]

T = TypeVar("T")
Upcaster = Callable[[dict[str, Any]], dict[str, Any]]

_TYPES: dict[str, type] = {}
_UPCASTERS: dict[tuple[str, int], Upcaster] = {}
_POLYMORPHIC: list[type] = []
_CODECS: list[type] = []
# Functions that import the modules registering types, run once before an
# unknown ``_type`` is refused (the package façades load modules lazily).
_TYPE_LOADERS: list[Callable[[], object]] = []


def _load_types() -> bool:
    """Run the pending type loaders; whether there were any."""
    loaders = list(_TYPE_LOADERS)
    _TYPE_LOADERS.clear()
    for load in loaders:
        load()
    return bool(loaders)


def type_name(cls: type) -> str:
    """The ``_type`` name of a class: its ``__name__``."""
    return cls.__name__


def schema_of(cls: type) -> int:
    """The current schema version of a class (``__schema__``, default 1)."""
    return int(getattr(cls, "__schema__", 1))


def register_type(cls: type[T]) -> type[T]:
    """Make ``cls`` known by name, for ``Any``-typed values and polymorphic fields.

    Usable as a class decorator. Classes reached through typed fields need no
    registration.

    Args:
        cls: An attrs class.

    Returns:
        ``cls`` unchanged.

    Raises:
        ValidationError: another class is already registered under that name.
    """
    name = type_name(cls)
    known = _TYPES.get(name)
    if known is not None and known is not cls:
        raise ValidationError.single(
            "_type", name, f"name already used by {known.__module__}.{known.__qualname__}"
        )
    _TYPES[name] = cls
    return cls


def register_polymorphic(base: type[T]) -> type[T]:
    """Serialise fields typed as ``base`` by their concrete subclass.

    Each element is written with ``"_type"`` and ``"_schema"`` and read back
    as the named subclass (which must be a subclass of ``base``). Usable as a
    class decorator.

    Args:
        base: The common base class (itself an attrs class or not).

    Returns:
        ``base`` unchanged.
    """
    if base not in _POLYMORPHIC:
        _POLYMORPHIC.append(base)
        for conv in (_fast, _detailed):
            _install_polymorphic(conv, base)
    return base


def register_codec(
    base: type[T],
    encode: Callable[[T], Any],
    decode: Callable[[Any], T],
) -> None:
    """Serialise fields typed as ``base`` (or a subclass) with custom functions.

    For types that have their own data form, such as rules (their JSON form).

    Args:
        base: The class; fields typed as it or as a subclass use the codec.
        encode: Object → JSON-ready data.
        decode: Data → object; raises :class:`ValidationError` on bad data.
    """

    def matches(t: Any) -> bool:
        return isinstance(t, type) and issubclass(t, base)

    def structure(data: Any, _: type) -> T:
        return decode(data)

    for conv in (_fast, _detailed):
        conv.register_unstructure_hook_func(matches, encode)
        conv.register_structure_hook_func(matches, structure)
    _CODECS.append(base)


def register_upcaster(type_name: str, from_schema: int, fn: Upcaster) -> None:
    """Register a function that upgrades ``type_name`` documents from ``from_schema``.

    The function takes the document (a dict, without ``_type``/``_schema``
    guarantees) at version ``from_schema`` and returns it at
    ``from_schema + 1``. Upcasters chain until the class's current schema.

    Args:
        type_name: The ``_type`` of the documents.
        from_schema: The version this upcaster reads.
        fn: The upgrade function.

    Raises:
        ValidationError: ``from_schema`` is not a positive integer.
    """
    if isinstance(from_schema, bool) or not isinstance(from_schema, int) or from_schema < 1:
        raise ValidationError.single("from_schema", from_schema, "must be a positive integer")
    _UPCASTERS[(type_name, from_schema)] = fn


# --- hooks -----------------------------------------------------------------


def _fail(value: Any, message: str) -> ValidationError:
    return ValidationError.single("", value, message)


def _structure_datetime(value: Any, _: type) -> datetime:
    if isinstance(value, datetime):
        result = value
    elif isinstance(value, str):
        try:
            result = datetime.fromisoformat(value)
        except ValueError:
            raise _fail(value, "is not an ISO 8601 datetime") from None
    else:
        raise _fail(value, "must be an ISO 8601 datetime string")
    if result.tzinfo is None or result.utcoffset() is None:
        raise _fail(value, "must carry a UTC offset (naive datetimes are refused)")
    return result


def _structure_date(value: Any, _: type) -> date:
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise _fail(value, "must be an ISO 8601 date string (YYYY-MM-DD)")


def _structure_time(value: Any, _: type) -> time:
    if isinstance(value, time):
        return value
    if isinstance(value, str):
        try:
            return time.fromisoformat(value)
        except ValueError:
            pass
    raise _fail(value, "must be an ISO 8601 time string (HH:MM[:SS])")


def _unstructure_timedelta(value: timedelta) -> int | float:
    if value.microseconds:
        return value.total_seconds()
    return value.days * 86400 + value.seconds


def _structure_timedelta(value: Any, _: type) -> timedelta:
    if isinstance(value, timedelta):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        try:
            return timedelta(seconds=value)
        except (OverflowError, ValueError):
            pass
    raise _fail(value, "must be a duration in seconds")


def _structure_decimal(value: Any, _: type) -> Decimal:
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return Decimal(value)
    if isinstance(value, str):
        try:
            result = Decimal(value.strip())
        except InvalidOperation:
            pass
        else:
            if result.is_finite():
                return result
    raise _fail(value, "must be a decimal number written as a string")


def _structure_str(value: Any, _: type) -> str:
    if type(value) is str:
        return value
    if isinstance(value, str):  # a StrEnum member
        return str(value)
    raise _fail(value, "must be a string")


def _structure_optional_str(value: Any, _: Any) -> str | None:
    if value is None or type(value) is str:
        return value
    if isinstance(value, str):  # a StrEnum member
        return str(value)
    raise _fail(value, "must be a string or null")


def _identity(value: Any) -> Any:
    return value


def _is_simple_optional(t: Any) -> bool:
    """``X | None`` for one type ``X`` (unions of several types are left to cattrs)."""
    if typing.get_origin(t) not in (typing.Union, types.UnionType):
        return False
    args = typing.get_args(t)
    return len(args) == 2 and type(None) in args


def _structure_int(value: Any, _: type) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    raise _fail(value, "must be an integer")


def _structure_float(value: Any, _: type) -> float:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    raise _fail(value, "must be a number")


def _structure_bool(value: Any, _: type) -> bool:
    if isinstance(value, bool):
        return value
    raise _fail(value, "must be true or false")


def _structure_enum(value: Any, cls: type[enum.Enum]) -> enum.Enum:
    try:
        return cls(value)
    except ValueError:
        allowed = ", ".join(repr(m.value) for m in cls)
        raise _fail(value, f"must be one of {allowed}") from None


def _is_frozenset(t: Any) -> bool:
    origin = getattr(t, "__origin__", t)
    return origin in (frozenset, set)


def _json_sort_key(item: Any) -> str:
    return json.dumps(item, sort_keys=True, default=str)


# --- values of type Any: tagged so that they come back as they went in ------


def _encode_any(conv: cattrs.Converter, value: Any) -> Any:
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return value
    if isinstance(value, enum.Enum):
        return _encode_any(conv, value.value)
    if isinstance(value, Decimal):
        return {"$decimal": str(value)}
    if isinstance(value, datetime):
        return {"$datetime": value.isoformat()}
    if isinstance(value, date):
        return {"$date": value.isoformat()}
    if isinstance(value, time):
        return {"$time": value.isoformat()}
    if isinstance(value, timedelta):
        return {"$timedelta": _unstructure_timedelta(value)}
    if isinstance(value, tuple):
        return {"$tuple": [_encode_any(conv, v) for v in value]}
    if isinstance(value, list):
        return [_encode_any(conv, v) for v in value]
    if isinstance(value, frozenset | set):
        items = [_encode_any(conv, v) for v in value]
        return {"$frozenset": sorted(items, key=_json_sort_key)}
    if isinstance(value, Mapping):
        if all(isinstance(k, str) and not k.startswith("$") for k in value):
            return {k: _encode_any(conv, v) for k, v in value.items()}
        return {"$map": [[_encode_any(conv, k), _encode_any(conv, v)] for k, v in value.items()]}
    if attrs.has(type(value)):
        register_type(type(value))
        return {"$obj": _document(conv, value)}
    raise ValidationError.single("", value, f"cannot serialise a {type(value).__name__}")


def _decode_any(conv: cattrs.Converter, value: Any) -> Any:
    if isinstance(value, list):
        return [_decode_any(conv, v) for v in value]
    if not isinstance(value, dict):
        return value
    if len(value) == 1:
        ((tag, inner),) = value.items()
        if tag == "$decimal":
            return _structure_decimal(inner, Decimal)
        if tag == "$datetime":
            return _structure_datetime(inner, datetime)
        if tag == "$date":
            return _structure_date(inner, date)
        if tag == "$time":
            return _structure_time(inner, time)
        if tag == "$timedelta":
            return _structure_timedelta(inner, timedelta)
        if tag == "$tuple":
            return tuple(_decode_any(conv, v) for v in inner)
        if tag == "$frozenset":
            return frozenset(_decode_any(conv, v) for v in inner)
        if tag == "$map":
            return {_decode_any(conv, k): _decode_any(conv, v) for k, v in inner}
        if tag == "$obj":
            name = inner.get("_type") if isinstance(inner, dict) else None
            cls = _TYPES.get(name) if isinstance(name, str) else None
            if cls is None and isinstance(name, str) and _load_types():
                cls = _TYPES.get(name)
            if cls is None:
                raise _fail(name, "unknown _type")
            return _read_document(conv, cls, inner, exact=True)
    return {k: _decode_any(conv, v) for k, v in value.items()}


# --- documents --------------------------------------------------------------


def _document(conv: cattrs.Converter, obj: Any) -> dict[str, Any]:
    cls = type(obj)
    data = conv.unstructure(obj, unstructure_as=cls)
    data["_type"] = type_name(cls)
    data["_schema"] = schema_of(cls)
    return cast(dict[str, Any], data)


def _upcast(name: str, cls: type, data: dict[str, Any]) -> dict[str, Any]:
    target = schema_of(cls)
    version = data.get("_schema", target)
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise ValidationError.single("_schema", version, "must be a positive integer")
    if version > target:
        raise ValidationError.single(
            "_schema", version, f"is newer than this version of salescore reads ({target})"
        )
    while version < target:
        fn = _UPCASTERS.get((name, version))
        if fn is None:
            raise ValidationError.single(
                "_schema", version, f"no upcaster registered for {name} from schema {version}"
            )
        data = fn(dict(data))
        version += 1
    return data


def _read_document(conv: cattrs.Converter, cls: type[T], data: Any, *, exact: bool) -> T:
    if not isinstance(data, Mapping):
        raise _fail(data, f"must be a mapping for a {type_name(cls)}")
    name = data.get("_type", type_name(cls))
    if not isinstance(name, str):
        raise ValidationError.single("_type", name, "must be a string")
    target: type = cls
    if name != type_name(cls):
        candidate = _TYPES.get(name) or _subclass_named(cls, name)
        if candidate is None and _load_types():
            candidate = _TYPES.get(name) or _subclass_named(cls, name)
        if exact or candidate is None or not issubclass(candidate, cls):
            raise ValidationError.single("_type", name, f"expected {type_name(cls)}")
        target = candidate
    if data.get("_schema", 1) == schema_of(target):
        body = {k: v for k, v in data.items() if k != "_type" and k != "_schema"}
    else:
        body = _upcast(name, target, dict(data))
        body.pop("_type", None)
        body.pop("_schema", None)
    return cast(T, conv.structure(body, target))


def _subclass_named(base: type, name: str) -> type | None:
    stack: list[type] = list(base.__subclasses__())
    while stack:
        sub = stack.pop()
        if type_name(sub) == name:
            return sub
        stack.extend(sub.__subclasses__())
    return None


def _install_polymorphic(conv: cattrs.Converter, base: type) -> None:
    def matches(t: Any) -> bool:
        return isinstance(t, type) and t is base

    def unstructure(obj: Any) -> Any:
        return _document(conv, obj)

    # Fast path: documents of a known subclass at its current schema go
    # straight to that subclass's hook; anything else takes the full route.
    known: dict[str, tuple[type, int, Callable[[Any, Any], Any]]] = {}

    def structure(data: Any, _: type) -> Any:
        if type(data) is dict:
            entry = known.get(data.get("_type"))  # type: ignore[arg-type]
            if entry is not None and data.get("_schema", 1) == entry[1]:
                body = {k: v for k, v in data.items() if k != "_type" and k != "_schema"}
                return entry[2](body, entry[0])
        result: Any = _read_document(conv, base, data, exact=False)
        cls = type(result)
        known.setdefault(type_name(cls), (cls, schema_of(cls), conv.get_structure_hook(cls)))
        return result

    conv.register_unstructure_hook_func(matches, unstructure)
    conv.register_structure_hook_func(matches, structure)


def _make_converter(detailed: bool) -> cattrs.Converter:
    conv = cattrs.Converter(detailed_validation=detailed, forbid_extra_keys=True)
    conv.register_unstructure_hook(datetime, datetime.isoformat)
    conv.register_structure_hook(datetime, _structure_datetime)
    conv.register_unstructure_hook(date, date.isoformat)
    conv.register_structure_hook(date, _structure_date)
    conv.register_unstructure_hook(time, time.isoformat)
    conv.register_structure_hook(time, _structure_time)
    conv.register_unstructure_hook(timedelta, _unstructure_timedelta)
    conv.register_structure_hook(timedelta, _structure_timedelta)
    conv.register_unstructure_hook(Decimal, str)
    conv.register_structure_hook(Decimal, _structure_decimal)
    # Strict scalars. Enums get their own hooks so that a ``StrEnum`` (which
    # is also a ``str``) is not caught by the ``str`` hook.
    conv.register_structure_hook(str, _structure_str)
    conv.register_structure_hook(int, _structure_int)
    conv.register_structure_hook(float, _structure_float)
    conv.register_structure_hook(bool, _structure_bool)
    for kind in (enum.Enum, enum.StrEnum, enum.IntEnum):
        conv.register_structure_hook(kind, _structure_enum)

    def optional_hook(t: Any) -> Callable[[Any, Any], Any]:
        (inner_type,) = [a for a in typing.get_args(t) if a is not type(None)]
        if inner_type is str:
            return _structure_optional_str
        inner = conv.get_structure_hook(inner_type)

        def structure_optional(value: Any, _: Any) -> Any:
            return None if value is None else inner(value, inner_type)

        return structure_optional

    conv.register_structure_hook_factory(_is_simple_optional, optional_hook)

    def optional_unstructure_hook(t: Any) -> Callable[[Any], Any]:
        (inner_type,) = [a for a in typing.get_args(t) if a is not type(None)]
        if inner_type in (str, int, bool):
            return _identity
        inner = conv.get_unstructure_hook(inner_type)

        def unstructure_optional(value: Any) -> Any:
            return None if value is None else inner(value)

        return unstructure_optional

    conv.register_unstructure_hook_factory(_is_simple_optional, optional_unstructure_hook)

    def unstructure_set(value: Any) -> list[Any]:
        return sorted((conv.unstructure(v) for v in value), key=_json_sort_key)

    conv.register_unstructure_hook_func(_is_frozenset, unstructure_set)

    def is_any(t: Any) -> bool:
        return t is Any

    conv.register_unstructure_hook_func(is_any, lambda v: _encode_any(conv, v))
    conv.register_structure_hook_func(is_any, lambda v, _: _decode_any(conv, v))
    for base in _POLYMORPHIC:
        _install_polymorphic(conv, base)
    return conv


_fast = _make_converter(detailed=False)
_detailed = _make_converter(detailed=True)


def _collect(exc: BaseException, path: str, out: list[FieldError]) -> None:
    if isinstance(exc, BaseValidationError):
        for sub in exc.exceptions:
            sub_path = path
            for note in getattr(sub, "__notes__", ()):
                if isinstance(note, AttributeValidationNote):
                    sub_path = f"{path}.{note.name}" if path else note.name
                    break
                if isinstance(note, IterableValidationNote):
                    sub_path = (
                        f"{path}[{note.index!r}]"
                        if isinstance(note.index, str)
                        else f"{path}[{note.index}]"
                    )
                    break
            _collect(sub, sub_path, out)
    elif isinstance(exc, ForbiddenExtraKeysError):
        for key in sorted(exc.extra_fields):
            out.append(FieldError(f"{path}.{key}" if path else key, None, "unknown field"))
    elif isinstance(exc, ValidationError):
        out.extend(e.prefixed(path) for e in exc.errors)
    elif isinstance(exc, KeyError):
        key = str(exc.args[0]) if exc.args else ""
        if path.rsplit(".", 1)[-1] != key:
            path = f"{path}.{key}" if path else key
        out.append(FieldError(path, None, "required field is missing"))
    else:
        out.append(FieldError(path, None, f"{type(exc).__name__}: {exc}"))


def _structure_reporting(cls: type[T], data: Any, *, exact: bool) -> T:
    try:
        return _read_document(_fast, cls, data, exact=exact)
    except Exception:
        pass
    try:
        return _read_document(_detailed, cls, data, exact=exact)
    except ValidationError:
        raise
    except Exception as exc:
        errors: list[FieldError] = []
        _collect(exc, "", errors)
        if not errors:  # pragma: no cover - defensive
            errors.append(FieldError("", data, str(exc)))
        raise ValidationError(errors, type_name(cls)) from exc


# --- public API -------------------------------------------------------------


def to_dict(obj: Any) -> dict[str, Any]:
    """Turn a salescore object into JSON-ready data with ``_type`` and ``_schema``.

    Args:
        obj: An instance of an attrs class (any salescore value, entity,
            event or aggregate).

    Returns:
        A dict of plain values (str, int, float, bool, None, lists, dicts).

    Raises:
        ValidationError: ``obj`` is not a serialisable object.
    """
    if not attrs.has(type(obj)):
        raise ValidationError.single("obj", obj, "must be an attrs instance (a salescore object)")
    register_type(type(obj))
    return _document(_fast, obj)


def from_dict(cls: type[T], data: Mapping[str, Any]) -> T:
    """Rebuild an object of ``cls`` (or a subclass named by ``_type``) from data.

    Older documents are upgraded by the registered upcasters first.

    Args:
        cls: The expected class.
        data: A document as made by :func:`to_dict`.

    Returns:
        The object, validated.

    Raises:
        ValidationError: listing every problem with its path.
    """
    return _structure_reporting(cls, data, exact=False)


def to_json(obj: Any) -> str:
    """Serialise to compact JSON with sorted keys (byte-identical for equal objects).

    Args:
        obj: A salescore object.

    Returns:
        The JSON text.

    Raises:
        ValidationError: ``obj`` is not serialisable.
    """
    return json.dumps(to_dict(obj), sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def from_json(cls: type[T], text: str | bytes) -> T:
    """Parse JSON text made by :func:`to_json` back into an object of ``cls``.

    Args:
        cls: The expected class.
        text: The JSON document.

    Returns:
        The object.

    Raises:
        ValidationError: the text is not JSON, or the document is invalid.
    """
    try:
        data = json.loads(text)
    except (ValueError, TypeError) as exc:
        raise ValidationError.single("", text, f"is not valid JSON: {exc}") from None
    return from_dict(cls, data)
