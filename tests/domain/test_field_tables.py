"""Declarative field tables: what the base aggregate derives from one, and the fast lead path."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any, ClassVar

import attrs
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from salescore.domain import Account, Contact, Lead, PartyRef, Task
from salescore.domain.aggregate import Aggregate, Fields, FieldSpec
from salescore.domain.events import Event, FieldsChanged, StageChanged
from salescore.domain.normalisers import checked, member, opt_count, opt_email, req_text
from salescore.domain.tasks import TaskPriority
from salescore.errors import ValidationError
from salescore.serialization import register_type
from salescore.testing.invariants import check_aggregate
from salescore.testing.strategies import leads

T0 = datetime(2026, 3, 2, 9, tzinfo=UTC)


@register_type(name="TestPlanOpened")
@attrs.frozen(kw_only=True)
class PlanOpened(Event):
    name: str
    email: str | None = None


@register_type(name="TestPlanNoted")
@attrs.frozen(kw_only=True)
class PlanNoted(Event):
    note: str


@register_type(name="TestPlan")
@attrs.frozen(kw_only=True)
class Plan(Aggregate):
    field_table: ClassVar[Fields] = Fields(
        {
            "name": req_text,
            "email": FieldSpec(opt_email, personal=True),
            "seats": FieldSpec(opt_count, initial=False),
            "priority": FieldSpec(member(TaskPriority), initial=False),
            "note": FieldSpec(
                checked(lambda c, v, p: c.text(v, p, optional=True)),
                refused="is set by note()",
                initial=False,
            ),
        },
        created=PlanOpened,
    )

    name: str
    email: str | None = None
    seats: int | None = None
    priority: TaskPriority = TaskPriority.NORMAL
    note: str | None = None

    @classmethod
    def open(cls, *, id: str, name: Any, email: Any = None) -> Plan:
        return cls._create({"name": name, "email": email}, id=id, at=T0, actor="rep-1")

    def add_note(self, note: str, *, at: datetime) -> Plan:
        return self._emit(PlanNoted, at=at, actor="rep-1", note=note)

    def _apply(self, event: Event) -> dict[str, Any]:
        if isinstance(event, PlanNoted):
            return {"note": event.note}
        return super()._apply(event)


def test_the_table_derives_its_maps() -> None:
    table = Plan.field_table
    assert list(table) == ["name", "email", "seats", "priority", "note"]
    assert sorted(table.editable) == ["email", "name", "priority", "seats"]
    assert table.refusals == {
        "note": "is set by note()",
        "id": "cannot be changed",
        "version": "cannot be changed",
        "history": "cannot be changed",
    }
    assert table.initial == ("name", "email")
    assert table.personal == {"email": None}
    assert table["seats"] == FieldSpec(opt_count, initial=False)
    assert len(table) == 5


def test_creation_normalises_and_records_the_creation_event() -> None:
    plan = Plan.open(id="p-1", name="  Gold ", email="Ops@Acme.IO")
    assert (plan.name, plan.email, plan.version) == ("Gold", "Ops@acme.io", 1)
    assert plan.history == (
        PlanOpened(subject_id="p-1", at=T0, actor="rep-1", name="Gold", email="Ops@acme.io"),
    )
    assert Plan.from_events(plan.history) == plan
    check_aggregate(plan)


def test_creation_reports_every_bad_value_at_once() -> None:
    with pytest.raises(ValidationError) as info:
        Plan.open(id="p-1", name=" ", email="not an address")
    assert info.value.paths == ("name", "email")
    assert info.value.errors[0].message == "is required and must not be blank"


def test_update_refuses_refused_and_unknown_fields_together_and_changes_nothing() -> None:
    plan = Plan.open(id="p-1", name="Gold")
    with pytest.raises(ValidationError) as info:
        plan.update(note="x", colour="blue", seats=-1, at=T0, actor="rep-1")
    assert [(e.path, e.message) for e in info.value.errors] == [
        ("note", "is set by note()"),
        ("colour", "is not a field of Plan"),
        ("seats", "must be a non-negative integer or None"),
    ]
    with pytest.raises(ValidationError) as info:
        plan.update(id="p-2", at=T0, actor="rep-1")
    assert info.value.errors[0].message == "cannot be changed"
    assert (plan.version, plan.seats) == (1, None)


def test_update_records_one_fields_changed_with_normal_values() -> None:
    plan = Plan.open(id="p-1", name="Gold")
    later = plan.update(seats=5, priority="high", name=" Gold ", at=T0, actor="rep-2")
    assert later.version == 2
    assert later.history[-1] == FieldsChanged(
        subject_id="p-1",
        at=T0,
        actor="rep-2",
        changes={"seats": (None, 5), "priority": (TaskPriority.NORMAL, TaskPriority.HIGH)},
    )
    assert later.update(seats=5, at=T0, actor="rep-2") is later
    assert Plan.from_events(later.history) == later


def test_construction_normalises_by_the_table() -> None:
    plan = Plan(id="p-1", name=" Gold ", priority="low")
    assert (plan.name, plan.priority) == ("Gold", TaskPriority.LOW)
    with pytest.raises(ValidationError) as info:
        Plan(id="p-1", name="Gold", seats=-2, priority="sky-high")
    assert info.value.paths == ("seats", "priority")


def test_the_creation_state_is_derived_and_checks_the_event_type() -> None:
    note = PlanNoted(subject_id="p-1", at=T0, actor="x", note="n")
    with pytest.raises(ValidationError) as info:
        Plan.from_events([note])
    assert info.value.errors[0].message == "a plan's history starts with PlanOpened"
    with pytest.raises(ValidationError) as info:
        Account.from_events([note])
    assert info.value.errors[0].message == "an account's history starts with AccountCreated"


def test_emit_writes_the_envelope() -> None:
    plan = Plan.open(id="p-1", name="Gold").add_note("call back", at=T0 + timedelta(hours=1))
    assert plan.note == "call back"
    assert plan.history[-1] == PlanNoted(
        subject_id="p-1", at=T0 + timedelta(hours=1), actor="rep-1", note="call back"
    )
    assert plan._event(PlanNoted, at=T0, actor="a", note="n").subject_id == "p-1"
    with pytest.raises(ValidationError):
        plan.add_note("late", at=T0)  # earlier than the last event
    assert Plan.from_events(plan.history) == plan


def test_a_replayed_edit_of_a_field_only_a_transition_sets_is_refused() -> None:
    plan = Plan.open(id="p-1", name="Gold")
    edit = FieldsChanged(subject_id="p-1", at=T0, actor="x", changes={"note": (None, "n")})
    with pytest.raises(ValidationError) as info:
        Plan.from_events([*plan.history, edit])
    assert info.value.errors[0].message == "is not an editable field of Plan"


def test_the_shipped_tables() -> None:
    assert Lead.field_table.personal == {
        "first_name": None,
        "last_name": None,
        "email": None,
        "phone": None,
        "title": None,
        "custom": {},
    }
    assert Contact.field_table.personal == {
        "first_name": None,
        "last_name": None,
        "emails": (),
        "phones": (),
        "title": None,
        "custom": {},
    }
    assert Lead.field_table.refusals["original_source"] == "is set once, when the lead is created"
    assert "original_source" in Lead.field_table.initial
    assert "status" not in Lead.field_table.initial
    assert sorted(Task.field_table.editable) == [
        "assignee_id",
        "due_at",
        "notes",
        "priority",
        "title",
    ]
    assert Lead.field_table.region == "country"


BERLIN = timezone(timedelta(hours=1))


@settings(max_examples=60, deadline=None)
@given(leads(), st.booleans())
def test_the_fast_lead_path_builds_what_the_checked_path_builds(lead: Lead, berlin: bool) -> None:
    # A time in another zone takes the checked path; the same instant in UTC the fast one.
    fields = {n: getattr(lead, n) for n in Lead.field_table.initial}
    source = fields.pop("original_source")
    fields.pop("latest_source")
    assume(not fields["custom"])
    at = lead.created_at
    common: dict[str, Any] = dict(fields, id=lead.id, actor="web-form", source=source)
    fast = Lead.new(at=at, **common)
    checked_path = Lead.new(at=at.astimezone(BERLIN) if berlin else at, schema=None, **common)
    slow = Lead.new(at=at.astimezone(BERLIN), **common)
    assert fast == checked_path == slow
    assert fast.history == slow.history
    assert Lead.from_events(fast.history) == fast
    check_aggregate(fast)


def test_the_fast_lead_path_still_refuses_bad_envelopes() -> None:
    with pytest.raises(ValidationError) as info:
        Lead.new(id="bad\nid", at=T0, actor="x", email="a@b.io")
    assert info.value.paths == ("subject_id",)
    with pytest.raises(ValidationError) as info:
        Lead.new(id="l-1", at=T0, actor=" ", email="a@b.io")
    assert info.value.paths == ("actor",)
    with pytest.raises(ValidationError):
        Lead.new(id="l-1", at=datetime(2026, 3, 2), actor="x", email="a@b.io")
    lead = Lead.new(id="l-1", at=T0, actor="x", email="a@b.io", custom={})
    assert type(lead.custom) is not dict  # frozen, as the checked path leaves it
    assert lead == Lead.new(id="l-1", at=T0, actor="x", email="a@b.io", default_region="DE")


def test_stage_changes_are_not_in_the_lead_table_editable_set() -> None:
    lead = Lead.new(id="l-1", at=T0, actor="x", email="a@b.io")
    bad = FieldsChanged(subject_id="l-1", at=T0, actor="x", changes={"converted_at": (None, T0)})
    with pytest.raises(ValidationError):
        Lead.from_events([*lead.history, bad])
    move = StageChanged(
        subject_id="l-1",
        at=T0,
        actor="x",
        funnel="lead_status",
        from_stage="new",
        to_stage="working",
    )
    assert Lead.from_events([*lead.history, move]).status == "working"


@pytest.mark.parametrize("name", ["first_name", "title", "company", "industry", "owner_id"])
def test_a_lead_built_directly_refuses_control_characters(name: str) -> None:
    with pytest.raises(ValidationError) as info:
        Lead(id="l-1", **{name: "a\x00b"})
    assert info.value.paths == (name,)


def test_a_task_built_directly_takes_enum_values_and_refuses_fixed_fields_in_update() -> None:
    task = Task.new(
        id="t-1",
        at=T0,
        actor="x",
        subject=PartyRef.lead("l-1"),
        title="Call",
        due_at=T0 + timedelta(days=1),
    )
    assert attrs.evolve(task, priority="high").priority is TaskPriority.HIGH
    with pytest.raises(ValidationError) as info:
        task.update(kind="call", title=" ", at=T0, actor="x")
    assert [(e.path, e.message) for e in info.value.errors] == [
        ("kind", "is fixed when the task is created"),
        ("title", "must not be blank"),
    ]


def test_the_history_message_names_a_two_word_aggregate_in_words() -> None:
    @attrs.frozen(kw_only=True)
    class SupportPlan(Plan):
        pass

    note = PlanNoted(subject_id="p-1", at=T0, actor="x", note="n")
    with pytest.raises(ValidationError) as info:
        SupportPlan.from_events([note])
    assert info.value.errors[0].message == "a support plan's history starts with PlanOpened"
