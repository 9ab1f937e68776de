"""A score's result is built without checking it again: the same as through its constructor."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from unittest import mock

from hypothesis import given, settings
from hypothesis import strategies as st

from salescore.decisions import scoring
from salescore.decisions.scoring import GroupScore, ScoreModel, ScoreResult, Threshold, score
from salescore.testing import strategies as s

AT = datetime(2026, 3, 2, 9, tzinfo=UTC)


@settings(max_examples=200, deadline=None)
@given(
    s.score_models(),
    s.leads(),
    st.sampled_from([AT, AT.astimezone(timezone(timedelta(hours=-3)))]),
)
def test_score_equals_the_result_its_constructors_build(
    model: ScoreModel, lead: Any, at: datetime
) -> None:
    fast = score(model, lead, at=at)
    with (
        mock.patch.object(scoring, "_new_score_result", ScoreResult),
        mock.patch.object(
            scoring, "_new_group_score", lambda k, r, p: GroupScore(key=k, raw=r, points=p)
        ),
    ):
        general = score(model, lead, at=at)
    assert fast == general
    assert fast.at.tzinfo is UTC
    assert [type(g.raw) for g in fast.groups] == [type(g.raw) for g in general.groups]
    assert fast.thresholds_crossed == tuple(
        sorted((t for t in model.thresholds if fast.total >= t.score), key=lambda t: t.score)
    )


def test_thresholds_crossed_are_sorted_by_score_ties_in_model_order() -> None:
    model = ScoreModel(
        key="m",
        criteria=(),
        thresholds=(
            Threshold(key="b", score=20.0),
            Threshold(key="a", score=10.0),
            Threshold(key="c", score=10.0),
            Threshold(key="d", score=90.0),
        ),
        floor=50.0,
    )
    result = score(model, {}, at=AT)
    assert [t.key for t in result.thresholds_crossed] == ["a", "c", "b"]
