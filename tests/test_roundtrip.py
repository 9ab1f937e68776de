"""Every public type round-trips through ``to_json``/``from_json`` to an equal value.

The test walks every strategy in :mod:`salescore.testing.strategies`; each
one that draws salescore objects (attrs instances) is checked, so a new
public type is covered as soon as its strategy is exported.
"""

from __future__ import annotations

from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from salescore.serialization import from_json, to_json
from salescore.testing import strategies

# Strategies for building blocks that are not salescore objects themselves.
BUILDING_BLOCKS = {
    "RULE_FIELDS",
    "aware_datetimes",
    "custom_fields_with_values",
    "day_hours",
    "emails",
    "phone_numbers",
    "deterministic_ids",
    "json_values",
    "member_statuses",
    "rule_literals",
    "stage_keys",
    "truths",
}
NAMES = sorted(set(strategies.__all__) - BUILDING_BLOCKS)


def test_strategies_cover_the_foundation() -> None:
    assert {"funnels", "stages", "money", "stage_changed", "fields_changed"} <= set(NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_public_type_round_trips(name: str) -> None:
    strategy = getattr(strategies, name)()
    assert isinstance(strategy, st.SearchStrategy)

    @settings(max_examples=25, suppress_health_check=list(HealthCheck))
    @given(strategy)
    def check(value: Any) -> None:
        assert attrs.has(type(value)), f"{name} draws {type(value).__name__}"
        text = to_json(value)
        back = from_json(type(value), text)
        assert back == value
        assert to_json(back) == text

    check()
