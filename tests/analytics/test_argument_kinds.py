"""Arguments of the wrong kind: a ValidationError naming the parameter, never a TypeError."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from salescore.analytics import (
    Journey,
    Linear,
    Markov,
    Shapley,
    attribute,
    campaign_report,
    csat,
    customer_report,
    forecast_by_category,
    funnel_report,
    journey_from_touches,
    lost_reasons,
    monte_carlo_forecast,
    nps,
    outreach_report,
    pipeline_report,
    renewals_by_service,
    sales_report,
    service_report,
    stage_aging,
    stage_durations,
    stale_items,
)
from salescore.domain.stages import Funnel, Stage, StageKind
from salescore.errors import ValidationError

AT = datetime(2026, 3, 2, tzinfo=UTC)
FUNNEL = Funnel(key="deals", stages=(Stage(key="lead"), Stage(key="won", kind=StageKind.WON)))


def _mc(value: Any, **kw: Any) -> Any:
    return monte_carlo_forecast(
        value,
        start=date(2026, 1, 1),
        end=date(2026, 2, 1),
        currency="EUR",
        rng=random.Random(1),
        **kw,
    )


Call = Callable[[Any], object]

# (name, call with the bad value, the parameter the error must name)
COLLECTIONS: list[tuple[str, Call, str]] = [
    ("attribute", lambda v: attribute(v, Linear()), "journeys"),
    ("Linear.credit", lambda v: Linear().credit(v), "journeys"),
    ("Markov.credit", lambda v: Markov().credit(v), "journeys"),
    ("Markov.removal_effects", lambda v: Markov().removal_effects(v), "journeys"),
    ("Shapley.credit", lambda v: Shapley().credit(v), "journeys"),
    ("Journey", lambda v: Journey(v, False), "touchpoints"),
    (
        "journey_from_touches.interactions",
        lambda v: journey_from_touches(interactions=v, converted=False),
        "interactions",
    ),
    (
        "journey_from_touches.memberships",
        lambda v: journey_from_touches(memberships=v, converted=False),
        "memberships",
    ),
    ("campaign_report", lambda v: campaign_report(v, {}, currency="EUR"), "campaigns"),
    ("csat", csat, "scores"),
    ("nps", nps, "scores"),
    ("customer_report", lambda v: customer_report(v, currency="EUR"), "opportunities"),
    ("renewals_by_service.renewals", lambda v: renewals_by_service(v, [], at=AT), "renewals"),
    ("renewals_by_service.cases", lambda v: renewals_by_service([], v, at=AT), "cases"),
    ("monte_carlo_forecast", _mc, "opportunities"),
    ("pipeline_report", pipeline_report, "opportunities"),
    ("forecast_by_category", forecast_by_category, "opportunities"),
    ("sales_report", sales_report, "opportunities"),
    ("stage_aging", lambda v: stage_aging(v, at=AT), "opportunities"),
    ("funnel_report", lambda v: funnel_report(FUNNEL, v), "changes"),
    ("lost_reasons", lambda v: lost_reasons(FUNNEL, v), "changes"),
    ("stale_items", lambda v: stale_items(FUNNEL, v, at=AT), "changes"),
    ("stage_durations", lambda v: stage_durations(FUNNEL, v), "changes"),
    ("outreach_report", outreach_report, "interactions"),
    ("service_report", lambda v: service_report(v, at=AT), "cases"),
]

MAPPINGS: list[tuple[str, Call, str]] = [
    ("campaign_report.revenue", lambda v: campaign_report([], v, currency="EUR"), "revenue"),
    (
        "campaign_report.leads",
        lambda v: campaign_report([], {}, currency="EUR", leads=v),
        "leads",
    ),
    (
        "campaign_report.opportunities",
        lambda v: campaign_report([], {}, currency="EUR", opportunities=v),
        "opportunities",
    ),
    (
        "campaign_report.customers",
        lambda v: campaign_report([], {}, currency="EUR", customers=v),
        "customers",
    ),
    (
        "journey_from_touches.campaign_channel",
        lambda v: journey_from_touches(campaign_channel=v, converted=False),
        "campaign_channel",
    ),
    ("funnel_report.segment", lambda v: funnel_report(FUNNEL, [], segment=v), "segment"),
    ("customer_report.rates", lambda v: customer_report([], currency="EUR", rates=v), "rates"),
    ("monte_carlo_forecast.rates", lambda v: _mc([], rates=v), "rates"),
    ("pipeline_report.rates", lambda v: pipeline_report([], currency="EUR", rates=v), "rates"),
    (
        "forecast_by_category.rates",
        lambda v: forecast_by_category([], currency="EUR", rates=v),
        "rates",
    ),
    ("sales_report.rates", lambda v: sales_report([], currency="EUR", rates=v), "rates"),
]


def _refused(call: Call, value: Any) -> ValidationError:
    with pytest.raises(ValidationError) as info:
        call(value)
    return info.value


@pytest.mark.parametrize(
    ("call", "path"), [c[1:] for c in COLLECTIONS], ids=[c[0] for c in COLLECTIONS]
)
@pytest.mark.parametrize("value", [None, 5, "abc"], ids=["None", "int", "str"])
def test_a_collection_argument_that_is_no_collection_is_named(
    call: Call, path: str, value: Any
) -> None:
    exc = _refused(call, value)
    assert type(exc) is ValidationError
    assert [(e.path, e.value) for e in exc.errors] == [(path, value)]
    assert exc.errors[0].message.startswith("must be a collection of ")


@pytest.mark.parametrize(("call", "path"), [c[1:] for c in MAPPINGS], ids=[c[0] for c in MAPPINGS])
@pytest.mark.parametrize("value", [5, "abc", [("a", 1)]], ids=["int", "str", "list"])
def test_a_mapping_argument_that_is_no_mapping_is_named(call: Call, path: str, value: Any) -> None:
    exc = _refused(call, value)
    assert type(exc) is ValidationError
    assert [(e.path, e.value) for e in exc.errors] == [(path, value)]
    assert exc.errors[0].message.startswith("must be a mapping of ")


def test_campaign_report_without_revenue_names_revenue() -> None:
    exc = _refused(lambda v: campaign_report([], v, currency="EUR"), None)
    assert str(exc.errors[0]) == "revenue: must be a mapping of campaign ids to revenue (got None)"


def test_an_iterator_is_still_read_once() -> None:
    journeys = iter([Journey([], False)])
    assert attribute(journeys, Linear()) == {}
    assert csat(iter([5, 1])) == 0.5


# Values that are neither a collection of items nor a mapping.
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False),
    st.decimals(allow_nan=False),
    st.text(),
    st.binary(),
    st.dates(),
    st.builds(object),
)


@given(
    entry=st.sampled_from(COLLECTIONS),
    value=SCALARS,
)
def test_any_non_collection_gives_a_validation_error(
    entry: tuple[str, Call, str], value: Any
) -> None:
    _, call, path = entry
    with pytest.raises(ValidationError) as info:
        call(value)
    assert info.value.errors[0].path == path
    assert info.value.errors[0].value is value


@given(
    entry=st.sampled_from(MAPPINGS),
    value=st.one_of(SCALARS.filter(lambda v: v is not None), st.lists(st.integers()), st.tuples()),
)
def test_any_non_mapping_gives_a_validation_error(entry: tuple[str, Call, str], value: Any) -> None:
    _, call, path = entry
    with pytest.raises(ValidationError) as info:
        call(value)
    assert info.value.errors[0].path == path
    assert info.value.errors[0].value is value
