"""The fast missing-field finder agrees with the rule's explanation."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from salescore.decisions._evaluation import missing_fields
from salescore.rules import Rule, Truth, parse
from salescore.testing.strategies import rule_literals, rules

AT = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
FIELDS = ("a", "b", "c")

_subjects = st.dictionaries(
    st.sampled_from(FIELDS), st.none() | st.sampled_from([1, 5, "saas", True]) | rule_literals()
)


@settings(max_examples=300)
@given(rules(fields=FIELDS, counts=False, max_leaves=8), _subjects)
def test_missing_fields_match_explain(rule: Rule, subject: dict[str, Any]) -> None:
    if rule.evaluate(subject, AT) is Truth.UNKNOWN:
        assert missing_fields(rule, subject, AT, None) == rule.explain(subject, AT).missing_fields


def test_missing_fields_examples() -> None:
    rule = parse("(a == 1 or b == 2) and not c in [3]")
    assert missing_fields(rule, {"a": None, "c": None}, None, None) == ("a", "b", "c")
    assert missing_fields(rule, {"a": 1, "b": 2}, None, None) == ("c",)
    count = parse("count(interactions where kind == 'click') >= 2")
    assert missing_fields(count, {}, None, None) == ("interactions",)
