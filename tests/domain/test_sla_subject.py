"""SLA policies and escalation rules check their conditions against the case type."""

from __future__ import annotations

from datetime import timedelta

import pytest

from salescore.domain import ServiceCase
from salescore.domain.service import EscalationRule, SlaPolicy, SlaTarget
from salescore.errors import ValidationError
from salescore.rules import parse
from salescore.serialization import from_json, to_json

TARGET = SlaTarget(
    metric="first_reply", priority="normal", duration=timedelta(hours=4), business_time=False
)


def test_policy_condition_is_checked_against_the_subject() -> None:
    with pytest.raises(ValidationError) as info:
        SlaPolicy(
            name="vip", targets=[TARGET], applies_when="priorty == 'high'", subject=ServiceCase
        )
    assert [(e.path, e.value) for e in info.value.errors] == [
        ("applies_when.priorty", "priorty == 'high'")
    ]
    assert "did you mean 'priority'?" in str(info.value)
    assert str(info.value).startswith("invalid SlaPolicy (1 problem): applies_when.priorty")
    ok = SlaPolicy(
        name="vip", targets=[TARGET], applies_when=parse("priority == 'high'"), subject=ServiceCase
    )
    assert ok == SlaPolicy(name="vip", targets=[TARGET], applies_when="priority == 'high'")
    assert from_json(SlaPolicy, to_json(ok)) == ok
    default = SlaPolicy(name="default", targets=[TARGET], subject=ServiceCase)
    assert default.is_default


def test_escalation_condition_is_checked_against_the_subject() -> None:
    with pytest.raises(ValidationError) as info:
        EscalationRule(
            name="late",
            metric="resolution",
            at_fraction=0.5,
            when="statuss == 'open'",
            subject=ServiceCase,
        )
    assert [(e.path, e.value) for e in info.value.errors] == [("when.statuss", "statuss == 'open'")]
    assert "did you mean 'status'?" in str(info.value)
    rule = EscalationRule(
        name="late",
        metric="resolution",
        at_fraction=0.5,
        when="status == 'open'",
        subject=ServiceCase,
    )
    assert rule.condition == parse("status == 'open'")
    assert from_json(EscalationRule, to_json(rule)) == rule
