"""Queries as data: checking ``find`` arguments, cursors, ordering, and SQL.

A ``find`` is a :class:`Query`: the rule (always evaluated in Python, so the
answer is exactly :meth:`Rule.evaluate`'s), the ordering column, the keyset
cursor and, for SQL stores, a *prefilter*: the part of the rule that
translates to SQL with bound parameters. The prefilter is never stricter
than the rule (whatever the rule finds TRUE passes it), so translating less
only costs time, never a different answer.

SQL's three-valued logic is Kleene's, as the rules' is, and a NULL column
stands for a null field, so ``and``/``or``/``not`` and comparisons on indexed
columns translate one to one; comparisons whose Python meaning SQL would not
reproduce (mixed kinds, numbers that do not fit, nested or unindexed fields,
``count``) are left to Python.
"""

from __future__ import annotations

import base64
import functools
import json
from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Final, TypeVar

import attrs

from salescore._validation import fail
from salescore.errors import ValidationError
from salescore.rules import (
    And,
    Between,
    Compare,
    Constant,
    In,
    IsNull,
    Not,
    Now,
    Op,
    Operand,
    Or,
    Rule,
    Truth,
    Value,
    parse,
)
from salescore.storage._catalog import Column, Spec, column_for, datetime_text

__all__ = ["Query", "Sql", "build_query", "is_after", "keyset", "order_clause", "order_rows"]

R = TypeVar("R")

_MAX_INT: Final = 2**63 - 1
_EXACT_FLOAT_INT: Final = 2**53


@attrs.frozen
class Sql:
    """A SQL boolean expression with ``?`` placeholders and its parameters."""

    text: str
    params: tuple[Any, ...]
    exact: bool


@attrs.frozen
class Query:
    """A checked ``find``: what to match, in which order, from where."""

    rule: Rule | None
    at: datetime | None
    column: Column
    descending: bool
    limit: int | None
    after: tuple[Any, str] | None
    prefilter: Sql | None

    @property
    def order_by(self) -> str:
        """The ``order_by`` text this query was built from."""
        return ("-" if self.descending else "") + self.column.path

    def matches(self, obj: Any) -> bool:
        """Whether the rule is TRUE for ``obj`` (always, without a rule)."""
        if self.rule is None:
            return True
        return self.rule.evaluate(obj, self.at) is Truth.TRUE

    def cursor(self, value: Any, key: str) -> str:
        """The opaque cursor that continues after ``(value, key)``."""
        raw = json.dumps([self.order_by, value, key], ensure_ascii=False, separators=(",", ":"))
        return base64.urlsafe_b64encode(raw.encode("utf-8")).decode("ascii")


# --------------------------------------------------------------------------- building


_parse = functools.lru_cache(maxsize=512)(parse)  # rules are immutable: reuse parsed text


@functools.cache
def _fields_of(cls: type) -> frozenset[str]:
    names = {a.name for a in attrs.fields(cls)} if attrs.has(cls) else set()
    names.update(n for n in dir(cls) if not n.startswith("_"))
    return frozenset(names)


def _check_fields(rule: Rule, spec: Spec) -> None:
    known = _fields_of(spec.cls)
    bad = [p for p in rule.fields if p.split(".")[0] not in known]
    if bad:
        raise ValidationError(
            [
                ValidationError.single(
                    p, rule.to_text(), f"is not a field of {spec.cls.__name__}"
                ).errors[0]
                for p in bad
            ],
            "where",
        )


def _decode_cursor(after: str, order_by: str) -> tuple[Any, str]:
    try:
        raw = json.loads(base64.urlsafe_b64decode(after.encode("ascii")).decode("utf-8"))
    except (ValueError, TypeError, UnicodeError):
        fail("after", after, "is not a cursor returned by find")
    if (
        not isinstance(raw, list)
        or len(raw) != 3
        or not isinstance(raw[2], str)
        or isinstance(raw[1], list | dict)
    ):
        fail("after", after, "is not a cursor returned by find")
    if raw[0] != order_by:
        fail("after", after, f"was made for order_by={raw[0]!r}, not {order_by!r}")
    return raw[1], raw[2]


def build_query(
    spec: Spec,
    where: str | Rule | None,
    *,
    order_by: str,
    limit: int | None,
    after: str | None,
    at: datetime | None,
) -> Query:
    """Check ``find``'s arguments and build the query.

    Raises:
        ValidationError: rule text that does not parse, a field the stored
            class does not have, an ``order_by`` that is not an indexed field,
            a bad ``limit``, a foreign cursor, a naive ``at``.
    """
    rule: Rule | None
    if where is None:
        rule = None
    elif isinstance(where, str):
        rule = _parse(where)
    elif isinstance(where, Rule):
        rule = where
    else:
        fail("where", where, "must be rule text, a Rule or None")
    if rule is not None:
        _check_fields(rule, spec)
    if not isinstance(order_by, str):
        fail("order_by", order_by, "must be a field name, '-' in front for descending")
    descending = order_by.startswith("-")
    path = order_by[1:] if descending else order_by
    if path == "id":
        path = spec.key  # a product's key is its code
    column = spec.by_path.get(path)
    if column is None:
        choices = ", ".join(sorted(spec.by_path))
        fail("order_by", order_by, f"is not an indexed field of {spec.name}: one of {choices}")
    if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int) or limit < 1):
        fail("limit", limit, "must be a positive integer or None")
    if at is not None and (not isinstance(at, datetime) or at.tzinfo is None):
        fail("at", at, "must be an aware datetime")
    cursor = None
    if after is not None:
        if not isinstance(after, str):
            fail("after", after, "must be a cursor string or None")
        cursor = _decode_cursor(after, ("-" if descending else "") + path)
    prefilter = None if rule is None else translate(rule, spec, at)
    return Query(rule, at, column, descending, limit, cursor, prefilter)


# --------------------------------------------------------------------------- ordering in Python


def is_after(value: Any, key: str, after: tuple[Any, str] | None, descending: bool) -> bool:
    """Whether a row sorts after the cursor (nulls last, ties by key)."""
    if after is None:
        return True
    cv, ck = after
    if cv is None:
        return value is None and key > ck
    if value is None:
        return True
    if value == cv:
        return key > ck
    return bool(value < cv) if descending else bool(value > cv)


def order_rows(
    rows: Iterable[R], value: Callable[[R], Any], key: Callable[[R], str], descending: bool
) -> list[R]:
    """Sort rows by a column value (nulls last in both directions), ties by key."""
    present: list[R] = []
    nulls: list[R] = []
    for r in rows:
        (nulls if value(r) is None else present).append(r)
    present.sort(key=key)
    present.sort(key=value, reverse=descending)  # stable: ties stay in key order
    nulls.sort(key=key)
    return present + nulls


# --------------------------------------------------------------------------- SQL


def _literal(operand: Operand, at: datetime | None) -> tuple[str, Any] | None:
    """(kind, value) of a literal or ``now`` operand; None for anything else."""
    if isinstance(operand, Value):
        return operand.kind, operand.value
    if isinstance(operand, Now) and at is not None:
        return "datetime", at + operand.offset
    return None


def _bind(column: Column, kind: str, value: Any) -> tuple[bool, Any]:
    """The parameter to compare ``column`` with, if SQL compares as Python does."""
    t = column.type
    if t == "text" and kind == "str":
        return True, value
    if t == "bool" and kind == "bool":
        return True, value
    if t == "datetime" and kind == "datetime":
        try:
            return True, datetime_text(value)
        except (OverflowError, ValueError):
            return False, None
    if t == "date" and kind == "date" and type(value) is date:
        return True, value.isoformat()
    if t == "real":
        if kind == "int" and abs(value) <= _EXACT_FLOAT_INT:
            return True, float(value)
        if kind == "decimal":
            return True, float(value)  # Python compares a float with a Decimal as floats
    if t == "int":
        if kind == "int" and abs(value) <= _MAX_INT:
            return True, value
        if kind == "decimal":
            if value == value.to_integral_value() and abs(value) <= _MAX_INT:
                return True, int(value)
            f = float(value)
            if Decimal(f) == value and abs(f) <= _EXACT_FLOAT_INT:
                return True, f
    return False, None


_FLIP: Final = {Op.LT: Op.GT, Op.LE: Op.GE, Op.GT: Op.LT, Op.GE: Op.LE, Op.EQ: Op.EQ, Op.NE: Op.NE}
_SQL_OP: Final = {Op.EQ: "=", Op.NE: "<>", Op.LT: "<", Op.LE: "<=", Op.GT: ">", Op.GE: ">="}


def _compare(spec: Spec, left: Operand, op: Op, right: Operand, at: datetime | None) -> Sql | None:
    column = column_for(spec, left)
    if column is None:
        left, right, op = right, left, _FLIP[op]
        column = column_for(spec, left)
    lit = _literal(right, at)
    if column is None or lit is None:
        return None
    ok, param = _bind(column, *lit)
    if not ok:
        return None
    return Sql(f"{column.name} {_SQL_OP[op]} ?", (param,), True)


def _combine(parts: Sequence[Sql | None], word: str, relax: bool) -> Sql | None:
    present = [p for p in parts if p is not None]
    if not present or (not relax and len(present) < len(parts)):
        return None
    exact = len(present) == len(parts) and all(p.exact for p in present)
    if len(present) == 1:
        return Sql(present[0].text, present[0].params, exact)
    text = f" {word} ".join(f"({p.text})" for p in present)
    params = tuple(x for p in present for x in p.params)
    return Sql(text, params, exact)


def translate(rule: Rule, spec: Spec, at: datetime | None) -> Sql | None:
    """The SQL prefilter of ``rule``: TRUE wherever the rule is TRUE.

    Returns:
        The expression (``exact`` when it is TRUE exactly where the rule is),
        or ``None`` when nothing of the rule translates.
    """
    if isinstance(rule, Compare):
        return _compare(spec, rule.left, rule.op, rule.right, at)
    if isinstance(rule, Between):
        low = _compare(spec, rule.operand, Op.GE, rule.low, at)
        high = _compare(spec, rule.operand, Op.LE, rule.high, at)
        return _combine((low, high), "AND", relax=True)
    if isinstance(rule, In):
        column = column_for(spec, rule.operand)
        if column is None:
            return None
        params = []
        for v in rule.values:
            ok, param = _bind(column, v.kind, v.value)
            if ok:
                params.append(param)
        if not params:
            return None
        marks = ", ".join("?" for _ in params)
        word = "NOT IN" if rule.negated else "IN"
        return Sql(f"{column.name} {word} ({marks})", tuple(params), True)
    if isinstance(rule, IsNull):
        column = spec.by_path.get(rule.field.path)
        if column is None:
            return None
        word = "IS NOT NULL" if rule.negated else "IS NULL"
        return Sql(f"{column.name} {word}", (), True)
    if isinstance(rule, Constant):
        return Sql("TRUE" if rule.value else "FALSE", (), True)
    if isinstance(rule, And):
        return _combine([translate(r, spec, at) for r in rule.rules], "AND", relax=True)
    if isinstance(rule, Or):
        return _combine([translate(r, spec, at) for r in rule.rules], "OR", relax=False)
    if isinstance(rule, Not):
        inner = translate(rule.rule, spec, at)
        if inner is None or not inner.exact:
            return None
        return Sql(f"NOT ({inner.text})", inner.params, True)
    return None


def keyset(query: Query, key_column: str) -> Sql | None:
    """The SQL condition for rows after the query's cursor (nulls last, ties by key)."""
    if query.after is None:
        return None
    cv, ck = query.after
    col = query.column.name
    if col == key_column:
        return Sql(f"{key_column} {'<' if query.descending else '>'} ?", (ck,), True)
    if cv is None:
        return Sql(f"{col} IS NULL AND {key_column} > ?", (ck,), True)
    cmp = "<" if query.descending else ">"
    text = f"{col} {cmp} ? OR ({col} = ? AND {key_column} > ?) OR {col} IS NULL"
    return Sql(text, (cv, cv, ck), True)


def order_clause(query: Query, key_column: str) -> str:
    """``ORDER BY`` text: the column (nulls last), then the key ascending."""
    col = query.column.name
    direction = "DESC" if query.descending else "ASC"
    if col == key_column:
        return f"ORDER BY {key_column} {direction}"
    return f"ORDER BY {col} {direction} NULLS LAST, {key_column}"
