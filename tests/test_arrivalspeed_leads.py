"""Leads built and copied slot by slot, and edits recorded as they are, equal the general paths.

``Lead.new`` builds a lead and its creation event through builders that set
each slot; a change copies the lead slot by slot; an edit of a scalar field
builds its change mapping as it is. Each is compared with the path it
replaces: the same objects, field by field, with fields of the same types.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from unittest import mock

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from salescore._codegen import slot_builder, slot_copier
from salescore.domain import Lead, leads
from salescore.domain.events import _prechecked
from salescore.domain.leads import LeadCreated, LeadSource
from salescore.errors import SalescoreError
from salescore.frozen import FrozenDict
from salescore.testing import strategies as s

AT = datetime(2026, 3, 2, 9, tzinfo=UTC)


def _fields(obj: Any) -> list[tuple[str, type, Any]]:
    names = [f.name for f in attrs.fields(type(obj))]
    return [(n, type(getattr(obj, n)), getattr(obj, n)) for n in names]


def _same(a: Any, b: Any) -> None:
    assert type(a) is type(b)
    assert a == b
    assert _fields(a) == _fields(b)
    for (_, _, x), (_, _, y) in zip(_fields(a), _fields(b), strict=True):
        assert x is y or x == y


@settings(max_examples=200, deadline=None)
@given(s.leads())
def test_a_lead_built_slot_by_slot_is_the_one_the_prechecked_builder_makes(lead: Lead) -> None:
    values = [getattr(lead, f.name) for f in attrs.fields(Lead)]
    _same(leads._new_lead(*values), _prechecked(Lead)(*values))
    _same(leads._new_lead(*values), lead)
    created = lead.history[0]
    assert type(created) is LeadCreated
    event_values = [getattr(created, f.name) for f in attrs.fields(LeadCreated)]
    _same(leads._new_created(*event_values), _prechecked(LeadCreated)(*event_values))


@settings(max_examples=200, deadline=None)
@given(s.leads())
def test_a_copy_is_equal_slot_for_slot(lead: Lead) -> None:
    copy = leads._copy_lead(lead)
    assert copy is not lead
    _same(copy, lead)
    assert all(getattr(copy, f.name) is getattr(lead, f.name) for f in attrs.fields(Lead))


_SOURCES = st.sampled_from(
    [None, LeadSource(channel="web"), LeadSource(channel="x", utm_source="g")]
)


@settings(max_examples=300, deadline=None)
@given(
    n=st.integers(1, 10_000),
    email=st.sampled_from([None, "ann@acme.example", "Bob@ACME.example", "bad@", " a@b.example"]),
    company=st.sampled_from([None, "Acme", " Acme ", "", "two\nlines"]),
    employees=st.sampled_from([None, 0, 15, 2500, -1, True, "12"]),
    country=st.sampled_from([None, "DE", "de", "XX"]),
    source=_SOURCES,
    score=st.sampled_from([0.0, 12.5, 3, float("nan")]),
    at=st.sampled_from([AT, AT.astimezone(__import__("zoneinfo").ZoneInfo("Europe/Berlin"))]),
)
def test_lead_new_equals_the_constructor_path(
    n: int, email: Any, company: Any, employees: Any, country: Any, source: Any, score: Any, at: Any
) -> None:
    def new() -> Any:
        try:
            lead = Lead.new(
                id=f"lead-{n}",
                at=at,
                actor="web",
                email=email,
                company=company,
                employees=employees,
                country=country,
                source=source,
                score=score,
            )
        except SalescoreError as exc:
            return ("raised", type(exc), str(exc), repr(getattr(exc, "errors", None)))
        return lead

    fast = new()
    # ``default_region`` given (the region the country gives anyway) takes the general path.
    with mock.patch.object(leads, "_is_normal", return_value=False):
        general = new()
    if isinstance(fast, Lead):
        _same(fast, general)
        for a, b in zip(fast.history, general.history, strict=True):
            _same(a, b)
    else:
        assert fast == general


@settings(max_examples=300, deadline=None)
@given(
    s.leads(),
    st.one_of(
        st.tuples(st.just("assign"), st.sampled_from([None, "rep-1", "rep-2"])),
        st.tuples(st.just("set_score"), st.sampled_from([0.0, 1.5, 30.0, 99.25])),
    ),
    st.sampled_from([None, "why"]),
)
def test_an_edit_of_a_scalar_records_the_mapping_the_constructor_makes(
    lead: Lead, edit: tuple[str, Any], reason: Any
) -> None:
    operation, value = edit
    at = lead.history[-1].at + timedelta(minutes=1)

    def run() -> Lead:
        edited: Lead = getattr(lead, operation)(value, at=at, actor="x", reason=reason)
        return edited

    fast = run()
    with mock.patch.object(leads, "_SCALARS", frozenset()):
        general = run()
    _same(fast, general)
    for a, b in zip(fast.history, general.history, strict=True):
        _same(a, b)
        changes = getattr(a, "changes", None)
        if changes is not None:
            assert type(changes) is FrozenDict
            assert hash(changes) == hash(b.changes)


def test_a_builder_refuses_a_class_whose_fields_it_cannot_set() -> None:
    @attrs.frozen
    class Hidden:
        a: int
        b: int = attrs.field(init=False, default=0)

    @attrs.frozen
    class Clashing:
        _obj: int

    for cls in (Hidden, Clashing):
        with pytest.raises(TypeError, match=cls.__qualname__):
            slot_builder(cls)


def test_a_builder_sets_private_and_unslotted_fields_as_the_constructor_does() -> None:
    @attrs.frozen
    class Private:
        _a: int
        b: str

    @attrs.frozen(slots=False)
    class Unslotted:
        a: int
        b: str

    assert slot_builder(Private)(1, "x") == Private(1, "x")
    built = slot_builder(Unslotted)(a=2, b="y")
    assert built == Unslotted(2, "y")
    assert vars(built) == {"a": 2, "b": "y"}
    copy = slot_copier(Unslotted)(built)
    assert copy == built
    assert copy is not built


def test_a_builder_with_defaults_fills_the_plain_defaults_left_out() -> None:
    @attrs.frozen
    class Plain:
        a: int
        b: str = "b"
        c: tuple[int, ...] = ()

    build = slot_builder(Plain, defaults=True)
    assert build(1) == Plain(1)
    assert build(a=2, c=(3,)) == Plain(2, "b", (3,))
    with pytest.raises(TypeError, match="positional"):
        build(1, "x", (), "extra")  # one more than the fields


def test_a_builder_with_defaults_refuses_what_it_cannot_default() -> None:
    @attrs.frozen
    class Made:
        a: int
        b: list[int] = attrs.Factory(list)

    @attrs.frozen(kw_only=True)
    class Unordered:
        a: int = 0
        b: int

    with pytest.raises(TypeError, match="factory"):
        slot_builder(Made, defaults=True)
    with pytest.raises(TypeError, match="follows"):
        slot_builder(Unordered, defaults=True)
    assert slot_builder(Made)(1, [2]) == Made(1, [2])
