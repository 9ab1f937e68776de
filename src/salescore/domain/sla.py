"""Service-level agreements: policies, targets, clocks that pause, and escalation.

An :class:`SlaPolicy` holds targets per metric and priority, measured in
business or calendar time; :func:`sla_clocks` computes a case's clocks from
its history alone and :func:`evaluate_escalations` says which rules fire.
Guide: :doc:`/sla-policies`.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, Final

import attrs

from salescore._validation import Checker, ensure_aware, fail
from salescore.calendar import BusinessCalendar
from salescore.errors import ValidationError
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


def _check_condition(rule: Rule | None, subject: Any, path: str, owner: str) -> None:
    """Check a condition against the subject type it reads (``ServiceCase``)."""
    if rule is None or subject is None:
        return
    try:
        rule.check(subject)
    except ValidationError as exc:
        raise ValidationError(
            [
                e.prefixed(path)
                if e.value is not None
                else attrs.evolve(e.prefixed(path), value=rule.to_text())
                for e in exc.errors
            ],
            owner,
        ) from None


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
@attrs.frozen(kw_only=True, init=False)
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
        subject: Only when building: the type the condition reads
            (``ServiceCase``, or a rule schema); an unknown field is refused
            with the nearest spelling. Not stored.

    Raises:
        ValidationError: Listing every bad field: a blank name, a repeated
            (metric, priority), a business-time target without a calendar,
            an unknown status, a condition that does not parse (or reads a
            field ``subject`` does not have).
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

    def __init__(
        self,
        *,
        name: str,
        targets: Iterable[SlaTarget],
        calendar: BusinessCalendar | None = None,
        applies_when: str | Rule | None = None,
        pauses: Mapping[Any, Iterable[str]] = DEFAULT_PAUSES,
        subject: Any = None,
    ) -> None:
        self.__attrs_init__(
            name=name, targets=targets, calendar=calendar, applies_when=applies_when, pauses=pauses
        )
        _check_condition(self._rule, subject, "applies_when", "SlaPolicy")

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


_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)
_US: Final = timedelta(microseconds=1)


class _Measure:
    """Measures and extends time on a calendar (or in plain time) in microseconds.

    Business time is measured on the calendar's integer engine, as the
    difference of two positions on it, skipping the validation and
    conversions of the public calendar methods (the instants come from a
    validated history). Answers are remembered for the case.
    """

    __slots__ = ("_added", "_cache")

    def __init__(self) -> None:
        self._cache: dict[tuple[int, int], int | None] = {}  # (calendar, instant) -> position
        self._added: dict[tuple[int, int, int], tuple[datetime, int]] = {}

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


_SOLVED: Final = "solved"
_CLOSED: Final = "closed"
_AGENT: Final = "agent"  # AuthorKind values of the case events
_CUSTOMER: Final = "customer"


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

    # Every instant a piece can start or end at, in microseconds.
    stamps = {first.at: (first.at - _EPOCH) // _US, at: (at - _EPOCH) // _US}
    for e in history[1:]:
        t = e.at
        if t > at:
            break
        stamps[t] = (t - _EPOCH) // _US
        kind = type(e).__name__  # the registered type name, as in documents
        if kind == "StageChanged":
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
                    # Stopped as it was at solving (later changes leave it be).
                    res = open_.pop(SlaMetric.RESOLUTION, None)
                    if res is not None:
                        res.completed = solved_at
                else:
                    for m in tuple(open_):
                        stop(m, t, cancel=True)
            elif before == _SOLVED:
                solved_at = None
        elif kind == "PriorityChanged":
            cut_all(t)
            priority = Priority(e.to_priority)  # type: ignore[attr-defined]
        elif kind == "SlaPolicyApplied":
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
        elif kind == "CaseReplied":
            if not e.public or status in (_SOLVED, _CLOSED):  # type: ignore[attr-defined]
                continue
            author = e.author_kind  # type: ignore[attr-defined]
            if author == _AGENT:
                for m in (SlaMetric.FIRST_REPLY, SlaMetric.NEXT_REPLY, SlaMetric.PERIODIC_UPDATE):
                    stop(m, t)
                begin(SlaMetric.PERIODIC_UPDATE, t)
            elif (
                author == _CUSTOMER
                and SlaMetric.FIRST_REPLY not in open_
                and SlaMetric.NEXT_REPLY not in open_
            ):
                begin(SlaMetric.NEXT_REPLY, t)
    if not policies:
        return ()
    if status == _SOLVED:
        # Dormant: stopped as it was at solving, even if changes followed at
        # that same instant (they re-target it only once it is reopened).
        res = open_.pop(SlaMetric.RESOLUTION, None)
        if res is not None:
            res.completed = solved_at
    for b in open_.values():
        cut(b, at, final=True)
    return _evaluate(case.id, clocks, policies, at, stamps)


def _evaluate(
    case_id: str,
    builders: list[_Builder],
    policies: list[SlaPolicy],
    at: datetime,
    stamps: dict[datetime, int],
) -> tuple[SlaClock, ...]:
    measure = _Measure()
    between = measure.between
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
                if z_us > a_us:
                    if pause_end == a_us:
                        pauses[-1] = PauseSpan(pauses[-1].start, z)
                    else:
                        pauses.append(PauseSpan(a, z))
                    pause_end = z_us
            else:
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
    out.sort(key=_clock_order)
    return tuple(out)


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


# --------------------------------------------------------------------------- escalation


@register_type
@attrs.frozen(kw_only=True, init=False)
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
        subject: Only when building: the type ``when`` reads
            (``ServiceCase``, or a rule schema); an unknown field is refused
            with the nearest spelling. Not stored.

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

    def __init__(
        self,
        *,
        name: str,
        metric: SlaMetric | str,
        at_fraction: float | None = None,
        before_due: timedelta | None = None,
        after_breach: bool = False,
        overdue_by: timedelta = timedelta(0),
        when: str | Rule | None = None,
        subject: Any = None,
    ) -> None:
        self.__attrs_init__(
            name=name,
            metric=metric,
            at_fraction=at_fraction,
            before_due=before_due,
            after_breach=after_breach,
            overdue_by=overdue_by,
            when=when,
        )
        _check_condition(self._rule, subject, "when", "EscalationRule")

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
