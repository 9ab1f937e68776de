"""Rule schemas of the shipped records: misspelled fields are refused by name."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from salescore.domain import (
    Account,
    Contact,
    CustomField,
    CustomFieldSchema,
    FieldType,
    Interaction,
    Lead,
    Opportunity,
    ServiceCase,
)
from salescore.domain._rule_schemas import INTERACTION_RECORDS, rule_schema
from salescore.errors import ValidationError
from salescore.rules import FieldKind, parse

K = FieldKind
T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def _errors(text: str, schema: Any) -> list[tuple[str, str]]:
    with pytest.raises(ValidationError) as info:
        parse(text, schema=schema)
    return [(e.path, e.message) for e in info.value.errors]


@pytest.mark.parametrize(
    ("cls", "good", "bad", "path", "hint"),
    [
        (Lead, "employees >= 50 and industry == 'saas'", "employes >= 50", "employes", "employees"),
        (
            Contact,
            "lifecycle_stage == 'customer'",
            "lifecycle == 'x'",
            "lifecycle",
            "lifecycle_stage",
        ),
        (
            Account,
            "annual_revenue >= 1000000",
            "anual_revenue > 1",
            "anual_revenue",
            "annual_revenue",
        ),
        (Opportunity, "amount >= 10000 and is_open == true", "ammount > 1", "ammount", "amount"),
        (
            ServiceCase,
            "priority == 'high' and reopens < 2",
            "priorty == 'high'",
            "priorty",
            "priority",
        ),
        (
            Interaction,
            "channel == 'email' and duration > 5m",
            "chanel == 'email'",
            "chanel",
            "channel",
        ),
    ],
)
def test_each_record_class_is_a_schema(
    cls: type, good: str, bad: str, path: str, hint: str
) -> None:
    assert parse(good, schema=cls).check(cls) == parse(good)
    assert _errors(bad, cls) == [(path, f"is not a field of the schema; did you mean {hint!r}?")]


def test_a_name_with_no_near_spelling_gets_no_suggestion() -> None:
    assert _errors("zzzz > 1", Lead) == [("zzzz", "is not a field of the schema")]


def test_relations_are_checked_inside_count() -> None:
    text = "count(interactions where chanel == 'email' within 14d) >= 3"
    assert _errors(text, Lead) == [
        ("interactions.chanel", "is not a field of the schema; did you mean 'channel'?")
    ]
    assert _errors("count(interaction) > 1", Opportunity) == [
        ("interaction", "is not a field of the schema; did you mean 'interactions'?")
    ]
    ok = "count(interactions where channel == 'email' and direction == 'inbound') > 1"
    for cls in (Lead, Contact, Account, Opportunity, ServiceCase):
        parse(ok, schema=cls)
    parse("count(line_items where quantity > 2) >= 1", schema=Opportunity)


def test_kinds_follow_the_field_types() -> None:
    schema = rule_schema(Lead)
    assert schema["employees"] is K.NUMBER
    assert schema["annual_revenue"] is K.MONEY
    assert schema["status"] is K.CHOICE
    assert schema["converted_at"] is K.DATETIME
    assert schema["is_converted"] is K.FLAG
    assert schema["custom"] is K.ANY
    assert schema["original_source"]["utm_source"] is K.TEXT
    assert schema["interactions"] == INTERACTION_RECORDS
    assert _errors("employees == 'many'", Lead) == [
        ("employees", "is a number field; cannot compare with a text")
    ]


def test_the_interaction_records_match_the_interaction_class() -> None:
    assert Interaction.__rule_schema__() == dict(INTERACTION_RECORDS)


def test_custom_fields_come_from_a_custom_field_schema() -> None:
    custom = CustomFieldSchema(
        (
            CustomField(name="budget", type=FieldType.MONEY),
            CustomField(name="plan", type=FieldType.CHOICE, choices=("basic", "pro")),
        )
    )
    schema = Lead.__rule_schema__(custom)
    assert schema["custom"] == {"budget": K.MONEY, "plan": K.CHOICE}
    parse("custom.budget >= 10000 and custom.plan == 'pro'", schema=schema)
    assert _errors("custom.budgt > 1", schema) == [
        ("custom.budgt", "is not a field of the schema; did you mean 'custom.budget'?")
    ]
    parse("custom.anything > 1", schema=Lead)  # no custom schema: not checked


def test_an_instance_provides_its_class_schema() -> None:
    lead = Lead.new(id="lead-1", at=T0, actor="web", email="ana@acme.io", employees=120)
    rule = parse("employees >= 50").check(lead)
    assert rule == parse("employees >= 50")


def test_rule_schema_refuses_a_class_that_is_not_a_record() -> None:
    with pytest.raises(ValidationError) as info:
        rule_schema(int)
    assert info.value.paths == ("subject_type",)
