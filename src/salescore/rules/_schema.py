"""Optional typing: checking a rule against a schema of the subject's fields."""

from __future__ import annotations

import difflib
import enum
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, Final, Protocol, TypeAlias, Union, runtime_checkable

from salescore.errors import FieldError, ValidationError
from salescore.rules._kinds import (
    is_between,
    is_call,
    is_compare,
    is_count,
    is_field,
    is_is_null,
    is_match,
    is_membership,
    is_now,
    is_value,
)

if TYPE_CHECKING:
    from salescore.rules._nodes import Operand, Rule


__all__ = ["FieldKind", "RuleSchema", "SchemaSource", "check_rule", "resolve_schema"]


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

#: How deeply schemas may nest (relations of relations …).
_MAX_NESTING: Final = 16


@runtime_checkable
class SchemaSource(Protocol):
    """Anything that can describe the fields a rule may read.

    A class or an object with a ``__rule_schema__()`` method returning a
    :data:`RuleSchema` (the shipped aggregates have one), accepted wherever a
    schema is: ``parse(text, schema=Lead)``, ``rule.check(Lead)``, and as the
    value of a relation inside a schema.
    """

    def __rule_schema__(self) -> RuleSchema:
        """Return the schema."""


def resolve_schema(source: Any, path: str = "schema") -> dict[str, Any]:
    """Turn a schema, or a class or object providing ``__rule_schema__``, into a checked schema.

    Args:
        source: A mapping of field path → :class:`FieldKind` or nested schema
            (a nested value may itself be a class or object with the hook).
        path: Where ``source`` sits, for error messages.

    Returns:
        A plain dict whose values are :class:`FieldKind` members or such dicts.

    Raises:
        ValidationError: ``source`` is not a schema, naming every bad entry.
    """
    errors: list[FieldError] = []
    out = _resolve(source, path, errors, 0)
    if errors or out is None:
        raise ValidationError(errors or [FieldError(path, source, "is not a schema")], "schema")
    return out


def _resolve(source: Any, path: str, errors: list[FieldError], depth: int) -> dict[str, Any] | None:
    if depth > _MAX_NESTING:
        errors.append(FieldError(path, "…", f"nests deeper than {_MAX_NESTING} levels"))
        return None
    hook = getattr(source, "__rule_schema__", None)
    if hook is not None and not isinstance(source, Mapping):
        try:
            source = hook()
        except ValidationError as exc:
            errors.extend(e.prefixed(path) for e in exc.errors)
            return None
        except TypeError as exc:  # e.g. an instance method called on the class
            errors.append(FieldError(path, source, f"__rule_schema__() failed: {exc}"))
            return None
    if not isinstance(source, Mapping):
        errors.append(
            FieldError(
                path,
                source,
                "must be a mapping of field paths to FieldKind, "
                "or a class or object with __rule_schema__()",
            )
        )
        return None
    out: dict[str, Any] = {}
    for key, value in source.items():
        if not isinstance(key, str) or not key:
            errors.append(FieldError(path, key, "field names must be non-empty strings"))
            continue
        where = f"{path}.{key}"
        if isinstance(value, FieldKind):
            out[key] = value
        elif isinstance(value, str) and value in FieldKind._value2member_map_:
            out[key] = FieldKind(value)
        elif isinstance(value, Mapping) or hasattr(value, "__rule_schema__"):
            nested = _resolve(value, where, errors, depth + 1)
            if nested is not None:
                out[key] = nested
        else:
            errors.append(FieldError(where, value, "must be a FieldKind or a nested schema"))
    return out


def _suggest(name: str, candidates: Iterable[str], prefix: str) -> str:
    close = difflib.get_close_matches(name, list(candidates), n=1, cutoff=0.6)
    return f"; did you mean {prefix + close[0]!r}?" if close else ""


def _lookup(schema: RuleSchema, path: str) -> tuple[_Lookup, str]:
    """Find ``path``; return its kind (``None`` if unknown) and a spelling hint."""
    if path in schema:
        return schema[path], ""
    node: _Lookup = schema
    done: list[str] = []
    for seg in path.split("."):
        if node is FieldKind.ANY:
            return FieldKind.ANY, ""
        if not isinstance(node, Mapping) or seg not in node:
            if not isinstance(node, Mapping):
                return None, ""
            prefix = ".".join(done) + "." if done else ""
            names = [k for k in node if "." not in k]
            if not done:
                names += [k for k in node if "." in k]
                return None, _suggest(path, names, "") or _suggest(seg, names, "")
            return None, _suggest(seg, names, prefix)
        node = node[seg]
        done.append(seg)
    return node, ""


def _path_of(operand: Operand) -> str | None:
    """The field path an operand reads (through ``lower()``/``upper()``), if any."""
    while is_call(operand):
        operand = operand.operand
    return operand.path if is_field(operand) else None


class _Checker:
    def __init__(self) -> None:
        self.errors: list[FieldError] = []

    def kind(self, operand: Operand, schema: RuleSchema) -> FieldKind | None:
        if is_value(operand):
            return _LITERAL_KIND[operand.kind]
        if is_now(operand):
            return FieldKind.DATETIME
        if is_count(operand):
            found, hint = _lookup(schema, operand.relation)
            if found is None:
                self.errors.append(
                    FieldError(
                        operand.relation, operand.to_text(), f"is not a field of the schema{hint}"
                    )
                )
            elif isinstance(found, Mapping):
                if operand.where is not None:
                    before = len(self.errors)
                    self.rule(operand.where, found)
                    self.errors[before:] = [
                        e.prefixed(operand.relation) for e in self.errors[before:]
                    ]
            elif found not in (FieldKind.LIST, FieldKind.ANY):
                self.errors.append(
                    FieldError(
                        operand.relation, operand.to_text(), f"is a {found} field, not records"
                    )
                )
            return FieldKind.NUMBER
        if is_call(operand):
            inner = self.kind(operand.operand, schema)
            self.text(operand, inner, f"{operand.function}() needs text, not a {inner}")
            return FieldKind.TEXT
        assert is_field(operand)
        found, hint = _lookup(schema, operand.path)
        if found is None:
            self.errors.append(
                FieldError(operand.path, None, f"is not a field of the schema{hint}")
            )
            return None
        if isinstance(found, Mapping):
            return FieldKind.ANY if not found else FieldKind.LIST
        return found

    def text(self, operand: Operand, kind: FieldKind | None, message: str) -> None:
        """Record ``message`` unless ``operand`` (of ``kind``) is text or of unknown kind."""
        if kind is not None and _FAMILY.get(kind, "text") != "text":
            self.errors.append(
                FieldError(_path_of(operand) or operand.to_text(), operand.to_text(), message)
            )

    def pair(
        self, a: Operand, ka: FieldKind | None, b: Operand, kb: FieldKind | None, ordered: bool
    ) -> None:
        if ka is None or kb is None or FieldKind.ANY in (ka, kb):
            return
        fa, fb = _FAMILY[ka], _FAMILY[kb]
        subject, other = (a, b) if _path_of(a) or not _path_of(b) else (b, a)
        sk, ok = (ka, kb) if subject is a else (kb, ka)
        where = _path_of(subject) or subject.to_text()
        if fa != fb or "list" in (fa, fb):
            self.errors.append(
                FieldError(where, other.to_text(), f"is a {sk} field; cannot compare with a {ok}")
            )
        elif ordered and fa == "flag":
            self.errors.append(FieldError(where, other.to_text(), "a flag has no order"))

    def rule(self, rule: Rule, schema: RuleSchema) -> None:
        if is_compare(rule):
            ka = self.kind(rule.left, schema)
            kb = self.kind(rule.right, schema)
            self.pair(rule.left, ka, rule.right, kb, rule.op.value not in ("==", "!="))
        elif is_membership(rule):
            k = self.kind(rule.operand, schema)
            for v in rule.values:
                self.pair(rule.operand, k, v, self.kind(v, schema), False)
        elif is_between(rule):
            k = self.kind(rule.operand, schema)
            for bound in (rule.low, rule.high):
                self.pair(rule.operand, k, bound, self.kind(bound, schema), True)
        elif is_match(rule):
            ka = self.kind(rule.operand, schema)
            kb = self.kind(rule.pattern, schema)
            for o, k in ((rule.operand, ka), (rule.pattern, kb)):
                self.text(o, k, f"is a {k}; {rule.op.value.replace('_', ' ')} needs text")
        elif is_is_null(rule):
            self.kind(rule.field, schema)
        for child in rule._rules():
            self.rule(child, schema)


def check_rule(rule: Rule, schema: RuleSchema | SchemaSource | type) -> None:
    """Check ``rule`` against ``schema``; see :meth:`Rule.check`.

    Args:
        rule: The rule.
        schema: Field path → :class:`FieldKind` (nested mappings for objects
            and relations' records), or a class or object providing
            ``__rule_schema__``.

    Raises:
        ValidationError: A malformed schema; or every unknown field (with the
            nearest spelling) and every mismatched comparison.
    """
    checker = _Checker()
    checker.rule(rule, resolve_schema(schema))
    if checker.errors:
        raise ValidationError(checker.errors, "rule")
