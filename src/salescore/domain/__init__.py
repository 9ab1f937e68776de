"""The domain: aggregates, their events and transitions, stages and funnels.

One module per part of the domain (:mod:`~salescore.domain.leads`,
:mod:`~salescore.domain.service` …); this package offers every public name of
them, loaded on first use. Guide: :doc:`/concepts`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from salescore._lazy import attach, exports, star

if TYPE_CHECKING:
    from salescore.domain._rule_schemas import *
    from salescore.domain.aggregate import *
    from salescore.domain.campaigns.campaign import *
    from salescore.domain.campaigns.fields import *
    from salescore.domain.campaigns.hierarchy import *
    from salescore.domain.campaigns.members import *
    from salescore.domain.conversion import *
    from salescore.domain.custom_fields import *
    from salescore.domain.events import *
    from salescore.domain.interactions import *
    from salescore.domain.leads import *
    from salescore.domain.normalisers import *
    from salescore.domain.opportunities.deal import *
    from salescore.domain.opportunities.events import *
    from salescore.domain.opportunities.fields import *
    from salescore.domain.parties import *
    from salescore.domain.products import *
    from salescore.domain.service.cases import *
    from salescore.domain.service.clocks import *
    from salescore.domain.service.escalation import *
    from salescore.domain.service.events import *
    from salescore.domain.service.policies import *
    from salescore.domain.service.priority import *
    from salescore.domain.service.satisfaction import *
    from salescore.domain.stages import *
    from salescore.domain.standard_funnels import *
    from salescore.domain.tasks import *
    from salescore.domain.team import *

# Module → the names offered from it, space-separated (a module's own name offers the module).
_EXPORTS = exports(
    {
        "salescore.domain._rule_schemas": "INTERACTION_RECORDS RuleSchemaHook rule_schema",
        "salescore.domain.aggregate": "Aggregate FieldSpec Fields Normaliser aggregate",
        "salescore.domain.campaigns": "campaigns",
        "salescore.domain.campaigns.campaign": "Campaign CampaignCreated CostRecorded",
        "salescore.domain.campaigns.fields": (
            "CampaignStatus CampaignType MemberStatus default_member_statuses"
        ),
        "salescore.domain.campaigns.hierarchy": "campaign_ancestors check_campaign_parent",
        "salescore.domain.campaigns.members": (
            "CampaignMember CampaignMemberAdded MemberRepointed MemberStatusChanged"
        ),
        "salescore.domain.conversion": "Conversion OpportunitySpec conversion convert_lead",
        "salescore.domain.custom_fields": ("CustomField CustomFieldSchema FieldType custom_fields"),
        "salescore.domain.normalisers": (
            "aware checked custom emails instance member opt_amount opt_aware opt_count"
            " opt_country opt_date opt_domain opt_email opt_id opt_phone opt_text opt_time_zone"
            " phones req_text score tags normalisers"
        ),
        "salescore.domain.events": "RESERVED_FIELDS Event FieldsChanged StageChanged events",
        "salescore.domain.interactions": (
            "CallDisposition CallOutcome Channel Direction EmailEventKind Interaction"
            " MeetingOutcome MeetingStatus Outcome Sentiment count_interactions"
            " filter_interactions interactions timeline"
        ),
        "salescore.domain.leads": "Lead LeadConverted LeadCreated LeadSource LeadStatus leads",
        "salescore.domain.opportunities": "opportunities",
        "salescore.domain.opportunities.deal": "Opportunity",
        "salescore.domain.opportunities.events": (
            "ForecastCategoryOverridden LineItemAdded LineItemRemoved LineItemsReplaced"
            " OpportunityClosed OpportunityCreated OpportunityReopened ProbabilityOverridden"
        ),
        "salescore.domain.opportunities.fields": "ContactRole OpportunityType",
        "salescore.domain.parties": (
            "Account AccountCreated Contact ContactCreated MergedInto PartyKind PartyRef"
            " account_ancestors normalize_country normalize_domain normalize_email"
            " normalize_phone normalize_time_zone parties"
        ),
        "salescore.domain.products": (
            "LineItem PriceBook Product line_items_total price_line products"
        ),
        "salescore.domain.service.cases": "ServiceCase merge_cases",
        "salescore.domain.service.clocks": "Milestone PauseSpan SlaClock SlaState sla_clocks",
        "salescore.domain.service.escalation": (
            "Escalation EscalationRule evaluate_escalations explain_escalations"
        ),
        "salescore.domain.service.events": (
            "AuthorKind CaseAssigned CaseMerged CaseNoteAdded CaseOpened CaseReplied"
            " CaseRepointed CaseStatus DEFAULT_REOPEN_WINDOW PriorityChanged"
            " SatisfactionRecorded SlaPolicyApplied"
        ),
        "salescore.domain.service.policies": (
            "DEFAULT_PAUSES PolicyCheck PolicyChoice SlaMetric SlaPolicy SlaTarget choose_policy"
        ),
        "salescore.domain.service.priority": "Priority",
        "salescore.domain.service.satisfaction": (
            "CesResponse CsatResponse NpsCategory NpsResponse SatisfactionResponse"
        ),
        "salescore.domain.service": "service",
        "salescore.domain.stages": (
            "ForecastCategory Funnel Stage StageKind StageVisit TransitionPolicy current_stage"
            " entered_at is_stale left_at move_count stage_visits stages time_in_stage"
            " time_in_stages unmet_requirements"
        ),
        "salescore.domain.standard_funnels": (
            "B2B_PIPELINE CAMPAIGN_STATUS CASE_STATUS LEAD_STATUS LIFECYCLE MARKETING"
            " TASK_STATUS standard_funnels"
        ),
        "salescore.domain.tasks": (
            "Task TaskCreated TaskKind TaskPriority TaskStatus TaskSubject TaskSubjectKind tasks"
        ),
        "salescore.domain.team": "Queue QueuePurpose Rep RepRole Team team",
    }
)

__all__ = star(_EXPORTS)
__getattr__, __dir__ = attach(__name__, _EXPORTS)
