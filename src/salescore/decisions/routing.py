"""Routing: who gets a new lead (or case, or deal), decided by rules, explained.

A :class:`RoutingTable` holds ordered rules and a default :class:`Target`;
:func:`route` picks the first rule that matches and whose target can take the
work. Guide: :doc:`/routing`.
"""

from __future__ import annotations

import enum
import functools
import itertools
import operator
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Final, Protocol

import attrs

from salescore._codegen import slot_builder
from salescore._validation import Checker, as_tuple, ensure_aware, is_collection, line_ok
from salescore.calendar import BusinessCalendar
from salescore.decisions._evaluation import check_subject, missing_fields
from salescore.domain._fields import frozen as _frozen
from salescore.domain.team import Rep, Team
from salescore.errors import FieldError, ValidationError
from salescore.frozen import EMPTY, FrozenDict
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
        hold: When the rep (or every rep of the team) is outside working
            hours but could otherwise take the work, give it to them anyway,
            held until their calendar's next opening
            (:attr:`RoutingDecision.hold_until`), instead of passing it on.

    Raises:
        ValidationError: Every bad field at once.
    """

    kind: TargetKind
    id: str
    strategy: Strategy = Strategy.ROUND_ROBIN
    hold: bool = False

    def __attrs_post_init__(self) -> None:
        with Checker("Target") as c:
            c.instance(self.kind, TargetKind, "kind")
            c.text(self.id, "id")
            c.instance(self.strategy, Strategy, "strategy")
            c.instance(self.hold, bool, "hold")
            c.check(
                not self.hold or self.kind is not TargetKind.QUEUE,
                "hold",
                self.hold,
                "a queue has no working hours to wait for",
            )

    @classmethod
    def rep(cls, rep_id: str, *, hold: bool = False) -> Target:
        """Send the work to this rep (``hold``: wait for their working hours)."""
        return cls(kind=TargetKind.REP, id=rep_id, hold=hold)

    @classmethod
    def team(
        cls, team_id: str, strategy: Strategy | str = Strategy.ROUND_ROBIN, *, hold: bool = False
    ) -> Target:
        """Send the work to a rep of this team, picked by ``strategy``.

        Raises:
            ValidationError: An unknown strategy.
        """
        if not isinstance(strategy, Strategy):
            if strategy not in Strategy._value2member_map_:
                raise ValidationError.single(
                    "strategy", strategy, "must be round_robin or least_loaded"
                )
            strategy = Strategy(strategy)
        return cls(kind=TargetKind.TEAM, id=team_id, strategy=strategy, hold=hold)

    @classmethod
    def queue(cls, queue_id: str) -> Target:
        """Put the work in this queue (it always accepts)."""
        return cls(kind=TargetKind.QUEUE, id=queue_id)

    def __str__(self) -> str:
        held = ", held until open" if self.hold else ""
        if self.kind is TargetKind.TEAM:
            return f"team {self.id!r} ({self.strategy.value.replace('_', '-')}{held})"
        return f"{self.kind.value} {self.id!r}" + (f" ({held[2:]})" if held else "")


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


_Directory = Iterable[Any] | Mapping[str, Any]


def _index(items: Any, path: str) -> dict[str, Any] | None:
    """Reps, teams or queues by id (from objects with ``id``, ids, or a mapping by id).

    Raises:
        ValidationError: ``items`` is no such collection, naming each bad entry.
    """
    if items is None:
        return None
    if isinstance(items, Mapping):
        pairs = list(items.items())
    elif not is_collection(items):
        raise ValidationError.single(path, items, "must be a collection of objects with an id")
    else:
        if type(items) is list or type(items) is tuple:
            # The common case in one pass: objects whose id is a non-empty string.
            index: dict[str, Any] = {}
            for item in items:
                key = item if type(item) is str else getattr(item, "id", None)
                if type(key) is not str or not key:
                    break
                index[key] = item
            else:
                return index
        pairs = [
            (item if isinstance(item, str) else getattr(item, "id", None), item) for item in items
        ]
    if all(type(key) is str and key for key, _ in pairs):
        return dict(pairs)
    errors = [
        FieldError(f"{path}[{i}]", item, "has no id (a non-empty string)")
        for i, (key, item) in enumerate(pairs)
        if not isinstance(key, str) or not key
    ]
    if errors:
        raise ValidationError(errors, "routing")
    return dict(pairs)


#: The last directory indexed from a tuple, by parameter: (the tuple, its index).
_LAST_INDEX: dict[str, tuple[tuple[Any, ...], dict[str, Any]]] = {}


def _index_of_tuple(items: Any, path: str) -> dict[str, Any] | None:
    """:func:`_index`, remembered for a tuple of ids, reps and teams (exact types).

    Those entries cannot change their ids, and a tuple cannot change its
    entries, so the same tuple has the same index; the tuple is kept with
    it, so that no other object can take its id meanwhile. The index is
    shared: callers only read it.
    """
    if type(items) is not tuple:
        return _index(items, path)
    found = _LAST_INDEX.get(path)
    if found is not None and found[0] is items:
        return found[1]
    index = _index(items, path)
    if index is not None and all(type(item) in _IMMUTABLE_ENTRIES for item in items):
        _LAST_INDEX[path] = (items, index)
    return index


#: The last (table, default, team index) that passed :func:`_check_targets` without
#: queues, with a team index remembered by :func:`_index_of_tuple`.
_LAST_CHECKED: list[tuple[Any, Any, dict[str, Any]]] = []


def _checked_before(table: Any, default: Any, team_index: dict[str, Any]) -> bool:
    """Whether these very objects passed :func:`_check_targets` last time (no queues).

    Only a :class:`RoutingTable` (its rules and targets cannot change) with a
    team index remembered for a tuple of ids, reps and teams (its entries
    cannot change either) is recorded; all three are kept with the record,
    so that no other object can take their ids meanwhile. The same three
    pass the same checks again.
    """
    if not _LAST_CHECKED:
        return False
    last = _LAST_CHECKED[0]
    return last[0] is table and last[1] is default and last[2] is team_index


def _check_targets(
    table: Any,
    rules: tuple[RoutingRule, ...],
    fallback: Target | None,
    default: Any,
    team_index: dict[str, Any],
    queues: Any,
) -> None:
    """Refuse bad teams, a bad default and targets naming unknown teams or queues.

    Raises:
        ValidationError: Naming every bad team, or every unknown target, at once.
    """
    bad_teams = [
        FieldError(f"teams.{key}.rep_ids", getattr(team, "rep_ids", None), "must be rep ids")
        for key, team in team_index.items()
        if type(team) is not Team and not _rep_ids(getattr(team, "rep_ids", None))
    ]
    if bad_teams:
        raise ValidationError(bad_teams, "routing")
    if default is not None and not isinstance(default, Target):
        raise ValidationError.single("default", default, "must be a Target")
    queue_ids = None if queues is None else _ids(queues, "queues")
    if not all(
        t.kind is TargetKind.REP
        or (
            t.id in team_index
            if t.kind is TargetKind.TEAM
            else queue_ids is None or t.id in queue_ids
        )
        for t in itertools.chain((r.target for r in rules), () if fallback is None else (fallback,))
    ):
        known: dict[TargetKind, set[str] | None] = {TargetKind.TEAM: set(team_index)}
        if queues is not None:
            known[TargetKind.QUEUE] = queue_ids
        targets = [(f"rules[{i}].target", r.target) for i, r in enumerate(rules)]
        if fallback is not None:
            targets.append(("default", fallback))
        raise ValidationError(_unknown_targets(targets, known), "routing")
    remembered = _LAST_INDEX.get("teams")
    if (
        queues is None
        and type(table) is RoutingTable
        and remembered is not None
        and remembered[1] is team_index
    ):
        _LAST_CHECKED[:] = [(table, default, team_index)]


def _rep_ids(value: Any) -> bool:
    """Whether ``value`` is a sequence of rep ids (not a string)."""
    if type(value) is tuple or type(value) is list:
        return True
    return not isinstance(value, str | bytes) and isinstance(value, Sequence)


def _ids(items: _Directory | None, path: str) -> set[str] | None:
    index = _index(items, path)
    return None if index is None else set(index)


_PARAMETER = {TargetKind.REP: "reps", TargetKind.TEAM: "teams", TargetKind.QUEUE: "queues"}


def _unknown_targets(
    targets: Iterable[tuple[str, Target]], known: Mapping[TargetKind, set[str] | None]
) -> list[FieldError]:
    """A :class:`FieldError` for each target whose kind has a directory that lacks it."""
    errors = []
    for path, target in targets:
        ids = known.get(target.kind)
        if ids is None and target.kind in known:
            errors.append(
                FieldError(
                    f"{path}.id",
                    target.id,
                    f"is not a known {target.kind.value}: no {_PARAMETER[target.kind]}= given",
                )
            )
        elif ids is not None and target.id not in ids:
            errors.append(
                FieldError(
                    f"{path}.id",
                    target.id,
                    f"is not a known {target.kind.value} (not in {_PARAMETER[target.kind]}=)",
                )
            )
    return errors


@attrs.frozen(kw_only=True, init=False)
class RoutingTable:
    """Routing rules in order, and where work goes when none takes it.

    Args:
        key: The table's key.
        rules: Evaluated in order; first match (that can take the work) wins.
        default: The fallback target, or ``None`` to leave work unassigned.
        capacity_key: Which of a rep's capacities limits this work
            (``"open_leads"``).
        subject: The type the table routes (``Lead``; or a rule schema, or
            anything with ``__rule_schema__``): every rule's condition is
            checked against it now, so a misspelled field is refused with the
            nearest spelling. Not stored; ``None`` checks nothing.
        reps: The reps the targets may name (objects with ``id``, or ids).
        teams: The teams the targets may name.
        queues: The queues the targets may name. When any of ``reps``,
            ``teams`` and ``queues`` is given, every target must be found in
            the directory of its kind, and a kind whose directory is not given
            has none. Not stored; when none is given nothing is checked.

    Raises:
        ValidationError: Every bad field at once (duplicate rule keys too,
            fields the subject type does not have, unknown targets).
    """

    key: str
    rules: tuple[RoutingRule, ...] = attrs.field(converter=as_tuple)
    default: Target | None = None
    capacity_key: str = "open_leads"

    def __init__(
        self,
        *,
        key: str,
        rules: Sequence[RoutingRule],
        default: Target | None = None,
        capacity_key: str = "open_leads",
        subject: Any = None,
        reps: _Directory | None = None,
        teams: _Directory | None = None,
        queues: _Directory | None = None,
    ) -> None:
        self.__attrs_init__(key=key, rules=rules, default=default, capacity_key=capacity_key)
        check_subject(
            subject,
            ((f"rules[{i}].rule", r.rule, None) for i, r in enumerate(self.rules)),
            "RoutingTable",
        )
        if reps is not None or teams is not None or queues is not None:
            known = {
                TargetKind.REP: _ids(reps, "reps"),
                TargetKind.TEAM: _ids(teams, "teams"),
                TargetKind.QUEUE: _ids(queues, "queues"),
            }
            errors = _unknown_targets(self.targets(), known)
            if errors:
                raise ValidationError(errors, "RoutingTable")

    def targets(self) -> list[tuple[str, Target]]:
        """Every target with its path: ``rules[i].target``, then ``default``."""
        out = [(f"rules[{i}].target", r.target) for i, r in enumerate(self.rules)]
        if self.default is not None:
            out.append(("default", self.default))
        return out

    def __attrs_post_init__(self) -> None:
        with Checker("RoutingTable") as c:
            c.text(self.key, "key")
            c.text(self.capacity_key, "capacity_key")
            c.instance(self.default, Target, "default", optional=True)
            c.keyed(self.rules, RoutingRule, "rules")


def _as_counts(value: Any) -> Any:
    if isinstance(value, Mapping) and type(value) is not FrozenDict:
        return dict(value)
    return value  # a FrozenDict is kept: it cannot change


def _as_nested(value: Any) -> Any:
    if isinstance(value, Mapping) and type(value) is not FrozenDict:
        return {k: _as_counts(v) for k, v in value.items()}
    return value


def _check_nested(c: Checker, value: Any, path: str, *, integer: bool) -> None:
    if c.instance(value, dict, path):
        for team, counts in value.items():
            c.text(team, path)
            if c.instance(counts, dict, f"{path}.{team}"):
                for rep, n in counts.items():
                    c.text(rep, f"{path}.{team}")
                    c.number(n, f"{path}.{team}.{rep}", integer=integer, minimum=0)


@attrs.frozen(kw_only=True)
class RoutingState:
    """Round-robin cursors, shares and open loads: the memory of routing, as a value.

    Args:
        cursors: Team id → the rep who got that team's last item.
        loads: Rep id → open items (absent means 0).
        expected: Team id → rep id → the rep's share of the team's
            round-robin items so far: each decision adds to every rep who
            could take the work their weight's part of one item.
        given: Team id → rep id → how many items the team's round robin gave
            the rep.

    Raises:
        ValidationError: Bad ids or a negative count.
    """

    cursors: Mapping[str, str] = attrs.field(factory=dict, converter=_as_counts)
    loads: Mapping[str, int] = attrs.field(factory=dict, converter=_as_counts)
    expected: Mapping[str, Mapping[str, float]] = attrs.field(factory=dict, converter=_as_nested)
    given: Mapping[str, Mapping[str, int]] = attrs.field(factory=dict, converter=_as_nested)

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
            _check_nested(c, self.expected, "expected", integer=False)
            _check_nested(c, self.given, "given", integer=True)

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
        return attrs.evolve(self, cursors=cursors, loads=loads)

    def release(self, rep_id: str, n: int = 1) -> RoutingState:
        """Return the state after ``n`` of a rep's items were closed (never below 0)."""
        loads = dict(self.loads)
        left = max(0, loads.get(rep_id, 0) - n)
        if left:
            loads[rep_id] = left
        else:
            loads.pop(rep_id, None)
        return attrs.evolve(self, loads=loads)

    def _shared(self, team_id: str, expected: Mapping[str, float], rep_id: str) -> RoutingState:
        """The state after a round-robin decision of ``team_id`` gave ``rep_id`` one item.

        The same as ``assigned(rep_id, team_id)`` with the team's shares
        updated, in one step.
        """
        loads = dict(self.loads)
        loads[rep_id] = loads.get(rep_id, 0) + 1
        given = dict(self.given.get(team_id, {}))
        given[rep_id] = given.get(rep_id, 0) + 1
        return attrs.evolve(
            self,
            cursors={**self.cursors, team_id: rep_id},
            loads=loads,
            expected={**self.expected, team_id: dict(expected)},
            given={**self.given, team_id: given},
        )

    def _after_checked(
        self, rep_id: str, team_id: str | None = None, expected: Mapping[str, float] | None = None
    ) -> RoutingState:
        """:meth:`_after` through the public, checking constructor."""
        if expected is None:
            return self.assigned(rep_id, team_id)
        assert team_id is not None
        return self._shared(team_id, expected, rep_id)

    @classmethod
    def _trusted(
        cls,
        cursors: Mapping[str, str],
        loads: Mapping[str, int],
        expected: Mapping[str, Mapping[str, float]],
        given: Mapping[str, Mapping[str, int]],
    ) -> RoutingState:
        """A state from FrozenDicts known to be valid, built without checking them again."""
        return _new_state(cursors, loads, expected, given)

    def _after(
        self, rep_id: str, team_id: str | None = None, expected: Mapping[str, float] | None = None
    ) -> RoutingState:
        """The state after routing gave ``rep_id`` one item, built from this (valid) one.

        The same as ``assigned(rep_id, team_id)``, or with ``expected`` (the
        team's new round-robin shares) as ``_shared(team_id, expected,
        rep_id)``, without copying and checking the unchanged parts again.
        Only the new ids and shares are checked; anything they would not
        pass takes the checked path, which refuses it as before.
        """
        # Ids this state holds were checked when they came in.
        known: Mapping[str, Any] = (
            self.loads if team_id is None or expected is None else self.expected.get(team_id, EMPTY)
        )
        new_ids = (rep_id,) if expected is None else (rep_id, *expected)
        for r in new_ids:
            if type(r) is not str or (r not in known and not line_ok(r)):
                return self._after_checked(rep_id, team_id, expected)
        if expected is not None:
            for v in expected.values():
                if not 0 <= v < _INF:
                    return self._after_checked(rep_id, team_id, expected)
        loads = dict(self.loads)
        loads[rep_id] = loads.get(rep_id, 0) + 1
        cursors = self.cursors
        if team_id is not None:
            cursors = _frozen({**cursors, team_id: rep_id})
        shares, given_all = self.expected, self.given
        if expected is not None:
            assert team_id is not None
            given = dict(given_all.get(team_id, EMPTY))
            given[rep_id] = given.get(rep_id, 0) + 1
            shares = _frozen({**shares, team_id: _frozen(dict(expected))})
            given_all = _frozen({**given_all, team_id: _frozen(given)})
        return RoutingState._trusted(cursors, _frozen(loads), shares, given_all)

    def _counted(
        self,
        rep_id: str,
        team_id: str,
        expected: FrozenDict,
        given: Mapping[str, int],
    ) -> RoutingState:
        """The state after a round robin of ``team_id`` gave ``rep_id`` one item.

        As :meth:`_after` with ``expected``, for a rep and shares whose ids
        this state holds already (under the team's shares) and shares that
        only grew from this state's: nothing new to check, and ``given`` is
        the team's counts of this state.
        """
        loads = self.loads
        counts = _with(given, rep_id, given.get(rep_id, 0) + 1)
        return _new_state(
            _with(self.cursors, team_id, rep_id),
            _with(loads, rep_id, loads.get(rep_id, 0) + 1),
            _with(self.expected, team_id, expected),
            _with(self.given, team_id, counts),
        )


def _with(items: Mapping[str, Any], key: str, value: Any) -> FrozenDict:
    """``_frozen({**items, key: value})``: a copy of ``items`` (frozen values), ``key`` set."""
    out = _new_dict(FrozenDict)
    _update(out, items)
    _set_item(out, key, value)
    out._hash = None
    return out


def _frozen_pairs(pairs: Mapping[str, Any] | Iterable[tuple[str, Any]]) -> FrozenDict:
    """``FrozenDict(pairs)`` for values that are already frozen (scalars)."""
    out = _new_dict(FrozenDict)
    _update(out, pairs)
    out._hash = None
    return out


_INF: Final = float("inf")
_new_dict: Final = dict.__new__
_update: Final = dict.update
_set_item: Final = dict.__setitem__
#: Shares and counts below this differ by about their difference (well above 1e-9).
_EXACT: Final = 2**31
_ZEROS: Final = itertools.repeat(0)
_repeat: Final = itertools.repeat
_IMMUTABLE_ENTRIES: Final = frozenset({str, Rep, Team})


class _Calendar(Protocol):
    def is_open(self, at: datetime) -> bool: ...

    def next_opening(self, at: datetime) -> datetime: ...


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
        hold_until: With a holding target whose rep was outside working
            hours: the rep calendar's next opening (UTC), from when the work
            should reach them; ``None`` when it can be worked now.
    """

    owner_kind: TargetKind | None
    owner_id: str | None
    rule_key: str | None
    target: Target | None
    reason: str
    trail: tuple[RuleCheck, ...]
    unknown_fields: tuple[str, ...]
    state: RoutingState
    hold_until: datetime | None = None

    @property
    def assigned(self) -> bool:
        """Whether someone (a rep or a queue) got the work."""
        return self.owner_id is not None


class _Taken:
    """What a target did with the work: who took it (if anyone), why, and the state after."""

    __slots__ = ("hold_until", "note", "owner", "state")

    def __init__(
        self,
        owner: str | None,
        note: str,
        state: RoutingState,
        hold_until: datetime | None = None,
    ) -> None:
        self.owner = owner
        self.note = note
        self.state = state
        self.hold_until = hold_until


class _Router:
    __slots__ = ("at", "capacity_key", "closed", "open", "reps", "state", "teams")

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
        #: Reps whose only obstacle is their calendar, with its next opening.
        self.closed: dict[str, datetime | None] = {}
        #: Whether each business calendar met so far is open at ``at`` (by identity: a
        #: calendar is an immutable value, and the reps hold it during the decision).
        self.open: dict[int, bool] = {}

    def unavailable(self, rep_id: str) -> str | None:
        """Why a rep cannot take work now, or ``None`` if they can."""
        if self.reps is None:
            return None
        rep = self.reps.get(rep_id)
        if rep is None:
            return f"{rep_id} is not a known rep"
        if getattr(rep, "active", True) is False:
            return f"{rep_id} is inactive"
        capacities = getattr(rep, "capacities", None) or {}
        cap = capacities.get(self.capacity_key)
        if cap is not None:
            load = self.state.load(rep_id)
            if load >= cap:
                return f"{rep_id} is at capacity ({load}/{cap})"
        calendar: _Calendar | None = getattr(rep, "calendar", None)
        if calendar is None:
            return None
        if type(calendar) is BusinessCalendar:
            is_open = self.open.get(id(calendar))
            if is_open is None:
                is_open = self.open[id(calendar)] = calendar.is_open(self.at)
        else:
            is_open = calendar.is_open(self.at)
        if not is_open:
            if rep_id not in self.closed:
                try:
                    self.closed[rep_id] = calendar.next_opening(self.at).astimezone(UTC)
                except ValidationError:  # the calendar never opens again
                    self.closed[rep_id] = None
            return f"{rep_id} is outside working hours"
        return None

    def held(self, order: Sequence[str]) -> tuple[str, datetime] | None:
        """The rep (in ``order``) whose calendar opens first, and when; ties keep the order."""
        best: tuple[str, datetime] | None = None
        for rep_id in order:
            opening = self.closed.get(rep_id)
            if opening is not None and (best is None or opening < best[1]):
                best = (rep_id, opening)
        return best

    def take(self, target: Target) -> _Taken:
        """What ``target`` does with the work."""
        state = self.state
        if target.kind is TargetKind.QUEUE:
            return _Taken(target.id, f"queued in {target.id}", state)
        if target.kind is TargetKind.REP:
            why = self.unavailable(target.id)
            if why is None:
                return _Taken(target.id, f"assigned to {target.id}", state._after(target.id))
            hold = self.held([target.id]) if target.hold else None
            if hold is None:
                return _Taken(None, why, state)
            return _Taken(
                target.id,
                f"{why}: held until {_when(hold[1])}",
                state._after(target.id),
                hold[1],
            )
        team = self.teams[target.id]
        if target.strategy is Strategy.ROUND_ROBIN:
            plan = _plan_of(team, self.reps, self.capacity_key)
            if plan is not None:
                taken = self._round_robin(plan, target.id)
                if taken is not None:
                    return taken
        members = list(team.rep_ids)
        if not members:
            return _Taken(None, f"team {target.id} has no reps", state)
        last = state.cursors.get(target.id)
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
            hold = self.held(order) if target.hold else None
            if hold is None:
                return _Taken(None, f"no rep of team {target.id} is available: {whys}", state)
            rep_id, opening = hold
            if target.strategy is Strategy.ROUND_ROBIN:
                after = state._after(rep_id, target.id, state.expected.get(target.id, EMPTY))
            else:
                after = state._after(rep_id, target.id)
            return _Taken(
                rep_id,
                f"no rep of team {target.id} is available ({whys}): held for {rep_id}, "
                f"the first back, until {_when(opening)}",
                after,
                opening,
            )
        if target.strategy is Strategy.LEAST_LOADED:
            chosen = min(available, key=state.load)
            note = f"{chosen} has the least load in team {target.id} ({state.load(chosen)})"
            return _Taken(chosen, note, state._after(chosen, target.id))
        weights = self.weights(members)
        expected = dict(state.expected.get(target.id, {}))
        total = sum([weights[r] for r in available])
        for r in available:
            expected[r] = expected.get(r, 0.0) + weights[r] / total
        given = state.given.get(target.id, EMPTY)
        # The rep furthest behind their share; ties keep the rotation order (the first).
        behind = [round(expected[r] - given.get(r, 0), 9) for r in available]
        chosen = available[behind.index(max(behind))]
        if chosen == available[0]:
            note = f"{chosen} is next in team {target.id}'s rotation"
        else:
            note = (
                f"{chosen} is furthest behind their share of team {target.id}'s work "
                f"({given.get(chosen, 0)} given, {expected[chosen]:.2f} due)"
            )
        if reasons:
            skipped = [w for i, w in reasons if i < order.index(chosen)]
            if skipped:
                note += " (skipped: " + "; ".join(skipped) + ")"
        after = state._after(chosen, target.id, expected)
        return _Taken(chosen, note, after)

    def _round_robin(self, plan: _TeamPlan, team_id: str) -> _Taken | None:
        """The round robin of ``plan``'s team, when some member can take the work.

        The same decision as the general path of :meth:`take`, computed over
        the members by position, without asking each rep's availability
        (``plan`` knows which checks can fail) or building the rotation;
        ``None`` when no member can take the work or the team's shares hold
        other reps than its members (the general path decides then).
        """
        state = self.state
        ok = plan.availability(self, state.loads)
        if ok is not None and True not in ok:
            return None
        members = plan.members
        n = len(members)
        start = plan.position.get(state.cursors.get(team_id, ""), -1) + 1
        if start == n:
            start = 0
        shares = state.expected.get(team_id, EMPTY)
        given = state.given.get(team_id, EMPTY)
        # What the plan holds is read once, as a whole: each part is replaced, never changed.
        last = plan.last
        layout: _Layout | None
        if last is not None and last[0] is shares and last[1] is given:
            layout = last[6]
        else:
            last = None
            layout = plan.layout
            if layout is None or tuple(shares) != layout[0]:
                layout = plan.align(tuple(shares))
                if layout is None:
                    return None
        keys = layout[0]
        weights = self.weights(members) if self.reps is not None else plan.ones
        if ok is not None:
            plan.last = None
            return self._partial_turn(plan, layout, team_id, start, ok, weights, shares, given)
        parts, part = plan.fitted(weights, start, layout)
        if part is not None:
            if last is None:
                last = plan.remember(shares, given, layout)
            if last is not None:
                return self._even_turn(plan, team_id, start, last, part)
        plan.last = None
        # Each rep's new share: the same additions as the general path, rep by rep.
        values = list(map(operator.add, shares.values(), parts))
        # How far behind their share each rep is (by member position), from the cursor on.
        behind = list(map(operator.sub, values, map(given.get, keys, _ZEROS)))
        if layout[3] is not None:  # the shares are not in the members' order
            behind = list(layout[3](behind))
        behind = behind[start:] + behind[:start]
        # The general path picks the first of the largest ``round(x, 9)``; rounding keeps
        # the order, so only values within rounding distance of the largest can tie it.
        top = max(behind)
        cut = top - (1e-8 + abs(top) * 1e-12)
        best = round(top, 9)
        first = 0
        for first in itertools.compress(itertools.count(), map(operator.le, _repeat(cut), behind)):
            if round(behind[first], 9) == best:
                break
        chosen = members[(start + first) % n]
        expected = _frozen_pairs(zip(keys, values, strict=True))
        return _Taken(
            chosen,
            self._turn_note(chosen, team_id, first, given, expected),
            state._counted(chosen, team_id, expected, given),
        )

    def _partial_turn(
        self,
        plan: _TeamPlan,
        layout: _Layout,
        team_id: str,
        start: int,
        ok: list[bool],
        weights: Mapping[str, float],
        shares: Mapping[str, float],
        given: Mapping[str, int],
    ) -> _Taken:
        """The round robin when only the members ``ok`` marks can take the work.

        The general path's steps over the available members in rotation
        order; a skipped rep's reason is asked only for the note, when they
        come before the chosen one.
        """
        state = self.state
        members = plan.members
        n = len(members)
        slot = layout[2]
        available = [i for i in itertools.chain(range(start, n), range(start)) if ok[i]]
        total = sum([weights[members[i]] for i in available])
        values = list(shares.values())
        for i in available:
            j = slot[i]
            values[j] = values[j] + weights[members[i]] / total
        behind = [round(values[slot[i]] - given.get(members[i], 0), 9) for i in available]
        first = behind.index(max(behind))
        at = available[first]
        chosen = members[at]
        expected = _frozen_pairs(zip(layout[0], values, strict=True))
        note = self._turn_note(chosen, team_id, first, given, expected)
        skipped = []
        for k in range((at - start) % n):
            i = (start + k) % n
            why = None if ok[i] else self.unavailable(members[i])
            if why is not None:
                skipped.append(why)
        if skipped:
            note += " (skipped: " + "; ".join(skipped) + ")"
        return _Taken(chosen, note, state._counted(chosen, team_id, expected, given))

    def _even_turn(
        self,
        plan: _TeamPlan,
        team_id: str,
        start: int,
        last: _Last,
        part: float,
    ) -> _Taken:
        """The round robin when every rep has the same share and gets the same part.

        Then every new share is the same sum, and being further behind one's
        share is having been given fewer items: the first rep from the cursor
        on with the fewest items is chosen (``plan.remember`` made sure the
        counts are small enough for the differences to be exact).
        """
        counts, fewest, left = last[2], last[4], last[5]
        value = last[3] + part
        try:
            at = counts.index(fewest, start)
        except ValueError:
            at = counts.index(fewest)
        chosen = plan.members[at]
        first = at - start if at >= start else at - start + len(counts)
        given, layout = last[1], last[6]
        expected = _frozen_pairs(dict.fromkeys(layout[1], value))
        after = self.state._counted(chosen, team_id, expected, given)
        note = self._turn_note(chosen, team_id, first, given, expected)
        # The next decision starts from this one's state: its counts, one more for ``chosen``.
        counts = counts.copy()
        counts[at] += 1
        left -= 1
        if not left:
            fewest = min(counts)
            left = counts.count(fewest)
        plan.last = (expected, after.given[team_id], counts, value, fewest, left, layout)
        return _Taken(chosen, note, after)

    @staticmethod
    def _turn_note(
        chosen: str,
        team_id: str,
        first: int,
        given: Mapping[str, int],
        expected: Mapping[str, float],
    ) -> str:
        """Why the round robin chose ``chosen``, ``first`` places after the cursor."""
        if first == 0:
            return f"{chosen} is next in team {team_id}'s rotation"
        return (
            f"{chosen} is furthest behind their share of team {team_id}'s work "
            f"({given.get(chosen, 0)} given, {expected[chosen]:.2f} due)"
        )

    def weights(self, members: Sequence[str]) -> dict[str, float]:
        """Each member's round-robin weight, fitted to the calendars of ``at``'s week."""
        if self.reps is None:
            return dict.fromkeys(members, 1.0)
        reps = self.reps
        team = tuple(members)
        fit = _RECENT_FITS.get(team)
        if fit is not None and fit[0] is reps and fit[1] <= self.at < fit[2]:
            return fit[3]
        calendars = tuple([getattr(reps.get(m), "calendar", None) for m in members])
        at = self.at.astimezone(UTC)
        if all(c is None for c in calendars):
            weights = dict.fromkeys(members, 1.0)
            self._remember(team, calendars, at, weights)
            return weights
        # The week by its Monday's ordinal (UTC): a cheaper key than the datetime.
        week = at.toordinal() - at.weekday()
        key = (tuple(map(id, calendars)), week)
        found = _RECENT_WEIGHTS.get(key)
        if found is not None and all(map(operator.is_, found[0], calendars)):
            fitted = found[1]
        else:
            monday = datetime.combine(date.fromordinal(week), time(0), UTC)
            try:
                fitted = _fitted_weights(calendars, monday)
            except TypeError:  # a calendar that cannot be hashed: not cached
                fitted = _fitted_weights.__wrapped__(calendars, monday)
            if all(c is None or type(c) is BusinessCalendar for c in calendars):
                if len(_RECENT_WEIGHTS) >= 64:
                    _RECENT_WEIGHTS.clear()
                _RECENT_WEIGHTS[key] = (calendars, fitted)
        weights = dict(zip(members, fitted, strict=True))
        self._remember(team, calendars, at, weights)
        return weights

    def _remember(
        self, team: tuple[str, ...], calendars: tuple[Any, ...], at: datetime, weights: Any
    ) -> None:
        """Keep ``team``'s weights of ``at``'s week (UTC) for the next decisions.

        Only for reps indexed from a tuple of reps (whose index is kept and
        whose entries cannot change) with business calendars or none: the
        same index, members and week give the same weights. The index is kept
        with them, so that no other object can take its id meanwhile.
        """
        remembered = _LAST_INDEX.get("reps")
        if remembered is None or remembered[1] is not self.reps:
            return
        if not all(c is None or type(c) is BusinessCalendar for c in calendars):
            return
        monday = datetime.combine(date.fromordinal(at.toordinal() - at.weekday()), time(0), UTC)
        if len(_RECENT_FITS) >= 64:
            _RECENT_FITS.clear()
        _RECENT_FITS[team] = (self.reps, monday, monday + _WEEK, weights)


class _TeamPlan:
    """What the round robin of a team reads of its members, worked out once.

    Only for a :class:`Team` (its members cannot change) with reps indexed
    from a tuple of ids and reps (kept by :func:`_index_of_tuple`: their ids,
    activity, capacities and calendars cannot change), or no reps at all.
    """

    __slots__ = (
        "blocked",
        "calendars",
        "caps",
        "fits",
        "last",
        "layout",
        "members",
        "ones",
        "position",
        "reps",
        "team",
        "usable",
    )

    def __init__(self, team: Team, reps: dict[str, Any] | None, capacity_key: str) -> None:
        self.team = team
        self.reps = reps
        self.members: tuple[str, ...] = team.rep_ids
        self.position = {rep_id: i for i, rep_id in enumerate(self.members)}
        self.ones = dict.fromkeys(self.members, 1.0)
        #: Whether every calendar is a business calendar (asked once per decision).
        self.usable = True
        #: Members who can never take the work here (unknown or inactive), by position.
        self.blocked: list[int] = []
        #: Members with a capacity for this work, by position, with their id and it.
        self.caps: list[tuple[int, str, int]] = []
        #: The members' calendars, each once (by identity), with the members keeping it.
        self.calendars: dict[int, tuple[BusinessCalendar, list[int]]] = {}
        if reps is not None:
            for i, rep_id in enumerate(self.members):
                rep = reps.get(rep_id)
                if rep is None or getattr(rep, "active", True) is False:
                    self.blocked.append(i)
                    continue
                cap = (getattr(rep, "capacities", None) or {}).get(capacity_key)
                if cap is not None:
                    self.caps.append((i, rep_id, cap))
                calendar = getattr(rep, "calendar", None)
                if calendar is not None:
                    if type(calendar) is not BusinessCalendar:
                        self.usable = False
                    self.calendars.setdefault(id(calendar), (calendar, []))[1].append(i)
        #: The last order of the team's shares seen (see :meth:`align`).
        self.layout: _Layout | None = None
        #: The last weights seen and each member's part of one item for them (in the
        #: order of the shares of ``layout``), by the cursor and by the total of the
        #: weights: ``(layout, weights, {start: parts}, {total: parts})``.
        self.fits: tuple[_Layout, Any, dict[int, _Parts], dict[float, _Parts]] | None = None
        #: The team's shares and counts of the last state an even turn made, with the
        #: counts by member, everyone's share, the fewest items given to a member and
        #: to how many: ``(shares, counts, counts, share, fewest, how many, layout)``.
        self.last: _Last | None = None

    def availability(self, router: _Router, loads: Mapping[str, int]) -> list[bool] | None:
        """Which members can take the work (as :meth:`_Router.unavailable` says), by position.

        ``None`` when every member can.
        """
        ok: list[bool] | None = None
        if self.blocked:
            ok = [True] * len(self.members)
            for i in self.blocked:
                ok[i] = False
        for i, rep_id, cap in self.caps:
            if loads.get(rep_id, 0) >= cap:
                if ok is None:
                    ok = [True] * len(self.members)
                ok[i] = False
        known = router.open
        at = router.at
        for key, (calendar, keeping) in self.calendars.items():
            is_open = known.get(key)
            if is_open is None:
                is_open = known[key] = calendar.is_open(at)
            if not is_open:
                if ok is None:
                    ok = [True] * len(self.members)
                for i in keeping:
                    ok[i] = False
        return ok

    def align(self, keys: tuple[str, ...]) -> _Layout | None:
        """The layout of shares in the order ``keys``; ``None`` unless they are the members.

        A layout is ``(keys, keys as a dict, each member's position in keys,
        a getter putting values in the order of keys in the members' order
        or None when it is theirs)``.
        """
        position = self.position
        if len(keys) != len(position) or not all(k in position for k in keys):
            return None
        where = {k: j for j, k in enumerate(keys)}
        slot = [where[r] for r in self.members]
        getter = None if keys == self.members else operator.itemgetter(*slot)
        layout = self.layout = (keys, dict.fromkeys(keys), slot, getter)
        return layout

    def remember(
        self, shares: Mapping[str, float], given: Mapping[str, int], layout: _Layout
    ) -> _Last | None:
        """The team's shares and counts, when every member has the same share.

        ``None`` when the shares differ, or when shares or counts are so
        large that the difference of a share and a count might not be exact.
        """
        values = set(shares.values())
        if len(values) != 1:
            return None
        value = values.pop()
        counts = [given.get(r, 0) for r in self.members]
        if not (value < _EXACT and max(counts) < _EXACT):
            return None
        fewest = min(counts)
        last = self.last = (shares, given, counts, value, fewest, counts.count(fewest), layout)
        return last

    def fitted(
        self, weights: Mapping[str, float], start: int, layout: _Layout
    ) -> tuple[list[float], float | None]:
        """Each member's part of one item (in the order of the shares), from the cursor ``start``.

        As the general path: the weights of the available reps in rotation
        order summed, then each weight divided by that total. With the
        parts, the part every member gets when they are all the same.
        """
        fits = self.fits
        if fits is None or fits[0] is not layout or fits[1] is not weights:
            fits = self.fits = (layout, weights, {}, {})
            if len(set(map(weights.__getitem__, self.members))) == 1:
                # The same weight for everyone: the same sum from any cursor.
                fits[2].update(
                    dict.fromkeys(range(len(self.members)), self.fitted(weights, 0, layout))
                )
        by_start, by_total = fits[2], fits[3]
        parts = by_start.get(start)
        if parts is None:
            members = self.members
            order = members[start:] + members[:start]
            total = sum([weights[r] for r in order])
            parts = by_total.get(total)
            if parts is None:
                if len(by_total) >= 16:  # uneven weights: a few totals' parts are kept
                    by_start.clear()
                    by_total.clear()
                shares = [weights[r] / total for r in layout[0]]
                parts = by_total[total] = (shares, shares[0] if len(set(shares)) == 1 else None)
            by_start[start] = parts
        return parts


_Parts = tuple[list[float], float | None]
_Layout = tuple[tuple[str, ...], dict[str, None], list[int], Any]
_Last = tuple[Any, Any, list[int], float, int, int, _Layout]

#: Team plans by the team's identity and the capacity key, kept with the team and
#: the rep index they were made from (no other object can take their ids meanwhile).
_PLANS: dict[tuple[int, str], _TeamPlan] = {}


def _plan_of(team: Any, reps: dict[str, Any] | None, capacity_key: str) -> _TeamPlan | None:
    """The plan of ``team`` for these reps, or ``None`` where the general path must decide."""
    if type(team) is not Team:
        return None
    key = (id(team), capacity_key)
    plan = _PLANS.get(key)
    if plan is not None and plan.team is team and plan.reps is reps:
        return plan if plan.usable else None
    if reps is not None:
        remembered = _LAST_INDEX.get("reps")
        if remembered is None or remembered[1] is not reps:
            return None
    if not team.rep_ids:
        return None
    if len(_PLANS) >= 64:
        _PLANS.clear()
    plan = _PLANS[key] = _TeamPlan(team, reps, capacity_key)
    return plan if plan.usable else None


_WEEK: Final = timedelta(days=7)
#: Fitted weights by the identities of the calendars and the week, kept with the
#: calendars themselves: while they are held here no other object can take their
#: ids, and a hit is confirmed by identity (no hashing of the calendars).
_RECENT_WEIGHTS: dict[tuple[tuple[int, ...], int], tuple[tuple[Any, ...], tuple[float, ...]]]
_RECENT_WEIGHTS = {}
#: The weights of a team (its members, in order) for a week, with the rep index and
#: that week's bounds (UTC): ``(index, monday, next monday, weights)``. Shared by the
#: decisions of that week; they only read it.
_RECENT_FITS: dict[tuple[str, ...], tuple[dict[str, Any], datetime, datetime, dict[str, float]]]
_RECENT_FITS = {}


@functools.lru_cache(maxsize=256)
def _fitted_weights(calendars: tuple[Any, ...], start: datetime) -> tuple[float, ...]:
    """Weights under which each rep's share of the work follows their share of the hours.

    Work arriving evenly through the week from ``start`` is shared among the
    reps open at each moment in proportion to their weights. Reps who are
    often the only one open get everything then, so an equal split would give
    them more than their share of the hours; the weights are scaled
    (iterative proportional fitting) until each rep's expected part of the
    week's work equals their part of the open hours, or as close as the
    calendars allow. A rep without a calendar is always open.
    """
    end = start + _WEEK
    spans: list[list[tuple[datetime, datetime]]] = []
    for cal in calendars:
        if cal is None:
            spans.append([(start, end)])
            continue
        try:
            spans.append(
                [(a.astimezone(UTC), b.astimezone(UTC)) for a, b in cal.open_intervals(start, end)]
            )
        except ValidationError:
            spans.append([])
    cuts = sorted({start, end, *(t for s in spans for pair in s for t in pair)})
    segments: list[tuple[float, tuple[int, ...]]] = []
    for a, b in itertools.pairwise(cuts):
        members = tuple(i for i, s in enumerate(spans) if any(lo <= a < hi for lo, hi in s))
        if members:
            segments.append(((b - a).total_seconds(), members))
    n = len(calendars)
    hours = [0.0] * n
    for d, members in segments:
        for i in members:
            hours[i] += d
    covered = sum(d for d, _ in segments)
    total_hours = sum(hours)
    weights = [1.0] * n
    if not total_hours:
        return tuple(weights)
    target = [covered * h / total_hours for h in hours]
    for _ in range(500):
        got = [0.0] * n
        for d, members in segments:
            norm = sum(weights[i] for i in members)
            for i in members:
                got[i] += d * weights[i] / norm
        worst = 0.0
        for i in range(n):
            if got[i] > 0 and target[i] > 0:
                ratio = target[i] / got[i]
                worst = max(worst, abs(ratio - 1))
                weights[i] = max(weights[i] * ratio, 1e-9)
        top = max(weights)
        weights = [w / top for w in weights]
        if worst < 1e-6:
            break
    return tuple(weights)


def _when(at: datetime) -> str:
    return at.strftime("%Y-%m-%d %H:%M UTC")


def route(
    table: RoutingTable | Sequence[RoutingRule],
    subject: Any,
    *,
    state: RoutingState,
    at: datetime,
    reps: Iterable[Any] | Mapping[str, Any] | None = None,
    teams: Iterable[TeamLike] | Mapping[str, TeamLike] = (),
    queues: Iterable[Any] | Mapping[str, Any] | None = None,
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
            ``None`` checks no availability. A rep target missing from them
            is unavailable (the trail says so): check rep ids when building
            the table (``RoutingTable(…, reps=…)``).
        teams: The teams (objects with ``id`` and ``rep_ids``): every team a
            target names must be among them.
        queues: The queues (objects with ``id``, or ids) queue targets may
            name; ``None`` accepts any.
        default: Overrides the table's default (required to have one when
            ``table`` is a plain sequence).
        context: Related data for the rules.
        capacity_key: Overrides the table's capacity key (``"open_leads"``).

    Returns:
        The :class:`RoutingDecision`, whose ``state`` is the state after it.

    Raises:
        ValidationError: ``at`` is naive; a target names a team, or a queue,
            that is not among those given (all of them at once); or a rule
            needs data it cannot get.
    """
    ensure_aware(at, "at")
    if not isinstance(state, RoutingState):
        raise ValidationError.single("state", state, "must be a RoutingState")
    if isinstance(table, RoutingTable):
        rules = table.rules
        fallback = table.default if default is None else default
        cap_key = table.capacity_key if capacity_key is None else capacity_key
    else:
        if not is_collection(table):
            raise ValidationError.single("table", table, "must be a RoutingTable or routing rules")
        rules = tuple(table)
        bad = [
            FieldError(f"table[{i}]", r, "must be a RoutingRule")
            for i, r in enumerate(rules)
            if not isinstance(r, RoutingRule)
        ]
        if bad:
            raise ValidationError(bad, "routing")
        fallback = default
        cap_key = "open_leads" if capacity_key is None else capacity_key
    rep_index = _index_of_tuple(reps, "reps")
    team_index = _index_of_tuple(teams, "teams") or {}
    if queues is not None or not _checked_before(table, default, team_index):
        _check_targets(table, rules, fallback, default, team_index, queues)
    router = _Router(state, at, rep_index, team_index, cap_key)
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
            trail.append(_not_met(r.key, truth))
            continue
        taken = router.take(r.target)
        trail.append(_new_check(r.key, truth, (), taken.note))
        if taken.owner is not None:
            why = f"rule {r.key!r} matched ({r.rule.to_text()}): {taken.note}"
            return _decided(r.key, r.target, taken, why, trail, unknown)
    # Every rule that matched had a target that could not take the subject.
    full = [f"rule {c.key!r} matched but {c.note}" for c in trail if c.result is Truth.TRUE]
    none, then = ("; ".join(full), "; ") if full else ("no rule matched", " and ")
    if fallback is None:
        return _unassigned(f"{none}{then}there is no default", trail, unknown, state)
    taken = router.take(fallback)
    trail.append(_new_check("default", Truth.TRUE, (), taken.note))
    if taken.owner is None:
        return _unassigned(
            f"{none}{then}the default {fallback} cannot take it: {taken.note}",
            trail,
            unknown,
            state,
        )
    return _decided(
        "default",
        fallback,
        taken,
        f"{none}{'; ' if full else ': '}the default, {_text_of(fallback)}: {taken.note}",
        trail,
        unknown,
    )


def _decided(
    key: str,
    target: Target,
    taken: _Taken,
    reason: str,
    trail: list[RuleCheck],
    unknown: dict[str, None],
) -> RoutingDecision:
    """The decision that ``target`` (of rule ``key``) took the work."""
    hold_until = taken.hold_until
    # Its values are final already (tuples, a state, a time in UTC): built as they are.
    build = _new_decision if hold_until is None or hold_until.tzinfo is UTC else RoutingDecision
    return build(
        owner_kind=TargetKind.QUEUE if target.kind is TargetKind.QUEUE else TargetKind.REP,
        owner_id=taken.owner,
        rule_key=key,
        target=target,
        reason=reason,
        trail=tuple(trail),
        unknown_fields=tuple(unknown),
        state=taken.state,
        hold_until=hold_until,
    )


def _unassigned(
    reason: str, trail: list[RuleCheck], unknown: dict[str, None], state: RoutingState
) -> RoutingDecision:
    """The decision that nobody took the work."""
    return _new_decision(
        owner_kind=None,
        owner_id=None,
        rule_key=None,
        target=None,
        reason=reason,
        trail=tuple(trail),
        unknown_fields=tuple(unknown),
        state=state,
        hold_until=None,
    )


#: States from FrozenDicts known to be valid (what the constructor would keep as they are).
_new_state: Final = slot_builder(RoutingState)
#: Decisions and rule checks from values that are final already (what their sealed
#: constructors would keep as they are).
_new_decision: Final = slot_builder(RoutingDecision)
_new_check: Final = slot_builder(RuleCheck)


#: Checks of rules that were not met, by key (a check is an immutable value).
_NOT_MET: dict[str, RuleCheck] = {}


def _not_met(key: str, truth: Truth) -> RuleCheck:
    """``RuleCheck(key=key, result=truth)``, made once per key and result."""
    found = _NOT_MET.get(key) if type(key) is str else None
    if found is not None and found.result is truth:
        return found
    check = RuleCheck(key=key, result=truth)
    if type(key) is str:
        if len(_NOT_MET) >= 256:
            _NOT_MET.clear()
        _NOT_MET[key] = check
    return check


#: ``str(target)`` by the target's identity, kept with the target (it cannot change).
_TEXTS: dict[int, tuple[Target, str]] = {}


def _text_of(target: Target) -> str:
    """``str(target)``, remembered for the last targets seen."""
    found = _TEXTS.get(id(target))
    if found is not None and found[0] is target:
        return found[1]
    text = str(target)
    if type(target) is Target:
        if len(_TEXTS) >= 64:
            _TEXTS.clear()
        _TEXTS[id(target)] = (target, text)
    return text


for _document_type in (Target, RoutingRule, RoutingTable, RoutingState, RuleCheck, RoutingDecision):
    _register_type(_document_type)
