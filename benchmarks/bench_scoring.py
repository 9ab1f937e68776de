"""A 20-criterion score model versus the same score written by hand.

200,000 leads (``--quick``: 20,000) as plain slotted objects, about one field
in ten missing. The hand-written baseline makes the same 20 checks with the
same three-valued handling (a missing value never gives points), the same
group caps and the same total cap. Three contenders, each scoring every lead
once per call:

* ``hand-written``: the baseline;
* ``ScoreModel.total``: the compiled model, total only;
* ``score() breakdown``: the full :class:`~salescore.decisions.scoring.ScoreResult`
  with a line per criterion.

Reported per lead (the per-call median divided by the number of leads).
"""

from __future__ import annotations

import random
from datetime import UTC, datetime
from typing import Any

import attrs

from benchmarks._harness import compare, format_ns
from salescore.decisions.scoring import Criterion, ScoreGroup, ScoreModel, score
from salescore.rules import parse

AT = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


@attrs.define(slots=True)
class _Lead:
    industry: str | None
    employees: int | None
    country: str | None
    revenue: int | None
    seniority: str | None
    source: str | None
    visits: int | None
    opens: int | None
    clicks: int | None
    demo: bool | None
    trial: bool | None
    webinar: bool | None
    pricing_views: int | None
    idle_days: int | None
    competitor: bool | None
    freemail: bool | None
    budget: int | None
    timeline_days: int | None
    decision_maker: bool | None
    region: str | None


_CHOICES: dict[str, list[Any]] = {
    "industry": ["saas", "fintech", "retail", "health", "manufacturing"],
    "employees": [5, 20, 60, 150, 800, 3000],
    "country": ["DE", "FR", "US", "GB", "BR", "IN"],
    "revenue": [100_000, 2_000_000, 20_000_000],
    "seniority": ["ic", "manager", "director", "vp", "c-level"],
    "source": ["web", "event", "partner", "cold"],
    "visits": [0, 1, 3, 8, 20],
    "opens": [0, 2, 5, 12],
    "clicks": [0, 1, 3, 6],
    "demo": [True, False],
    "trial": [True, False],
    "webinar": [True, False],
    "pricing_views": [0, 1, 4],
    "idle_days": [1, 10, 40, 120],
    "competitor": [True, False, False, False],
    "freemail": [True, False, False],
    "budget": [0, 5_000, 25_000, 100_000],
    "timeline_days": [30, 90, 200, 400],
    "decision_maker": [True, False],
    "region": ["emea", "amer", "apac"],
}

CRITERIA = [
    ("industry", "industry in ['saas', 'fintech']", 15, "fit"),
    ("size", "employees >= 50", 10, "fit"),
    ("enterprise", "employees >= 1000", 10, "fit"),
    ("country", "country in ['DE', 'FR', 'GB', 'US']", 5, "fit"),
    ("revenue", "revenue >= 1000000", 5, "fit"),
    ("senior", "seniority in ['director', 'vp', 'c-level']", 10, "fit"),
    ("partner", "source == 'partner'", 5, "fit"),
    ("visits", "visits >= 3", 5, "engagement"),
    ("opens", "opens >= 5", 5, "engagement"),
    ("clicks", "clicks >= 2", 10, "engagement"),
    ("demo", "demo == true", 20, "engagement"),
    ("trial", "trial == true", 15, "engagement"),
    ("webinar", "webinar == true", 5, "engagement"),
    ("pricing", "pricing_views >= 1", 10, "engagement"),
    ("idle", "idle_days > 30", -10, "engagement"),
    ("competitor", "competitor == true", -50, "fit"),
    ("freemail", "freemail == true", -10, "fit"),
    ("budget", "budget >= 10000", 10, "fit"),
    ("timeline", "timeline_days <= 90", 10, "fit"),
    ("authority", "decision_maker == true and region != 'apac'", 10, "fit"),
]

MODEL = ScoreModel(
    key="bench",
    criteria=tuple(
        Criterion(key=k, rule=parse(text), points=p, group=g) for k, text, p, g in CRITERIA
    ),
    groups=(ScoreGroup(key="fit", cap=60.0), ScoreGroup(key="engagement", cap=50.0)),
    cap=100.0,
)

_FIT_IN_INDUSTRY = frozenset({"saas", "fintech"})
_COUNTRIES = frozenset({"DE", "FR", "GB", "US"})
_SENIOR = frozenset({"director", "vp", "c-level"})


def hand_written(o: _Lead) -> float:
    """The same 20 checks by hand; a missing (None) value never gives points."""
    fit = 0.0
    eng = 0.0
    v: Any = o.industry
    if v is not None and v in _FIT_IN_INDUSTRY:
        fit += 15
    v = o.employees
    if v is not None:
        if v >= 50:
            fit += 10
        if v >= 1000:
            fit += 10
    v = o.country
    if v is not None and v in _COUNTRIES:
        fit += 5
    v = o.revenue
    if v is not None and v >= 1_000_000:
        fit += 5
    v = o.seniority
    if v is not None and v in _SENIOR:
        fit += 10
    if o.source == "partner":
        fit += 5
    v = o.visits
    if v is not None and v >= 3:
        eng += 5
    v = o.opens
    if v is not None and v >= 5:
        eng += 5
    v = o.clicks
    if v is not None and v >= 2:
        eng += 10
    if o.demo is True:
        eng += 20
    if o.trial is True:
        eng += 15
    if o.webinar is True:
        eng += 5
    v = o.pricing_views
    if v is not None and v >= 1:
        eng += 10
    v = o.idle_days
    if v is not None and v > 30:
        eng -= 10
    if o.competitor is True:
        fit -= 50
    if o.freemail is True:
        fit -= 10
    v = o.budget
    if v is not None and v >= 10_000:
        fit += 10
    v = o.timeline_days
    if v is not None and v <= 90:
        fit += 10
    v = o.region
    if o.decision_maker is True and v is not None and v != "apac":
        fit += 10
    total = min(fit, 60.0) + min(eng, 50.0)
    return min(total, 100.0)


def make_leads(n: int, seed: int = 5) -> list[_Lead]:
    """``n`` leads with seeded random values, about 10% of fields missing."""
    rng = random.Random(seed)
    names = list(_CHOICES)
    leads = []
    for _ in range(n):
        values = {
            name: None if rng.random() < 0.1 else rng.choice(_CHOICES[name]) for name in names
        }
        leads.append(_Lead(**values))
    return leads


def run(quick: bool = False) -> dict[str, Any]:
    """Score every lead with the model and by hand; report ns per lead."""
    n = 20_000 if quick else 200_000
    leads = make_leads(n)
    total = MODEL.total
    for lead in leads[:2000]:  # same answers, or the comparison means nothing
        expected = hand_written(lead)
        assert total(lead, at=AT) == expected, lead
        assert score(MODEL, lead, at=AT).total == expected, lead
    breakdown_leads = leads[: n // 10]

    def by_hand() -> None:
        for lead in leads:
            hand_written(lead)

    def model_total() -> None:
        for lead in leads:
            total(lead, at=AT)

    def model_score() -> None:
        for lead in breakdown_leads:
            score(MODEL, lead, at=AT)

    result = compare(
        f"score model of {len(CRITERIA)} criteria, {n:,} leads per call",
        {"hand-written": by_hand, "ScoreModel.total": model_total},
        baseline="hand-written",
        number=1,
        repeats=3 if quick else 7,
    )
    detail = compare(
        f"score() with breakdown, {len(breakdown_leads):,} leads per call",
        {"score() breakdown": model_score},
        baseline="score() breakdown",
        number=1,
        repeats=3 if quick else 5,
    )
    per_lead = {name: c["median_ns"] / n for name, c in result["contenders"].items()}
    per_lead["score() breakdown"] = detail["contenders"]["score() breakdown"]["median_ns"] / len(
        breakdown_leads
    )
    base = per_lead["hand-written"]
    print("\nper lead:")
    for name, ns in per_lead.items():
        print(f"  {name:<20} {format_ns(ns):>12}  ×{ns / base:7.2f}")
    return {
        "total": result,
        "breakdown": detail,
        "ns_per_lead": per_lead,
        "ratio_vs_hand_written": {name: ns / base for name, ns in per_lead.items()},
    }
