"""The strategies for score models, frameworks, routing and win models draw values that
round-trip through JSON and that the functions accept."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from salescore.decisions.routing import route
from salescore.decisions.scoring import ScoreModel, score
from salescore.domain.team import Team
from salescore.serialization import from_json, to_json
from salescore.testing import _scoring

AT = datetime(2026, 3, 2, tzinfo=UTC)


@pytest.mark.parametrize("name", _scoring.__all__)
def test_round_trip(name: str) -> None:
    @settings(max_examples=15)
    @given(getattr(_scoring, name)())
    def check(obj: Any) -> None:
        assert from_json(type(obj), to_json(obj)) == obj

    check()


@settings(max_examples=25)
@given(
    _scoring.score_models(),
    st.dictionaries(
        st.sampled_from(["industry", "employees"]), st.sampled_from(["saas", 10, None])
    ),
)
def test_drawn_models_score(model: ScoreModel, subject: dict[str, Any]) -> None:
    result = score(model, subject, at=AT, context={"interactions": []})
    assert result.total == model.total(subject, at=AT, context={"interactions": []})
    if model.cap is not None:
        assert result.total <= model.cap


@settings(max_examples=25)
@given(_scoring.routing_tables(), _scoring.routing_states())
def test_drawn_tables_route(table: Any, state: Any) -> None:
    teams = [Team(id=i, name=i, rep_ids=("ana", "ben")) for i in ("ana", "ben", "emea", "triage")]
    decision = route(table, {"industry": "saas"}, state=state, at=AT, teams=teams)
    assert decision.assigned == (decision.owner_id is not None)
