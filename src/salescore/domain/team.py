"""Who works the leads, deals and cases: reps, teams and queues.

Plain frozen values (their changes are rare and made by administrators, so
they carry no event history): a :class:`Rep` with a role, a business calendar
and capacities; a :class:`Team` of reps with a manager; a :class:`Queue` that
holds unassigned work. Owners and assignees elsewhere are the ids of these.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from typing import Final

import attrs

from salescore._validation import Checker
from salescore.calendar import BusinessCalendar
from salescore.domain._normalize import _email
from salescore.errors import ValidationError
from salescore.serialization import register_type

__all__ = ["Queue", "QueuePurpose", "Rep", "RepRole", "Team"]


class RepRole(enum.StrEnum):
    """What a rep does."""

    SDR = "sdr"
    BDR = "bdr"
    AE = "ae"
    AM = "am"
    CSM = "csm"
    SUPPORT_AGENT = "support_agent"
    MANAGER = "manager"
    OTHER = "other"


class QueuePurpose(enum.StrEnum):
    """What a queue holds."""

    LEADS = "leads"
    CASES = "cases"
    TASKS = "tasks"
    OPPORTUNITIES = "opportunities"
    OTHER = "other"


#: Well-known capacity names (any snake-case name may be used).
CAPACITY_NAMES: Final = (
    "calls_per_day",
    "emails_per_day",
    "meetings_per_day",
    "open_leads",
    "open_cases",
    "open_opportunities",
)


def _check_ids(c: Checker, value: object, path: str) -> None:
    if c.instance(value, tuple, path):
        assert isinstance(value, tuple)
        for i, item in enumerate(value):
            c.text(item, f"{path}[{i}]")
        c.check(len(set(value)) == len(value), path, value, "must not repeat an id")


@register_type
@attrs.frozen(kw_only=True)
class Rep:
    """A person who works leads, deals or cases.

    Attributes:
        id: The rep's id (what ``owner_id`` and ``assignee_id`` hold).
        name: Full name.
        role: What they do.
        email: Work address, normalised.
        calendar: Working hours and holidays, if known.
        capacities: Limits such as ``{"calls_per_day": 80, "open_cases": 25}``
            (non-negative integers; see :data:`CAPACITY_NAMES`).
        active: Whether they take new work.
        team_id: Their team.

    Raises:
        ValidationError: every bad field at once.
    """

    id: str
    name: str
    role: RepRole = RepRole.OTHER
    email: str | None = None
    calendar: BusinessCalendar | None = None
    capacities: Mapping[str, int] = attrs.field(factory=dict)
    active: bool = True
    team_id: str | None = None

    def __attrs_post_init__(self) -> None:
        with Checker("Rep") as c:
            c.text(self.id, "id")
            c.text(self.name, "name")
            c.instance(self.role, RepRole, "role")
            if self.email is not None:
                email = c.call("", lambda: _email(self.email, "email"))
                if email is not None and email != self.email:
                    object.__setattr__(self, "email", email)
            c.instance(self.calendar, BusinessCalendar, "calendar", optional=True)
            if c.instance(self.capacities, Mapping, "capacities"):
                for key, value in self.capacities.items():
                    c.check(
                        isinstance(key, str)
                        and key.replace("_", "").isalnum()
                        and key == key.lower(),
                        f"capacities.{key}",
                        key,
                        "must be a snake-case name",
                    )
                    c.number(value, f"capacities.{key}", integer=True, minimum=0)
            c.instance(self.active, bool, "active")
            c.text(self.team_id, "team_id", optional=True)

    def capacity(self, name: str) -> int | None:
        """The rep's limit for ``name`` (``None`` when unlimited or unknown)."""
        return self.capacities.get(name)

    def with_capacity(self, name: str, value: int) -> Rep:
        """A copy with one capacity set.

        Raises:
            ValidationError: a bad name or a negative value.
        """
        return attrs.evolve(self, capacities={**self.capacities, name: value})

    def deactivated(self) -> Rep:
        """A copy that takes no new work."""
        return attrs.evolve(self, active=False)


@register_type
@attrs.frozen(kw_only=True)
class Team:
    """A group of reps with a manager.

    Attributes:
        id: The team's id.
        name: Its name.
        rep_ids: Its members, in rotation order (round-robin routing follows it).
        manager_id: The manager's rep id.
        queue_id: The queue the team works, if any.

    Raises:
        ValidationError: every bad field at once; repeated members.
    """

    id: str
    name: str
    rep_ids: tuple[str, ...] = ()
    manager_id: str | None = None
    queue_id: str | None = None

    def __attrs_post_init__(self) -> None:
        with Checker("Team") as c:
            c.text(self.id, "id")
            c.text(self.name, "name")
            _check_ids(c, self.rep_ids, "rep_ids")
            c.text(self.manager_id, "manager_id", optional=True)
            c.text(self.queue_id, "queue_id", optional=True)

    def __contains__(self, rep_id: object) -> bool:
        return rep_id in self.rep_ids

    def with_rep(self, rep_id: str) -> Team:
        """A copy with ``rep_id`` added at the end of the rotation.

        Raises:
            ValidationError: already a member.
        """
        if rep_id in self.rep_ids:
            raise ValidationError.single("rep_ids", rep_id, "is already a member")
        return attrs.evolve(self, rep_ids=(*self.rep_ids, rep_id))

    def without_rep(self, rep_id: str) -> Team:
        """A copy without ``rep_id``.

        Raises:
            ValidationError: not a member.
        """
        if rep_id not in self.rep_ids:
            raise ValidationError.single("rep_ids", rep_id, "is not a member")
        return attrs.evolve(self, rep_ids=tuple(r for r in self.rep_ids if r != rep_id))


@register_type
@attrs.frozen(kw_only=True)
class Queue:
    """A place for work nobody owns yet.

    Attributes:
        id: The queue's id (usable as an owner id).
        name: Its name.
        purpose: What it holds.
        team_id: The team that works it, if any.

    Raises:
        ValidationError: every bad field at once.
    """

    id: str
    name: str
    purpose: QueuePurpose = QueuePurpose.OTHER
    team_id: str | None = None

    def __attrs_post_init__(self) -> None:
        with Checker("Queue") as c:
            c.text(self.id, "id")
            c.text(self.name, "name")
            c.instance(self.purpose, QueuePurpose, "purpose")
            c.text(self.team_id, "team_id", optional=True)
