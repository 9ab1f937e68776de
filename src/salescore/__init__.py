"""salescore: a typed, event-sourced model of sales, marketing and customer service.

This package offers the names a newcomer starts with (``__all__``); the
subpackages :mod:`salescore.domain`, :mod:`salescore.rules`,
:mod:`salescore.decisions`, :mod:`salescore.analytics`,
:mod:`salescore.outreach` and :mod:`salescore.storage` offer complete sets.
Names are imported on first use. Policy and reference: :doc:`/api`.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from salescore import errors as _errors
from salescore import serialization as _serialization
from salescore._lazy import attach, exports

if TYPE_CHECKING:
    from salescore import (
        analytics as analytics,
        decisions as decisions,
        domain as domain,
        funnels as funnels,
        outreach as outreach,
        rules as rules,
        simulation as simulation,
        storage as storage,
    )
    from salescore.calendar import BusinessCalendar as BusinessCalendar
    from salescore.clock import (
        Clock as Clock,
        ManualClock as ManualClock,
        SystemClock as SystemClock,
    )
    from salescore.domain.campaigns import (
        Campaign as Campaign,
        CampaignMember as CampaignMember,
    )
    from salescore.domain.conversion import convert_lead as convert_lead
    from salescore.domain.events import (
        Event as Event,
        FieldsChanged as FieldsChanged,
        StageChanged as StageChanged,
    )
    from salescore.domain.interactions import Interaction as Interaction
    from salescore.domain.leads import Lead as Lead
    from salescore.domain.opportunities import Opportunity as Opportunity
    from salescore.domain.parties import (
        Account as Account,
        Contact as Contact,
        PartyRef as PartyRef,
    )
    from salescore.domain.service.cases import ServiceCase as ServiceCase
    from salescore.domain.stages import (
        Funnel as Funnel,
        Stage as Stage,
    )
    from salescore.domain.tasks import Task as Task
    from salescore.domain.team import (
        Queue as Queue,
        Rep as Rep,
        Team as Team,
    )
    from salescore.errors import *
    from salescore.ids import (
        DeterministicIds as DeterministicIds,
        IdFactory as IdFactory,
        RandomIds as RandomIds,
    )
    from salescore.money import Money as Money
    from salescore.serialization import (
        from_dict as from_dict,
        from_json as from_json,
        register_upcaster as register_upcaster,
        to_dict as to_dict,
        to_json as to_json,
    )
    from salescore.workspace import Workspace as Workspace

__version__ = "0.1.0.dev0"

# The names a newcomer starts with: ``__all__``.
_CURATED = exports(
    {
        "salescore.analytics": ("analytics",),
        "salescore.calendar": ("BusinessCalendar",),
        "salescore.clock": (
            "Clock",
            "ManualClock",
            "SystemClock",
        ),
        "salescore.decisions": ("decisions",),
        "salescore.domain": ("domain",),
        "salescore.domain.campaigns": (
            "Campaign",
            "CampaignMember",
        ),
        "salescore.domain.conversion": ("convert_lead",),
        "salescore.domain.events": (
            "Event",
            "FieldsChanged",
            "StageChanged",
        ),
        "salescore.domain.interactions": ("Interaction",),
        "salescore.domain.leads": ("Lead",),
        "salescore.domain.opportunities": ("Opportunity",),
        "salescore.domain.parties": (
            "Account",
            "Contact",
            "PartyRef",
        ),
        "salescore.domain.service.cases": ("ServiceCase",),
        "salescore.domain.stages": (
            "Funnel",
            "Stage",
        ),
        "salescore.domain.tasks": ("Task",),
        "salescore.domain.team": (
            "Queue",
            "Rep",
            "Team",
        ),
        "salescore.errors": tuple(_errors.__all__),  # every error
        "salescore.funnels": ("funnels",),
        "salescore.ids": (
            "DeterministicIds",
            "IdFactory",
            "RandomIds",
        ),
        "salescore.money": ("Money",),
        "salescore.outreach": ("outreach",),
        "salescore.rules": ("rules",),
        "salescore.serialization": (
            "from_dict",
            "from_json",
            "register_upcaster",
            "to_dict",
            "to_json",
        ),
        "salescore.simulation": ("simulation",),
        "salescore.storage": ("storage",),
        "salescore.workspace": ("Workspace",),
    }
)
# Also importable from here, for compatibility; taught at their subpackages.
_KEPT = exports(
    {
        "salescore.decisions.qualification": (
            "Framework",
            "assess",
        ),
        "salescore.decisions.routing": (
            "RoutingState",
            "RoutingTable",
            "route",
        ),
        "salescore.decisions.scoring": (
            "ScoreModel",
            "apply_score",
            "score",
        ),
        "salescore.decisions.win_model": ("WinModel",),
        "salescore.domain.aggregate": ("Aggregate",),
        "salescore.domain.campaigns": (
            "CampaignStatus",
            "CampaignType",
            "MemberStatus",
        ),
        "salescore.domain.conversion": (
            "Conversion",
            "OpportunitySpec",
        ),
        "salescore.domain.custom_fields": (
            "CustomField",
            "CustomFieldSchema",
            "FieldType",
        ),
        "salescore.domain.interactions": (
            "CallDisposition",
            "CallOutcome",
            "Channel",
            "Direction",
            "EmailEventKind",
            "MeetingOutcome",
            "MeetingStatus",
            "Sentiment",
        ),
        "salescore.domain.leads": (
            "LeadSource",
            "LeadStatus",
        ),
        "salescore.domain.opportunities": (
            "ContactRole",
            "OpportunityType",
        ),
        "salescore.domain.parties": (
            "PartyKind",
            "normalize_email",
            "normalize_phone",
        ),
        "salescore.domain.products": (
            "LineItem",
            "PriceBook",
            "Product",
            "price_line",
        ),
        "salescore.domain.service.cases": ("merge_cases",),
        "salescore.domain.service.clocks": (
            "SlaClock",
            "SlaState",
            "sla_clocks",
        ),
        "salescore.domain.service.escalation": (
            "EscalationRule",
            "evaluate_escalations",
        ),
        "salescore.domain.service.events": (
            "AuthorKind",
            "CaseStatus",
        ),
        "salescore.domain.service.policies": (
            "SlaMetric",
            "SlaPolicy",
            "SlaTarget",
            "choose_policy",
        ),
        "salescore.domain.service.priority": ("Priority",),
        "salescore.domain.service.satisfaction": (
            "CesResponse",
            "CsatResponse",
            "NpsResponse",
        ),
        "salescore.domain.stages": (
            "ForecastCategory",
            "StageKind",
            "StageVisit",
            "TransitionPolicy",
        ),
        "salescore.domain.tasks": (
            "TaskKind",
            "TaskPriority",
            "TaskStatus",
            "TaskSubject",
        ),
        "salescore.domain.team": (
            "QueuePurpose",
            "RepRole",
        ),
        "salescore.money": (
            "KNOWN_CURRENCIES",
            "currency_minor_unit",
        ),
        "salescore.rules._nodes": ("Rule",),
        "salescore.rules._truth": ("Truth",),
    }
)
_EXPORTS = {**_KEPT, **_CURATED}

__all__ = ["__version__", *sorted(_CURATED)]
__getattr__, __dir__ = attach(__name__, _EXPORTS)


def _import_all() -> None:
    """Import every module that registers serialisable types."""
    from salescore import analytics, decisions, domain, outreach, rules

    for package in (domain, decisions, rules, analytics, outreach):
        for module in sorted(set(package._EXPORTS.values())):
            importlib.import_module(module)


# A document may name a type whose module is not imported yet: the codec
# imports them all before it gives up on a ``_type``.
_serialization.default_codec.add_type_loader(_import_all)
