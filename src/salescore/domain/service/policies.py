"""SLA policies: targets per metric and priority, calendars, pauses, and choosing one.

Guide: :doc:`/sla-policies`.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any, Final

import attrs

from salescore._validation import Checker, ensure_aware, fail
from salescore.calendar import BusinessCalendar
from salescore.domain.service._conditions import (
    check_condition,
    explain,
    parse_condition,
    to_rule_text,
)
from salescore.domain.service.priority import Priority
from salescore.rules import Rule, Truth
from salescore.serialization import register_type

__all__ = [
    "DEFAULT_PAUSES",
    "PolicyCheck",
    "PolicyChoice",
    "SlaMetric",
    "SlaPolicy",
    "SlaTarget",
    "choose_policy",
]


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
    applies_when: str | None = attrs.field(default=None, converter=to_rule_text)
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
        check_condition(self._rule, subject, "applies_when", "SlaPolicy")

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
            rule = parse_condition(c, self.applies_when, "applies_when")
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


def _check_policies(policies: tuple[SlaPolicy, ...]) -> None:
    with Checker("policies") as c:
        c.keyed(policies, SlaPolicy, "policies", key="name")
        for i, p in enumerate(policies[:-1]):
            if isinstance(p, SlaPolicy) and p.is_default:
                c.add(
                    f"policies[{i}]",
                    p.name,
                    "a default policy (no condition) must come last: it hides the rest",
                )


#: The tuple of policies that passed :func:`_check_policies` last. It and its
#: policies are immutable and it is held here (so no other object takes its
#: identity): given again, it passes again, and the check is skipped.
_passed: list[tuple[SlaPolicy, ...] | None] = [None]


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
    if policies is not _passed[0]:
        _check_policies(policies)
        _passed[0] = policies
    checks: list[PolicyCheck] = []
    for p in policies:
        rule = p.condition
        if rule is None:
            checks.append(PolicyCheck(policy=p.name, result=Truth.TRUE))
            return PolicyChoice(
                policy=p, checks=tuple(checks), reason=f"{p.name!r} is the default policy"
            )
        explanation = explain(rule, case, at, context)
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
