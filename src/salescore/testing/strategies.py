"""Hypothesis strategies for every public salescore type.

Use them in your own property tests::

    from hypothesis import given
    from salescore.testing.strategies import money

    @given(money(currencies=["EUR"]))
    def test_rounding_is_idempotent(m):
        assert m.round().round() == m.round()
"""

from __future__ import annotations

from salescore.testing._calendar import business_calendars, day_hours
from salescore.testing._deals import (
    campaign_members,
    campaigns,
    line_items,
    member_statuses,
    opportunities,
    price_books,
    products,
)
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
from salescore.testing._outreach import (
    cadence_steps,
    cadences,
    consent_records,
    contact_policies,
    do_not_contact_lists,
    enrollments,
    match_rules,
    merges,
    registry_checks,
    tombstones,
)
from salescore.testing._parties import (
    accounts,
    contacts,
    custom_field_schemas,
    custom_fields_with_values,
    emails,
    interactions,
    lead_sources,
    leads,
    party_refs,
    phone_numbers,
    queues,
    reps,
    task_subjects,
    tasks,
    teams,
)
from salescore.testing._rules import RULE_FIELDS, rule_literals, rules, truths
from salescore.testing._scoring import (
    criteria,
    frameworks,
    rep_answers,
    routing_states,
    routing_tables,
    score_models,
    targets,
    training_examples,
    win_models,
)
from salescore.testing._service import (
    ces_responses,
    csat_responses,
    escalation_rules,
    nps_responses,
    service_cases,
    sla_policies,
    sla_targets,
)

__all__ = [
    "RULE_FIELDS",
    "accounts",
    "aware_datetimes",
    "business_calendars",
    "cadence_steps",
    "cadences",
    "campaign_members",
    "campaigns",
    "ces_responses",
    "consent_records",
    "contact_policies",
    "contacts",
    "criteria",
    "csat_responses",
    "custom_field_schemas",
    "custom_fields_with_values",
    "day_hours",
    "deterministic_ids",
    "do_not_contact_lists",
    "emails",
    "enrollments",
    "escalation_rules",
    "fields_changed",
    "frameworks",
    "funnels",
    "interactions",
    "json_values",
    "lead_sources",
    "leads",
    "line_items",
    "match_rules",
    "member_statuses",
    "merges",
    "money",
    "nps_responses",
    "opportunities",
    "party_refs",
    "phone_numbers",
    "price_books",
    "products",
    "queues",
    "registry_checks",
    "rep_answers",
    "reps",
    "routing_states",
    "routing_tables",
    "rule_literals",
    "rules",
    "score_models",
    "service_cases",
    "sla_policies",
    "sla_targets",
    "stage_changed",
    "stage_keys",
    "stages",
    "targets",
    "task_subjects",
    "tasks",
    "teams",
    "tombstones",
    "training_examples",
    "transition_policies",
    "truths",
    "win_models",
]
