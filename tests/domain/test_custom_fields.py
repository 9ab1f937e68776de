"""Custom field schemas: definitions, validation of values, serialisation."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from hypothesis import given, settings

from salescore.domain.custom_fields import CustomField, CustomFieldSchema, FieldType
from salescore.errors import NotFound, ValidationError
from salescore.money import Money
from salescore.serialization import from_json, to_json
from salescore.testing.strategies import custom_field_schemas, custom_fields_with_values

SCHEMA = CustomFieldSchema(
    (
        CustomField(name="notes", type=FieldType.TEXT),
        CustomField(name="seats", type=FieldType.NUMBER, required=True),
        CustomField(name="budget", type=FieldType.MONEY, currency="EUR"),
        CustomField(name="renewal", type=FieldType.DATE),
        CustomField(name="demo_at", type=FieldType.DATETIME),
        CustomField(name="plan", type=FieldType.CHOICE, choices=("basic", "pro")),
        CustomField(name="modules", type=FieldType.MULTI_CHOICE, choices=("crm", "cpq", "help")),
        CustomField(name="partner", type=FieldType.FLAG, label="Partner?"),
    )
)


def test_valid_values_are_normalised() -> None:
    values = SCHEMA.validate(
        {
            "notes": None,
            "seats": 3,
            "budget": Money("9000", "EUR"),
            "renewal": date(2027, 1, 1),
            "demo_at": datetime(2026, 5, 1, 10, tzinfo=UTC),
            "plan": "pro",
            "modules": ["crm", "help"],
            "partner": False,
        }
    )
    assert values == {
        "seats": 3,
        "budget": Money("9000", "EUR"),
        "renewal": date(2027, 1, 1),
        "demo_at": datetime(2026, 5, 1, 10, tzinfo=UTC),
        "plan": "pro",
        "modules": frozenset({"crm", "help"}),
        "partner": False,
    }


def test_every_bad_value_is_listed_under_custom() -> None:
    with pytest.raises(ValidationError) as info:
        SCHEMA.validate(
            {
                "notes": 5,
                "budget": Money("1", "USD"),
                "renewal": datetime(2027, 1, 1, tzinfo=UTC),
                "demo_at": datetime(2026, 5, 1),
                "plan": "gold",
                "modules": "crm",
                "partner": "yes",
                "colour": "red",
                "seats": True,
            }
        )
    assert info.value.paths == (
        "custom.notes",
        "custom.budget",
        "custom.renewal",
        "custom.demo_at",
        "custom.plan",
        "custom.modules",
        "custom.partner",
        "custom.colour",
        "custom.seats",
    )
    with pytest.raises(ValidationError) as info:
        SCHEMA.validate({})
    assert info.value.paths == ("custom.seats",)
    assert info.value.errors[0].message == "is required"


def test_field_definitions_are_checked() -> None:
    with pytest.raises(ValidationError) as info:
        CustomField(name="Bad", type=FieldType.TEXT, choices=("a",), currency="EUR")
    assert info.value.paths == ("name", "choices", "currency")
    with pytest.raises(ValidationError) as info:
        CustomField(name="plan", type=FieldType.CHOICE)
    assert info.value.paths == ("choices",)
    with pytest.raises(ValidationError) as info:
        CustomFieldSchema((CustomField(name="a", type=FieldType.FLAG),) * 2)
    assert info.value.paths == ("fields[1].name",)
    assert SCHEMA.field("partner").label == "Partner?"
    assert SCHEMA.field("demo_at").label == "Demo at"
    assert "plan" in SCHEMA
    with pytest.raises(NotFound, match="'nope' is not a custom field of the schema"):
        SCHEMA.field("nope")


def test_schema_round_trips() -> None:
    assert from_json(CustomFieldSchema, to_json(SCHEMA)) == SCHEMA
    assert SCHEMA.names[:3] == ("notes", "seats", "budget")


@settings(max_examples=40)
@given(custom_field_schemas())
def test_schemas_round_trip(schema: CustomFieldSchema) -> None:
    assert from_json(CustomFieldSchema, to_json(schema)) == schema


@settings(max_examples=60)
@given(custom_fields_with_values())
def test_generated_values_validate_and_are_stable(pair: tuple[CustomFieldSchema, Any]) -> None:
    schema, values = pair
    once = schema.validate(values)
    assert schema.validate(once) == once
