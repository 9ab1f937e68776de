"""SLA clocks: a case's clocks computed from its history alone, with pauses and breaches.

Guide: :doc:`/sla-policies`.
"""

from __future__ import annotations

import enum
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, Final

import attrs

from salescore._validation import ensure_aware, fail
from salescore.calendar import BusinessCalendar
from salescore.domain.events import StageChanged
from salescore.domain.service.events import (
    AuthorKind,
    CaseOpened,
    CaseReplied,
    CaseStatus,
    PriorityChanged,
    SlaPolicyApplied,
)
from salescore.domain.service.policies import SlaMetric, SlaPolicy
from salescore.domain.service.priority import Priority
from salescore.domain.standard_funnels import CASE_STATUS
from salescore.serialization import register_type

if TYPE_CHECKING:
    from salescore.domain.aggregate import Aggregate

__all__ = [
    "Milestone",
    "PauseSpan",
    "SlaClock",
    "SlaState",
    "sla_clocks",
]


class SlaState(enum.StrEnum):
    """Where an SLA clock stands at the evaluation time."""

    RUNNING = "running"
    """Open, counting, not past its due time."""
    PAUSED = "paused"
    """Open, paused by the case's status, not past its due time."""
    OVERDUE = "overdue"
    """Open (running or paused) and breached."""
    FULFILLED = "fulfilled"
    """Stopped within its target."""
    BREACHED = "breached"
    """Stopped after its due time."""
    CANCELLED = "cancelled"
    """Stopped without being met: the case was closed unsolved or lost its policy."""


@register_type
@attrs.frozen
class PauseSpan:
    """A stretch of time during which a clock was paused.

    Attributes:
        start: When the pause began.
        end: When it ended, or ``None`` when the clock is still paused.
    """

    start: datetime
    end: datetime | None


@register_type
@attrs.frozen(kw_only=True)
class Milestone:
    """An SLA clock as plain data: what was due, when it was met, whether late.

    Attributes:
        case_id: The case.
        metric: The metric.
        cycle: 0 for the first clock of this metric, 1 for the next …
        target: The target duration in force at the end (``None``: none).
        target_at: The due time.
        completed_at: When the clock stopped, or ``None`` if it is open.
        violated: Whether it was breached.
        time_stopped: The (business) time it spent paused.
    """

    case_id: str
    metric: SlaMetric
    cycle: int
    target: timedelta | None
    target_at: datetime | None
    completed_at: datetime | None
    violated: bool
    time_stopped: timedelta


@register_type
@attrs.frozen(kw_only=True)
class SlaClock:
    """One SLA clock of one case, evaluated at an instant.

    ``used + paused`` is the (business) time from ``started_at`` to the
    clock's end (``completed_at``, else ``evaluated_at``), measured on the
    calendar in force; ``used + remaining == target``.

    Attributes:
        case_id: The case.
        metric: What the clock measures.
        cycle: 0 for the first clock of this metric, then 1, 2 … (next reply
            and periodic update run in cycles).
        policy: The name of the policy in force at the end.
        priority: The case priority in force at the end.
        started_at: When the clock started.
        evaluated_at: The instant the clock was evaluated at.
        target: The target duration in force at the end (``None`` when the
            policy has no target for this metric and priority).
        business_time: Whether times are business time on a calendar.
        used: Time counted against the target.
        paused: Time spent paused (business time for business-time targets).
        pauses: The pauses, oldest first; the last may still be open.
        due_at: When the used time reaches the target. For an open clock
            that is not past due, assuming it runs from ``evaluated_at`` on
            (so while paused it moves later, never earlier); for a stopped
            clock, the due time at the moment it stopped.
        breached_at: The first breach time, or ``None``.
        completed_at: When the clock stopped, or ``None`` while it is open.
        cancelled: Whether it stopped without being met (see :class:`SlaState`).
    """

    case_id: str
    metric: SlaMetric
    cycle: int
    policy: str
    priority: Priority
    started_at: datetime
    evaluated_at: datetime
    target: timedelta | None
    business_time: bool
    used: timedelta
    paused: timedelta
    pauses: tuple[PauseSpan, ...] = ()
    due_at: datetime | None = None
    breached_at: datetime | None = None
    completed_at: datetime | None = None
    cancelled: bool = False

    @property
    def is_open(self) -> bool:
        """Whether the clock is still counting or paused."""
        return self.completed_at is None

    @property
    def is_paused(self) -> bool:
        """Whether the clock is open and paused at the evaluation time."""
        return self.completed_at is None and bool(self.pauses) and self.pauses[-1].end is None

    @property
    def violated(self) -> bool:
        """Whether the clock has been breached (a breach is never undone)."""
        return self.breached_at is not None

    @property
    def fulfilled(self) -> bool:
        """Whether the clock stopped within its target (not cancelled)."""
        return self.completed_at is not None and not self.cancelled and not self.violated

    @property
    def elapsed(self) -> timedelta:
        """``used + paused``: all the time the clock has existed, as measured."""
        return self.used + self.paused

    @property
    def remaining(self) -> timedelta | None:
        """``target - used``: negative when overdue; ``None`` without a target."""
        return None if self.target is None else self.target - self.used

    @property
    def overdue(self) -> timedelta:
        """How far past the target the used time is (zero when not past it)."""
        r = self.remaining
        return -r if r is not None and r < timedelta(0) else timedelta(0)

    @property
    def fraction_used(self) -> float | None:
        """``used / target`` (``None`` without a target); above 1 when overdue."""
        return None if self.target is None else self.used / self.target

    @property
    def state(self) -> SlaState:
        """The clock's state at the evaluation time."""
        if self.completed_at is not None:
            if self.cancelled:
                return SlaState.CANCELLED
            return SlaState.BREACHED if self.violated else SlaState.FULFILLED
        if self.violated:
            return SlaState.OVERDUE
        return SlaState.PAUSED if self.is_paused else SlaState.RUNNING

    def milestone(self) -> Milestone:
        """Return the clock as a :class:`Milestone`."""
        return Milestone(
            case_id=self.case_id,
            metric=self.metric,
            cycle=self.cycle,
            target=self.target,
            target_at=self.due_at,
            completed_at=self.completed_at,
            violated=self.violated,
            time_stopped=self.paused,
        )


# What a report needs of a clock: metric, priority, state, and the time it
# measured in microseconds (``None`` while open and when cancelled).
Outcome = tuple[SlaMetric, Priority, SlaState, int | None]

# A piece of a clock's life: [start, end), the case status, the policy index
# (-1: before any policy; the first policy applies) and the priority.
_Piece = tuple[datetime, datetime, str | None, int, Priority]


class _Builder:
    __slots__ = ("cancelled", "completed", "cycle", "metric", "pieces", "since", "start")

    def __init__(self, metric: SlaMetric, cycle: int, start: datetime) -> None:
        self.metric = metric
        self.cycle = cycle
        self.start = start
        self.since = start
        self.pieces: list[_Piece] = []
        self.completed: datetime | None = None
        self.cancelled = False


_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)
_US: Final = timedelta(microseconds=1)


class _Measure:
    """Measures and extends time on a calendar (or in plain time) in microseconds.

    Business time is measured on the calendar's integer engine, as the
    difference of two positions on it, skipping the validation and
    conversions of the public calendar methods (the instants come from a
    validated history). Answers are remembered for the case (or the cases of
    one report), by calendar identity: the policies holding the calendars
    are kept (:meth:`hold`) while the answers are, so no identity is reused.
    """

    __slots__ = ("_added", "_cache", "_held")

    def __init__(self) -> None:
        self._cache: dict[tuple[int, int], int | None] = {}  # (calendar, instant) -> position
        self._added: dict[tuple[int, int, int], tuple[datetime, int]] = {}
        self._held: list[object] = []

    def hold(self, policies: list[SlaPolicy]) -> None:
        """Keep the policies (and so their calendars) alive as long as this measure."""
        self._held.append(policies)

    def between(self, cal: BusinessCalendar | None, a: int, b: int) -> int:
        if cal is None:
            return b - a
        cache = self._cache
        key = (id(cal), a)
        start = cache.get(key)
        if start is None:
            start = cache[key] = cal._position_us(a)
        key = (id(cal), b)
        end = cache.get(key)
        if end is None:
            end = cache[key] = cal._position_us(b)
        if start is None or end is None:
            return cal._between_us(a, b)
        return end - start

    def add(
        self, cal: BusinessCalendar | None, a: datetime, a_us: int, d: int
    ) -> tuple[datetime, int]:
        if cal is None:
            return a + timedelta(microseconds=d), a_us + d
        key = (id(cal), a_us, d)
        found = self._added.get(key)
        if found is None:
            u = cal._add_us(a_us, d)
            found = self._added[key] = (cal._out(u), u)
        return found


_SOLVED: Final = CaseStatus.SOLVED.value
_CLOSED: Final = CaseStatus.CLOSED.value


def sla_clocks(case: Aggregate, at: datetime) -> tuple[SlaClock, ...]:
    """Compute every SLA clock of a case at an instant, from its history alone.

    Events after ``at`` are ignored, so evaluating at an earlier instant
    shows the clocks as they stood then. Clocks of metrics for which the
    policy has no target are left out.

    Args:
        case: The service case (a :class:`~salescore.domain.service.cases.ServiceCase`).
        at: The evaluation instant (aware), not before the case was opened.

    Returns:
        The clocks, ordered by metric, then cycle.

    Raises:
        ValidationError: ``at`` is naive or before the case was opened, or
            ``case`` is not a service case.
    """
    ensure_aware(at, "at")
    walked = _walk(case, at)
    if walked is None:
        return ()
    return tuple(_evaluate(case.id, *walked, at, _Measure()))


def _sla_outcomes(case: Aggregate, at: datetime, measure: _Measure) -> list[Outcome]:
    """What :func:`sla_clocks` tells of each clock, without building the clocks.

    For reports over many cases: ``at`` must be aware (it is not checked
    again) and ``measure`` may be shared by the cases of one report. Each
    outcome is ``(metric, priority, state, elapsed in microseconds or None
    while the clock runs or when it was cancelled)``, in the order of
    :func:`sla_clocks`; the same answers, without the due times and pauses.
    """
    walked = _walk(case, at)
    if walked is None:
        return []
    measure.hold(walked[1])
    return _evaluate(case.id, *walked, at, measure, light=True)


def _walk(
    case: Aggregate, at: datetime
) -> tuple[list[_Builder], list[SlaPolicy], dict[datetime, int]] | None:
    """The clocks' pieces from the case's history up to ``at`` (``None``: no policy)."""
    history = case.history
    if not history or at < history[0].at:
        fail("at", at, "is before the case was opened")
    first = history[0]
    if not isinstance(first, CaseOpened):
        fail("case", case.id, "is not a service case: its history starts with no CaseOpened")
    priority = first.priority
    status: str | None = None
    policies: list[SlaPolicy] = []
    pol = -1
    solved_at: datetime | None = None
    active = True
    clocks: list[_Builder] = [
        _Builder(SlaMetric.FIRST_REPLY, 0, first.at),
        _Builder(SlaMetric.RESOLUTION, 0, first.at),
    ]
    open_: dict[SlaMetric, _Builder] = {b.metric: b for b in clocks}
    cycles = {SlaMetric.NEXT_REPLY: 0, SlaMetric.PERIODIC_UPDATE: 0}

    def cut(b: _Builder, t: datetime, *, final: bool = False) -> None:
        piece = (b.since, t, status, pol, priority)
        if t > b.since:
            b.pieces.append(piece)
            b.since = t
        elif not b.pieces:
            b.pieces.append(piece)
        elif final:
            # An empty piece records the state at the very end (a change at
            # the same instant decides the target the clock ends with).
            last = b.pieces[-1]
            if last[0] == last[1] == t:
                b.pieces[-1] = piece
            else:
                b.pieces.append(piece)

    def cut_all(t: datetime) -> None:
        for b in open_.values():
            cut(b, t)

    def stop(metric: SlaMetric, t: datetime, *, cancel: bool = False) -> None:
        b = open_.pop(metric, None)
        if b is not None:
            cut(b, t, final=True)
            b.completed = t
            b.cancelled = cancel

    def begin(metric: SlaMetric, t: datetime) -> None:
        if not active:
            return
        b = _Builder(metric, cycles[metric], t)
        cycles[metric] += 1
        clocks.append(b)
        open_[metric] = b

    # Every instant a piece can start or end at, in microseconds.
    stamps = {first.at: (first.at - _EPOCH) // _US, at: (at - _EPOCH) // _US}
    for e in history[1:]:
        t = e.at
        if t > at:
            break
        stamps[t] = (t - _EPOCH) // _US
        if isinstance(e, StageChanged):
            if e.funnel != CASE_STATUS.key:
                continue
            cut_all(t)
            before, status = status, e.to_stage
            if status == _SOLVED:
                solved_at = t
                res = open_.get(SlaMetric.RESOLUTION)
                if res is not None:  # dormant from now on; remember the state at solving
                    cut(res, t, final=True)
                for m in (SlaMetric.FIRST_REPLY, SlaMetric.NEXT_REPLY, SlaMetric.PERIODIC_UPDATE):
                    stop(m, t)
            elif status == _CLOSED:
                if before == _SOLVED:
                    # Stopped as it was at solving (later changes leave it be).
                    res = open_.pop(SlaMetric.RESOLUTION, None)
                    if res is not None:
                        res.completed = solved_at
                else:
                    for m in tuple(open_):
                        stop(m, t, cancel=True)
            elif before == _SOLVED:
                solved_at = None
        elif isinstance(e, PriorityChanged):
            cut_all(t)
            priority = e.to_priority
        elif isinstance(e, SlaPolicyApplied):
            cut_all(t)
            new = e.policy
            if new is None:  # the policy was removed: open clocks are cancelled
                for m in tuple(open_):
                    stop(m, t, cancel=True)
                active = False
            else:
                policies.append(new)
                pol = len(policies) - 1
                active = True
        elif isinstance(e, CaseReplied):
            if not e.public or status in (_SOLVED, _CLOSED):
                continue
            author = e.author_kind
            if author is AuthorKind.AGENT:
                for m in (SlaMetric.FIRST_REPLY, SlaMetric.NEXT_REPLY, SlaMetric.PERIODIC_UPDATE):
                    if m in open_:
                        stop(m, t)
                begin(SlaMetric.PERIODIC_UPDATE, t)
            elif (
                author is AuthorKind.CUSTOMER
                and SlaMetric.FIRST_REPLY not in open_
                and SlaMetric.NEXT_REPLY not in open_
            ):
                begin(SlaMetric.NEXT_REPLY, t)
    if not policies:
        return None
    if status == _SOLVED:
        # Dormant: stopped as it was at solving, even if changes followed at
        # that same instant (they re-target it only once it is reopened).
        res = open_.pop(SlaMetric.RESOLUTION, None)
        if res is not None:
            res.completed = solved_at
    for b in open_.values():
        cut(b, at, final=True)
    return clocks, policies, stamps


def _evaluate(
    case_id: str,
    builders: list[_Builder],
    policies: list[SlaPolicy],
    stamps: dict[datetime, int],
    at: datetime,
    measure: _Measure,
    *,
    light: bool = False,
) -> list[Any]:
    """The clocks, sorted (or, ``light``, their outcomes) from their pieces."""
    between = measure.between
    outcomes: list[tuple[int, int, Outcome]] = []
    first = policies[0]
    at_us = stamps[at]
    # (metric, policy index, priority, status) -> what a piece in that state means.
    meanings: dict[
        tuple[SlaMetric, int, Priority, str | None],
        tuple[SlaPolicy, BusinessCalendar | None, int | None, bool, bool],
    ] = {}
    out: list[SlaClock] = []
    for b in builders:
        completed = b.completed
        end = at if completed is None else completed
        end_us = at_us if completed is None else stamps[end]
        metric = b.metric
        pieces = b.pieces
        if pieces and stamps[pieces[0][0]] >= end_us and pieces[0][0] != pieces[0][1]:
            # Nothing before the end: the state at the start decides.
            a, _, status, pidx, prio = pieces[0]
            pieces = [(a, a, status, pidx, prio)]
        used = paused = 0
        breached: datetime | None = None
        crossing: tuple[datetime, int, int, int] | None = None  # due, its µs, piece, end µs
        last = -1  # the last piece with any length
        pauses: list[PauseSpan] = []
        pause_end = -1  # the end of the last pause, in microseconds
        # Counted pieces, for finding when the used time reached the target.
        counted: list[tuple[datetime, int, BusinessCalendar | None, int]] = []
        policy, prio = first, Priority.NORMAL
        cal: BusinessCalendar | None = None
        target: int | None = None
        targeted = paused_now = False
        prev_z: datetime | None = None
        z_us = 0
        for i, (a, z, status, pidx, piece_prio) in enumerate(pieces):
            a_us = z_us if a is prev_z else stamps[a]  # pieces meet end to start
            if a_us >= end_us:
                if a_us > end_us or a != z:
                    break  # past the end: its state is not the clock's
                z_us = a_us
            else:
                z_us = stamps[z]
                if z_us >= end_us:
                    z, z_us = end, end_us
                if z_us > a_us:
                    last = i
            prev_z = z
            prio = piece_prio
            key = (metric, pidx, prio, status)
            meaning = meanings.get(key)
            if meaning is None:
                policy = policies[pidx] if pidx >= 0 else first
                spec = policy._index.get((metric, prio))
                if spec is not None:
                    cal = (spec.calendar or policy.calendar) if spec.business_time else None
                    target = spec.duration // _US
                else:
                    cal, target = policy.calendar, None
                dormant = status == _SOLVED
                paused_now = dormant or (
                    status is not None and status in policy.pauses.get(metric, ())
                )
                meaning = meanings[key] = (policy, cal, target, dormant, paused_now)
            policy, cal, target, dormant, paused_now = meaning
            if z_us > a_us:
                d = between(cal, a_us, z_us)
                if target is not None and breached is None and crossing is None and not dormant:
                    if used >= target:
                        breached = a  # a change lowered the target below the time used
                    elif not paused_now and used + d >= target:
                        due, due_us = measure.add(cal, a, a_us, target - used)
                        crossing = (due, due_us, i, z_us)
            else:
                d = 0
            if target is not None:
                targeted = True
            if paused_now:
                paused += d
                if z_us > a_us and not light:
                    if pause_end == a_us:
                        pauses[-1] = PauseSpan(pauses[-1].start, z)
                    else:
                        pauses.append(PauseSpan(a, z))
                    pause_end = z_us
            else:
                if not light:
                    counted.append((a, a_us, cal, d))
                used += d
        if crossing is not None:
            # Reaching the target exactly as the clock stops (or is evaluated)
            # is on time; staying open past it is a breach.
            due, due_us, i, z_us = crossing
            if due_us < z_us or i < last:
                breached = due
        if not targeted:
            continue
        if light:
            if completed is not None:
                if b.cancelled:
                    state, elapsed = SlaState.CANCELLED, None
                else:
                    state = SlaState.FULFILLED if breached is None else SlaState.BREACHED
                    elapsed = used + paused
            else:
                elapsed = None
                if breached is not None:
                    state = SlaState.OVERDUE
                else:
                    state = SlaState.PAUSED if paused_now else SlaState.RUNNING
            outcomes.append((_METRIC_ORDER[metric], b.cycle, (metric, prio, state, elapsed)))
            continue
        if completed is None and paused_now:
            # Still paused: the last pause is open (it begins at ``end`` when
            # the case was paused at that very instant).
            if pause_end == end_us:
                pauses[-1] = PauseSpan(pauses[-1].start, None)
            else:
                pauses.append(PauseSpan(end, None))
        due_at: datetime | None = None
        if target is not None:
            if used >= target:
                due_at = _reached(measure, counted, target)
            else:
                due_at = measure.add(cal, end, end_us, target - used)[0]
        out.append(
            SlaClock(
                case_id=case_id,
                metric=metric,
                cycle=b.cycle,
                policy=policy.name,
                priority=prio,
                started_at=b.start,
                evaluated_at=at,
                target=None if target is None else timedelta(microseconds=target),
                business_time=cal is not None,
                used=timedelta(microseconds=used),
                paused=timedelta(microseconds=paused),
                pauses=tuple(pauses),
                due_at=due_at,
                breached_at=breached,
                completed_at=completed,
                cancelled=b.cancelled,
            )
        )
    if light:
        outcomes.sort(key=_first_two)
        return [o for _, _, o in outcomes]
    out.sort(key=_clock_order)
    return out


def _first_two(item: tuple[int, int, Outcome]) -> tuple[int, int]:
    return item[0], item[1]


_METRIC_ORDER: Final = {m: i for i, m in enumerate(SlaMetric)}


def _clock_order(c: SlaClock) -> tuple[int, int]:
    return _METRIC_ORDER[c.metric], c.cycle


def _reached(
    measure: _Measure,
    counted: list[tuple[datetime, int, BusinessCalendar | None, int]],
    target: int,
) -> datetime:
    """The instant the used time first reached ``target``, from the counted pieces."""
    used = 0
    for a, a_us, cal, d in counted:
        if used + d >= target:
            return measure.add(cal, a, a_us, target - used)[0]
        used += d
    raise AssertionError("only reached when used < target")  # pragma: no cover
