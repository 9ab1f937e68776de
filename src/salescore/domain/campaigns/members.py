"""Campaign members, :class:`CampaignMember`: a lead or contact in a campaign.

Guide: :doc:`/campaigns`.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, ClassVar, Final, Self

import attrs

from salescore._validation import Checker, fail, line_ok
from salescore.domain import _fields as fld
from salescore.domain.aggregate import Aggregate, Fields, FieldSpec
from salescore.domain.campaigns.campaign import Campaign
from salescore.domain.campaigns.fields import MemberStatus
from salescore.domain.events import Event, StageChanged
from salescore.domain.parties import PartyRef
from salescore.domain.stages import Funnel, Stage, StageVisit, TransitionPolicy
from salescore.errors import ValidationError
from salescore.serialization import register_type

__all__ = ["CampaignMember", "CampaignMemberAdded", "MemberRepointed", "MemberStatusChanged"]

#: The key of the funnel a member's status moves in.
_FUNNEL: Final = "campaign_member_status"


def _text(value: Any, path: str, region: str | None = None) -> str:
    """One line of non-blank text, as given."""
    if type(value) is str and line_ok(value):
        return value
    with Checker("CampaignMember") as c:
        c.text(value, path)
    return str(value)


def _member_statuses(value: Any, path: str, region: str | None = None) -> tuple[MemberStatus, ...]:
    if type(value) is tuple and all(type(s) is MemberStatus for s in value):
        return value
    with Checker("CampaignMember") as c:
        if c.instance(value, tuple, path):
            for i, status in enumerate(value):
                c.instance(status, MemberStatus, f"{path}[{i}]")
    return tuple(value)


@register_type
@attrs.frozen(kw_only=True)
class CampaignMemberAdded(Event):
    """A lead or contact joined a campaign.

    Attributes:
        campaign_id: The campaign.
        party: The lead or contact.
        status: Its first status.
        responded: Whether that status counts as a response.
        statuses: The campaign's member statuses at that moment (empty in
            documents written before they were recorded).
    """

    campaign_id: str
    party: PartyRef
    status: str
    responded: bool = False
    statuses: tuple[MemberStatus, ...] = ()


@register_type
@attrs.frozen(kw_only=True)
class MemberStatusChanged(Event):
    """A campaign member's status changed, as older documents record it.

    A member's status now moves by :class:`~salescore.domain.events.StageChanged`
    in the ``"campaign_member_status"`` funnel; a history holding these events
    loads with each one read as that move.

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

    Its status moves by :class:`~salescore.domain.events.StageChanged` in the
    ``"campaign_member_status"`` funnel, whose stages are its campaign's member
    statuses (:meth:`funnel`), so the stage questions of every aggregate
    (:meth:`stage_history`, :meth:`time_in_stage` …) apply to it.

    Attributes:
        campaign_id: The campaign.
        party: The lead or contact (re-pointed to the contact on conversion).
        status: Its current member status (a key of the campaign's statuses).
        responded: Whether the current status counts as a response.
        first_responded_at: When it first entered a responded status; never
            changes afterwards.
        statuses: Its campaign's member statuses, as of its latest move (a
            move with a campaign whose statuses changed records them first).

    Raises:
        ValidationError: a bad field.
    """

    stage_fields: ClassVar[Mapping[str, str]] = {_FUNNEL: "status"}
    field_table: ClassVar[Fields] = Fields(
        {
            "campaign_id": FieldSpec(_text, refused="is fixed when the member is added"),
            "party": FieldSpec(fld.instance(PartyRef), refused="changes through repoint()"),
            "status": FieldSpec(
                _text, refused="moves through the member status funnel: use set_status()"
            ),
            "responded": FieldSpec(fld.instance(bool), refused="follows the status"),
            "first_responded_at": FieldSpec(
                fld.opt_aware,
                refused="is set by the first move to a responded status",
                initial=False,
            ),
            "statuses": FieldSpec(
                _member_statuses, refused="follows the campaign: set_status() records its statuses"
            ),
        },
        created=CampaignMemberAdded,
    )

    campaign_id: str
    party: PartyRef
    status: str
    responded: bool = False
    first_responded_at: datetime | None = None
    statuses: tuple[MemberStatus, ...] = ()

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
            The member, version 2: :class:`CampaignMemberAdded` and its entry
            into the status funnel.

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
        statuses = campaign.member_statuses
        return cls._new(
            CampaignMemberAdded(
                subject_id=id,
                at=at,
                actor=actor,
                campaign_id=campaign.id,
                party=party,
                status=first.key,
                responded=first.responded,
                statuses=statuses,
            ),
            [(_status_funnel(statuses, first.key), first.key)],
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
            first_responded_at=event.at if event.responded else None,
            **{name: getattr(event, name) for name in cls.field_table.initial},
        )

    @classmethod
    def _from_history(cls, events: Sequence[Event], path: str = "history") -> Self:
        return super()._from_history(_upgraded(events), path)

    def funnel(self, key: str) -> Funnel:
        """The status funnel for ``"campaign_member_status"``: one stage per member status.

        Its stages are :attr:`statuses` (and the current status, should the
        campaign have dropped it); any move between them is allowed.

        Raises:
            ValidationError: any other key.
        """
        if key == _FUNNEL:
            return _status_funnel(self.statuses, self.status)
        return super().funnel(key)

    def _apply(self, event: Event) -> dict[str, Any]:
        kind = type(event)
        if kind is StageChanged or kind is MemberStatusChanged:
            if kind is StageChanged:
                changes = super()._apply(event)
                responded = any(s.key == changes["status"] and s.responded for s in self.statuses)
            else:  # a history whose statuses changed meaning: replayed as written
                assert isinstance(event, MemberStatusChanged)
                changes, responded = {"status": event.to_status}, event.responded
            changes["responded"] = responded
            if responded and self.first_responded_at is None:
                changes["first_responded_at"] = event.at
            return changes
        if kind is MemberRepointed:
            assert isinstance(event, MemberRepointed)
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
            The member with a :class:`~salescore.domain.events.StageChanged`
            event, after a ``FieldsChanged`` of :attr:`statuses` when the
            campaign's statuses changed since the member's last move.

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
        why = fld.opt_text(reason, "reason")
        current = self._edit({"statuses": campaign.member_statuses}, at=at, actor=actor)
        return current._move(_FUNNEL, target.key, at=at, actor=actor, reason=why)

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
        why = fld.opt_text(reason, "reason")
        return self._emit(
            MemberRepointed, at=at, actor=actor, from_party=self.party, to_party=to, reason=why
        )

    def status_history(self) -> tuple[StageVisit, ...]:
        """Every stay in every member status, oldest first (the last may be open).

        The stays of :meth:`stage_history` in ``"campaign_member_status"``,
        starting from the status the member was added in.
        """
        visits: list[StageVisit] = []
        for event in self.history:
            kind = type(event)
            if kind is CampaignMemberAdded:
                assert isinstance(event, CampaignMemberAdded)
                visits.append(StageVisit(event.status, event.at, None))
                continue
            if kind is StageChanged:
                assert isinstance(event, StageChanged)
                if event.funnel != _FUNNEL or event.from_stage is None:
                    continue
                to = event.to_stage
            elif kind is MemberStatusChanged:
                assert isinstance(event, MemberStatusChanged)
                to = event.to_status
            else:
                continue
            last = visits[-1]
            visits[-1] = StageVisit(last.stage, last.entered_at, event.at)
            visits.append(StageVisit(to, event.at, None))
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


@functools.lru_cache(maxsize=256)
def _status_funnel(statuses: tuple[MemberStatus, ...], current: str) -> Funnel:
    """The funnel a member moves in: its statuses (and ``current``), any move allowed."""
    stages = [Stage(key=s.key, label=s.label) for s in statuses]
    if all(s.key != current for s in statuses):
        stages.append(Stage(key=current))
    return Funnel(
        key=_FUNNEL,
        label="Campaign member status",
        stages=tuple(stages),
        policy=TransitionPolicy(backwards=True, skipping=True),
    )


def _upgraded(events: Sequence[Event]) -> Sequence[Event]:
    """A history with :class:`MemberStatusChanged` events read as status moves.

    One event for one (the version stays): the creation event gets the
    statuses the moves name, each move becomes a :class:`StageChanged`. A
    history in which one status counted as a response at one time and not at
    another is replayed as written.
    """
    first = events[0] if events else None
    if type(first) is not CampaignMemberAdded or first.statuses:
        return events
    if not any(type(e) is MemberStatusChanged for e in events):
        return events
    responded = {first.status: first.responded}
    for event in events:
        if type(event) is MemberStatusChanged:
            assert isinstance(event, MemberStatusChanged)
            if responded.setdefault(event.to_status, event.responded) is not event.responded:
                return events
    try:
        statuses = tuple(MemberStatus(key=k, responded=r) for k, r in responded.items())
    except ValidationError:
        return events
    out: list[Event] = [attrs.evolve(first, statuses=statuses)]
    for event in events[1:]:
        if type(event) is MemberStatusChanged:
            assert isinstance(event, MemberStatusChanged)
            event = StageChanged(
                subject_id=event.subject_id,
                at=event.at,
                actor=event.actor,
                funnel=_FUNNEL,
                from_stage=event.from_status,
                to_stage=event.to_status,
                reason=event.reason,
            )
        out.append(event)
    return tuple(out)
