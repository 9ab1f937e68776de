"""Attribution models: exact values, the Markov chain, Shapley, properties."""

from __future__ import annotations

import itertools
import math
import random
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

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
    journey_from_touches,
)
from salescore.domain.campaigns import Campaign
from salescore.domain.interactions import Interaction
from salescore.errors import ValidationError
from salescore.money import Money

T0 = datetime(2026, 5, 4, 9, 0, tzinfo=UTC)


def tp(channel: str, hours: float, *, key: bool = False) -> Touchpoint:
    return Touchpoint(channel, T0 + timedelta(hours=hours), creates_opportunity=key)


def journey(*channels: str, converted: bool = True, value: float = 100.0) -> Journey:
    return Journey([tp(c, i) for i, c in enumerate(channels)], converted, value)


SAMPLE = [
    journey("ads", "email", "direct"),
    journey("email", value=50.0),
    journey("ads", "ads", converted=False, value=0.0),
]
ALL_MODELS = [
    FirstTouch(),
    LastTouch(),
    LastNonDirect(),
    Linear(),
    TimeDecay(timedelta(hours=1)),
    PositionBased(),
    WShaped(),
    Markov(),
    Shapley(),
]


def test_journey_sorts_touches_and_validates() -> None:
    j = Journey((t for t in [tp("b", 2), tp("a", 1), tp("c", 2)]), True, 10)
    assert j.channels == ("a", "b", "c")
    assert j.value == 10.0
    assert isinstance(j.value, float)
    with pytest.raises(ValidationError, match="touchpoint"):
        Journey([], True, 1.0)
    assert Journey([], False).touchpoints == ()
    with pytest.raises(ValidationError, match="value"):
        Journey([tp("a", 0)], True, -1.0)
    with pytest.raises(ValidationError, match="value"):
        Journey([tp("a", 0)], True, math.inf)
    with pytest.raises(ValidationError, match="converted_at"):
        Journey([tp("a", 5)], True, 1.0, converted_at=T0)
    with pytest.raises(ValidationError, match="at"):
        Touchpoint("a", datetime(2026, 1, 1))
    with pytest.raises(ValidationError, match="channel"):
        Touchpoint("", T0)
    with pytest.raises(ValidationError, match="touchpoints"):
        Journey(["a"], True, 1.0)  # type: ignore[list-item]


def test_single_touch_models() -> None:
    assert attribute(SAMPLE, FirstTouch()) == {"ads": 100.0, "direct": 0.0, "email": 50.0}
    assert attribute(SAMPLE, LastTouch()) == {"ads": 0.0, "direct": 100.0, "email": 50.0}
    assert attribute(SAMPLE, LastNonDirect()) == {"ads": 0.0, "direct": 0.0, "email": 150.0}
    only_direct = [journey("direct", "direct", value=30.0)]
    assert attribute(only_direct, LastNonDirect()) == {"direct": 30.0}
    assert attribute(SAMPLE, LastNonDirect(direct="email")) == {
        "ads": 0.0,
        "direct": 100.0,
        "email": 50.0,
    }


def test_linear_and_position_based() -> None:
    linear = attribute(SAMPLE, Linear())
    assert linear == pytest.approx({"ads": 100 / 3, "direct": 100 / 3, "email": 50 + 100 / 3})
    five = [journey("a", "b", "c", "d", "e")]
    assert attribute(five, PositionBased()) == pytest.approx(
        {"a": 40.0, "b": 20 / 3, "c": 20 / 3, "d": 20 / 3, "e": 40.0}
    )
    assert attribute([journey("a", "b")], PositionBased(first=0.3, last=0.1)) == pytest.approx(
        {"a": 75.0, "b": 25.0}
    )
    assert attribute([journey("a")], PositionBased()) == {"a": 100.0}
    with pytest.raises(ValidationError):
        PositionBased(first=0.7, last=0.4)
    with pytest.raises(ValidationError):
        PositionBased(first=0, last=0)


def test_time_decay() -> None:
    # ages 2h, 1h, 0h with a one-hour half-life: weights 1/4, 1/2, 1 over 7/4
    credits = attribute([journey("a", "b", "c", value=70.0)], TimeDecay(timedelta(hours=1)))
    assert credits == pytest.approx({"a": 10.0, "b": 20.0, "c": 40.0})
    # a later conversion time ages every touch alike: the shares do not change
    late = Journey([tp("a", 0), tp("b", 1)], True, 30.0, converted_at=T0 + timedelta(days=400))
    assert attribute([late], TimeDecay(timedelta(hours=1))) == pytest.approx({"a": 10.0, "b": 20.0})
    with pytest.raises(ValidationError, match="half_life"):
        TimeDecay(timedelta(0))


def test_w_shaped() -> None:
    six = [journey("a", "b", "c", "d", "e", "f")]
    # key touch: index 6 // 2 = 3
    assert attribute(six, WShaped()) == pytest.approx(
        {"a": 30.0, "b": 10 / 3, "c": 10 / 3, "d": 30.0, "e": 10 / 3, "f": 30.0}
    )
    marked = [Journey([tp("a", 0), tp("b", 1, key=True), tp("c", 2), tp("d", 3)], True, 100.0)]
    assert attribute(marked, WShaped()) == pytest.approx(
        {"a": 30.0, "b": 30.0, "c": 10.0, "d": 30.0}
    )
    assert attribute([journey("a", "b")], WShaped()) == {"a": 50.0, "b": 50.0}
    assert attribute([journey("a", "b", "c", value=90.0)], WShaped()) == pytest.approx(
        {"a": 30.0, "b": 30.0, "c": 30.0}
    )


def test_markov_by_hand() -> None:
    # start→ads 2/3, start→email 1/3; ads→email, ads→ads, ads→null 1/3 each;
    # email→direct 1/2, email→conversion 1/2; direct→conversion 1.
    # P(conv) = 2/3; without ads 1/3; without email 0; without direct 1/3.
    model = Markov()
    effects = model.removal_effects(SAMPLE)
    assert effects == pytest.approx({"ads": 0.5, "direct": 0.5, "email": 1.0})
    assert attribute(SAMPLE, model) == pytest.approx({"ads": 37.5, "direct": 37.5, "email": 75.0})


def test_markov_counts_transitions_not_values_and_self_loops() -> None:
    # a journey's value does not weigh its transitions
    heavy = [journey("a", value=1000.0), journey("b", converted=False), journey("b", value=1.0)]
    effects = Markov().removal_effects(heavy)
    # start→a 1/3, start→b 2/3, b→conversion 1/2: P(conv) = 2/3; without a 1/3,
    # without b 1/3: equal effects, whatever the values of the journeys
    assert effects == pytest.approx({"a": 0.5, "b": 0.5})
    assert attribute(heavy, Markov()) == pytest.approx({"a": 500.5, "b": 500.5})
    looped = [journey("a", "a", "b"), journey("a", converted=False)]
    # a: self-loop 1/3, →b 1/3, →null 1/3: absorbs into b with 1/2
    assert Markov().removal_effects(looped) == pytest.approx({"a": 1.0, "b": 1.0})
    assert attribute([journey("a", converted=False)], Markov()) == {"a": 0.0}
    assert attribute([], Markov()) == {}


def _brute_shapley(journeys: list[Journey]) -> dict[str, float]:
    players = sorted({c for j in journeys for c in j.channels})
    n = len(players)

    def worth(coalition: set[str]) -> float:
        return sum(j.value for j in journeys if j.converted and set(j.channels) <= coalition)

    result = {}
    for p in players:
        others = [q for q in players if q != p]
        total = 0.0
        for size in range(n):
            weight = math.factorial(size) * math.factorial(n - size - 1) / math.factorial(n)
            for combo in itertools.combinations(others, size):
                s = set(combo)
                total += weight * (worth(s | {p}) - worth(s))
        result[p] = total
    return result


def test_shapley_exact() -> None:
    assert attribute(SAMPLE, Shapley()) == pytest.approx(
        {"ads": 100 / 3, "direct": 100 / 3, "email": 50 + 100 / 3}
    )
    rng = random.Random(3)
    journeys = [
        journey(*rng.sample("abcdef", rng.randint(1, 4)), value=float(rng.randint(1, 9)))
        for _ in range(30)
    ]
    assert attribute(journeys, Shapley()) == pytest.approx(_brute_shapley(journeys))


def test_shapley_refuses_more_than_fifteen_channels() -> None:
    many = [journey(*(f"c{i:02d}" for i in range(16)))]
    with pytest.raises(ValidationError, match="15 channels"):
        attribute(many, Shapley())
    fifteen = [journey(*(f"c{i:02d}" for i in range(15)), value=15.0)]
    assert set(attribute(fifteen, Shapley()).values()) == {1.0}


def test_journey_from_touches() -> None:
    calls = [
        Interaction.call(id="i1", at=T0, actor="rep", disposition="connected"),
        Interaction.touch(
            id="i2",
            at=T0 + timedelta(hours=2),
            actor="rep",
            channel="chat",
            direction="inbound",
            kind="opportunity_created",
        ),
    ]

    class Member:
        campaign_id = "spring-webinar"
        added_at = T0 - timedelta(days=1)

    j = journey_from_touches(
        interactions=calls,
        memberships=[Member()],
        converted=True,
        value=500.0,
        campaign_channel={"spring-webinar": "webinar"},
    )
    assert j.channels == ("webinar", "phone", "chat")
    assert [t.creates_opportunity for t in j.touchpoints] == [False, False, True]


# --- properties ---------------------------------------------------------------------


@st.composite
def journeys(draw: st.DrawFn) -> list[Journey]:
    result = []
    for _ in range(draw(st.integers(0, 12))):
        n = draw(st.integers(1, 6))
        touches = [
            tp(draw(st.sampled_from(["ads", "email", "direct", "seo", "social"])), h)
            for h in draw(st.lists(st.integers(0, 48), min_size=n, max_size=n))
        ]
        result.append(
            Journey(touches, draw(st.booleans()), draw(st.floats(0, 1e6, allow_nan=False)))
        )
    return result


@given(journeys(), st.sampled_from(ALL_MODELS), st.randoms(use_true_random=False))
def test_credits_sum_to_the_converted_value_and_are_not_negative(
    js: list[Journey], model: object, rnd: random.Random
) -> None:
    total = math.fsum(j.value for j in js if j.converted)
    credits = attribute(iter(js), model)  # type: ignore[arg-type]
    assert all(v >= 0 for v in credits.values())
    assert math.fsum(credits.values()) == pytest.approx(total, rel=1e-9, abs=1e-9)
    assert set(credits) == {c for j in js for c in j.channels}
    shuffled = js[:]
    rnd.shuffle(shuffled)
    again = attribute(shuffled, model)  # type: ignore[arg-type]
    assert again == pytest.approx(credits, rel=1e-9, abs=1e-9)


# --- campaign report ----------------------------------------------------------------


def _campaign(id: str, cost: str | None) -> Campaign:
    c = Campaign.new(id=id, at=T0, actor="mkt", name=id.title())
    return c if cost is None else c.record_cost(Money(cost, "EUR"), at=T0, actor="mkt")


def test_campaign_report_by_hand() -> None:
    report = campaign_report(
        [_campaign("webinar", "400"), _campaign("ads", "90"), _campaign("free", None)],
        {"webinar": 1000.0, "ads": 30.0, "direct": 70.0},
        currency="EUR",
        leads={"webinar": 40, "ads": 7},
        opportunities={"ads": 3},
        customers={"webinar": 2},
    )
    webinar, ads, free = report.campaigns
    assert (webinar.roi, webinar.cost_per_lead, webinar.acquisition_cost) == (
        1.5,
        Money("10.00", "EUR"),
        Money("200.00", "EUR"),
    )
    assert webinar.cost_per_opportunity is None
    # (30 − 90) / 90; 90 / 7 = 12.857… rounds to 12.86; 90 / 3 = 30.
    assert ads.roi == -2 / 3
    assert (ads.cost_per_lead, ads.cost_per_opportunity) == (
        Money("12.86", "EUR"),
        Money("30.00", "EUR"),
    )
    assert (free.cost, free.revenue, free.roi) == (Money("0", "EUR"), Money("0.00", "EUR"), None)


def test_campaign_report_refuses_negative_or_non_numbers_naming_each_entry() -> None:
    with pytest.raises(ValidationError) as info:
        campaign_report(
            [_campaign("webinar", "400")],
            {"webinar": -30.0, "ads": math.nan, "fair": True, "ok": 1e-300},
            currency="EUR",
            leads={"webinar": -1},
            customers={"webinar": 1.5},  # type: ignore[dict-item]
        )
    assert [(e.path, e.message) for e in info.value.errors] == [
        ("revenue.webinar", "must be a finite number ≥ 0 (below 10**15)"),
        ("revenue.ads", "must be a finite number ≥ 0 (below 10**15)"),
        ("revenue.fair", "must be a finite number ≥ 0 (below 10**15)"),
        ("leads.webinar", "must be a whole number ≥ 0"),
        ("customers.webinar", "must be a whole number ≥ 0"),
    ]


@given(
    st.integers(min_value=1, max_value=10**6),
    st.floats(min_value=0, max_value=1e7, allow_nan=False),
    st.integers(min_value=0, max_value=10**4),
)
def test_campaign_roi_and_cost_per_lead_agree_with_cost_and_revenue(
    cents: int, earned: float, leads: int
) -> None:
    cost = Money(cents, "EUR") / 100
    row = campaign_report(
        [_campaign("c", str(cost.amount))], {"c": earned}, currency="EUR", leads={"c": leads}
    ).campaigns[0]
    assert row.cost == cost
    assert row.revenue == Money(Decimal(repr(earned)).quantize(Decimal("0.01")), "EUR")
    assert row.roi is not None
    assert abs(row.roi * float(cost.amount) + float(cost.amount) - float(row.revenue.amount)) < 1e-6
    if leads:
        assert row.cost_per_lead == (cost / leads).round()
        assert abs(row.cost_per_lead.amount * leads - cost.amount) <= Decimal("0.005") * leads
    else:
        assert row.cost_per_lead is None
