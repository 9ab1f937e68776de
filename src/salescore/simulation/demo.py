"""The built-in scenario: a quarter of a B2B software company.

``salescore demo`` runs it; :func:`b2b_quarter` gives it as a
:class:`~salescore.simulation.Scenario` and :data:`B2B_QUARTER` as TOML text
(the same text as ``examples/scenarios/b2b_quarter.toml``).
"""

from __future__ import annotations

from salescore.simulation.scenario import Scenario

__all__ = ["B2B_QUARTER", "b2b_quarter"]

B2B_QUARTER = """\
# A quarter of a B2B software company: three lead sources, SDRs working a
# five-step cadence, account executives running deals through the pipeline,
# and a support team serving customers.
name = "B2B quarter"
start = 2026-01-05
days = 91
timezone = "Europe/Berlin"
currency = "EUR"
holidays = [2026-04-03]

[[sources]]
key = "paid_search"
channel = "paid_search"
rate = 22.0
cost = "45000"
[sources.attributes.industry]
saas = 3
fintech = 2
retail = 3
manufacturing = 2
[sources.attributes.employees]
15 = 4
80 = 3
400 = 2
2500 = 1
[sources.attributes.country]
DE = 5
AT = 1
CH = 1
FR = 2
GB = 2

[[sources]]
key = "webinar"
channel = "webinar"
rate = 9.0
cost = "12000"
[sources.attributes.industry]
saas = 4
fintech = 3
manufacturing = 1
[sources.attributes.employees]
80 = 3
400 = 3
2500 = 2
[sources.attributes.country]
DE = 3
FR = 1
GB = 2

[[sources]]
key = "referral"
channel = "referral"
rate = 4.0
cost = "3000"
[sources.attributes.industry]
saas = 1
fintech = 1
[sources.attributes.employees]
80 = 1
400 = 2
2500 = 1
[sources.attributes.country]
DE = 1
GB = 1

[scoring]
mql = 30
[[scoring.criteria]]
key = "target_industry"
rule = "industry in ['saas', 'fintech']"
points = 25
[[scoring.criteria]]
key = "mid_market"
rule = "employees >= 50"
points = 15
[[scoring.criteria]]
key = "enterprise"
rule = "employees >= 1000"
points = 10
[[scoring.criteria]]
key = "home_market"
rule = "country in ['DE', 'AT', 'CH']"
points = 5

[qualification]
[[qualification.items]]
key = "size"
rule = "employees >= 50"
[[qualification.items]]
key = "need"
confirmed = 0.8
[[qualification.items]]
key = "budget"
confirmed = 0.85

[routing]
default_team = "sdr"
deal_team = "ae"
[[routing.rules]]
rule = "employees >= 1000"
team = "enterprise_sdr"

[[teams]]
key = "sdr"
role = "sdr"
reps = 5
hours = ["08:30", "17:30"]
calls_per_day = 45

[[teams]]
key = "enterprise_sdr"
role = "sdr"
reps = 1
calls_per_day = 40

[[teams]]
key = "ae"
role = "ae"
reps = 4
meetings_per_day = 4

[[teams]]
key = "support"
role = "support_agent"
reps = 4
hours = ["08:00", "18:00"]
cases_at_once = 3

[[cadence]]
kind = "call"
business_days = 0
connect = 0.12
meeting = 0.05
opt_out = 0.01
[[cadence]]
kind = "email"
business_days = 1
reply = 0.04
meeting = 0.03
opt_out = 0.02
[[cadence]]
kind = "call"
business_days = 2
connect = 0.10
meeting = 0.05
opt_out = 0.01
[[cadence]]
kind = "email"
business_days = 3
reply = 0.03
meeting = 0.02
opt_out = 0.02
[[cadence]]
kind = "call"
business_days = 4
connect = 0.08
meeting = 0.04
opt_out = 0.01

[pipeline]
amount = "24000"
spread = 0.6
lost_reasons = ["no budget", "chose a competitor", "no decision"]
[[pipeline.stages]]
key = "qualification"
advance = 0.8
days = 3
[[pipeline.stages]]
key = "discovery"
advance = 0.7
days = 6
[[pipeline.stages.when]]
rule = "employees >= 1000"
advance = 0.55
days = 15
[[pipeline.stages]]
key = "proposal"
advance = 0.65
days = 6
[[pipeline.stages]]
key = "negotiation"
advance = 0.75
days = 5

[service]
existing_customers = 150
cases_per_customer_per_month = 1.2
reply_hours = 0.75
resolve_hours = 2.5
team = "support"
[service.priorities]
low = 3
normal = 5
high = 1.5
urgent = 0.5
[[service.sla]]
priority = "low"
first_reply_hours = 16
resolution_hours = 48
[[service.sla]]
priority = "normal"
first_reply_hours = 8
resolution_hours = 24
[[service.sla]]
priority = "high"
first_reply_hours = 4
resolution_hours = 12
[[service.sla]]
priority = "urgent"
first_reply_hours = 1
resolution_hours = 4

[variants.more_sdrs]
"teams.sdr.reps" = 7

[variants.higher_mql]
"scoring.mql" = 40

[variants.no_paid_search]
"sources.paid_search.rate" = 0.0
"sources.paid_search.cost" = "0"
"""


def b2b_quarter() -> Scenario:
    """The built-in B2B quarter as a :class:`~salescore.simulation.Scenario`."""
    return Scenario.from_toml(B2B_QUARTER)
