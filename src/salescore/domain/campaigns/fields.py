"""The values of a campaign's fields: campaign types and statuses, member statuses.

Guide: :doc:`/campaigns`.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from typing import Any, Final

import attrs

from salescore._validation import Checker, fail, label_of
from salescore.domain import _fields as fld
from salescore.domain.custom_fields import _NAME
from salescore.serialization import register_type

__all__ = ["CampaignStatus", "CampaignType", "MemberStatus", "default_member_statuses"]


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
@attrs.frozen(kw_only=True, cache_hash=True)
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
                c.check(bool(_NAME.fullmatch(self.key)), "key", self.key, "must be snake case")
            c.text(self.label, "label", empty=True)
            c.instance(self.responded, bool, "responded")
        if not self.label:
            object.__setattr__(self, "label", label_of(self.key))


_SENT = MemberStatus(key="sent")
_RESPONDED = MemberStatus(key="responded", responded=True)
_ATTENDANCE: Final = (  # a webinar's and an event's
    MemberStatus(key="invited"),
    MemberStatus(key="registered", responded=True),
    MemberStatus(key="attended", responded=True),
    MemberStatus(key="no_show", label="No-show", responded=True),
)
_BY_TYPE: Final[dict[CampaignType, tuple[MemberStatus, ...]]] = {
    CampaignType.EMAIL: (
        _SENT,
        MemberStatus(key="opened"),
        MemberStatus(key="clicked", responded=True),
        _RESPONDED,
        MemberStatus(key="unsubscribed"),
    ),
    CampaignType.WEBINAR: _ATTENDANCE,
    CampaignType.EVENT: _ATTENDANCE,
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
    return _BY_TYPE.get(_campaign_type(type, "type", None), (_SENT, _RESPONDED))


_campaign_type: Final = fld.member(CampaignType, "a campaign type")
_campaign_status: Final = fld.member(CampaignStatus, message="is not a campaign status")


# --- field normalisers (value, path) -> normal value ---------------------------------


def _statuses(value: Any, path: str, region: str | None = None) -> tuple[MemberStatus, ...]:
    if isinstance(value, str) or not isinstance(value, Iterable):
        fail(path, value, "must be a sequence of MemberStatus")
    seq = tuple(value)
    with Checker("Campaign") as c:
        c.check(bool(seq), path, seq, "a campaign needs at least one member status")
        c.keyed(seq, MemberStatus, path, repeated="repeats a key")
    return seq
