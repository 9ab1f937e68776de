"""The three forms of a rule — builders, JSON and text — and their round trips."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from salescore.errors import ValidationError
from salescore.rules import (
    MAX_DEPTH,
    And,
    Compare,
    Constant,
    Count,
    Field,
    In,
    Not,
    Now,
    Op,
    Or,
    Rule,
    Term,
    Value,
    all_of,
    any_of,
    count,
    field,
    literal,
    not_,
    now,
    parse,
)
from salescore.testing.strategies import rules


@settings(max_examples=200)
@given(rules())
def test_text_round_trip(rule: Rule) -> None:
    assert parse(rule.to_text()) == rule


@settings(max_examples=200)
@given(rules())
def test_json_round_trip(rule: Rule) -> None:
    data = json.loads(json.dumps(rule.to_dict()))
    assert Rule.from_dict(data) == rule
    assert hash(Rule.from_dict(data)) == hash(rule)


_RULE_KEYS = ("rules", "rule", "where")
_OPERAND_KEYS = ("left", "right", "operand", "low", "high", "pattern")


def _nodes(data: Any, path: str, is_rule: bool) -> list[tuple[str, bool, dict[str, Any]]]:
    """Every node of a rule's JSON form: its path, whether it is a rule, the node."""
    if not isinstance(data, dict):
        return []
    found = [(path, is_rule, data)]
    for key, value in data.items():
        where = f"{path}.{key}" if path else key
        if key in _RULE_KEYS or key in _OPERAND_KEYS:
            items = value if isinstance(value, list) else [value]
            for i, item in enumerate(items):
                at = f"{where}[{i}]" if isinstance(value, list) else where
                found += _nodes(item, at, key in _RULE_KEYS)
    return found


@settings(max_examples=200)
@given(rules(), st.data())
def test_json_reader_refuses_an_unknown_type_anywhere_naming_the_written_types(
    rule: Rule, data: st.DataObject
) -> None:
    written = rule.to_dict()
    nodes = _nodes(written, "", True)
    path, is_rule, node = data.draw(st.sampled_from(nodes))
    node["type"] = data.draw(st.sampled_from(["nope", 7, None, ["and"]]))
    with pytest.raises(ValidationError) as info:
        Rule.from_dict(written)
    type_path = f"{path}.type" if path else "type"
    refusal = next(e for e in info.value.errors if e.path == type_path)
    kinds = refusal.message.removeprefix("must be one of ").split(", ")
    # Rules and operands are read by one dispatch, each with its own table: the
    # types it names are the ones the writer writes in that position.
    assert kinds == (
        ["compare", "match", "in", "between", "is_null", "and", "or", "not", "constant"]
        if is_rule
        else ["field", "value", "now", "count", "call"]
    )
    assert all(n["type"] in kinds for _, r, n in _nodes(rule.to_dict(), "", True) if r == is_rule)


def test_builders_equal_text_and_json() -> None:
    built = (
        field("industry").is_in(["saas", "fintech"])
        & (field("employees") >= 50)
        & (field("country") == "DE")
        & (field("score") >= 40.5)
    )
    text = (
        "industry in ['saas', 'fintech'] and employees >= 50 and country == 'DE' and score >= 40.5"
    )
    assert built == parse(text)
    assert built.to_text() == text
    assert Rule.from_dict(built.to_dict()) == built
    assert isinstance(built, And)
    assert len(built.rules) == 4


@pytest.mark.parametrize(
    ("built", "text"),
    [
        (field("x") != 1, "x != 1"),
        (field("x") < 0.1, "x < 0.1"),
        (field("x") <= Decimal("2"), "x <= decimal('2')"),
        (field("x") > True, "x > true"),
        (field("x") == field("y"), "x == y"),
        (field("x") > 5, "x > 5"),
        (literal(5) < field("x"), "5 < x"),
        (field("x").not_in([1, "a"]), "x not in [1, 'a']"),
        (field("x").between(1, 2.5), "x between 1 and 2.5"),
        (field("x").is_null(), "x is null"),
        (field("x").is_not_null(), "x is not null"),
        (~(field("x") == 1), "not x == 1"),
        (not_(field("x") == 1), "not x == 1"),
        ((field("a") == 1) | (field("b") == 2) | (field("c") == 3), "a == 1 or b == 2 or c == 3"),
        (
            all_of(field("a") == 1, any_of(field("b") == 2, field("c") == 3)),
            "a == 1 and (b == 2 or c == 3)",
        ),
        (all_of(field("a") == 1), "a == 1"),
        (field("t") >= now() - timedelta(days=14), "t >= now - 14d"),
        (field("t") <= now() + timedelta(hours=3), "t <= now + 3h"),
        (field("t") < now(), "t < now"),
        (field("d") == date(2026, 1, 31), "d == date('2026-01-31')"),
        (
            field("t") == datetime(2026, 1, 31, 9, tzinfo=UTC),
            "t == datetime('2026-01-31T09:00:00+00:00')",
        ),
        (field("w") > timedelta(minutes=90), "w > 90m"),
        (
            count("interactions", where=field("kind") == "clicked", within=timedelta(days=14)) >= 3,
            "count(interactions where kind == 'clicked' within 14d) >= 3",
        ),
        (count("interactions") == 0, "count(interactions) == 0"),
        (Constant(True), "true"),
    ],
)
def test_builders(built: Rule, text: str) -> None:
    assert built.to_text() == text
    assert parse(text) == built
    assert Rule.from_dict(built.to_dict()) == built


def test_literal_equality_is_strict() -> None:
    assert Value(1) != Value(True)
    assert Value(1) != Value(Decimal(1))
    assert Value(Decimal("1.0")) != Value(Decimal("1.00"))
    assert Value(0.5) == Value(Decimal("0.5"))
    assert len({Value(1), Value(True), Value(Decimal("1"))}) == 3
    utc = datetime(2026, 1, 1, tzinfo=UTC)
    assert Value(utc) != Value(utc.astimezone(timezone(timedelta(hours=1))))


def test_json_form_is_plain_and_documented() -> None:
    rule = parse(
        "x >= 1.5 and t > now - 1d and count(i within 2h) == 0 and d in [date('2026-01-01')]"
    )
    assert rule.to_dict() == {
        "type": "and",
        "rules": [
            {"type": "compare", "left": {"type": "field", "path": "x"}, "op": ">=",
             "right": {"type": "value", "kind": "decimal", "value": "1.5"}},
            {"type": "compare", "left": {"type": "field", "path": "t"}, "op": ">",
             "right": {"type": "now", "offset": "-P1D"}},
            {"type": "compare",
             "left": {"type": "count", "relation": "i", "where": None, "within": "PT2H"},
             "op": "==", "right": {"type": "value", "kind": "int", "value": 0}},
            {"type": "in", "operand": {"type": "field", "path": "d"},
             "values": [{"type": "value", "kind": "date", "value": "2026-01-01"}],
             "negated": False},
        ],
    }  # fmt: skip


def test_from_dict_reports_every_problem() -> None:
    bad = {
        "type": "and",
        "rules": [
            {"type": "compare", "left": {"type": "field", "path": "_x"}, "op": "=",
             "right": {"type": "value", "kind": "int", "value": "1"}},
            {"type": "nope"},
            {"type": "not", "rule": {"type": "is_null", "field": "x", "negated": 1}},
        ],
    }  # fmt: skip
    with pytest.raises(ValidationError) as info:
        Rule.from_dict(bad)
    assert info.value.paths == (
        "rules[0].left.path",
        "rules[0].right.value",
        "rules[0].op",
        "rules[1].type",
        "rules[2].rule.negated",
    )
    with pytest.raises(ValidationError):
        Rule.from_dict({"type": "constant", "value": True, "extra": 1})
    with pytest.raises(ValidationError):
        Rule.from_dict([])
    with pytest.raises(ValidationError):
        Compare.from_dict({"type": "constant", "value": True})
    deep: dict[str, Any] = {"type": "constant", "value": True}
    for _ in range(MAX_DEPTH + 5):
        deep = {"type": "not", "rule": deep}
    with pytest.raises(ValidationError):
        Rule.from_dict(deep)


def test_construction_is_validated() -> None:
    with pytest.raises(ValidationError) as info:
        Field("in")
    assert info.value.paths == ("path",)
    for bad in ("_x", "a._b", "a..b", "", "a-b", "1a", "é"):
        with pytest.raises(ValidationError):
            Field(bad)
    for value in (
        float("nan"),
        Decimal("Infinity"),
        datetime(2026, 1, 1),
        timedelta(seconds=0.5),
        None,
        [1],
        object(),
    ):
        with pytest.raises(ValidationError):
            Value(value)
    with pytest.raises(ValidationError):
        And((Constant(True),))
    with pytest.raises(ValidationError):
        Or((Constant(True), "x == 1"))  # type: ignore[arg-type]
    with pytest.raises(ValidationError):
        Compare(Field("x"), "=", Value(1))  # type: ignore[arg-type]
    with pytest.raises(ValidationError):
        Count("interactions", within=timedelta(days=-1))
    with pytest.raises(ValidationError):
        all_of()
    with pytest.raises(ValidationError):
        literal(1).is_null()
    with pytest.raises(ValidationError):
        field("x") - timedelta(days=1)
    rule: Rule = Constant(True)
    for _ in range(MAX_DEPTH - 1):
        rule = Not(rule)
    with pytest.raises(ValidationError):
        Not(rule)


def test_nested_and_or_are_flattened() -> None:
    a, b, c = (field(n) == 1 for n in "abc")
    assert And((a, And((b, c)))) == And((a, b, c))
    assert Or((Or((a, b)), c)) == (a | b | c)
    assert And((a, Or((b, c)))).rules[1] == Or((b, c))


def test_rules_and_terms_have_no_truth_value() -> None:
    with pytest.raises(TypeError):
        bool(field("x") == 1)
    with pytest.raises(TypeError):
        bool(field("x"))
    assert isinstance(field("x"), Term)
    assert str(field("x") == 1) == "x == 1"


def test_fields_and_needs_at() -> None:
    rule = parse(
        "a.b == 1 and (c in [1] or count(touches where d == 1 within 1d) > 0) and not e is null"
    )
    assert rule.fields == ("a.b", "c", "touches", "e")
    assert rule.needs_at
    assert not parse("x == 1").needs_at
    assert parse("count(t where at > now) > 1").needs_at
    assert Compare(Field("t"), Op.LT, Now()).needs_at
    assert In(Field("x"), (1, 2)).values == (Value(1), Value(2))


def test_an_empty_all_of_or_any_of_names_itself() -> None:
    for build, name in ((all_of, "all_of"), (any_of, "any_of")):
        with pytest.raises(ValidationError) as info:
            build()
        (error,) = info.value.errors
        assert (error.path, error.value, error.message) == (
            "rules",
            (),
            f"{name}() needs at least one rule",
        )
    rule = field("a") == 1
    assert all_of(rule) is rule
    assert any_of(rule) is rule
    assert any_of(rule, field("b") == 2) == Or((rule, field("b") == 2))


class _Text(str):
    pass


@pytest.mark.parametrize(
    ("value", "kind"),
    [
        (True, "bool"),
        ("x", "str"),
        (_Text("x"), "str"),
        (3, "int"),
        (Decimal("1.5"), "decimal"),
        (datetime(2026, 1, 1, tzinfo=UTC), "datetime"),
        (date(2026, 1, 1), "date"),
        (timedelta(days=1), "duration"),
    ],
)
def test_a_literal_kind_is_its_nearest_class(value: Any, kind: str) -> None:
    assert Value(value).kind == kind
