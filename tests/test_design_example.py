"""The illustration in DESIGN.md ("What using it should feel like") works as written."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from salescore import Lead, Money, funnels, rules
from salescore.errors import TransitionError
from salescore.ids import DeterministicIds


def test_design_example() -> None:
    ids = DeterministicIds(namespace="demo", seed=1)
    t0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)

    lead = Lead.new(
        id=ids.new("lead"),
        at=t0,
        actor="web-form",
        email="Ana.Silva@Acme.io",
        company="Acme",
        industry="saas",
        employees=120,
    )
    lead = lead.move_to("working", at=t0 + timedelta(hours=2), actor="rep-7")

    assert lead.email == "Ana.Silva@acme.io"
    assert lead.version == 4
    assert lead.time_in_stage(funnels.LEAD_STATUS, "new") == timedelta(hours=2)

    fit = rules.parse("industry in ['saas', 'fintech'] and employees >= 50")
    assert fit.evaluate(lead) is rules.Truth.TRUE
    assert rules.parse("budget >= 10000").explain(lead).missing_fields == ("budget",)

    with pytest.raises(TransitionError) as info:
        lead.move_to("converted", at=t0 + timedelta(days=1), actor="rep-7")
    assert "only conversion reaches 'converted'" in str(info.value)
    assert info.value.from_state == "working"
    assert info.value.to_state == "converted"

    assert Money("12000.00", "EUR") * 0.5 == Money("6000.000", "EUR")
    assert repr(Money("12000.00", "EUR") * 0.5) == "Money('6000.000', 'EUR')"
