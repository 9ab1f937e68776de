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

from salescore._lazy import attach, exports, star

if TYPE_CHECKING:
    from salescore.analytics._report import Report as Report
    from salescore.analytics.attribution import (
        AttributionModel as AttributionModel,
        CampaignPerformance as CampaignPerformance,
        CampaignReport as CampaignReport,
        FirstTouch as FirstTouch,
        Journey as Journey,
        LastNonDirect as LastNonDirect,
        LastTouch as LastTouch,
        Linear as Linear,
        Markov as Markov,
        PositionBased as PositionBased,
        Shapley as Shapley,
        TimeDecay as TimeDecay,
        Touchpoint as Touchpoint,
        WShaped as WShaped,
        attribute as attribute,
        campaign_report as campaign_report,
        journey_from_touches as journey_from_touches,
    )
    from salescore.analytics.customers import (
        Cohort as Cohort,
        CustomerReport as CustomerReport,
        RenewalEffect as RenewalEffect,
        RenewalReport as RenewalReport,
        customer_report as customer_report,
        predictive_clv as predictive_clv,
        renewals_by_service as renewals_by_service,
    )
    from salescore.analytics.forecast import (
        RevenueDistribution as RevenueDistribution,
        monte_carlo_forecast as monte_carlo_forecast,
    )
    from salescore.analytics.funnels import (
        FunnelGroup as FunnelGroup,
        FunnelReport as FunnelReport,
        FunnelStep as FunnelStep,
        LostReason as LostReason,
        LostReasons as LostReasons,
        StageDuration as StageDuration,
        StageDurations as StageDurations,
        StaleItem as StaleItem,
        StaleItems as StaleItems,
        funnel_report as funnel_report,
        lost_reasons as lost_reasons,
        stage_durations as stage_durations,
        stale_items as stale_items,
    )
    from salescore.analytics.outreach import (
        OutreachMetrics as OutreachMetrics,
        OutreachReport as OutreachReport,
        outreach_report as outreach_report,
    )
    from salescore.analytics.periods import (
        Period as Period,
        ReportingCalendar as ReportingCalendar,
    )
    from salescore.analytics.pipeline import (
        CategoryForecast as CategoryForecast,
        ForecastByCategory as ForecastByCategory,
        PipelineReport as PipelineReport,
        PipelineTotals as PipelineTotals,
        SalesMetrics as SalesMetrics,
        SalesReport as SalesReport,
        StageAge as StageAge,
        StageAging as StageAging,
        forecast_by_category as forecast_by_category,
        pipeline_report as pipeline_report,
        sales_report as sales_report,
        stage_aging as stage_aging,
    )
    from salescore.analytics.service import (
        ServiceMetrics as ServiceMetrics,
        ServiceReport as ServiceReport,
        SlaAttainment as SlaAttainment,
        csat as csat,
        nps as nps,
        service_report as service_report,
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

__all__ = star(_EXPORTS)
__getattr__, __dir__ = attach(__name__, _EXPORTS)
