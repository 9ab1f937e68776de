"""Service metrics: reply and resolution times, SLA attainment, backlog, satisfaction.

Business times and SLA attainment come from the cases' SLA clocks
(:func:`~salescore.domain.service.clocks.sla_clocks`): due times and business time are
never computed a second time here. Calendar times come from the cases'
events. Metrics can be split by group, agent, channel, priority or period.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable, Hashable, Iterable
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import attrs

from salescore.analytics._report import (
    GroupedReport,
    Items,
    check_collection,
    grouping,
    items,
    ratio,
    seconds_median,
)
from salescore.analytics.periods import Period, ReportingCalendar, to_period
from salescore.domain.service import (
    AuthorKind,
    CaseReplied,
    CesResponse,
    CsatResponse,
    NpsResponse,
    ServiceCase,
    SlaMetric,
    SlaState,
)
from salescore.domain.service.clocks import _Measure, _sla_outcomes
from salescore.errors import ValidationError

__all__ = [
    "ServiceMetrics",
    "ServiceReport",
    "SlaAttainment",
    "csat",
    "nps",
    "service_report",
]

_SCORES = Items("a score (a number)", (numbers.Real, Decimal))

_BY: dict[str, Callable[[ServiceCase], Hashable]] = {
    "group": lambda c: c.group_id,
    "agent": lambda c: c.assignee_id,
    "channel": lambda c: str(c.channel),
    "priority": lambda c: str(c.priority),
}


@items(scores=_SCORES)
def csat(scores: Iterable[int]) -> float | None:
    """The share of CSAT answers (1–5) that are 4 or 5 (``None`` without answers)."""
    check_collection(scores, "scores", "scores")
    values = list(scores)
    return ratio(sum(1 for s in values if s >= 4), len(values))


@items(scores=_SCORES)
def nps(scores: Iterable[int]) -> float | None:
    """Net Promoter Score in [−1, 1]: share of 9–10 minus share of 0–6."""
    check_collection(scores, "scores", "scores")
    values = list(scores)
    if not values:
        return None
    promoters = sum(1 for s in values if s >= 9)
    detractors = sum(1 for s in values if s <= 6)
    return (promoters - detractors) / len(values)


@attrs.frozen(kw_only=True)
class ServiceMetrics:
    """Service metrics of one group of cases.

    Attributes:
        key: The group (``None`` for all cases, or cases without the field).
        cases: Cases opened by the evaluation instant.
        backlog: Cases not solved or closed at the evaluation instant.
        backlog_median_age: Median age of the backlog.
        backlog_oldest: Age of the oldest case in the backlog.
        first_reply: Median calendar time to the first public agent reply.
        first_reply_business: Median time on the first-reply SLA clocks that
            stopped (as the clocks measure it: business time for business-time
            targets).
        next_reply: Median calendar time from a customer's reply to the next
            public agent reply.
        next_reply_business: Median time on the stopped next-reply SLA clocks.
        resolution: Median calendar time from opening to solving, over
            solved cases.
        resolution_business: Median time on the stopped resolution SLA clocks.
        sla_attainment: Met clocks over met and missed (breached or overdue)
            clocks of every metric.
        reopen_rate: Reopened cases over cases ever solved.
        first_contact_resolution: Cases solved with one agent reply and no
            reopen, over solved cases.
        csat: Share of CSAT answers of 4 or 5.
        nps: Net Promoter Score in [−1, 1].
        ces: Mean Customer Effort Score (1–7).
        responses: Satisfaction answers of any kind.
    """

    key: Hashable
    cases: int
    backlog: int
    backlog_median_age: timedelta | None
    backlog_oldest: timedelta | None
    first_reply: timedelta | None
    first_reply_business: timedelta | None
    next_reply: timedelta | None
    next_reply_business: timedelta | None
    resolution: timedelta | None
    resolution_business: timedelta | None
    sla_attainment: float | None
    reopen_rate: float | None
    first_contact_resolution: float | None
    csat: float | None
    nps: float | None
    ces: float | None
    responses: int


@attrs.frozen(kw_only=True)
class SlaAttainment:
    """Met and missed SLA clocks of one group, metric and priority.

    Attributes:
        key: The group.
        metric: The SLA metric.
        priority: The case priority in force.
        met: Clocks that stopped within target.
        missed: Clocks that were breached (stopped late or still overdue).
        open: Clocks still running within target.
        attainment: ``met / (met + missed)`` (``None`` when both are zero).
    """

    key: Hashable
    metric: str
    priority: str
    met: int
    missed: int
    open: int
    attainment: float | None


@attrs.frozen
class ServiceReport(GroupedReport[ServiceMetrics]):
    """Service metrics per group, and SLA attainment per target.

    Attributes:
        at: The evaluation instant.
        by: What the groups are (``None`` for a single group of all cases).
        groups: One entry per group, sorted by key (``None`` first).
        sla: Attainment per group, metric and priority.
    """

    at: datetime
    by: str | None
    groups: tuple[ServiceMetrics, ...]
    sla: tuple[SlaAttainment, ...]

    def sla_rows(self) -> list[dict[str, Any]]:
        """One row per group, metric and priority."""
        return [attrs.asdict(s) for s in self.sla]


class _Group:
    def __init__(self) -> None:
        self.cases = 0
        self.backlog: list[float] = []
        self.first: list[float] = []
        self.first_b: list[float] = []
        self.next: list[float] = []
        self.next_b: list[float] = []
        self.resolution: list[float] = []
        self.resolution_b: list[float] = []
        self.met = 0
        self.missed = 0
        self.solved_ever = 0
        self.reopened = 0
        self.solved = 0
        self.fcr = 0
        self.csat: list[int] = []
        self.nps: list[int] = []
        self.ces: list[int] = []
        self.sla: dict[tuple[str, str], list[int]] = {}


def _replies(case: ServiceCase, at: datetime) -> tuple[list[float], list[float]]:
    """Calendar first-reply and next-reply times (seconds) up to ``at``."""
    opened = case.history[0].at
    first: list[float] = []
    nexts: list[float] = []
    waiting: datetime | None = None
    for e in case.history:
        if e.at > at:
            break
        if type(e) is not CaseReplied or not e.public:
            continue
        if e.author_kind is AuthorKind.AGENT:
            if not first:
                first.append((e.at - opened).total_seconds())
            elif waiting is not None:
                nexts.append((e.at - waiting).total_seconds())
            waiting = None
        elif e.author_kind is AuthorKind.CUSTOMER and first and waiting is None:
            waiting = e.at
    return first, nexts


@items(cases=Items("a ServiceCase", ServiceCase))
def service_report(
    cases: Iterable[ServiceCase],
    *,
    at: datetime,
    by: str | Callable[[ServiceCase], Hashable] | None = None,
    period: Period | str = Period.MONTH,
    calendar: ReportingCalendar | None = None,
) -> ServiceReport:
    """Service metrics of cases as they stood at ``at``.

    Args:
        cases: The cases (read once). Cases opened after ``at`` are left
            out; events after ``at`` are ignored (a case is taken as it stood).
        at: The evaluation instant.
        by: ``"group"``, ``"agent"``, ``"channel"``, ``"priority"``,
            ``"period"`` (of the case's opening), or a function of the case.
        period: The period length when ``by="period"``.
        calendar: The reporting zone and fiscal-year start of periods.

    Returns:
        The report.

    Raises:
        ValidationError: ``at`` is not aware or ``by`` is unknown.
    """
    check_collection(cases, "cases", "service cases")
    if not isinstance(at, datetime) or at.utcoffset() is None:
        raise ValidationError.single("at", at, "must be a timezone-aware datetime")
    cal = calendar or ReportingCalendar()
    kind = to_period(period)
    key_of, name = grouping(by, {**_BY, "period": lambda c: cal.label(c.created_at, kind)})
    groups: dict[Hashable, _Group] = {}
    measure = _Measure()  # business time of the instants the cases share, measured once
    for case in cases:
        if not case.history or case.history[0].at > at:
            continue
        if case.history[-1].at > at:  # as it stood then
            case = type(case).from_events(tuple(e for e in case.history if e.at <= at))
        key = key_of(case)
        g = groups.get(key)
        if g is None:
            g = groups[key] = _Group()
        g.cases += 1
        if case.status not in ("solved", "closed"):
            g.backlog.append((at - case.created_at).total_seconds())
        first, nexts = _replies(case, at)
        g.first += first
        g.next += nexts
        if case.reopens or case.solved_at is not None:
            g.solved_ever += 1
            g.reopened += case.reopens > 0
        if case.is_solved:
            g.solved += 1
            g.fcr += case.first_contact_resolution
            if case.solved_at is not None:
                g.resolution.append((case.solved_at - case.created_at).total_seconds())
        for response in case.satisfaction:
            if isinstance(response, CsatResponse):
                g.csat.append(response.score)
            elif isinstance(response, NpsResponse):
                g.nps.append(response.score)
            elif isinstance(response, CesResponse):
                g.ces.append(response.score)
        for metric, priority, state, elapsed in _sla_outcomes(case, at, measure):
            counts = g.sla.get((metric, priority))
            if counts is None:
                counts = g.sla[str(metric), str(priority)] = [0, 0, 0]
            if state is SlaState.FULFILLED:
                counts[0] += 1
                g.met += 1
            elif state is SlaState.BREACHED or state is SlaState.OVERDUE:
                counts[1] += 1
                g.missed += 1
            elif state is SlaState.RUNNING or state is SlaState.PAUSED:
                counts[2] += 1
            if elapsed is None:  # open or cancelled
                continue
            secs = elapsed / 1_000_000  # as timedelta.total_seconds() gives it
            if metric is SlaMetric.FIRST_REPLY:
                g.first_b.append(secs)
            elif metric is SlaMetric.NEXT_REPLY:
                g.next_b.append(secs)
            elif metric is SlaMetric.RESOLUTION:
                g.resolution_b.append(secs)
    metrics = []
    sla = []
    for key in sorted(groups, key=lambda k: (k is not None, str(k))):
        g = groups[key]
        metrics.append(
            ServiceMetrics(
                key=key,
                cases=g.cases,
                backlog=len(g.backlog),
                backlog_median_age=seconds_median(g.backlog),
                backlog_oldest=timedelta(seconds=max(g.backlog)) if g.backlog else None,
                first_reply=seconds_median(g.first),
                first_reply_business=seconds_median(g.first_b),
                next_reply=seconds_median(g.next),
                next_reply_business=seconds_median(g.next_b),
                resolution=seconds_median(g.resolution),
                resolution_business=seconds_median(g.resolution_b),
                sla_attainment=ratio(g.met, g.met + g.missed),
                reopen_rate=ratio(g.reopened, g.solved_ever),
                first_contact_resolution=ratio(g.fcr, g.solved),
                csat=csat(g.csat),
                nps=nps(g.nps),
                ces=sum(g.ces) / len(g.ces) if g.ces else None,
                responses=len(g.csat) + len(g.nps) + len(g.ces),
            )
        )
        for (metric_name, priority_name), (met, missed, open_) in sorted(g.sla.items()):
            sla.append(
                SlaAttainment(
                    key=key,
                    metric=metric_name,
                    priority=priority_name,
                    met=met,
                    missed=missed,
                    open=open_,
                    attainment=ratio(met, met + missed),
                )
            )
    return ServiceReport(at, name, tuple(metrics), tuple(sla))
