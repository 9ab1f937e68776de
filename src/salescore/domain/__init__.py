"""The typed domain objects of salescore and their transitions.

Submodules: :mod:`~salescore.domain.aggregate` (the aggregate base),
:mod:`~salescore.domain.events` (shared events), :mod:`~salescore.domain.stages`
(stages, funnels and the folds over stage history), and one module per part
of the domain.
"""

from __future__ import annotations

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

__all__ = [
    "Aggregate",
    "Event",
    "FieldsChanged",
    "ForecastCategory",
    "Funnel",
    "Stage",
    "StageChanged",
    "StageKind",
    "StageVisit",
    "TransitionPolicy",
]
