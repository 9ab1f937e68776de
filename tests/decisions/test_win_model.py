"""The naive-Bayes win model: a hand-computed table, fallbacks, round trips, invariants."""

from __future__ import annotations

import math
import random
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from salescore.decisions.win_model import (
    StageCount,
    TrainingExample,
    ValueCount,
    WinModel,
)
from salescore.errors import ValidationError
from salescore.serialization import from_json, to_json

FUNNEL = ("discovery", "proposal", "negotiation")


def _ex(
    industry: str, size: str, won: bool, furthest: str, team: str | None = None
) -> TrainingExample:
    stages = FUNNEL[: FUNNEL.index(furthest) + 1]
    return TrainingExample(
        features={"industry": industry, "size": size}, won=won, team=team, stages_reached=stages
    )


HISTORY = [
    _ex("saas", "big", True, "negotiation", "north"),
    _ex("saas", "small", True, "proposal", "north"),
    _ex("retail", "big", True, "negotiation", "south"),
    _ex("saas", "small", False, "discovery", "north"),
    _ex("retail", "small", False, "proposal", "south"),
]
MODEL = WinModel.learn(HISTORY, fields=("industry", "size"), funnel=FUNNEL, min_team_history=1)


def test_tables_are_the_counts() -> None:
    t = MODEL.overall
    assert (t.won, t.lost, t.stage_won, t.stage_lost) == (3, 2, 3, 2)
    assert t.values == (
        ValueCount(field="industry", value="retail", won=1, lost=1),
        ValueCount(field="industry", value="saas", won=2, lost=1),
        ValueCount(field="size", value="big", won=2, lost=0),
        ValueCount(field="size", value="small", won=1, lost=2),
    )
    # "reached at least": negotiation counts for proposal and discovery too.
    assert t.stages == (
        StageCount(stage="discovery", won=3, lost=2),
        StageCount(stage="proposal", won=3, lost=1),
        StageCount(stage="negotiation", won=2, lost=0),
    )


def test_exact_prediction_on_a_hand_computed_table() -> None:
    p = MODEL.predict({"industry": "saas", "size": "big"}, stage="proposal")
    # prior: ln(W / L) = ln(3 / 2)
    # industry (α = 1, V = 2 values, so α·(V + 1) = 3; W_f = 3, L_f = 2):
    #   P(saas | won) = (2 + 1) / (3 + 3) = 0.5;  P(saas | lost) = (1 + 1) / (2 + 3) = 0.4
    #   term = ln(0.5 / 0.4) = ln(1.25)
    # size: P(big | won) = (2 + 1) / 6 = 0.5;  P(big | lost) = (0 + 1) / 5 = 0.2 → ln(2.5)
    # stage>=proposal: P(won) = (3 + 1) / (3 + 2) = 0.8;  P(lost) = (1 + 1) / (2 + 2) = 0.5
    #   term = ln(1.6)
    # logit = ln(1.5 · 1.25 · 2.5 · 1.6) = ln(7.5), so p = 7.5 / 8.5
    assert p.prior_log_odds == pytest.approx(math.log(1.5), abs=1e-12)
    assert [(c.field, c.value, c.won, c.lost) for c in p.contributions] == [
        ("industry", "saas", 2, 1),
        ("size", "big", 2, 0),
        ("stage>=proposal", True, 3, 1),
    ]
    terms = [c.term for c in p.contributions]
    assert terms == pytest.approx([math.log(1.25), math.log(2.5), math.log(1.6)], abs=1e-12)
    assert p.log_odds == pytest.approx(math.log(7.5), abs=1e-12)
    assert p.probability == pytest.approx(7.5 / 8.5, abs=1e-12)
    assert p.team_used is None
    assert p.missing_fields == ()


def test_unseen_value_and_missing_field() -> None:
    p = MODEL.predict({"industry": "health", "size": None})
    # unseen: P(health | won) = (0 + 1) / 6, P(health | lost) = (0 + 1) / 5 → ln(5 / 6)
    assert [c.field for c in p.contributions] == ["industry"]
    assert p.contributions[0].term == pytest.approx(math.log(5 / 6), abs=1e-12)
    assert p.missing_fields == ("size", "stage")
    assert p.log_odds == pytest.approx(math.log(1.5 * 5 / 6), abs=1e-12)
    assert p.probability == pytest.approx(1.25 / 2.25, abs=1e-12)


def test_per_team_table_and_fallback() -> None:
    north = MODEL.predict({"industry": "saas"}, team="north")
    # north: 2 won, 1 lost; industry saas 2 won / 1 lost, one value (α·(V+1) = 2):
    #   P(saas | won) = 3 / 4, P(saas | lost) = 2 / 3 → ln(9 / 8); prior ln(2)
    assert north.team_used == "north"
    assert north.log_odds == pytest.approx(math.log(2 * 9 / 8), abs=1e-12)
    assert north.reason == "the table of team 'north'"
    strict = WinModel.learn(HISTORY, fields=("industry", "size"), funnel=FUNNEL, min_team_history=2)
    fallback = strict.predict({"industry": "saas"}, team="north")
    assert fallback.team_used is None
    assert fallback.reason == (
        "team 'north' has 2 won and 1 lost items (fewer than 2 of each): the table of all teams"
    )
    assert fallback.probability == strict.predict({"industry": "saas"}).probability
    unknown_team = MODEL.predict({"industry": "saas"}, team="west")
    assert unknown_team.reason == "team 'west' has no history: the table of all teams"


def test_no_probability_without_won_or_lost_history() -> None:
    only_won = WinModel.learn([e for e in HISTORY if e.won], fields=("industry",))
    p = only_won.predict({"industry": "saas"})
    assert (p.probability, p.log_odds, p.contributions) == (None, None, ())
    assert p.reason == "no probability: there is no lost history"
    empty = WinModel.learn([], fields=("industry",))
    assert empty.predict({}).reason == "no probability: there is no won and no lost history"


def test_values_of_different_types_are_different() -> None:
    model = WinModel.learn(
        [
            TrainingExample(features={"x": True}, won=True),
            TrainingExample(features={"x": 1}, won=False),
            TrainingExample(features={"x": Decimal("2.50")}, won=True),
        ],
        fields=("x",),
    )
    assert [(v.value, v.won, v.lost) for v in model.overall.values] == [
        (True, 1, 0),
        (Decimal("2.50"), 1, 0),
        (1, 0, 1),
    ]
    assert model.predict({"x": Decimal("2.5")}).contributions[0].won == 1
    assert from_json(WinModel, to_json(model)) == model


def test_bad_input_is_refused() -> None:
    with pytest.raises(ValidationError) as info:
        TrainingExample(features={"x": 1.5, "y": object()}, won=True)
    assert sorted(e.path for e in info.value.errors) == ["features.x", "features.y"]
    with pytest.raises(ValidationError):
        WinModel.learn(HISTORY, fields=("industry",), smoothing=0)
    with pytest.raises(ValidationError):
        MODEL.predict({"industry": "saas"}, stage="closed_won")


def test_smoothing_is_a_positive_finite_number_with_one_problem_each() -> None:
    for smoothing, message in (
        (0, "must be a positive finite number"),
        (-1.5, "must be a positive finite number"),
        (float("nan"), "must be finite"),
        (float("-inf"), "must be finite"),
        (True, "must be a number"),
    ):
        with pytest.raises(ValidationError) as info:
            WinModel.learn(HISTORY, fields=("industry",), smoothing=smoothing)
        assert [(e.path, e.message) for e in info.value.errors] == [("smoothing", message)]


def test_a_repeated_field_or_stage_is_refused() -> None:
    with pytest.raises(ValidationError) as info:
        WinModel.learn(HISTORY, fields=("industry", "industry"))
    assert [(e.path, e.message) for e in info.value.errors] == [
        ("fields", "must not repeat a field")
    ]
    with pytest.raises(ValidationError) as info:
        WinModel.learn(HISTORY, fields=("industry",), funnel=("new", "new"))
    assert [(e.path, e.message) for e in info.value.errors] == [
        ("funnel", "must not repeat a stage")
    ]


def test_json_round_trip_reproduces_predictions() -> None:
    text = to_json(MODEL)
    back = from_json(WinModel, text)
    assert back == MODEL
    assert to_json(back) == text
    for features in ({"industry": "saas", "size": "big"}, {"industry": "retail"}, {}):
        assert back.predict(features, stage="negotiation", team="south") == MODEL.predict(
            features, stage="negotiation", team="south"
        )


def test_learning_is_order_independent() -> None:
    shuffled = list(HISTORY)
    random.Random(7).shuffle(shuffled)
    again = WinModel.learn(shuffled, fields=("industry", "size"), funnel=FUNNEL, min_team_history=1)
    assert again == MODEL


_examples = st.lists(
    st.builds(
        TrainingExample,
        features=st.fixed_dictionaries(
            {
                "a": st.sampled_from(["x", "y", "z", None]),
                "b": st.sampled_from([1, 2, True, None]),
            }
        ),
        won=st.booleans(),
        team=st.sampled_from([None, "t1", "t2"]),
        stages_reached=st.lists(st.sampled_from(FUNNEL), max_size=3).map(tuple),
    ),
    max_size=30,
)


@settings(max_examples=100)
@given(
    _examples,
    st.fixed_dictionaries({"a": st.sampled_from(["x", "w", None]), "b": st.sampled_from([1, 3])}),
    st.sampled_from([None, *FUNNEL]),
    st.sampled_from([None, "t1", "t2"]),
    st.floats(min_value=0.1, max_value=5),
)
def test_probability_and_log_odds_agree(
    examples: list[TrainingExample],
    features: dict[str, object],
    stage: str | None,
    team: str | None,
    smoothing: float,
) -> None:
    model = WinModel.learn(
        examples, fields=("a", "b"), funnel=FUNNEL, smoothing=smoothing, min_team_history=2
    )
    p = model.predict(features, stage=stage, team=team)
    if p.probability is None:
        assert p.log_odds is None
        return
    assert 0.0 <= p.probability <= 1.0
    assert p.prior_log_odds is not None
    assert p.log_odds is not None
    assert p.log_odds == pytest.approx(p.prior_log_odds + sum(c.term for c in p.contributions))
    assert math.log(p.probability / (1 - p.probability)) == pytest.approx(p.log_odds, abs=1e-9)


def test_one_string_for_fields_or_funnel_is_refused_not_split_into_letters() -> None:
    examples = [
        TrainingExample(features={"industry": "saas"}, won=True),
        TrainingExample(features={"industry": "retail"}, won=False),
    ]
    for kwargs, path in (
        ({"fields": "industry"}, "fields"),
        ({"fields": ("industry",), "funnel": "proposal"}, "funnel"),
    ):
        with pytest.raises(ValidationError) as info:
            WinModel.learn(examples, **kwargs)  # type: ignore[arg-type]
        assert [(e.path, e.message) for e in info.value.errors] == [
            (path, "must be a collection of names, not one string")
        ]
    assert WinModel.learn(examples, fields=("industry",)).fields == ("industry",)
