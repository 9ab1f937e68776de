"""SLA escalation: rules that fire on a clock's threshold, and their decisions as data.

Guide: :doc:`/sla-policies`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any

import attrs

from salescore._validation import Checker, ensure_aware
from salescore.domain.service._conditions import (
    check_condition,
    explain,
    parse_condition,
    to_rule_text,
)
from salescore.domain.service.clocks import SlaClock
from salescore.domain.service.policies import SlaMetric, _as_metric
from salescore.rules import Rule, Truth
from salescore.serialization import register_type

__all__ = [
    "Escalation",
    "EscalationRule",
    "evaluate_escalations",
    "explain_escalations",
]


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
    when: str | None = attrs.field(default=None, converter=to_rule_text)
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
        check_condition(self._rule, subject, "when", "EscalationRule")

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
            rule = parse_condition(c, self.when, "when")
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
                explanation = explain(condition, case, at, context)
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
