"""The codec: every salescore document type, known by name at import, to and from JSON.

A :class:`Codec` turns salescore objects into plain, JSON-ready data and
back, validating everything on the way and reporting every problem at once as
a :class:`~salescore.errors.ValidationError` with paths such as
``history[3].at``. The module functions :func:`to_dict`, :func:`from_dict`,
:func:`to_json`, :func:`from_json`, :func:`register_type` and
:func:`register_upcaster` use one default instance, :data:`default_codec`.

Every type that can appear in a document is registered by name, explicitly,
when its module is imported (``@register_type``, with ``aliases`` so that a
renamed class still reads old documents). Nothing is registered as a side
effect of writing an object, and no class hierarchy is searched: a document
written by one process loads in any other that imported the same modules.

Documents carry ``"_type"`` (the registered name) and ``"_schema"`` (the
class attribute ``__schema__``, 1 unless a class raises it). When a class's
shape changes, raise its ``__schema__`` and register an upcaster that turns an
old document into the next version::

    register_upcaster("Lead", 1, lambda doc: {**doc, "score": doc.get("score", 0)})

An aggregate's document is its history: ``_type``, ``_schema``, ``id``,
``version`` and ``history`` (a list of event documents); its state is rebuilt
by replaying the events, so a document cannot disagree with itself.
``to_json`` writes canonical JSON: compact, keys sorted, and equal objects
give identical bytes (see ``docs/documents.md``).
"""

from __future__ import annotations

import enum
import itertools
import json
import math
import typing
from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any, Final, TypeVar, cast

import attrs
import cattrs
import orjson
from cattrs.cols import is_any_set, is_mapping, is_sequence
from cattrs.errors import (
    AttributeValidationNote,
    BaseValidationError,
    ForbiddenExtraKeysError,
    IterableValidationNote,
)

from salescore._validation import member_named
from salescore.errors import FieldError, ValidationError
from salescore.frozen import EMPTY, FrozenDict, seal, utc
from salescore.money import Money

__all__ = [
    "Codec",
    "canonical_decimal",
    "default_codec",
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

_INT_MIN, _INT_MAX = -(2**63), 2**63 - 1
_AGGREGATE_KEYS = frozenset({"_type", "_schema", "id", "version", "history"})
_UNSEEN: Any = object()


def schema_of(cls: type) -> int:
    """The current schema version of a class (``__schema__``, default 1)."""
    return int(getattr(cls, "__schema__", 1))


def canonical_decimal(value: Decimal) -> str:
    """The canonical text of a decimal: equal numbers give the same text.

    No trailing fractional zeros, no exponent for ordinary magnitudes, ``"0"``
    for every zero: ``Decimal("1.50")`` and ``Decimal("1.5")`` both give
    ``"1.5"``, ``Decimal("1E+2")`` gives ``"100"``. No digit is lost (the
    decimal context's precision is not applied). A :class:`~salescore.money.Money`
    amount is written this way.

    Raises:
        ValidationError: ``value`` is not finite.
    """
    if not value.is_finite():
        raise ValidationError.single("", value, "must be a finite number")
    text = str(value)
    if "E" in text or len(text) > 32:
        return _canonical_digits(value)
    if not value:
        return "0"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def _canonical_digits(value: Decimal) -> str:
    """:func:`canonical_decimal` of a finite decimal, from its digits and exponent."""
    sign, digits, exp = value.as_tuple()
    assert isinstance(exp, int)
    if not any(digits):
        return "0"
    ds = list(digits)
    while ds[-1] == 0:
        ds.pop()
        exp += 1
    text = "".join(map(str, ds))
    if 0 <= exp <= 32:
        body = text + "0" * exp
    elif exp < 0 and -exp <= len(text) + 32:
        if -exp >= len(text):
            body = "0." + "0" * (-exp - len(text)) + text
        else:
            body = f"{text[:exp]}.{text[exp:]}"
    else:
        return str(Decimal((sign, tuple(ds), exp)))
    return "-" + body if sign else body


def _fail(value: Any, message: str) -> ValidationError:
    return ValidationError.single("", value, message)


# --- scalar hooks ----------------------------------------------------------------------------


def _structure_datetime(value: Any, _: Any = None) -> datetime:
    if type(value) is str:
        try:
            result = datetime.fromisoformat(value)
        except ValueError:
            raise _fail(value, "is not an ISO 8601 datetime") from None
    elif isinstance(value, datetime):
        result = value
    else:
        raise _fail(value, "must be an ISO 8601 datetime string")
    return utc(result)


def _unstructure_datetime(value: datetime) -> str:
    return utc(value).isoformat()


_D = TypeVar("_D", date, time)


def _from_iso(cls: type[_D], message: str) -> Callable[..., _D]:
    """A structure hook taking a ``cls`` as it is, or its ISO 8601 text."""

    def structure(value: Any, _: Any = None) -> _D:
        if isinstance(value, cls) and not isinstance(value, datetime):
            return value
        if type(value) is str:
            try:
                return cls.fromisoformat(value)
            except ValueError:
                pass
        raise _fail(value, message)

    return structure


_structure_date = _from_iso(date, "must be an ISO 8601 date string (YYYY-MM-DD)")
_structure_time = _from_iso(time, "must be an ISO 8601 time string (HH:MM[:SS])")


def _unstructure_timedelta(value: timedelta) -> int | float:
    if value.microseconds:
        return value.total_seconds()
    return value.days * 86400 + value.seconds


def _structure_timedelta(value: Any, _: Any = None) -> timedelta:
    if isinstance(value, timedelta):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        try:
            return timedelta(seconds=value)
        except (OverflowError, ValueError):
            pass
    raise _fail(value, "must be a duration in seconds")


def _structure_decimal(value: Any, _: Any = None) -> Decimal:
    if isinstance(value, Decimal):
        result = value
    elif type(value) is int:
        result = Decimal(value)
    elif type(value) is str and len(value) <= 200:
        try:
            result = Decimal(value.strip())
        except InvalidOperation:
            raise _fail(value, "must be a decimal number written as a string") from None
    else:
        raise _fail(value, "must be a decimal number written as a string")
    if not result.is_finite() or abs(result.adjusted()) > 1000:
        raise _fail(value, "must be a finite decimal number of reasonable magnitude")
    return result


def _structure_str(value: Any, _: Any = None) -> str:
    if type(value) is str:
        return value
    if isinstance(value, str):  # a StrEnum member
        return str(value)
    raise _fail(value, "must be a string")


def _structure_optional_str(value: Any, _: Any = None) -> str | None:
    if value is None or type(value) is str:
        return value
    if isinstance(value, str):
        return str(value)
    raise _fail(value, "must be a string or null")


def _structure_int(value: Any, _: Any = None) -> int:
    if type(value) is int:
        if _INT_MIN <= value <= _INT_MAX:
            return value
        raise _fail(value, "is out of the 64-bit integer range")
    raise _fail(value, "must be an integer")


def _structure_float(value: Any, _: Any = None) -> float:
    if type(value) is float:
        if math.isfinite(value):
            return value
        raise _fail(value, "must be a finite number")
    if type(value) is int and _INT_MIN <= value <= _INT_MAX:
        return float(value)
    raise _fail(value, "must be a number")


def _unstructure_float(value: float) -> float:
    return 0.0 if value == 0 else value  # -0.0 == 0.0: one text for both


def _structure_bool(value: Any, _: Any = None) -> bool:
    if type(value) is bool:
        return value
    raise _fail(value, "must be true or false")


def _structure_enum(value: Any, cls: type[enum.Enum]) -> enum.Enum:
    if type(value) is cls:  # the common case, without a call
        return value
    member = member_named(cls, value)
    if member is not None:
        return member
    allowed = ", ".join(repr(m.value) for m in cls)
    raise _fail(value, f"must be one of {allowed}")


def _unstructure_money(value: Money) -> dict[str, Any]:
    return {"amount": canonical_decimal(value.amount), "currency": value.currency}


def _structure_money(value: Any, _: Any = None) -> Money:
    if type(value) is dict and len(value) == 2 and "amount" in value and "currency" in value:
        return Money(_structure_decimal(value["amount"]), _structure_str(value["currency"]))
    if type(value) is not dict:
        raise _fail(value, "must be an object with amount and currency")
    extra = sorted(k for k in value if k not in ("amount", "currency", "_type", "_schema"))
    errors = [FieldError(k, None, "unknown field") for k in extra[:20]]
    for key in ("amount", "currency"):
        if key not in value:
            errors.append(FieldError(key, None, "required field is missing"))
    if errors:
        raise ValidationError(errors, "Money")
    return Money(_structure_decimal(value["amount"]), _structure_str(value["currency"]))


def _sort_key(item: Any) -> bytes:
    return orjson.dumps(item, option=orjson.OPT_SORT_KEYS)


def _is_simple_optional(t: Any) -> bool:
    """``X | None`` for one type ``X`` (unions of several types are left to cattrs)."""
    if typing.get_origin(t) not in (typing.Union, __import__("types").UnionType):
        return False
    args = typing.get_args(t)
    return len(args) == 2 and type(None) in args


def _identity(value: Any) -> Any:
    return value


def _index_path(key: Any) -> str:
    if type(key) is str and key.isidentifier():
        return key
    return f"[{key!r}]" if not isinstance(key, int) else f"[{key}]"


def _join(prefix: str, path: str) -> str:
    if not path:
        return prefix
    if path.startswith("["):
        return prefix + path
    return f"{prefix}.{path}" if prefix else path


def _collect(exc: BaseException, path: str, out: list[FieldError]) -> None:
    """Turn a (cattrs or salescore) exception into field errors with paths."""
    if isinstance(exc, BaseValidationError):
        for sub in exc.exceptions:
            sub_path = path
            for note in getattr(sub, "__notes__", ()):
                if isinstance(note, AttributeValidationNote):
                    sub_path = _join(path, note.name)
                    break
                if isinstance(note, IterableValidationNote):
                    sub_path = _join(path, _index_path(note.index))
                    break
            _collect(sub, sub_path, out)
    elif isinstance(exc, ForbiddenExtraKeysError):
        for key in sorted(exc.extra_fields):
            out.append(FieldError(_join(path, str(key)), None, "unknown field"))
    elif isinstance(exc, ValidationError):
        out.extend(e.prefixed(path) for e in exc.errors)
    elif isinstance(exc, KeyError):
        key = str(exc.args[0]) if exc.args else ""
        if path.rsplit(".", 1)[-1] != key:
            path = _join(path, key)
        out.append(FieldError(path, None, "required field is missing"))
    elif isinstance(exc, RecursionError):
        out.append(FieldError(path, None, "is nested too deeply"))
    else:
        out.append(FieldError(path, None, f"is malformed ({type(exc).__name__})"))


#: A tagged scalar in a free-form value (``{"$date": "2026-03-02"}``) → its structure hook.
_TAGGED_SCALARS: Final[dict[str, Callable[[Any], Any]]] = {
    "$decimal": _structure_decimal,
    "$datetime": _structure_datetime,
    "$date": _structure_date,
    "$time": _structure_time,
    "$timedelta": _structure_timedelta,
}


#: Type → its unstructure hook (``None``: cattrs' own) and its structure hook.
_SCALAR_HOOKS: Final[tuple[tuple[type, Callable[[Any], Any] | None, Callable[..., Any]], ...]] = (
    (datetime, _unstructure_datetime, _structure_datetime),
    (date, date.isoformat, _structure_date),
    (time, time.isoformat, _structure_time),
    (timedelta, _unstructure_timedelta, _structure_timedelta),
    (Decimal, canonical_decimal, _structure_decimal),
    (Money, _unstructure_money, _structure_money),
    (str, None, _structure_str),
    (int, None, _structure_int),
    (float, _unstructure_float, _structure_float),
    (bool, None, _structure_bool),
)

# --- the codec ---------------------------------------------------------------------------------


class Codec:
    """Types by name, upcasters and the converters between objects and documents.

    The module functions use :data:`default_codec`; make your own instance
    only to keep a separate set of types (a plug-in's, a test's).

    Plain attrs classes are read and written by functions generated once per
    class (straight-line code, the common scalar fields checked inline); a
    document they do not handle is read by the generic, detailed hooks, which
    name every problem. ``Codec(generated=False)`` uses the generic hooks
    only: the same documents, the same errors, more slowly.

    Args:
        generated: Use the generated readers and writers (default ``True``).
    """

    def __init__(self, *, generated: bool = True) -> None:
        self._generated = generated
        self._types: dict[str, type] = {}
        self._names: dict[type, str] = {}
        self._upcasters: dict[tuple[str, int], Upcaster] = {}
        self._polymorphic: list[type] = []
        self._codecs: list[tuple[type, Callable[[Any], Any], Callable[[Any], Any]]] = []
        self._history_hints: dict[type, Any] = {}
        self._writers: dict[int, dict[type, Callable[[Any], Any]]] = {}
        self._loaders: list[Callable[[], object]] = []
        self._top_writers: dict[type, Callable[[Any], dict[str, Any]]] = {}
        self._aggregate_specs: dict[type, tuple[str, int, type] | None] = {}
        self._event_readers: dict[tuple[type, str], tuple[int, Callable[[Any, Any], Any]] | None]
        self._event_readers = {}
        self._fast = self._make_converter(detailed=False)
        self._detailed = self._make_converter(detailed=True)

    # --- registration ------------------------------------------------------------------

    def add_type_loader(self, load: Callable[[], object]) -> None:
        """Run ``load`` (once) before a document's unknown ``_type`` is refused.

        Lazily loaded packages use this to import the modules that register
        their types, so a document loads in a fresh process whatever was
        imported before.
        """
        self._loaders.append(load)

    def _lookup(self, name: Any) -> type | None:
        """The class registered under ``name``, running pending type loaders once."""
        cls = self._types.get(name)
        if cls is None and self._loaders and type(name) is str:
            loaders, self._loaders = self._loaders, []
            for load in loaders:
                load()
            cls = self._types.get(name)
        return cls

    def _forget(self) -> None:
        """Drop the cached readers and writers (a registration may change them)."""
        self._top_writers.clear()
        for writers in self._writers.values():
            writers.clear()
        self._aggregate_specs.clear()
        self._event_readers.clear()

    def register(
        self, cls: type[T], *, name: str | None = None, aliases: tuple[str, ...] = ()
    ) -> type[T]:
        """Register ``cls`` as a document type under ``name`` (default: its class name).

        Args:
            cls: An attrs class (or a class with a codec).
            name: The ``_type`` written in documents.
            aliases: Older names that still read as ``cls``.

        Returns:
            ``cls`` unchanged.

        Raises:
            ValidationError: the name or an alias is taken by another class,
                or ``cls`` is already registered under another name.
        """
        main = cls.__name__ if name is None else name
        if not isinstance(main, str) or not main.isidentifier():
            raise ValidationError.single("name", main, "must be an identifier")
        known_name = self._names.get(cls)
        if known_name is not None and known_name != main:
            raise ValidationError.single(
                "name", main, f"{cls.__qualname__} is already registered as {known_name!r}"
            )
        for each in (main, *aliases):
            known = self._types.get(each)
            if known is not None and known is not cls:
                raise ValidationError.single(
                    "name", each, f"already used by {known.__module__}.{known.__qualname__}"
                )
        self._forget()
        self._names[cls] = main
        self._types[main] = cls
        for alias in aliases:
            self._types[alias] = cls
        return cls

    def register_polymorphic(self, base: type[T]) -> type[T]:
        """Serialise fields typed as ``base`` by their concrete (registered) subclass.

        Each element is written with ``"_type"`` and ``"_schema"`` and read back
        as the registered type of that name, which must be a subclass of ``base``.

        Returns:
            ``base`` unchanged.
        """
        if base not in self._polymorphic:
            self._forget()
            self._polymorphic.append(base)
            self._install_polymorphic(self._fast, base, self._generated)
            self._install_polymorphic(self._detailed, base, False)
        return base

    def register_codec(
        self,
        base: type[T],
        encode: Callable[[T], Any],
        decode: Callable[[Any], T],
        *,
        name: str | None = None,
    ) -> None:
        """Serialise ``base`` and its subclasses with their own functions.

        For types that have their own data form, such as rules (their JSON
        form). A top-level document of such a type is
        ``{"_type": name, "_schema": 1, "value": encode(obj)}``.

        Args:
            base: The class; fields typed as it or a subclass use the codec.
            encode: Object → JSON-ready data.
            decode: Data → object; raises :class:`ValidationError` on bad data.
            name: The ``_type`` of its documents (default: the class name).
        """

        def matches(t: Any) -> bool:
            return isinstance(t, type) and issubclass(t, base)

        def structure(data: Any, _: type) -> T:
            return decode(data)

        for conv in (self._fast, self._detailed):
            conv.register_unstructure_hook_func(matches, encode)
            conv.register_structure_hook_func(matches, structure)
        self._forget()
        self._codecs.append((base, encode, decode))
        self.register(base, name=name)

    def register_upcaster(self, type_name: str, from_schema: int, fn: Upcaster) -> None:
        """Register a function that upgrades ``type_name`` documents from ``from_schema``.

        The function takes the document at version ``from_schema`` and returns
        it at ``from_schema + 1``; upcasters chain up to the class's current schema.

        Raises:
            ValidationError: ``from_schema`` is not a positive integer.
        """
        if type(from_schema) is not int or from_schema < 1:
            raise ValidationError.single("from_schema", from_schema, "must be a positive integer")
        self._upcasters[(type_name, from_schema)] = fn

    def name_of(self, cls: type) -> str:
        """The registered ``_type`` name of ``cls`` (or of its codec base).

        Raises:
            ValidationError: ``cls`` is not a registered document type.
        """
        name = self._names.get(cls)
        if name is not None:
            return name
        for base, _, _ in self._codecs:
            if issubclass(cls, base):
                return self._names[base]
        raise ValidationError.single(
            "_type",
            cls.__qualname__,
            "is not a registered document type (register it with register_type)",
        )

    def _codec_named(self, cls: type, name: str) -> bool:
        return any(issubclass(cls, b) and self._names[b] == name for b, _, _ in self._codecs)

    def known_types(self) -> dict[str, type]:
        """Every registered name (and alias) and its class."""
        return dict(self._types)

    # --- public conversions --------------------------------------------------------------

    def to_dict(self, obj: Any) -> dict[str, Any]:
        """Turn a registered object into JSON-ready data with ``_type`` and ``_schema``.

        Raises:
            ValidationError: ``obj`` is not of a registered document type, or
                holds a value that cannot be written.
        """
        write = self._top_writers.get(type(obj))
        if write is None:
            write = self._top_writer(type(obj))
        try:
            return write(obj)
        except ValidationError:
            raise
        except Exception as exc:
            raise ValidationError.single("", obj, f"cannot be written ({exc})") from None

    def _top_writer(self, cls: type) -> Callable[[Any], dict[str, Any]]:
        """The function writing a top-level document of ``cls`` (made once, cached)."""
        name = self.name_of(cls)
        schema = schema_of(cls)
        write: Callable[[Any], dict[str, Any]]
        if hasattr(cls, "_from_history"):
            writers = self._writers_of(self._fast)
            writer_of = self._document_writer
            fast = self._fast

            def write(obj: Any) -> dict[str, Any]:
                history = []
                for event in obj.history:
                    write_event = writers.get(event.__class__)
                    if write_event is None:
                        write_event = writer_of(fast, event.__class__)
                    history.append(write_event(event))
                return {
                    "_schema": schema,
                    "_type": name,
                    "history": history,
                    "id": obj.id,
                    "version": obj.version,
                }

        else:
            codec = next(((b, e) for b, e, _ in self._codecs if issubclass(cls, b)), None)
            if codec is not None:
                base_schema, encode = schema_of(codec[0]), codec[1]

                def write(obj: Any) -> dict[str, Any]:
                    return {"_type": name, "_schema": base_schema, "value": encode(obj)}

            else:

                def write(obj: Any) -> dict[str, Any]:
                    return self._event_document(self._fast, obj)

        self._top_writers[cls] = write
        return write

    def from_dict(self, cls: type[T], data: Mapping[str, Any]) -> T:
        """Rebuild an object of ``cls`` (or a registered subclass named by ``_type``).

        Older documents are upgraded by the registered upcasters first; an
        aggregate is rebuilt by replaying its history.

        Raises:
            ValidationError: listing every problem with its path.
        """
        try:
            if self._generated and type(data) is dict and len(data) == 5:
                events = self._plain_history(cls, data)
                if events is not None:
                    return cast(T, self._replayed(cls, data["id"], data["version"], events))
            return self._read_top(cls, data)
        except ValidationError:
            raise
        except Exception as exc:
            errors: list[FieldError] = []
            _collect(exc, "", errors)
            raise ValidationError(errors or [FieldError("", None, "is malformed")]) from None

    def to_json(self, obj: Any) -> str:
        """Canonical JSON: compact, keys sorted, identical for equal objects.

        Raises:
            ValidationError: ``obj`` cannot be written.
        """
        data = self.to_dict(obj)
        try:
            return orjson.dumps(data, option=orjson.OPT_SORT_KEYS).decode()
        except orjson.JSONEncodeError:
            pass
        try:  # integers beyond 64 bits (in a rule's literals): the same canonical form
            return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        except (ValueError, TypeError, RecursionError) as exc:
            raise ValidationError.single("", obj, f"cannot be written as JSON ({exc})") from None

    def from_json(self, cls: type[T], text: str | bytes) -> T:
        """Parse JSON made by :meth:`to_json` back into an object of ``cls``.

        Duplicate keys, non-finite numbers and integers outside 64 bits are
        refused; nesting deeper than 1,024 levels is refused.

        Raises:
            ValidationError: the text is not such JSON, or the document is invalid.
        """
        return self.from_dict(cls, parse_json(text))

    # --- documents ---------------------------------------------------------------------

    def _event_document(self, conv: cattrs.Converter, obj: Any) -> dict[str, Any]:
        """``obj``'s fields with its ``_type`` and ``_schema`` (the writer made once per class)."""
        write = self._writers_of(conv).get(type(obj))
        if write is None:
            write = self._document_writer(conv, type(obj))
        return cast(dict[str, Any], write(obj))

    def _writers_of(self, conv: cattrs.Converter) -> dict[type, Callable[[Any], Any]]:
        """The document writers made so far for ``conv``, by class."""
        return self._writers.setdefault(id(conv), {})

    def _document_writer(self, conv: cattrs.Converter, cls: type) -> Callable[[Any], Any]:
        name, schema = self.name_of(cls), schema_of(cls)
        if self._generated and conv is self._fast and _eligible(cls):
            import salescore._codegen as _codegen

            write = _codegen.make_writer(cls, conv.get_unstructure_hook, header=(name, schema))
        else:
            hook = conv.get_unstructure_hook(cls)

            def write(obj: Any) -> Any:
                data = hook(obj)
                data["_type"] = name
                data["_schema"] = schema
                return data

        self._writers_of(conv)[cls] = write
        return write

    def _resolve(self, cls: type, data: Any) -> tuple[type, dict[str, Any]]:
        """The target class and the body (upcast, without ``_type``/``_schema``)."""
        if type(data) is not dict and not isinstance(data, Mapping):
            raise _fail(_Short(data), f"must be an object (a {cls.__name__} document)")
        name = data.get("_type")
        target: type = cls
        if name is not None:
            if type(name) is not str:
                raise ValidationError.single("_type", name, "must be a string")
            if self._names.get(cls) != name and not self._codec_named(cls, name):
                candidate = self._lookup(name)
                if candidate is None or not (
                    isinstance(candidate, type) and issubclass(candidate, cls)
                ):
                    raise ValidationError.single(
                        "_type", name, f"is not a known {cls.__name__} type"
                    )
                target = candidate
        version = data.get("_schema", None)
        current = schema_of(target)
        body = dict(data)
        body.pop("_type", None)
        body.pop("_schema", None)
        if version is None or (version == current and type(version) is int):
            return target, body
        if type(version) is not int or version < 1:
            raise ValidationError.single("_schema", version, "must be a positive integer")
        if version > current:
            raise ValidationError.single(
                "_schema", version, f"is newer than this version of salescore reads ({current})"
            )
        type_key = self._names.get(target, target.__name__)
        while version < current:
            fn = self._upcasters.get((type_key, version))
            if fn is None:
                raise ValidationError.single(
                    "_schema", version, f"no upcaster registered for {type_key} from {version}"
                )
            body = fn(dict(body))
            body.pop("_type", None)
            body.pop("_schema", None)
            version += 1
        return target, body

    def _read_top(self, cls: type[T], data: Any) -> T:
        if not isinstance(cls, type):
            raise ValidationError.single("cls", cls, "must be a class")
        target, body = self._resolve(cls, data)
        if hasattr(target, "_from_history"):
            return cast(T, self._read_aggregate(target, body))
        for base, _, decode in self._codecs:
            if issubclass(target, base):
                extra = sorted(k for k in body if k != "value")
                if extra or "value" not in body:
                    raise ValidationError(
                        [FieldError(k, None, "unknown field") for k in extra]
                        or [FieldError("value", None, "required field is missing")]
                    )
                result = decode(body["value"])
                if not isinstance(result, cls):
                    raise ValidationError.single(
                        "value", _Short(body["value"]), f"is not a {cls.__name__}"
                    )
                return result
        return cast(T, self._structure(target, body))

    def _structure(self, target: Any, body: Any) -> Any:
        try:
            return self._fast.structure(body, target)
        except Exception:
            pass
        try:
            return self._detailed.structure(body, target)
        except ValidationError:
            raise
        except Exception as exc:
            errors: list[FieldError] = []
            _collect(exc, "", errors)
            if not errors:  # pragma: no cover - defensive
                errors.append(FieldError("", None, "is malformed"))
            raise ValidationError(errors, getattr(target, "__name__", "")) from None

    def _read_aggregate(self, cls: type, body: dict[str, Any]) -> Any:
        errors = [
            FieldError(k, None, "unknown field") for k in sorted(body) if k not in _AGGREGATE_KEYS
        ]
        for key in ("id", "version", "history"):
            if key not in body:
                errors.append(FieldError(key, None, "required field is missing"))
        if errors:
            raise ValidationError(errors[:50], cls.__name__)
        doc_id, version, history = body["id"], body["version"], body["history"]
        if type(doc_id) is not str:
            errors.append(FieldError("id", _Short(doc_id), "must be a string"))
        if type(version) is not int:
            errors.append(FieldError("version", _Short(version), "must be an integer"))
        if type(history) is not list:
            errors.append(FieldError("history", _Short(history), "must be a list of events"))
        if errors:
            raise ValidationError(errors, cls.__name__)
        hint = self._history_hints.get(cls)
        if hint is None:
            hint = typing.get_type_hints(cls)["history"]
            self._history_hints[cls] = hint
        try:
            events = self._structure(hint, history)
        except ValidationError as exc:
            raise exc.prefixed("history") from None
        return self._replayed(cls, doc_id, version, events)

    def _replayed(self, cls: type, doc_id: str, version: int, events: tuple[Any, ...]) -> Any:
        """The aggregate rebuilt from ``events``, checked against the document's id and version."""
        result = getattr(cls, "_from_history")(events)  # noqa: B009
        if result.id != doc_id:
            raise ValidationError.single(
                "id", doc_id, f"disagrees with its history (the events are of {result.id!r})"
            )
        if version != len(events):
            raise ValidationError.single(
                "version", version, f"disagrees with its history ({len(events)} events)"
            )
        return result

    def _plain_history(self, cls: type, data: dict[str, Any]) -> tuple[Any, ...] | None:
        """The events of a current, plain document of aggregate ``cls``, read by generated code.

        ``None`` (never an exception) for anything else: an older ``_schema``,
        an alias, a key too many, a value of another type, an event its class
        refuses… which the generic path then reads or reports with its path.
        """
        spec = self._aggregate_specs.get(cls)
        if spec is None:
            if cls in self._aggregate_specs or not isinstance(cls, type):
                return None
            spec = self._aggregate_spec(cls)
            if spec is None:
                return None
        name, schema, base = spec
        try:
            version = data["_schema"]
            if (
                data["_type"] != name
                or version.__class__ is not int
                or version != schema
                or data["id"].__class__ is not str
                or data["version"].__class__ is not int
            ):
                return None
            history = data["history"]
            if history.__class__ is not list:
                return None
            readers = self._event_readers
            events = []
            for item in history:
                kind = item["_type"]
                entry = readers.get((base, kind), _UNSEEN)
                if entry is _UNSEEN:
                    entry = self._event_reader(base, kind)
                if entry is None:
                    return None
                version = item["_schema"]
                if version.__class__ is not int or version != entry[0]:
                    return None
                events.append(entry[1](item, None))
        except Exception:
            return None
        return tuple(events)

    def _aggregate_spec(self, cls: type) -> tuple[str, int, type] | None:
        spec: tuple[str, int, type] | None = None
        name = self._names.get(cls)
        if name is not None and hasattr(cls, "_from_history"):
            hint = typing.get_type_hints(cls).get("history")
            args = typing.get_args(hint)
            if (
                typing.get_origin(hint) is tuple
                and len(args) == 2
                and args[1] is Ellipsis
                and args[0] in self._polymorphic
            ):
                spec = (name, schema_of(cls), args[0])
        self._aggregate_specs[cls] = spec
        return spec

    def _event_reader(self, base: type, name: Any) -> tuple[int, Callable[[Any, Any], Any]] | None:
        """The generated reader of event documents named ``name`` in a ``base`` field."""
        cls = self._types.get(name) if type(name) is str else None
        if cls is None or self._names.get(cls) != name:  # unknown, or an alias
            return None
        entry: tuple[int, Callable[[Any, Any], Any]] | None = None
        if issubclass(cls, base) and _eligible(cls):
            import salescore._codegen as _codegen

            reader = _codegen.make_reader(cls, self._fast.get_structure_hook, header=2)
            entry = (schema_of(cls), reader)
        self._event_readers[(base, name)] = entry
        return entry

    # --- converters --------------------------------------------------------------------

    def _install_polymorphic(self, conv: cattrs.Converter, base: type, generated: bool) -> None:
        def matches(t: Any) -> bool:
            return t is base

        def unstructure(obj: Any) -> Any:
            return self._event_document(conv, obj)

        hooks: dict[type, Callable[[Any, Any], Any]] = {}
        readers = self._event_readers

        def structure(data: Any, _: type) -> Any:
            if type(data) is dict:
                name = data.get("_type")
                version = data.get("_schema")
                if generated and type(name) is str:
                    entry = readers.get((base, name), _UNSEEN)
                    if entry is _UNSEEN:
                        entry = self._event_reader(base, name)
                    if entry is not None and type(version) is int and version == entry[0]:
                        return entry[1](data, None)
                cls = self._lookup(name)
                if (
                    cls is not None
                    and type(version) is int
                    and version == schema_of(cls)
                    and issubclass(cls, base)
                ):
                    hook = hooks.get(cls)
                    if hook is None:
                        hook = hooks[cls] = conv.get_structure_hook(cls)
                    body = data.copy()
                    del body["_type"], body["_schema"]
                    return hook(body, cls)
                if "_type" not in data:
                    raise ValidationError.single("_type", None, "required field is missing")
            target, body = self._resolve(base, data)
            return conv.structure(body, target)

        conv.register_unstructure_hook_func(matches, unstructure)
        conv.register_structure_hook_func(matches, structure)

    def _make_converter(self, *, detailed: bool) -> cattrs.Converter:
        conv = cattrs.Converter(detailed_validation=detailed, forbid_extra_keys=True)
        generated = self._generated and not detailed
        if generated:
            _install_generated(conv)
        for t, unstructure, structure in _SCALAR_HOOKS:
            if unstructure is not None:
                conv.register_unstructure_hook(t, unstructure)
            conv.register_structure_hook(t, structure)
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

        # Containers: a list is required where a list is expected (a string is
        # not walked character by character), and every item's problem is
        # reported under its index.
        def sequence_hook(t: Any) -> Callable[[Any, Any], Any]:
            origin = typing.get_origin(t) or t
            args = typing.get_args(t)
            if origin is tuple and args and (len(args) != 2 or args[1] is not Ellipsis):
                return _fixed_tuple_hook(conv, args)
            item_t = args[0] if args else Any
            make: Callable[[list[Any]], Any] = frozenset if is_any_set(t) else tuple
            return _sequence_hook(conv, item_t, make)

        def is_container(t: Any) -> bool:
            if t in (str, bytes):
                return False
            return is_sequence(t) or is_any_set(t) or typing.get_origin(t) is tuple

        conv.register_structure_hook_factory(is_container, sequence_hook)

        def mapping_hook(t: Any) -> Callable[[Any, Any], Any]:
            args = typing.get_args(t)
            key_t, value_t = args if len(args) == 2 else (Any, Any)
            return _mapping_hook(conv, key_t, value_t)

        conv.register_structure_hook_factory(is_mapping, mapping_hook)

        def mapping_unstructure(t: Any) -> Callable[[Any], Any]:
            args = typing.get_args(t)
            value_t = args[1] if len(args) == 2 else Any
            inner = conv.get_unstructure_hook(value_t)

            def unstructure_mapping(value: Any) -> dict[Any, Any]:
                return {
                    (k.value if isinstance(k, enum.Enum) else k): inner(v) for k, v in value.items()
                }

            return unstructure_mapping

        conv.register_unstructure_hook_factory(is_mapping, mapping_unstructure)

        def unstructure_set(value: Any) -> list[Any]:
            return sorted((conv.unstructure(v) for v in value), key=_sort_key)

        conv.register_unstructure_hook_func(is_any_set, unstructure_set)

        def is_any(t: Any) -> bool:
            return t is Any

        conv.register_unstructure_hook_func(is_any, lambda v: self._encode_any(conv, v, 0))
        conv.register_structure_hook_func(is_any, lambda v, _: self._decode_any(conv, v, 0))
        for base in self._polymorphic:
            self._install_polymorphic(conv, base, generated)
        return conv

    # --- values of type Any: tagged so that they come back as they went in -----------------

    def _encode_any(self, conv: cattrs.Converter, value: Any, depth: int) -> Any:
        t = type(value)
        if value is None or t is str or t is bool:
            return value
        if t is int:
            if _INT_MIN <= value <= _INT_MAX:
                return value
            raise _fail(_Short(value), "is out of the 64-bit integer range")
        if t is float:
            if not math.isfinite(value):
                raise _fail(value, "must be a finite number")
            return _unstructure_float(value)
        if depth > 64:
            raise _fail(None, "is nested too deeply")
        if isinstance(value, enum.Enum):
            return self._encode_any(conv, value.value, depth + 1)
        if isinstance(value, Decimal):
            return {"$decimal": canonical_decimal(value)}
        if isinstance(value, datetime):
            return {"$datetime": _unstructure_datetime(value)}
        if isinstance(value, date):
            return {"$date": value.isoformat()}
        if isinstance(value, time):
            return {"$time": value.isoformat()}
        if isinstance(value, timedelta):
            return {"$timedelta": _unstructure_timedelta(value)}
        if isinstance(value, tuple | list):
            return [self._encode_any(conv, v, depth + 1) for v in value]
        if isinstance(value, frozenset | set):
            items = [self._encode_any(conv, v, depth + 1) for v in value]
            return {"$set": sorted(items, key=_sort_key)}
        if isinstance(value, Mapping):
            if all(type(k) is str and not k.startswith("$") for k in value):
                return {k: self._encode_any(conv, v, depth + 1) for k, v in value.items()}
            pairs = [
                [self._encode_any(conv, k, depth + 1), self._encode_any(conv, v, depth + 1)]
                for k, v in value.items()
            ]
            return {"$map": sorted(pairs, key=_sort_key)}
        if t is Money:
            return {"$obj": {"_type": "Money", "_schema": 1, **_unstructure_money(value)}}
        if attrs.has(t):
            return {"$obj": self._event_document(conv, value)}
        raise _fail(_Short(value), f"cannot serialise a {t.__name__}")

    def _decode_any(self, conv: cattrs.Converter, value: Any, depth: int) -> Any:
        t = type(value)
        if value is None or t is str or t is bool or t is float:
            return value if t is not float or math.isfinite(value) else _reject_float(value)
        if t is int:
            return _structure_int(value)
        if depth > 64:
            raise _fail(None, "is nested too deeply")
        if t is list:
            return tuple(self._decode_any(conv, v, depth + 1) for v in value)
        if t is not dict:
            raise _fail(_Short(value), "is not a JSON value")
        if len(value) == 1:
            ((tag, inner),) = value.items()
            scalar = _TAGGED_SCALARS.get(tag)
            if scalar is not None:
                return scalar(inner)
            if tag == "$set":
                if type(inner) is not list:
                    raise _fail(_Short(inner), "must be a list")
                return frozenset(self._decode_any(conv, v, depth + 1) for v in inner)
            if tag == "$map":
                if type(inner) is not list or not all(
                    type(p) is list and len(p) == 2 for p in inner
                ):
                    raise _fail(_Short(inner), "must be a list of [key, value] pairs")
                return FrozenDict(
                    (self._decode_any(conv, k, depth + 1), self._decode_any(conv, v, depth + 1))
                    for k, v in inner
                )
            if tag == "$obj":
                name = inner.get("_type") if type(inner) is dict else None
                cls = self._lookup(name) if type(name) is str else None
                if cls is None:
                    raise ValidationError.single("_type", _Short(name), "unknown _type")
                target, body = self._resolve(cls, inner)
                if target is Money:
                    return _structure_money(body)
                return self._structure(target, body)
        if not value:
            return EMPTY
        out = {}
        for k, v in value.items():
            if k.startswith("$"):
                raise ValidationError.single(k, None, "unknown tag")
            try:
                out[k] = self._decode_any(conv, v, depth + 1)
            except ValidationError as exc:
                raise exc.prefixed(_index_path(k)) from None
        return FrozenDict(out)


def _eligible(cls: Any) -> bool:
    """Read and written by generated code: an attrs class whose fields ``__init__`` sets by name."""
    if not (isinstance(cls, type) and attrs.has(cls)):
        return False
    return all(f.init and f.alias == f.name for f in attrs.fields(cls))


def _install_generated(conv: cattrs.Converter) -> None:
    """Make ``conv`` read and write plain attrs classes by generated functions.

    Registered first, so that the hooks registered after it (values with
    their own hooks, polymorphic bases, codecs) still take precedence.
    """
    reading: set[type] = set()
    writing: set[type] = set()

    def reader(cls: type) -> Callable[[Any, Any], Any]:
        import salescore._codegen as _codegen  # when first needed: not by ``import salescore``

        if cls in reading:  # a class reached again through its own fields
            return lambda value, t: conv.get_structure_hook(cls)(value, t)
        reading.add(cls)
        try:
            return _codegen.make_reader(cls, conv.get_structure_hook)
        finally:
            reading.discard(cls)

    def writer(cls: type) -> Callable[[Any], Any]:
        import salescore._codegen as _codegen

        if cls in writing:
            return lambda value: conv.get_unstructure_hook(cls)(value)
        writing.add(cls)
        try:
            return _codegen.make_writer(cls, conv.get_unstructure_hook)
        finally:
            writing.discard(cls)

    conv.register_structure_hook_factory(_eligible, reader)
    conv.register_unstructure_hook_factory(_eligible, writer)


def _reject_float(value: float) -> float:
    raise _fail(value, "must be a finite number")


class _Short:
    """A value shown in an error by its type and size (never walked)."""

    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value

    def __repr__(self) -> str:
        v = self.value
        if isinstance(v, str | bytes | list | dict | tuple):
            head = repr(v[:40]) if isinstance(v, str | bytes | list | tuple) else "{…}"
            return f"<{type(v).__name__} of length {len(v)}: {head}>"
        if type(v) is int and v.bit_length() > 128:
            return f"<int of {v.bit_length()} bits>"
        return repr(v)


def _structure_items(hooks: Iterable[tuple[Any, Any]], value: Iterable[Any]) -> list[Any]:
    """Structure item ``i`` of ``value`` with ``hooks[i]``, a ``(hook, type)`` pair.

    ``hooks`` may be endless. Every failing item is named by its index (the
    first 100 of them).
    """
    out: list[Any] = []
    errors: list[FieldError] = []
    for i, ((hook, t), item) in enumerate(zip(hooks, value, strict=False)):
        try:
            out.append(hook(item, t))
        except Exception as exc:
            _collect(exc, f"[{i}]", errors)
            if len(errors) >= 100:
                break
    if errors:
        raise ValidationError(errors)
    return out


def _sequence_hook(
    conv: cattrs.Converter, item_t: Any, make: Callable[[list[Any]], Any]
) -> Callable[[Any, Any], Any]:
    hooks = itertools.repeat((conv.get_structure_hook(item_t), item_t))

    def structure(value: Any, _: Any) -> Any:
        if type(value) is not list and type(value) is not tuple:
            if isinstance(value, frozenset | set) and make is frozenset:
                value = list(value)
            else:
                raise _fail(_Short(value), "must be a list")
        return make(_structure_items(hooks, value))

    return structure


def _fixed_tuple_hook(conv: cattrs.Converter, args: tuple[Any, ...]) -> Callable[[Any, Any], Any]:
    hooks = [(conv.get_structure_hook(a), a) for a in args]

    def structure(value: Any, _: Any) -> Any:
        if (type(value) is not list and type(value) is not tuple) or len(value) != len(hooks):
            raise _fail(_Short(value), f"must be a list of {len(hooks)} items")
        return tuple(_structure_items(hooks, value))

    return structure


def _mapping_hook(conv: cattrs.Converter, key_t: Any, value_t: Any) -> Callable[[Any, Any], Any]:
    key_hook = conv.get_structure_hook(key_t)
    value_hook = conv.get_structure_hook(value_t)

    def structure(value: Any, _: Any) -> Any:
        if not isinstance(value, dict):
            raise _fail(_Short(value), "must be an object")
        if not value:
            return EMPTY
        out: dict[Any, Any] = {}
        errors: list[FieldError] = []
        for k, v in value.items():
            try:
                key = key_hook(k, key_t)
                out[key] = value_hook(v, value_t)
            except Exception as exc:
                _collect(exc, _index_path(k), errors)
                if len(errors) >= 100:
                    break
        if errors:
            raise ValidationError(errors)
        return FrozenDict(out)

    return structure


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise ValueError(f"duplicate key {key[:40]!r}")
        out[key] = value
    return out


def _strict_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"number out of range: {text[:40]}")
    return value


def _refuse_constant(text: str) -> Any:
    raise ValueError(f"{text} is not JSON")


def parse_json(text: str | bytes) -> Any:
    """Parse JSON strictly: duplicate keys, NaN/Infinity and over-deep nesting are refused.

    Canonical text (what :func:`to_json` writes) takes the fast path: it is
    parsed once and must write back to the same bytes; any other text is
    parsed again strictly.

    Raises:
        ValidationError: the text is not such JSON.
    """
    if not isinstance(text, str | bytes | bytearray):
        raise ValidationError.single("", _Short(text), "must be JSON text (str or bytes)")
    try:
        data = orjson.loads(text)
    except orjson.JSONDecodeError as exc:
        raise ValidationError.single("", _Short(text), f"is not valid JSON ({exc})") from None
    raw = text.encode("utf-8", "surrogatepass") if isinstance(text, str) else bytes(text)
    # Text that writes back to itself has no duplicate key (a dict has none to
    # write), so the strict parser is needed only when it does not. The keys
    # are written in the order read: canonical text is sorted already.
    try:
        if orjson.dumps(data) == raw:
            return data
    except orjson.JSONEncodeError:
        pass
    try:
        return json.loads(
            raw,
            object_pairs_hook=_no_duplicates,
            parse_float=_strict_float,
            parse_constant=_refuse_constant,
        )
    except RecursionError:
        raise ValidationError.single("", _Short(text), "is nested too deeply") from None
    except ValueError as exc:
        raise ValidationError.single("", _Short(text), f"is not valid JSON ({exc})") from None


# --- the default codec and the module functions ---------------------------------------------

default_codec = Codec()
"""The codec the module functions use."""

default_codec.register(Money)


def type_name(cls: type) -> str:
    """The ``_type`` name of a registered class."""
    return default_codec.name_of(cls)


@typing.overload
def register_type(
    cls: type[T], *, name: str | None = None, aliases: tuple[str, ...] = ()
) -> type[T]: ...
@typing.overload
def register_type(
    cls: None = None, *, name: str | None = None, aliases: tuple[str, ...] = ()
) -> Callable[[type[T]], type[T]]: ...
def register_type(
    cls: type[T] | None = None, *, name: str | None = None, aliases: tuple[str, ...] = ()
) -> type[T] | Callable[[type[T]], type[T]]:
    """Register a document type with the default codec; usable as a class decorator.

    ``@register_type`` or ``@register_type(name="Deal", aliases=("Opportunity",))``.
    The class is also sealed (:func:`salescore.frozen.seal`): containers it
    is given are frozen and datetimes held in UTC.

    Args:
        cls: An attrs class.
        name: The ``_type`` written in documents (default: the class name).
        aliases: Older names that still read as this class.

    Returns:
        ``cls`` (or, without ``cls``, a decorator).

    Raises:
        ValidationError: the name is taken by another class.
    """

    def apply(c: type[T]) -> type[T]:
        if attrs.has(c):
            seal(c)
        return default_codec.register(c, name=name, aliases=tuple(aliases))

    return apply if cls is None else apply(cls)


def register_polymorphic(base: type[T]) -> type[T]:
    """Serialise fields typed as ``base`` by their registered subclass (default codec)."""
    return default_codec.register_polymorphic(base)


def register_codec(
    base: type[T],
    encode: Callable[[T], Any],
    decode: Callable[[Any], T],
    *,
    name: str | None = None,
) -> None:
    """Serialise ``base`` and its subclasses with their own functions (default codec)."""
    default_codec.register_codec(base, encode, decode, name=name)


def register_upcaster(type_name: str, from_schema: int, fn: Upcaster) -> None:
    """Register an upcaster of ``type_name`` documents from ``from_schema`` (default codec).

    Raises:
        ValidationError: ``from_schema`` is not a positive integer.
    """
    default_codec.register_upcaster(type_name, from_schema, fn)


def to_dict(obj: Any) -> dict[str, Any]:
    """Turn a salescore object into JSON-ready data with ``_type`` and ``_schema``.

    Args:
        obj: A registered salescore value, entity, event or aggregate.

    Returns:
        A dict of plain values (str, int, float, bool, None, lists, dicts).

    Raises:
        ValidationError: ``obj`` is not of a registered document type.
    """
    return default_codec.to_dict(obj)


def from_dict(cls: type[T], data: Mapping[str, Any]) -> T:
    """Rebuild an object of ``cls`` (or a registered subclass named by ``_type``).

    Args:
        cls: The expected class.
        data: A document as made by :func:`to_dict`.

    Returns:
        The object, validated (an aggregate rebuilt from its history).

    Raises:
        ValidationError: listing every problem with its path.
    """
    return default_codec.from_dict(cls, data)


def to_json(obj: Any) -> str:
    """Serialise to canonical JSON: compact, keys sorted, byte-identical for equal objects.

    Args:
        obj: A salescore object.

    Returns:
        The JSON text.

    Raises:
        ValidationError: ``obj`` cannot be written.
    """
    return default_codec.to_json(obj)


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
    return default_codec.from_json(cls, text)
