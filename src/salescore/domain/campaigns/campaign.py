"""The campaign aggregate, :class:`Campaign`: status, costs, member statuses, parent.

Guide: :doc:`/campaigns`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import Any, ClassVar

import attrs

from salescore._validation import Checker, fail
from salescore.domain import _fields as fld
from salescore.domain.aggregate import Aggregate, Fields, FieldSpec
from salescore.domain.campaigns.fields import (
    _RESPONDED,
    _SENT,
    CampaignStatus,
    CampaignType,
    MemberStatus,
    _campaign_status,
    _campaign_type,
    _statuses,
    default_member_statuses,
)
from salescore.domain.campaigns.hierarchy import check_campaign_parent
from salescore.domain.events import Event
from salescore.domain.stages import Funnel
from salescore.domain.standard_funnels import CAMPAIGN_STATUS
from salescore.errors import TransitionError, ValidationError
from salescore.money import Money
from salescore.serialization import register_type

__all__ = ["Campaign", "CampaignCreated", "CostRecorded"]


def _as_is(value: Any, path: str, region: str | None = None) -> Any:
    """A field checked across fields (the default member status: one of the statuses)."""
    return value


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
    field_table: ClassVar[Fields] = Fields(
        {
            "name": fld.req_text,
            "type": _campaign_type,
            "start_date": fld.opt_date,
            "end_date": fld.opt_date,
            "budget": fld.opt_amount,
            "owner_id": fld.opt_id,
            "description": fld.opt_text,
            "parent_id": FieldSpec(
                fld.opt_id, refused="changes through set_parent(), which checks the hierarchy"
            ),
            "actual_cost": FieldSpec(
                fld.opt_amount, refused="accumulates through record_cost()", initial=False
            ),
            "member_statuses": FieldSpec(
                _statuses, refused="changes through set_member_statuses()"
            ),
            "default_member_status": FieldSpec(
                _as_is, refused="changes through set_member_statuses()"
            ),
            "status": FieldSpec(
                _campaign_status,
                refused="moves through the campaign status funnel: use move_to()",
                initial=False,
            ),
        },
        created=CampaignCreated,
    )

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
        super().__attrs_post_init__()
        with Checker("Campaign") as c:
            _check_campaign(self, c)

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
        if member_statuses is None:
            try:
                member_statuses = default_member_statuses(type)
            except ValidationError:  # the table reports the bad type
                member_statuses = default_member_statuses()
        values = cls.field_table.normalise(
            {
                "name": name,
                "type": type,
                "start_date": start_date,
                "end_date": end_date,
                "budget": budget,
                "owner_id": owner_id,
                "description": description,
                "parent_id": parent_id,
                "member_statuses": member_statuses,
            },
            subject="Campaign",
        )
        statuses = values["member_statuses"]
        default = statuses[0].key if default_member_status is None else default_member_status
        created = CampaignCreated(
            subject_id=id, at=at, actor=actor, default_member_status=default, **values
        )
        return cls._new(created, [(CAMPAIGN_STATUS, CampaignStatus.PLANNED.value)])

    def funnel(self, key: str) -> Funnel:
        """:data:`CAMPAIGN_STATUS` for ``"campaign_status"``.

        Raises:
            ValidationError: any other key.
        """
        if key == CAMPAIGN_STATUS.key:
            return CAMPAIGN_STATUS
        return super().funnel(key)

    def _apply(self, event: Event) -> dict[str, Any]:
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
        note = fld.opt_text(note, "note")
        return self._emit(CostRecorded, at=at, actor=actor, amount=amount, note=note)

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
