"""Evaluation semantics: three-valued, field resolution, types, time and counts."""

from __future__ import annotations

import enum
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import attrs
import pytest

from salescore.errors import ValidationError
from salescore.money import Money
from salescore.rules import Truth, parse
from salescore.rules._interpret import interpret

T, F, U = Truth.TRUE, Truth.FALSE, Truth.UNKNOWN
UTC = UTC
AT = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


class Status(enum.StrEnum):
    NEW = "new"
    WORKING = "working"


class Tier(enum.Enum):
    GOLD = 1
    SILVER = 2


@attrs.frozen(kw_only=True)
class Account:
    industry: str | None = None
    employees: int | None = None


@attrs.frozen(kw_only=True)
class Lead:
    industry: str | None = None
    employees: int | None = None
    score: float | None = None
    status: Status = Status.NEW
    custom: dict[str, Any] = attrs.field(factory=dict)
    account: Account | None = None
    created_at: datetime | None = None


def both(text: str, subject: Any, at: datetime | None = None, context: Any = None) -> Truth:
    """Evaluate compiled and interpreted; they must agree."""
    rule = parse(text)
    compiled = rule.evaluate(subject, at=at, context=context)
    assert interpret(rule, subject, at, context) is compiled
    return compiled


@pytest.mark.parametrize(
    ("text", "subject", "expected"),
    [
        ("employees >= 50", {"employees": 120}, T),
        ("employees >= 50", {"employees": 12}, F),
        ("employees >= 50", {"employees": None}, U),
        ("employees >= 50", {}, U),
        ("employees != 50", {}, U),
        ("x in [1, 2]", {}, U),
        ("x not in [1, 2]", {}, U),
        ("x not in [1, 2]", {"x": 3}, T),
        ("x in []", {"x": 3}, F),
        ("x is null", {}, T),
        ("x is null", {"x": None}, T),
        ("x is null", {"x": 0}, F),
        ("x is not null", {}, F),
        ("x is not null", {"x": ""}, T),
        ("x between 1 and 5", {"x": 1}, T),
        ("x between 1 and 5", {"x": 5}, T),
        ("x between 1 and 5", {"x": 6}, F),
        ("x between 1 and 5", {"x": None}, U),
        ("x between 1 and y", {"x": 9}, U),
        ("x between 10 and y", {"x": 9}, F),
        # Kleene
        ("a == 1 and b == 1", {"a": 2}, F),
        ("a == 1 and b == 1", {"a": 1}, U),
        ("a == 1 or b == 1", {"a": 1}, T),
        ("a == 1 or b == 1", {"a": 2}, U),
        ("not a == 1", {}, U),
        ("not a == 1", {"a": 2}, T),
        ("true and a == 1", {"a": 1}, T),
        ("false or a == 1", {}, U),
        # numbers across int, float, Decimal
        ("x == 0.1", {"x": 0.1}, T),
        ("x == 0.1", {"x": Decimal("0.1")}, T),
        ("x == 0.10", {"x": Decimal("0.1")}, T),
        ("x == 1", {"x": 1.0}, T),
        ("x == 1", {"x": Decimal("1.00")}, T),
        ("x < 0.3", {"x": 0.1 + 0.2}, F),
        ("x >= 2.5", {"x": 3}, T),
        ("x in [1, 2.5]", {"x": 2.5}, T),
        ("x in [1, 2.5]", {"x": Decimal("1")}, T),
        # mismatched types: == false, != true, order false; never UNKNOWN
        ("x == 1", {"x": "1"}, F),
        ("x != 1", {"x": "1"}, T),
        ("x > 1", {"x": "9"}, F),
        ("not x > 1", {"x": "9"}, T),
        ("x == 1", {"x": True}, F),
        ("x == true", {"x": 1}, F),
        ("x in ['1']", {"x": 1}, F),
        ("x < date('2026-01-01')", {"x": datetime(2025, 1, 1, tzinfo=UTC)}, F),
        ("x < datetime('2026-01-01T00:00:00+00:00')", {"x": datetime(2025, 1, 1)}, F),
        ("x != datetime('2026-01-01T00:00:00+00:00')", {"x": datetime(2025, 1, 1)}, T),
        ("x == 1", {"x": [1]}, F),
        # other kinds
        ("x == 'DE'", {"x": "DE"}, T),
        ("x < 'b'", {"x": "a"}, T),
        ("x == date('2026-01-31')", {"x": date(2026, 1, 31)}, T),
        ("x > 3h", {"x": timedelta(hours=4)}, T),
        (
            "x == datetime('2026-01-31T10:00:00+01:00')",
            {"x": datetime(2026, 1, 31, 9, tzinfo=UTC)},
            T,
        ),
        ("flag == true", {"flag": True}, T),
        ("flag != true", {"flag": False}, T),
    ],
)
def test_semantics(text: str, subject: dict[str, Any], expected: Truth) -> None:
    assert both(text, subject) is expected
    assert both(text, _Obj(subject)) is expected


class _Obj:
    """An object exposing a dict's keys as attributes (missing keys are missing)."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.__dict__.update(data)


def test_enums_compare_by_value() -> None:
    lead = Lead(status=Status.WORKING)
    assert both("status == 'working'", lead) is T
    assert both("status in ['new', 'working']", lead) is T
    assert both("status != 'new'", lead) is T
    assert both("tier == 1", {"tier": Tier.GOLD}) is T
    assert both("tier in [2]", {"tier": Tier.SILVER}) is T


def test_money_compares_by_amount_with_numbers() -> None:
    s = {"budget": Money("12000.00", "EUR")}
    assert both("budget >= 10000", s) is T
    assert both("budget == 12000", s) is T
    assert both("budget < 10000.5", s) is F
    assert both("budget == other", {**s, "other": Money("12000", "EUR")}) is T
    assert both("budget == other", {**s, "other": Money("12000", "USD")}) is F
    assert both("budget > other", {**s, "other": Money("1", "USD")}) is F
    assert both("budget == 'x'", s) is F


def test_objects_custom_fields_and_dotted_paths() -> None:
    lead = Lead(
        industry="saas",
        employees=120,
        custom={"budget": 20000, "segment": "smb"},
        account=Account(industry="fintech"),
    )
    assert both("custom.budget >= 10000 and custom.segment == 'smb'", lead) is T
    assert both("custom.missing == 1", lead) is U
    assert both("account.industry == 'fintech'", lead) is T
    assert both("account.employees > 5", lead) is U
    assert both("account.industry == 'fintech'", Lead()) is U
    assert both("account.industry is null", Lead()) is T
    assert both("employees.foo == 1", lead) is U
    nested = {"account": {"owner": {"name": "Ana"}}}
    assert both("account.owner.name == 'Ana'", nested) is T


def test_context_supplies_what_the_subject_lacks() -> None:
    contact = {"name": "Ana"}
    context = {"account": Account(industry="saas"), "name": "ignored"}
    assert both("account.industry == 'saas'", contact, context=context) is T
    assert both("name == 'Ana'", contact, context=context) is T
    lead = Lead()  # has an account attribute (None): the subject wins
    assert both("account.industry == 'saas'", lead, context=context) is U
    assert both("region == 'EU'", contact, context={"region": "EU"}) is T
    assert both("region == 'EU'", _Obj({}), context={"region": "EU"}) is T


def test_now_needs_an_aware_at() -> None:
    rule = parse("created_at >= now - 14d")
    recent = Lead(created_at=AT - timedelta(days=3))
    old = Lead(created_at=AT - timedelta(days=15))
    assert both("created_at >= now - 14d", recent, at=AT) is T
    assert both("created_at >= now - 14d", old, at=AT) is F
    assert both("created_at >= now - 14d", Lead(), at=AT) is U
    with pytest.raises(ValidationError) as info:
        rule.evaluate(recent)
    assert info.value.paths == ("at",)
    with pytest.raises(ValidationError) as info:
        rule.explain(recent)
    assert info.value.paths == ("at",)
    with pytest.raises(ValidationError) as info:
        parse("x == 1").evaluate({}, at=datetime(2026, 1, 1))
    assert info.value.paths == ("at",)
    assert parse("x == 1").evaluate({"x": 1}, at=AT) is T


def _click(days_ago: float, channel: str = "email", kind: str = "clicked") -> dict[str, Any]:
    return {"channel": channel, "kind": kind, "at": AT - timedelta(days=days_ago)}


@attrs.frozen
class Touch:
    channel: str
    kind: str
    at: datetime


def test_counts_over_interactions() -> None:
    text = "count(interactions where channel == 'email' and kind == 'clicked' within 14d) >= 3"
    clicks = [
        _click(1),
        _click(5),
        _click(14),
        _click(14.5),
        _click(2, "phone"),
        _click(3, kind="open"),
    ]
    assert both(text, Lead(), at=AT, context={"interactions": clicks}) is T
    assert both(text, Lead(), at=AT, context={"interactions": clicks[1:]}) is F
    objs = [Touch(**c) for c in clicks]
    assert both(text, {}, at=AT, context={"interactions": objs}) is T
    assert both(text, {}, at=AT, context={}) is U
    assert both(text, {}, at=AT) is U
    assert both(text, {"interactions": clicks}, at=AT) is T
    assert both("count(interactions) == 6", {}, context={"interactions": clicks}) is T
    assert (
        both(
            "count(interactions where channel == 'phone') == 1",
            {},
            context={"interactions": clicks},
        )
        is T
    )
    future = [_click(-1)]
    assert (
        both("count(interactions within 14d) == 0", {}, at=AT, context={"interactions": future})
        is T
    )
    no_time = [{"channel": "email", "kind": "clicked"}]
    assert (
        both("count(interactions within 14d) == 0", {}, at=AT, context={"interactions": no_time})
        is T
    )
    assert (
        both("count(interactions where x == 1) == 0", {}, context={"interactions": [{"y": 1}]}) is T
    )
    assert both("count(interactions) > 0", {}, context={"interactions": "abc"}) is U
    with pytest.raises(ValidationError):
        parse(text).evaluate({}, context={"interactions": clicks})


def test_explain_reports_clauses_values_and_missing_fields() -> None:
    rule = parse("industry in ['saas', 'fintech'] and (employees >= 50 or budget >= 10000)")
    exp = rule.explain({"industry": "saas", "employees": 10})
    assert exp.result is U
    assert not exp.met
    assert exp.missing_fields == ("budget",)
    assert [c.text for c in exp.clauses] == [
        rule.to_text(),
        "industry in ['saas', 'fintech']",
        "employees >= 50 or budget >= 10000",
        "employees >= 50",
        "budget >= 10000",
    ]
    assert [c.result for c in exp.clauses] == [U, T, U, F, U]
    assert [c.depth for c in exp.clauses] == [0, 1, 1, 2, 2]
    assert exp.clauses[3].seen == (("employees", 10),)
    assert exp.clauses[3].value("employees") == 10
    assert exp.clauses[4].missing == ("budget",)
    assert str(exp).splitlines()[-1] == "missing: budget"
    decided = rule.explain({"industry": "retail"})
    assert decided.result is F
    assert decided.missing_fields == ()


def test_explain_missing_fields_follow_the_unknown_path() -> None:
    rule = parse("not (a == 1 and b == 2) or c is null or count(touches) > 1")
    exp = rule.explain({"c": 5}, context={})
    assert exp.result is U
    assert exp.missing_fields == ("a", "b", "touches")
    assert exp.clauses[-1].seen == (("count(touches)", None),)
    assert parse("budget >= 10000").explain(Lead()).missing_fields == ("budget",)
    exp2 = parse("created_at >= now - 1d").explain(Lead(created_at=AT), at=AT)
    assert exp2.result is T
    assert exp2.clauses[0].seen == (("created_at", AT), ("now - 1d", AT - timedelta(days=1)))


def test_explain_agrees_with_evaluate() -> None:
    rule = parse("x > 1 or y == 'a' and not z is null")
    for subject in ({}, {"x": 2}, {"y": "a"}, {"y": "a", "z": 1}, {"x": 0, "y": "b"}):
        assert rule.explain(subject).result is rule.evaluate(subject)
