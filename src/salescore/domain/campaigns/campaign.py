"""The campaign aggregate, :class:`Campaign`: status, costs, member statuses, parent.

Guide: :doc:`/campaigns`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime
from typing import Any, ClassVar, Final, Self

import attrs

from salescore._validation import Checker, fail
from salescore.domain._fields import opt_amount as _opt_money
from salescore.domain._fields import opt_date as _opt_date
from salescore.domain._fields import opt_id as _opt_id
from salescore.domain._fields import opt_text as _opt_text
from salescore.domain._fields import req_text as _req_text
from salescore.domain.aggregate import Aggregate
from salescore.domain.campaigns.fields import (
    _RESPONDED,
    _SENT,
    CampaignStatus,
    CampaignType,
    MemberStatus,
    _campaign_type,
    _statuses,
    default_member_statuses,
)
from salescore.domain.campaigns.hierarchy import check_campaign_parent
from salescore.domain.events import Event, StageChanged
from salescore.domain.stages import Funnel
from salescore.domain.standard_funnels import CAMPAIGN_STATUS
from salescore.errors import TransitionError, ValidationError
from salescore.money import Money
from salescore.serialization import register_type

__all__ = ["Campaign", "CampaignCreated", "CostRecorded"]

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
