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

from salescore import serialization as _serialization
from salescore._lazy import attach, exports

if TYPE_CHECKING:
    from salescore import (
        analytics,
        decisions,
        domain,
        funnels,
        outreach,
        rules,
        simulation,
        storage,
    )
    from salescore.calendar import BusinessCalendar
    from salescore.clock import Clock, ManualClock, SystemClock
    from salescore.domain.campaigns import Campaign, CampaignMember
    from salescore.domain.conversion import convert_lead
    from salescore.domain.events import Event, FieldsChanged, StageChanged
    from salescore.domain.interactions import Interaction
    from salescore.domain.leads import Lead
    from salescore.domain.opportunities import Opportunity
    from salescore.domain.parties import Account, Contact, PartyRef
    from salescore.domain.service.cases import ServiceCase
    from salescore.domain.stages import Funnel, Stage
    from salescore.domain.tasks import Task
    from salescore.domain.team import Queue, Rep, Team
    from salescore.errors import (
        ConcurrencyError,
        FieldError,
        NotFound,
        RuleSyntaxError,
        SalescoreError,
        StorageError,
        TransitionError,
        ValidationError,
    )
    from salescore.ids import DeterministicIds, IdFactory, RandomIds
    from salescore.money import Money
    from salescore.serialization import from_dict, from_json, register_upcaster, to_dict, to_json
    from salescore.workspace import Workspace

__version__ = "0.1.0.dev0"

# Every name importable here, the curated ones and those kept for compatibility.
_EXPORTS = exports(
    {
        "salescore.analytics": ("analytics",),
        "salescore.calendar": ("BusinessCalendar",),
        "salescore.clock": (
            "Clock",
            "ManualClock",
            "SystemClock",
        ),
        "salescore.decisions": ("decisions",),
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
        "salescore.domain": ("domain",),
        "salescore.domain.aggregate": ("Aggregate",),
        "salescore.domain.campaigns": (
            "Campaign",
            "CampaignMember",
            "CampaignStatus",
            "CampaignType",
            "MemberStatus",
        ),
        "salescore.domain.conversion": (
            "Conversion",
            "OpportunitySpec",
            "analytics",
            "convert_lead",
        ),
        "salescore.domain.custom_fields": (
            "CustomField",
            "CustomFieldSchema",
            "FieldType",
        ),
        "salescore.domain.events": (
            "Event",
            "FieldsChanged",
            "StageChanged",
        ),
        "salescore.domain.interactions": (
            "CallDisposition",
            "CallOutcome",
            "Channel",
            "Direction",
            "EmailEventKind",
            "Interaction",
            "MeetingOutcome",
            "MeetingStatus",
            "Sentiment",
        ),
        "salescore.domain.leads": (
            "Lead",
            "LeadSource",
            "LeadStatus",
        ),
        "salescore.domain.opportunities": (
            "ContactRole",
            "Opportunity",
            "OpportunityType",
        ),
        "salescore.domain.parties": (
            "Account",
            "Contact",
            "PartyKind",
            "PartyRef",
            "normalize_email",
            "normalize_phone",
        ),
        "salescore.domain.products": (
            "LineItem",
            "PriceBook",
            "Product",
            "price_line",
        ),
        "salescore.domain.service.cases": ("ServiceCase", "merge_cases"),
        "salescore.domain.service.clocks": ("SlaClock", "SlaState", "sla_clocks"),
        "salescore.domain.service.escalation": ("EscalationRule", "evaluate_escalations"),
        "salescore.domain.service.events": ("AuthorKind", "CaseStatus"),
        "salescore.domain.service.policies": (
            "SlaMetric",
            "SlaPolicy",
            "SlaTarget",
            "choose_policy",
        ),
        "salescore.domain.service.priority": ("Priority",),
        "salescore.domain.service.satisfaction": ("CesResponse", "CsatResponse", "NpsResponse"),
        "salescore.domain.stages": (
            "ForecastCategory",
            "Funnel",
            "Stage",
            "StageKind",
            "StageVisit",
            "TransitionPolicy",
        ),
        "salescore.domain.tasks": (
            "Task",
            "TaskKind",
            "TaskPriority",
            "TaskStatus",
            "TaskSubject",
        ),
        "salescore.domain.team": (
            "Queue",
            "QueuePurpose",
            "Rep",
            "RepRole",
            "Team",
        ),
        "salescore.errors": (
            "ConcurrencyError",
            "FieldError",
            "NotFound",
            "RuleSyntaxError",
            "SalescoreError",
            "StorageError",
            "TransitionError",
            "ValidationError",
        ),
        "salescore.funnels": ("funnels",),
        "salescore.ids": (
            "DeterministicIds",
            "IdFactory",
            "RandomIds",
        ),
        "salescore.money": (
            "KNOWN_CURRENCIES",
            "Money",
            "currency_minor_unit",
        ),
        "salescore.outreach": ("outreach",),
        "salescore.rules": ("rules",),
        "salescore.rules._nodes": ("Rule",),
        "salescore.rules._truth": ("Truth",),
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

__all__ = [
    "Account",
    "BusinessCalendar",
    "Campaign",
    "CampaignMember",
    "Clock",
    "ConcurrencyError",
    "Contact",
    "DeterministicIds",
    "Event",
    "FieldError",
    "FieldsChanged",
    "Funnel",
    "IdFactory",
    "Interaction",
    "Lead",
    "ManualClock",
    "Money",
    "NotFound",
    "Opportunity",
    "PartyRef",
    "Queue",
    "RandomIds",
    "Rep",
    "RuleSyntaxError",
    "SalescoreError",
    "ServiceCase",
    "Stage",
    "StageChanged",
    "StorageError",
    "SystemClock",
    "Task",
    "Team",
    "TransitionError",
    "ValidationError",
    "Workspace",
    "__version__",
    "analytics",
    "convert_lead",
    "decisions",
    "domain",
    "from_dict",
    "from_json",
    "funnels",
    "outreach",
    "register_upcaster",
    "rules",
    "simulation",
    "storage",
    "to_dict",
    "to_json",
]
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
