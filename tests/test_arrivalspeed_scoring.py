"""Applying a score to a lead records the score and the stage move with one copy of the lead.

The result equals the general path's (``set_score``, then
``set_lifecycle_stage``): the same lead and history, or the same error.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from unittest import mock

from hypothesis import given, settings
from hypothesis import strategies as st

from salescore.decisions import scoring
from salescore.decisions.scoring import (
    Criterion,
    ScoreModel,
    ScoreResult,
    Threshold,
    apply_score,
    score,
)
from salescore.domain import Lead, leads
from salescore.errors import SalescoreError
from salescore.rules import parse
from salescore.testing import strategies as s

AT = datetime(2026, 3, 2, 9, tzinfo=UTC)
MQL = ScoreModel(
    key="m",
    criteria=(
        Criterion(key="big", rule=parse("employees >= 50"), points=20.0),
        Criterion(key="de", rule=parse("country == 'DE'"), points=15.0),
    ),
    thresholds=(
        Threshold(key="mql", score=15.0, stage="mql"),
        Threshold(key="sql", score=35.0, stage="sql"),
    ),
)


class _NoLead:
    """Stands for ``Lead`` in scoring, so that no lead takes the combined path."""


def _outcome(lead: Lead, result: Any, at: Any, actor: Any) -> tuple[str, Any]:
    try:
        out = apply_score(lead, result, at=at, actor=actor)
    except SalescoreError as exc:
        return ("raised", (type(exc), str(exc), repr(getattr(exc, "errors", None))))
    return ("lead", (out, out.version, out.history, [type(e) for e in out.history]))


_WHEN = st.sampled_from(["later", "same", "earlier", "offset", "naive"])


def _at(lead: Lead, when: str) -> Any:
    last = lead.history[-1].at
    return {
        "later": last + timedelta(hours=1),
        "same": last,
        "earlier": last - timedelta(seconds=1),
        "offset": (last + timedelta(hours=1)).astimezone(timezone(timedelta(hours=2))),
        "naive": last.replace(tzinfo=None),
    }[when]


@settings(max_examples=400, deadline=None)
@given(
    s.leads(),
    st.one_of(st.just(MQL), s.score_models()),
    _WHEN,
    st.sampled_from(["scoring", " padded ", "", "two\nlines", 7]),
    st.sampled_from([None, 0.0, 12.0, 20.0, 40.0]),
)
def test_applying_a_score_equals_the_general_path(
    lead: Lead, model: ScoreModel, when: str, actor: Any, prior: float | None
) -> None:
    if prior is not None:
        lead = lead.set_score(prior, at=lead.history[-1].at, actor="setup")
    at = _at(lead, when)
    result = score(model, lead, at=AT)
    fast = _outcome(lead, result, at, actor)
    with mock.patch.object(scoring, "Lead", _NoLead):
        general = _outcome(lead, result, at, actor)
    assert fast == general


def test_a_score_and_a_stage_move_copy_the_lead_once() -> None:
    lead = Lead.new(id="lead-1", at=AT, actor="web", email="a@b.example", employees=80)
    result = score(MQL, lead, at=AT)
    assert isinstance(result, ScoreResult)
    copies = mock.Mock(wraps=leads._copy_lead)
    with mock.patch.object(leads, "_copy_lead", copies):
        scored = apply_score(lead, result, at=AT, actor="scoring")
    assert copies.call_count == 1
    assert (scored.score, scored.lifecycle_stage, scored.version) == (20.0, "mql", 5)
    assert [type(e).__name__ for e in scored.history[3:]] == ["FieldsChanged", "StageChanged"]
    assert Lead.from_events(scored.history) == scored
