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
in [0, 1].
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from salescore._lazy import attach, exports

if TYPE_CHECKING:
    from salescore.analytics._report import (
        Report,
    )
    from salescore.analytics.attribution import (
        AttributionModel,
        CampaignPerformance,
        CampaignReport,
        FirstTouch,
        Journey,
        LastNonDirect,
        LastTouch,
        Linear,
        Markov,
        PositionBased,
        Shapley,
        TimeDecay,
        Touchpoint,
        WShaped,
        attribute,
        campaign_report,
        journey_from_touches,
    )
    from salescore.analytics.customers import (
        Cohort,
        CustomerReport,
        RenewalEffect,
        RenewalReport,
        customer_report,
        predictive_clv,
        renewals_by_service,
    )
    from salescore.analytics.forecast import (
        RevenueDistribution,
        monte_carlo_forecast,
    )
    from salescore.analytics.funnels import (
        FunnelGroup,
        FunnelReport,
        FunnelStep,
        LostReason,
        LostReasons,
        StageDuration,
        StageDurations,
        StaleItem,
        StaleItems,
        funnel_report,
        lost_reasons,
        stage_durations,
        stale_items,
    )
    from salescore.analytics.outreach import (
        OutreachMetrics,
        OutreachReport,
        outreach_report,
    )
    from salescore.analytics.periods import (
        Period,
        ReportingCalendar,
    )
    from salescore.analytics.pipeline import (
        CategoryForecast,
        ForecastByCategory,
        PipelineReport,
        PipelineTotals,
        SalesMetrics,
        SalesReport,
        StageAge,
        StageAging,
        forecast_by_category,
        pipeline_report,
        sales_report,
        stage_aging,
    )
    from salescore.analytics.service import (
        ServiceMetrics,
        ServiceReport,
        SlaAttainment,
        csat,
        nps,
        service_report,
    )

_EXPORTS = exports(
    {
        "salescore.analytics._report": ("Report",),
        "salescore.analytics.attribution": (
            "AttributionModel",
            "CampaignPerformance",
            "CampaignReport",
            "FirstTouch",
            "Journey",
            "LastNonDirect",
            "LastTouch",
            "Linear",
            "Markov",
            "PositionBased",
            "Shapley",
            "TimeDecay",
            "Touchpoint",
            "WShaped",
            "attribute",
            "attribution",
            "campaign_report",
            "journey_from_touches",
        ),
        "salescore.analytics.customers": (
            "Cohort",
            "CustomerReport",
            "RenewalEffect",
            "RenewalReport",
            "customer_report",
            "customers",
            "predictive_clv",
            "renewals_by_service",
        ),
        "salescore.analytics.forecast": (
            "RevenueDistribution",
            "forecast",
            "monte_carlo_forecast",
        ),
        "salescore.analytics.funnels": (
            "FunnelGroup",
            "FunnelReport",
            "FunnelStep",
            "LostReason",
            "LostReasons",
            "StageDuration",
            "StageDurations",
            "StaleItem",
            "StaleItems",
            "funnel_report",
            "funnels",
            "lost_reasons",
            "stage_durations",
            "stale_items",
        ),
        "salescore.analytics.outreach": (
            "OutreachMetrics",
            "OutreachReport",
            "outreach",
            "outreach_report",
        ),
        "salescore.analytics.periods": (
            "Period",
            "ReportingCalendar",
            "periods",
        ),
        "salescore.analytics.pipeline": (
            "CategoryForecast",
            "ForecastByCategory",
            "PipelineReport",
            "PipelineTotals",
            "SalesMetrics",
            "SalesReport",
            "StageAge",
            "StageAging",
            "forecast_by_category",
            "pipeline",
            "pipeline_report",
            "sales_report",
            "stage_aging",
        ),
        "salescore.analytics.service": (
            "ServiceMetrics",
            "ServiceReport",
            "SlaAttainment",
            "csat",
            "nps",
            "service",
            "service_report",
        ),
    }
)

__all__ = [
    "AttributionModel",
    "CampaignPerformance",
    "CampaignReport",
    "CategoryForecast",
    "Cohort",
    "CustomerReport",
    "FirstTouch",
    "ForecastByCategory",
    "FunnelGroup",
    "FunnelReport",
    "FunnelStep",
    "Journey",
    "LastNonDirect",
    "LastTouch",
    "Linear",
    "LostReason",
    "LostReasons",
    "Markov",
    "OutreachMetrics",
    "OutreachReport",
    "Period",
    "PipelineReport",
    "PipelineTotals",
    "PositionBased",
    "RenewalEffect",
    "RenewalReport",
    "Report",
    "ReportingCalendar",
    "RevenueDistribution",
    "SalesMetrics",
    "SalesReport",
    "ServiceMetrics",
    "ServiceReport",
    "Shapley",
    "SlaAttainment",
    "StageAge",
    "StageAging",
    "StageDuration",
    "StageDurations",
    "StaleItem",
    "StaleItems",
    "TimeDecay",
    "Touchpoint",
    "WShaped",
    "attribute",
    "campaign_report",
    "csat",
    "customer_report",
    "forecast_by_category",
    "funnel_report",
    "journey_from_touches",
    "lost_reasons",
    "monte_carlo_forecast",
    "nps",
    "outreach_report",
    "pipeline_report",
    "predictive_clv",
    "renewals_by_service",
    "sales_report",
    "service_report",
    "stage_aging",
    "stage_durations",
    "stale_items",
]
__getattr__, __dir__ = attach(__name__, _EXPORTS)
