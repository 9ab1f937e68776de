"""Tasks: to-dos with a due time, an assignee and what they are about.

A :class:`Task` is an aggregate: its status moves through
:data:`~salescore.funnels.TASK_STATUS` (open → done or cancelled, and back to
open by :meth:`Task.reopen`), and rescheduling or reassigning it records a
:class:`~salescore.domain.events.FieldsChanged`, so its whole story is kept.
The callback a cold call asks for is one (:meth:`Task.callback`).
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from datetime import datetime
from typing import Any, ClassVar, Final

import attrs

from salescore._validation import Checker, fail
from salescore.domain import _fields as fld
from salescore.domain import standard_funnels as funnels
from salescore.domain.aggregate import Aggregate, Fields, FieldSpec
from salescore.domain.events import Event
from salescore.domain.interactions import Interaction
from salescore.domain.parties import PartyKind, PartyRef
from salescore.domain.stages import Funnel
from salescore.errors import ValidationError
from salescore.serialization import register_type

__all__ = [
    "Task",
    "TaskCreated",
    "TaskKind",
    "TaskPriority",
    "TaskStatus",
    "TaskSubject",
    "TaskSubjectKind",
]


class TaskSubjectKind(enum.StrEnum):
    """What a task can be about."""

    LEAD = "lead"
    CONTACT = "contact"
    ACCOUNT = "account"
    OPPORTUNITY = "opportunity"
    CASE = "case"


class TaskPriority(enum.StrEnum):
    """How urgent a task is."""

    LOW = "low"
    NORMAL = "normal"
    HIGH = "high"
    URGENT = "urgent"


class TaskStatus(enum.StrEnum):
    """A task's status (the stages of :data:`~salescore.funnels.TASK_STATUS`)."""

    OPEN = "open"
    DONE = "done"
    CANCELLED = "cancelled"


class TaskKind(enum.StrEnum):
    """What sort of work a task is."""

    TODO = "todo"
    CALL = "call"
    CALLBACK = "callback"
    EMAIL = "email"
    MEETING = "meeting"
    FOLLOW_UP = "follow_up"


@register_type
@attrs.frozen
class TaskSubject:
    """What a task is about: a lead, contact, account, opportunity or case.

    Attributes:
        kind: Which sort of item.
        id: Its id.

    Raises:
        ValidationError: a bad kind or a blank id.
    """

    kind: TaskSubjectKind
    id: str

    def __attrs_post_init__(self) -> None:
        with Checker("TaskSubject") as c:
            object.__setattr__(
                self, "kind", c.member(TaskSubjectKind, self.kind, "kind", self.kind)
            )
            c.text(self.id, "id")

    @classmethod
    def of(cls, party: PartyRef) -> TaskSubject:
        """The subject for a lead or contact."""
        return cls(TaskSubjectKind(party.kind.value), party.id)

    @property
    def party(self) -> PartyRef | None:
        """The :class:`PartyRef` if the subject is a lead or contact, else ``None``."""
        if self.kind in (TaskSubjectKind.LEAD, TaskSubjectKind.CONTACT):
            return PartyRef(PartyKind(self.kind.value), self.id)
        return None


@register_type
@attrs.frozen(kw_only=True)
class TaskCreated(Event):
    """A task was created; carries its initial fields (see :class:`Task`)."""

    subject: TaskSubject
    title: str
    due_at: datetime
    assignee_id: str | None = None
    priority: TaskPriority = TaskPriority.NORMAL
    kind: TaskKind = TaskKind.TODO
    interaction_id: str | None = None
    notes: str | None = None


_status: Final = fld.member(TaskStatus, message="is not a task status")


_FIXED_AT_CREATION: Final = "is fixed when the task is created"


@register_type
@attrs.frozen(kw_only=True)
class Task(Aggregate):
    """A to-do with a due time and an assignee.

    Create with :meth:`new` or :meth:`callback`; change with
    :meth:`complete`, :meth:`cancel`, :meth:`reopen`, :meth:`reschedule`,
    :meth:`reassign` and :meth:`update`.

    Attributes:
        subject: What it is about.
        title: What to do (personal: erasure makes it ``"[erased]"``).
        due_at: When it is due (timezone-aware).
        assignee_id: The rep, team or queue it is assigned to.
        priority: How urgent.
        kind: What sort of work.
        interaction_id: The interaction it came from, if any.
        notes: Free text (personal: erasure makes it ``None``).
        status: Open, done or cancelled.

    Raises:
        ValidationError: every bad field at once.
    """

    stage_fields: ClassVar[Mapping[str, str]] = {"task_status": "status"}
    stage_funnels: ClassVar[Mapping[str, Funnel]] = {"task_status": funnels.TASK_STATUS}
    field_table: ClassVar[Fields] = Fields(
        {
            "subject": FieldSpec(fld.instance(TaskSubject), refused=_FIXED_AT_CREATION),
            "title": FieldSpec(fld.checked_text, personal=True, erased="[erased]"),
            "due_at": fld.aware,
            "assignee_id": fld.checked_opt_text,
            "priority": fld.member(TaskPriority, "a task priority"),
            "kind": FieldSpec(fld.member(TaskKind, "a task kind"), refused=_FIXED_AT_CREATION),
            "interaction_id": FieldSpec(fld.checked_opt_text, refused=_FIXED_AT_CREATION),
            "notes": FieldSpec(fld.text_field(optional=True, empty=True), personal=True),
            "status": FieldSpec(
                _status,
                refused="moves through the task status funnel: "
                "use complete(), cancel() or reopen()",
                initial=False,
            ),
        },
        created=TaskCreated,
    )

    subject: TaskSubject
    title: str
    due_at: datetime
    assignee_id: str | None = None
    priority: TaskPriority = TaskPriority.NORMAL
    kind: TaskKind = TaskKind.TODO
    interaction_id: str | None = None
    notes: str | None = None
    status: TaskStatus = TaskStatus.OPEN

    @classmethod
    def new(
        cls,
        *,
        id: str,
        at: datetime,
        actor: str,
        subject: TaskSubject | PartyRef,
        title: str,
        due_at: datetime,
        assignee_id: str | None = None,
        priority: TaskPriority | str = TaskPriority.NORMAL,
        kind: TaskKind | str = TaskKind.TODO,
        interaction_id: str | None = None,
        notes: str | None = None,
    ) -> Task:
        """Create an open task.

        Args:
            id: The task's id.
            at: When it was created.
            actor: Who created it.
            subject: What it is about (a :class:`PartyRef` is accepted for a
                lead or contact).
            title: What to do.
            due_at: When it is due.
            assignee_id: Who should do it.
            priority: How urgent.
            kind: What sort of work.
            interaction_id: The interaction it came from.
            notes: Free text.

        Returns:
            The task, version 2 (created, then entered ``open``).

        Raises:
            ValidationError: every bad field at once.
        """
        subj = TaskSubject.of(subject) if isinstance(subject, PartyRef) else subject
        values = {  # the enums first: their problems are listed first
            "priority": priority,
            "kind": kind,
            "subject": subj,
            "title": title,
            "due_at": due_at,
            "assignee_id": assignee_id,
            "interaction_id": interaction_id,
            "notes": notes,
        }
        return cls._create(
            values,
            id=id,
            at=at,
            actor=actor,
            entries=[(funnels.TASK_STATUS, TaskStatus.OPEN.value)],
        )

    @classmethod
    def callback(
        cls,
        interaction: Interaction,
        *,
        id: str,
        due_at: datetime,
        assignee_id: str | None = None,
        at: datetime | None = None,
        actor: str | None = None,
        title: str | None = None,
        priority: TaskPriority | str = TaskPriority.HIGH,
    ) -> Task:
        """Create the callback a call (or any interaction) asked for.

        Args:
            interaction: The interaction; its party (or else its
                opportunity, case or account) is the task's subject.
            id: The task's id.
            due_at: When to call back.
            assignee_id: Who calls back; defaults to the interaction's rep.
            at: When the task is created; defaults to the interaction's time.
            actor: Who creates it; defaults to the interaction's actor.
            title: Defaults to "Call back <party>".
            priority: High by default.

        Returns:
            An open task of kind ``callback`` linked to the interaction.

        Raises:
            ValidationError: the interaction is about nothing a task can
                point to, or bad values.
        """
        subject: TaskSubject | PartyRef
        if interaction.party is not None:
            subject = interaction.party
        elif interaction.opportunity_id is not None:
            subject = TaskSubject(TaskSubjectKind.OPPORTUNITY, interaction.opportunity_id)
        elif interaction.case_id is not None:
            subject = TaskSubject(TaskSubjectKind.CASE, interaction.case_id)
        elif interaction.account_id is not None:
            subject = TaskSubject(TaskSubjectKind.ACCOUNT, interaction.account_id)
        else:
            raise ValidationError.single(
                "interaction",
                interaction.id,
                "has no party, opportunity, case or account to call back",
            )
        return cls.new(
            id=id,
            at=interaction.at if at is None else at,
            actor=interaction.actor if actor is None else actor,
            subject=subject,
            title=title or f"Call back {subject}",
            due_at=due_at,
            assignee_id=interaction.rep_id if assignee_id is None else assignee_id,
            priority=priority,
            kind=TaskKind.CALLBACK,
            interaction_id=interaction.id,
        )

    def _apply(self, event: Event) -> dict[str, Any]:
        changes = super()._apply(event)
        if "status" in changes:
            changes["status"] = TaskStatus(changes["status"])
        return changes

    # --- queries ---------------------------------------------------------------------

    @property
    def is_open(self) -> bool:
        """Whether the task is still to do."""
        return self.status is TaskStatus.OPEN

    def is_overdue(self, at: datetime) -> bool:
        """Whether the task is open and past its due time at ``at``."""
        return self.status is TaskStatus.OPEN and at > self.due_at

    @property
    def completed_at(self) -> datetime | None:
        """When the task was last marked done (``None`` unless it is done)."""
        if self.status is not TaskStatus.DONE:
            return None
        visits = self.stage_history(funnels.TASK_STATUS)
        return visits[-1].entered_at

    # --- transitions -------------------------------------------------------------------

    def complete(self, *, at: datetime, actor: str, reason: str | None = None) -> Task:
        """Mark the task done.

        Raises:
            TransitionError: it is not open.
        """
        return self._move("task_status", TaskStatus.DONE.value, at=at, actor=actor, reason=reason)

    def cancel(self, *, at: datetime, actor: str, reason: str | None = None) -> Task:
        """Cancel the task.

        Raises:
            TransitionError: it is not open.
        """
        return self._move(
            "task_status", TaskStatus.CANCELLED.value, at=at, actor=actor, reason=reason
        )

    def reopen(self, *, at: datetime, actor: str, reason: str | None = None) -> Task:
        """Open a done or cancelled task again.

        Raises:
            TransitionError: it is open already.
        """
        return self._move("task_status", TaskStatus.OPEN.value, at=at, actor=actor, reason=reason)

    def reschedule(
        self, due_at: datetime, *, at: datetime, actor: str, reason: str | None = None
    ) -> Task:
        """Move the due time (recorded as a ``FieldsChanged`` of ``due_at``).

        Raises:
            ValidationError: a naive ``due_at``; the task is not open.
        """
        return self.update(due_at=due_at, at=at, actor=actor, reason=reason)

    def reassign(
        self, assignee_id: str, *, at: datetime, actor: str, reason: str | None = None
    ) -> Task:
        """Give the task to someone else.

        Raises:
            ValidationError: a blank id; the task is not open.
        """
        return self.update(assignee_id=assignee_id, at=at, actor=actor, reason=reason)

    def update(self, *, at: datetime, actor: str, reason: str | None = None, **fields: Any) -> Task:
        """Edit ``title``, ``due_at``, ``assignee_id``, ``priority`` or ``notes``.

        Returns:
            The task with one ``FieldsChanged`` more (unchanged if nothing differs).

        Raises:
            ValidationError: unknown fields, bad values, or the task is not open.
        """
        if self.status is not TaskStatus.OPEN:
            fail("status", self.status.value, "only an open task can be edited")
        return self._update(fields, at=at, actor=actor, reason=reason)
