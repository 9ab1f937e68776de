"""Opportunities: the deals a qualified lead becomes, moving through a pipeline.

:mod:`~salescore.domain.opportunities.fields` (contact roles, deal types),
:mod:`~salescore.domain.opportunities.events` and
:mod:`~salescore.domain.opportunities.deal` (the :class:`Opportunity`
aggregate); this package offers their names, loaded on first use.
Guide: :doc:`/opportunities`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from salescore._lazy import attach, exports, star

if TYPE_CHECKING:
    from salescore.domain.opportunities.deal import *
    from salescore.domain.opportunities.events import *
    from salescore.domain.opportunities.fields import *

# Module → the names offered from it, space-separated (a module's own name offers the module).
_EXPORTS = exports(
    {
        "salescore.domain.opportunities.deal": "Opportunity deal",
        "salescore.domain.opportunities.events": (
            "ForecastCategoryOverridden LineItemAdded LineItemRemoved LineItemsReplaced"
            " OpportunityClosed OpportunityCreated OpportunityReopened ProbabilityOverridden"
            " events"
        ),
        "salescore.domain.opportunities.fields": "ContactRole OpportunityType fields",
    }
)

__all__ = star(_EXPORTS)
__getattr__, __dir__ = attach(__name__, _EXPORTS)
