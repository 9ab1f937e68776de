"""The typed domain objects of salescore and their transitions.

Submodules: :mod:`~salescore.domain.aggregate` (the aggregate base),
:mod:`~salescore.domain.events` (shared events), :mod:`~salescore.domain.stages`
(stages, funnels and the folds over stage history), and one module per part
of the domain.
"""

from __future__ import annotations

from salescore.domain.aggregate import Aggregate
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
    count_interactions,
    filter_interactions,
    timeline,
)
from salescore.domain.leads import Lead, LeadConverted, LeadCreated, LeadSource, LeadStatus
from salescore.domain.parties import (
    Account,
    AccountCreated,
    Contact,
    ContactCreated,
    PartyKind,
    PartyRef,
    account_ancestors,
    normalize_country,
    normalize_domain,
    normalize_email,
    normalize_phone,
    normalize_time_zone,
)
from salescore.domain.stages import (
    ForecastCategory,
    Funnel,
    Stage,
    StageKind,
    StageVisit,
    TransitionPolicy,
)
from salescore.domain.tasks import (
    Task,
    TaskCreated,
    TaskKind,
    TaskPriority,
    TaskStatus,
    TaskSubject,
)
from salescore.domain.team import Queue, QueuePurpose, Rep, RepRole, Team

__all__ = [
    "Account",
    "AccountCreated",
    "Aggregate",
    "CallDisposition",
    "CallOutcome",
    "Channel",
    "Contact",
    "ContactCreated",
    "CustomField",
    "CustomFieldSchema",
    "Direction",
    "EmailEventKind",
    "Event",
    "FieldType",
    "FieldsChanged",
    "ForecastCategory",
    "Funnel",
    "Interaction",
    "Lead",
    "LeadConverted",
    "LeadCreated",
    "LeadSource",
    "LeadStatus",
    "MeetingOutcome",
    "MeetingStatus",
    "PartyKind",
    "PartyRef",
    "Queue",
    "QueuePurpose",
    "Rep",
    "RepRole",
    "Sentiment",
    "Stage",
    "StageChanged",
    "StageKind",
    "StageVisit",
    "Task",
    "TaskCreated",
    "TaskKind",
    "TaskPriority",
    "TaskStatus",
    "TaskSubject",
    "Team",
    "TransitionPolicy",
    "account_ancestors",
    "count_interactions",
    "filter_interactions",
    "normalize_country",
    "normalize_domain",
    "normalize_email",
    "normalize_phone",
    "normalize_time_zone",
    "timeline",
]
