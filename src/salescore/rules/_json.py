"""The JSON form of rules: the writer (``Rule.to_dict``) and the reader (``Rule.from_dict``).

The reader builds nodes through the classes it is handed (``NodeKit``) and
reports every problem at once, by path. See ``docs/rules.md``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Container, Mapping
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any, Final, TypeVar

from salescore.errors import FieldError, ValidationError
from salescore.rules._text import FUNCTIONS, MATCH_WORDS, MAX_DEPTH

if TYPE_CHECKING:
    from salescore.rules import _nodes as nodes
    from salescore.rules._nodes import Operand, Rule
    from salescore.rules._text import NodeKit

__all__ = ["iso_duration", "parse_iso_duration", "read_dict", "write_dict"]

_T = TypeVar("_T")
# Reads a node of a known ``type``: (reader, data, path, depth) -> node or None.
_Read = Callable[["_Reader", Mapping[str, Any], str, int], Any]
_COMPARISONS: Final = frozenset({"==", "!=", "<", "<=", ">", ">="})
# The nodes of two operands and an operator: the node's class, the operands'
# keys, the operators and how the error lists them.
_Binary = tuple[str, tuple[str, str], Container[str], str]
_BINARY: Final[dict[str, _Binary]] = {
    "compare": ("Compare", ("left", "right"), _COMPARISONS, "== != < <= > >="),
    "match": ("Match", ("operand", "pattern"), MATCH_WORDS, "contains, starts_with, ends_with"),
}


# --------------------------------------------------------------------------- durations


def iso_duration(value: timedelta) -> str:
    """Format a whole-second duration as ISO 8601 (``P14D``, ``PT3H``, ``-P1DT2H``).

    Args:
        value: A timedelta without fractions of a second.

    Returns:
        The ISO 8601 text (days are the largest unit).
    """
    seconds = value.days * 86400 + value.seconds
    sign = "-" if seconds < 0 else ""
    seconds = abs(seconds)
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    text = f"{sign}P"
    if days:
        text += f"{days}D"
    if hours or minutes or secs or not days:
        text += "T"
        if hours:
            text += f"{hours}H"
        if minutes:
            text += f"{minutes}M"
        if secs or not (days or hours or minutes):
            text += f"{secs}S"
    return text


_ISO_DURATION: Final = re.compile(
    r"(-)?P(?:(\d{1,12})D)?(?:T(?:(\d{1,12})H)?(?:(\d{1,12})M)?(?:(\d{1,12})S)?)?\Z"
)


def parse_iso_duration(text: str) -> timedelta:
    """Parse the ISO 8601 durations written by :func:`iso_duration`.

    Args:
        text: For example ``P14D``, ``PT3H30M`` or ``-P1D``.

    Returns:
        The duration.

    Raises:
        ValueError: ``text`` is not such a duration.
    """
    m = _ISO_DURATION.match(text)
    if m is None or text.endswith(("P", "T")):
        raise ValueError(f"not an ISO 8601 duration of days, hours, minutes, seconds: {text!r}")
    sign, d, h, mi, s = m.groups()
    try:
        total = timedelta(
            days=int(d or 0), hours=int(h or 0), minutes=int(mi or 0), seconds=int(s or 0)
        )
    except OverflowError:
        raise ValueError(f"duration out of range: {text!r}") from None
    return -total if sign else total


# --------------------------------------------------------------------------- writing


def write_dict(node: Rule | Operand) -> dict[str, Any]:
    """Return the JSON form of a rule or an operand: nested dicts tagged with ``"type"``."""
    return _WRITERS[node.tag](node)


def _value_dict(o: nodes.Value) -> dict[str, Any]:
    v = o.value
    kind = o.kind
    out: Any
    if kind in ("str", "int", "bool"):
        out = v
    elif kind == "decimal":
        out = str(v)
    elif isinstance(v, date):
        out = v.isoformat()
    else:
        assert isinstance(v, timedelta)
        out = iso_duration(v)
    return {"type": "value", "kind": kind, "value": out}


_WRITERS: Final[dict[str, Callable[[Any], dict[str, Any]]]] = {
    "field": lambda o: {"type": "field", "path": o.path},
    "value": _value_dict,
    "now": lambda o: {"type": "now", "offset": iso_duration(o.offset)},
    "count": lambda o: {
        "type": "count",
        "relation": o.relation,
        "where": None if o.where is None else write_dict(o.where),
        "within": None if o.within is None else iso_duration(o.within),
    },
    "call": lambda o: {"type": "call", "function": o.function, "operand": write_dict(o.operand)},
    "compare": lambda r: {
        "type": "compare",
        "left": write_dict(r.left),
        "op": r.op.value,
        "right": write_dict(r.right),
    },
    "match": lambda r: {
        "type": "match",
        "operand": write_dict(r.operand),
        "op": r.op.value,
        "pattern": write_dict(r.pattern),
    },
    "in": lambda r: {
        "type": "in",
        "operand": write_dict(r.operand),
        "values": [_value_dict(v) for v in r.values],
        "negated": r.negated,
    },
    "between": lambda r: {
        "type": "between",
        "operand": write_dict(r.operand),
        "low": write_dict(r.low),
        "high": write_dict(r.high),
    },
    "is_null": lambda r: {"type": "is_null", "field": r.field.path, "negated": r.negated},
    "and": lambda r: {"type": "and", "rules": [write_dict(c) for c in r.rules]},
    "or": lambda r: {"type": "or", "rules": [write_dict(c) for c in r.rules]},
    "not": lambda r: {"type": "not", "rule": write_dict(r.rule)},
    "constant": lambda r: {"type": "constant", "value": r.value},
}


# --------------------------------------------------------------------------- reading


class _Reader:
    def __init__(self, kit: NodeKit) -> None:
        self.k = kit
        self.errors: list[FieldError] = []

    def bad(self, path: str, value: Any, message: str) -> None:
        self.errors.append(FieldError(path, value, message))

    def _join(self, path: str, key: str) -> str:
        return f"{path}.{key}" if path else key

    def _node(self, data: Any, path: str, keys: set[str], optional: set[str] = frozenset()) -> bool:  # type: ignore[assignment]
        if not isinstance(data, Mapping):
            self.bad(path, data, "must be an object")
            return False
        extra = [key for key in data if key not in keys and key not in optional and key != "type"]
        for key in sorted(extra, key=str):
            self.bad(self._join(path, str(key)), data[key], "is not a known key")
        absent = sorted(key for key in keys if key not in data)
        for key in absent:
            self.bad(self._join(path, key), None, "is required")
        return not extra and not absent

    def _build(self, path: str, make: Callable[[], _T]) -> _T | None:
        try:
            return make()
        except ValidationError as exc:
            self.errors.extend(e.prefixed(path) if path else e for e in exc.errors)
            return None

    def _read(self, data: Any, path: str, depth: int, readers: Mapping[str, _Read]) -> Any:
        """Read a node: an object, not nested too deep, read by the reader of its ``type``."""
        if depth > MAX_DEPTH:
            self.bad(path, "…", f"is nested deeper than {MAX_DEPTH} levels")
            return None
        if not isinstance(data, Mapping):
            self.bad(path, data, "must be an object")
            return None
        kind = data.get("type")
        read = readers.get(kind) if isinstance(kind, str) else None
        if read is None:
            self.bad(self._join(path, "type"), kind, f"must be one of {', '.join(readers)}")
            return None
        return read(self, data, path, depth)

    def rule(self, data: Any, path: str, depth: int) -> Rule | None:
        rule: Rule | None = self._read(data, path, depth, _RULES)
        return rule

    def operand(self, data: Any, path: str, depth: int) -> Operand | None:
        operand: Operand | None = self._read(data, path, depth, _OPERANDS)
        return operand

    # ----------------------------------------------------------------- rules

    def _binary(self, data: Mapping[str, Any], path: str, depth: int) -> Rule | None:
        """Read a node of two operands and an operator (``compare``, ``match``)."""
        node, (first, second), ops, ops_text = _BINARY[data["type"]]
        if not self._node(data, path, {first, "op", second}):
            return None
        a = self.operand(data[first], self._join(path, first), depth)
        b = self.operand(data[second], self._join(path, second), depth)
        op = data["op"]
        if not isinstance(op, str) or op not in ops:
            self.bad(self._join(path, "op"), op, f"must be one of {ops_text}")
            return None
        if a is None or b is None:
            return None
        make: Callable[[Any, str, Any], Rule] = getattr(self.k, node)
        return self._build(path, lambda: make(a, op, b))

    def _in(self, data: Mapping[str, Any], path: str, depth: int) -> Rule | None:
        at = self._join
        if not self._node(data, path, {"operand", "values", "negated"}):
            return None
        operand = self.operand(data["operand"], at(path, "operand"), depth)
        raw = data["values"]
        values: list[nodes.Value | None] = []
        if not isinstance(raw, list | tuple):
            self.bad(at(path, "values"), raw, "must be a list")
            return None
        for i, item in enumerate(raw):
            values.append(self.value(item, f"{at(path, 'values')}[{i}]"))
        negated = data["negated"]
        if not isinstance(negated, bool):
            self.bad(at(path, "negated"), negated, "must be true or false")
            return None
        if operand is None or any(v is None for v in values):
            return None
        return self._build(path, lambda: self.k.In(operand, tuple(values), negated))

    def _between(self, data: Mapping[str, Any], path: str, depth: int) -> Rule | None:
        if not self._node(data, path, {"operand", "low", "high"}):
            return None
        parts = [
            self.operand(data[k], self._join(path, k), depth) for k in ("operand", "low", "high")
        ]
        if any(p is None for p in parts):
            return None
        return self._build(path, lambda: self.k.Between(*parts))

    def _is_null(self, data: Mapping[str, Any], path: str, depth: int) -> Rule | None:
        at = self._join
        if not self._node(data, path, {"field", "negated"}):
            return None
        negated = data["negated"]
        if not isinstance(negated, bool):
            self.bad(at(path, "negated"), negated, "must be true or false")
            return None
        fld = self._build(at(path, "field"), lambda: self.k.Field(data["field"]))
        if fld is None:
            return None
        return self._build(path, lambda: self.k.IsNull(fld, negated))

    def _junction(self, data: Mapping[str, Any], path: str, depth: int) -> Rule | None:
        at = self._join
        if not self._node(data, path, {"rules"}):
            return None
        raw = data["rules"]
        if not isinstance(raw, list | tuple):
            self.bad(at(path, "rules"), raw, "must be a list")
            return None
        rules = [self.rule(r, f"{at(path, 'rules')}[{i}]", depth + 1) for i, r in enumerate(raw)]
        if any(r is None for r in rules):
            return None
        cls = self.k.And if data["type"] == "and" else self.k.Or
        return self._build(path, lambda: cls(tuple(rules)))

    def _not(self, data: Mapping[str, Any], path: str, depth: int) -> Rule | None:
        if not self._node(data, path, {"rule"}):
            return None
        inner = self.rule(data["rule"], self._join(path, "rule"), depth + 1)
        if inner is None:
            return None
        return self._build(path, lambda: self.k.Not(inner))

    def _constant(self, data: Mapping[str, Any], path: str, depth: int) -> Rule | None:
        if not self._node(data, path, {"value"}):
            return None
        value = data["value"]
        if not isinstance(value, bool):
            self.bad(self._join(path, "value"), value, "must be true or false")
            return None
        return self.k.Constant(value)

    # ----------------------------------------------------------------- operands

    def _field(self, data: Mapping[str, Any], path: str, depth: int) -> Operand | None:
        if not self._node(data, path, {"path"}):
            return None
        return self._build(path, lambda: self.k.Field(data["path"]))

    def _now(self, data: Mapping[str, Any], path: str, depth: int) -> Operand | None:
        if not self._node(data, path, set(), {"offset"}):
            return None
        raw = data.get("offset", "PT0S")
        offset = self._duration(raw, self._join(path, "offset"))
        if offset is None:
            return None
        return self._build(path, lambda: self.k.Now(offset))

    def _count(self, data: Mapping[str, Any], path: str, depth: int) -> Operand | None:
        at = self._join
        if not self._node(data, path, {"relation"}, {"where", "within"}):
            return None
        where_raw = data.get("where")
        where = None
        if where_raw is not None:
            where = self.rule(where_raw, at(path, "where"), depth + 1)
            if where is None:
                return None
        within_raw = data.get("within")
        within = None
        if within_raw is not None:
            within = self._duration(within_raw, at(path, "within"))
            if within is None:
                return None
        return self._build(path, lambda: self.k.Count(data["relation"], where, within))

    def _call(self, data: Mapping[str, Any], path: str, depth: int) -> Operand | None:
        at = self._join
        if not self._node(data, path, {"function", "operand"}):
            return None
        function = data["function"]
        if not isinstance(function, str) or function not in FUNCTIONS:
            self.bad(at(path, "function"), function, "must be one of lower, upper")
            return None
        inner = self.operand(data["operand"], at(path, "operand"), depth + 1)
        if inner is None:
            return None
        return self._build(path, lambda: self.k.Call(function, inner))

    def _duration(self, raw: Any, path: str) -> Any:
        if not isinstance(raw, str):
            self.bad(path, raw, "must be an ISO 8601 duration such as 'P14D'")
            return None
        try:
            return parse_iso_duration(raw)
        except ValueError:
            self.bad(path, raw, "must be an ISO 8601 duration such as 'P14D'")
            return None

    def value(self, data: Any, path: str) -> nodes.Value | None:
        if not isinstance(data, Mapping) or data.get("type") != "value":
            self.bad(path, data, 'must be a literal such as {"type": "value", "kind": "int", ...}')
            return None
        if not self._node(data, path, {"kind", "value"}):
            return None
        kind, raw = data["kind"], data["value"]
        where = self._join(path, "value")
        parsed: Any
        if kind == "str":
            ok = isinstance(raw, str)
            parsed = raw
        elif kind == "int":
            ok = isinstance(raw, int) and not isinstance(raw, bool)
            parsed = raw
        elif kind == "bool":
            ok = isinstance(raw, bool)
            parsed = raw
        elif kind in ("decimal", "date", "datetime", "duration"):
            ok, parsed = self._from_text(kind, raw)
        else:
            self.bad(
                self._join(path, "kind"),
                kind,
                "must be one of str, int, decimal, bool, date, datetime, duration",
            )
            return None
        if not ok:
            self.bad(where, raw, f"is not a valid {kind} literal")
            return None
        return self._build(path, lambda: self.k.Value(parsed))

    @staticmethod
    def _from_text(kind: str, raw: Any) -> tuple[bool, Any]:
        if not isinstance(raw, str):
            return False, None
        try:
            if kind == "decimal":
                return True, Decimal(raw)
            if kind == "date":
                return True, date.fromisoformat(raw)
            if kind == "datetime":
                return True, datetime.fromisoformat(raw)
            return True, parse_iso_duration(raw)
        except (ValueError, InvalidOperation):
            return False, None


# The readers of each ``type``, in the order the error for an unknown type lists them.
_RULES: Final[dict[str, _Read]] = {
    "compare": _Reader._binary,
    "match": _Reader._binary,
    "in": _Reader._in,
    "between": _Reader._between,
    "is_null": _Reader._is_null,
    "and": _Reader._junction,
    "or": _Reader._junction,
    "not": _Reader._not,
    "constant": _Reader._constant,
}
_OPERANDS: Final[dict[str, _Read]] = {
    "field": _Reader._field,
    "value": lambda reader, data, path, depth: reader.value(data, path),
    "now": _Reader._now,
    "count": _Reader._count,
    "call": _Reader._call,
}


def read_dict(data: Any, kit: NodeKit) -> Rule:
    """Build a rule from its JSON form, with nodes made by ``kit``.

    Args:
        data: The decoded JSON.
        kit: The node classes.

    Returns:
        The rule.

    Raises:
        ValidationError: Every problem found, with paths such as ``rules[1].left.kind``.
    """
    reader = _Reader(kit)
    rule = reader.rule(data, "", 1)
    if reader.errors or rule is None:
        raise ValidationError(reader.errors or [FieldError("", data, "is not a rule")], "rule")
    return rule
