"""Analytics: pure folds over salescore objects and events into report objects.

Funnels (:mod:`~salescore.analytics.funnels`), pipeline and forecasts
(:mod:`~salescore.analytics.pipeline`, :mod:`~salescore.analytics.forecast`),
customers and retention (:mod:`~salescore.analytics.customers`), marketing
attribution (:mod:`~salescore.analytics.attribution`), service
(:mod:`~salescore.analytics.service`) and outreach
(:mod:`~salescore.analytics.outreach`). Every function reads an iterator
once (an event log can be streamed) and does no I/O; every report converts to plain rows with
``to_rows()`` and to a pandas ``DataFrame`` with ``to_pandas()`` when pandas
is installed. Money stays :class:`~salescore.money.Money`; rates are floats
in [0, 1]. An argument of the wrong kind (``None``, a number or a string
where a collection or a mapping is expected) raises
:class:`~salescore.errors.ValidationError` naming the parameter and the value;
so does a collection holding an item of the wrong kind (``csat(["a"])``),
naming the item and its index, once the computation has failed on it (an
iterator, read already, keeps the original error).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from salescore._lazy import attach, exports, star

if TYPE_CHECKING:
    from salescore.analytics._report import Report as Report
    from salescore.analytics.attribution import *
    from salescore.analytics.customers import *
    from salescore.analytics.forecast import *
    from salescore.analytics.funnels import *
    from salescore.analytics.outreach import *
    from salescore.analytics.periods import *
    from salescore.analytics.pipeline import *
    from salescore.analytics.service import *

# Module → the names offered from it, space-separated (a module's own name offers the module).
_EXPORTS = exports(
    {
        "salescore.analytics._report": "Report",
        "salescore.analytics.attribution": (
            "AttributionModel CampaignPerformance CampaignReport FirstTouch Journey"
            " LastNonDirect LastTouch Linear Markov PositionBased Shapley TimeDecay Touchpoint"
            " WShaped attribute attribution campaign_report journey_from_touches"
        ),
        "salescore.analytics.customers": (
            "Cohort CustomerReport RenewalEffect RenewalReport customer_report customers"
            " predictive_clv renewals_by_service"
        ),
        "salescore.analytics.forecast": "RevenueDistribution forecast monte_carlo_forecast",
        "salescore.analytics.funnels": (
            "FunnelGroup FunnelReport FunnelStep LostReason LostReasons StageDuration"
            " StageDurations StaleItem StaleItems funnel_report funnels lost_reasons"
            " stage_durations stale_items"
        ),
        "salescore.analytics.outreach": ("OutreachMetrics OutreachReport outreach outreach_report"),
        "salescore.analytics.periods": "Period ReportingCalendar periods",
        "salescore.analytics.pipeline": (
            "CategoryForecast ForecastByCategory PipelineReport PipelineTotals SalesMetrics"
            " SalesReport StageAge StageAging forecast_by_category pipeline pipeline_report"
            " sales_report stage_aging"
        ),
        "salescore.analytics.service": (
            "ServiceMetrics ServiceReport SlaAttainment csat nps service service_report"
        ),
    }
)

__all__ = star(_EXPORTS)
__getattr__, __dir__ = attach(__name__, _EXPORTS)
