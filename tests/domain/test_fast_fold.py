"""Recording and replay check only what an event changes, with the same results and errors.

Every state change goes through ``Aggregate._evolved``; these tests compare it
with the full checked path (``attrs.evolve``, which runs the constructor and
normalises every field) on every aggregate the strategies build.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any
from unittest import mock

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from salescore.domain import Account, Contact, Lead
from salescore.domain.aggregate import Aggregate, _Copier
from salescore.domain.campaigns.campaign import Campaign
from salescore.domain.events import FieldsChanged
from salescore.domain.opportunities.deal import Opportunity
from salescore.domain.service.cases import ServiceCase
from salescore.errors import ValidationError
from salescore.testing import strategies as s

T0 = datetime(2026, 3, 2, 9, tzinfo=UTC)

AGGREGATES: dict[str, st.SearchStrategy[Any]] = {
    "lead": s.leads(),
    "account": s.accounts(),
    "contact": s.contacts(),
    "task": s.tasks(),
    "campaign": s.campaigns(),
    "campaign member": s.campaign_members(),
    "opportunity": s.opportunities(),
    "service case": s.service_cases(),
    "consent record": s.consent_records(),
    "enrollment": s.enrollments(),
    "merge": s.merges(),
    "tombstone": s.tombstones(),
}

#: Values that are not normal for most fields: padded, upper case, control
#: characters, blank, wrong types.
AWKWARD: tuple[Any, ...] = (
    "  Ann  ",
    "Ann\x07Lee",
    "line\nbreak",
    "ANN@EXAMPLE.COM",
    " ann@Example.com ",
    "WWW.Example.COM",
    "+44 20 7946 0958",
    "de",
    "",
    "   ",
    None,
    0,
    -1,
    2.5,
    True,
    ("A@example.com", "a@EXAMPLE.com"),
    frozenset({" vip "}),
    {"Bad Key": 1},
)


def _checked_evolved(self: Any, changes: Any, *, in_place: bool = False) -> Any:
    """The checked path: a new object through the constructor, whatever ``in_place`` says."""
    return attrs.evolve(self, **changes)


@contextmanager
def full_path() -> Iterator[None]:
    """Every state change through the constructor: all fields normalised, every check run."""
    with mock.patch.object(Aggregate, "_evolved", _checked_evolved):
        yield


def outcome(build: Callable[[], Any]) -> tuple[Any, ...]:
    """What ``build`` gives: the state with each field's type, or the errors it raises."""
    try:
        obj = build()
    except ValidationError as exc:
        return ("refused", exc.subject, [(e.path, repr(e.value), e.message) for e in exc.errors])
    fields = attrs.fields(type(obj))
    return ("built", obj, [(f.name, type(getattr(obj, f.name))) for f in fields])


def both(build: Callable[[], Any]) -> tuple[tuple[Any, ...], tuple[Any, ...]]:
    fast = outcome(build)
    with full_path():
        full = outcome(build)
    return fast, full


@pytest.mark.parametrize("kind", AGGREGATES)
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_replay_through_the_fast_path_equals_the_checked_path(
    kind: str, data: st.DataObject
) -> None:
    x = data.draw(AGGREGATES[kind])
    fast, full = both(lambda: type(x).from_events(x.history))
    assert fast == full
    assert fast[0] == "built"
    assert fast[1] == x


@pytest.mark.parametrize("kind", AGGREGATES)
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_an_edit_with_awkward_values_is_refused_or_normalised_as_before(
    kind: str, data: st.DataObject
) -> None:
    x = data.draw(AGGREGATES[kind])
    editable = sorted(type(x)._editable_fields())
    if not editable:
        return
    names = data.draw(st.lists(st.sampled_from(editable), min_size=1, max_size=3, unique=True))
    values = [data.draw(st.sampled_from(AWKWARD)) for _ in names]
    changes = {n: (getattr(x, n), v) for n, v in zip(names, values, strict=True)}
    edit = FieldsChanged(subject_id=x.id, at=x.history[-1].at, actor="rep-1", changes=changes)
    # replay (errors under events[i]) and recording (errors as raised)
    fast, full = both(lambda: type(x).from_events((*x.history, edit)))
    assert fast == full
    fast, full = both(lambda: x._record(edit))
    assert fast == full


def lead() -> Lead:
    return Lead.new(id="lead-1", at=T0, actor="rep-1", first_name="Ann", email="ann@example.com")


def edit(x: Aggregate, **changes: Any) -> FieldsChanged:
    return FieldsChanged(
        subject_id=x.id,
        at=T0,
        actor="rep-1",
        changes={n: (getattr(x, n), v) for n, v in changes.items()},
    )


def test_a_replayed_email_in_upper_case_is_normalised() -> None:
    x = lead()
    y = Lead.from_events((*x.history, edit(x, email="ANN@EXAMPLE.COM")))
    assert y.email == "ANN@example.com"
    assert y.first_name == "Ann"
    assert y.version == x.version + 1


def test_a_replayed_name_with_a_control_character_is_refused_at_its_event() -> None:
    x = lead()
    with pytest.raises(ValidationError) as info:
        Lead.from_events((*x.history, edit(x, first_name="An\x07n", email="not an email")))
    got = [(e.path, e.value) for e in info.value.errors]
    assert got == [
        (f"events[{x.version}].first_name", "An\x07n"),
        (f"events[{x.version}].email", "not an email"),
    ]
    with pytest.raises(ValidationError) as recorded:
        x._record(edit(x, first_name="An\x07n"))
    assert [e.path for e in recorded.value.errors] == ["first_name"]


def test_only_classes_whose_post_init_checks_only_the_table_skip_the_constructor() -> None:
    fast = {k for k in (Lead, Contact, ServiceCase) if _Copier.of(k) is not None}
    full = {k for k in (Account, Campaign, Opportunity) if _Copier.of(k) is None}
    assert fast == {Lead, Contact, ServiceCase}
    assert full == {Account, Campaign, Opportunity}


def test_a_cross_field_check_still_runs_on_replay() -> None:
    x = Account.new(id="acc-1", at=T0, actor="rep-1", name="Acme")
    with pytest.raises(ValidationError) as info:
        Account.from_events((*x.history, edit(x, parent_id="acc-1")))
    assert [(e.path, e.message) for e in info.value.errors] == [
        (f"events[{x.version}].parent_id", "an account cannot be its own parent")
    ]


def test_the_fast_path_copies_without_touching_the_original() -> None:
    x = lead()
    y = x._evolved({"score": 5.0})
    assert (x.score, y.score) == (0.0, 5.0)
    assert attrs.evolve(x, score=5.0) == y
    assert x._evolved({}) == x
    assert x._evolved({}) is not x


def test_a_subclass_override_of_post_init_goes_through_the_constructor() -> None:
    @attrs.frozen(kw_only=True)
    class Checked(Lead):
        def __attrs_post_init__(self) -> None:
            super().__attrs_post_init__()
            if self.score > 10:
                raise ValidationError.single("score", self.score, "too high")

    assert _Copier.of(Checked) is None


@pytest.mark.parametrize("kind", AGGREGATES)
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_recording_several_edits_changes_only_the_new_state(kind: str, data: st.DataObject) -> None:
    """The second edit of one recording changes the new state in place, never the original."""
    x = data.draw(AGGREGATES[kind])

    def takes_words(name: str) -> bool:
        try:
            return all(getattr(attrs.evolve(x, **{name: w}), name) == w for w in ("one", "two"))
        except ValidationError:
            return False

    editable = sorted(n for n in type(x)._editable_fields() if takes_words(n))
    if not editable:
        return
    name = data.draw(st.sampled_from(editable))
    before = getattr(x, name)
    at = x.history[-1].at
    first = FieldsChanged(subject_id=x.id, at=at, actor="rep-1", changes={name: (before, "one")})
    second = FieldsChanged(subject_id=x.id, at=at, actor="rep-1", changes={name: ("one", "two")})
    bad = FieldsChanged(subject_id=x.id, at=at, actor="rep-1", changes={name: ("two", 7)})
    new = x._record(first, second)
    assert (getattr(x, name), getattr(new, name)) == (before, "two")
    assert new.history == (*x.history, first, second)
    assert x.version == len(x.history)
    with pytest.raises(ValidationError):
        x._record(first, second, bad)
    assert getattr(x, name) == before
    assert x.version == len(x.history)


@pytest.mark.parametrize("kind", AGGREGATES)
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_the_state_after_creation_equals_the_constructors(kind: str, data: st.DataObject) -> None:
    """A creation event's normal values build the state without the constructor, alike."""
    x = data.draw(AGGREGATES[kind])
    cls, first = type(x), x.history[0]
    own = next(k.__dict__["_created"] for k in cls.__mro__ if "_created" in k.__dict__)
    if own is not Aggregate.__dict__["_created"] or type(first) is not cls.field_table.created:
        return  # a class of its own creation (or without a table) builds its state itself
    built = outcome(lambda: cls._created(first))
    values = {n: getattr(first, n) for n in cls.field_table.initial}
    assert built == outcome(lambda: cls(id=first.subject_id, **values))


def test_a_lead_after_creation_is_built_without_its_constructor() -> None:
    lead = Lead.new(id="l-1", at=T0, actor="web", email="a@b.io")
    with mock.patch.object(Lead, "__init__", side_effect=AssertionError("constructor")):
        rebuilt = Lead.from_events(lead.history)
    assert rebuilt == lead
    odd = attrs.evolve(lead.history[0], email="A@B.IO")  # valid, not normal: the constructor
    with (
        pytest.raises(AssertionError, match="constructor"),
        mock.patch.object(Lead, "__init__", side_effect=AssertionError("constructor")),
    ):
        Lead.from_events((odd, *lead.history[1:]))
    assert Lead.from_events((odd, *lead.history[1:])).email == "A@b.io"
