"""Hypothesis strategies for score models, frameworks, routing and win models."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from hypothesis import strategies as st

from salescore.decisions.qualification import Framework, FrameworkItem, ItemStatus, RepAnswer
from salescore.decisions.routing import (
    RoutingRule,
    RoutingState,
    RoutingTable,
    Strategy,
    Target,
    TargetKind,
)
from salescore.decisions.scoring import (
    Criterion,
    HalfLife,
    ScoreGroup,
    ScoreModel,
    Step,
    StepDecay,
    Threshold,
)
from salescore.decisions.win_model import TrainingExample, WinModel
from salescore.rules import Rule
from salescore.testing._rules import rules

__all__ = [
    "criteria",
    "frameworks",
    "rep_answers",
    "routing_states",
    "routing_tables",
    "score_models",
    "targets",
    "training_examples",
    "win_models",
]

_KEYS = st.text(alphabet="abcdefghijklmnopqrstuvwxyz_", min_size=1, max_size=8).filter(
    lambda s: s.strip("_") != ""
)
_IDS = st.sampled_from(["ana", "ben", "cy", "dee", "eve"])
_POINTS = st.integers(min_value=-50, max_value=50).map(float) | st.floats(
    min_value=-100, max_value=100, allow_nan=False, allow_infinity=False
)


def _small_rules() -> st.SearchStrategy[Rule]:
    return rules(max_leaves=3, counts=False)


def _decays() -> st.SearchStrategy[HalfLife | StepDecay | None]:
    days = st.integers(min_value=1, max_value=90)
    half = days.map(lambda d: HalfLife(timedelta(days=d)))
    step = st.lists(days, min_size=1, max_size=3, unique=True).flatmap(
        lambda ds: st.lists(
            st.sampled_from([0.0, 0.25, 0.5, 1.0]), min_size=len(ds), max_size=len(ds)
        ).map(
            lambda fs: StepDecay(
                tuple(
                    Step(within=timedelta(days=d), factor=f)
                    for d, f in zip(sorted(ds), sorted(fs, reverse=True), strict=True)
                )
            )
        )
    )
    return st.one_of(st.none(), half, step)


@st.composite
def criteria(draw: st.DrawFn, *, groups: tuple[str, ...] = ("fit", "engagement")) -> Criterion:
    """A :class:`~salescore.decisions.scoring.Criterion` in one of ``groups``."""
    per_record = draw(st.sampled_from([None, "interactions"]))
    return Criterion(
        key=draw(_KEYS),
        rule=draw(_small_rules()),
        points=draw(_POINTS),
        group=draw(st.sampled_from(groups)),
        decay=draw(_decays()),
        per_record=per_record,
    )


def _bounds(draw: st.DrawFn) -> tuple[float | None, float | None]:
    lo = draw(st.none() | st.integers(min_value=-50, max_value=50).map(float))
    hi = draw(st.none() | st.integers(min_value=-50, max_value=150).map(float))
    if lo is not None and hi is not None and lo > hi:
        lo, hi = hi, lo
    return lo, hi


@st.composite
def score_models(draw: st.DrawFn) -> ScoreModel:
    """A :class:`~salescore.decisions.scoring.ScoreModel` with 1–5 criteria, caps and thresholds."""
    groups = []
    for key in ("fit", "engagement"):
        lo, hi = _bounds(draw)
        groups.append(ScoreGroup(key=key, floor=lo, cap=hi))
    crits = draw(st.lists(criteria(), min_size=1, max_size=5, unique_by=lambda c: c.key))
    lo, hi = _bounds(draw)
    thresholds = draw(
        st.lists(
            st.builds(
                Threshold,
                key=_KEYS,
                score=st.integers(min_value=0, max_value=100).map(float),
                stage=st.sampled_from([None, "mql", "sql"]),
            ),
            max_size=2,
            unique_by=lambda t: t.key,
        )
    )
    return ScoreModel(
        key=draw(_KEYS),
        criteria=tuple(crits),
        groups=tuple(groups),
        floor=lo,
        cap=hi,
        thresholds=tuple(thresholds),
    )


@st.composite
def frameworks(draw: st.DrawFn) -> Framework:
    """A :class:`~salescore.decisions.qualification.Framework` of 1–4 items."""
    items = draw(
        st.lists(
            st.builds(
                FrameworkItem,
                key=_KEYS,
                question=st.sampled_from(["Budget?", "Who decides?", "When?", "Why now?"]),
                rule=st.none() | _small_rules(),
                disqualify_if=st.none() | _small_rules(),
                required=st.booleans(),
            ),
            min_size=1,
            max_size=4,
            unique_by=lambda i: i.key,
        )
    )
    minimum = draw(st.none() | st.integers(min_value=0, max_value=len(items)))
    return Framework(key=draw(_KEYS), name="Checklist", items=tuple(items), min_confirmed=minimum)


def rep_answers(item_keys: tuple[str, ...] = ("budget", "authority", "need", "timeline")) -> Any:
    """A :class:`~salescore.decisions.qualification.RepAnswer` to one of ``item_keys``."""
    return st.builds(
        RepAnswer,
        item_key=st.sampled_from(item_keys),
        answer=st.sampled_from(list(ItemStatus)),
        at=st.datetimes(
            min_value=datetime(2025, 1, 1), max_value=datetime(2027, 1, 1), timezones=st.just(UTC)
        ),
        actor=_IDS,
        note=st.sampled_from(["", "said so on the call"]),
        interaction_id=st.none() | st.sampled_from(["call-1", "meeting-2"]),
    )


def targets() -> st.SearchStrategy[Target]:
    """A rep, team (either strategy) or queue :class:`~salescore.decisions.routing.Target`."""
    return st.builds(
        Target,
        kind=st.sampled_from(list(TargetKind)),
        id=st.sampled_from(["ana", "ben", "emea", "triage"]),
        strategy=st.sampled_from(list(Strategy)),
    )


@st.composite
def routing_tables(draw: st.DrawFn) -> RoutingTable:
    """A :class:`~salescore.decisions.routing.RoutingTable` of up to four rules."""
    rs = draw(
        st.lists(
            st.builds(RoutingRule, key=_KEYS, rule=_small_rules(), target=targets()),
            max_size=4,
            unique_by=lambda r: r.key,
        )
    )
    return RoutingTable(key=draw(_KEYS), rules=tuple(rs), default=draw(st.none() | targets()))


def routing_states() -> st.SearchStrategy[RoutingState]:
    """A :class:`~salescore.decisions.routing.RoutingState` with some cursors and loads."""
    return st.builds(
        RoutingState,
        cursors=st.dictionaries(st.sampled_from(["emea", "ent"]), _IDS, max_size=2),
        loads=st.dictionaries(_IDS, st.integers(min_value=0, max_value=30), max_size=5),
    )


_FUNNEL = ("discovery", "proposal", "negotiation")


def training_examples() -> st.SearchStrategy[TrainingExample]:
    """A closed item to learn a :class:`~salescore.decisions.win_model.WinModel` from."""
    values = st.sampled_from(["saas", "retail", 1, 2, True, Decimal("2.5"), None])
    return st.builds(
        TrainingExample,
        features=st.fixed_dictionaries({"industry": values, "size": values}),
        won=st.booleans(),
        team=st.sampled_from([None, "north", "south"]),
        stages_reached=st.lists(st.sampled_from(_FUNNEL), max_size=3).map(tuple),
    )


def win_models() -> st.SearchStrategy[WinModel]:
    """A :class:`~salescore.decisions.win_model.WinModel` learned from up to 20 examples."""
    return st.builds(
        lambda xs, a, m: WinModel.learn(
            xs, fields=("industry", "size"), funnel=_FUNNEL, smoothing=a, min_team_history=m
        ),
        st.lists(training_examples(), max_size=20),
        st.sampled_from([0.5, 1.0, 2.0]),
        st.integers(min_value=1, max_value=5),
    )
