"""Bad input to the rule language: only ValidationError, with a path, quickly."""

from __future__ import annotations

import contextlib
import json
import time
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from salescore.errors import RuleSyntaxError, ValidationError
from salescore.rules import Rule, parse
from salescore.testing.strategies import rules

AT = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
END_OF_TIME = datetime(9999, 12, 31, 12, 0, tzinfo=UTC)


def test_a_number_with_a_huge_exponent_is_a_syntax_error() -> None:
    with pytest.raises(RuleSyntaxError) as info:
        parse("x > 1e99999999999999999999")
    assert (info.value.line, info.value.column) == (1, 5)
    assert "number out of range" in str(info.value)


@pytest.mark.parametrize(
    "text",
    ["x > now - 999999999d", "count(xs within 999999999d) > 1", "x < now + 4000000d"],
)
def test_a_duration_beyond_the_datetime_range_is_refused_when_parsed(text: str) -> None:
    with pytest.raises(RuleSyntaxError, match="at most 3652058 days"):
        parse(text)


def test_now_shifted_past_year_9999_is_a_validation_error_at_evaluation() -> None:
    rule = parse("x > now + 1d")
    for evaluate in (rule.evaluate, rule.explain):
        with pytest.raises(ValidationError) as info:
            evaluate({"x": END_OF_TIME}, at=END_OF_TIME)
        assert info.value.paths == ("at",)


def test_a_window_reaching_before_year_1_is_a_validation_error() -> None:
    rule = parse("count(xs within 3652000d) >= 0")
    with pytest.raises(ValidationError) as info:
        rule.evaluate({"xs": []}, at=AT)
    assert info.value.paths == ("at",)
    with pytest.raises(ValidationError):
        rule.explain({"xs": []}, at=AT)


def test_a_huge_iso_duration_in_the_json_form_is_refused() -> None:
    data = {
        "type": "compare",
        "left": {"type": "field", "path": "x"},
        "op": "<",
        "right": {"type": "now", "offset": "P9999999999D"},
    }
    with pytest.raises(ValidationError) as info:
        Rule.from_dict(data)
    assert info.value.paths == ("right.offset",)
    data["right"] = {"type": "value", "kind": "duration", "value": "P99999999999999999999D"}
    with pytest.raises(ValidationError) as info:
        Rule.from_dict(data)
    assert info.value.paths == ("right.value",)


def test_a_non_string_key_in_the_json_form_is_reported_by_path() -> None:
    with pytest.raises(ValidationError) as info:
        Rule.from_dict({"type": "constant", "value": True, 1: 2})
    assert info.value.paths == ("1",)
    assert info.value.errors[0].message == "is not a known key"


@pytest.mark.parametrize(
    ("schema", "path"),
    [({"x": 5}, "schema.x"), (5, "schema"), (None, "schema"), ({1: "number"}, "schema")],
)
def test_a_malformed_schema_is_a_validation_error(schema: Any, path: str) -> None:
    with pytest.raises(ValidationError) as info:
        parse("x > 1").check(schema)
    assert info.value.paths == (path,)


def test_a_schema_hook_that_cannot_be_called_is_a_validation_error() -> None:
    class Ticket:
        def __rule_schema__(self) -> dict[str, Any]:
            return {"x": "number"}

    assert parse("x > 1").check(Ticket()) == parse("x > 1")
    with pytest.raises(ValidationError) as info:
        parse("x > 1").check(Ticket)
    assert info.value.paths == ("schema",)
    assert "__rule_schema__() failed" in info.value.errors[0].message


# ----------------------------------------------------------------------------- fuzzing

_WORDS = st.sampled_from(
    [
        "x",
        "a.b",
        "and",
        "or",
        "not",
        "in",
        "is",
        "null",
        "between",
        "now",
        "within",
        "where",
        "count",
        "(",
        ")",
        "[",
        "]",
        ",",
        "==",
        "!=",
        "<",
        ">=",
        "+",
        "-",
        "'s'",
        "1",
        "1.5",
        "1e999999999999",
        "14d",
        "999999999d",
        "date('2026-01-01')",
        "decimal('1e5')",
        "datetime('2026-01-01T00:00:00+00:00')",
        "true",
        "lower",
        "upper",
        "contains",
        "starts",
        "ends",
        "with",
        "lower(x)",
        ".",
        "\\",
        "'",
        '"',
        "9" * 30,
    ]
)


@settings(max_examples=400, deadline=None)
@given(st.lists(_WORDS, max_size=12).map(" ".join) | st.text(max_size=60))
def test_parse_raises_only_validation_errors(text: str) -> None:
    started = time.perf_counter()
    try:
        rule = parse(text)
    except ValidationError:
        pass
    else:
        assert parse(rule.to_text()) == rule
        assert Rule.from_dict(json.loads(json.dumps(rule.to_dict()))) == rule
        with contextlib.suppress(ValidationError):
            rule.evaluate({"x": 1, "a": {"b": "s"}}, at=AT)
    assert time.perf_counter() - started < 1.0


_JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=True)
    | st.sampled_from(
        [
            "compare",
            "field",
            "value",
            "now",
            "count",
            "and",
            "or",
            "not",
            "in",
            "between",
            "is_null",
            "constant",
            "string",
            "x",
            "P14D",
            "P9999999999D",
            "int",
            "decimal",
            "date",
            "datetime",
            "duration",
            "str",
            "bool",
            "1e999999999",
            "==",
            "<",
            "contains",
            "starts_with",
            "lower",
            "upper",
            "function",
        ]
    ),
    lambda children: (
        st.lists(children, max_size=3)
        | st.dictionaries(
            st.sampled_from(
                [
                    "type",
                    "left",
                    "op",
                    "right",
                    "path",
                    "kind",
                    "value",
                    "offset",
                    "relation",
                    "where",
                    "within",
                    "rules",
                    "rule",
                    "operand",
                    "values",
                    "negated",
                    "low",
                    "high",
                    "field",
                    "name",
                    "case",
                ]
            )
            | st.integers(),
            children,
            max_size=5,
        )
    ),
    max_leaves=20,
)


@settings(max_examples=400, deadline=None)
@given(_JSON)
def test_from_dict_raises_only_validation_errors(data: Any) -> None:
    try:
        rule = Rule.from_dict(data)
    except ValidationError:
        return
    assert Rule.from_dict(rule.to_dict()) == rule


def _mutate(data: Any, junk: Any, choice: int) -> Any:
    """Replace the ``choice``-th node (depth first) of a JSON tree with ``junk``."""
    counter = [choice]

    def walk(node: Any) -> Any:
        if counter[0] == 0:
            counter[0] -= 1
            return junk
        counter[0] -= 1
        if isinstance(node, dict):
            return {k: walk(v) for k, v in node.items()}
        if isinstance(node, list):
            return [walk(v) for v in node]
        return node

    return walk(data)


@settings(max_examples=300, deadline=None)
@given(rules(max_leaves=6), _JSON, st.integers(0, 40))
def test_from_dict_of_a_damaged_rule_raises_only_validation_errors(
    rule: Rule, junk: Any, choice: int
) -> None:
    data = _mutate(rule.to_dict(), junk, choice)
    try:
        again = Rule.from_dict(data)
    except ValidationError:
        return
    assert Rule.from_dict(again.to_dict()) == again
