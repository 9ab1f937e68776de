"""Campaign members, :class:`CampaignMember`: a lead or contact in a campaign.

Guide: :doc:`/campaigns`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Self

import attrs

from salescore._validation import Checker, fail
from salescore.domain._fields import opt_text as _opt_text
from salescore.domain.aggregate import Aggregate
from salescore.domain.campaigns.campaign import Campaign
from salescore.domain.events import Event
from salescore.domain.parties import PartyRef
from salescore.domain.stages import StageVisit
from salescore.errors import ValidationError
from salescore.serialization import register_type

__all__ = ["CampaignMember", "CampaignMemberAdded", "MemberRepointed", "MemberStatusChanged"]


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
