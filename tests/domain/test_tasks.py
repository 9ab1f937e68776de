"""Tasks: creation, callbacks, status moves, rescheduling, reassigning, round trips."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings

from salescore import funnels
from salescore.domain.events import FieldsChanged, StageChanged
from salescore.domain.interactions import Interaction
from salescore.domain.parties import PartyRef
from salescore.domain.tasks import (
    Task,
    TaskCreated,
    TaskKind,
    TaskPriority,
    TaskStatus,
    TaskSubject,
    TaskSubjectKind,
)
from salescore.errors import TransitionError, ValidationError
from salescore.serialization import from_json, to_json
from salescore.testing.strategies import tasks

T0 = datetime(2026, 5, 4, 9, 0, tzinfo=UTC)
H = timedelta(hours=1)


def make() -> Task:
    return Task.new(
        id="task-1",
        at=T0,
        actor="rep-1",
        subject=PartyRef.lead("lead-1"),
        title="Send pricing",
        due_at=T0 + 24 * H,
        assignee_id="rep-1",
    )


def test_new_task() -> None:
    t = make()
    assert (t.status, t.version, t.priority, t.kind) == (
        TaskStatus.OPEN,
        2,
        TaskPriority.NORMAL,
        TaskKind.TODO,
    )
    assert type(t.history[0]) is TaskCreated
    assert t.history[1] == StageChanged(
        subject_id="task-1",
        at=T0,
        actor="rep-1",
        funnel="task_status",
        from_stage=None,
        to_stage="open",
    )
    assert t.subject == TaskSubject(TaskSubjectKind.LEAD, "lead-1")
    assert t.subject.party == PartyRef.lead("lead-1")
    assert TaskSubject(TaskSubjectKind.CASE, "case-1").party is None


def test_callback_from_a_call() -> None:
    call = Interaction.call(
        id="call-1",
        at=T0,
        actor="rep-7",
        disposition="callback_requested",
        party=PartyRef.contact("contact-3"),
        rep_id="rep-7",
    )
    t = Task.callback(call, id="task-2", due_at=T0 + 48 * H)
    assert (t.kind, t.priority, t.assignee_id, t.interaction_id, t.title) == (
        TaskKind.CALLBACK,
        TaskPriority.HIGH,
        "rep-7",
        "call-1",
        "Call back contact:contact-3",
    )
    assert t.created_at == T0
    no_one = Interaction.call(id="call-2", at=T0, actor="rep-7", disposition="no_answer")
    with pytest.raises(ValidationError):
        Task.callback(no_one, id="task-3", due_at=T0 + H)


def test_complete_cancel_reopen() -> None:
    t = make().complete(at=T0 + H, actor="rep-1")
    assert (t.status, t.completed_at, t.is_open) == (TaskStatus.DONE, T0 + H, False)
    with pytest.raises(TransitionError):
        t.cancel(at=T0 + 2 * H, actor="rep-1")
    t = t.reopen(at=T0 + 2 * H, actor="rep-1", reason="customer asked again")
    t = t.cancel(at=T0 + 3 * H, actor="rep-1", reason="duplicate")
    assert t.status is TaskStatus.CANCELLED
    assert t.completed_at is None
    assert [v.stage for v in t.stage_history(funnels.TASK_STATUS)] == [
        "open",
        "done",
        "open",
        "cancelled",
    ]
    assert Task.from_events(t.history) == t


def test_reschedule_and_reassign_are_recorded() -> None:
    t = make().reschedule(T0 + 72 * H, at=T0 + H, actor="rep-1", reason="holiday")
    t = t.reassign("rep-2", at=T0 + 2 * H, actor="manager")
    assert t.history[-2] == FieldsChanged(
        subject_id="task-1",
        at=T0 + H,
        actor="rep-1",
        reason="holiday",
        changes={"due_at": (T0 + 24 * H, T0 + 72 * H)},
    )
    assert (t.due_at, t.assignee_id, t.version) == (T0 + 72 * H, "rep-2", 4)
    assert t.is_overdue(T0 + 73 * H)
    assert not t.is_overdue(T0 + 71 * H)


def test_bad_edits_are_refused() -> None:
    t = make()
    with pytest.raises(ValidationError) as info:
        t.update(
            at=T0 + H,
            actor="x",
            subject=TaskSubject(TaskSubjectKind.CASE, "c"),
            priority="sky-high",
        )
    assert info.value.paths == ("subject", "priority")
    with pytest.raises(ValidationError):
        t.reschedule(datetime(2026, 6, 1), at=T0 + H, actor="x")
    with pytest.raises(ValidationError):
        t.complete(at=T0 + H, actor="x").reassign("rep-3", at=T0 + 2 * H, actor="x")
    with pytest.raises(ValidationError) as info:
        Task.new(
            id="t",
            at=T0,
            actor="x",
            subject=PartyRef.lead("l"),
            title=" ",
            due_at=datetime(2026, 6, 1),
            priority="meh",
        )
    assert info.value.paths == ("priority", "title", "due_at")


@settings(max_examples=40)
@given(tasks())
def test_tasks_round_trip(t: Task) -> None:
    assert from_json(Task, to_json(t)) == t
    assert Task.from_events(t.history) == t
