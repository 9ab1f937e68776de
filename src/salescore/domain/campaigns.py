"""Campaigns and their members: the marketing efforts that find leads.

* :class:`Campaign`: a named effort on a channel (email, webinar, event…),
  with dates, a budget and the costs recorded against it, an optional parent
  campaign, and its own list of member statuses (:class:`MemberStatus`: which
  count as a response, and which one new members get). Its status moves
  through :data:`CAMPAIGN_STATUS`: planned → active → completed, or aborted
  from planned or active.
* :class:`CampaignMember`: a lead or contact (a
  :class:`~salescore.domain.parties.PartyRef`) in a campaign, with its status
  history and the time it first responded. When a lead is converted, its
  memberships are re-pointed to the new contact with :meth:`CampaignMember.repoint`.

A member's status is checked against the campaign it belongs to, which is
passed in (these objects do no lookups). Each :class:`MemberStatusChanged`
records whether the new status counts as a response, so a member's
``first_responded_at`` replays without the campaign.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime
from typing import Any, ClassVar, Final, Self

import attrs

from salescore._validation import Checker, fail, to_member
from salescore.domain._fields import opt_amount as _opt_money
from salescore.domain._fields import opt_date as _opt_date
from salescore.domain._fields import opt_id as _opt_id
from salescore.domain._fields import opt_text as _opt_text
from salescore.domain._fields import req_text as _req_text
from salescore.domain.aggregate import Aggregate
from salescore.domain.events import Event, StageChanged
from salescore.domain.parties import PartyRef
from salescore.domain.stages import Funnel, StageVisit
from salescore.domain.standard_funnels import CAMPAIGN_STATUS
from salescore.errors import NotFound, TransitionError, ValidationError
from salescore.money import Money
from salescore.serialization import register_type

__all__ = [
    "CAMPAIGN_STATUS",
    "Campaign",
    "CampaignCreated",
    "CampaignMember",
    "CampaignMemberAdded",
    "CampaignStatus",
    "CampaignType",
    "CostRecorded",
    "MemberRepointed",
    "MemberStatus",
    "MemberStatusChanged",
    "campaign_ancestors",
    "check_campaign_parent",
    "default_member_statuses",
]

_KEY: Final = re.compile(r"[a-z][a-z0-9_]*")


class CampaignType(enum.StrEnum):
    """The channel or kind of a campaign."""

    EMAIL = "email"
    WEBINAR = "webinar"
    EVENT = "event"
    PAID_SEARCH = "paid_search"
    PAID_SOCIAL = "paid_social"
    CONTENT = "content"
    DIRECT_MAIL = "direct_mail"
    REFERRAL = "referral"
    PARTNER = "partner"
    OTHER = "other"


class CampaignStatus(enum.StrEnum):
    """A campaign's status (the stages of :data:`CAMPAIGN_STATUS`)."""

    PLANNED = "planned"
    ACTIVE = "active"
    COMPLETED = "completed"
    ABORTED = "aborted"


@register_type
@attrs.frozen(kw_only=True)
class MemberStatus:
    """One status a campaign's members can have.

    Attributes:
        key: Snake-case key (``"registered"``).
        label: Name for people; defaults to the key in words.
        responded: Whether a member in this status has responded.

    Raises:
        ValidationError: a bad key or label.
    """

    key: str
    label: str = ""
    responded: bool = False

    def __attrs_post_init__(self) -> None:
        with Checker("MemberStatus") as c:
            if c.instance(self.key, str, "key"):
                c.check(bool(_KEY.fullmatch(self.key)), "key", self.key, "must be snake case")
            c.text(self.label, "label", empty=True)
            c.instance(self.responded, bool, "responded")
        if not self.label:
            object.__setattr__(self, "label", self.key.replace("_", " ").capitalize())


_SENT = MemberStatus(key="sent")
_RESPONDED = MemberStatus(key="responded", responded=True)
_BY_TYPE: Final[dict[CampaignType, tuple[MemberStatus, ...]]] = {
    CampaignType.EMAIL: (
        _SENT,
        MemberStatus(key="opened"),
        MemberStatus(key="clicked", responded=True),
        _RESPONDED,
        MemberStatus(key="unsubscribed"),
    ),
    CampaignType.WEBINAR: (
        MemberStatus(key="invited"),
        MemberStatus(key="registered", responded=True),
        MemberStatus(key="attended", responded=True),
        MemberStatus(key="no_show", label="No-show", responded=True),
    ),
    CampaignType.EVENT: (
        MemberStatus(key="invited"),
        MemberStatus(key="registered", responded=True),
        MemberStatus(key="attended", responded=True),
        MemberStatus(key="no_show", label="No-show", responded=True),
    ),
}


def default_member_statuses(
    type: CampaignType | str = CampaignType.OTHER,
) -> tuple[MemberStatus, ...]:
    """The member statuses a new campaign of ``type`` gets; the first is the default.

    * email: sent, opened, clicked (responded), responded (responded), unsubscribed;
    * webinar and event: invited, registered, attended, no-show (all but
      invited count as responded: registering is a response);
    * every other type: sent, responded (responded).

    Args:
        type: The campaign type.

    Returns:
        The statuses.

    Raises:
        ValidationError: an unknown type.
    """
    return _BY_TYPE.get(_campaign_type(type, "type"), (_SENT, _RESPONDED))


def _campaign_type(value: Any, path: str) -> CampaignType:
    return to_member(CampaignType, value, path, "a campaign type")


# --- field normalisers (value, path) -> normal value ---------------------------------


def _statuses(value: Any, path: str) -> tuple[MemberStatus, ...]:
    if isinstance(value, str) or not isinstance(value, Iterable):
        fail(path, value, "must be a sequence of MemberStatus")
    seq = tuple(value)
    with Checker("Campaign") as c:
        c.check(bool(seq), path, seq, "a campaign needs at least one member status")
        seen: set[str] = set()
        for i, status in enumerate(seq):
            if c.instance(status, MemberStatus, f"{path}[{i}]"):
                c.check(status.key not in seen, f"{path}[{i}].key", status.key, "repeats a key")
                seen.add(status.key)
    return seq


_EDITABLE: Final[dict[str, Callable[[Any, str], Any]]] = {
    "name": _req_text,
    "type": _campaign_type,
    "start_date": _opt_date,
    "end_date": _opt_date,
    "budget": _opt_money,
    "owner_id": _opt_id,
    "description": _opt_text,
}
_REFUSED: Final = {
    "status": "moves through the campaign status funnel: use move_to()",
    "actual_cost": "accumulates through record_cost()",
    "parent_id": "changes through set_parent(), which checks the hierarchy",
    "member_statuses": "changes through set_member_statuses()",
    "default_member_status": "changes through set_member_statuses()",
}


# --- campaign events ---------------------------------------------------------------------


@register_type
@attrs.frozen(kw_only=True)
class CampaignCreated(Event):
    """A campaign was created; carries its initial fields (see :class:`Campaign`)."""

    name: str
    type: CampaignType
    member_statuses: tuple[MemberStatus, ...]
    default_member_status: str
    start_date: date | None = None
    end_date: date | None = None
    budget: Money | None = None
    parent_id: str | None = None
    owner_id: str | None = None
    description: str | None = None


@register_type
@attrs.frozen(kw_only=True)
class CostRecorded(Event):
    """A cost was booked against a campaign (added to its actual cost).

    Attributes:
        amount: The cost (greater than zero).
        note: What it was for.
    """

    amount: Money
    note: str | None = None


@register_type
@attrs.frozen(kw_only=True)
class Campaign(Aggregate):
    """A marketing campaign.

    Create with :meth:`new`; move its status with :meth:`move_to` (or
    :meth:`activate`, :meth:`complete`, :meth:`abort`); book costs with
    :meth:`record_cost`; edit with :meth:`update`, :meth:`set_parent` and
    :meth:`set_member_statuses`.

    Attributes:
        name: The campaign's name.
        type: Its channel or kind.
        status: Planned, active, completed or aborted.
        member_statuses: The statuses its members can have.
        default_member_status: The key of the status new members get.
        start_date: First day.
        end_date: Last day (not before ``start_date``).
        budget: Planned spend.
        actual_cost: Spend booked so far (``None`` until the first cost).
        parent_id: The parent campaign (never itself or a descendant).
        owner_id: The owner.
        description: What it is about.

    Raises:
        ValidationError: every bad field at once.
    """

    stage_fields: ClassVar[Mapping[str, str]] = {"campaign_status": "status"}

    name: str
    type: CampaignType = CampaignType.OTHER
    status: CampaignStatus = CampaignStatus.PLANNED
    member_statuses: tuple[MemberStatus, ...] = (_SENT, _RESPONDED)
    default_member_status: str = "sent"
    start_date: date | None = None
    end_date: date | None = None
    budget: Money | None = None
    actual_cost: Money | None = None
    parent_id: str | None = None
    owner_id: str | None = None
    description: str | None = None

    def __attrs_post_init__(self) -> None:
        c = Checker("Campaign")
        specs: dict[str, Any] = {
            **_EDITABLE,
            "parent_id": _opt_id,
            "actual_cost": _opt_money,
            "member_statuses": _statuses,
        }
        for name, fn in specs.items():
            value = getattr(self, name)
            try:
                new = fn(value, name)
            except ValidationError as exc:
                c.errors.extend(exc.errors)
                continue
            if new is not value:
                object.__setattr__(self, name, new)
        try:
            object.__setattr__(self, "status", CampaignStatus(self.status))
        except ValueError:
            c.add("status", self.status, "is not a campaign status")
        if not c.errors:
            _check_campaign(self, c)
        c.raise_if_any()

    @classmethod
    def new(
        cls,
        *,
        id: str,
        at: datetime,
        actor: str,
        name: str,
        type: CampaignType | str = CampaignType.OTHER,
        start_date: date | None = None,
        end_date: date | None = None,
        budget: Money | None = None,
        parent_id: str | None = None,
        owner_id: str | None = None,
        description: str | None = None,
        member_statuses: Iterable[MemberStatus] | None = None,
        default_member_status: str | None = None,
    ) -> Campaign:
        """Create a campaign: :class:`CampaignCreated` and its entry into ``planned``.

        Args:
            id: The new campaign's id.
            at: When (timezone-aware).
            actor: Who.
            name: Its name.
            type: Its channel or kind.
            start_date: First day.
            end_date: Last day.
            budget: Planned spend.
            parent_id: The parent campaign (not itself).
            owner_id: The owner.
            description: What it is about.
            member_statuses: Its member statuses;
                :func:`default_member_statuses` for ``type`` by default.
            default_member_status: The status new members get; the first
                of ``member_statuses`` by default.

        Returns:
            The campaign, version 2, status planned.

        Raises:
            ValidationError: every bad field at once.
        """
        c = Checker("Campaign")
        raw = {
            "name": name,
            "type": type,
            "start_date": start_date,
            "end_date": end_date,
            "budget": budget,
            "owner_id": owner_id,
            "description": description,
        }
        values: dict[str, Any] = {}
        for key, value in raw.items():
            try:
                values[key] = _EDITABLE[key](value, key)
            except ValidationError as exc:
                c.errors.extend(exc.errors)
        try:
            values["parent_id"] = _opt_id(parent_id, "parent_id")
        except ValidationError as exc:
            c.errors.extend(exc.errors)
        statuses: tuple[MemberStatus, ...] = ()
        try:
            statuses = (
                default_member_statuses(values.get("type", CampaignType.OTHER))
                if member_statuses is None
                else _statuses(member_statuses, "member_statuses")
            )
        except ValidationError as exc:
            c.errors.extend(exc.errors)
        c.raise_if_any()
        default = statuses[0].key if default_member_status is None else default_member_status
        created = CampaignCreated(
            subject_id=id,
            at=at,
            actor=actor,
            member_statuses=statuses,
            default_member_status=default,
            **values,
        )
        return cls._new(created, [(CAMPAIGN_STATUS, CampaignStatus.PLANNED.value)])

    @classmethod
    def _created(cls, event: Event) -> Self:
        if type(event) is not CampaignCreated:
            raise ValidationError.single(
                "history[0]",
                type(event).__name__,
                "a campaign's history starts with CampaignCreated",
            )
        return cls(
            id=event.subject_id,
            name=event.name,
            type=event.type,
            member_statuses=event.member_statuses,
            default_member_status=event.default_member_status,
            start_date=event.start_date,
            end_date=event.end_date,
            budget=event.budget,
            parent_id=event.parent_id,
            owner_id=event.owner_id,
            description=event.description,
        )

    def funnel(self, key: str) -> Funnel:
        """:data:`CAMPAIGN_STATUS` for ``"campaign_status"``.

        Raises:
            ValidationError: any other key.
        """
        if key == CAMPAIGN_STATUS.key:
            return CAMPAIGN_STATUS
        return super().funnel(key)

    def _apply(self, event: Event) -> dict[str, Any]:
        if type(event) is StageChanged and event.funnel == CAMPAIGN_STATUS.key:
            return {"status": CampaignStatus(event.to_stage)}
        if type(event) is CostRecorded:
            current = self.actual_cost
            return {"actual_cost": event.amount if current is None else current + event.amount}
        return super()._apply(event)

    # --- queries ----------------------------------------------------------------------

    def member_status(self, key: str) -> MemberStatus:
        """The member status with this key.

        Raises:
            ValidationError: the campaign has no such status (the error lists them).
        """
        for status in self.member_statuses:
            if status.key == key:
                return status
        known = ", ".join(s.key for s in self.member_statuses)
        fail("status", key, f"is not a member status of campaign {self.id!r} ({known})")

    @property
    def responded_statuses(self) -> frozenset[str]:
        """The keys of the statuses that count as a response."""
        return frozenset(s.key for s in self.member_statuses if s.responded)

    @property
    def budget_remaining(self) -> Money | None:
        """``budget − actual_cost`` (negative when over budget; ``None`` without a budget)."""
        if self.budget is None:
            return None
        if self.actual_cost is None:
            return self.budget
        return self.budget - self.actual_cost

    # --- transitions ------------------------------------------------------------------

    def move_to(
        self, status: CampaignStatus | str, *, at: datetime, actor: str, reason: str | None = None
    ) -> Campaign:
        """Move to another status, as :data:`CAMPAIGN_STATUS` allows.

        Raises:
            TransitionError: the move is not allowed (completed and aborted are final).
        """
        return self._move(CAMPAIGN_STATUS.key, str(status), at=at, actor=actor, reason=reason)

    def activate(self, *, at: datetime, actor: str) -> Campaign:
        """Move from planned to active.

        Raises:
            TransitionError: the campaign is not planned.
        """
        return self.move_to(CampaignStatus.ACTIVE, at=at, actor=actor)

    def complete(self, *, at: datetime, actor: str) -> Campaign:
        """Move from active to completed.

        Raises:
            TransitionError: the campaign is not active.
        """
        return self.move_to(CampaignStatus.COMPLETED, at=at, actor=actor)

    def abort(self, *, at: datetime, actor: str, reason: str) -> Campaign:
        """Abort a planned or active campaign.

        Raises:
            TransitionError: the campaign is completed or aborted already, or
                no reason is given.
        """
        if not isinstance(reason, str) or not reason.strip():
            raise TransitionError(
                self.id,
                self.status.value,
                CampaignStatus.ABORTED.value,
                ["a reason is required to abort a campaign"],
            )
        return self.move_to(CampaignStatus.ABORTED, at=at, actor=actor, reason=reason.strip())

    def record_cost(
        self, amount: Money, *, at: datetime, actor: str, note: str | None = None
    ) -> Campaign:
        """Book a cost: :class:`CostRecorded`, added to ``actual_cost``.

        Args:
            amount: The cost, greater than zero, in the budget's currency.
            at: When.
            actor: Who.
            note: What it was for.

        Returns:
            The campaign with the cost added.

        Raises:
            ValidationError: not positive Money, or another currency than the
                budget's or the costs booked so far.
        """
        if type(amount) is not Money or amount.amount <= 0:
            fail("amount", amount, "must be Money greater than zero")
        currency = (self.actual_cost or self.budget or amount).currency
        if amount.currency != currency:
            fail("amount", amount, f"must be in the campaign's currency ({currency})")
        return self._record(
            CostRecorded(
                subject_id=self.id,
                at=at,
                actor=actor,
                amount=amount,
                note=_opt_text(note, "note"),
            )
        )

    def update(
        self, *, at: datetime, actor: str, reason: str | None = None, **fields: Any
    ) -> Campaign:
        """Edit ``name``, ``type``, dates, ``budget``, ``owner_id`` or ``description``.

        Records one ``FieldsChanged`` (nothing if no value differs).

        Raises:
            ValidationError: every bad, unknown or refused field at once.
        """
        c = Checker("Campaign")
        values: dict[str, Any] = {}
        for name, value in fields.items():
            fn = _EDITABLE.get(name)
            if fn is None:
                c.add(name, value, _REFUSED.get(name, "is not a field of Campaign"))
                continue
            try:
                values[name] = fn(value, name)
            except ValidationError as exc:
                c.errors.extend(exc.errors)
        c.raise_if_any()
        # Cross-field checks (end date after start date) run when the new state is built.
        return self._edit(values, at=at, actor=actor, reason=reason)

    def set_member_statuses(
        self,
        statuses: Iterable[MemberStatus],
        *,
        default: str | None = None,
        at: datetime,
        actor: str,
    ) -> Campaign:
        """Replace the member statuses (members keep whatever status they have).

        Args:
            statuses: The new statuses.
            default: The key of the default; the first status by default.
            at: When.
            actor: Who.

        Returns:
            The updated campaign.

        Raises:
            ValidationError: no statuses, repeated keys, or a default that is not one.
        """
        seq = _statuses(statuses, "member_statuses")
        key = seq[0].key if default is None else default
        with Checker("Campaign") as c:
            c.check(
                key in {s.key for s in seq},
                "default_member_status",
                key,
                "is not one of the member statuses",
            )
        return self._edit(
            {"member_statuses": seq, "default_member_status": key}, at=at, actor=actor
        )

    def set_parent(
        self,
        parent_id: str | None,
        *,
        campaigns: Mapping[str, Campaign],
        at: datetime,
        actor: str,
    ) -> Campaign:
        """Place the campaign under ``parent_id`` (``None``: top level).

        Args:
            parent_id: The new parent.
            campaigns: Campaign id → campaign, for the parent and its
                ancestors (see :func:`check_campaign_parent`).
            at: When.
            actor: Who.

        Returns:
            The updated campaign.

        Raises:
            ValidationError: the campaign would become its own ancestor.
            NotFound: the parent is not in ``campaigns``.
        """
        check_campaign_parent(self.id, parent_id, campaigns)
        return self._edit({"parent_id": parent_id}, at=at, actor=actor)


def _check_campaign(campaign: Campaign, c: Checker) -> None:
    start, end = campaign.start_date, campaign.end_date
    if start is not None and end is not None:
        c.check(end >= start, "end_date", end, f"is before the start date ({start.isoformat()})")
    keys = {s.key for s in campaign.member_statuses}
    c.check(
        campaign.default_member_status in keys,
        "default_member_status",
        campaign.default_member_status,
        f"is not one of the member statuses ({', '.join(sorted(keys))})",
    )
    c.check(
        campaign.parent_id is None or campaign.parent_id != campaign.id,
        "parent_id",
        campaign.parent_id,
        "a campaign cannot be its own parent",
    )
    cost, budget = campaign.actual_cost, campaign.budget
    if cost is not None and budget is not None:
        c.check(
            cost.currency == budget.currency,
            "actual_cost",
            cost,
            f"must be in the budget's currency ({budget.currency})",
        )


def campaign_ancestors(campaign_id: str, campaigns: Mapping[str, Campaign]) -> tuple[str, ...]:
    """The chain of parent campaigns above ``campaign_id``, nearest first.

    Args:
        campaign_id: The campaign to start from.
        campaigns: Campaign id → campaign, for every campaign in the chain
            (a parent missing from it ends the chain).

    Returns:
        The ancestor ids.

    Raises:
        ValidationError: the hierarchy has a cycle.
    """
    chain: list[str] = []
    seen = {campaign_id}
    start = campaigns.get(campaign_id)
    current = start.parent_id if start is not None else None
    while current is not None:
        if current in seen:
            fail(
                "parent_id",
                current,
                f"the campaign hierarchy has a cycle: {' → '.join([campaign_id, *chain, current])}",
            )
        chain.append(current)
        seen.add(current)
        parent = campaigns.get(current)
        current = parent.parent_id if parent is not None else None
    return tuple(chain)


def check_campaign_parent(
    campaign_id: str, parent_id: str | None, campaigns: Mapping[str, Campaign]
) -> None:
    """Check that ``parent_id`` may become the parent of ``campaign_id``.

    A campaign cannot be its own parent, nor the parent of any of its
    ancestors: ``parent_id`` and its ancestors must not include ``campaign_id``.

    Args:
        campaign_id: The child.
        parent_id: The proposed parent (``None`` is always fine).
        campaigns: Campaign id → campaign; must hold the parent and its ancestors.

    Raises:
        NotFound: the parent is not in ``campaigns``.
        ValidationError: the move would make a cycle (the error shows it).
    """
    if parent_id is None:
        return
    if parent_id == campaign_id:
        fail("parent_id", parent_id, "a campaign cannot be its own parent")
    if parent_id not in campaigns:
        raise NotFound(f"parent campaign {parent_id!r} is not among the campaigns given")
    chain = campaign_ancestors(parent_id, campaigns)
    if campaign_id in chain:
        path = " → ".join([parent_id, *chain[: chain.index(campaign_id) + 1]])
        fail(
            "parent_id",
            parent_id,
            f"would make {campaign_id!r} its own ancestor ({path})",
        )


# --- campaign members ----------------------------------------------------------------------


@register_type
@attrs.frozen(kw_only=True)
class CampaignMemberAdded(Event):
    """A lead or contact joined a campaign.

    Attributes:
        campaign_id: The campaign.
        party: The lead or contact.
        status: Its first status.
        responded: Whether that status counts as a response.
    """

    campaign_id: str
    party: PartyRef
    status: str
    responded: bool = False


@register_type
@attrs.frozen(kw_only=True)
class MemberStatusChanged(Event):
    """A campaign member's status changed.

    Attributes:
        from_status: The status it left.
        to_status: The status it entered.
        responded: Whether ``to_status`` counts as a response.
        reason: Why, if given.
    """

    from_status: str
    to_status: str
    responded: bool = False
    reason: str | None = None


@register_type
@attrs.frozen(kw_only=True)
class MemberRepointed(Event):
    """A membership now refers to another party (a converted lead's contact).

    Attributes:
        from_party: The party it referred to.
        to_party: The party it refers to now.
        reason: Why, if given.
    """

    from_party: PartyRef
    to_party: PartyRef
    reason: str | None = None


@register_type
@attrs.frozen(kw_only=True)
class CampaignMember(Aggregate):
    """A lead or contact in a campaign.

    Attributes:
        campaign_id: The campaign.
        party: The lead or contact (re-pointed to the contact on conversion).
        status: Its current member status (a key of the campaign's statuses).
        responded: Whether the current status counts as a response.
        first_responded_at: When it first entered a responded status; never
            changes afterwards.

    Raises:
        ValidationError: a bad field.
    """

    campaign_id: str
    party: PartyRef
    status: str
    responded: bool = False
    first_responded_at: datetime | None = None

    def __attrs_post_init__(self) -> None:
        with Checker("CampaignMember") as c:
            c.text(self.campaign_id, "campaign_id")
            c.instance(self.party, PartyRef, "party")
            c.text(self.status, "status")
            c.instance(self.responded, bool, "responded")
            c.aware(self.first_responded_at, "first_responded_at", optional=True)

    @classmethod
    def new(
        cls,
        *,
        id: str,
        at: datetime,
        actor: str,
        campaign: Campaign,
        party: PartyRef,
        status: str | None = None,
    ) -> CampaignMember:
        """Add a lead or contact to a campaign.

        Args:
            id: The membership's id.
            at: When.
            actor: Who.
            campaign: The campaign (its statuses decide what is valid).
            party: The lead or contact.
            status: The first status; the campaign's default by default.

        Returns:
            The member, version 1.

        Raises:
            ValidationError: ``status`` is not one of the campaign's, or a
                bad party.
        """
        if not isinstance(campaign, Campaign):
            fail("campaign", campaign, "must be a Campaign")
        if not isinstance(party, PartyRef):
            fail("party", party, "must be a PartyRef")
        key = campaign.default_member_status if status is None else status
        first = campaign.member_status(key)
        return cls._new(
            CampaignMemberAdded(
                subject_id=id,
                at=at,
                actor=actor,
                campaign_id=campaign.id,
                party=party,
                status=first.key,
                responded=first.responded,
            )
        )

    @classmethod
    def _created(cls, event: Event) -> Self:
        if type(event) is not CampaignMemberAdded:
            raise ValidationError.single(
                "history[0]",
                type(event).__name__,
                "a member's history starts with CampaignMemberAdded",
            )
        return cls(
            id=event.subject_id,
            campaign_id=event.campaign_id,
            party=event.party,
            status=event.status,
            responded=event.responded,
            first_responded_at=event.at if event.responded else None,
        )

    def _apply(self, event: Event) -> dict[str, Any]:
        if type(event) is MemberStatusChanged:
            changes: dict[str, Any] = {"status": event.to_status, "responded": event.responded}
            if event.responded and self.first_responded_at is None:
                changes["first_responded_at"] = event.at
            return changes
        if type(event) is MemberRepointed:
            return {"party": event.to_party}
        return super()._apply(event)

    @property
    def added_at(self) -> datetime:
        """When the member joined the campaign."""
        return self.created_at

    def set_status(
        self,
        status: str,
        *,
        campaign: Campaign,
        at: datetime,
        actor: str,
        reason: str | None = None,
    ) -> CampaignMember:
        """Change the member's status (nothing is recorded if it is the same).

        Args:
            status: One of the campaign's member status keys.
            campaign: The member's campaign.
            at: When.
            actor: Who.
            reason: Why, if given.

        Returns:
            The member with a :class:`MemberStatusChanged` event.

        Raises:
            ValidationError: ``campaign`` is not the member's campaign, or
                ``status`` is not one of its statuses.
        """
        if not isinstance(campaign, Campaign) or campaign.id != self.campaign_id:
            fail(
                "campaign",
                getattr(campaign, "id", campaign),
                f"is not this member's campaign ({self.campaign_id})",
            )
        target = campaign.member_status(status)
        if target.key == self.status:
            return self
        return self._record(
            MemberStatusChanged(
                subject_id=self.id,
                at=at,
                actor=actor,
                from_status=self.status,
                to_status=target.key,
                responded=target.responded,
                reason=_opt_text(reason, "reason"),
            )
        )

    def repoint(
        self, to: PartyRef, *, at: datetime, actor: str, reason: str | None = None
    ) -> CampaignMember:
        """Refer the membership to another party (a converted lead's contact).

        Args:
            to: The new party.
            at: When.
            actor: Who.
            reason: Why, if given.

        Returns:
            The member with a :class:`MemberRepointed` event.

        Raises:
            ValidationError: ``to`` is not a PartyRef, or is the current party.
        """
        if not isinstance(to, PartyRef):
            fail("to", to, "must be a PartyRef")
        if to == self.party:
            fail("to", to, "is the party the membership already refers to")
        return self._record(
            MemberRepointed(
                subject_id=self.id,
                at=at,
                actor=actor,
                from_party=self.party,
                to_party=to,
                reason=_opt_text(reason, "reason"),
            )
        )

    def status_history(self) -> tuple[StageVisit, ...]:
        """Every stay in every member status, oldest first (the last may be open)."""
        visits: list[StageVisit] = []
        for event in self.history:
            if type(event) is CampaignMemberAdded:
                visits.append(StageVisit(event.status, event.at, None))
            elif type(event) is MemberStatusChanged:
                last = visits[-1]
                visits[-1] = StageVisit(last.stage, last.entered_at, event.at)
                visits.append(StageVisit(event.to_status, event.at, None))
        return tuple(visits)

    def parties(self) -> tuple[PartyRef, ...]:
        """Every party the membership has referred to, oldest first."""
        refs: list[PartyRef] = []
        for event in self.history:
            if type(event) is CampaignMemberAdded:
                refs.append(event.party)
            elif type(event) is MemberRepointed:
                refs.append(event.to_party)
        return tuple(refs)
