"""Marketing attribution: six channels, every model side by side, campaign ROI.

Two thousand seeded customer journeys run over six channels (paid search,
social ads, a webinar campaign, email nurture, organic search and direct
visits). Each channel nudges the chance of converting by its own amount, so
the data-driven models have something real to find. The script prints the
credit every model gives every channel, the Markov removal effects, and the
return on each campaign's cost under the Markov credits.

Run with ``python examples/marketing_attribution.py``.
"""

from __future__ import annotations

import math
import random
from datetime import UTC, datetime, timedelta

from salescore.analytics import (
    FirstTouch,
    Journey,
    LastNonDirect,
    LastTouch,
    Linear,
    Markov,
    PositionBased,
    Shapley,
    TimeDecay,
    Touchpoint,
    WShaped,
    attribute,
    campaign_report,
)
from salescore.domain.campaigns import Campaign
from salescore.money import Money

START = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
#: channel → (how often it appears, how much it raises the chance to convert)
CHANNELS = {
    "paid_search": (0.25, 0.10),
    "social_ads": (0.20, 0.03),
    "webinar": (0.08, 0.20),
    "email": (0.22, 0.06),
    "organic": (0.15, 0.05),
    "direct": (0.10, 0.02),
}
COSTS = {
    "paid_search": "420000",
    "social_ads": "510000",
    "webinar": "96000",
    "email": "60000",
    "organic": "150000",
}
MODELS = {
    "first": FirstTouch(),
    "last": LastTouch(),
    "last non-direct": LastNonDirect(),
    "linear": Linear(),
    "time decay 7d": TimeDecay(timedelta(days=7)),
    "position 40/40": PositionBased(),
    "W-shaped": WShaped(),
    "Markov": Markov(),
    "Shapley": Shapley(),
}


def build_journeys(count: int, rng: random.Random) -> list[Journey]:
    """Seeded journeys of one to eight touches; a third or so convert."""
    names = list(CHANNELS)
    weights = [CHANNELS[c][0] for c in names]
    journeys = []
    for _ in range(count):
        at = START + timedelta(hours=rng.randrange(24 * 60))
        touches = []
        chance = 0.02
        for _ in range(rng.randint(1, 8)):
            channel = rng.choices(names, weights)[0]
            chance += CHANNELS[channel][1]
            touches.append(Touchpoint(channel, at))
            at += timedelta(hours=rng.randrange(2, 96))
        converted = rng.random() < min(chance, 0.95)
        value = float(rng.randrange(2000, 20000, 500)) if converted else 0.0
        journeys.append(Journey(touches, converted, value))
    return journeys


def main() -> None:
    """Attribute the journeys under every model and report campaign ROI."""
    rng = random.Random(2026)
    journeys = build_journeys(2000, rng)
    converted = [j for j in journeys if j.converted]
    total = math.fsum(j.value for j in converted)
    print(f"{len(journeys)} journeys, {len(converted)} converted, {total:,.0f} EUR of revenue\n")

    credits = {name: attribute(journeys, model) for name, model in MODELS.items()}
    for name, result in credits.items():
        assert abs(math.fsum(result.values()) - total) <= 1e-9 * total, name
        assert all(v >= 0 for v in result.values()), name

    print(f"{'model':<16}" + "".join(f"{c:>13}" for c in CHANNELS))
    for name, result in credits.items():
        shares = "".join(f"{result[c] / total:>13.1%}" for c in CHANNELS)
        print(f"{name:<16}{shares}")

    effects = Markov().removal_effects(journeys)
    print("\nMarkov removal effects (share of conversions lost without the channel):")
    for channel in CHANNELS:
        print(f"  {channel:<12} {effects[channel]:.3f}")

    campaigns = []
    for i, (channel, cost) in enumerate(COSTS.items()):
        campaign = Campaign.new(id=channel, at=START, actor="marketing", name=channel)
        campaign = campaign.record_cost(
            Money(cost, "EUR"), at=START + timedelta(days=i), actor="finance"
        )
        campaigns.append(campaign)
    customers = dict.fromkeys(COSTS, 0)
    for j in converted:
        channel = j.channels[0]
        if channel in customers:
            customers[channel] += 1
    report = campaign_report(campaigns, credits["Markov"], currency="EUR", customers=customers)
    print("\nCampaign return under the Markov credits:")
    print(f"  {'campaign':<12}{'cost':>12}{'revenue':>14}{'ROI':>9}{'CAC (first touch)':>20}")
    for row in report.campaigns:
        roi = "n/a" if row.roi is None else f"{row.roi:.0%}"
        cac = "n/a" if row.acquisition_cost is None else str(row.acquisition_cost.amount)
        print(
            f"  {row.campaign_id:<12}{row.cost.amount:>12}{row.revenue.amount:>14}{roi:>9}{cac:>20}"
        )


if __name__ == "__main__":
    main()
