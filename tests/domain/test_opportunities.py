"""Opportunities: pipeline moves, closing, reopening, overrides, amounts and line items."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any
from unittest import mock

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
)

from salescore import funnels
from salescore.domain.events import FieldsChanged, StageChanged
from salescore.domain.leads import LeadSource
from salescore.domain.opportunities import (
    ContactRole,
    ForecastCategoryOverridden,
    LineItemAdded,
    Opportunity,
    OpportunityClosed,
    OpportunityCreated,
    OpportunityReopened,
    OpportunityType,
    ProbabilityOverridden,
)
from salescore.domain.products import LineItem, PriceBook, line_items_total, price_line
from salescore.domain.stages import ForecastCategory, Funnel, Stage, StageKind, TransitionPolicy
from salescore.errors import TransitionError, ValidationError
from salescore.money import Money
from salescore.serialization import from_json, to_json
from salescore.testing.strategies import line_items, opportunities

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
BOOK = PriceBook(
    id="pb",
    name="Standard",
    prices={"SEAT": {"EUR": Money("30.00", "EUR")}, "SETUP": {"EUR": Money("999.99", "EUR")}},
)


def h(hours: float) -> datetime:
    return T0 + timedelta(hours=hours)


def deal(**fields: object) -> Opportunity:
    return Opportunity.new(id="opp-1", at=T0, actor="rep-1", name="Acme platform", **fields)  # type: ignore[arg-type]


def ready(**fields: object) -> Opportunity:
    return deal(amount=Money("12000.00", "EUR"), close_date=date(2026, 6, 30), **fields)


def same_after_replay_and_json(d: Opportunity) -> None:
    assert Opportunity.from_events(d.history) == d
    assert from_json(Opportunity, to_json(d)) == d
    assert d.version == len(d.history)


# --- creation ------------------------------------------------------------------------------


def test_new_deal_starts_in_qualification_with_stage_defaults() -> None:
    d = deal(account_id="acc-1", owner_id="rep-1", type="renewal")
    assert d.stage == "qualification"
    assert d.probability == 0.10
    assert d.forecast_category is ForecastCategory.PIPELINE
    assert d.type is OpportunityType.RENEWAL
    assert d.version == 2
    assert [type(e) for e in d.history] == [OpportunityCreated, StageChanged]
    assert d.history[1].from_stage is None
    same_after_replay_and_json(d)


def test_new_lists_every_bad_field() -> None:
    with pytest.raises(ValidationError) as info:
        Opportunity.new(
            id="opp-1",
            at=T0,
            actor="rep",
            name=" ",
            amount=Money("-5", "EUR"),
            term_months=0,
            close_date=datetime(2026, 1, 1, tzinfo=UTC),  # type: ignore[arg-type]
            type="resale",
            contact_roles={"c-1": ["king"]},
        )
    assert set(info.value.paths) == {
        "name",
        "amount",
        "term_months",
        "close_date",
        "type",
        "contact_roles.c-1",
    }


def test_starting_in_proposal_needs_amount_and_close_date() -> None:
    with pytest.raises(TransitionError) as info:
        deal(stage="proposal")
    assert info.value.reasons == (
        "amount is required to enter 'proposal'",
        "close_date is required to enter 'proposal'",
    )
    assert ready(stage="proposal").probability == 0.5


def test_cannot_start_closed() -> None:
    with pytest.raises(TransitionError, match="open stage"):
        deal(stage="closed_won")


def test_source_carries_campaign() -> None:
    d = deal(source=LeadSource(channel="webinar", campaign_id="cmp-7"))
    assert d.campaign_id == "cmp-7"
    assert d.source == LeadSource(channel="webinar", campaign_id="cmp-7")


# --- moves and requirements -------------------------------------------------------------------


def test_every_unmet_requirement_is_named_and_nothing_recorded() -> None:
    d = deal()
    with pytest.raises(TransitionError) as info:
        d.move_to("negotiation", at=h(1), actor="rep-1")
    assert info.value.reasons == (
        "amount is required to enter 'negotiation'",
        "close_date is required to enter 'negotiation'",
    )
    assert info.value.from_state == "qualification"
    assert d.version == 2


def test_move_with_changes_sets_fields_and_enters() -> None:
    d = deal().move_to(
        "proposal",
        at=h(2),
        actor="rep-1",
        changes={"amount": Money("9000.00", "EUR"), "close_date": date(2026, 5, 31)},
    )
    assert d.stage == "proposal"
    assert d.amount == Money("9000.00", "EUR")
    assert [type(e) for e in d.history[-2:]] == [FieldsChanged, StageChanged]
    assert d.probability == 0.5
    assert d.forecast_category is ForecastCategory.BEST_CASE
    same_after_replay_and_json(d)


def test_move_hands_context_and_time_to_the_entry_rule() -> None:
    from salescore.rules import parse

    stages = list(funnels.B2B_PIPELINE.stages)
    stages[1] = Stage(
        key="discovery",
        probability=0.2,
        entry_rule=parse("count(interactions where kind == 'meeting_held' within 30d) >= 1"),
    )
    pipeline = Funnel(
        key="ruled_pipeline", stages=tuple(stages), policy=funnels.B2B_PIPELINE.policy
    )
    d = deal(pipeline=pipeline)
    meetings = [{"kind": "meeting_held", "at": h(1)}]
    moved = d.move_to("discovery", at=h(2), actor="rep-1", context={"interactions": meetings})
    assert moved.stage == "discovery"
    with pytest.raises(TransitionError) as info:
        d.move_to("discovery", at=h(2), actor="rep-1")
    assert info.value.reasons == (
        "entry rule of 'discovery' is not met: "
        "count(interactions where kind == 'meeting_held' within 30d) >= 1 "
        "(unknown: interactions)",
    )
    same_after_replay_and_json(moved)


def test_time_in_stage_and_history() -> None:
    d = ready().move_to("discovery", at=h(24), actor="r").move_to("proposal", at=h(72), actor="r")
    assert d.time_in_stage(d.pipeline, "qualification") == timedelta(hours=24)
    assert d.time_in_stage("b2b_pipeline", "discovery") == timedelta(hours=48)
    assert d.time_in_stages(d.pipeline, at=h(100)) == {
        "qualification": timedelta(hours=24),
        "discovery": timedelta(hours=48),
        "proposal": timedelta(hours=28),
    }
    assert d.moves(d.pipeline) == 2


def test_going_back_in_time_is_refused() -> None:
    d = deal().move_to("discovery", at=h(5), actor="r")
    with pytest.raises(ValidationError) as info:
        d.move_to("qualification", at=h(4), actor="r")
    assert info.value.paths == ("at",)


# --- probability and forecast overrides ----------------------------------------------------------


def test_override_survives_until_stage_changes() -> None:
    d = ready().override_probability(0.35, at=h(1), actor="rep-1", reason="exec sponsor")
    d = d.override_forecast_category("commit", at=h(1), actor="rep-1")
    assert (d.probability, d.probability_overridden) == (0.35, True)
    assert d.forecast_category is ForecastCategory.COMMIT
    d = d.update(next_step="send pricing", at=h(2), actor="rep-1")
    assert d.probability == 0.35  # an edit is not a stage change
    d = d.move_to("proposal", at=h(3), actor="rep-1")
    assert (d.probability, d.probability_overridden) == (0.5, False)
    assert d.forecast_category is ForecastCategory.BEST_CASE
    assert not d.forecast_category_overridden
    same_after_replay_and_json(d)


def test_override_can_be_cleared() -> None:
    d = ready().override_probability(0.9, at=h(1), actor="r")
    d = d.override_probability(None, at=h(2), actor="r")
    assert (d.probability, d.probability_overridden) == (0.1, False)
    d = d.override_forecast_category(ForecastCategory.OMITTED, at=h(2), actor="r")
    d = d.override_forecast_category(None, at=h(3), actor="r")
    assert d.forecast_category is ForecastCategory.PIPELINE
    assert [type(e) for e in d.history[-4:]] == [
        ProbabilityOverridden,
        ProbabilityOverridden,
        ForecastCategoryOverridden,
        ForecastCategoryOverridden,
    ]


def test_override_refuses_bad_values_and_closed_deals() -> None:
    d = ready()
    for bad in (1.5, -0.1, float("nan"), True):
        with pytest.raises(ValidationError):
            d.override_probability(bad, at=h(1), actor="r")
    with pytest.raises(ValidationError):
        d.override_forecast_category("maybe", at=h(1), actor="r")
    won = d.close_won(at=h(1), actor="r")
    with pytest.raises(ValidationError, match="fixed on a closed deal"):
        won.override_probability(0.5, at=h(2), actor="r")
    with pytest.raises(ValidationError, match="fixed on a closed deal"):
        won.override_forecast_category("commit", at=h(2), actor="r")


def test_weighted_amount_is_not_rounded() -> None:
    d = deal(amount=Money("100.01", "EUR")).override_probability(0.333, at=h(1), actor="r")
    assert d.weighted_amount == Money("33.30333", "EUR")
    assert deal().weighted_amount is None


# --- closing and reopening -------------------------------------------------------------------


def test_close_won() -> None:
    d = ready().override_probability(0.2, at=h(1), actor="r")
    won = d.close_won(at=h(5), actor="rep-1", reason="best integration")
    assert won.stage == "closed_won"
    assert (won.is_won, won.is_closed, won.is_open) == (True, True, False)
    assert won.probability == 1.0
    assert won.forecast_category is ForecastCategory.CLOSED
    assert won.closed_at == h(5)
    assert won.won_reason == "best integration"
    assert [type(e) for e in won.history[-2:]] == [OpportunityClosed, StageChanged]
    same_after_replay_and_json(won)


def test_close_lost_requires_a_reason() -> None:
    d = ready()
    with pytest.raises(TransitionError) as info:
        d.close_lost(at=h(1), actor="r", reason="  ")
    assert info.value.reasons == ("lost_reason is required to enter 'closed_lost'",)
    assert info.value.to_state == "closed_lost"
    lost = d.close_lost(at=h(1), actor="r", reason="went with Globex")
    assert (lost.stage, lost.probability, lost.lost_reason) == (
        "closed_lost",
        0.0,
        "went with Globex",
    )
    assert lost.forecast_category is ForecastCategory.OMITTED
    assert lost.closed_at == h(1)


def test_move_to_closed_stage_closes() -> None:
    with pytest.raises(TransitionError, match="lost_reason is required"):
        ready().move_to("closed_lost", at=h(1), actor="r")
    lost = ready().move_to("closed_lost", at=h(1), actor="r", reason="no budget")
    assert lost.lost_reason == "no budget"
    assert lost.closed_at == h(1)
    won = ready().move_to("closed_won", at=h(1), actor="r", reason="price")
    assert won.won_reason == "price"
    assert isinstance(won.history[-2], OpportunityClosed)


def test_closed_deal_cannot_move_or_close_again() -> None:
    won = ready().close_won(at=h(1), actor="r")
    with pytest.raises(TransitionError, match="reopen it with reopen"):
        won.move_to("proposal", at=h(2), actor="r")
    with pytest.raises(TransitionError, match="closed already"):
        won.close_lost(at=h(2), actor="r", reason="x")


def test_reopen_is_explicit_and_clears_close() -> None:
    lost = ready().close_lost(at=h(1), actor="r", reason="timing")
    with pytest.raises(TransitionError) as info:
        lost.reopen("closed_won", at=h(2), actor="r", reason="")
    assert info.value.reasons == (
        "a deal is reopened to an open stage, not 'closed_won'",
        "a reason is required to reopen a deal",
    )
    back = lost.reopen("negotiation", at=h(30), actor="r", reason="budget approved")
    assert back.stage == "negotiation"
    assert (back.closed_at, back.lost_reason, back.won_reason) == (None, None, None)
    assert back.probability == 0.75
    assert isinstance(back.history[-2], OpportunityReopened)
    assert back.history[-2].from_stage == "closed_lost"
    assert back.history[-1].reason == "budget approved"
    assert back.time_in_stage(back.pipeline, "closed_lost") == timedelta(hours=29)
    same_after_replay_and_json(back)


def test_reopen_open_deal_is_refused() -> None:
    with pytest.raises(TransitionError, match="only a closed deal"):
        ready().reopen("proposal", at=h(1), actor="r", reason="x")


def test_reopen_respects_policy_and_requirements() -> None:
    strict = Funnel(
        key="strict",
        stages=(
            Stage(key="open"),
            Stage(key="quote", requires=("amount",)),
            Stage(key="won", kind=StageKind.WON),
            Stage(key="lost", kind=StageKind.LOST),
        ),
        policy=TransitionPolicy(reopen=False),
    )
    d = deal(pipeline=strict).close_won(at=h(1), actor="r")
    with pytest.raises(TransitionError) as info:
        d.reopen("quote", at=h(2), actor="r", reason="oops")
    assert info.value.reasons == (
        "strict does not allow won → quote (allowed from won: nothing)",
        "amount is required to enter 'quote'",
    )
    # a custom lost stage without requirements: close_lost still wants a reason
    with pytest.raises(TransitionError, match="lost_reason is required to enter 'lost'"):
        deal(pipeline=strict).close_lost(at=h(1), actor="r", reason="")


def test_close_won_with_explicit_stage() -> None:
    two = Funnel(
        key="two_wins",
        stages=(
            Stage(key="open"),
            Stage(key="won_direct", kind=StageKind.WON),
            Stage(key="won_partner", kind=StageKind.WON),
            Stage(key="lost", kind=StageKind.LOST),
        ),
    )
    d = deal(pipeline=two)
    assert d.close_won(at=h(1), actor="r").stage == "won_direct"
    assert d.close_won(at=h(1), actor="r", stage="won_partner").stage == "won_partner"
    with pytest.raises(ValidationError, match="is not a won stage"):
        d.close_won(at=h(1), actor="r", stage="lost")


# --- amount and line items ------------------------------------------------------------------------


def test_line_items_derive_the_amount() -> None:
    seats = price_line(BOOK, "SEAT", 40, "EUR", discount="0.125")
    setup = price_line(BOOK, "SETUP", 1, "EUR")
    d = deal(line_items=[seats, setup])
    # 40 × 30 × 0.875 = 1050.00; + 999.99
    assert d.amount == Money("2049.99", "EUR")
    d = d.remove_line_item(1, at=h(1), actor="r")
    assert d.amount == Money("1050.00", "EUR")
    d = d.add_line_item(setup, at=h(2), actor="r")
    assert d.amount == Money("2049.99", "EUR")
    assert isinstance(d.history[-1], LineItemAdded)
    d = d.replace_line_items([], at=h(3), actor="r")
    assert d.amount == Money("0", "EUR")
    assert d.line_items == ()
    d = d.set_amount(Money("5000.00", "EUR"), at=h(4), actor="r")
    assert d.amount == Money("5000.00", "EUR")
    same_after_replay_and_json(d)


def test_first_line_replaces_a_hand_set_amount() -> None:
    d = ready().add_line_item(price_line(BOOK, "SEAT", 2, "EUR"), at=h(1), actor="r")
    assert d.amount == Money("60.00", "EUR")


def test_inconsistent_amount_and_lines_are_refused() -> None:
    seats = price_line(BOOK, "SEAT", 2, "EUR")
    with pytest.raises(ValidationError) as info:
        deal(line_items=[seats], amount=Money("100.00", "EUR"))
    assert info.value.paths == ("amount",)
    assert deal(line_items=[seats], amount=Money("60", "EUR")).amount == Money("60.00", "EUR")
    d = deal(line_items=[seats])
    with pytest.raises(ValidationError, match="must equal the line items' total"):
        d.set_amount(Money("61.00", "EUR"), at=h(1), actor="r")
    assert d.set_amount(Money("60.00", "EUR"), at=h(1), actor="r") is d


def test_lines_in_another_currency_are_refused() -> None:
    usd = LineItem(product_code="X", quantity=Decimal(1), unit_price=Money("5", "USD"))
    with pytest.raises(ValidationError) as info:
        ready().add_line_item(usd, at=h(1), actor="r")
    assert info.value.paths == ("line_items[0]",)
    with pytest.raises(ValidationError) as info:
        deal(line_items=[price_line(BOOK, "SEAT", 1, "EUR"), usd])
    assert info.value.paths == ("line_items[1]",)


def test_recurring_revenue_and_contract_value() -> None:
    d = deal(
        amount=Money("36000.00", "EUR"),
        recurring=Money("3000.00", "EUR"),
        term_months=12,
    )
    assert d.contract_value == Money("36000.00", "EUR")
    assert d.annual_recurring == Money("36000.00", "EUR")
    with pytest.raises(ValidationError) as info:
        deal(amount=Money("1", "EUR"), recurring=Money("1", "USD"))
    assert info.value.paths == ("recurring",)


def test_remove_missing_line_is_refused() -> None:
    with pytest.raises(ValidationError) as info:
        deal().remove_line_item(0, at=h(1), actor="r")
    assert info.value.paths == ("position",)


# --- edits --------------------------------------------------------------------------------


def test_update_refuses_stage_fields_and_unknown_fields() -> None:
    with pytest.raises(ValidationError) as info:
        ready().update(
            at=h(1), actor="r", stage="proposal", probability=0.9, colour="red", close_date="soon"
        )
    assert info.value.paths == ("stage", "probability", "colour", "close_date")


def test_update_records_one_event_with_old_and_new() -> None:
    d = ready().update(
        at=h(1),
        actor="r",
        competitors=["Globex", " Initech ", "Globex"],
        next_step="demo",
        close_date=date(2026, 7, 15),
    )
    assert d.competitors == ("Globex", "Initech")
    event = d.history[-1]
    assert isinstance(event, FieldsChanged)
    assert event.changes["close_date"] == (date(2026, 6, 30), date(2026, 7, 15))
    assert d.update(at=h(2), actor="r", next_step="demo") is d
    same_after_replay_and_json(d)


def test_contact_roles() -> None:
    d = ready().set_contact_roles("c-1", ["champion", ContactRole.USER], at=h(1), actor="r")
    d = d.set_contact_roles("c-2", [ContactRole.ECONOMIC_BUYER], at=h(1), actor="r")
    assert d.contact_roles == {
        "c-1": frozenset({ContactRole.CHAMPION, ContactRole.USER}),
        "c-2": frozenset({ContactRole.ECONOMIC_BUYER}),
    }
    d = d.set_contact_roles("c-1", [], at=h(2), actor="r")
    assert set(d.contact_roles) == {"c-2"}
    same_after_replay_and_json(d)


def test_custom_fields() -> None:
    d = deal(custom={"region": "emea", "seats": 40})
    assert d.custom == {"region": "emea", "seats": 40}
    with pytest.raises(ValidationError) as info:
        deal(custom={"Bad Name": 1})
    assert info.value.paths == ("custom.Bad Name",)


# --- properties and the state machine ------------------------------------------------------------


@settings(max_examples=40)
@given(opportunities())
def test_generated_deals_replay_and_round_trip(d: Opportunity) -> None:
    same_after_replay_and_json(d)
    assert 0.0 <= d.probability <= 1.0


STAGES = funnels.B2B_PIPELINE.keys
OPEN = tuple(s.key for s in funnels.B2B_PIPELINE.stages if s.kind is StageKind.OPEN)


class DealMachine(RuleBasedStateMachine):
    """Random moves, overrides, edits, closes and reopens through the B2B pipeline."""

    @initialize()
    def open_deal(self) -> None:
        self.deal = Opportunity.new(id="opp-sm", at=T0, actor="rep", name="Machine")
        self.now = T0

    def tick(self, hours: int) -> datetime:
        self.now = self.now + timedelta(hours=hours)
        return self.now

    @rule(stage=st.sampled_from(STAGES), hours=st.integers(0, 200))
    def move(self, stage: str, hours: int) -> None:
        before = self.deal
        at = self.tick(hours)
        unmet = "amount" in before.pipeline.stage(stage).requires and (
            before.amount is None or before.close_date is None
        )
        if before.is_closed or stage == before.stage or unmet:
            with pytest.raises(TransitionError):
                before.move_to(stage, at=at, actor="rep", reason="r")
            return
        self.deal = before.move_to(stage, at=at, actor="rep", reason="r")
        assert self.deal.stage == stage

    @rule(p=st.floats(0, 1), hours=st.integers(0, 50))
    def override(self, p: float, hours: int) -> None:
        if self.deal.is_closed:
            with pytest.raises(ValidationError):
                self.deal.override_probability(p, at=self.tick(hours), actor="rep")
            return
        self.deal = self.deal.override_probability(p, at=self.tick(hours), actor="rep")
        assert self.deal.probability == p

    @rule(category=st.sampled_from(ForecastCategory))
    @precondition(lambda self: self.deal.is_open)
    def override_category(self, category: ForecastCategory) -> None:
        self.deal = self.deal.override_forecast_category(category, at=self.now, actor="rep")
        assert self.deal.forecast_category is category

    @rule(amount=st.integers(0, 10**6), hours=st.integers(0, 50))
    @precondition(lambda self: not self.deal.line_items)
    def set_amount(self, amount: int, hours: int) -> None:
        self.deal = self.deal.set_amount(Money(amount, "EUR"), at=self.tick(hours), actor="rep")

    @rule(days=st.integers(0, 365))
    def set_close_date(self, days: int) -> None:
        self.deal = self.deal.set_close_date(
            date(2026, 3, 2) + timedelta(days=days), at=self.now, actor="rep"
        )

    @rule(item=line_items("EUR"))
    def add_line(self, item: LineItem) -> None:
        self.deal = self.deal.add_line_item(item, at=self.now, actor="rep")

    @rule(data=st.data())
    @precondition(lambda self: bool(self.deal.line_items))
    def remove_line(self, data: st.DataObject) -> None:
        i = data.draw(st.integers(0, len(self.deal.line_items) - 1))
        self.deal = self.deal.remove_line_item(i, at=self.now, actor="rep")

    @rule(hours=st.integers(0, 100), reason=st.sampled_from(["price", "fit", ""]))
    def close_won(self, hours: int, reason: str) -> None:
        if self.deal.is_closed:
            with pytest.raises(TransitionError):
                self.deal.close_won(at=self.tick(hours), actor="rep")
            return
        self.deal = self.deal.close_won(at=self.tick(hours), actor="rep", reason=reason or None)
        assert self.deal.closed_at == self.now

    @rule(hours=st.integers(0, 100), reason=st.sampled_from(["no budget", "competitor", ""]))
    def close_lost(self, hours: int, reason: str) -> None:
        before = self.deal
        try:
            self.deal = before.close_lost(at=self.tick(hours), actor="rep", reason=reason)
        except TransitionError:
            assert before.is_closed or not reason
            assert self.deal is before

    @rule(stage=st.sampled_from(OPEN), hours=st.integers(1, 500))
    @precondition(lambda self: self.deal.is_closed)
    def reopen(self, stage: str, hours: int) -> None:
        at = self.tick(hours)
        unmet = "amount" in self.deal.pipeline.stage(stage).requires and (
            self.deal.amount is None or self.deal.close_date is None
        )
        if unmet:
            with pytest.raises(TransitionError, match="is required"):
                self.deal.reopen(stage, at=at, actor="rep", reason="back")
            return
        self.deal = self.deal.reopen(stage, at=at, actor="rep", reason="back")
        assert self.deal.closed_at is None
        assert self.deal.stage == stage

    @invariant()
    def probability_in_range_and_forced_when_closed(self) -> None:
        d = self.deal
        assert 0.0 <= d.probability <= 1.0
        if d.is_won:
            assert d.probability == 1.0
            assert d.forecast_category is ForecastCategory.CLOSED
        if d.is_lost:
            assert d.probability == 0.0
            assert d.forecast_category is ForecastCategory.OMITTED

    @invariant()
    def closed_deals_have_closed_at_and_reasons(self) -> None:
        d = self.deal
        assert (d.closed_at is not None) == d.is_closed
        if d.is_lost:
            assert d.lost_reason
        if d.is_open:
            assert (d.won_reason, d.lost_reason) == (None, None)

    @invariant()
    def lines_total_the_amount(self) -> None:
        d = self.deal
        if d.line_items:
            assert d.amount == line_items_total(d.line_items)

    @invariant()
    def replay_gives_the_same_deal(self) -> None:
        assert self.deal.version == len(self.deal.history)
        assert Opportunity.from_events(self.deal.history) == self.deal


DealMachine.TestCase.settings = settings(max_examples=60, stateful_step_count=25, deadline=None)
TestDealMachine = DealMachine.TestCase


def test_final_json_of_machine_like_deal() -> None:
    d = ready().move_to("proposal", at=h(1), actor="r").close_lost(at=h(2), actor="r", reason="x")
    same_after_replay_and_json(d)


# --- the package --------------------------------------------------------------------------


def test_package_offers_the_names_of_its_modules() -> None:
    from salescore.domain import opportunities
    from salescore.domain.opportunities import deal, events, fields

    assert opportunities.Opportunity is deal.Opportunity
    assert opportunities.OpportunityClosed is events.OpportunityClosed
    assert opportunities.ContactRole is fields.ContactRole
    assert set(opportunities.__all__) == {*deal.__all__, *events.__all__, *fields.__all__}
    for name in opportunities.__all__:
        assert getattr(opportunities, name).__module__.startswith("salescore.domain.opportunities.")


def test_modules_load_one_way_and_on_first_use() -> None:
    import subprocess
    import sys

    code = (
        "import sys\n"
        "import salescore.domain.opportunities.events\n"
        "print(sorted(m for m in sys.modules if m.startswith('salescore.domain.opportunities')))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out == (
        "['salescore.domain.opportunities', 'salescore.domain.opportunities.events',"
        " 'salescore.domain.opportunities.fields']\n"
    )


def test_replayed_edit_of_a_transition_field_is_refused() -> None:
    deal = Opportunity.new(id="d-1", at=T0, actor="rep", name="Deal")
    edit = FieldsChanged(subject_id="d-1", at=T0, actor="x", changes={"probability": (0.1, 0.9)})
    with pytest.raises(ValidationError) as info:
        Opportunity.from_events((*deal.history, edit))
    error = info.value.errors[0]
    assert (error.path, error.message) == (
        "events[2].changes.probability",
        "is not an editable field of Opportunity",
    )
    assert Opportunity.field_table.refusals["probability"] == (
        "follows the stage: use override_probability()"
    )


# --- a deal's state changes without the constructor ---------------------------------------


def _outcome(build: Callable[[], Opportunity]) -> tuple[object, ...]:
    """The deal ``build`` gives, with each field's type, or the errors it raises."""
    try:
        d = build()
    except (ValidationError, TransitionError) as exc:
        return ("refused", type(exc).__name__, str(exc))
    return ("built", d, [(f.name, type(getattr(d, f.name))) for f in attrs.fields(Opportunity)])


def _through_the_constructor() -> Any:
    return mock.patch.object(
        Opportunity, "_evolved", lambda self, changes, **_: attrs.evolve(self, **changes)
    )


AWKWARD_EDITS: tuple[dict[str, object], ...] = (
    {"name": "  Renamed  "},
    {"name": ""},
    {"next_step": "call\x07back"},
    {"owner_id": 5},
    {"close_date": "soon"},
    {"amount": Money("-1.00", "EUR")},
    {"amount": Money("10.00", "USD")},
    {"recurring": Money("10.00", "USD")},
    {"stage": "nowhere"},
    {"stage": ""},
    {"probability": 1.5},
    {"competitors": (" X ", "X")},
)


@settings(max_examples=60, deadline=None)
@given(d=opportunities(), edit=st.sampled_from(AWKWARD_EDITS))
def test_an_edit_or_replay_gives_what_the_constructor_gives(
    d: Opportunity, edit: dict[str, object]
) -> None:
    changes = {n: (getattr(d, n), v) for n, v in edit.items()}

    def event() -> FieldsChanged:
        return FieldsChanged(subject_id=d.id, at=d.history[-1].at, actor="rep-1", changes=changes)

    for build in (
        lambda: d._record(event()),
        lambda: Opportunity.from_events((*d.history, event())),
        lambda: d._evolved(edit),
    ):
        fast = _outcome(build)
        with _through_the_constructor():
            full = _outcome(build)
        assert fast == full


@settings(max_examples=40, deadline=None)
@given(d=opportunities(), data=st.data())
def test_moves_and_closes_give_what_the_constructor_gives(
    d: Opportunity, data: st.DataObject
) -> None:
    at = d.history[-1].at + timedelta(hours=1)
    stage = data.draw(st.sampled_from([s.key for s in d.pipeline.stages]))
    for build in (
        lambda: d.move_to(stage, at=at, actor="rep-1", reason="moved"),
        lambda: d.close_won(at=at, actor="rep-1"),
        lambda: d.close_lost(at=at, actor="rep-1", reason="price"),
        lambda: Opportunity.from_events(d.history),
    ):
        fast = _outcome(build)
        with _through_the_constructor():
            full = _outcome(build)
        assert fast == full


def test_a_move_copies_the_deal_without_touching_the_original() -> None:
    d = ready()
    moved = d.move_to("discovery", at=h(1), actor="rep-1")
    assert (d.stage, moved.stage) == ("qualification", "discovery")
    expected = {"stage": "discovery", "probability": 0.2, "history": moved.history}
    assert moved == attrs.evolve(d, version=moved.version, **expected)
    with pytest.raises(ValidationError, match="is not a stage of"):
        d._evolved({"stage": "nowhere"})
