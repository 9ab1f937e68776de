"""Compiled evaluation: agrees with the interpreter, and keeps rule text out of the source."""

from __future__ import annotations

import enum
import json
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from salescore.errors import ValidationError
from salescore.money import Money
from salescore.rules import Compare, Count, Field, Op, Rule, Truth, Value, parse
from salescore.rules._compile import generate_source
from salescore.rules._interpret import interpret
from salescore.rules._nodes import Match, MatchOp
from salescore.testing.strategies import RULE_FIELDS, rule_literals, rules

AT = datetime(2026, 11, 2, 9, tzinfo=UTC)


class Color(enum.StrEnum):
    SAAS = "saas"
    RED = "red"


class Rank(enum.Enum):
    LOW = 5


_MISSING = object()

_values = st.one_of(
    st.none(),
    rule_literals(),
    st.floats(min_value=-200, max_value=200) | st.just(float("nan")),
    st.sampled_from([Color.SAAS, Color.RED, Rank.LOW, Money("100", "EUR"), Money("5", "USD"),
                     [1, 2], datetime(2026, 1, 1), Decimal("NaN"), "saas", 50, 0]),
)  # fmt: skip
_interactions = st.lists(
    st.fixed_dictionaries(
        {
            "channel": st.sampled_from(["email", "phone", None]),
            "kind": st.sampled_from(["clicked", "open"]),
            "at": st.integers(-3 * 86400, 70 * 86400).map(lambda s: AT - timedelta(seconds=s)),
        }
    ),
    max_size=5,
)


@attrs.define
class _Subject:
    """An object subject; fields drawn as missing are deleted."""

    industry: Any = None
    employees: Any = None
    score: Any = None
    active: Any = None
    created_at: Any = None
    closed_on: Any = None
    custom: Any = None
    account: Any = None


@st.composite
def subjects(draw: st.DrawFn) -> tuple[dict[str, Any], Any]:
    data: dict[str, Any] = {}
    for name in RULE_FIELDS:
        value = draw(st.one_of(st.just(_MISSING), _values))
        if value is _MISSING:
            continue
        head, _, tail = name.partition(".")
        if tail:
            data.setdefault(head, {})[tail] = value
        else:
            data[name] = value
    context: dict[str, Any] = {}
    if draw(st.booleans()):
        context["interactions"] = draw(_interactions)
    if draw(st.booleans()):
        context["industry"] = "saas"
    return data, context


def _as_object(data: dict[str, Any]) -> Any:
    obj = _Subject(**data)
    return obj


@settings(max_examples=400)
@given(rules(), subjects())
def test_compiled_agrees_with_interpreter(rule: Rule, drawn: tuple[dict[str, Any], Any]) -> None:
    data, context = drawn
    for subject in (data, _as_object(data)):
        for ctx in (None, context):
            expected = interpret(rule, subject, AT, ctx)
            assert rule.evaluate(subject, AT, ctx) is expected
            assert rule.explain(subject, at=AT, context=ctx).result is expected


@settings(max_examples=200)
@given(rules(), subjects())
def test_three_forms_agree_on_every_subject(rule: Rule, drawn: tuple[dict[str, Any], Any]) -> None:
    data, context = drawn
    from_text = parse(rule.to_text())
    from_json = Rule.from_dict(json.loads(json.dumps(rule.to_dict())))
    results = {r.evaluate(data, at=AT, context=context) for r in (rule, from_text, from_json)}
    assert len(results) == 1


@settings(max_examples=100)
@given(rules())
def test_missing_at_is_an_error_exactly_when_needed(rule: Rule) -> None:
    if rule.needs_at:
        with pytest.raises(ValidationError) as info:
            rule.evaluate({})
        assert info.value.paths == ("at",)
    else:
        assert rule.evaluate({}) in set(Truth)


def test_source_holds_no_rule_text() -> None:
    text = (
        "zzfield in ['qqq', 'www'] and yyfield.xx >= 12345 and "
        "count(vvrel where uufield == 'ppp' within 9d) > 7 and not ttfield between 1.25 and 9.75"
    )
    source, namespace, names = generate_source(parse(text))
    for piece in (
        "zzfield",
        "qqq",
        "www",
        "yyfield",
        "xx",
        "12345",
        "vvrel",
        "uufield",
        "ppp",
        "9d",
        "1.25",
        "9.75",
        "ttfield",
    ):
        assert piece not in source, piece
    assert "qqq" in namespace["_s1"]
    assert sorted(names.values()) == ["ttfield", "uufield", "zzfield"]


def test_field_names_that_are_python_keywords_work_on_objects() -> None:
    class Plain:
        pass

    subject = Plain()
    setattr(subject, "from", "web")
    rule = parse("from == 'web' and class is null")
    assert rule.evaluate(subject) is Truth.TRUE
    assert rule.evaluate({"from": "web"}) is Truth.TRUE


def test_hostile_strings_stay_data() -> None:
    rule = parse("x == '\\'); import os; os.system(\\'echo\\')' or y == \"\\\"\\n__import__\"")
    assert rule.evaluate({"x": "'); import os; os.system('echo')"}) is Truth.TRUE
    source, _, _ = generate_source(rule)
    assert "import" not in source


def test_compiles_once_and_evaluate_is_the_compiled_function() -> None:
    rule = parse("x == 1")
    fn = rule.compile()
    assert rule.compile() is fn
    assert rule.evaluate is fn
    assert fn({"x": 1}) is Truth.TRUE
    assert fn({"x": 1}, None, None) is Truth.TRUE
    assert repr(rule) == "Compare(left=Field(path='x'), op=<Op.EQ: '=='>, right=Value(value=1))"
    assert rule == parse("x == 1")


def test_deep_and_wide_rules_compile() -> None:
    wide = " and ".join(f"f{i} == {i}" for i in range(500))
    rule = parse(wide)
    subject = {f"f{i}": i for i in range(500)}
    assert rule.evaluate(subject) is Truth.TRUE
    deep = "x == 0"
    for i in range(30):
        deep = f"not (x == {i + 1} or {deep})"
    rule = parse(deep)
    assert rule.depth == 61
    for x in (0, 1, 30, None):
        assert rule.evaluate({"x": x}) is interpret(rule, {"x": x})


def test_fast_paths_fall_back_for_other_types() -> None:
    rule = parse("a >= 50 and b == 'x' and c in ['p', 'q'] and d between 1 and 5 and e == true")
    plain = {"a": 50, "b": "x", "c": "p", "d": 3, "e": True}
    assert rule.evaluate(plain) is Truth.TRUE
    odd = {"a": Decimal("50.0"), "b": Color.SAAS, "c": Color.RED, "d": 3.5, "e": 1}
    assert rule.evaluate(odd) is Truth.FALSE
    assert rule.evaluate({**odd, "b": "x", "c": "q", "e": True}) is Truth.TRUE
    assert parse("a >= 1.5").evaluate({"a": 1.5}) is Truth.TRUE
    assert parse("a >= 1.5").evaluate({"a": Decimal("NaN")}) is Truth.FALSE
    assert parse("a > 1").evaluate({"a": Money("2", "EUR")}) is Truth.TRUE
    assert parse("on == date('2026-01-01')").evaluate({"on": date(2026, 1, 1)}) is Truth.TRUE


@pytest.mark.parametrize(
    ("text", "value", "expected"),
    [
        ("x >= 40", Decimal("40.0"), Truth.TRUE),
        ("x >= 40", Decimal("39.99"), Truth.FALSE),
        ("x < 40.5", Decimal("40.49"), Truth.TRUE),
        ("x >= 40", Decimal("NaN"), Truth.FALSE),
        ("x != 40", Decimal("NaN"), Truth.TRUE),
        ("x >= 40", Money("40", "EUR"), Truth.TRUE),
        ("40 > x", Money("39.5", "USD"), Truth.TRUE),
        ("x == 40.00", Money("40", "EUR"), Truth.TRUE),
        ("x between 1 and 50", Decimal("50"), Truth.TRUE),
        ("x between 1 and 50", Decimal("NaN"), Truth.FALSE),
        ("x >= 40.5", 40.5, Truth.TRUE),
    ],
)
def test_decimal_and_money_fast_paths_keep_the_semantics(
    text: str, value: Any, expected: Truth
) -> None:
    rule = parse(text.replace("x", "score"))
    assert rule.evaluate({"score": value}) is expected
    assert rule.evaluate(_Subject(score=value)) is expected
    assert interpret(rule, {"score": value}) is expected


def _two_sided(make: Any, op: Any, literal: Value, swap: bool) -> Rule:
    rule: Rule = make(literal, op, Field("score")) if swap else make(Field("score"), op, literal)
    return rule


_texts = ["aB", "Ba", "aa", "a", ""]  # texts that start, end or hold a pattern, or do not
_patterns = st.one_of(st.sampled_from(_texts), rule_literals()).map(Value)
_literals = rule_literals().map(Value)
_binary_rules = st.one_of(
    st.builds(_two_sided, st.just(Compare), st.sampled_from(list(Op)), _literals, st.booleans()),
    st.builds(_two_sided, st.just(Match), st.sampled_from(list(MatchOp)), _patterns, st.booleans()),
)
_POOL = [
    *_texts,
    Color.RED,
    40,
    40.0,
    Decimal("40"),
    Decimal("NaN"),
    Money("40", "EUR"),
    True,
    None,
]


@settings(max_examples=300)
@given(_binary_rules, _values)
def test_comparisons_and_text_tests_share_one_emitter_that_agrees_with_the_interpreter(
    rule: Rule, drawn: Any
) -> None:
    # One emitter writes both kinds of two-operand test, with a literal on
    # either side: its fast paths must give the interpreter's answer for a
    # value of any kind, read from a dict and from an object.
    for value in (drawn, *_POOL):
        expected = interpret(rule, {"score": value})
        assert rule.evaluate({"score": value}) is expected
        assert rule.evaluate(_Subject(score=value)) is expected
    assert rule.evaluate({}) is interpret(rule, {}) is Truth.UNKNOWN


@settings(max_examples=200)
@given(rules(fields=("channel", "kind", "at"), counts=False, max_leaves=6), _interactions)
def test_a_count_walks_its_records_as_the_explained_walk_does(
    where: Rule, records: list[dict[str, Any]]
) -> None:
    # The interpreter is one walk: its answers are the explanation's, and a
    # count walks each record without recording clauses. Both must agree.
    counted = Compare(Count("interactions", where), Op.EQ, Value(0))
    context = {"interactions": records}
    matching = [r for r in records if where.explain(r, at=AT).result is Truth.TRUE]
    expected = Truth.TRUE if not matching else Truth.FALSE
    assert interpret(counted, {}, AT, context) is expected
    assert counted.explain({}, at=AT, context=context).result is expected
    assert counted.evaluate({}, AT, context) is expected
