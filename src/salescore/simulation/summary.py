"""The reports of a simulated (or real) workspace, as plain numbers.

:func:`summarize` reads a store's event log, leads, deals, cases, campaigns
and interactions through the analytics functions and keeps what the tables,
charts and variant comparisons need: a :class:`Summary` of ints, floats and
strings that turns into JSON (:meth:`Summary.to_dict`) with the same bytes
for the same data. Shards of a large run return summaries, not event logs.
"""

from __future__ import annotations

import operator
import random
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any

import attrs

from salescore.analytics import (
    AttributionModel,
    FirstTouch,
    Journey,
    LastTouch,
    Linear,
    Markov,
    PositionBased,
    TimeDecay,
    Touchpoint,
    attribute,
    campaign_report,
    forecast_by_category,
    funnel_report,
    monte_carlo_forecast,
    outreach_report,
    pipeline_report,
    service_report,
)
from salescore.analytics.attribution import _trusted_journey, _trusted_touch
from salescore.domain.events import StageChanged
from salescore.domain.interactions import Interaction
from salescore.domain.standard_funnels import B2B_PIPELINE, LEAD_STATUS
from salescore.storage.protocols import EventRecord, Store

__all__ = ["FUNNEL_STEPS", "Summary", "summarize"]

#: The steps of the summary funnel, in order.
FUNNEL_STEPS = ("leads", "mql", "working", "meeting", "qualified", "deal", "won")
#: The attribution models compared, by name.
_MODELS: dict[str, AttributionModel] = {
    "first_touch": FirstTouch(),
    "last_touch": LastTouch(),
    "linear": Linear(),
    "position_based": PositionBased(),
    "time_decay": TimeDecay(timedelta(days=7)),
    "markov": Markov(),
}
_QUANTILES = tuple(i / 20 for i in range(21))
_INF = float("inf")

Row = tuple[Any, ...]


@attrs.frozen(kw_only=True)
class Summary:
    """Reports as plain numbers (money as floats in the scenario's currency).

    Attributes:
        metrics: (name, value) pairs compared across variants: ``leads``,
            ``mqls``, ``meetings``, ``deals``, ``won``, ``lost``, ``revenue``,
            ``open_pipeline``, ``weighted_pipeline``, ``win_rate``, ``cases``,
            ``sla_attainment``, ``marketing_cost``, ``cost_per_lead``.
        funnel: (step, reached) for :data:`FUNNEL_STEPS`.
        lead_status: (status, entered) from the lead-status funnel report.
        pipeline: (stage, deals entered, median days in stage) of the B2B pipeline.
        open_deals: (stage, count, amount, weighted) of deals still open.
        categories: (forecast category, count, amount, weighted) of open deals.
        forecast: (quantile, revenue) of the next quarter's Monte Carlo forecast.
        attribution: (model, ((channel, credit), …)) of won revenue.
        campaigns: (campaign, cost, leads, customers, first-touch revenue, ROI).
        service: (priority, cases, SLA attainment, median first reply in hours).
        outreach: (cadence step, attempts, connects or replies, meetings, opt-outs).
    """

    metrics: tuple[tuple[str, float], ...]
    funnel: tuple[tuple[str, int], ...]
    lead_status: tuple[tuple[str, int], ...]
    pipeline: tuple[Row, ...]
    open_deals: tuple[Row, ...]
    categories: tuple[Row, ...]
    forecast: tuple[tuple[float, float], ...]
    attribution: tuple[tuple[str, tuple[tuple[str, float], ...]], ...]
    campaigns: tuple[Row, ...]
    service: tuple[Row, ...]
    outreach: tuple[Row, ...]

    def metric(self, name: str) -> float:
        """One metric's value.

        Raises:
            KeyError: no such metric.
        """
        return dict(self.metrics)[name]

    def to_dict(self) -> dict[str, Any]:
        """Plain lists and dicts, ready for ``json.dumps``."""

        def plain(value: Any) -> Any:
            if isinstance(value, tuple):
                return [plain(v) for v in value]
            return value

        return {f.name: plain(getattr(self, f.name)) for f in attrs.fields(Summary)}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Summary:
        """The summary :meth:`to_dict` gave."""

        def frozen(value: Any) -> Any:
            if isinstance(value, list):
                return tuple(frozen(v) for v in value)
            return value

        return cls(**{f.name: frozen(data[f.name]) for f in attrs.fields(Summary)})


def _all(find: Callable[..., Any]) -> list[Any]:
    """Every item of a repository, by id (one read: a page per read would sort each time)."""
    return list(find().items)


def _money(value: Any) -> float:
    return round(float(value.amount), 2)


def _hours(value: timedelta | None) -> float | None:
    return None if value is None else round(value.total_seconds() / 3600, 3)


def summarize(
    store: Store,
    *,
    at: datetime,
    currency: str,
    seed: int = 0,
    records: Iterable[EventRecord] | None = None,
    interactions: Iterable[Interaction] | None = None,
) -> Summary:
    """Compute the reports of everything in ``store`` as of ``at``.

    Args:
        store: The workspace's store.
        at: The instant of the reports (the end of the simulated period).
        currency: The currency of deals and costs.
        seed: Seeds the Monte Carlo forecast.
        records: The store's event log, when the caller has read it already.
        interactions: Every interaction in the store, by id, when the caller
            has read them already.

    Returns:
        The :class:`Summary`.
    """
    if records is None:
        records = store.events_since(0)
    # The stage changes of each funnel, in log order (one pass over the log).
    by_funnel: dict[str, list[StageChanged]] = {}
    for record in records:
        event = record.event
        if type(event) is StageChanged or isinstance(event, StageChanged):
            changes = by_funnel.get(event.funnel)
            if changes is None:
                by_funnel[event.funnel] = [event]
            else:
                changes.append(event)
    with store.unit_of_work() as uow:
        leads = _all(uow.leads.find)
        deals = _all(uow.opportunities.find)
        cases = _all(uow.cases.find)
        campaigns = _all(uow.campaigns.find)
        interactions = _all(uow.interactions.find) if interactions is None else list(interactions)

    # A funnel report skips the changes of other funnels: it is given its own only.
    status = funnel_report(LEAD_STATUS, by_funnel.get(LEAD_STATUS.key, []))
    pipeline = funnel_report(B2B_PIPELINE, by_funnel.get(B2B_PIPELINE.key, []))
    reached = {s.stage: s.entered for s in status.steps}
    lead_ids = {lead.id for lead in leads}
    lifecycle_mql = {
        c.subject_id
        for c in by_funnel.get("lifecycle", ())
        if c.to_stage == "mql" and c.subject_id in lead_ids
    }
    working = {c.subject_id for c in by_funnel.get("lead_status", ()) if c.to_stage == "working"}
    # One pass over the interactions in time order (then by id): who met, each
    # party's journey touches, the outreach steps and the last e-mail reply.
    in_order = sorted(interactions, key=_AT_ID)
    met: set[str] = set()
    touches: dict[str, list[Touchpoint]] = {}
    steps: dict[str, list[int]] = {}
    last_reply: dict[str, str] = {}
    phone_calls = []
    names: dict[str, str] = {}  # channel -> touch name
    for i in in_order:
        party = i.party
        channel = i.channel
        kind = i.kind
        subject = i.subject
        if party is not None:
            pid = party.id
            if channel == "meeting" or i.direction == "outbound":
                # Built from validated domain objects: not checked again.
                name = names.get(channel)
                if name is None:
                    name = names[channel] = "meeting" if channel == "meeting" else f"sdr_{channel}"
                touch = _trusted_touch(name, i.at)
                party_touches = touches.get(pid)
                if party_touches is None:
                    touches[pid] = [touch]
                else:
                    party_touches.append(touch)
                if channel == "meeting":
                    met.add(pid)
            if kind == "replied" and subject is not None:
                last_reply[pid] = subject
            elif channel == "phone":
                last_reply.pop(pid, None)
        if channel == "phone":
            phone_calls.append(i)
        if subject is None or channel == "meeting":
            continue
        row = steps.get(subject)
        if row is None:
            row = steps[subject] = [0, 0, 0, 0]
        if channel == "phone":
            row[0] += 1
            if kind in ("connected", "meeting_booked", "do_not_call"):
                row[1] += 1
            row[2] += kind == "meeting_booked"
            row[3] += kind == "do_not_call"
        elif kind == "sent":
            row[0] += 1
        elif kind == "replied":
            row[1] += 1
        elif kind == "unsubscribed":
            row[1] += 1
            row[3] += 1
    won = [d for d in deals if d.stage == "closed_won"]
    lost = [d for d in deals if d.stage == "closed_lost"]
    open_deals = [d for d in deals if d.is_open]
    funnel = (
        ("leads", len(leads)),
        ("mql", len(lifecycle_mql)),
        ("working", len(working)),
        ("meeting", len(met)),
        ("qualified", reached.get("qualified", 0)),
        ("deal", len(deals)),
        ("won", len(won)),
    )

    by_stage: dict[str, list[Any]] = {}
    for d in open_deals:
        by_stage.setdefault(d.stage, []).append(d)
    open_rows = tuple(
        (
            s.key,
            len(by_stage.get(s.key, [])),
            round(sum(_money(d.amount) for d in by_stage.get(s.key, [])), 2),
            round(sum(_money(d.amount) * d.probability for d in by_stage.get(s.key, [])), 2),
        )
        for s in B2B_PIPELINE.stages
        if s.kind == "open"
    )
    categories: dict[str, list[Any]] = {}
    for r in forecast_by_category(open_deals, period="year", currency=currency).rows:
        sums = categories.setdefault(str(r.category), [0, 0.0, 0.0])
        sums[0] += r.count
        sums[1] += _money(r.amount)
        sums[2] += _money(r.weighted)
    category_rows = tuple(
        (c, int(n), round(a, 2), round(w, 2)) for c, (n, a, w) in sorted(categories.items())
    )
    totals = pipeline_report(open_deals, currency=currency).totals
    weighted = _money(totals[0].weighted) if totals else 0.0
    distribution = monte_carlo_forecast(
        open_deals,
        start=at.date(),
        end=at.date() + timedelta(days=90),
        currency=currency,
        rng=random.Random(seed),
        runs=2000,
    )
    forecast = tuple((q, _money(distribution.quantile(q))) for q in _QUANTILES)

    # Journeys: the lead's source, then its outreach touches, valued by the won deal.
    # Their parts come from validated domain objects: built without checking again.
    value = {d.id: float(d.amount.amount) for d in won}
    journeys = []
    campaign_leads: dict[str, int] = {}
    campaign_won: dict[str, int] = {}
    first_touch_revenue: dict[str, float] = {}
    for lead in leads:
        source = lead.original_source
        if source is None:
            continue
        if source.campaign_id is not None:
            campaign_leads[source.campaign_id] = campaign_leads.get(source.campaign_id, 0) + 1
        deal_value = value.get(lead.converted_opportunity_id or "", 0.0)
        if deal_value and source.campaign_id is not None:
            campaign_won[source.campaign_id] = campaign_won.get(source.campaign_id, 0) + 1
            first_touch_revenue[source.campaign_id] = (
                first_touch_revenue.get(source.campaign_id, 0.0) + deal_value
            )
        created = lead.created_at
        later = touches.get(lead.id, ())
        if 0.0 <= deal_value < _INF and (not later or created <= later[0].at):
            first = _trusted_touch(source.channel, created)
            journeys.append(_trusted_journey((first, *later), bool(deal_value), deal_value))
        else:  # not in time order (or an odd value): the constructor sorts (or refuses)
            journeys.append(
                Journey([Touchpoint(source.channel, created), *later], bool(deal_value), deal_value)
            )
    attribution = tuple(
        (name, tuple((c, round(v, 2)) for c, v in sorted(attribute(journeys, model).items())))
        for name, model in _MODELS.items()
    )
    roi = campaign_report(
        campaigns,
        first_touch_revenue,
        currency=currency,
        leads=campaign_leads,
        customers=campaign_won,
    )
    campaign_rows = tuple(
        (
            row.campaign_id,
            _money(row.cost),
            campaign_leads.get(row.campaign_id, 0),
            campaign_won.get(row.campaign_id, 0),
            round(first_touch_revenue.get(row.campaign_id, 0.0), 2),
            None if row.roi is None else round(row.roi, 4),
        )
        for row in roi.campaigns
    )

    service = service_report(cases, at=at, by="priority")
    service_rows = tuple(
        (str(g.key), g.cases, g.sla_attainment, _hours(g.first_reply_business))
        for g in sorted(service.groups, key=lambda g: str(g.key))
    )
    # Over every case: met clocks over met and missed ones (as one ungrouped report has it).
    kept = sum(r.met for r in service.sla)
    missed = sum(r.missed for r in service.sla)
    attainment = kept / (kept + missed) if service.groups and kept + missed else None

    calls = outreach_report(phone_calls, by=_subject)
    for g in calls.groups:
        steps[str(g.key)][2] = g.meetings_booked
    # Meetings booked by an e-mail reply: credited to the step replied to last.
    for party_id, label in last_reply.items():
        if party_id in met:
            steps[label][2] += 1
    outreach = tuple((label, *row) for label, row in sorted(steps.items()))

    cost = sum(r[1] for r in campaign_rows)
    revenue = round(sum(value.values()), 2)
    metrics = (
        ("leads", float(len(leads))),
        ("mqls", float(len(lifecycle_mql))),
        ("meetings", float(len(met))),
        ("deals", float(len(deals))),
        ("won", float(len(won))),
        ("lost", float(len(lost))),
        ("revenue", revenue),
        ("open_pipeline", round(sum(r[2] for r in open_rows), 2)),
        ("weighted_pipeline", weighted),
        ("win_rate", round(len(won) / (len(won) + len(lost)), 6) if won or lost else 0.0),
        ("cases", float(len(cases))),
        ("sla_attainment", round(attainment, 6) if attainment is not None else 0.0),
        ("marketing_cost", round(cost, 2)),
        ("cost_per_lead", round(cost / len(leads), 2) if leads else 0.0),
    )
    return Summary(
        metrics=metrics,
        funnel=funnel,
        lead_status=tuple((s.stage, s.entered) for s in status.steps),
        pipeline=tuple((s.stage, s.entered, _days(s.median_time_in_stage)) for s in pipeline.steps),
        open_deals=open_rows,
        categories=category_rows,
        forecast=forecast,
        attribution=attribution,
        campaigns=campaign_rows,
        service=service_rows,
        outreach=outreach,
    )


def _subject(i: Interaction) -> str:
    return i.subject or ""


def _days(value: timedelta | None) -> float | None:
    return None if value is None else round(value.total_seconds() / 86400, 3)


#: An interaction's (at, id): the order of :func:`summarize`'s pass over them.
_AT_ID = operator.attrgetter("at", "id")
