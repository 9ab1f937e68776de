"""Campaigns and their members: the marketing efforts that find leads.

:mod:`~salescore.domain.campaigns.fields` (types and statuses),
:mod:`~salescore.domain.campaigns.campaign` (the :class:`Campaign` aggregate),
:mod:`~salescore.domain.campaigns.hierarchy` (parents) and
:mod:`~salescore.domain.campaigns.members` (the :class:`CampaignMember`
aggregate); this package offers their names, loaded on first use.
Guide: :doc:`/campaigns`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from salescore._lazy import attach, exports, star

if TYPE_CHECKING:
    from salescore.domain.campaigns.campaign import *
    from salescore.domain.campaigns.fields import *
    from salescore.domain.campaigns.hierarchy import *
    from salescore.domain.campaigns.members import *
    from salescore.domain.standard_funnels import CAMPAIGN_STATUS as CAMPAIGN_STATUS

# Module → the names offered from it, space-separated (a module's own name offers the module).
_EXPORTS = exports(
    {
        "salescore.domain.campaigns.campaign": "Campaign CampaignCreated CostRecorded campaign",
        "salescore.domain.campaigns.fields": (
            "CampaignStatus CampaignType MemberStatus default_member_statuses fields"
        ),
        "salescore.domain.campaigns.hierarchy": (
            "campaign_ancestors check_campaign_parent hierarchy"
        ),
        "salescore.domain.campaigns.members": (
            "CampaignMember CampaignMemberAdded MemberRepointed MemberStatusChanged members"
        ),
        "salescore.domain.standard_funnels": "CAMPAIGN_STATUS",
    }
)

__all__ = star(_EXPORTS)
__getattr__, __dir__ = attach(__name__, _EXPORTS)
