"""The service case: a customer's request for help, from opening to closing.

A :class:`ServiceCase` moves through :data:`~salescore.funnels.CASE_STATUS`;
its SLA clocks and satisfaction answers are folds over its history.
Guide: :doc:`/service-cases`.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar, Final, Self, TypeVar, cast

import attrs

from salescore._validation import Checker, ensure_aware, fail, line_ok
from salescore.domain import _fields as fld
from salescore.domain import standard_funnels as funnels
from salescore.domain._rule_schemas import INTERACTION_RECORDS, RuleSchemaHook
from salescore.domain.aggregate import Aggregate, Fields, FieldSpec, _stage_changed
from salescore.domain.events import Event, StageChanged, _prechecked
from salescore.domain.interactions import Channel
from salescore.domain.service.clocks import Milestone, SlaClock, sla_clocks
from salescore.domain.service.events import (
    DEFAULT_REOPEN_WINDOW,
    AuthorKind,
    CaseAssigned,
    CaseMerged,
    CaseNoteAdded,
    CaseOpened,
    CaseReplied,
    CaseRepointed,
    CaseStatus,
    PriorityChanged,
    SatisfactionRecorded,
    SlaPolicyApplied,
)
from salescore.domain.service.policies import PolicyChoice, SlaPolicy, choose_policy
from salescore.domain.service.priority import Priority
from salescore.domain.service.satisfaction import SatisfactionResponse
from salescore.domain.stages import Funnel
from salescore.errors import TransitionError
from salescore.serialization import register_type

__all__ = ["ServiceCase", "merge_cases"]

_FINAL = "a closed case is final: open a new case"


class _Keep(enum.Enum):
    KEEP = "keep"


_KEEP: Final = _Keep.KEEP
_OWN_METHODS: Final = "cannot be edited (use the case's own methods)"


_duration = fld.checked(lambda c, v, p: c.duration(v, p))


def _window(value: Any, path: str, region: str | None = None) -> Any:
    if type(value) is timedelta and value >= timedelta(0):
        return value
    return _duration(value, path, region)


_text = fld.checked_text
_opt_text = fld.checked_opt_text


def _own(normalise: fld.Normaliser, *, initial: bool = True) -> FieldSpec:
    """A field only the case's own methods change (its transitions, or ``repoint``…)."""
    return FieldSpec(normalise, refused=_OWN_METHODS, initial=initial)


@register_type
@attrs.frozen(kw_only=True)
class ServiceCase(Aggregate):
    """A customer's request for help, from opening to closing.

    Create one with :meth:`open`; every change returns a new case with the
    change recorded in ``history``.

    Attributes:
        requester_id: The contact who asked.
        subject: One line on what it is about.
        description: The request in full.
        channel: How it came in.
        priority: How urgent it is.
        account_id: The requester's account, if known.
        category: A category, if any.
        assignee_id: The rep working it (a rep id), if any.
        group_id: The team or queue it sits in, if any.
        reopen_window: How long after being solved it may be reopened.
        status: The current status (a :data:`~salescore.funnels.CASE_STATUS` key).
        sla_policy: The SLA policy in force, if any.
        merged_into: The case this one was merged into (then it is closed).
        merged_cases: The duplicates merged into this case, oldest first.
        solved_at: When it was last solved, while it is solved or closed.
        reopens: How many times it was reopened.
        satisfaction: Survey answers recorded on the case, oldest first.
    """

    __rule_schema__: ClassVar[RuleSchemaHook] = RuleSchemaHook(interactions=INTERACTION_RECORDS)
    stage_fields: ClassVar[Mapping[str, str]] = {"case_status": "status"}
    field_table: ClassVar[Fields] = Fields(
        {
            "requester_id": _own(_text),
            "subject": FieldSpec(_text, personal=True, erased="[erased]"),
            "description": FieldSpec(fld.text_field(empty=True), personal=True, erased=""),
            "channel": fld.member(Channel),
            "priority": _own(fld.member(Priority)),
            "account_id": _opt_text,
            "category": _opt_text,
            "assignee_id": _own(_opt_text),
            "group_id": _own(_opt_text),
            "reopen_window": _own(_window),
            "status": _own(fld.instance(str), initial=False),
            "sla_policy": _own(fld.instance(SlaPolicy, optional=True), initial=False),
            "merged_into": _own(_opt_text, initial=False),
            "merged_cases": _own(fld.instance(tuple), initial=False),
            "solved_at": _own(fld.opt_aware, initial=False),
            "reopens": _own(fld.instance(int), initial=False),
            "satisfaction": _own(fld.instance(tuple), initial=False),
        },
        created=CaseOpened,
    )

    requester_id: str
    subject: str
    description: str = ""
    channel: Channel = Channel.EMAIL
    priority: Priority = Priority.NORMAL
    account_id: str | None = None
    category: str | None = None
    assignee_id: str | None = None
    group_id: str | None = None
    reopen_window: timedelta = DEFAULT_REOPEN_WINDOW
    status: str = ""
    sla_policy: SlaPolicy | None = None
    merged_into: str | None = None
    merged_cases: tuple[str, ...] = ()
    solved_at: datetime | None = None
    reopens: int = 0
    satisfaction: tuple[SatisfactionResponse, ...] = ()

    # --- aggregate plumbing ----------------------------------------------------------

    @classmethod
    def _created(cls, event: Event) -> Self:
        if type(event) is not CaseOpened:
            fail("history[0]", type(event).__name__, "a case's history starts with CaseOpened")
        return super()._created(event)

    def funnel(self, key: str) -> Funnel:
        """Return the case status funnel for ``"case_status"``.

        Raises:
            ValidationError: Any other key.
        """
        if key != funnels.CASE_STATUS.key:
            fail("funnel", key, "a service case moves only in 'case_status'")
        return funnels.CASE_STATUS

    def _apply(self, event: Event) -> dict[str, Any]:
        kind = type(event)
        if kind is CaseReplied or kind is CaseNoteAdded:
            return {}
        if kind is StageChanged:
            assert isinstance(event, StageChanged)
            changes = super()._apply(event)
            if event.to_stage == CaseStatus.SOLVED:
                changes["solved_at"] = event.at
            elif event.from_stage == CaseStatus.SOLVED and event.to_stage != CaseStatus.CLOSED:
                changes["solved_at"] = None
                changes["reopens"] = self.reopens + 1
            return changes
        if isinstance(event, PriorityChanged):
            return {"priority": event.to_priority}
        if isinstance(event, CaseAssigned):
            return {"assignee_id": event.assignee_id, "group_id": event.group_id}
        if isinstance(event, SlaPolicyApplied):
            return {"sla_policy": event.policy}
        if isinstance(event, CaseRepointed):
            return {"requester_id": event.requester_id, "account_id": event.account_id}
        if isinstance(event, CaseMerged):
            if event.duplicate_id == self.id:
                return {"merged_into": event.target_id}
            return {"merged_cases": (*self.merged_cases, event.duplicate_id)}
        if isinstance(event, SatisfactionRecorded):
            return {"satisfaction": (*self.satisfaction, event.response)}
        return super()._apply(event)

    # --- creation ----------------------------------------------------------------------

    @classmethod
    def open(
        cls,
        *,
        id: str,
        at: datetime,
        actor: str,
        requester_id: str,
        subject: str,
        description: str = "",
        channel: Channel | str = Channel.EMAIL,
        priority: Priority | str = Priority.NORMAL,
        account_id: str | None = None,
        category: str | None = None,
        assignee_id: str | None = None,
        group_id: str | None = None,
        reopen_window: timedelta = DEFAULT_REOPEN_WINDOW,
        sla_policy: SlaPolicy | PolicyChoice | None = None,
    ) -> Self:
        """Open a case (status ``new``), optionally with its SLA policy.

        Args:
            id: The case id.
            at: When it was opened (aware).
            actor: Who or what opened it (an agent, ``"email-gateway"`` …).
            requester_id: The contact who asked.
            subject: One line on what it is about.
            description: The request in full.
            channel: How it came in (a :class:`~salescore.domain.interactions.Channel`
                or its value).
            priority: How urgent it is.
            account_id: The requester's account, if known.
            category: A category, if any.
            assignee_id: A rep id, if assigned from the start.
            group_id: A team or queue id, if any.
            reopen_window: How long after being solved it may be reopened.
            sla_policy: A policy (or a :class:`~salescore.domain.service.policies.PolicyChoice`)
                to apply at once; its clocks start at ``at``.

        Returns:
            The case: ``CaseOpened``, its entry into the status funnel and,
            with a policy, ``SlaPolicyApplied``.

        Raises:
            ValidationError: Listing every bad field.
        """
        values = {
            "requester_id": requester_id,
            "subject": subject,
            "description": description,
            "channel": channel,
            "priority": priority,
            "account_id": account_id,
            "category": category,
            "assignee_id": assignee_id,
            "group_id": group_id,
            "reopen_window": reopen_window,
        }
        case: Self | None = None
        if cls is ServiceCase:
            case = cast("Self | None", _open_plainly(id, at, actor, values))
        if case is None:
            case = cls._create(values, id=id, at=at, actor=actor, entries=_ENTRY)
        if sla_policy is not None:
            case = case.apply_sla_policy(sla_policy, at=at, actor=actor)
        return case

    # --- guards ------------------------------------------------------------------------

    def _refuse_if_closed(self, action: str) -> None:
        if self.status == CaseStatus.CLOSED:
            raise TransitionError(self.id, self.status, action, [_FINAL])

    # --- conversation ------------------------------------------------------------------

    def reply(
        self,
        body: str,
        *,
        at: datetime,
        actor: str,
        author_kind: AuthorKind | str = AuthorKind.AGENT,
        public: bool = True,
        author_id: str | None = None,
        status: CaseStatus | str | None = None,
    ) -> Self:
        """Add a reply, optionally moving the status in the same change.

        A public customer reply to a ``pending`` case moves it to ``open``
        (the customer answered) unless ``status`` says otherwise.

        Args:
            body: The text.
            at: When (aware).
            actor: Who recorded it.
            author_kind: Agent (default), customer or system.
            public: Whether the customer sees it.
            author_id: The author's id, if not ``actor``.
            status: A status to move to with the reply ("submit as pending").

        Returns:
            The case with the reply (and the move) recorded.

        Raises:
            TransitionError: The case is closed, or the move is refused.
            ValidationError: A bad field.
        """
        self._refuse_if_closed("reply")
        event = _reply_plainly(self.id, at, actor, author_kind, body, public, author_id)
        if event is None:
            with Checker("CaseReplied") as c:
                kind = c.member(AuthorKind, author_kind, "author_kind")
            event = self._event(
                CaseReplied,
                at=at,
                actor=actor,
                author_kind=kind,
                body=body,
                public=public,
                author_id=author_id,
            )
        else:
            kind = event.author_kind
        if status is None:
            target = None
        else:
            target = _STATUS_VALUES.get(status) if type(status) is str else None
            if target is None:
                target = str(CaseStatus(status))
        if (
            target is None
            and kind is AuthorKind.CUSTOMER
            and public
            and self.status == CaseStatus.PENDING
        ):
            target = CaseStatus.OPEN.value
        if target is None or target == self.status:
            return self._record(event)
        return self._status_move(target, at=at, actor=actor, reason=None, before=(event,))

    def add_note(
        self,
        body: str,
        *,
        at: datetime,
        actor: str,
        author_kind: AuthorKind | str = AuthorKind.AGENT,
        author_id: str | None = None,
    ) -> Self:
        """Add an internal note (never public; SLA clocks ignore it).

        Args:
            body: The text.
            at: When (aware).
            actor: Who recorded it.
            author_kind: Usually agent (default) or system.
            author_id: The author's id, if not ``actor``.

        Returns:
            The case with the note recorded.

        Raises:
            TransitionError: The case is closed.
            ValidationError: A bad field.
        """
        self._refuse_if_closed("note")
        with Checker("CaseNoteAdded") as c:
            kind = c.member(AuthorKind, author_kind, "author_kind")
        return self._emit(
            CaseNoteAdded, at=at, actor=actor, author_kind=kind, body=body, author_id=author_id
        )

    # --- status ------------------------------------------------------------------------

    def move_to(
        self, status: CaseStatus | str, *, at: datetime, actor: str, reason: str | None = None
    ) -> Self:
        """Move the case to another status.

        Args:
            status: The target status.
            at: When (aware).
            actor: Who moved it.
            reason: Why, if given.

        Returns:
            The moved case.

        Raises:
            TransitionError: The move is not in the table, the case is
                closed, a reopen comes after the window, or an unsolved case
                is to be closed (only a merge does that).
            ValidationError: ``status`` is not a case status, or a bad ``at``.
        """
        with Checker("ServiceCase") as c:
            target = c.member(CaseStatus, status, "status")
        return self._status_move(str(target), at=at, actor=actor, reason=reason)

    def _status_move(
        self,
        target: str,
        *,
        at: datetime,
        actor: str,
        reason: str | None,
        before: Sequence[Event] = (),
        merge: bool = False,
    ) -> Self:
        ensure_aware(at, "at")
        current = self.status
        reasons: list[str] = []
        if current == CaseStatus.CLOSED:
            reasons.append(_FINAL)
        elif target == CaseStatus.CLOSED and current != CaseStatus.SOLVED and not merge:
            reasons.append("solve the case first: an unsolved case is closed only by a merge")
        elif current == CaseStatus.SOLVED and target != CaseStatus.CLOSED:
            solved = self.solved_at
            if solved is not None and at - solved > self.reopen_window:
                ends = solved + self.reopen_window
                reasons.append(
                    f"the reopen window ({self.reopen_window}) ended at {ends.isoformat()}: "
                    "the customer opens a new case"
                )
        if reasons:
            raise TransitionError(self.id, current, target, reasons)
        if type(self) is ServiceCase:
            moved = _move_freely(self, current, target, at, actor, reason, before)
            if moved is not None:
                return moved
        return self._move(
            funnels.CASE_STATUS.key, target, at=at, actor=actor, reason=reason, before=before
        )

    def solve(self, *, at: datetime, actor: str, reason: str | None = None) -> Self:
        """Mark the case solved (see :meth:`move_to`)."""
        return self._status_move(CaseStatus.SOLVED.value, at=at, actor=actor, reason=reason)

    def reopen(self, *, at: datetime, actor: str, reason: str | None = None) -> Self:
        """Reopen a solved case within its reopen window (see :meth:`move_to`).

        Raises:
            TransitionError: The case is not solved, or the window has passed.
        """
        if self.status != CaseStatus.SOLVED:
            raise TransitionError(self.id, self.status, "open", ["only a solved case is reopened"])
        return self._status_move(CaseStatus.OPEN.value, at=at, actor=actor, reason=reason)

    def close(self, *, at: datetime, actor: str, reason: str | None = None) -> Self:
        """Close a solved case for good (see :meth:`move_to`)."""
        return self._status_move(CaseStatus.CLOSED.value, at=at, actor=actor, reason=reason)

    # --- fields ------------------------------------------------------------------------

    def change_priority(
        self, priority: Priority | str, *, at: datetime, actor: str, reason: str | None = None
    ) -> Self:
        """Change the priority; running SLA clocks are re-targeted, keeping used time.

        Args:
            priority: The new priority.
            at: When (aware).
            actor: Who changed it.
            reason: Why, if given.

        Returns:
            The case (unchanged when the priority is the same).

        Raises:
            TransitionError: The case is closed.
            ValidationError: Not a priority, or a bad ``at``.
        """
        self._refuse_if_closed("priority")
        with Checker("ServiceCase") as c:
            new = c.member(Priority, priority, "priority")
        if new == self.priority:
            return self
        return self._emit(
            PriorityChanged,
            at=at,
            actor=actor,
            from_priority=self.priority,
            to_priority=new,
            reason=reason,
        )

    def assign(
        self,
        *,
        at: datetime,
        actor: str,
        assignee_id: str | _Keep | None = _KEEP,
        group_id: str | _Keep | None = _KEEP,
        reason: str | None = None,
    ) -> Self:
        """Change who works the case: a rep, and/or a team or queue.

        Args:
            at: When (aware).
            actor: Who assigned it (a person or a router).
            assignee_id: The new rep id, ``None`` to unassign; omitted: unchanged.
            group_id: The new team or queue id, ``None`` to clear; omitted: unchanged.
            reason: Why, if given.

        Returns:
            The case (unchanged when nothing differs).

        Raises:
            TransitionError: The case is closed.
            ValidationError: A bad id or ``at``.
        """
        self._refuse_if_closed("assign")
        who = self.assignee_id if isinstance(assignee_id, _Keep) else assignee_id
        group = self.group_id if isinstance(group_id, _Keep) else group_id
        if who == self.assignee_id and group == self.group_id:
            return self
        return self._emit(
            CaseAssigned, at=at, actor=actor, assignee_id=who, group_id=group, reason=reason
        )

    def edit(self, *, at: datetime, actor: str, reason: str | None = None, **changes: Any) -> Self:
        """Edit descriptive fields: subject, description, category, account_id, channel.

        Args:
            at: When (aware).
            actor: Who edited.
            reason: Why, if given.
            **changes: The new values.

        Returns:
            The case, with a ``FieldsChanged`` for the fields that differ.

        Raises:
            TransitionError: The case is closed.
            ValidationError: Every field that may not be edited this way or
                has a bad value.
        """
        self._refuse_if_closed("edit")
        return self._update(changes, at=at, actor=actor, reason=reason)

    def update(self, *, at: datetime, actor: str, reason: str | None = None, **fields: Any) -> Self:
        """The same as :meth:`edit` (the name every aggregate's edit has)."""
        return self.edit(at=at, actor=actor, reason=reason, **fields)

    def repoint(
        self,
        *,
        at: datetime,
        actor: str,
        requester_id: str | None = None,
        account_id: str | _Keep | None = _KEEP,
        reason: str | None = None,
    ) -> Self:
        """Point the case at another requester or account, recording :class:`CaseRepointed`.

        Merges of contacts and accounts use it; unlike :meth:`edit` it works on
        closed cases too, since it corrects who the case was for rather than
        working the case.

        Args:
            at: When (aware).
            actor: Who.
            requester_id: The new requester (default: unchanged).
            account_id: The new account, or ``None`` for none (default: unchanged).
            reason: Why, if given.

        Returns:
            The case (unchanged when neither differs).

        Raises:
            ValidationError: A blank id or a bad ``at``.
        """
        requester = self.requester_id if requester_id is None else requester_id
        account = self.account_id if isinstance(account_id, _Keep) else account_id
        event = self._event(
            CaseRepointed,
            at=at,
            actor=actor,
            requester_id=requester,
            account_id=account,
            reason=reason,
        )
        if (requester, account) == (self.requester_id, self.account_id):
            self._check_when(at, actor)
            return self
        return self._record(event)

    # --- SLA -----------------------------------------------------------------------------

    def apply_sla_policy(
        self, policy: SlaPolicy | PolicyChoice | None, *, at: datetime, actor: str
    ) -> Self:
        """Apply an SLA policy, or a choice from :func:`~.policies.choose_policy`.

        The new policy re-targets the running clocks from ``at`` on, keeping
        the time already used and paused; ``None`` removes the SLA and
        cancels the open clocks.

        Args:
            policy: The policy, a choice, or ``None``.
            at: When (aware).
            actor: Who or what applied it.

        Returns:
            The case (unchanged when the policy is the one in force).

        Raises:
            TransitionError: The case is closed.
            ValidationError: A bad ``at`` or policy.
        """
        self._refuse_if_closed("sla")
        if isinstance(policy, PolicyChoice):
            chosen, why, unknown = policy.policy, policy.reason, policy.unknown_fields
        else:
            chosen, why, unknown = policy, "", ()
        has_policy = any(type(e) is SlaPolicyApplied for e in self.history)
        if chosen == self.sla_policy and (chosen is not None or not has_policy):
            return self
        event = None
        if type(self) is ServiceCase:
            event = _applied_plainly(self.id, at, actor, chosen, why, unknown)
        if event is not None:
            return _append(self, (event,), event)
        return self._emit(
            SlaPolicyApplied,
            at=at,
            actor=actor,
            policy=chosen,
            reason=why,
            unknown_fields=unknown,
        )

    def choose_sla_policy(
        self,
        policies: Sequence[SlaPolicy],
        *,
        at: datetime,
        actor: str,
        context: Mapping[str, Any] | None = None,
    ) -> Self:
        """Choose the policy from ``policies`` for this case and apply it.

        Args:
            policies: The policies, in order; a default last.
            at: When (aware); conditions are evaluated at this instant.
            actor: Who or what applied it.
            context: Related data for the conditions.

        Returns:
            The case with ``SlaPolicyApplied`` recorded (unchanged when the
            chosen policy is already in force).

        Raises:
            TransitionError: The case is closed.
            ValidationError: A bad ``at`` or policy list.
        """
        return self.apply_sla_policy(choose_policy(policies, self, at, context), at=at, actor=actor)

    def sla_clocks(self, at: datetime) -> tuple[SlaClock, ...]:
        """The case's SLA clocks at ``at`` (see :func:`~.clocks.sla_clocks`)."""
        return sla_clocks(self, at)

    def milestones(self, at: datetime) -> tuple[Milestone, ...]:
        """The case's SLA clocks at ``at`` as :class:`~.clocks.Milestone` data."""
        return tuple(c.milestone() for c in sla_clocks(self, at))

    # --- satisfaction ------------------------------------------------------------------

    def record_satisfaction(self, response: SatisfactionResponse, *, actor: str) -> Self:
        """Record a survey answer about this case (also after it is closed).

        The event's time is the response's ``at``.

        Args:
            response: The answer; its ``case_id`` must be this case or ``None``
                (then it is set to this case).
            actor: Who or what recorded it (``"survey-tool"`` …).

        Returns:
            The case with ``SatisfactionRecorded``.

        Raises:
            ValidationError: The answer is about another case, or is not a
                survey answer.
        """
        if not isinstance(response, SatisfactionResponse):
            fail("response", response, "must be a CsatResponse, NpsResponse or CesResponse")
        if response.case_id is None:
            response = attrs.evolve(response, case_id=self.id)
        elif response.case_id != self.id:
            fail("response.case_id", response.case_id, f"is another case, not {self.id}")
        return self._emit(SatisfactionRecorded, at=response.at, actor=actor, response=response)

    # --- derived facts -------------------------------------------------------------------

    @property
    def is_solved(self) -> bool:
        """Whether the case is solved or closed after being solved."""
        return self.status == CaseStatus.SOLVED or (
            self.status == CaseStatus.CLOSED and self.merged_into is None
        )

    def replies(self, *, public: bool | None = None) -> tuple[CaseReplied, ...]:
        """The replies, oldest first (only public or private ones if asked)."""
        return tuple(
            e
            for e in self.history
            if type(e) is CaseReplied and (public is None or e.public is public)
        )

    @property
    def first_contact_resolution(self) -> bool:
        """Whether the case was solved with one public agent reply and no reopen.

        Defined as: the case is solved (or closed after being solved, not
        by a merge), it has exactly one public reply by an agent, and it
        was never reopened.
        """
        if not self.is_solved or self.reopens:
            return False
        agent = sum(
            1
            for e in self.history
            if type(e) is CaseReplied and e.public and e.author_kind is AuthorKind.AGENT
        )
        return agent == 1


_Case = TypeVar("_Case", bound=ServiceCase)

#: The entry of a new case into the status funnel.
_ENTRY: Final = ((funnels.CASE_STATUS, CaseStatus.NEW.value),)
_CASE_STATUS_KEY: Final = funnels.CASE_STATUS.key
#: A status's value → itself, for the statuses given as plain strings.
_STATUS_VALUES: Final = {s.value: s.value for s in CaseStatus}
_ZERO: Final = timedelta(0)
_OPTIONAL_IDS: Final = ("account_id", "category", "assignee_id", "group_id")
#: The fields only transitions set, as a case is before its first one.
_UNOPENED: Final[Mapping[str, Any]] = {
    "status": "",
    "sla_policy": None,
    "merged_into": None,
    "merged_cases": (),
    "solved_at": None,
    "reopens": 0,
    "satisfaction": (),
}
#: A member's value → the member (what the table's enum normalisers make of it).
_CHANNEL_OF: Final[Mapping[str, Channel]] = {c.value: c for c in Channel}
_PRIORITY_OF: Final[Mapping[str, Priority]] = {p.value: p for p in Priority}

# Constructors that set values checked already (see ``_prechecked``).
_new_case: Final = _prechecked(ServiceCase)
_new_opened: Final = _prechecked(CaseOpened)
_new_replied: Final = _prechecked(CaseReplied)
_new_applied: Final = _prechecked(SlaPolicyApplied)


def _plain(value: Any) -> bool:
    """One-line text every check of text keeps as it is."""
    return type(value) is str and line_ok(value)


def _plain_time(at: Any) -> bool:
    """An instant in UTC: valid, and what sealing leaves as it is."""
    return type(at) is datetime and at.tzinfo is UTC


def _open_plainly(id: Any, at: Any, actor: Any, values: dict[str, Any]) -> ServiceCase | None:
    """:meth:`ServiceCase.open` (without a policy) of values valid and normal already.

    Such values pass the field table, the event's checks and sealing
    unchanged, so the case and its ``CaseOpened`` are built directly (a
    channel or priority given by its exact value is its member, as the
    table makes it; ``values`` is then changed to hold the member).
    ``None`` for anything else: the general path checks (and reports) it.
    """
    channel, priority = values["channel"], values["priority"]
    if type(channel) is str:
        channel = values["channel"] = _CHANNEL_OF.get(channel, channel)
    if type(priority) is str:
        priority = values["priority"] = _PRIORITY_OF.get(priority, priority)
    description, window = values["description"], values["reopen_window"]
    if not (
        _plain_time(at)
        and _plain(id)
        and _plain(actor)
        and _plain(values["requester_id"])
        and _plain(values["subject"])
        and type(description) is str
        and (description == "" or line_ok(description))
        and type(channel) is Channel
        and type(priority) is Priority
        and type(window) is timedelta
        and window >= _ZERO
    ):
        return None
    for name in _OPTIONAL_IDS:
        value = values[name]
        if value is not None and not _plain(value):
            return None
    event = _new_opened(subject_id=id, at=at, actor=actor, **values)
    state = _new_case(id=id, version=0, history=(), **values, **_UNOPENED)
    return ServiceCase._born(state, event, _ENTRY)


def _move_freely(
    case: _Case,
    current: str,
    target: str,
    at: datetime,
    actor: str,
    reason: str | None,
    before: Sequence[Event],
) -> _Case | None:
    """What ``_move`` makes of a status move that the funnel allows without any check.

    Such a move needs no look at the state after the ``before`` events, so
    no state is built for them: after replies and notes of the same instant
    (which change no field) the move is appended by :func:`_append`; after
    other events, they and the move are folded in one pass, which checks
    each event as ``_move``'s folds do, in the same order. ``None`` when the
    move needs the funnel's checks.
    """
    if not funnels.CASE_STATUS.allows_freely(current, target):
        return None
    current = str(current)
    move = _stage_changed(case.id, at, actor, _CASE_STATUS_KEY, current, target, reason)
    if all(_quiet(e, case.id, at) for e in before):
        # a move from the current stage to one of the funnel's, after events
        # that change nothing: only the move's changes apply
        return _append(case, (*before, move), move)
    return case._fold((*case.history, *before, move), len(case.history), None)


def _append(case: _Case, events: tuple[Event, ...], last: Event) -> _Case:
    """``case._record(*events)`` for events of the case made just now, ``last`` the one that counts.

    The fold's checks of such events hold by construction (one subject, a
    move from the current stage to one of the funnel's) but for the order
    in time, checked here: when ``last`` is in UTC and not before the
    case's latest event, the new state is ``last``'s changes applied to a
    copy, with the events appended. Otherwise the fold checks (and reports)
    as always.
    """
    at = last.at
    if _plain_time(at) and case.history and at >= case.history[-1].at:
        new = case._evolved(case._apply(last))
        history = (*case.history, *events)
        object.__setattr__(new, "history", history)
        object.__setattr__(new, "version", len(history))
        return new
    return case._fold((*case.history, *events), len(case.history), None)


def _quiet(event: Event, subject_id: str, at: datetime) -> bool:
    """A reply or note of the case at ``at``: an event that changes no field."""
    kind = type(event)
    return (kind is CaseReplied or kind is CaseNoteAdded) and (
        event.subject_id == subject_id and event.at == at
    )


def _reply_plainly(
    subject_id: str,
    at: Any,
    actor: Any,
    author_kind: Any,
    body: Any,
    public: Any,
    author_id: Any,
) -> CaseReplied | None:
    """The ``CaseReplied`` of values its constructor keeps as they are (else ``None``)."""
    if (
        _plain_time(at)
        and _plain(subject_id)
        and _plain(actor)
        and type(author_kind) is AuthorKind
        and _plain(body)
        and type(public) is bool
        and (author_id is None or _plain(author_id))
    ):
        built: CaseReplied = _new_replied(
            subject_id=subject_id,
            at=at,
            actor=actor,
            author_kind=author_kind,
            body=body,
            public=public,
            author_id=author_id,
        )
        return built
    return None


def _applied_plainly(
    subject_id: str, at: Any, actor: Any, policy: Any, reason: Any, unknown: Any
) -> SlaPolicyApplied | None:
    """The ``SlaPolicyApplied`` of values its constructor keeps as they are (else ``None``)."""
    if (
        _plain_time(at)
        and _plain(subject_id)
        and _plain(actor)
        and (policy is None or type(policy) is SlaPolicy)
        and type(reason) is str
        and (reason == "" or line_ok(reason))
        and type(unknown) is tuple
    ):
        built: SlaPolicyApplied = _new_applied(
            subject_id=subject_id,
            at=at,
            actor=actor,
            policy=policy,
            reason=reason,
            unknown_fields=unknown,
        )
        return built
    return None


def merge_cases(
    duplicate: ServiceCase,
    target: ServiceCase,
    *,
    at: datetime,
    actor: str,
    reason: str | None = None,
) -> tuple[ServiceCase, ServiceCase]:
    """Merge a duplicate case into another: the duplicate is closed, the target records it.

    Both sides are checked before anything is recorded.

    Args:
        duplicate: The case to merge away; it must not be closed.
        target: The case that carries on; it must not be closed.
        at: When (aware).
        actor: Who merged them.
        reason: Why, if given.

    Returns:
        ``(duplicate, target)`` after the merge: the duplicate with
        ``CaseMerged`` and its move to ``closed`` (its open SLA clocks are
        cancelled), the target with ``CaseMerged``.

    Raises:
        TransitionError: Either case is closed, or they are the same case.
        ValidationError: A bad ``at``.
    """
    reasons: list[str] = []
    if duplicate.id == target.id:
        reasons.append("a case cannot be merged into itself")
    if duplicate.status == CaseStatus.CLOSED:
        reasons.append(f"the duplicate {duplicate.id} is closed")
    if target.status == CaseStatus.CLOSED:
        reasons.append(f"the target {target.id} is closed")
    if reasons:
        raise TransitionError(duplicate.id, duplicate.status, CaseStatus.CLOSED.value, reasons)

    merged = {"duplicate_id": duplicate.id, "target_id": target.id, "reason": reason}
    new_target = target._emit(CaseMerged, at=at, actor=actor, **merged)
    new_duplicate = duplicate._status_move(
        CaseStatus.CLOSED.value,
        at=at,
        actor=actor,
        reason=reason or f"merged into {target.id}",
        before=(duplicate._event(CaseMerged, at=at, actor=actor, **merged),),
        merge=True,
    )
    return new_duplicate, new_target
