"""Optional typing: rules checked against a schema of the subject's fields."""

from __future__ import annotations

import pytest

from salescore.errors import ValidationError
from salescore.rules import FieldKind, RuleSchema, field, parse

K = FieldKind
SCHEMA: RuleSchema = {
    "industry": K.CHOICE,
    "employees": K.NUMBER,
    "budget": K.MONEY,
    "active": K.FLAG,
    "created_at": K.DATETIME,
    "close_on": K.DATE,
    "wait": K.DURATION,
    "tags": K.LIST,
    "custom.segment": K.TEXT,
    "account": {"industry": K.CHOICE, "extra": K.ANY},
    "interactions": {"channel": K.CHOICE, "kind": K.CHOICE, "at": K.DATETIME},
    "raw": K.ANY,
}


@pytest.mark.parametrize(
    "text",
    [
        "industry in ['saas', 'fintech'] and employees >= 50",
        "budget >= 10000.50 and budget < employees",
        "active == true and created_at >= now - 14d and close_on < date('2026-01-01')",
        "wait > 3h and tags is not null and custom.segment == 'smb'",
        "account.industry == 'saas' and account.extra.anything > 3 and raw.x.y == 'z'",
        "count(interactions where channel == 'email' within 14d) >= 3",
        "employees between 1 and 10.5",
    ],
)
def test_well_typed_rules_pass(text: str) -> None:
    rule = parse(text, schema=SCHEMA)
    assert rule.check(SCHEMA) is rule


def test_every_problem_is_reported_by_field() -> None:
    text = (
        "employees == 'many' and industry > 3 and nope == 1 and active < true "
        "and tags == 1 and created_at < date('2026-01-01') "
        "and count(interactions where colour == 'red') > 1 and count(employees) > 1"
    )
    with pytest.raises(ValidationError) as info:
        parse(text, schema=SCHEMA)
    assert info.value.paths == (
        "employees",
        "industry",
        "nope",
        "active",
        "tags",
        "created_at",
        "interactions.colour",
        "employees",
    )
    assert "is a number field; cannot compare with a text" in str(info.value)


def test_builders_check_too() -> None:
    with pytest.raises(ValidationError) as info:
        (field("employees").is_in(["a"])).check(SCHEMA)
    assert info.value.paths == ("employees",)
    assert (field("budget") > 5).check(SCHEMA) == parse("budget > 5")
