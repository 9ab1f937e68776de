"""A deal pipeline: a price book, a dozen leads converted into deals, won and lost.

Twelve qualified leads from three campaigns are converted into accounts,
contacts and deals. Each deal is priced from a price book and moves through
the B2B pipeline on realistic business-day dates; some are won, some lost, a
few still open. The script prints each deal's history and time in stage, and
the won revenue per campaign.

Run with ``python examples/deal_pipeline.py``.
"""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import UTC, datetime, timedelta

from salescore import funnels
from salescore.domain.campaigns import Campaign, CampaignMember
from salescore.domain.conversion import OpportunitySpec, convert_lead
from salescore.domain.leads import Lead, LeadSource
from salescore.domain.opportunities import ContactRole, Opportunity
from salescore.domain.products import PriceBook, Product, price_line
from salescore.ids import DeterministicIds
from salescore.money import Money
from salescore.serialization import from_json, to_json

CATALOGUE = {
    p.code: p
    for p in (
        Product(code="SEAT", name="Platform seat (monthly)", family="licences", recurring=True),
        Product(code="ONBOARD", name="Onboarding package", family="services"),
        Product(code="TRAIN", name="Training day", family="services"),
    )
}
BOOK = PriceBook(
    id="pb-2027",
    name="Standard 2027",
    is_standard=True,
    prices={
        "SEAT": {"EUR": Money("45.00", "EUR")},
        "ONBOARD": {"EUR": Money("2500.00", "EUR")},
        "TRAIN": {"EUR": Money("1200.00", "EUR")},
    },
)
COMPANIES = [
    ("Acme", "acme.io", "saas", 120),
    ("Globex", "globex.com", "manufacturing", 900),
    ("Initech", "initech.com", "fintech", 300),
    ("Umbrella", "umbrella.health", "healthcare", 2400),
    ("Hooli", "hooli.xyz", "saas", 60),
    ("Vehement", "vehement.co", "logistics", 450),
    ("Massive Dynamic", "massive.dev", "biotech", 1500),
    ("Soylent", "soylent.food", "retail", 80),
    ("Wonka", "wonka.co.uk", "retail", 210),
    ("Stark", "stark.industries", "manufacturing", 5000),
    ("Cyberdyne", "cyberdyne.ai", "saas", 350),
    ("Tyrell", "tyrell.bio", "biotech", 700),
]
PEOPLE = ["Ana", "Ben", "Chloé", "Dev", "Eva", "Femi", "Gus", "Hana", "Ivo", "Jun", "Kai", "Lea"]
LOST_REASONS = ["went with a competitor", "no budget this year", "timing", "no decision"]


def business_days_after(start: datetime, days: int) -> datetime:
    """``start`` moved forward by ``days`` working days (Monday to Friday)."""
    current = start
    while days > 0:
        current += timedelta(days=1)
        if current.weekday() < 5:
            days -= 1
    return current


def main() -> None:
    rng = random.Random(2027)
    ids = DeterministicIds(namespace="pipeline", seed=7)
    t0 = datetime(2027, 1, 11, 9, 0, tzinfo=UTC)  # a Monday

    campaigns = [
        Campaign.new(id=ids.new("campaign"), at=t0, actor="marketing", name=name, type=kind)
        for name, kind in [
            ("Winter webinar", "webinar"),
            ("Search ads Q1", "paid_search"),
            ("Partner referrals", "referral"),
        ]
    ]
    campaigns = [c.activate(at=t0, actor="marketing") for c in campaigns]

    deals: list[Opportunity] = []
    for i, ((company, domain, industry, size), person) in enumerate(
        zip(COMPANIES, PEOPLE, strict=True)
    ):
        campaign = campaigns[i % len(campaigns)]
        captured = t0 + timedelta(hours=3 * i)
        lead = Lead.new(
            id=ids.new("lead"),
            at=captured,
            actor="web-form",
            first_name=person,
            last_name="Example",
            email=f"{person.lower()}@{domain}",
            company=company,
            domain=domain,
            industry=industry,
            employees=size,
            owner_id=f"rep-{1 + i % 3}",
            source=LeadSource(channel=str(campaign.type), campaign_id=campaign.id),
        )
        member = CampaignMember.new(
            id=ids.new("member"),
            at=captured,
            actor="marketing",
            campaign=campaign,
            party=lead.ref,
            status=campaign.member_statuses[1].key,
        )
        qualified_at = business_days_after(captured, rng.randint(1, 4))
        lead = lead.move_to("working", at=qualified_at - timedelta(hours=4), actor=lead.owner_id)
        lead = lead.move_to("qualified", at=qualified_at, actor=lead.owner_id)

        seats = 10 * max(1, size // 40)
        lines = (
            price_line(BOOK, "SEAT", seats, "EUR", discount="0.10" if seats >= 100 else "0"),
            price_line(BOOK, "ONBOARD", 1, "EUR", products=CATALOGUE),
        )
        converted_at = business_days_after(qualified_at, 1)
        conversion = convert_lead(
            lead,
            at=converted_at,
            actor=lead.owner_id or "sales",
            ids=ids,
            memberships=[member],
            opportunity=OpportunitySpec(
                name=f"{company} – {seats} seats",
                line_items=lines,
                close_date=(converted_at + timedelta(days=60)).date(),
                contact_roles=(ContactRole.CHAMPION,),
            ),
        )
        deal = conversion.opportunity
        assert deal is not None
        deals.append(walk(deal, converted_at, rng, i))

    print_deals(deals, now=t0 + timedelta(days=120))
    print_revenue(deals, campaigns)


def walk(deal: Opportunity, start: datetime, rng: random.Random, i: int) -> Opportunity:
    """Move a deal through the pipeline: three of four are closed, a few stay open."""
    rep = deal.owner_id or "sales"
    at = start
    for stage in ("discovery", "proposal", "negotiation"):
        at = business_days_after(at, rng.randint(2, 9))
        if stage == "proposal" and rng.random() < 0.25:
            deal = deal.close_lost(at=at, actor=rep, reason=rng.choice(LOST_REASONS))
            return deal
        deal = deal.move_to(stage, at=at, actor=rep)
        if stage == "negotiation" and rng.random() < 0.4:
            extra = price_line(BOOK, "TRAIN", rng.randint(1, 3), "EUR")
            deal = deal.add_line_item(extra, at=at, actor=rep)
    if i % 4 == 3:
        deal = deal.override_probability(0.9, at=at, actor=rep, reason="verbal yes")
        return deal  # still negotiating
    at = business_days_after(at, rng.randint(3, 15))
    if rng.random() < 0.65:
        deal = deal.set_close_date(at.date(), at=at, actor=rep)
        return deal.close_won(at=at, actor=rep, reason="strong champion")
    return deal.close_lost(at=at, actor=rep, reason=rng.choice(LOST_REASONS))


def print_deals(deals: list[Opportunity], *, now: datetime) -> None:
    pipeline = funnels.B2B_PIPELINE
    for deal in deals:
        outcome = deal.won_reason or deal.lost_reason or f"open, p={deal.probability:.2f}"
        print(f"\n{deal.name} ({deal.id}) — {deal.amount} — {deal.stage}: {outcome}")
        for visit in deal.stage_history(pipeline):
            left = f"{visit.left_at:%a %Y-%m-%d}" if visit.left_at else "now"
            print(f"  {visit.stage:<14} {visit.entered_at:%a %Y-%m-%d} → {left}")
        spent = deal.time_in_stages(pipeline, at=now)
        open_stages = [s for s in spent if not pipeline.is_closed(s)]
        print("  days in stage:", ", ".join(f"{s} {spent[s].days}" for s in open_stages))
        assert Opportunity.from_events(deal.history) == deal
        assert from_json(Opportunity, to_json(deal)) == deal


def print_revenue(deals: list[Opportunity], campaigns: list[Campaign]) -> None:
    won = [d for d in deals if d.is_won]
    lost = [d for d in deals if d.is_lost]
    still_open = [d for d in deals if d.is_open]
    by_campaign: dict[str | None, Money] = defaultdict(lambda: Money.zero("EUR"))
    for deal in won:
        assert deal.amount is not None
        by_campaign[deal.campaign_id] += deal.amount
    total = sum((d.amount for d in won if d.amount is not None), Money.zero("EUR"))
    weighted = sum(
        (d.weighted_amount for d in still_open if d.weighted_amount is not None),
        Money.zero("EUR"),
    )
    print(f"\nWon {len(won)}, lost {len(lost)}, open {len(still_open)} of {len(deals)} deals")
    print(f"Won revenue: {total}")
    for campaign in campaigns:
        print(f"  {campaign.name:<18} {by_campaign[campaign.id]}")
    print(f"Open pipeline, weighted: {weighted.round()}")


if __name__ == "__main__":
    main()
