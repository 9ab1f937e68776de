"""The converter: round trips, byte-identical JSON, every error with its path, upcasters."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from salescore.domain.events import Event, FieldsChanged, StageChanged
from salescore.errors import ValidationError
from salescore.money import Money
from salescore.serialization import (
    from_dict,
    from_json,
    register_type,
    register_upcaster,
    to_dict,
    to_json,
)
from salescore.testing.strategies import fields_changed, json_values, stage_changed

CET = timezone(timedelta(hours=1))


@register_type(name="SerializationSample")
@attrs.frozen(kw_only=True)
class Sample:
    name: str
    amount: Decimal | None = None
    price: Money | None = None
    when: datetime | None = None
    day: date | None = None
    wait: timedelta = timedelta(0)
    tags: frozenset[str] = frozenset()
    events: tuple[Event, ...] = ()
    extra: Mapping[str, Any] = attrs.field(factory=dict)


def test_document_carries_type_and_schema() -> None:
    doc = to_dict(Sample(name="x"))
    assert doc["_type"] == "SerializationSample"
    assert doc["_schema"] == 1


def test_exact_json_of_a_sample() -> None:
    s = Sample(
        name="x",
        amount=Decimal("1.50"),
        price=Money("12.00", "EUR"),
        when=datetime(2026, 1, 2, 9, 30, tzinfo=CET),
        day=date(2026, 1, 2),
        wait=timedelta(hours=1),
        tags=frozenset({"b", "a"}),
        extra={"n": 1, "d": Decimal("2.5"), "t": (1, 2)},
    )
    assert to_json(s) == (
        '{"_schema":1,"_type":"SerializationSample","amount":"1.5","day":"2026-01-02",'
        '"events":[],"extra":{"d":{"$decimal":"2.5"},"n":1,"t":[1,2]},'
        '"name":"x","price":{"amount":"12","currency":"EUR"},'
        '"tags":["a","b"],"wait":3600,"when":"2026-01-02T08:30:00+00:00"}'
    )
    assert from_json(Sample, to_json(s)) == s


def test_datetimes_are_held_in_utc_and_keep_their_instant() -> None:
    when = datetime(2026, 1, 2, 9, 30, tzinfo=CET)
    sample = Sample(name="x", when=when)
    assert sample.when is not None
    assert sample.when.tzinfo is UTC
    back = from_json(Sample, to_json(sample))
    assert back.when == when
    assert back.when is not None
    assert back.when.utcoffset() == timedelta(0)


def test_polymorphic_events_round_trip() -> None:
    at = datetime(2026, 1, 1, tzinfo=UTC)
    events = (
        StageChanged(subject_id="s", at=at, actor="a", funnel="f", from_stage=None, to_stage="x"),
        FieldsChanged(
            subject_id="s",
            at=at,
            actor="a",
            changes={"amount": (None, Money("5", "USD")), "when": (at, None)},
        ),
    )
    s = Sample(name="x", events=events)
    doc = to_dict(s)
    assert [e["_type"] for e in doc["events"]] == ["StageChanged", "FieldsChanged"]
    assert from_dict(Sample, doc) == s


def test_every_problem_is_reported_with_its_path() -> None:
    with pytest.raises(ValidationError) as info:
        from_dict(
            Sample,
            {
                "_type": "SerializationSample",
                "name": 3,
                "amount": 1.5,
                "when": "2026-01-01T00:00:00",
                "events": [
                    {
                        "_type": "StageChanged",
                        "subject_id": "s",
                        "at": "nope",
                        "actor": "a",
                        "funnel": "f",
                        "from_stage": None,
                        "to_stage": "x",
                    }
                ],
                "bogus": True,
            },
        )
    assert info.value.paths == ("name", "amount", "when", "events[0].at", "bogus")
    assert isinstance(info.value, ValueError)


def test_missing_field_and_not_a_mapping() -> None:
    with pytest.raises(ValidationError) as info:
        from_dict(Sample, {"_type": "SerializationSample"})
    assert info.value.errors[0].path == "name"
    assert info.value.errors[0].message == "required field is missing"
    with pytest.raises(ValidationError):
        from_dict(Sample, [1, 2])  # type: ignore[arg-type]


def test_wrong_type_and_bad_json() -> None:
    with pytest.raises(ValidationError) as info:
        from_dict(Sample, {"_type": "Other", "name": "x"})
    assert info.value.paths == ("_type",)
    with pytest.raises(ValidationError) as info:
        from_json(Sample, "{not json")
    assert "not valid JSON" in str(info.value)


def test_naive_datetime_in_constructor_error_is_folded_in() -> None:
    with pytest.raises(ValidationError) as info:
        from_dict(
            StageChanged,
            {
                "subject_id": "",
                "at": "2026-01-01T00:00:00+00:00",
                "actor": "a",
                "funnel": "f",
                "from_stage": None,
                "to_stage": "x",
            },
        )
    assert info.value.paths == ("subject_id",)


@register_type
@attrs.frozen(kw_only=True)
class Versioned:
    __schema__ = 3
    full_name: str
    score: int


def test_upcasters_chain_to_the_current_schema() -> None:
    def rename(doc: dict[str, Any]) -> dict[str, Any]:
        doc["full_name"] = doc.pop("name")
        return doc

    register_upcaster("Versioned", 1, rename)
    register_upcaster("Versioned", 2, lambda d: {**d, "score": d.get("score", 0)})
    old = {"_type": "Versioned", "_schema": 1, "name": "Ana"}
    assert from_dict(Versioned, old) == Versioned(full_name="Ana", score=0)
    assert to_dict(Versioned(full_name="Ana", score=1))["_schema"] == 3
    with pytest.raises(ValidationError) as info:
        from_dict(Versioned, {"_type": "Versioned", "_schema": 4, "full_name": "A", "score": 1})
    assert info.value.paths == ("_schema",)


def test_missing_upcaster_is_reported() -> None:
    @register_type
    @attrs.frozen
    class Lonely:
        __schema__ = 2
        x: int

    with pytest.raises(ValidationError) as info:
        from_dict(Lonely, {"_type": "Lonely", "_schema": 1, "x": 1})
    assert "no upcaster" in info.value.errors[0].message


def test_to_dict_refuses_non_attrs() -> None:
    with pytest.raises(ValidationError):
        to_dict({"a": 1})


@given(json_values())
def test_any_values_round_trip_exactly(value: Any) -> None:
    s = Sample(name="x", extra={"v": value})
    back = from_json(Sample, to_json(s))
    assert back == s
    assert to_json(back) == to_json(s)


@given(st.lists(stage_changed() | fields_changed(), max_size=5))
def test_event_lists_round_trip(events: list[Event]) -> None:
    s = Sample(name="x", events=tuple(events))
    assert from_json(Sample, to_json(s)) == s
