"""Optional typing: checking a rule against a schema of the subject's fields."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from typing import TypeAlias, Union

from salescore.errors import FieldError, ValidationError
from salescore.rules._nodes import (
    Between,
    Compare,
    Count,
    Field,
    In,
    IsNull,
    Now,
    Op,
    Operand,
    Rule,
    Value,
)

__all__ = ["FieldKind", "RuleSchema", "check_rule"]


class FieldKind(enum.StrEnum):
    """The kind of value a field holds, for checking rules before they run."""

    TEXT = "text"
    """A string."""
    CHOICE = "choice"
    """A string from a fixed set (or a str-valued enum)."""
    NUMBER = "number"
    """An int, float or Decimal."""
    MONEY = "money"
    """A Money amount; compares with numbers by its amount."""
    DATE = "date"
    """A calendar date."""
    DATETIME = "datetime"
    """An aware datetime; compares with ``now``."""
    DURATION = "duration"
    """A timedelta."""
    FLAG = "flag"
    """A bool."""
    LIST = "list"
    """A collection: only ``is null`` and ``count(…)`` apply."""
    ANY = "any"
    """Anything: not checked (nor are paths below it)."""


#: Field path → kind; a nested mapping describes an object or a relation's records.
RuleSchema: TypeAlias = Mapping[str, Union[FieldKind, "RuleSchema"]]

_LITERAL_KIND = {
    "str": FieldKind.TEXT,
    "int": FieldKind.NUMBER,
    "decimal": FieldKind.NUMBER,
    "bool": FieldKind.FLAG,
    "date": FieldKind.DATE,
    "datetime": FieldKind.DATETIME,
    "duration": FieldKind.DURATION,
}
_FAMILY = {
    FieldKind.TEXT: "text",
    FieldKind.CHOICE: "text",
    FieldKind.NUMBER: "number",
    FieldKind.MONEY: "number",
    FieldKind.DATE: "date",
    FieldKind.DATETIME: "datetime",
    FieldKind.DURATION: "duration",
    FieldKind.FLAG: "flag",
    FieldKind.LIST: "list",
}

_Lookup: TypeAlias = Union[FieldKind, "RuleSchema", None]


def _lookup(schema: RuleSchema, path: str) -> _Lookup:
    if path in schema:
        return schema[path]
    node: _Lookup = schema
    for seg in path.split("."):
        if node is FieldKind.ANY:
            return FieldKind.ANY
        if not isinstance(node, Mapping) or seg not in node:
            return None
        node = node[seg]
    return node


class _Checker:
    def __init__(self) -> None:
        self.errors: list[FieldError] = []

    def kind(self, operand: Operand, schema: RuleSchema) -> FieldKind | None:
        if isinstance(operand, Value):
            return _LITERAL_KIND[operand.kind]
        if isinstance(operand, Now):
            return FieldKind.DATETIME
        if isinstance(operand, Count):
            found = _lookup(schema, operand.relation)
            if found is None:
                self.errors.append(
                    FieldError(operand.relation, operand.to_text(), "is not a field of the schema")
                )
            elif isinstance(found, Mapping):
                if operand.where is not None:
                    self.rule(operand.where, found)
            elif found not in (FieldKind.LIST, FieldKind.ANY):
                self.errors.append(
                    FieldError(
                        operand.relation, operand.to_text(), f"is a {found} field, not records"
                    )
                )
            return FieldKind.NUMBER
        assert isinstance(operand, Field)
        found = _lookup(schema, operand.path)
        if found is None:
            self.errors.append(FieldError(operand.path, None, "is not a field of the schema"))
            return None
        if isinstance(found, Mapping):
            return FieldKind.ANY if not found else FieldKind.LIST
        return found

    def pair(
        self, a: Operand, ka: FieldKind | None, b: Operand, kb: FieldKind | None, ordered: bool
    ) -> None:
        if ka is None or kb is None or FieldKind.ANY in (ka, kb):
            return
        fa, fb = _FAMILY[ka], _FAMILY[kb]
        subject, other = (a, b) if isinstance(a, Field) or not isinstance(b, Field) else (b, a)
        sk, ok = (ka, kb) if subject is a else (kb, ka)
        where = subject.path if isinstance(subject, Field) else subject.to_text()
        if fa != fb or "list" in (fa, fb):
            self.errors.append(
                FieldError(where, other.to_text(), f"is a {sk} field; cannot compare with a {ok}")
            )
        elif ordered and fa == "flag":
            self.errors.append(FieldError(where, other.to_text(), "a flag has no order"))

    def rule(self, rule: Rule, schema: RuleSchema) -> None:
        if isinstance(rule, Compare):
            ka = self.kind(rule.left, schema)
            kb = self.kind(rule.right, schema)
            self.pair(rule.left, ka, rule.right, kb, rule.op not in (Op.EQ, Op.NE))
        elif isinstance(rule, In):
            k = self.kind(rule.operand, schema)
            for v in rule.values:
                self.pair(rule.operand, k, v, self.kind(v, schema), False)
        elif isinstance(rule, Between):
            k = self.kind(rule.operand, schema)
            for bound in (rule.low, rule.high):
                self.pair(rule.operand, k, bound, self.kind(bound, schema), True)
        elif isinstance(rule, IsNull):
            self.kind(rule.field, schema)
        for child in rule._rules():
            self.rule(child, schema)


def check_rule(rule: Rule, schema: RuleSchema) -> None:
    """Check ``rule`` against ``schema``; see :meth:`Rule.check`.

    Args:
        rule: The rule.
        schema: Field path → :class:`FieldKind` (nested mappings for objects
            and relations' records).

    Raises:
        ValidationError: Every unknown field and every mismatched comparison.
    """
    checker = _Checker()
    checker.rule(rule, schema)
    if checker.errors:
        raise ValidationError(checker.errors, "rule")
