"""Hypothesis strategies for every public salescore type.

Use them in your own property tests::

    from hypothesis import given
    from salescore.testing.strategies import money

    @given(money(currencies=["EUR"]))
    def test_rounding_is_idempotent(m):
        assert m.round().round() == m.round()
"""

from __future__ import annotations

from salescore.testing._foundation import (
    aware_datetimes,
    deterministic_ids,
    fields_changed,
    funnels,
    json_values,
    stage_changed,
    stage_keys,
    stages,
    transition_policies,
)
from salescore.testing._money import money
from salescore.testing._rules import RULE_FIELDS, rule_literals, rules, truths

__all__ = [
    "RULE_FIELDS",
    "aware_datetimes",
    "deterministic_ids",
    "fields_changed",
    "funnels",
    "json_values",
    "money",
    "rule_literals",
    "rules",
    "stage_changed",
    "stage_keys",
    "stages",
    "transition_policies",
    "truths",
]
