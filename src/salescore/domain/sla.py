"""Service-level agreements: policies, targets, clocks that pause, and escalation.

An :class:`SlaPolicy` promises response and resolution times. It holds one
:class:`SlaTarget` per metric and priority (first reply, next reply, periodic
update, resolution), each measured in business time on a
:class:`~salescore.calendar.BusinessCalendar` or in plain calendar time, and
says which case statuses pause which clock. :func:`choose_policy` picks the
policy for a case from an ordered list: the first whose ``applies_when`` rule
is TRUE wins (UNKNOWN counts as not met), and a default without a condition
comes last.

SLA clocks are folds over a case's history (:func:`sla_clocks`), computed
fresh for any instant ``at``; nothing about a clock is stored. Time is cut
into pieces at every event that matters (a status change, a priority or
policy change), and each piece is measured once on the calendar with
interval arithmetic. The binding semantics:

* **Pausing never shortens a deadline.** Paused time is measured in the
  calendar's business time (never as wall-clock time) and is simply not
  counted as used, so the due time is the instant at which the *used* time
  reaches the target.
* **Re-targeting keeps used time.** Changing the priority or the policy
  changes the target of a running clock from that instant on; the time used
  and paused so far carries over, and the new due time is when the used
  time reaches the new target.
* **A breach is recorded once.** The first breach time is the due instant
  that passed while the clock was still open (or the instant of a change
  that lowered the target below the time already used). Later events never
  undo it.

The clocks:

* ``first_reply`` starts when the case is opened and stops at the first
  public agent reply (or when the case is solved).
* ``next_reply`` starts at a public customer reply once the first reply has
  been given (and no next-reply clock is already running) and stops at the
  next public agent reply; each such cycle is a separate clock.
* ``periodic_update`` starts at each public agent reply while the case is
  unsolved and stops at the next public agent reply (which starts the next
  cycle).
* ``resolution`` starts when the case is opened and stops when it is
  solved. A reopened case resumes it: the time it spent solved counts as
  paused.

Solving a case stops every reply clock. Closing a case that was never solved
(a merged duplicate) or removing its policy cancels the clocks still open.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Final

import attrs

from salescore._validation import Checker, ensure_aware, fail
from salescore.calendar import BusinessCalendar
from salescore.rules import Rule, Truth, parse
from salescore.serialization import register_type

if TYPE_CHECKING:
    from salescore.domain.service import ServiceCase

__all__ = [
    "DEFAULT_PAUSES",
    "Escalation",
    "EscalationRule",
    "Milestone",
    "PauseSpan",
    "PolicyCheck",
    "PolicyChoice",
    "Priority",
    "SlaClock",
    "SlaMetric",
    "SlaPolicy",
    "SlaState",
    "SlaTarget",
    "choose_policy",
    "evaluate_escalations",
    "explain_escalations",
    "sla_clocks",
]


class Priority(enum.StrEnum):
    """How urgent a case is, from most to least."""

    URGENT = "urgent"
    HIGH = "high"
    NORMAL = "normal"
    LOW = "low"


class SlaMetric(enum.StrEnum):
    """What an SLA target measures."""

    FIRST_REPLY = "first_reply"
    NEXT_REPLY = "next_reply"
    PERIODIC_UPDATE = "periodic_update"
    RESOLUTION = "resolution"


_STATUSES: Final = frozenset({"new", "open", "pending", "on_hold"})

DEFAULT_PAUSES: Final[Mapping[SlaMetric, frozenset[str]]] = {
    SlaMetric.PERIODIC_UPDATE: frozenset({"pending", "on_hold"}),
    SlaMetric.RESOLUTION: frozenset({"pending", "on_hold"}),
}
"""Which statuses pause which clock unless a policy says otherwise.

Waiting on the customer (``pending``) or on a third party (``on_hold``)
pauses the resolution and periodic-update clocks; reply clocks never pause.
"""


def _to_rule_text(value: Any) -> Any:
    if isinstance(value, Rule):
        return value.to_text()
    return value


def _parse_condition(c: Checker, text: Any, path: str) -> Rule | None:
    if text is None:
        return None
    if not isinstance(text, str) or not text.strip():
        c.add(path, text, "must be a rule (or its text), or None")
        return None
    rule: Rule | None = c.call(path, lambda: parse(text))
    return rule


def _explain(rule: Rule, subject: Any, at: datetime, context: Mapping[str, Any] | None) -> Any:
    return rule.explain(subject, at=at, context=context)


def _as_metric(value: SlaMetric | str) -> SlaMetric:
    """Convert a metric's value; a bad one is kept for the class's check to report."""
    try:
        return SlaMetric(value)
    except ValueError:
        return value  # type: ignore[return-value]


def _as_priority(value: Priority | str) -> Priority:
    """Convert a priority's value; a bad one is kept for the class's check to report."""
    try:
        return Priority(value)
    except ValueError:
        return value  # type: ignore[return-value]


def _as_targets(value: Iterable[SlaTarget]) -> tuple[SlaTarget, ...]:
    return tuple(value)


def _to_pauses(value: Any) -> dict[SlaMetric, frozenset[str]]:
    if not isinstance(value, Mapping):
        fail("pauses", value, "must map metrics to collections of statuses")
    with Checker("SlaPolicy") as c:
        out: dict[SlaMetric, frozenset[str]] = {}
        for key, statuses in value.items():
            metric = c.member(SlaMetric, key, f"pauses.{key}")
            if isinstance(statuses, str) or not isinstance(statuses, Iterable):
                c.add(f"pauses.{key}", statuses, "must be a collection of statuses")
            elif metric is not None:
                out[metric] = frozenset(statuses)
    return out


@register_type
@attrs.frozen(kw_only=True)
class SlaTarget:
    """One promise: a metric for one priority, within a duration.

    Attributes:
        metric: What is measured.
        priority: The case priority the target applies to.
        duration: The promised time, positive.
        business_time: Whether ``duration`` is business time on the calendar
            (``True``, the default) or plain elapsed calendar time.
        calendar: The calendar for this target; ``None`` uses the policy's.

    Raises:
        ValidationError: Listing every bad field.
    """

    metric: SlaMetric = attrs.field(converter=_as_metric)
    priority: Priority = attrs.field(converter=_as_priority)
    duration: timedelta
    business_time: bool = True
    calendar: BusinessCalendar | None = None

    def __attrs_post_init__(self) -> None:
        with Checker("SlaTarget") as c:
            object.__setattr__(self, "metric", c.member(SlaMetric, self.metric, "metric"))
            object.__setattr__(self, "priority", c.member(Priority, self.priority, "priority"))
            if c.instance(self.duration, timedelta, "duration"):
                c.check(self.duration > timedelta(0), "duration", self.duration, "must be positive")
            c.instance(self.business_time, bool, "business_time")
            c.instance(self.calendar, BusinessCalendar, "calendar", optional=True)


@register_type
@attrs.frozen(kw_only=True)
class SlaPolicy:
    """A service-level policy: targets per priority, a calendar, pauses, a condition.

    Attributes:
        name: The policy's name, unique among the policies offered together.
        targets: The targets; at most one per (metric, priority).
        calendar: The business calendar for business-time targets that do
            not name their own.
        applies_when: The condition under which the policy applies, as rule
            text (a :class:`~salescore.rules.Rule` is accepted and stored as
            its text); ``None`` for a default policy.
        pauses: Metric → the case statuses that pause its clock (any of
            ``new``, ``open``, ``pending``, ``on_hold``); metrics not listed
            never pause. Defaults to :data:`DEFAULT_PAUSES`.

    Raises:
        ValidationError: Listing every bad field: a blank name, a repeated
            (metric, priority), a business-time target without a calendar,
            an unknown status, a condition that does not parse.
    """

    name: str
    targets: tuple[SlaTarget, ...] = attrs.field(converter=_as_targets)
    calendar: BusinessCalendar | None = None
    applies_when: str | None = attrs.field(default=None, converter=_to_rule_text)
    pauses: Mapping[SlaMetric, frozenset[str]] = attrs.field(
        default=DEFAULT_PAUSES, converter=_to_pauses, hash=False
    )
    _rule: Rule | None = attrs.field(init=False, eq=False, repr=False, hash=False)
    _index: dict[tuple[SlaMetric, Priority], SlaTarget] = attrs.field(
        init=False, eq=False, repr=False, hash=False
    )

    def __attrs_post_init__(self) -> None:
        index: dict[tuple[SlaMetric, Priority], SlaTarget] = {}
        with Checker("SlaPolicy") as c:
            c.text(self.name, "name")
            c.instance(self.calendar, BusinessCalendar, "calendar", optional=True)
            for i, t in enumerate(self.targets):
                if not c.instance(t, SlaTarget, f"targets[{i}]"):
                    continue
                key = (t.metric, t.priority)
                c.check(
                    key not in index,
                    f"targets[{i}]",
                    f"{t.metric}/{t.priority}",
                    "repeats a (metric, priority) already targeted",
                )
                index.setdefault(key, t)
                c.check(
                    not t.business_time or t.calendar is not None or self.calendar is not None,
                    f"targets[{i}].calendar",
                    None,
                    "a business-time target needs a calendar (on the target or the policy)",
                )
            for metric, statuses in self.pauses.items():
                for s in sorted(statuses):
                    c.check(
                        s in _STATUSES,
                        f"pauses.{metric}",
                        s,
                        "must be one of new, open, pending, on_hold",
                    )
            rule = _parse_condition(c, self.applies_when, "applies_when")
        object.__setattr__(self, "_rule", rule)
        object.__setattr__(self, "_index", index)

    @property
    def condition(self) -> Rule | None:
        """The ``applies_when`` condition as a rule (``None`` for a default policy)."""
        return self._rule

    @property
    def is_default(self) -> bool:
        """Whether the policy has no condition (it applies to every case)."""
        return self.applies_when is None

    def target_for(self, metric: SlaMetric | str, priority: Priority | str) -> SlaTarget | None:
        """Return the target for a metric and priority, or ``None`` when there is none.

        Args:
            metric: The metric.
            priority: The case priority.

        Returns:
            The target, or ``None``.
        """
        if type(metric) is not SlaMetric:
            metric = SlaMetric(metric)
        if type(priority) is not Priority:
            priority = Priority(priority)
        return self._index.get((metric, priority))

    def calendar_of(self, target: SlaTarget) -> BusinessCalendar | None:
        """The calendar a target is measured on (``None``: calendar time).

        Args:
            target: One of this policy's targets.

        Returns:
            The target's calendar, else the policy's, or ``None`` when the
            target is in calendar time.
        """
        if not target.business_time:
            return None
        return target.calendar or self.calendar

    def pauses_clock(self, metric: SlaMetric | str, status: str) -> bool:
        """Whether a case in ``status`` pauses the clock of ``metric``.

        Args:
            metric: The metric.
            status: A case status.

        Returns:
            ``True`` when the clock is paused in that status.
        """
        if type(metric) is not SlaMetric:
            metric = SlaMetric(metric)
        return status in self.pauses.get(metric, ())


@register_type
@attrs.frozen(kw_only=True)
class PolicyCheck:
    """One policy's condition, checked for a case.

    Attributes:
        policy: The policy's name.
        result: TRUE, FALSE or UNKNOWN (a default policy is TRUE).
        missing_fields: The unknown fields that left the result UNKNOWN.
    """

    policy: str
    result: Truth
    missing_fields: tuple[str, ...] = ()


@register_type
@attrs.frozen(kw_only=True)
class PolicyChoice:
    """Which SLA policy a case gets, and why.

    Attributes:
        policy: The chosen policy, or ``None`` when none applied.
        checks: Every condition checked, in order, up to the one that won.
        reason: The decision in words.
    """

    policy: SlaPolicy | None
    checks: tuple[PolicyCheck, ...] = ()
    reason: str = ""

    @property
    def unknown_fields(self) -> tuple[str, ...]:
        """Fields whose absence made a condition UNKNOWN (so not met), in order."""
        seen: dict[str, None] = {}
        for check in self.checks:
            for name in check.missing_fields:
                seen.setdefault(name, None)
        return tuple(seen)


def _check_policies(policies: Sequence[SlaPolicy]) -> None:
    with Checker("policies") as c:
        names: set[str] = set()
        for i, p in enumerate(policies):
            if not c.instance(p, SlaPolicy, f"policies[{i}]"):
                continue
            c.check(p.name not in names, f"policies[{i}].name", p.name, "is used twice")
            names.add(p.name)
            if p.is_default and i != len(policies) - 1:
                c.add(
                    f"policies[{i}]",
                    p.name,
                    "a default policy (no condition) must come last: it hides the rest",
                )


def choose_policy(
    policies: Sequence[SlaPolicy],
    case: Any,
    at: datetime,
    context: Mapping[str, Any] | None = None,
) -> PolicyChoice:
    """Choose the SLA policy for a case: the first whose condition holds.

    Conditions are checked in order; the first TRUE wins. UNKNOWN counts as
    not met, and the choice records which fields were unknown. A default
    policy (no condition) matches every case and must come last.

    Args:
        policies: The policies, in order of precedence.
        case: The case (or any subject the conditions read).
        at: The evaluation time (aware), for conditions that use ``now``.
        context: Related data for the conditions (``account`` …).

    Returns:
        The :class:`PolicyChoice`; its ``policy`` is ``None`` when none applied.

    Raises:
        ValidationError: ``at`` is naive, two policies share a name, or a
            default policy is not last.
    """
    ensure_aware(at, "at")
    policies = tuple(policies)
    _check_policies(policies)
    checks: list[PolicyCheck] = []
    for p in policies:
        rule = p.condition
        if rule is None:
            checks.append(PolicyCheck(policy=p.name, result=Truth.TRUE))
            return PolicyChoice(
                policy=p, checks=tuple(checks), reason=f"{p.name!r} is the default policy"
            )
        explanation = _explain(rule, case, at, context)
        checks.append(
            PolicyCheck(
                policy=p.name,
                result=explanation.result,
                missing_fields=tuple(explanation.missing_fields),
            )
        )
        if explanation.result is Truth.TRUE:
            return PolicyChoice(
                policy=p,
                checks=tuple(checks),
                reason=f"{p.name!r} applies: {p.applies_when}",
            )
    unknown = PolicyChoice(policy=None, checks=tuple(checks)).unknown_fields
    why = "no policy applies"
    if unknown:
        why += f" (unknown: {', '.join(unknown)})"
    return PolicyChoice(policy=None, checks=tuple(checks), reason=why)


# --------------------------------------------------------------------------- clocks


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


class _Measure:
    """Measures and extends time on a calendar (or in plain time), with a cache."""

    __slots__ = ("_cache",)

    def __init__(self) -> None:
        self._cache: dict[tuple[int, datetime, datetime], timedelta] = {}

    def between(self, cal: BusinessCalendar | None, a: datetime, b: datetime) -> timedelta:
        if cal is None:
            return b - a
        key = (id(cal), a, b)
        found = self._cache.get(key)
        if found is None:
            found = self._cache[key] = cal.business_time_between(a, b)
        return found

    @staticmethod
    def add(cal: BusinessCalendar | None, a: datetime, d: timedelta) -> datetime:
        if cal is None:
            return a + d
        return cal.add_business_time(a, d)


_SOLVED: Final = "solved"
_CLOSED: Final = "closed"


def sla_clocks(case: ServiceCase, at: datetime) -> tuple[SlaClock, ...]:
    """Compute every SLA clock of a case at an instant, from its history alone.

    Events after ``at`` are ignored, so evaluating at an earlier instant
    shows the clocks as they stood then. Clocks of metrics for which the
    policy has no target are left out.

    Args:
        case: The service case.
        at: The evaluation instant (aware), not before the case was opened.

    Returns:
        The clocks, ordered by metric, then cycle.

    Raises:
        ValidationError: ``at`` is naive or before the case was opened.
    """
    from salescore.domain.events import StageChanged
    from salescore.domain.service import (
        AuthorKind,
        CaseReplied,
        PriorityChanged,
        SlaPolicyApplied,
    )

    ensure_aware(at, "at")
    history = case.history
    if not history or at < history[0].at:
        fail("at", at, "is before the case was opened")
    first = history[0]
    priority = Priority(first.priority)  # type: ignore[attr-defined]
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

    for e in history[1:]:
        t = e.at
        if t > at:
            break
        kind = type(e)
        if kind is StageChanged:
            if e.funnel != "case_status":  # type: ignore[attr-defined]
                continue
            cut_all(t)
            before, status = status, e.to_stage  # type: ignore[attr-defined]
            if status == _SOLVED:
                solved_at = t
                res = open_.get(SlaMetric.RESOLUTION)
                if res is not None:  # dormant from now on; remember the state at solving
                    cut(res, t, final=True)
                for m in (SlaMetric.FIRST_REPLY, SlaMetric.NEXT_REPLY, SlaMetric.PERIODIC_UPDATE):
                    stop(m, t)
            elif status == _CLOSED:
                if before == _SOLVED:
                    res = open_.get(SlaMetric.RESOLUTION)
                    if res is not None and solved_at is not None:
                        stop(SlaMetric.RESOLUTION, t)
                        res.completed = solved_at
                else:
                    for m in tuple(open_):
                        stop(m, t, cancel=True)
            elif before == _SOLVED:
                solved_at = None
        elif kind is PriorityChanged:
            cut_all(t)
            priority = Priority(e.to_priority)  # type: ignore[attr-defined]
        elif kind is SlaPolicyApplied:
            cut_all(t)
            new = e.policy  # type: ignore[attr-defined]
            if new is None:  # the policy was removed: open clocks are cancelled
                for m in tuple(open_):
                    stop(m, t, cancel=True)
                active = False
            else:
                policies.append(new)
                pol = len(policies) - 1
                active = True
        elif kind is CaseReplied:
            if not e.public or status in (_SOLVED, _CLOSED):  # type: ignore[attr-defined]
                continue
            author = e.author_kind  # type: ignore[attr-defined]
            if author is AuthorKind.AGENT:
                for m in (SlaMetric.FIRST_REPLY, SlaMetric.NEXT_REPLY, SlaMetric.PERIODIC_UPDATE):
                    stop(m, t)
                begin(SlaMetric.PERIODIC_UPDATE, t)
            elif (
                author is AuthorKind.CUSTOMER
                and SlaMetric.FIRST_REPLY not in open_
                and SlaMetric.NEXT_REPLY not in open_
            ):
                begin(SlaMetric.NEXT_REPLY, t)
    if not policies:
        return ()
    for b in open_.values():
        cut(b, at, final=True)
    res = open_.get(SlaMetric.RESOLUTION)
    if res is not None and status == _SOLVED and solved_at is not None:
        res.completed = solved_at
    return _evaluate(case.id, clocks, policies, at)


def _evaluate(
    case_id: str, builders: list[_Builder], policies: list[SlaPolicy], at: datetime
) -> tuple[SlaClock, ...]:
    measure = _Measure()
    first = policies[0]
    out: list[SlaClock] = []
    for b in builders:
        end = b.completed if b.completed is not None else at
        pieces = [p for p in b.pieces if p[0] < end or p[0] == p[1] == end] or b.pieces[:1]
        used = paused = timedelta(0)
        breached: datetime | None = None
        pauses: list[PauseSpan] = []
        policy, prio = first, Priority.NORMAL
        cal: BusinessCalendar | None = None
        target: timedelta | None = None
        targeted = paused_now = False
        # The last piece with any length: a clock reaching its target within an
        # earlier piece stays open past the due time.
        last = max((i for i, p in enumerate(pieces) if min(p[1], end) > p[0]), default=-1)
        for i, (a, z, status, pidx, prio) in enumerate(pieces):
            z = min(z, end)
            policy = policies[pidx] if pidx >= 0 else first
            spec = policy.target_for(b.metric, prio)
            if spec is not None:
                cal, target, targeted = policy.calendar_of(spec), spec.duration, True
            else:
                cal, target = policy.calendar, None
            dormant = status == _SOLVED
            paused_now = dormant or (status is not None and policy.pauses_clock(b.metric, status))
            d = measure.between(cal, a, z) if z > a else timedelta(0)
            if target is not None and breached is None and not dormant and z > a:
                if used >= target:
                    breached = a  # a change lowered the target below the time used
                elif not paused_now and used + d >= target:
                    due = measure.add(cal, a, target - used)
                    # Reaching the target exactly as the clock stops (or is
                    # evaluated) is on time; staying open past it is a breach.
                    if due < z or i < last:
                        breached = due
            if paused_now:
                paused += d
                if pauses and pauses[-1].end == a:
                    pauses[-1] = PauseSpan(pauses[-1].start, z)
                elif z > a:
                    pauses.append(PauseSpan(a, z))
            else:
                used += d
        if not targeted:
            continue
        if b.completed is None and paused_now and pauses and pauses[-1].end == end:
            pauses[-1] = PauseSpan(pauses[-1].start, None)
        due_at: datetime | None = None
        if target is not None:
            if used >= target:
                due_at = _reached(measure, pieces, policies, first, b.metric, target, end)
            else:
                due_at = measure.add(cal, end, target - used)
        out.append(
            SlaClock(
                case_id=case_id,
                metric=b.metric,
                cycle=b.cycle,
                policy=policy.name,
                priority=prio,
                started_at=b.start,
                evaluated_at=at,
                target=target,
                business_time=cal is not None,
                used=used,
                paused=paused,
                pauses=tuple(pauses),
                due_at=due_at,
                breached_at=breached,
                completed_at=b.completed,
                cancelled=b.cancelled,
            )
        )
    order = list(SlaMetric)
    out.sort(key=lambda c: (order.index(c.metric), c.cycle))
    return tuple(out)


def _reached(
    measure: _Measure,
    pieces: list[_Piece],
    policies: list[SlaPolicy],
    first: SlaPolicy,
    metric: SlaMetric,
    target: timedelta,
    end: datetime,
) -> datetime:
    """The instant the used time first reached ``target`` (walking the pieces again)."""
    used = timedelta(0)
    for a, z, status, pidx, prio in pieces:
        z = min(z, end)
        policy = policies[pidx] if pidx >= 0 else first
        spec = policy.target_for(metric, prio)
        cal = policy.calendar_of(spec) if spec is not None else policy.calendar
        if status == _SOLVED or (status is not None and policy.pauses_clock(metric, status)):
            continue
        d = measure.between(cal, a, z)
        if used + d >= target:
            return measure.add(cal, a, target - used)
        used += d
    return end  # pragma: no cover - only reached when used < target


# --------------------------------------------------------------------------- escalation


@register_type
@attrs.frozen(kw_only=True)
class EscalationRule:
    """When to escalate a clock: a threshold before or after its due time.

    Give exactly one trigger:

    * ``at_fraction``: fires once ``used / target`` reaches it (``0.8``: 80 %
      of the target used);
    * ``before_due``: fires once the remaining time is at most this much;
    * ``after_breach``: fires once the clock is breached and at least
      ``overdue_by`` past its target.

    Attributes:
        name: The rule's name.
        metric: The clocks it watches.
        at_fraction: Fraction of the target used, positive.
        before_due: Remaining time threshold, not negative.
        after_breach: Fire on breached clocks.
        overdue_by: With ``after_breach``: how far past the target (default 0).
        when: An extra condition on the case, as rule text (a
            :class:`~salescore.rules.Rule` is stored as its text); UNKNOWN
            counts as not met.

    Raises:
        ValidationError: Listing every bad field, including no trigger or more
            than one.
    """

    name: str
    metric: SlaMetric = attrs.field(converter=_as_metric)
    at_fraction: float | None = None
    before_due: timedelta | None = None
    after_breach: bool = False
    overdue_by: timedelta = timedelta(0)
    when: str | None = attrs.field(default=None, converter=_to_rule_text)
    _rule: Rule | None = attrs.field(init=False, eq=False, repr=False, hash=False)

    def __attrs_post_init__(self) -> None:
        with Checker("EscalationRule") as c:
            c.text(self.name, "name")
            object.__setattr__(self, "metric", c.member(SlaMetric, self.metric, "metric"))
            c.number(self.at_fraction, "at_fraction", optional=True, minimum=0)
            if isinstance(self.at_fraction, int | float) and not isinstance(self.at_fraction, bool):
                c.check(self.at_fraction > 0, "at_fraction", self.at_fraction, "must be positive")
            c.duration(self.before_due, "before_due", optional=True)
            c.instance(self.after_breach, bool, "after_breach")
            c.duration(self.overdue_by, "overdue_by")
            triggers = sum(
                (
                    self.at_fraction is not None,
                    self.before_due is not None,
                    self.after_breach is True,
                )
            )
            c.check(
                triggers == 1,
                "trigger",
                triggers,
                "give exactly one of at_fraction, before_due, after_breach",
            )
            rule = _parse_condition(c, self.when, "when")
        object.__setattr__(self, "_rule", rule)

    @property
    def condition(self) -> Rule | None:
        """The ``when`` condition as a rule, or ``None``."""
        return self._rule

    def _threshold(self, clock: SlaClock) -> tuple[bool, str]:
        target, used = clock.target, clock.used
        assert target is not None
        if self.at_fraction is not None:
            fraction = used / target
            return (
                fraction >= self.at_fraction,
                f"{fraction:.0%} of the {clock.metric} target used "
                f"(threshold {self.at_fraction:.0%})",
            )
        if self.before_due is not None:
            remaining = target - used
            return (
                remaining <= self.before_due,
                f"{_fmt(remaining)} remaining on {clock.metric} "
                f"(threshold {_fmt(self.before_due)} before due)",
            )
        overdue = clock.overdue
        hit = clock.violated and overdue >= self.overdue_by
        if not clock.violated:
            return False, f"{clock.metric} is not breached"
        return hit, f"{clock.metric} breached at {clock.breached_at}, {_fmt(overdue)} over target"


def _fmt(d: timedelta) -> str:
    sign = "-" if d < timedelta(0) else ""
    seconds = int(abs(d).total_seconds())
    h, rest = divmod(seconds, 3600)
    m = rest // 60
    return f"{sign}{h}h{m:02d}m"


@register_type
@attrs.frozen(kw_only=True)
class Escalation:
    """The decision of one escalation rule for one clock.

    Attributes:
        rule: The rule's name.
        case_id: The case.
        metric: The clock's metric.
        cycle: The clock's cycle.
        fired: Whether the rule fires.
        at: The evaluation time.
        reasons: Why, in words: the threshold, then the condition.
        used: The clock's used time.
        target: The clock's target.
        unknown_fields: Fields that left the condition UNKNOWN (not met).
    """

    rule: str
    case_id: str
    metric: SlaMetric
    cycle: int
    fired: bool
    at: datetime
    reasons: tuple[str, ...]
    used: timedelta
    target: timedelta
    unknown_fields: tuple[str, ...] = ()


def explain_escalations(
    case: Any,
    clocks: Iterable[SlaClock],
    rules: Iterable[EscalationRule],
    at: datetime,
    context: Mapping[str, Any] | None = None,
) -> tuple[Escalation, ...]:
    """Decide every escalation rule for every open clock it watches, fired or not.

    Only open clocks with a target are considered (a stopped clock needs no
    escalation). Nothing is sent: the decisions are data.

    Args:
        case: The case the clocks belong to (the subject of ``when``).
        clocks: The case's clocks, for example ``sla_clocks(case, at)``.
        rules: The escalation rules.
        at: The evaluation time (aware).
        context: Related data for the conditions.

    Returns:
        One :class:`Escalation` per (rule, clock) pair, in rule order.

    Raises:
        ValidationError: ``at`` is naive.
    """
    ensure_aware(at, "at")
    clocks = tuple(clocks)
    out: list[Escalation] = []
    for rule in rules:
        for clock in clocks:
            if clock.metric != rule.metric or not clock.is_open or clock.target is None:
                continue
            hit, why = rule._threshold(clock)
            reasons = [why]
            unknown: tuple[str, ...] = ()
            fired = hit
            condition = rule.condition
            if hit and condition is not None:
                explanation = _explain(condition, case, at, context)
                unknown = tuple(explanation.missing_fields)
                fired = explanation.result is Truth.TRUE
                word = {Truth.TRUE: "holds", Truth.FALSE: "does not hold"}.get(
                    explanation.result, "is unknown (counts as not met)"
                )
                reasons.append(f"condition {rule.when!r} {word}")
            out.append(
                Escalation(
                    rule=rule.name,
                    case_id=clock.case_id,
                    metric=clock.metric,
                    cycle=clock.cycle,
                    fired=fired,
                    at=at,
                    reasons=tuple(reasons),
                    used=clock.used,
                    target=clock.target,
                    unknown_fields=unknown,
                )
            )
    return tuple(out)


def evaluate_escalations(
    case: Any,
    clocks: Iterable[SlaClock],
    rules: Iterable[EscalationRule],
    at: datetime,
    context: Mapping[str, Any] | None = None,
) -> tuple[Escalation, ...]:
    """Return the escalations that fire now, each saying why.

    Args:
        case: The case (the subject of the rules' conditions).
        clocks: Its clocks, for example ``sla_clocks(case, at)``.
        rules: The escalation rules.
        at: The evaluation time (aware).
        context: Related data for the conditions.

    Returns:
        The fired decisions (see :func:`explain_escalations` for all of them).

    Raises:
        ValidationError: ``at`` is naive.
    """
    return tuple(e for e in explain_escalations(case, clocks, rules, at, context) if e.fired)
