"""Events checked by annotation and StageChanged's own check: every problem, exactly."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from salescore.domain.events import Event, StageChanged
from salescore.domain.parties import PartyKind, PartyRef
from salescore.errors import ValidationError
from salescore.outreach.cadences import EnrollmentCreated, StepHeld
from salescore.outreach.consent import ConsentCreated, ObjectionRecorded

T0 = datetime(2026, 3, 2, 9, tzinfo=UTC)
LEAD = PartyRef(PartyKind.LEAD, "lead-1")


def problems(cls: type[Event], **fields: Any) -> list[tuple[str, Any, str]]:
    with pytest.raises(ValidationError) as exc:
        cls(**{"subject_id": "x-1", "at": T0, "actor": "rep-1", **fields})
    assert exc.value.subject == cls.__name__
    return [(e.path, e.value, e.message) for e in exc.value.errors]


def test_outreach_events_refuse_each_bad_field_by_name() -> None:
    assert problems(EnrollmentCreated, cadence_id=" ", party="lead-1", owner_id=None) == [
        ("cadence_id", " ", "must not be blank"),
        ("party", "lead-1", "must be a PartyRef"),
        ("owner_id", None, "must be a string"),
    ]
    assert problems(StepHeld, task_id="t\n1") == [
        ("task_id", "t\n1", "must not contain the control character '\\n'")
    ]
    assert problems(ConsentCreated, party=None) == [("party", None, "must be a PartyRef")]
    assert problems(ObjectionRecorded, method="", source=" ") == [
        ("method", "", "must not be blank"),
        ("source", " ", "must not be blank"),
    ]
    ok = ObjectionRecorded(subject_id="x-1", at=T0, actor="rep-1", method="call", source=None)
    assert (ok.method, ok.source) == ("call", None)
    assert (
        EnrollmentCreated(
            subject_id="e-1", at=T0, actor="rep-1", cadence_id="c", party=LEAD, owner_id="rep-1"
        ).party
        == LEAD
    )


def test_stage_changed_reports_envelope_and_own_fields_together() -> None:
    assert problems(
        StageChanged, actor="", funnel="f", from_stage=3, to_stage="b", reason="a\x00"
    ) == [
        ("actor", "", "must not be blank"),
        ("from_stage", 3, "must be a string"),
        ("reason", "a\x00", "must not contain the control character '\\x00'"),
    ]
    assert problems(StageChanged, funnel="f", from_stage=None, to_stage="b", reason="x\x01") == [
        ("reason", "x\x01", "must not contain the control character '\\x01'")
    ]
    moved = StageChanged(
        subject_id="x-1", at=T0, actor="a", funnel="f", from_stage=None, to_stage="b", reason="\n"
    )
    assert moved.reason == "\n"  # a reason may span lines, and be blank
