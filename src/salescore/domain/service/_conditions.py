"""Rule conditions of SLA policies and escalation rules: parsing, checking, explaining."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

import attrs

from salescore._validation import Checker
from salescore.errors import ValidationError
from salescore.rules import Rule, parse


def to_rule_text(value: Any) -> Any:
    if isinstance(value, Rule):
        return value.to_text()
    return value


def parse_condition(c: Checker, text: Any, path: str) -> Rule | None:
    if text is None:
        return None
    if not isinstance(text, str) or not text.strip():
        c.add(path, text, "must be a rule (or its text), or None")
        return None
    rule: Rule | None = c.call(path, lambda: parse(text))
    return rule


def check_condition(rule: Rule | None, subject: Any, path: str, owner: str) -> None:
    """Check a condition against the subject type it reads (``ServiceCase``)."""
    if rule is None or subject is None:
        return
    try:
        rule.check(subject)
    except ValidationError as exc:
        raise ValidationError(
            [
                e.prefixed(path)
                if e.value is not None
                else attrs.evolve(e.prefixed(path), value=rule.to_text())
                for e in exc.errors
            ],
            owner,
        ) from None


def explain(rule: Rule, subject: Any, at: datetime, context: Mapping[str, Any] | None) -> Any:
    return rule.explain(subject, at=at, context=context)
