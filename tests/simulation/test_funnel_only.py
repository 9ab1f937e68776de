"""Scenarios without a cadence, and runs that must not change when the engine gets faster."""

from __future__ import annotations

import hashlib

from salescore.simulation import Scenario, b2b_quarter, simulate
from tests.simulation.test_engine import fingerprint

FUNNEL = """
name = "Funnel only"
start = 2026-01-05
days = 28
timezone = "UTC"

[[sources]]
key = "inbound"
rate = 10.0
[sources.attributes.industry]
saas = 3
retail = 2

[scoring]
mql = 10
[[scoring.criteria]]
key = "saas"
rule = "industry == 'saas'"
points = 10

[qualification]
[[qualification.items]]
key = "need"
confirmed = 0.5

[routing]
default_team = "sdr"
deal_team = "ae"

[[teams]]
key = "sdr"
role = "sdr"
reps = 1

[[teams]]
key = "ae"
role = "ae"
reps = 2
meetings_per_day = 100

[pipeline]
amount = "10000"
[[pipeline.stages]]
key = "qualification"
advance = 0.8
days = 2
[[pipeline.stages]]
key = "negotiation"
advance = 0.8
days = 2
"""


def test_without_a_cadence_the_deal_team_meets_every_mql() -> None:
    scenario = Scenario.from_toml(FUNNEL)
    assert scenario.cadence == ()
    result = simulate(scenario, seed=2)
    funnel = dict(result.summary.funnel)
    assert result.summary.funnel == (
        ("leads", 200),
        ("mql", 122),
        ("working", 0),
        ("meeting", 119),  # meetings due after the period are not held
        ("qualified", 67),
        ("deal", 67),
        ("won", 33),
    )
    # no outreach: the only interactions are the meetings
    assert {i.channel for i in result.interactions} == {"meeting"}
    assert len(result.interactions) == funnel["meeting"]
    # no routing: no lead has an owner; below the MQL score a lead is nurtured
    events = [r.event for r in result.events]
    assert not [
        e for e in events if type(e).__name__ == "FieldsChanged" and "owner_id" in e.changes
    ]
    statuses = [e.to_stage for e in events if getattr(e, "funnel", None) == "lead_status"]
    assert statuses.count("nurturing") == funnel["leads"] - funnel["mql"]
    assert "working" not in statuses
    assert fingerprint(simulate(scenario, seed=2)) == fingerprint(result)


def test_the_b2b_run_is_byte_for_byte_what_it_was() -> None:
    """The digest of a short B2B run, recorded before the engine and store were optimised."""
    scenario = b2b_quarter().with_overrides({"days": 10, "service.existing_customers": 40})
    digest = hashlib.sha256(fingerprint(simulate(scenario, 7)).encode()).hexdigest()
    assert digest == "ccd9c8ed4c67b1d6237900459772a6f7cceb0889ca9b17bfac45de577d0f8bf8"
