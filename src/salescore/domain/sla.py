"""Moved to :mod:`salescore.domain.service`; this path is kept for compatibility.

Importing it warns (``DeprecationWarning``) and offers every name it offered
before, from the modules that now define them.
"""

import warnings

from salescore.domain.service.clocks import Milestone, PauseSpan, SlaClock, SlaState, sla_clocks
from salescore.domain.service.escalation import (
    Escalation,
    EscalationRule,
    evaluate_escalations,
    explain_escalations,
)
from salescore.domain.service.policies import (
    DEFAULT_PAUSES,
    PolicyCheck,
    PolicyChoice,
    SlaMetric,
    SlaPolicy,
    SlaTarget,
    choose_policy,
)
from salescore.domain.service.priority import Priority

warnings.warn(
    "salescore.domain.sla has moved: import salescore.domain.service",
    DeprecationWarning,
    stacklevel=2,
)

__all__ = [
    "DEFAULT_PAUSES",
    "Escalation",
    "EscalationRule",
    "Milestone",
    "PauseSpan",
    "PolicyCheck",
    "PolicyChoice",
    "Priority",
    "SlaClock",
    "SlaMetric",
    "SlaPolicy",
    "SlaState",
    "SlaTarget",
    "choose_policy",
    "evaluate_escalations",
    "explain_escalations",
    "sla_clocks",
]
