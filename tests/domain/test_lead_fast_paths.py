"""The fast paths of a lead's common transitions equal the general, checked path.

``move_to``, ``set_lifecycle_stage``, ``assign`` and ``set_score`` record a
plain change without checking its event and state again; these tests compare
each with the general path (the same call with the fast path turned off) on
generated leads and awkward inputs: the same lead and history, or the same
exception.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from unittest import mock

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from salescore.domain import Lead, leads
from salescore.errors import SalescoreError, ValidationError
from salescore.testing import strategies as s


def _general(call: Callable[[], Lead]) -> tuple[str, Any]:
    """The outcome of ``call`` with every fast path turned off."""
    with mock.patch.object(leads, "_plain", return_value=False):
        return _outcome(call)


def _outcome(call: Callable[[], Lead]) -> tuple[str, Any]:
    try:
        lead = call()
    except SalescoreError as exc:
        return ("raised", (type(exc), str(exc), repr(getattr(exc, "errors", None))))
    return ("lead", (lead, lead.version, lead.history))


_ATS: st.SearchStrategy[Any] = st.one_of(
    st.timedeltas(timedelta(days=-2), timedelta(days=40)),
    st.sampled_from(["offset", "naive", "string"]),
)
_ACTORS = st.sampled_from(["rep-1", "scoring", " padded ", "", "two\nlines", 7, None])
_REASONS = st.sampled_from([None, "why", " padded ", "", "  ", "two\nlines", "bell\x07", 3])


def _when(lead: Lead, shift: Any) -> Any:
    last = lead.history[-1].at
    if shift == "offset":
        return last.astimezone(timezone(timedelta(hours=2)))
    if shift == "naive":
        return last.replace(tzinfo=None)
    if shift == "string":
        return last.isoformat()
    return last + shift


#: Each operation with a fast path, and the values to give it (good and awkward).
_OPERATIONS: dict[str, st.SearchStrategy[Any]] = {
    "move_to": st.sampled_from(
        ["new", "working", "nurturing", "qualified", "disqualified", "converted"]
    ),
    "set_lifecycle_stage": st.sampled_from(
        ["subscriber", "lead", "mql", "sql", "opportunity", "customer", "nope"]
    ),
    "assign": st.one_of(
        st.none(),
        st.sampled_from(["rep-1", "rep-2", " rep-3 ", "", "a\x00b", 5]),
        s.leads().map(lambda lead: lead.owner_id),
    ),
    "set_score": st.one_of(
        st.floats(allow_nan=True, allow_infinity=True),
        st.integers(-5, 200),
        st.sampled_from([True, "12", None, 0.0, 10.0]),
    ),
}


@settings(max_examples=500, deadline=None)
@given(s.leads(), st.sampled_from(sorted(_OPERATIONS)), st.data(), _ATS, _ACTORS, _REASONS)
def test_each_fast_path_equals_the_general_path(
    lead: Lead, operation: str, data: st.DataObject, shift: Any, actor: Any, reason: Any
) -> None:
    value = data.draw(_OPERATIONS[operation], label="value")
    at = _when(lead, shift)
    call = lambda: getattr(lead, operation)(value, at=at, actor=actor, reason=reason)  # noqa: E731
    assert _outcome(call) == _general(call)


def test_the_fast_paths_replay_to_the_same_lead() -> None:
    t0 = datetime(2026, 3, 2, 9, tzinfo=UTC)
    lead = Lead.new(id="lead-1", at=t0, actor="web-form", email="ann@acme.example")
    # The general path would go through _evolved: the fast paths do not.
    with mock.patch.object(Lead, "_evolved", side_effect=AssertionError("general path")):
        lead = lead.set_score(42.5, at=t0, actor="scoring", reason="model 'm'")
        lead = lead.set_lifecycle_stage("mql", at=t0, actor="scoring", reason="reached 'mql'")
        lead = lead.assign("rep-1", at=t0 + timedelta(minutes=1), actor="routing")
        lead = lead.move_to("working", at=t0 + timedelta(minutes=1), actor="rep-1")
        lead = lead.move_to("disqualified", at=t0 + timedelta(days=1), actor="x", reason="gone")
    assert (lead.version, lead.score, lead.lifecycle_stage, lead.owner_id) == (
        8,
        42.5,
        "mql",
        "rep-1",
    )
    assert (lead.status.value, lead.disqualify_reason) == ("disqualified", "gone")
    assert Lead.from_events(lead.history) == lead


def test_a_bad_value_is_refused_naming_the_field() -> None:
    t0 = datetime(2026, 3, 2, 9, tzinfo=UTC)
    lead = Lead.new(id="lead-1", at=t0, actor="web-form", email="ann@acme.example")
    with pytest.raises(ValidationError) as caught:
        lead.set_score(float("nan"), at=t0, actor="scoring")
    assert [(e.path, e.message) for e in caught.value.errors] == [
        ("score", "must be a finite number")
    ]
    with pytest.raises(ValidationError) as caught:
        lead.assign("rep-1", at=t0 - timedelta(seconds=1), actor="routing")
    assert [e.path for e in caught.value.errors] == ["at"]
