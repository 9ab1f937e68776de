"""Hypothesis strategies for deals: products, price books, line items,
opportunities, campaigns and campaign members."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from hypothesis import strategies as st

from salescore.domain.campaigns import Campaign, CampaignMember, CampaignType, MemberStatus
from salescore.domain.opportunities import ContactRole, Opportunity, OpportunityType
from salescore.domain.parties import PartyRef
from salescore.domain.products import LineItem, PriceBook, Product
from salescore.money import Money

__all__ = [
    "campaign_members",
    "campaigns",
    "line_items",
    "member_statuses",
    "opportunities",
    "price_books",
    "products",
]

_T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
_CODES = st.from_regex(r"[A-Z]{2,4}-[0-9]{1,3}", fullmatch=True)
_NAMES = st.text(
    alphabet=st.characters(codec="ascii", categories=("L", "N", "Zs")), min_size=1, max_size=20
).filter(lambda s: bool(s.strip()))
_DEFAULT_CURRENCIES = ("EUR", "USD", "JPY", "KWD")


def _prices(currency: str, max_units: int = 10_000) -> st.SearchStrategy[Money]:
    """Non-negative prices in ``currency`` with up to two extra decimal places."""
    from salescore.money import currency_minor_unit

    places = currency_minor_unit(currency) + 2
    return st.integers(min_value=0, max_value=max_units * 10**places).map(
        lambda n: Money(Decimal(n).scaleb(-places), currency)
    )


def products() -> st.SearchStrategy[Product]:
    """Valid :class:`~salescore.domain.products.Product` values."""
    return st.builds(
        Product,
        code=_CODES,
        name=_NAMES.map(str.strip),
        family=st.none() | st.sampled_from(["licences", "services", "hardware"]),
        active=st.booleans(),
        recurring=st.booleans(),
    )


@st.composite
def price_books(
    draw: st.DrawFn, currencies: Sequence[str] = _DEFAULT_CURRENCIES, max_products: int = 5
) -> PriceBook:
    """Price books with up to ``max_products`` products priced in some of ``currencies``."""
    codes = draw(st.lists(_CODES, min_size=1, max_size=max_products, unique=True))
    prices: dict[str, dict[str, Money]] = {}
    for code in codes:
        chosen = draw(st.lists(st.sampled_from(list(currencies)), min_size=1, unique=True))
        prices[code] = {cur: draw(_prices(cur)) for cur in chosen}
    return PriceBook(
        id=draw(st.from_regex(r"pb-[0-9]{1,4}", fullmatch=True)),
        name=draw(_NAMES).strip(),
        prices=prices,
        is_standard=draw(st.booleans()),
    )


@st.composite
def line_items(draw: st.DrawFn, currency: str | None = None) -> LineItem:
    """Valid line items (in ``currency`` if given), discounts included."""
    cur = currency if currency is not None else draw(st.sampled_from(_DEFAULT_CURRENCIES))
    unit = draw(_prices(cur))
    quantity = draw(
        st.integers(min_value=1, max_value=10_000).map(lambda n: Decimal(n).scaleb(-2))
        | st.integers(min_value=1, max_value=500).map(Decimal)
    )
    discount = draw(st.integers(min_value=0, max_value=100).map(lambda n: Decimal(n).scaleb(-2)))
    exact = unit.amount * quantity * (1 - discount)
    off = None
    if draw(st.booleans()) and exact > 0:
        share = draw(st.integers(min_value=0, max_value=100))
        places = unit.minor_unit
        off = Money((exact * share / 100).quantize(Decimal(1).scaleb(-places), "ROUND_DOWN"), cur)
    return LineItem(
        product_code=draw(_CODES),
        quantity=quantity,
        unit_price=unit,
        discount=discount,
        discount_amount=off,
    )


def member_statuses() -> st.SearchStrategy[tuple[MemberStatus, ...]]:
    """Non-empty tuples of member statuses with distinct keys."""
    keys = st.lists(st.from_regex(r"[a-z][a-z_]{0,9}", fullmatch=True), min_size=1, max_size=6)
    return keys.map(lambda ks: list(dict.fromkeys(ks))).flatmap(
        lambda ks: st.tuples(
            *(st.builds(MemberStatus, key=st.just(k), responded=st.booleans()) for k in ks)
        )
    )


@st.composite
def campaigns(draw: st.DrawFn, id: str | None = None) -> Campaign:
    """Campaigns, some moved on, some with costs recorded."""
    kind = draw(st.sampled_from(CampaignType))
    start = draw(st.none() | st.dates(min_value=date(2025, 1, 1), max_value=date(2027, 1, 1)))
    end = None
    if start is not None and draw(st.booleans()):
        end = start + timedelta(days=draw(st.integers(min_value=0, max_value=120)))
    statuses = draw(st.none() | member_statuses())
    campaign = Campaign.new(
        id=id or draw(st.from_regex(r"cmp-[0-9]{1,4}", fullmatch=True)),
        at=_T0,
        actor="marketing",
        name=draw(_NAMES).strip(),
        type=kind,
        start_date=start,
        end_date=end,
        budget=draw(st.none() | _prices("EUR", 100_000).map(Money.round)),
        member_statuses=statuses,
    )
    at = _T0
    for _ in range(draw(st.integers(min_value=0, max_value=3))):
        at += timedelta(hours=draw(st.integers(min_value=1, max_value=200)))
        campaign = campaign.record_cost(
            draw(_prices("EUR", 5_000).filter(lambda m: m.amount > 0)), at=at, actor="marketing"
        )
    steps = draw(st.integers(min_value=0, max_value=2))
    if steps >= 1:
        campaign = campaign.activate(at=at, actor="marketing")
    if steps >= 2:
        campaign = campaign.complete(at=at + timedelta(days=30), actor="marketing")
    return campaign


@st.composite
def campaign_members(draw: st.DrawFn, campaign: Campaign | None = None) -> CampaignMember:
    """Campaign members with a few status changes and maybe a re-pointing."""
    owner = campaign if campaign is not None else draw(campaigns())
    party = PartyRef.lead(draw(st.from_regex(r"lead-[0-9]{1,4}", fullmatch=True)))
    at = owner.updated_at
    member = CampaignMember.new(
        id=draw(st.from_regex(r"member-[0-9]{1,4}", fullmatch=True)),
        at=at,
        actor="marketing",
        campaign=owner,
        party=party,
    )
    keys = [s.key for s in owner.member_statuses]
    for key in draw(st.lists(st.sampled_from(keys), max_size=4)):
        at += timedelta(hours=draw(st.integers(min_value=0, max_value=72)))
        member = member.set_status(key, campaign=owner, at=at, actor="marketing")
    if draw(st.booleans()):
        member = member.repoint(PartyRef.contact("contact-1"), at=at, actor="sales")
    return member


@st.composite
def opportunities(draw: st.DrawFn, currency: str | None = None) -> Opportunity:
    """Deals in the B2B pipeline, with or without lines, some moved on or closed."""
    cur = currency if currency is not None else draw(st.sampled_from(_DEFAULT_CURRENCIES))
    lines = tuple(draw(st.lists(line_items(cur), max_size=3)))
    amount = None if lines else draw(st.none() | _prices(cur, 1_000_000).map(Money.round))
    at = _T0
    deal = Opportunity.new(
        id=draw(st.from_regex(r"opp-[0-9]{1,4}", fullmatch=True)),
        at=at,
        actor="sales",
        name=draw(_NAMES).strip(),
        type=draw(st.sampled_from(OpportunityType)),
        amount=amount,
        line_items=lines,
        close_date=draw(
            st.none() | st.dates(min_value=date(2026, 1, 1), max_value=date(2027, 12, 31))
        ),
        competitors=draw(st.lists(st.sampled_from(["Globex", "Initech", "Umbrella"]), unique=True)),
        contact_roles=draw(
            st.dictionaries(
                st.sampled_from(["contact-1", "contact-2"]),
                st.frozensets(st.sampled_from(ContactRole), min_size=1, max_size=2),
                max_size=2,
            )
        ),
    )
    for stage in draw(st.lists(st.sampled_from(deal.pipeline.keys), max_size=4)):
        at += timedelta(days=draw(st.integers(min_value=0, max_value=20)))
        if deal.is_closed:
            deal = deal.reopen("discovery", at=at, actor="sales", reason="back in play")
        elif stage == "closed_lost":
            deal = deal.close_lost(at=at, actor="sales", reason="no budget")
        elif stage == "closed_won":
            deal = deal.close_won(at=at, actor="sales")
        elif stage != deal.stage and (
            deal.pipeline.stage(stage).requires == ()
            or (deal.amount is not None and deal.close_date is not None)
        ):
            deal = deal.move_to(stage, at=at, actor="sales")
    if deal.is_open and draw(st.booleans()):
        deal = deal.override_probability(
            draw(st.floats(min_value=0, max_value=1)), at=at, actor="sales"
        )
    return deal
