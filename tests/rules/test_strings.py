"""Text functions and tests: lower()/upper(), contains, starts with, ends with."""

from __future__ import annotations

import enum
import json
import re
from typing import Any

import attrs
import pytest

from salescore.errors import RuleSyntaxError, ValidationError
from salescore.rules import FieldKind, Rule, Truth, field, literal, parse
from salescore.rules._interpret import interpret
from salescore.rules._nodes import Call, Match, MatchOp

T, F, U = Truth.TRUE, Truth.FALSE, Truth.UNKNOWN


class Plan(enum.StrEnum):
    PRO = "Pro"


@attrs.frozen
class Person:
    email: Any = None
    company: Any = None


@pytest.mark.parametrize(
    ("text", "subject", "expected"),
    [
        ("email ends with '@acme.io'", {"email": "ana@acme.io"}, T),
        ("email ends with '@acme.io'", {"email": "ana@ACME.io"}, F),
        ("lower(email) ends with '@acme.io'", {"email": "ana@ACME.io"}, T),
        ("upper(country) == 'DE'", {"country": "de"}, T),
        ("lower(country) in ['de', 'at']", {"country": "AT"}, T),
        ("company contains 'cme'", {"company": "Acme"}, T),
        ("company contains 'CME'", {"company": "Acme"}, F),
        ("company starts with 'Ac'", {"company": "Acme"}, T),
        ("company starts with ''", {"company": "Acme"}, T),
        ("company starts with 'me'", {"company": "Acme"}, F),
        ("company contains domain", {"company": "acme.io inc", "domain": "acme.io"}, T),
        ("lower(plan) == 'pro'", {"plan": Plan.PRO}, T),
        ("plan starts with 'P'", {"plan": Plan.PRO}, T),
        # Kleene: null or missing on either side is UNKNOWN ...
        ("company contains 'a'", {}, U),
        ("company contains 'a'", {"company": None}, U),
        ("company contains domain", {"company": "acme"}, U),
        ("lower(email) == 'x'", {"email": None}, U),
        ("not company contains 'a'", {}, U),
        ("company contains 'a' or true", {}, T),
        ("company contains 'a' and false", {}, F),
        # ... and a value that is not text is FALSE for a test, null for a function.
        ("company contains '1'", {"company": 12}, F),
        ("lower(employees) == '5'", {"employees": 5}, U),
    ],
)
def test_semantics(text: str, subject: dict[str, Any], expected: Truth) -> None:
    rule = parse(text)
    assert rule.evaluate(subject) is expected
    assert interpret(rule, subject) is expected
    assert rule.explain(subject).result is expected
    if all(k in ("email", "company") for k in subject):
        assert rule.evaluate(Person(**subject)) is expected


@pytest.mark.parametrize(
    ("built", "text", "data"),
    [
        (
            field("email").lower().ends_with("@acme.io"),
            "lower(email) ends with '@acme.io'",
            {
                "type": "match",
                "operand": {
                    "type": "call",
                    "function": "lower",
                    "operand": {"type": "field", "path": "email"},
                },
                "op": "ends_with",
                "pattern": {"type": "value", "kind": "str", "value": "@acme.io"},
            },
        ),
        (
            field("company").contains(field("domain")),
            "company contains domain",
            {
                "type": "match",
                "operand": {"type": "field", "path": "company"},
                "op": "contains",
                "pattern": {"type": "field", "path": "domain"},
            },
        ),
        (
            field("name").upper().starts_with(literal("a").upper()),
            "upper(name) starts with upper('a')",
            None,
        ),
        (field("country").upper() == "DE", "upper(country) == 'DE'", None),
    ],
)
def test_three_forms_round_trip(built: Rule, text: str, data: dict[str, Any] | None) -> None:
    assert parse(text) == built
    assert built.to_text() == text
    assert Rule.from_dict(json.loads(json.dumps(built.to_dict()))) == built
    if data is not None:
        assert built.to_dict() == data


def test_the_words_are_not_reserved() -> None:
    rule = parse("contains == 1 and starts starts with ends and lower == 'x'")
    assert rule.fields == ("contains", "starts", "ends", "lower")
    assert rule.evaluate({"contains": 1, "starts": "ab", "ends": "a", "lower": "x"}) is T


def test_explanations_show_the_transformed_value() -> None:
    explanation = parse("lower(email) ends with '@acme.io' and company contains 'A'").explain(
        {"email": "Ana@ACME.io"}
    )
    assert explanation.result is U
    assert explanation.missing_fields == ("company",)
    assert explanation.clauses[1].seen == (("lower(email)", "ana@acme.io"),)
    assert explanation.lines() == [
        "? lower(email) ends with '@acme.io' and company contains 'A'",
        "  ✓ lower(email) ends with '@acme.io'  [lower(email) = 'ana@acme.io']",
        "  ? company contains 'A'  [company = None]",
    ]
    missing = parse("lower(email) == 'x'").explain({})
    assert missing.missing_fields == ("email",)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("company starts 'a'", "expected 'with'"),
        ("lower(email", "expected ')'"),
        ("lower() == 'a'", "expected an operand"),
        ("lower(count(xs)) == 'a'", "must not be a count"),
    ],
)
def test_syntax_errors(text: str, message: str) -> None:
    with pytest.raises(RuleSyntaxError, match=re.escape(message)):
        parse(text)


def test_construction_is_validated() -> None:
    with pytest.raises(ValidationError) as info:
        Call("title", field("x").operand)
    assert info.value.paths == ("function",)
    with pytest.raises(ValidationError) as info:
        Match(field("x").operand, "like", "a")
    assert info.value.paths == ("op",)
    assert Match(field("x").operand, "contains", "a").op is MatchOp.CONTAINS


def test_json_errors_are_reported_by_path() -> None:
    data = {
        "type": "match",
        "operand": {"type": "call", "function": "title", "operand": {"type": "field", "path": "x"}},
        "op": "like",
        "pattern": {"type": "value", "kind": "str", "value": "a"},
    }
    with pytest.raises(ValidationError) as info:
        Rule.from_dict(data)
    assert info.value.paths == ("operand.function", "op")
    data["op"] = "contains"
    with pytest.raises(ValidationError) as info:
        Rule.from_dict(data)
    assert info.value.paths == ("operand.function",)


def test_schema_checks_text_operands() -> None:
    schema = {"email": FieldKind.TEXT, "employees": FieldKind.NUMBER, "plan": FieldKind.CHOICE}
    parse("lower(email) contains 'a' and plan starts with 'P'", schema=schema)
    with pytest.raises(ValidationError) as info:
        parse(
            "lower(employees) == 'a' and employees contains '1' and lower(email) == 1",
            schema=schema,
        )
    assert [(e.path, e.message) for e in info.value.errors] == [
        ("employees", "lower() needs text, not a number"),
        ("employees", "is a number; contains needs text"),
        ("email", "is a text field; cannot compare with a number"),
    ]
    with pytest.raises(ValidationError, match="did you mean 'email'"):
        parse("lower(emial) == 'a'", schema=schema)
