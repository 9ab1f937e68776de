"""Routing: who gets a new lead (or case, or deal), decided by rules, explained.

A :class:`RoutingTable` holds ordered rules and a default :class:`Target`;
:func:`route` picks the first rule that matches and whose target can take the
work. Guide: :doc:`/routing`.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any, Protocol

import attrs

from salescore._validation import Checker, ensure_aware
from salescore.decisions._evaluation import missing_fields
from salescore.rules._nodes import Rule
from salescore.rules._truth import Truth
from salescore.serialization import register_type as _register_type

__all__ = [
    "RepLike",
    "RoutingDecision",
    "RoutingRule",
    "RoutingState",
    "RoutingTable",
    "RuleCheck",
    "Strategy",
    "Target",
    "TargetKind",
    "TeamLike",
    "route",
]


class TargetKind(enum.StrEnum):
    """What a routing target is."""

    REP = "rep"
    TEAM = "team"
    QUEUE = "queue"


class Strategy(enum.StrEnum):
    """How a team target picks a rep."""

    ROUND_ROBIN = "round_robin"
    LEAST_LOADED = "least_loaded"


@attrs.frozen(kw_only=True)
class Target:
    """Where work goes: a rep, a team (with a strategy) or a queue.

    Prefer the constructors :meth:`rep`, :meth:`team` and :meth:`queue`.

    Args:
        kind: Rep, team or queue.
        id: The owner's id.
        strategy: For teams, round-robin (default) or least-loaded.

    Raises:
        ValidationError: Every bad field at once.
    """

    kind: TargetKind
    id: str
    strategy: Strategy = Strategy.ROUND_ROBIN

    def __attrs_post_init__(self) -> None:
        with Checker("Target") as c:
            c.instance(self.kind, TargetKind, "kind")
            c.text(self.id, "id")
            c.instance(self.strategy, Strategy, "strategy")

    @classmethod
    def rep(cls, rep_id: str) -> Target:
        """Send the work to this rep."""
        return cls(kind=TargetKind.REP, id=rep_id)

    @classmethod
    def team(cls, team_id: str, strategy: Strategy | str = Strategy.ROUND_ROBIN) -> Target:
        """Send the work to a rep of this team, picked by ``strategy``."""
        return cls(kind=TargetKind.TEAM, id=team_id, strategy=Strategy(strategy))

    @classmethod
    def queue(cls, queue_id: str) -> Target:
        """Put the work in this queue (it always accepts)."""
        return cls(kind=TargetKind.QUEUE, id=queue_id)

    def __str__(self) -> str:
        if self.kind is TargetKind.TEAM:
            return f"team {self.id!r} ({self.strategy.value.replace('_', '-')})"
        return f"{self.kind.value} {self.id!r}"


@attrs.frozen(kw_only=True)
class RoutingRule:
    """When ``rule`` is TRUE for the subject, send it to ``target``.

    Args:
        key: Unique within a table, e.g. ``"enterprise-emea"``.
        rule: The condition (UNKNOWN counts as not met).
        target: Where matching work goes.
        description: Free text for people.

    Raises:
        ValidationError: Every bad field at once.
    """

    key: str
    rule: Rule
    target: Target
    description: str = ""

    def __attrs_post_init__(self) -> None:
        with Checker("RoutingRule") as c:
            c.text(self.key, "key")
            c.instance(self.rule, Rule, "rule")
            c.instance(self.target, Target, "target")
            c.text(self.description, "description", empty=True)


def _as_tuple(value: Any) -> Any:
    if isinstance(value, list):
        return tuple(value)
    return value


@attrs.frozen(kw_only=True)
class RoutingTable:
    """Routing rules in order, and where work goes when none takes it.

    Args:
        key: The table's key.
        rules: Evaluated in order; first match (that can take the work) wins.
        default: The fallback target, or ``None`` to leave work unassigned.
        capacity_key: Which of a rep's capacities limits this work
            (``"open_leads"``).

    Raises:
        ValidationError: Every bad field at once (duplicate rule keys too).
    """

    key: str
    rules: tuple[RoutingRule, ...] = attrs.field(converter=_as_tuple)
    default: Target | None = None
    capacity_key: str = "open_leads"

    def __attrs_post_init__(self) -> None:
        with Checker("RoutingTable") as c:
            c.text(self.key, "key")
            c.text(self.capacity_key, "capacity_key")
            c.instance(self.default, Target, "default", optional=True)
            if c.instance(self.rules, tuple, "rules"):
                seen: set[str] = set()
                for i, r in enumerate(self.rules):
                    if c.instance(r, RoutingRule, f"rules[{i}]"):
                        c.check(r.key not in seen, f"rules[{i}].key", r.key, "is used twice")
                        seen.add(r.key)


def _as_counts(value: Any) -> Any:
    if isinstance(value, Mapping):
        return dict(value)
    return value


@attrs.frozen(kw_only=True)
class RoutingState:
    """Round-robin cursors and open loads: the memory of routing, as a value.

    Args:
        cursors: Team id → the rep who got that team's last item.
        loads: Rep id → open items (absent means 0).

    Raises:
        ValidationError: Bad ids or a negative load.
    """

    cursors: Mapping[str, str] = attrs.field(factory=dict, converter=_as_counts)
    loads: Mapping[str, int] = attrs.field(factory=dict, converter=_as_counts)

    def __attrs_post_init__(self) -> None:
        with Checker("RoutingState") as c:
            if c.instance(self.cursors, dict, "cursors"):
                for k, v in self.cursors.items():
                    c.text(k, "cursors")
                    c.text(v, f"cursors.{k}")
            if c.instance(self.loads, dict, "loads"):
                for k, n in self.loads.items():
                    c.text(k, "loads")
                    c.number(n, f"loads.{k}", integer=True, minimum=0)

    def load(self, rep_id: str) -> int:
        """A rep's open load (0 if unknown)."""
        return self.loads.get(rep_id, 0)

    def assigned(self, rep_id: str, team_id: str | None = None) -> RoutingState:
        """Return the state after giving one item to ``rep_id`` (via ``team_id``)."""
        loads = dict(self.loads)
        loads[rep_id] = loads.get(rep_id, 0) + 1
        cursors = self.cursors
        if team_id is not None:
            cursors = {**cursors, team_id: rep_id}
        return RoutingState(cursors=cursors, loads=loads)

    def release(self, rep_id: str, n: int = 1) -> RoutingState:
        """Return the state after ``n`` of a rep's items were closed (never below 0)."""
        loads = dict(self.loads)
        left = max(0, loads.get(rep_id, 0) - n)
        if left:
            loads[rep_id] = left
        else:
            loads.pop(rep_id, None)
        return RoutingState(cursors=self.cursors, loads=loads)


class _Calendar(Protocol):
    def is_open(self, at: datetime) -> bool: ...


class RepLike(Protocol):
    """What routing reads of a rep (``salescore`` reps have it)."""

    @property
    def id(self) -> str:
        """The rep's id."""


class TeamLike(Protocol):
    """What routing reads of a team: its id and its reps in rotation order."""

    @property
    def id(self) -> str:
        """The team's id."""

    @property
    def rep_ids(self) -> Sequence[str]:
        """The reps, in rotation order."""


@attrs.frozen(kw_only=True)
class RuleCheck:
    """What happened to one rule (or the default) during routing.

    Attributes:
        key: The rule's key (``"default"`` for the default).
        result: The condition's answer (TRUE for the default).
        missing_fields: Fields that left it UNKNOWN.
        note: Why a matching rule could not take the work, or what it chose.
    """

    key: str
    result: Truth
    missing_fields: tuple[str, ...] = ()
    note: str = ""


@attrs.frozen(kw_only=True)
class RoutingDecision:
    """Who gets the work, which rule decided, why, and the state after.

    Attributes:
        owner_kind: Rep, team... in practice a rep or a queue; ``None`` when
            unassigned.
        owner_id: The rep's or queue's id, or ``None``.
        rule_key: The rule that decided, ``"default"``, or ``None``.
        target: The target that took the work (a team target when a team's
            rep got it), or ``None``.
        reason: A sentence saying why.
        trail: Every rule looked at, in order.
        unknown_fields: Fields that left some rule UNKNOWN.
        state: The routing state after this decision.
    """

    owner_kind: TargetKind | None
    owner_id: str | None
    rule_key: str | None
    target: Target | None
    reason: str
    trail: tuple[RuleCheck, ...]
    unknown_fields: tuple[str, ...]
    state: RoutingState

    @property
    def assigned(self) -> bool:
        """Whether someone (a rep or a queue) got the work."""
        return self.owner_id is not None


def _index(items: Any) -> dict[str, Any] | None:
    if items is None:
        return None
    if isinstance(items, Mapping):
        return dict(items)
    return {item.id: item for item in items}


class _Router:
    def __init__(
        self,
        state: RoutingState,
        at: datetime,
        reps: dict[str, Any] | None,
        teams: dict[str, Any],
        capacity_key: str,
    ) -> None:
        self.state = state
        self.at = at
        self.reps = reps
        self.teams = teams
        self.capacity_key = capacity_key

    def unavailable(self, rep_id: str) -> str | None:
        """Why a rep cannot take work now, or ``None`` if they can."""
        if self.reps is None:
            return None
        rep = self.reps.get(rep_id)
        if rep is None:
            return f"{rep_id} is not a known rep"
        if getattr(rep, "active", True) is False:
            return f"{rep_id} is inactive"
        calendar: _Calendar | None = getattr(rep, "calendar", None)
        if calendar is not None and not calendar.is_open(self.at):
            return f"{rep_id} is outside working hours"
        capacities = getattr(rep, "capacities", None) or {}
        cap = capacities.get(self.capacity_key)
        if cap is not None:
            load = self.state.load(rep_id)
            if load >= cap:
                return f"{rep_id} is at capacity ({load}/{cap})"
        return None

    def take(self, target: Target) -> tuple[str | None, str]:
        """The rep or queue that takes the work, and a note."""
        if target.kind is TargetKind.QUEUE:
            return target.id, f"queued in {target.id}"
        if target.kind is TargetKind.REP:
            why = self.unavailable(target.id)
            if why is not None:
                return None, why
            return target.id, f"assigned to {target.id}"
        team = self.teams.get(target.id)
        if team is None:
            return None, f"{target.id} is not a known team"
        members = list(team.rep_ids)
        if not members:
            return None, f"team {target.id} has no reps"
        last = self.state.cursors.get(target.id)
        start = members.index(last) + 1 if last in members else 0
        order = members[start:] + members[:start]
        available: list[str] = []
        reasons: list[tuple[int, str]] = []
        for i, rep_id in enumerate(order):
            why = self.unavailable(rep_id)
            if why is None:
                available.append(rep_id)
            else:
                reasons.append((i, why))
        if not available:
            whys = "; ".join(w for _, w in reasons)
            return None, f"no rep of team {target.id} is available: {whys}"
        if target.strategy is Strategy.LEAST_LOADED:
            chosen = min(available, key=self.state.load)
            note = f"{chosen} has the least load in team {target.id} ({self.state.load(chosen)})"
        else:
            chosen = available[0]
            note = f"{chosen} is next in team {target.id}'s rotation"
        skipped = [w for i, w in reasons if i < order.index(chosen)]
        if skipped and target.strategy is Strategy.ROUND_ROBIN:
            note += " (skipped: " + "; ".join(skipped) + ")"
        return chosen, note


def route(
    table: RoutingTable | Sequence[RoutingRule],
    subject: Any,
    *,
    state: RoutingState,
    at: datetime,
    reps: Iterable[Any] | Mapping[str, Any] | None = None,
    teams: Iterable[TeamLike] | Mapping[str, TeamLike] = (),
    default: Target | None = None,
    context: Mapping[str, Any] | None = None,
    capacity_key: str | None = None,
) -> RoutingDecision:
    """Decide who gets ``subject``: first matching rule that can take it, else the default.

    Args:
        table: A :class:`RoutingTable`, or a sequence of rules.
        subject: The lead (case, deal …) or a mapping.
        state: The routing state before this decision (not modified).
        at: When (aware): the time rules and calendars are checked at.
        reps: The reps (objects with ``id`` and optionally ``active``,
            ``calendar`` and ``capacities``), as an iterable or by id;
            ``None`` checks no availability.
        teams: The teams (objects with ``id`` and ``rep_ids``).
        default: Overrides the table's default (required to have one when
            ``table`` is a plain sequence).
        context: Related data for the rules.
        capacity_key: Overrides the table's capacity key (``"open_leads"``).

    Returns:
        The :class:`RoutingDecision`, whose ``state`` is the state after it.

    Raises:
        ValidationError: ``at`` is naive, or a rule needs data it cannot get.
    """
    ensure_aware(at, "at")
    if isinstance(table, RoutingTable):
        rules = table.rules
        fallback = table.default if default is None else default
        cap_key = table.capacity_key if capacity_key is None else capacity_key
    else:
        rules = tuple(table)
        fallback = default
        cap_key = "open_leads" if capacity_key is None else capacity_key
    router = _Router(state, at, _index(reps), _index(teams) or {}, cap_key)
    trail: list[RuleCheck] = []
    unknown: dict[str, None] = {}
    for r in rules:
        truth = r.rule.evaluate(subject, at, context)
        if truth is Truth.UNKNOWN:
            missing = missing_fields(r.rule, subject, at, context)
            for f in missing:
                unknown.setdefault(f, None)
            trail.append(
                RuleCheck(
                    key=r.key,
                    result=truth,
                    missing_fields=missing,
                    note="unknown: counts as not met",
                )
            )
            continue
        if truth is not Truth.TRUE:
            trail.append(RuleCheck(key=r.key, result=truth))
            continue
        owner, note = router.take(r.target)
        trail.append(RuleCheck(key=r.key, result=truth, note=note))
        if owner is not None:
            return _decided(
                r.key,
                r.target,
                owner,
                note,
                trail,
                unknown,
                state,
                f"rule {r.key!r} matched ({r.rule.to_text()}): {note}",
            )
    if fallback is None:
        return RoutingDecision(
            owner_kind=None,
            owner_id=None,
            rule_key=None,
            target=None,
            reason="no rule matched and there is no default",
            trail=tuple(trail),
            unknown_fields=tuple(unknown),
            state=state,
        )
    owner, note = router.take(fallback)
    trail.append(RuleCheck(key="default", result=Truth.TRUE, note=note))
    if owner is None:
        return RoutingDecision(
            owner_kind=None,
            owner_id=None,
            rule_key=None,
            target=None,
            reason=f"no rule matched and the default {fallback} cannot take it: {note}",
            trail=tuple(trail),
            unknown_fields=tuple(unknown),
            state=state,
        )
    return _decided(
        "default",
        fallback,
        owner,
        note,
        trail,
        unknown,
        state,
        f"no rule matched: the default, {fallback}: {note}",
    )


def _decided(
    key: str,
    target: Target,
    owner: str,
    note: str,
    trail: list[RuleCheck],
    unknown: dict[str, None],
    state: RoutingState,
    reason: str,
) -> RoutingDecision:
    if target.kind is TargetKind.QUEUE:
        kind, new_state = TargetKind.QUEUE, state
    else:
        team = target.id if target.kind is TargetKind.TEAM else None
        kind, new_state = TargetKind.REP, state.assigned(owner, team)
    return RoutingDecision(
        owner_kind=kind,
        owner_id=owner,
        rule_key=key,
        target=target,
        reason=reason,
        trail=tuple(trail),
        unknown_fields=tuple(unknown),
        state=new_state,
    )


for _document_type in (Target, RoutingRule, RoutingTable, RoutingState, RuleCheck, RoutingDecision):
    _register_type(_document_type)
