"""Reading the JSON form of rules back (``Rule.from_dict``)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar

from salescore.errors import FieldError, ValidationError
from salescore.rules._nodes import (
    MAX_DEPTH,
    And,
    Between,
    Compare,
    Constant,
    Count,
    Field,
    In,
    IsNull,
    Not,
    Now,
    Op,
    Operand,
    Or,
    Rule,
    Value,
    parse_iso_duration,
)

__all__ = ["rule_from_dict"]

_T = TypeVar("_T")


class _Reader:
    def __init__(self) -> None:
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

    def rule(self, data: Any, path: str, depth: int) -> Rule | None:
        if depth > MAX_DEPTH:
            self.bad(path, "…", f"is nested deeper than {MAX_DEPTH} levels")
            return None
        if not isinstance(data, Mapping):
            self.bad(path, data, "must be an object")
            return None
        kind = data.get("type")
        at = self._join
        if kind == "compare":
            if not self._node(data, path, {"left", "op", "right"}):
                return None
            left = self.operand(data["left"], at(path, "left"), depth)
            right = self.operand(data["right"], at(path, "right"), depth)
            op = data["op"]
            if not isinstance(op, str) or op not in Op._value2member_map_:
                self.bad(at(path, "op"), op, "must be one of == != < <= > >=")
                return None
            if left is None or right is None:
                return None
            return self._build(path, lambda: Compare(left, Op(op), right))
        if kind == "in":
            if not self._node(data, path, {"operand", "values", "negated"}):
                return None
            operand = self.operand(data["operand"], at(path, "operand"), depth)
            raw = data["values"]
            values: list[Value | None] = []
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
            return self._build(path, lambda: In(operand, tuple(values), negated))
        if kind == "between":
            if not self._node(data, path, {"operand", "low", "high"}):
                return None
            parts = [self.operand(data[k], at(path, k), depth) for k in ("operand", "low", "high")]
            if any(p is None for p in parts):
                return None
            return self._build(path, lambda: Between(*parts))
        if kind == "is_null":
            if not self._node(data, path, {"field", "negated"}):
                return None
            negated = data["negated"]
            if not isinstance(negated, bool):
                self.bad(at(path, "negated"), negated, "must be true or false")
                return None
            fld = self._build(at(path, "field"), lambda: Field(data["field"]))
            if fld is None:
                return None
            return self._build(path, lambda: IsNull(fld, negated))
        if kind in ("and", "or"):
            if not self._node(data, path, {"rules"}):
                return None
            raw = data["rules"]
            if not isinstance(raw, list | tuple):
                self.bad(at(path, "rules"), raw, "must be a list")
                return None
            rules = [
                self.rule(r, f"{at(path, 'rules')}[{i}]", depth + 1) for i, r in enumerate(raw)
            ]
            if any(r is None for r in rules):
                return None
            cls = And if kind == "and" else Or
            return self._build(path, lambda: cls(tuple(rules)))
        if kind == "not":
            if not self._node(data, path, {"rule"}):
                return None
            inner = self.rule(data["rule"], at(path, "rule"), depth + 1)
            if inner is None:
                return None
            return self._build(path, lambda: Not(inner))
        if kind == "constant":
            if not self._node(data, path, {"value"}):
                return None
            value = data["value"]
            if not isinstance(value, bool):
                self.bad(at(path, "value"), value, "must be true or false")
                return None
            return Constant(value)
        self.bad(
            at(path, "type"),
            kind,
            "must be one of compare, in, between, is_null, and, or, not, constant",
        )
        return None

    def operand(self, data: Any, path: str, depth: int) -> Operand | None:
        if not isinstance(data, Mapping):
            self.bad(path, data, "must be an object")
            return None
        kind = data.get("type")
        at = self._join
        if kind == "field":
            if not self._node(data, path, {"path"}):
                return None
            return self._build(path, lambda: Field(data["path"]))
        if kind == "value":
            return self.value(data, path)
        if kind == "now":
            if not self._node(data, path, set(), {"offset"}):
                return None
            raw = data.get("offset", "PT0S")
            offset = self._duration(raw, at(path, "offset"))
            if offset is None:
                return None
            return self._build(path, lambda: Now(offset))
        if kind == "count":
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
            return self._build(path, lambda: Count(data["relation"], where, within))
        self.bad(at(path, "type"), kind, "must be one of field, value, now, count")
        return None

    def _duration(self, raw: Any, path: str) -> Any:
        if not isinstance(raw, str):
            self.bad(path, raw, "must be an ISO 8601 duration such as 'P14D'")
            return None
        try:
            return parse_iso_duration(raw)
        except ValueError:
            self.bad(path, raw, "must be an ISO 8601 duration such as 'P14D'")
            return None

    def value(self, data: Any, path: str) -> Value | None:
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
        return self._build(path, lambda: Value(parsed))

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


def rule_from_dict(data: Any) -> Rule:
    """Build a rule from its JSON form.

    Args:
        data: The decoded JSON.

    Returns:
        The rule.

    Raises:
        ValidationError: Every problem found.
    """
    reader = _Reader()
    rule = reader.rule(data, "", 1)
    if reader.errors or rule is None:
        raise ValidationError(reader.errors or [FieldError("", data, "is not a rule")], "rule")
    return rule
