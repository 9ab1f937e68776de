"""What every decision point shares: UNKNOWN counts as not met, and says why.

Score criteria, qualification items and routing rules all evaluate rules the
same way: the compiled function first (fast), and only when the answer is
UNKNOWN the interpreter's explanation, to learn which fields were missing.
Rule-typed fields of decision objects serialise through the rule's own JSON
form (the codec is registered by :mod:`salescore.rules`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any, Protocol, TypeVar

from salescore.errors import FieldError, NotFound, ValidationError
from salescore.rules._explain import Explanation
from salescore.rules._nodes import And, Between, Compare, Field, In, Not, Or, Rule, Value
from salescore.rules._schema import _lookup as lookup_schema
from salescore.rules._schema import check_rule, resolve_schema
from salescore.rules._truth import Truth
from salescore.rules._values import MISSING, resolve

__all__ = ["by_key", "check_subject", "lookup", "missing_fields", "seen_values", "text_list"]


class _Keyed(Protocol):
    @property
    def key(self) -> str: ...


_K = TypeVar("_K", bound=_Keyed)


def by_key(items: Iterable[_K], key: str, missing: str) -> _K:
    """The item with ``key`` (a framework's item, a model's criterion …).

    Raises:
        NotFound: none has it; the message is ``missing`` and the key.
    """
    for item in items:
        if item.key == key:
            return item
    raise NotFound(f"{missing} {key!r}")


def missing_fields(
    rule: Rule, subject: Any, at: datetime | None, context: Mapping[str, Any] | None
) -> tuple[str, ...]:
    """The fields that leave ``rule`` UNKNOWN for ``subject`` (empty if it is decided).

    Call it only for an UNKNOWN answer. The answer is the same as
    ``rule.explain(...).missing_fields``, found faster: a comparison of fields
    and literals is UNKNOWN exactly when one of its fields is missing or null,
    and an ``and``/``or``/``not`` is UNKNOWN through its UNKNOWN parts, which
    the compiled parts find. Anything else is explained (interpreted).
    """
    found = _missing(rule, subject, at, context)
    if found is None:
        return rule.explain(subject, at, context).missing_fields
    return found


def _missing(
    rule: Rule, subject: Any, at: datetime | None, context: Mapping[str, Any] | None
) -> tuple[str, ...] | None:
    if isinstance(rule, And | Or):
        out: dict[str, None] = {}
        for part in rule.rules:
            if part.evaluate(subject, at, context) is Truth.UNKNOWN:
                found = _missing(part, subject, at, context)
                if found is None:
                    return None
                out.update(dict.fromkeys(found))
        return tuple(out)
    if isinstance(rule, Not):
        return _missing(rule.rule, subject, at, context)
    operands: tuple[Any, ...]
    if isinstance(rule, Compare):
        operands = (rule.left, rule.right)
    elif isinstance(rule, In):
        operands = (rule.operand,)
    elif isinstance(rule, Between):
        operands = (rule.operand, rule.low, rule.high)
    else:
        return None
    if not all(type(o) is Field or type(o) is Value for o in operands):
        return None
    found = tuple(
        dict.fromkeys(
            o.path
            for o in operands
            if type(o) is Field and lookup(subject, o.path, context) is None
        )
    )
    return found or None


def seen_values(explanation: Explanation) -> dict[str, Any]:
    """The non-literal operands an explanation saw, by their text, first value kept."""
    out: dict[str, Any] = {}
    for clause in explanation.clauses:
        for text, value in clause.seen:
            out.setdefault(text, value)
    return out


def lookup(subject: Any, path: str, context: Mapping[str, Any] | None) -> Any:
    """Resolve a dotted path like a rule does; ``None`` for missing or null."""
    value = resolve(subject, tuple(path.split(".")), context)
    return None if value is MISSING else value


def text_list(items: tuple[str, ...]) -> str:
    """``a, b and c``."""
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def is_true(truth: Truth) -> bool:
    """Whether ``truth`` is TRUE (UNKNOWN is not met)."""
    return truth is Truth.TRUE


#: ``(path, rule, relation)``: a rule to check, where it sits, and the relation
#: whose records it reads (``None``: the subject itself).
RuleAt = tuple[str, Rule | None, str | None]


def check_subject(
    subject: Any,
    rules: Iterable[RuleAt],
    owner: str,
    *,
    fields: Iterable[tuple[str, str, str | None]] = (),
) -> None:
    """Check rules (and field paths) against the schema of the subject type they read.

    Args:
        subject: ``None`` (nothing is checked), a class with ``__rule_schema__``
            (``Lead``), an object with one, or a schema mapping.
        rules: ``(path, rule, relation)`` triples, such as
            ``("criteria[2].rule", rule, None)``; ``None`` rules are skipped.
        owner: What is being built, for the error message (``"ScoreModel"``).
        fields: ``(path, field path, relation)`` triples of plain field paths
            that must exist (on the subject, or on the relation's records).

    Raises:
        ValidationError: ``subject`` is not a schema, or rules read unknown
            fields (each with the nearest spelling) or compare mismatched
            kinds; every problem at once, each path starting with the rule's.
    """
    if subject is None:
        return
    try:
        schema = resolve_schema(subject, "subject")
    except ValidationError as exc:
        raise ValidationError(exc.errors, owner) from None
    errors: list[FieldError] = []

    def scope(relation: str | None) -> Any:
        if relation is None:
            return schema
        found = lookup_schema(schema, relation)[0]
        return found if isinstance(found, Mapping) else None

    for path, rule, relation in rules:
        where = scope(relation)
        if rule is None or where is None:  # an unknown relation is reported through fields
            continue
        try:
            check_rule(rule, where)
        except ValidationError as exc:
            errors.extend(
                FieldError(
                    f"{path}.{e.path}", rule.to_text() if e.value is None else e.value, e.message
                )
                for e in exc.errors
            )
    for path, name, relation in fields:
        where = scope(relation)
        if where is None:
            continue
        found, hint = lookup_schema(where, name)
        if found is None:
            errors.append(FieldError(path, name, f"is not a field of the schema{hint}"))
    if errors:
        raise ValidationError(errors, owner)
