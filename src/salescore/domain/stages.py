"""Stages and funnels: the one mechanism leads, deals and cases move through.

A :class:`Funnel` is data: a key, an ordered list of :class:`Stage` values and
a :class:`TransitionPolicy` saying which moves are allowed. Entering a stage
may require fields to be set (``Stage.requires``). Moves are recorded as
:class:`~salescore.domain.events.StageChanged` events, and every question
about stages — time in a stage, when an item entered or left it, how many
moves it made, whether it is stale — is answered from those events alone by
the functions at the end of this module.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

import attrs

from salescore._validation import Checker, ensure_aware, fail, label_of
from salescore.domain.events import Event, StageChanged
from salescore.errors import NotFound
from salescore.rules import Rule, Truth
from salescore.serialization import register_type

__all__ = [
    "ForecastCategory",
    "Funnel",
    "Stage",
    "StageKind",
    "StageVisit",
    "TransitionPolicy",
    "current_stage",
    "entered_at",
    "is_stale",
    "left_at",
    "move_count",
    "stage_visits",
    "time_in_stage",
    "time_in_stages",
    "unmet_requirements",
]

_KEY = re.compile(r"^[a-z][a-z0-9_]*$")


class StageKind(enum.StrEnum):
    """Whether a stage is still open, or a won or lost end."""

    OPEN = "open"
    WON = "won"
    LOST = "lost"


class ForecastCategory(enum.StrEnum):
    """Forecast categories, from least to most certain, plus omitted."""

    PIPELINE = "pipeline"
    BEST_CASE = "best_case"
    COMMIT = "commit"
    CLOSED = "closed"
    OMITTED = "omitted"


@register_type
@attrs.frozen(kw_only=True)
class Stage:
    """One stage of a funnel.

    Attributes:
        key: Snake-case identifier, unique in its funnel (``"proposal"``).
        label: Name for people; defaults to the key in words.
        kind: Open, won or lost.
        probability: The stage's default win probability in [0, 1], if any.
        forecast_category: The stage's default forecast category, if any.
        rotting_after: Age in the stage after which an item counts as stale.
        requires: Fields that must be set (not ``None``, not empty) to enter.
        entry_rule: A rule the item must satisfy to enter (evaluated with the
            move's ``at`` and ``context``); UNKNOWN counts as not met.
    """

    key: str
    label: str = attrs.field(default="")
    kind: StageKind = StageKind.OPEN
    probability: float | None = None
    forecast_category: ForecastCategory | None = None
    rotting_after: timedelta | None = None
    requires: tuple[str, ...] = ()
    entry_rule: Rule | None = None

    def __attrs_post_init__(self) -> None:
        with Checker("Stage") as c:
            if c.instance(self.key, str, "key"):
                c.check(
                    bool(_KEY.match(self.key)),
                    "key",
                    self.key,
                    "must be snake case: a lower-case letter, then letters, digits or '_'",
                )
            c.text(self.label, "label", empty=True)
            c.check(
                isinstance(self.kind, StageKind),
                "kind",
                self.kind,
                "must be a StageKind (open, won or lost)",
            )
            c.probability(self.probability, "probability", optional=True)
            c.instance(self.forecast_category, ForecastCategory, "forecast_category", optional=True)
            c.duration(self.rotting_after, "rotting_after", optional=True)
            if c.instance(self.requires, tuple, "requires"):
                for i, name in enumerate(self.requires):
                    c.text(name, f"requires[{i}]")
            c.instance(self.entry_rule, Rule, "entry_rule", optional=True)
        if not self.label:
            object.__setattr__(self, "label", label_of(self.key))
        if not isinstance(self.kind, StageKind):  # pragma: no cover - rejected above
            fail("kind", self.kind, "must be a StageKind")


@register_type
@attrs.frozen(kw_only=True)
class TransitionPolicy:
    """Which moves a funnel allows.

    Either an explicit ``table`` (stage key → the stage keys it may move
    to), or flags that generate one from the stage order:

    * ``backwards``: open stages may move to earlier open stages;
    * ``skipping``: an open stage may jump forward past the next step (if
      not, only the next open or won step is allowed);
    * ``reopen``: won and lost stages may move back to any open stage
      (otherwise they are terminal).

    Lost stages are reachable from every open stage; they are not steps of
    the progression.

    Attributes:
        table: The explicit table, or ``None`` to use the flags.
        backwards: Allow moves back to earlier open stages.
        skipping: Allow skipping forward.
        reopen: Allow leaving won and lost stages for an open one.
    """

    table: Mapping[str, frozenset[str]] | None = None
    backwards: bool = False
    skipping: bool = True
    reopen: bool = False

    @classmethod
    def explicit(cls, table: Mapping[str, Iterable[str]]) -> TransitionPolicy:
        """Build a policy from an explicit table of allowed moves.

        Args:
            table: Stage key → stage keys it may move to.

        Returns:
            The policy.
        """
        return cls(table={k: frozenset(v) for k, v in table.items()})


def _build_table(stages: Sequence[Stage], policy: TransitionPolicy) -> dict[str, frozenset[str]]:
    if policy.table is not None:
        table = {s.key: frozenset(policy.table.get(s.key, ())) for s in stages}
        return table
    progression = [s for s in stages if s.kind is not StageKind.LOST]
    position = {s.key: i for i, s in enumerate(progression)}
    lost = [s.key for s in stages if s.kind is StageKind.LOST]
    opens = [s.key for s in stages if s.kind is StageKind.OPEN]
    table = {}
    for stage in stages:
        targets: set[str] = set()
        if stage.kind is StageKind.OPEN:
            i = position[stage.key]
            for j, other in enumerate(progression):
                forward = j > i and (policy.skipping or j == i + 1)
                backward = j < i and policy.backwards and other.kind is StageKind.OPEN
                if forward or backward:
                    targets.add(other.key)
            targets.update(lost)
        elif policy.reopen:
            targets.update(opens)
        table[stage.key] = frozenset(targets)
    return table


@register_type
@attrs.frozen(kw_only=True)
class Funnel:
    """An ordered catalogue of stages with a transition policy.

    A stage's order is its position in ``stages``. Funnels are plain data and
    round-trip through :func:`~salescore.serialization.to_json`.

    Attributes:
        key: Snake-case identifier (``"b2b_pipeline"``); the ``funnel`` of
            every :class:`StageChanged` event in it.
        stages: The stages, in order; unique keys, at least one open stage.
        policy: Which moves are allowed.
        label: Name for people.
        initial: The stage items start in; defaults to the first stage.
    """

    key: str
    stages: tuple[Stage, ...]
    policy: TransitionPolicy = TransitionPolicy()
    label: str = ""
    initial: str = ""
    _index: dict[str, int] = attrs.field(init=False, eq=False, repr=False, hash=False)
    _allowed: dict[str, frozenset[str]] = attrs.field(init=False, eq=False, repr=False, hash=False)
    _free: frozenset[tuple[str, str]] = attrs.field(init=False, eq=False, repr=False, hash=False)

    def __attrs_post_init__(self) -> None:
        with Checker("Funnel") as c:
            if c.instance(self.key, str, "key"):
                c.check(bool(_KEY.match(self.key)), "key", self.key, "must be snake case")
            if c.keyed(self.stages, Stage, "stages", repeated="duplicate stage key"):
                c.check(
                    any(isinstance(s, Stage) and s.kind is StageKind.OPEN for s in self.stages),
                    "stages",
                    tuple(getattr(s, "key", s) for s in self.stages),
                    "a funnel needs at least one open stage",
                )
                keys = {getattr(s, "key", None) for s in self.stages}
                if self.initial:
                    c.check(self.initial in keys, "initial", self.initial, "is not a stage")
                table = self.policy.table
                if table is not None:
                    for src, targets in table.items():
                        c.check(src in keys, f"policy.table.{src}", src, "is not a stage")
                        for dst in sorted(targets):
                            c.check(dst in keys, f"policy.table.{src}", dst, "is not a stage")
            c.instance(self.policy, TransitionPolicy, "policy")
        if not self.label:
            object.__setattr__(self, "label", label_of(self.key))
        if not self.initial:
            object.__setattr__(self, "initial", self.stages[0].key)
        object.__setattr__(self, "_index", {s.key: i for i, s in enumerate(self.stages)})
        allowed = _build_table(self.stages, self.policy)
        object.__setattr__(self, "_allowed", allowed)
        unconditional = {s.key for s in self.stages if not s.requires and s.entry_rule is None}
        object.__setattr__(
            self,
            "_free",
            frozenset(
                (src, dst)
                for src, targets in allowed.items()
                for dst in targets
                if dst in unconditional
            ),
        )

    # --- queries ----------------------------------------------------------

    @property
    def keys(self) -> tuple[str, ...]:
        """The stage keys, in order."""
        return tuple(s.key for s in self.stages)

    def __contains__(self, key: object) -> bool:
        return key in self._index

    def stage(self, key: str) -> Stage:
        """Return the stage with this key.

        Raises:
            NotFound: no such stage.
        """
        i = self._index.get(key)
        if i is None:
            raise NotFound(
                f"{key!r} is not a stage of funnel {self.key!r} ({', '.join(self.keys)})"
            )
        return self.stages[i]

    def position(self, key: str) -> int:
        """The stage's position (0-based) in the funnel."""
        return self._index[self.stage(key).key]

    def allowed_moves(self, key: str) -> frozenset[str]:
        """The stages an item in ``key`` may move to."""
        return self._allowed[self.stage(key).key]

    def can_move(self, from_stage: str, to_stage: str) -> bool:
        """Whether the policy allows ``from_stage → to_stage``."""
        return to_stage in self._allowed.get(from_stage, ())

    def allows_freely(self, from_stage: str, to_stage: str) -> bool:
        """Whether the move is allowed and the target has no entry requirements."""
        return (from_stage, to_stage) in self._free

    def is_closed(self, key: str) -> bool:
        """Whether the stage is a won or lost end."""
        return self.stage(key).kind is not StageKind.OPEN

    def refusals(
        self,
        subject: Any,
        from_stage: str | None,
        to_stage: str,
        *,
        at: datetime | None = None,
        context: Mapping[str, Any] | None = None,
    ) -> list[str]:
        """Every reason a move would be refused (empty when it is allowed).

        Args:
            subject: The item as it would be after the move's other changes;
                its fields are checked against the target's requirements.
            from_stage: The current stage (``None`` when entering the funnel).
            to_stage: The target stage.
            at: The time of the move, handed to the entry rule.
            context: Related data for the entry rule (interactions, account…).

        Returns:
            The reasons, one sentence each.
        """
        if to_stage not in self._index:
            return [f"{to_stage!r} is not a stage of funnel {self.key!r}"]
        reasons: list[str] = []
        if from_stage is not None:
            if from_stage == to_stage:
                reasons.append(f"already in {to_stage!r}")
            elif not self.can_move(from_stage, to_stage):
                allowed = ", ".join(sorted(self._allowed.get(from_stage, ()))) or "nothing"
                reasons.append(
                    f"{self.key} does not allow {from_stage} → {to_stage} "
                    f"(allowed from {from_stage}: {allowed})"
                )
        stage = self.stages[self._index[to_stage]]
        reasons.extend(unmet_requirements(stage, subject, at=at, context=context))
        return reasons


def _is_set(value: Any) -> bool:
    if value is None:
        return False
    if isinstance(value, str | tuple | list | dict | frozenset | set):
        return len(value) > 0
    return True


def _lookup(subject: Any, path: str) -> Any:
    value = subject
    for part in path.split("."):
        if value is None:
            return None
        value = value.get(part) if isinstance(value, Mapping) else getattr(value, part, None)
    return value


def unmet_requirements(
    stage: Stage,
    subject: Any,
    *,
    at: datetime | None = None,
    context: Mapping[str, Any] | None = None,
) -> list[str]:
    """Say which of ``stage``'s entry requirements ``subject`` does not meet.

    The required fields come first, then the entry rule. The rule is
    evaluated three-valued; UNKNOWN counts as not met, and the reason names
    the fields that were unknown.

    Args:
        stage: The stage to enter.
        subject: The item (an object or a mapping); dotted paths and
            ``custom.<name>`` reach into nested values.
        at: The time of the move (for rules that depend on time).
        context: Related data for the rule.

    Returns:
        One sentence per unmet requirement, in the stage's order.
    """
    reasons = [
        f"{name} is required to enter {stage.key!r}"
        for name in stage.requires
        if not _is_set(_lookup(subject, name))
    ]
    rule = stage.entry_rule
    if rule is not None:
        explanation = rule.explain(subject, at=at, context=context)
        if explanation.result is not Truth.TRUE:
            reason = f"entry rule of {stage.key!r} is not met: {rule.to_text()}"
            if explanation.missing_fields:
                reason += f" (unknown: {', '.join(explanation.missing_fields)})"
            reasons.append(reason)
    return reasons


# --- folds over history ------------------------------------------------------


@register_type
@attrs.frozen
class StageVisit:
    """One stay of an item in a stage.

    Attributes:
        stage: The stage key.
        entered_at: When the item entered it.
        left_at: When it left, or ``None`` if it is still there.
    """

    stage: str
    entered_at: datetime
    left_at: datetime | None

    def duration(self, at: datetime | None = None) -> timedelta:
        """How long the visit lasted (until ``at`` if it is still open).

        Raises:
            ValidationError: the visit is open and ``at`` is not given, or
                ``at`` is before the entry.
        """
        end = self.left_at
        if end is None:
            if at is None:
                fail("at", at, f"is needed: the item is still in {self.stage!r}")
            end = ensure_aware(at)
            if end < self.entered_at:
                fail("at", at, f"is before the item entered {self.stage!r}")
        return end - self.entered_at


def _funnel_key(funnel: Funnel | str) -> str:
    return funnel.key if isinstance(funnel, Funnel) else funnel


def stage_visits(events: Iterable[Event], funnel: Funnel | str) -> tuple[StageVisit, ...]:
    """Every stay in every stage of ``funnel``, in order, from events alone.

    Args:
        events: An item's history (or any events of one item).
        funnel: The funnel or its key.

    Returns:
        The visits, oldest first; the last one is open if the item is there.
    """
    key = _funnel_key(funnel)
    visits: list[StageVisit] = []
    for e in events:
        if type(e) is not StageChanged or e.funnel != key:
            continue
        if visits and visits[-1].left_at is None:
            last = visits[-1]
            visits[-1] = StageVisit(last.stage, last.entered_at, e.at)
        visits.append(StageVisit(e.to_stage, e.at, None))
    return tuple(visits)


def current_stage(events: Iterable[Event], funnel: Funnel | str) -> str | None:
    """The stage an item is in, from events alone (``None`` if never entered)."""
    key = _funnel_key(funnel)
    stage: str | None = None
    for e in events:
        if type(e) is StageChanged and e.funnel == key:
            stage = e.to_stage
    return stage


def time_in_stage(
    events: Iterable[Event],
    funnel: Funnel | str,
    stage: str,
    *,
    at: datetime | None = None,
    latest: bool = False,
) -> timedelta:
    """Time an item spent in ``stage``: all visits added up, or the latest.

    Args:
        events: The item's history.
        funnel: The funnel or its key.
        stage: The stage key.
        at: The present, needed when the item is still in ``stage``.
        latest: Only the latest visit instead of the total.

    Returns:
        The time; zero if the item never was in the stage.

    Raises:
        ValidationError: the item is in ``stage`` and ``at`` is missing.
    """
    visits = [v for v in stage_visits(events, funnel) if v.stage == stage]
    if not visits:
        return timedelta(0)
    if latest:
        return visits[-1].duration(at)
    return sum((v.duration(at) for v in visits), timedelta(0))


def time_in_stages(
    events: Iterable[Event], funnel: Funnel | str, *, at: datetime | None = None
) -> dict[str, timedelta]:
    """Total time in each stage visited, in order of first entry.

    The values add up to the time from entering the funnel to ``at`` (or to
    the last move, if the item is no longer in the funnel).

    Raises:
        ValidationError: the item is in a stage and ``at`` is missing.
    """
    totals: dict[str, timedelta] = {}
    for v in stage_visits(events, funnel):
        totals[v.stage] = totals.get(v.stage, timedelta(0)) + v.duration(at)
    return totals


def entered_at(events: Iterable[Event], funnel: Funnel | str, stage: str) -> datetime | None:
    """When the item last entered ``stage`` (``None`` if never)."""
    visits = [v for v in stage_visits(events, funnel) if v.stage == stage]
    return visits[-1].entered_at if visits else None


def left_at(events: Iterable[Event], funnel: Funnel | str, stage: str) -> datetime | None:
    """When the item last left ``stage`` (``None`` if never, or still there)."""
    visits = [v for v in stage_visits(events, funnel) if v.stage == stage]
    return visits[-1].left_at if visits else None


def move_count(events: Iterable[Event], funnel: Funnel | str) -> int:
    """Number of moves in the funnel (the entry at creation is not a move)."""
    key = _funnel_key(funnel)
    return sum(
        1
        for e in events
        if type(e) is StageChanged and e.funnel == key and e.from_stage is not None
    )


def is_stale(events: Iterable[Event], funnel: Funnel, *, at: datetime) -> bool:
    """Whether the item has sat in its current stage longer than its rotting age.

    Args:
        events: The item's history.
        funnel: The funnel (its stages carry ``rotting_after``).
        at: The present.

    Returns:
        ``True`` if the current stage has a rotting age and the latest visit
        is older than it; ``False`` otherwise (closed stages never rot unless
        they have a rotting age).
    """
    visits = stage_visits(events, funnel)
    if not visits:
        return False
    current = visits[-1]
    limit = funnel.stage(current.stage).rotting_after
    return limit is not None and current.duration(at) > limit
