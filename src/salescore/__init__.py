"""salescore: a typed, event-sourced model of sales, marketing and customer service.

The public API is re-exported here; subpackages (:mod:`salescore.rules`,
:mod:`salescore.domain`, :mod:`salescore.testing`) have their own ``__all__``.
Importing :mod:`salescore` loads no database driver and no network client.
"""

from __future__ import annotations

from salescore import funnels, rules
from salescore.clock import Clock, ManualClock, SystemClock
from salescore.domain.aggregate import Aggregate
from salescore.domain.events import Event, FieldsChanged, StageChanged
from salescore.domain.stages import (
    ForecastCategory,
    Funnel,
    Stage,
    StageKind,
    StageVisit,
    TransitionPolicy,
)
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
from salescore.rules import Rule, Truth
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
    "Aggregate",
    "Clock",
    "ConcurrencyError",
    "DeterministicIds",
    "Event",
    "FieldError",
    "FieldsChanged",
    "ForecastCategory",
    "Funnel",
    "IdFactory",
    "ManualClock",
    "Money",
    "NotFound",
    "RandomIds",
    "Rule",
    "RuleSyntaxError",
    "SalescoreError",
    "Stage",
    "StageChanged",
    "StageKind",
    "StageVisit",
    "StorageError",
    "SystemClock",
    "TransitionError",
    "TransitionPolicy",
    "Truth",
    "ValidationError",
    "__version__",
    "currency_minor_unit",
    "from_dict",
    "from_json",
    "funnels",
    "register_upcaster",
    "rules",
    "to_dict",
    "to_json",
]
