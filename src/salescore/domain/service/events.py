"""The events of a service case, and the statuses and authors they name.

Guide: :doc:`/service-cases`.
"""

from __future__ import annotations

import enum
from datetime import timedelta
from typing import Final

import attrs

from salescore._validation import Checker
from salescore.domain.events import Event
from salescore.domain.interactions import Channel
from salescore.domain.service.policies import SlaPolicy
from salescore.domain.service.priority import Priority
from salescore.domain.service.satisfaction import SatisfactionResponse
from salescore.serialization import register_type

__all__ = [
    "DEFAULT_REOPEN_WINDOW",
    "AuthorKind",
    "CaseAssigned",
    "CaseMerged",
    "CaseNoteAdded",
    "CaseOpened",
    "CaseReplied",
    "CaseRepointed",
    "CaseStatus",
    "PriorityChanged",
    "SatisfactionRecorded",
    "SlaPolicyApplied",
]

DEFAULT_REOPEN_WINDOW: Final = timedelta(days=7)
"""How long after being solved a case may be reopened, unless it says otherwise."""


class CaseStatus(enum.StrEnum):
    """A case's status (the stages of :data:`~salescore.funnels.CASE_STATUS`)."""

    NEW = "new"
    OPEN = "open"
    PENDING = "pending"
    ON_HOLD = "on_hold"
    SOLVED = "solved"
    CLOSED = "closed"


class AuthorKind(enum.StrEnum):
    """Who wrote a reply or note."""

    AGENT = "agent"
    CUSTOMER = "customer"
    SYSTEM = "system"


@register_type
@attrs.frozen(kw_only=True)
class CaseOpened(Event):
    """A service case was opened.

    Attributes:
        requester_id: The contact who asked.
        subject: One line on what it is about.
        description: The request in full.
        channel: How it came in.
        priority: How urgent it is.
        account_id: The requester's account, if known.
        category: A category of your own ("billing", "bug" …), if any.
        assignee_id: The rep working it, if assigned.
        group_id: The team or queue it sits in, if any.
        reopen_window: How long after being solved it may be reopened.
    """

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

    def _check(self) -> None:
        with Checker("CaseOpened") as c:
            c.text(self.requester_id, "requester_id")
            c.text(self.subject, "subject")
            c.text(self.description, "description", empty=True)
            c.instance(self.channel, Channel, "channel")
            c.instance(self.priority, Priority, "priority")
            for name in ("account_id", "category", "assignee_id", "group_id"):
                c.text(getattr(self, name), name, optional=True)
            c.duration(self.reopen_window, "reopen_window")


@register_type
@attrs.frozen(kw_only=True)
class CaseReplied(Event):
    """A reply was added to the case's conversation.

    Attributes:
        author_kind: Agent, customer or system.
        body: The text.
        public: Whether the customer sees it (a private reply is visible to
            agents only).
        author_id: The author's id (a rep's or a contact's), if not the actor.
    """

    author_kind: AuthorKind
    body: str
    public: bool = True
    author_id: str | None = None

    def _check(self) -> None:
        with Checker("CaseReplied") as c:
            c.instance(self.author_kind, AuthorKind, "author_kind")
            c.text(self.body, "body")
            c.instance(self.public, bool, "public")
            c.text(self.author_id, "author_id", optional=True)


@register_type
@attrs.frozen(kw_only=True)
class CaseNoteAdded(Event):
    """An internal note was added (never public).

    Attributes:
        author_kind: Agent, customer or system (usually agent or system).
        body: The text.
        author_id: The author's id, if not the actor.
    """

    author_kind: AuthorKind
    body: str
    author_id: str | None = None

    @property
    def public(self) -> bool:
        """Always ``False``: a note is internal."""
        return False

    def _check(self) -> None:
        with Checker("CaseNoteAdded") as c:
            c.instance(self.author_kind, AuthorKind, "author_kind")
            c.text(self.body, "body")
            c.text(self.author_id, "author_id", optional=True)


@register_type
@attrs.frozen(kw_only=True)
class PriorityChanged(Event):
    """The case's priority changed.

    Attributes:
        from_priority: The old priority.
        to_priority: The new priority.
        reason: Why, if given.
    """

    from_priority: Priority
    to_priority: Priority
    reason: str | None = None

    def _check(self) -> None:
        with Checker("PriorityChanged") as c:
            c.instance(self.from_priority, Priority, "from_priority")
            c.instance(self.to_priority, Priority, "to_priority")
            c.text(self.reason, "reason", optional=True, empty=True)


@register_type
@attrs.frozen(kw_only=True)
class CaseAssigned(Event):
    """Who works the case changed.

    Attributes:
        assignee_id: The new assignee (a rep id), or ``None``.
        group_id: The new group (a team or queue id), or ``None``.
        reason: Why, if given (a routing decision's explanation …).
    """

    assignee_id: str | None
    group_id: str | None
    reason: str | None = None

    def _check(self) -> None:
        with Checker("CaseAssigned") as c:
            c.text(self.assignee_id, "assignee_id", optional=True)
            c.text(self.group_id, "group_id", optional=True)
            c.text(self.reason, "reason", optional=True, empty=True)


@register_type
@attrs.frozen(kw_only=True)
class CaseMerged(Event):
    """A duplicate case was merged into another.

    Recorded on both cases: on the duplicate (``subject_id ==
    duplicate_id``), which is then closed, and on the target.

    Attributes:
        duplicate_id: The case merged away.
        target_id: The case that carries on.
        reason: Why, if given.
    """

    duplicate_id: str
    target_id: str
    reason: str | None = None

    def _check(self) -> None:
        with Checker("CaseMerged") as c:
            c.text(self.duplicate_id, "duplicate_id")
            c.text(self.target_id, "target_id")
            c.check(
                self.duplicate_id != self.target_id,
                "target_id",
                self.target_id,
                "a case cannot be merged into itself",
            )
            c.check(
                self.subject_id in (self.duplicate_id, self.target_id),
                "subject_id",
                self.subject_id,
                "must be the duplicate or the target",
            )
            c.text(self.reason, "reason", optional=True, empty=True)


@register_type
@attrs.frozen(kw_only=True)
class CaseRepointed(Event):
    """A case's requester or account was re-pointed (a merge of contacts or accounts).

    Attributes:
        requester_id: The requester from now on.
        account_id: The requester's account from now on.
        reason: Why, if given.
    """

    requester_id: str
    account_id: str | None = None
    reason: str | None = None

    def _check(self) -> None:
        with Checker("CaseRepointed") as c:
            c.text(self.requester_id, "requester_id")
            c.text(self.account_id, "account_id", optional=True)
            c.text(self.reason, "reason", optional=True, empty=True)


@register_type
@attrs.frozen(kw_only=True)
class SlaPolicyApplied(Event):
    """An SLA policy was applied to the case (or removed, with ``policy=None``).

    The whole policy travels in the event, so the case's SLA clocks can be
    computed from its history alone.

    Attributes:
        policy: The policy, or ``None`` to remove the case's SLA.
        reason: Why this policy (from :class:`~salescore.domain.service.policies.PolicyChoice`).
        unknown_fields: Fields that were unknown when the policy was chosen.
    """

    policy: SlaPolicy | None
    reason: str = ""
    unknown_fields: tuple[str, ...] = ()

    def _check(self) -> None:
        with Checker("SlaPolicyApplied") as c:
            c.instance(self.policy, SlaPolicy, "policy", optional=True)
            c.text(self.reason, "reason", empty=True)


@register_type
@attrs.frozen(kw_only=True)
class SatisfactionRecorded(Event):
    """A satisfaction survey answer about the case was recorded.

    Attributes:
        response: The answer (CSAT, NPS or CES).
    """

    response: SatisfactionResponse

    def _check(self) -> None:
        with Checker("SatisfactionRecorded") as c:
            c.instance(self.response, SatisfactionResponse, "response")
