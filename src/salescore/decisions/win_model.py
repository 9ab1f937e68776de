"""A naive-Bayes win-probability model learned from closed deals.

:meth:`WinModel.learn` counts field values in won and lost items;
:meth:`WinModel.predict` turns the counts into a probability and says how much
each field pushed it. Guide: :doc:`/scoring`.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any, Final

import attrs

from salescore._validation import Checker, as_float, as_tuple, check_collection, fail, plain
from salescore.serialization import register_type as _register_type

__all__ = [
    "Contribution",
    "FieldCount",
    "StageCount",
    "TrainingExample",
    "ValueCount",
    "WinModel",
    "WinPrediction",
    "WinTable",
]

_KINDS: Final = {bool: "bool", int: "int", str: "str"}


def _value_key(value: Any) -> tuple[str, Any] | None:
    """A hashable key that keeps ``True``, ``1`` and ``'1'`` apart; ``None`` if unusable."""
    kind = _KINDS.get(type(value))
    if kind is not None:
        return (kind, value)
    if isinstance(value, bool):
        return ("bool", bool(value))
    if isinstance(value, int):
        return ("int", int(value))
    if isinstance(value, str):
        return ("str", str(value))
    if isinstance(value, Decimal) and value.is_finite():
        return ("decimal", value.normalize())
    return None


def _sort_key(value: Any) -> tuple[str, str]:
    key = _value_key(value)
    assert key is not None
    return (key[0], str(key[1]))


def _as_features(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: plain(v) for k, v in value.items()}
    return value


@attrs.frozen(kw_only=True)
class TrainingExample:
    """One closed item to learn from.

    Args:
        features: Field → value (str, int, bool, Decimal, an enum member or
            ``None`` for unknown).
        won: Whether it was won.
        team: The team that worked it, or ``None``.
        stages_reached: The stages it went through; the furthest one in the
            model's funnel order counts (stages outside the funnel, such as
            the closed ones, are ignored).

    Raises:
        ValidationError: Every bad field at once.
    """

    features: Mapping[str, Any] = attrs.field(converter=_as_features)
    won: bool
    team: str | None = None
    stages_reached: tuple[str, ...] = attrs.field(default=(), converter=as_tuple)

    def __attrs_post_init__(self) -> None:
        with Checker("TrainingExample") as c:
            _check_features(c, self.features, "features")
            c.instance(self.won, bool, "won")
            c.text(self.team, "team", optional=True)
            if c.instance(self.stages_reached, tuple, "stages_reached"):
                for i, s in enumerate(self.stages_reached):
                    c.text(s, f"stages_reached[{i}]")


def _check_features(c: Checker, features: Any, path: str) -> None:
    if not isinstance(features, Mapping):
        c.add(path, features, "must be a mapping of field names to values")
        return
    for k, v in features.items():
        if not isinstance(k, str):
            c.add(path, k, "field names must be strings")
        elif v is not None and _value_key(v) is None:
            c.add(f"{path}.{k}", v, "must be a str, int, bool or finite Decimal (or None)")


@attrs.frozen(kw_only=True)
class ValueCount:
    """How many won and lost items had ``field == value``."""

    field: str
    value: Any
    won: int
    lost: int


@attrs.frozen(kw_only=True)
class FieldCount:
    """How many won and lost items had ``field`` at all, and its distinct values."""

    field: str
    won: int
    lost: int
    distinct: int


@attrs.frozen(kw_only=True)
class StageCount:
    """How many won and lost items reached at least ``stage``."""

    stage: str
    won: int
    lost: int


@attrs.frozen(kw_only=True)
class WinTable:
    """The frequency tables of one team (or of all teams, ``team=None``).

    Attributes:
        team: The team, or ``None`` for all teams.
        won: Won items counted.
        lost: Lost items counted.
        fields: Per field: items that had it, and its distinct values.
        values: Per (field, value): won and lost counts.
        stage_won: Won items whose furthest stage is known.
        stage_lost: Lost items whose furthest stage is known.
        stages: Per stage: won and lost items that reached at least it.
    """

    team: str | None
    won: int
    lost: int
    fields: tuple[FieldCount, ...] = ()
    values: tuple[ValueCount, ...] = ()
    stage_won: int = 0
    stage_lost: int = 0
    stages: tuple[StageCount, ...] = ()
    _index: dict[Any, Any] | None = attrs.field(
        default=None, init=False, eq=False, repr=False, hash=False
    )

    def _lookup(self) -> dict[Any, Any]:
        index = self._index
        if index is None:
            index = {}
            for f in self.fields:
                index[("field", f.field)] = f
            for v in self.values:
                index[("value", v.field, _value_key(v.value))] = v
            for s in self.stages:
                index[("stage", s.stage)] = s
            object.__setattr__(self, "_index", index)
        return index

    def field_count(self, name: str) -> FieldCount | None:
        """The counts of a field, or ``None`` if it never occurred."""
        found: FieldCount | None = self._lookup().get(("field", name))
        return found

    def value_count(self, name: str, value: Any) -> ValueCount | None:
        """The counts of a (field, value) pair, or ``None`` if it never occurred."""
        found: ValueCount | None = self._lookup().get(("value", name, _value_key(plain(value))))
        return found

    def stage_count(self, stage: str) -> StageCount | None:
        """The counts of items that reached at least ``stage``."""
        found: StageCount | None = self._lookup().get(("stage", stage))
        return found


@attrs.frozen(kw_only=True)
class Contribution:
    """One field's push on the log-odds of winning.

    Attributes:
        field: The field (``stage>=proposal`` for the stage).
        value: The value it had.
        term: ``ln(P(value | won) / P(value | lost))``: positive raises
            the probability.
        won: Won items in the table with that value.
        lost: Lost items in the table with that value.
    """

    field: str
    value: Any
    term: float
    won: int
    lost: int


@attrs.frozen(kw_only=True)
class WinPrediction:
    """A predicted win probability and why.

    Attributes:
        probability: In ``[0, 1]``, or ``None`` when there is no won or no
            lost history (see ``reason``).
        log_odds: ``prior_log_odds + Σ contribution terms`` (``logit(p)``),
            or ``None``.
        prior_log_odds: ``ln(won / lost)`` of the table used, or ``None``.
        contributions: One per known field (and the stage), in the model's
            field order.
        missing_fields: Fields missing or null in the features (no term).
        team_used: The team whose table was used, ``None`` for all teams.
        reason: Which table was used and why, or why there is no probability.
    """

    probability: float | None
    log_odds: float | None
    prior_log_odds: float | None
    contributions: tuple[Contribution, ...]
    missing_fields: tuple[str, ...]
    team_used: str | None
    reason: str


def _check_model(model: WinModel) -> None:
    with Checker("WinModel") as c:
        c.distinct_texts(model.fields, "fields", "must not repeat a field")
        c.distinct_texts(model.funnel, "funnel", "must not repeat a stage")
        c.number(model.smoothing, "smoothing")
        if isinstance(model.smoothing, int | float) and not isinstance(model.smoothing, bool):
            c.check(
                not math.isfinite(model.smoothing) or model.smoothing > 0,  # else refused above
                "smoothing",
                model.smoothing,
                "must be a positive finite number",
            )
        c.number(model.min_team_history, "min_team_history", integer=True, minimum=1)
        c.instance(model.overall, WinTable, "overall")
        if c.instance(model.teams, tuple, "teams"):
            for i, t in enumerate(model.teams):
                if c.instance(t, WinTable, f"teams[{i}]"):
                    c.check(t.team is not None, f"teams[{i}].team", None, "must name a team")


@attrs.frozen(kw_only=True)
class WinModel:
    """Won/lost frequency tables and the naive-Bayes arithmetic over them.

    Build one with :meth:`learn`; the module documentation gives the exact
    formulas. The model is plain data, so ``from_json(WinModel,
    to_json(model))`` predicts exactly as ``model`` does.

    Attributes:
        fields: The feature fields, in contribution order.
        funnel: Stage keys in funnel order for "reached at least" counting,
            or ``()`` for no stage feature.
        smoothing: The additive (Laplace) smoothing ``α`` (> 0).
        min_team_history: The won and the lost items a team needs for its
            own table to be used.
        overall: The table of all teams.
        teams: One table per team, sorted by team.
    """

    fields: tuple[str, ...] = attrs.field(converter=as_tuple)
    funnel: tuple[str, ...] = attrs.field(default=(), converter=as_tuple)
    smoothing: float = attrs.field(default=1.0, converter=as_float)
    min_team_history: int = 5
    overall: WinTable
    teams: tuple[WinTable, ...] = attrs.field(default=(), converter=as_tuple)

    def __attrs_post_init__(self) -> None:
        _check_model(self)

    @classmethod
    def learn(
        cls,
        examples: Iterable[TrainingExample],
        *,
        fields: Iterable[str],
        funnel: Iterable[str] = (),
        smoothing: float = 1.0,
        min_team_history: int = 5,
    ) -> WinModel:
        """Count a closed history into frequency tables.

        Args:
            examples: The closed items.
            fields: Which feature fields to learn (others are ignored).
            funnel: Stage keys in funnel order, to learn "reached at least
                this stage"; empty for none.
            smoothing: Additive smoothing ``α`` (> 0).
            min_team_history: Won and lost items a team needs for its own
                table to be used.

        Returns:
            The model. Learning is pure: the same examples in any order
            give an equal model.

        Raises:
            ValidationError: A bad argument or example.
        """
        check_collection(examples, "examples", "TrainingExample")
        for name, names in (("fields", fields), ("funnel", funnel)):
            if isinstance(names, str):  # tuple("industry") would learn 8 one-letter fields
                fail(name, names, "must be a collection of names, not one string")
            if isinstance(names, bytes) or not isinstance(names, Iterable):
                fail(name, names, "must be a collection of names")
        field_list = tuple(fields)
        stage_list = tuple(funnel)
        items = list(examples)
        for i, ex in enumerate(items):
            if not isinstance(ex, TrainingExample):
                fail(f"examples[{i}]", ex, "must be a TrainingExample")
        position = {s: i for i, s in enumerate(stage_list)}
        teams = sorted({ex.team for ex in items if ex.team is not None})
        overall = _count(None, items, field_list, stage_list, position)
        per_team = tuple(
            _count(t, [ex for ex in items if ex.team == t], field_list, stage_list, position)
            for t in teams
        )
        return cls(
            fields=field_list,
            funnel=stage_list,
            smoothing=smoothing,
            min_team_history=min_team_history,
            overall=overall,
            teams=per_team,
        )

    def table(self, team: str | None) -> WinTable | None:
        """The table of a team (``None``: all teams), or ``None`` if there is none."""
        if team is None:
            return self.overall
        for t in self.teams:
            if t.team == team:
                return t
        return None

    def predict(
        self,
        features: Mapping[str, Any],
        *,
        team: str | None = None,
        stage: str | None = None,
    ) -> WinPrediction:
        """Predict the probability that an open item will be won.

        Args:
            features: Field → value of the open item (fields the model does
                not know are ignored).
            team: The item's team: its own table is used when it has enough
                history, else the table of all teams.
            stage: The item's current stage, when the model has a funnel.

        Returns:
            The :class:`WinPrediction`: probability, log-odds, each field's
            term, which table was used and why.

        Raises:
            ValidationError: A feature value of an unusable type, or a stage
                not in the model's funnel.
        """
        with Checker("predict") as c:
            _check_features(c, features, "features")
            if stage is not None:
                c.check(
                    stage in self.funnel,
                    "stage",
                    stage,
                    "is not a stage of the model's funnel"
                    if self.funnel
                    else "the model has no funnel",
                )
        table, reason = self._choose(team)
        if table.won == 0 or table.lost == 0:
            missing = (
                "won and no lost"
                if table.won == table.lost == 0
                else ("won" if table.won == 0 else "lost")
            )
            return WinPrediction(
                probability=None,
                log_odds=None,
                prior_log_odds=None,
                contributions=(),
                missing_fields=(),
                team_used=table.team,
                reason=f"no probability: there is no {missing} history",
            )
        a = self.smoothing
        prior = math.log(table.won / table.lost)
        terms: list[Contribution] = []
        missing_fields: list[str] = []
        for name in self.fields:
            value = plain(features.get(name))
            if value is None:
                missing_fields.append(name)
                continue
            fc = table.field_count(name)
            vc = table.value_count(name, value)
            w_f, l_f, distinct = (fc.won, fc.lost, fc.distinct) if fc else (0, 0, 0)
            w, lo = (vc.won, vc.lost) if vc else (0, 0)
            slots = a * (distinct + 1)
            term = math.log(((w + a) / (w_f + slots)) / ((lo + a) / (l_f + slots)))
            terms.append(Contribution(field=name, value=value, term=term, won=w, lost=lo))
        if stage is not None:
            sc = table.stage_count(stage)
            w, lo = (sc.won, sc.lost) if sc else (0, 0)
            term = math.log(
                ((w + a) / (table.stage_won + 2 * a)) / ((lo + a) / (table.stage_lost + 2 * a))
            )
            terms.append(
                Contribution(field=f"stage>={stage}", value=True, term=term, won=w, lost=lo)
            )
        elif self.funnel:
            missing_fields.append("stage")
        log_odds = prior + math.fsum(t.term for t in terms)
        return WinPrediction(
            probability=_sigmoid(log_odds),
            log_odds=log_odds,
            prior_log_odds=prior,
            contributions=tuple(terms),
            missing_fields=tuple(missing_fields),
            team_used=table.team,
            reason=reason,
        )

    def _choose(self, team: str | None) -> tuple[WinTable, str]:
        if team is None:
            return self.overall, "the table of all teams"
        own = self.table(team)
        need = self.min_team_history
        if own is None:
            return self.overall, f"team {team!r} has no history: the table of all teams"
        if own.won < need or own.lost < need:
            return self.overall, (
                f"team {team!r} has {own.won} won and {own.lost} lost items "
                f"(fewer than {need} of each): the table of all teams"
            )
        return own, f"the table of team {team!r}"


def _sigmoid(x: float) -> float:
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


def _count(
    team: str | None,
    items: list[TrainingExample],
    fields: tuple[str, ...],
    funnel: tuple[str, ...],
    position: dict[str, int],
) -> WinTable:
    won = sum(1 for ex in items if ex.won)
    field_counts: dict[str, list[int]] = {}
    value_counts: dict[tuple[str, Any], list[Any]] = {}
    reached = [[0, 0] for _ in funnel]
    stage_known = [0, 0]
    for ex in items:
        cls = 0 if ex.won else 1
        for name in fields:
            value = ex.features.get(name)
            if value is None:
                continue
            field_counts.setdefault(name, [0, 0])[cls] += 1
            entry = value_counts.setdefault((name, _value_key(value)), [value, 0, 0])
            entry[1 + cls] += 1
        furthest = max((position[s] for s in ex.stages_reached if s in position), default=-1)
        if furthest >= 0:
            stage_known[cls] += 1
            for i in range(furthest + 1):
                reached[i][cls] += 1
    distinct: dict[str, int] = {}
    for name, _ in value_counts:
        distinct[name] = distinct.get(name, 0) + 1
    values = sorted(
        (
            ValueCount(field=name, value=v, won=w, lost=lo)
            for (name, _), (v, w, lo) in value_counts.items()
        ),
        key=lambda vc: (vc.field, _sort_key(vc.value)),
    )
    return WinTable(
        team=team,
        won=won,
        lost=len(items) - won,
        fields=tuple(
            FieldCount(field=name, won=wl[0], lost=wl[1], distinct=distinct[name])
            for name, wl in sorted(field_counts.items())
        ),
        values=tuple(values),
        stage_won=stage_known[0],
        stage_lost=stage_known[1],
        stages=tuple(
            StageCount(stage=s, won=reached[i][0], lost=reached[i][1]) for i, s in enumerate(funnel)
        ),
    )


for _document_type in (
    TrainingExample,
    ValueCount,
    FieldCount,
    StageCount,
    WinTable,
    Contribution,
    WinPrediction,
    WinModel,
):
    _register_type(_document_type)
