"""Lead scoring for a B2B product: score, hand off, explain, qualify.

A few hundred generated leads (seeded, so every run prints the same), each with
emails, web visits and meetings, are scored by a model with fit and engagement
groups, decay and caps. Leads that reach the marketing-qualified threshold move
to ``mql``, those that reach the sales-qualified one to ``sql`` — the hand-off
to sales. Then three leads' scores are explained, and the best lead gets a BANT
verdict with the questions its rep should ask next.

Run with ``python examples/lead_scoring.py``.
"""

from __future__ import annotations

import random
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

import attrs

from salescore.decisions.qualification import BANT, RepAnswer, assess
from salescore.decisions.scoring import (
    Criterion,
    HalfLife,
    ScoreGroup,
    ScoreModel,
    StepDecay,
    Threshold,
    apply_score,
    score,
)
from salescore.domain.interactions import Interaction
from salescore.domain.leads import Lead
from salescore.ids import DeterministicIds
from salescore.rules import parse

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
DAY = timedelta(days=1)

# --- the score model ------------------------------------------------------------------

MODEL = ScoreModel(
    key="b2b-saas",
    name="B2B SaaS inbound",
    criteria=(
        # Fit: who they are.
        Criterion(
            key="industry", rule=parse("industry in ['saas', 'fintech', 'healthtech']"), points=20
        ),
        Criterion(key="size", rule=parse("employees between 50 and 5000"), points=15),
        Criterion(
            key="country", rule=parse("country in ['DE', 'FR', 'GB', 'NL', 'US']"), points=10
        ),
        Criterion(
            key="seniority",
            rule=parse("custom.seniority in ['director', 'vp', 'c-level']"),
            points=10,
        ),
        Criterion(key="budget", rule=parse("custom.budget >= 10000"), points=10),
        Criterion(key="student", rule=parse("custom.seniority == 'student'"), points=-25),
        # Engagement: what they did, each record counted and decayed by its age.
        Criterion(
            key="email_click",
            rule=parse("kind == 'clicked'"),
            points=4,
            group="engagement",
            per_record="interactions",
            decay=HalfLife(14 * DAY),
        ),
        Criterion(
            key="pricing_visit",
            rule=parse("kind == 'visit' and url == '/pricing'"),
            points=8,
            group="engagement",
            per_record="interactions",
            decay=StepDecay(((7 * DAY, 1.0), (30 * DAY, 0.5), (60 * DAY, 0.25))),
        ),
        Criterion(
            key="meeting",
            rule=parse("kind == 'held'"),
            points=20,
            group="engagement",
            per_record="interactions",
            decay=HalfLife(30 * DAY),
        ),
        Criterion(
            key="unsubscribed",
            rule=parse("kind == 'unsubscribed'"),
            points=-30,
            group="engagement",
            per_record="interactions",
        ),
    ),
    groups=(
        ScoreGroup(key="fit", cap=55, label="Fit"),
        ScoreGroup(key="engagement", cap=50, floor=-30, label="Engagement"),
    ),
    cap=100,
    floor=0,
    thresholds=(
        Threshold(key="mql", score=45, stage="mql", label="Marketing-qualified"),
        Threshold(key="sql", score=70, stage="sql", label="Sales-qualified"),
    ),
)

# --- generated leads and their interactions -------------------------------------------

INDUSTRIES = ["saas", "fintech", "healthtech", "retail", "manufacturing", "education"]
COUNTRIES = ["DE", "FR", "GB", "NL", "US", "BR", "IN", "JP"]
SENIORITY = ["student", "ic", "manager", "director", "vp", "c-level"]
PAGES = ["/pricing", "/blog/roi", "/docs", "/careers"]


def maybe(rng: random.Random, value: Any, p_missing: float = 0.15) -> Any:
    """``value``, or ``None`` (not known yet) with probability ``p_missing``."""
    return None if rng.random() < p_missing else value


def make_lead(rng: random.Random, ids: DeterministicIds) -> Lead:
    """A lead captured some time in the last quarter."""
    custom = {
        "seniority": maybe(rng, rng.choice(SENIORITY)),
        "budget": maybe(rng, rng.choice([0, 5000, 12000, 40000, 150000]), 0.4),
        "decision_maker_identified": maybe(rng, rng.random() < 0.4, 0.5),
        "need_identified": maybe(rng, rng.random() < 0.6, 0.5),
        "timeline_days": maybe(rng, rng.choice([30, 90, 180, 365]), 0.5),
    }
    return Lead.new(
        id=ids.new("lead"),
        at=NOW - rng.randint(20, 90) * DAY,
        actor="web-form",
        email=f"person{rng.randrange(10**6)}@example.com",
        company=f"Company {rng.randrange(1000)}",
        industry=maybe(rng, rng.choice(INDUSTRIES)),
        employees=maybe(rng, rng.choice([5, 30, 120, 800, 4000, 20000])),
        country=maybe(rng, rng.choice(COUNTRIES), 0.05),
        custom={k: v for k, v in custom.items() if v is not None},
    )


def make_interactions(rng: random.Random, ids: DeterministicIds, lead: Lead) -> list[Interaction]:
    """Emails, web visits and the odd meeting since the lead was captured."""
    out: list[Interaction] = []
    interest = rng.random()
    for _ in range(rng.randint(0, 14)):
        at = NOW - timedelta(minutes=rng.randint(60, 60 * 24 * 60))
        roll = rng.random()
        if roll < 0.45:
            kind = "clicked" if rng.random() < interest else "opened"
            if rng.random() < 0.02:
                kind = "unsubscribed"
            out.append(
                Interaction.email(
                    id=ids.new("int"),
                    at=at,
                    actor="mailer",
                    message_id=ids.new("msg"),
                    kind=kind,
                    party=lead.ref,
                )
            )
        elif roll < 0.9:
            page = rng.choice(PAGES) if rng.random() < interest else "/careers"
            out.append(
                Interaction.web_visit(
                    id=ids.new("int"), at=at, actor="site", url=page, party=lead.ref
                )
            )
        elif rng.random() < interest:
            out.append(
                Interaction.meeting(
                    id=ids.new("int"),
                    at=at,
                    actor="rep-1",
                    duration=timedelta(minutes=30),
                    party=lead.ref,
                )
            )
    return sorted(out, key=lambda i: i.at)


def main() -> None:
    """Generate, score, hand off, explain and qualify."""
    rng = random.Random(20260302)
    ids = DeterministicIds(namespace="scoring", seed=1)
    leads = [make_lead(rng, ids) for _ in range(300)]
    touches = {lead.id: make_interactions(rng, ids, lead) for lead in leads}

    # Score every lead and record the result: MQL/SQL leads move stage.
    results = {}
    scored = []
    for lead in leads:
        result = score(MODEL, lead, at=NOW, context={"interactions": touches[lead.id]})
        results[lead.id] = result
        scored.append(apply_score(lead, result, at=NOW, actor="scoring"))

    stages = Counter(lead.lifecycle_stage for lead in scored)
    print(f"{len(scored)} leads scored with '{MODEL.name}'")
    print(f"  lifecycle: {stages['lead']} lead, {stages['mql']} mql, {stages['sql']} sql")
    handed = sorted(
        (lead for lead in scored if lead.lifecycle_stage == "sql"),
        key=lambda lead: (-lead.score, lead.id),
    )
    print("\nHanded to sales (sql), best first:")
    for lead in handed[:5]:
        move = lead.history[-1]
        print(f"  {lead.id}  {lead.score:5.1f}  {lead.company:<12}  {move.reason}")

    # Explain three leads: the best, one just under MQL, and one with gaps.
    ranked = sorted(scored, key=lambda lead: (-lead.score, lead.id))
    best = ranked[0]
    near = next(lead for lead in ranked if 35 <= lead.score < 45)
    gaps = max(scored, key=lambda lead: (len(results[lead.id].unknown_fields), lead.id))
    for title, lead in (("Best lead", best), ("Just under MQL", near), ("Most unknowns", gaps)):
        result = results[lead.id]
        print(f"\n{title}: {lead.id} ({lead.company}), score {result.total:g}")
        for line in result.lines():
            print(f"  {line}")
        if result.unknown_fields:
            print(f"  unknown (ask about): {', '.join(result.unknown_fields)}")

    # Qualify the best lead with BANT. Its qualification facts are custom fields,
    # so the framework's rules are pointed at them; a rep answer from the
    # meeting settles one item.
    on_custom = {
        "budget": "custom.budget > 0",
        "authority": "custom.decision_maker_identified == true",
        "need": "custom.need_identified == true",
        "timeline": "custom.timeline_days <= 180",
    }
    bant = attrs.evolve(
        BANT,
        key="bant-custom",
        items=tuple(attrs.evolve(i, rule=parse(on_custom[i.key])) for i in BANT.items),
    )
    meetings = [i for i in touches[best.id] if i.kind == "held"]
    answers = []
    if meetings:
        answers.append(
            RepAnswer(
                item_key="need",
                answer="confirmed",
                at=meetings[-1].at,
                actor="rep-1",
                note="manual reporting costs them a week a month",
                interaction_id=meetings[-1].id,
            )
        )
    verdict = assess(bant, best, answers=answers, at=NOW)
    print(f"\nBANT for {best.id}:")
    for line in verdict.lines():
        print(f"  {line}")
    print(f"  missing fields: {', '.join(verdict.missing_fields) or 'none'}")


if __name__ == "__main__":
    main()
