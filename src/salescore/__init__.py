"""salescore: a typed, event-sourced model of sales, marketing and customer service.

The public API is re-exported here; subpackages (:mod:`salescore.rules`,
:mod:`salescore.domain`, :mod:`salescore.testing`) have their own ``__all__``.
Importing :mod:`salescore` loads no database driver and no network client.
"""

from __future__ import annotations

# isort: off
# The domain package is initialised before ``salescore.funnels``: its modules
# use the ready-made funnels, and the funnels are built from its stages.
from salescore import domain
from salescore import funnels, rules

# isort: on
from salescore.calendar import BusinessCalendar
from salescore.clock import Clock, ManualClock, SystemClock
from salescore.domain.aggregate import Aggregate
from salescore.domain.campaigns import (
    Campaign,
    CampaignMember,
    CampaignStatus,
    CampaignType,
    MemberStatus,
)
from salescore.domain.conversion import (
    Conversion,
    OpportunitySpec,
    convert_lead,
)
from salescore.domain.custom_fields import CustomField, CustomFieldSchema, FieldType
from salescore.domain.events import Event, FieldsChanged, StageChanged
from salescore.domain.interactions import (
    CallDisposition,
    CallOutcome,
    Channel,
    Direction,
    EmailEventKind,
    Interaction,
    MeetingOutcome,
    MeetingStatus,
    Sentiment,
)
from salescore.domain.leads import Lead, LeadSource, LeadStatus
from salescore.domain.opportunities import (
    ContactRole,
    Opportunity,
    OpportunityType,
)
from salescore.domain.parties import (
    Account,
    Contact,
    PartyKind,
    PartyRef,
    normalize_email,
    normalize_phone,
)
from salescore.domain.products import (
    LineItem,
    PriceBook,
    Product,
    price_line,
)
from salescore.domain.service import (
    AuthorKind,
    CaseStatus,
    CesResponse,
    CsatResponse,
    NpsResponse,
    Priority,
    ServiceCase,
    merge_cases,
)
from salescore.domain.sla import (
    EscalationRule,
    SlaClock,
    SlaMetric,
    SlaPolicy,
    SlaState,
    SlaTarget,
    choose_policy,
    evaluate_escalations,
    sla_clocks,
)
from salescore.domain.stages import (
    ForecastCategory,
    Funnel,
    Stage,
    StageKind,
    StageVisit,
    TransitionPolicy,
)
from salescore.domain.tasks import Task, TaskKind, TaskPriority, TaskStatus, TaskSubject
from salescore.domain.team import Queue, QueuePurpose, Rep, RepRole, Team
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
from salescore.money import KNOWN_CURRENCIES, Money, currency_minor_unit
from salescore.rules import (
    Framework,
    RoutingState,
    RoutingTable,
    Rule,
    ScoreModel,
    Truth,
    WinModel,
    apply_score,
    assess,
    route,
    score,
)
from salescore.serialization import (
    from_dict,
    from_json,
    register_upcaster,
    to_dict,
    to_json,
)

__version__ = "0.1.0.dev0"

__all__ = [
    "KNOWN_CURRENCIES",
    "Account",
    "Aggregate",
    "AuthorKind",
    "BusinessCalendar",
    "CallDisposition",
    "CallOutcome",
    "Campaign",
    "CampaignMember",
    "CampaignStatus",
    "CampaignType",
    "CaseStatus",
    "CesResponse",
    "Channel",
    "Clock",
    "ConcurrencyError",
    "Contact",
    "ContactRole",
    "Conversion",
    "CsatResponse",
    "CustomField",
    "CustomFieldSchema",
    "DeterministicIds",
    "Direction",
    "EmailEventKind",
    "EscalationRule",
    "Event",
    "FieldError",
    "FieldType",
    "FieldsChanged",
    "ForecastCategory",
    "Framework",
    "Funnel",
    "IdFactory",
    "Interaction",
    "Lead",
    "LeadSource",
    "LeadStatus",
    "LineItem",
    "ManualClock",
    "MeetingOutcome",
    "MeetingStatus",
    "MemberStatus",
    "Money",
    "NotFound",
    "NpsResponse",
    "Opportunity",
    "OpportunitySpec",
    "OpportunityType",
    "PartyKind",
    "PartyRef",
    "PriceBook",
    "Priority",
    "Product",
    "Queue",
    "QueuePurpose",
    "RandomIds",
    "Rep",
    "RepRole",
    "RoutingState",
    "RoutingTable",
    "Rule",
    "RuleSyntaxError",
    "SalescoreError",
    "ScoreModel",
    "Sentiment",
    "ServiceCase",
    "SlaClock",
    "SlaMetric",
    "SlaPolicy",
    "SlaState",
    "SlaTarget",
    "Stage",
    "StageChanged",
    "StageKind",
    "StageVisit",
    "StorageError",
    "SystemClock",
    "Task",
    "TaskKind",
    "TaskPriority",
    "TaskStatus",
    "TaskSubject",
    "Team",
    "TransitionError",
    "TransitionPolicy",
    "Truth",
    "ValidationError",
    "WinModel",
    "__version__",
    "apply_score",
    "assess",
    "choose_policy",
    "convert_lead",
    "currency_minor_unit",
    "domain",
    "evaluate_escalations",
    "from_dict",
    "from_json",
    "funnels",
    "merge_cases",
    "normalize_email",
    "normalize_phone",
    "price_line",
    "register_upcaster",
    "route",
    "rules",
    "score",
    "sla_clocks",
    "to_dict",
    "to_json",
]
