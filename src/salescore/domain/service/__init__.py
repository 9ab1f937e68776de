"""Customer service: cases, satisfaction, SLA policies, SLA clocks and escalation.

One module per concern, each importing only those before it:
``priority``, ``satisfaction``, ``policies``, ``events``, ``clocks``,
``escalation``, ``cases``. This package offers every public name of them,
loaded on first use. Guides: :doc:`/service-cases`, :doc:`/sla-policies`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from salescore._lazy import attach, exports, star

if TYPE_CHECKING:
    from salescore.domain.service.cases import *
    from salescore.domain.service.clocks import *
    from salescore.domain.service.escalation import *
    from salescore.domain.service.events import *
    from salescore.domain.service.policies import *
    from salescore.domain.service.priority import *
    from salescore.domain.service.satisfaction import *

# Module → the names offered from it, space-separated (a module's own name offers the module).
_EXPORTS = exports(
    {
        "salescore.domain.service.cases": "ServiceCase cases merge_cases",
        "salescore.domain.service.clocks": (
            "Milestone PauseSpan SlaClock SlaState clocks sla_clocks"
        ),
        "salescore.domain.service.escalation": (
            "Escalation EscalationRule escalation evaluate_escalations explain_escalations"
        ),
        "salescore.domain.service.events": (
            "AuthorKind CaseAssigned CaseMerged CaseNoteAdded CaseOpened CaseReplied"
            " CaseRepointed CaseStatus DEFAULT_REOPEN_WINDOW PriorityChanged"
            " SatisfactionRecorded SlaPolicyApplied events"
        ),
        "salescore.domain.service.policies": (
            "DEFAULT_PAUSES PolicyCheck PolicyChoice SlaMetric SlaPolicy SlaTarget"
            " choose_policy policies"
        ),
        "salescore.domain.service.priority": "Priority priority",
        "salescore.domain.service.satisfaction": (
            "CesResponse CsatResponse NpsCategory NpsResponse SatisfactionResponse satisfaction"
        ),
    }
)

__all__ = star(_EXPORTS)
__getattr__, __dir__ = attach(__name__, _EXPORTS)
