"""Parts of an organisation simulated apart, and their reports merged.

A scenario with ``parts`` (see :meth:`Scenario.part
<salescore.simulation.Scenario.part>`) is simulated one part at a time:
:func:`simulate_part` runs one part and keeps its
:class:`~salescore.simulation.Summary` with the few raw numbers that merging
needs (a :class:`PartSummary`, not the event log); :func:`merge` combines the
parts' summaries into the summary of the whole organisation:

- counts and amounts add (leads, deals, revenue, open pipeline, campaign
  costs, attribution credit, outreach attempts…);
- rates are recomputed from the merged counts (win rate, SLA attainment,
  cost per lead, campaign ROI comes with each part's campaigns);
- medians are taken over the merged durations (days in a pipeline stage,
  hours to the first reply);
- the revenue forecast adds the parts' Monte Carlo draws one by one (the
  parts are independent) before taking quantiles;
- Markov attribution credits, being removal effects, are computed within
  each part and then added.

Merging sorts the parts by key first, so the result does not depend on the
order in which shards finished or on how many workers ran them.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from datetime import timedelta
from typing import Any

import attrs

from salescore.analytics import monte_carlo_forecast
from salescore.analytics._report import seconds_median
from salescore.domain.events import StageChanged
from salescore.domain.standard_funnels import B2B_PIPELINE
from salescore.errors import ValidationError
from salescore.simulation.engine import simulate
from salescore.simulation.scenario import Scenario
from salescore.simulation.summary import _QUANTILES, Summary, _all
from salescore.storage.memory import InMemoryStore

__all__ = ["PartSummary", "merge", "simulate_part"]

Seconds = tuple[tuple[str, tuple[float, ...]], ...]


@attrs.frozen(kw_only=True)
class PartSummary:
    """One part's reports, and the raw numbers its merge with other parts needs.

    Attributes:
        part: The part's key.
        seed: The seed it ran on.
        summary: Its reports.
        sla: (priority, met clocks, missed clocks) of its service cases.
        first_reply: (priority, seconds on each stopped first-reply clock).
        stage_seconds: (pipeline stage, each deal's seconds in it over completed visits).
        forecast: The Monte Carlo draws of next quarter's revenue, in random order.
    """

    part: str
    seed: int
    summary: Summary
    sla: tuple[tuple[str, int, int], ...] = ()
    first_reply: Seconds = ()
    stage_seconds: Seconds = ()
    forecast: tuple[float, ...] = ()


def simulate_part(scenario: Scenario, part: str, seed: int, pause_gc: bool = False) -> PartSummary:
    """Simulate one part of ``scenario`` (see :meth:`Scenario.part`) on ``seed``.

    ``scenario`` may also be the part's own scenario already (a scenario
    without parts), named ``part`` in the result.

    ``pause_gc`` pauses the garbage collector during the run (see
    :func:`~salescore.simulation.simulate`).

    Raises:
        ValidationError: ``scenario`` has parts and none is called ``part``.
    """
    own = scenario.part(part) if scenario.parts else scenario
    store = InMemoryStore()
    result = simulate(own, seed, store=store, pause_gc=pause_gc)
    at = result.at
    stage_seconds: dict[str, dict[str, float]] = {}
    last: dict[str, tuple[str, Any]] = {}
    for record in result.events:
        event = record.event
        if not isinstance(event, StageChanged) or event.funnel != B2B_PIPELINE.key:
            continue
        before = last.get(event.subject_id)
        if before is not None:
            spent = stage_seconds.setdefault(before[0], {})
            seconds = (event.at - before[1]).total_seconds()
            spent[event.subject_id] = spent.get(event.subject_id, 0.0) + seconds
        last[event.subject_id] = (event.to_stage, event.at)
    with store.unit_of_work() as uow:
        cases = _all(uow.cases.find)
        deals = [d for d in _all(uow.opportunities.find) if d.is_open]
    sla: dict[str, list[int]] = {}
    first: dict[str, list[float]] = {}
    for case in cases:
        counts = sla.setdefault(case.priority, [0, 0])
        for clock in case.sla_clocks(at):
            # Met and missed as the service report counts them (the states are string enums).
            if clock.state == "fulfilled":
                counts[0] += 1
            elif clock.state in ("breached", "overdue"):
                counts[1] += 1
            if (
                clock.metric == "first_reply"
                and clock.completed_at is not None
                and not clock.cancelled
            ):
                first.setdefault(case.priority, []).append(clock.elapsed.total_seconds())
    distribution = monte_carlo_forecast(
        deals,
        start=at.date(),
        end=at.date() + timedelta(days=90),
        currency=own.currency,
        rng=random.Random(seed),
        runs=2000,
    )
    draws = [float(s.amount) for s in distribution.samples]
    random.Random(f"{seed}/forecast-order").shuffle(draws)
    return PartSummary(
        part=part,
        seed=seed,
        summary=result.summary,
        sla=tuple((p, met, missed) for p, (met, missed) in sorted(sla.items())),
        first_reply=tuple((p, tuple(v)) for p, v in sorted(first.items())),
        stage_seconds=tuple((k, tuple(v.values())) for k, v in sorted(stage_seconds.items())),
        forecast=tuple(draws),
    )


def _add_rows(rows: Iterable[tuple[Any, ...]], width: int) -> dict[Any, list[float]]:
    """Sum the numbers of rows by their first column (``width`` numbers each)."""
    out: dict[Any, list[float]] = {}
    for row in rows:
        acc = out.setdefault(row[0], [0] * width)
        for i in range(width):
            acc[i] += row[1 + i]
    return out


def _ratio(part: float, whole: float) -> float | None:
    return part / whole if whole else None


def merge(parts: Sequence[PartSummary]) -> Summary:
    """The summary of the whole organisation from its parts' summaries.

    Counts and amounts add, rates are recomputed from the merged counts and
    medians from the merged durations (see the module's description). The
    order of ``parts`` does not matter; one part merges into its own summary.

    Raises:
        ValidationError: no parts, or two with the same key.
    """
    if not parts:
        raise ValidationError.single("parts", [], "must hold at least one part's summary")
    ordered = sorted(parts, key=lambda p: p.part)
    keys = [p.part for p in ordered]
    if len(set(keys)) != len(keys):
        raise ValidationError.single("parts", keys, "names a part twice")
    summaries = [p.summary for p in ordered]

    def seconds(field: str) -> dict[str, list[float]]:
        out: dict[str, list[float]] = {}
        for p in ordered:
            for key, values in getattr(p, field):
                out.setdefault(key, []).extend(values)
        return out

    def hours(values: list[float]) -> float | None:
        median = seconds_median(values)
        return None if median is None else round(median.total_seconds() / 3600, 3)

    def days(values: list[float]) -> float | None:
        median = seconds_median(values)
        return None if median is None else round(median.total_seconds() / 86400, 3)

    total = _add_rows((m for s in summaries for m in s.metrics), 1)
    funnel = _add_rows((r for s in summaries for r in s.funnel), 1)
    status = _add_rows((r for s in summaries for r in s.lead_status), 1)
    entered = _add_rows(((r[0], r[1]) for s in summaries for r in s.pipeline), 1)
    open_deals = _add_rows((r for s in summaries for r in s.open_deals), 3)
    categories = _add_rows((r for s in summaries for r in s.categories), 3)
    outreach = _add_rows((r for s in summaries for r in s.outreach), 4)
    cases = _add_rows(((r[0], r[1]) for s in summaries for r in s.service), 1)
    sla = _add_rows((r for p in ordered for r in p.sla), 2)
    first = seconds("first_reply")
    stage = seconds("stage_seconds")
    credit: dict[str, dict[str, float]] = {}
    for s in summaries:
        for model, rows in s.attribution:
            into = credit.setdefault(model, {})
            for channel, value in rows:
                into[channel] = into.get(channel, 0.0) + value
    draws = sorted(sum(d) for d in zip(*(p.forecast for p in ordered), strict=True))

    def metric(name: str) -> float:
        return float(total[name][0])

    won, lost, leads = metric("won"), metric("lost"), metric("leads")
    met = sum(v[0] for v in sla.values())
    missed = sum(v[1] for v in sla.values())
    cost = round(metric("marketing_cost"), 2)
    rates = {
        "win_rate": round(won / (won + lost), 6) if won or lost else 0.0,
        "sla_attainment": round(met / (met + missed), 6) if met + missed else 0.0,
        "cost_per_lead": round(cost / leads, 2) if leads else 0.0,
    }
    metrics = tuple(
        (name, rates[name] if name in rates else round(metric(name), 2))
        for name, _ in summaries[0].metrics
    )
    return Summary(
        metrics=metrics,
        funnel=tuple((k, int(v[0])) for k, v in funnel.items()),
        lead_status=tuple((k, int(v[0])) for k, v in status.items()),
        pipeline=tuple((k, int(v[0]), days(stage.get(k, []))) for k, v in entered.items()),
        open_deals=tuple(
            (k, int(n), round(a, 2), round(w, 2)) for k, (n, a, w) in open_deals.items()
        ),
        categories=tuple(
            (k, int(n), round(a, 2), round(w, 2)) for k, (n, a, w) in sorted(categories.items())
        ),
        forecast=tuple(
            (q, round(draws[min(len(draws) - 1, int(q * len(draws)))], 2)) for q in _QUANTILES
        )
        if draws
        else summaries[0].forecast,
        attribution=tuple(
            (model, tuple((c, round(v, 2)) for c, v in sorted(rows.items())))
            for model, rows in credit.items()
        ),
        campaigns=tuple(r for s in summaries for r in s.campaigns),
        service=tuple(
            (
                k,
                int(n[0]),
                _ratio(sla.get(k, [0, 0])[0], sum(sla.get(k, [0, 0]))),
                hours(first.get(k, [])),
            )
            for k, n in sorted(cases.items(), key=lambda kv: str(kv[0]))
        ),
        outreach=tuple((k, *(int(x) for x in v)) for k, v in sorted(outreach.items())),
    )
