"""Stages, funnels, transition policies and folds over stage history."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

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
from salescore.domain.events import StageChanged
from salescore.domain.stages import (
    ForecastCategory,
    Funnel,
    Stage,
    StageKind,
    StageVisit,
    TransitionPolicy,
    move_count,
    time_in_stages,
)
from salescore.errors import TransitionError, ValidationError
from salescore.serialization import from_json, to_json
from salescore.testing.strategies import funnels as funnel_strategy

from ._items import Item

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _stages(*keys: str) -> tuple[Stage, ...]:
    return tuple(Stage(key=k) for k in keys)


# --- Stage and Funnel validation ----------------------------------------------------


def test_stage_defaults_label_from_key() -> None:
    assert Stage(key="closed_won").label == "Closed won"


def test_stage_lists_every_bad_field() -> None:
    with pytest.raises(ValidationError) as info:
        Stage(key="Bad Key", probability=1.5, rotting_after=timedelta(-1))  # type: ignore[arg-type]
    assert info.value.paths == ("key", "probability", "rotting_after")


def test_funnel_refuses_duplicates_and_no_open_stage() -> None:
    with pytest.raises(ValidationError) as info:
        Funnel(
            key="f",
            stages=(Stage(key="won", kind=StageKind.WON), Stage(key="won", kind=StageKind.WON)),
        )
    assert info.value.paths == ("stages[1].key", "stages")


def test_funnel_refuses_unknown_stage_in_table() -> None:
    with pytest.raises(ValidationError) as info:
        Funnel(key="f", stages=_stages("a", "b"), policy=TransitionPolicy.explicit({"a": {"z"}}))
    assert info.value.errors[0].path == "policy.table.a"
    assert info.value.errors[0].value == "z"


def test_generated_table_forward_only_with_skipping() -> None:
    f = Funnel(
        key="f",
        stages=(
            *_stages("a", "b", "c"),
            Stage(key="won", kind=StageKind.WON),
            Stage(key="lost", kind=StageKind.LOST),
        ),
    )
    assert f.allowed_moves("a") == {"b", "c", "won", "lost"}
    assert f.allowed_moves("c") == {"won", "lost"}
    assert f.allowed_moves("won") == frozenset()
    assert f.allowed_moves("lost") == frozenset()


def test_generated_table_no_skipping_backwards_reopen() -> None:
    f = Funnel(
        key="f",
        stages=(
            *_stages("a", "b", "c"),
            Stage(key="won", kind=StageKind.WON),
            Stage(key="lost", kind=StageKind.LOST),
        ),
        policy=TransitionPolicy(skipping=False, backwards=True, reopen=True),
    )
    assert f.allowed_moves("a") == {"b", "lost"}
    assert f.allowed_moves("b") == {"a", "c", "lost"}
    assert f.allowed_moves("c") == {"a", "b", "won", "lost"}
    assert f.allowed_moves("won") == {"a", "b", "c"}
    assert f.allowed_moves("lost") == {"a", "b", "c"}


def test_lead_status_table_is_the_documented_one() -> None:
    table = {k: set(funnels.LEAD_STATUS.allowed_moves(k)) for k in funnels.LEAD_STATUS.keys}
    assert table == {
        "new": {"working", "nurturing", "qualified", "disqualified"},
        "working": {"nurturing", "qualified", "disqualified"},
        "nurturing": {"working", "qualified", "disqualified"},
        "qualified": {"working", "disqualified", "converted"},
        "disqualified": {"working", "nurturing"},
        "converted": set(),
    }


def test_ready_made_funnels() -> None:
    assert funnels.MARKETING.keys == ("awareness", "interest", "consideration", "decision")
    assert funnels.LIFECYCLE.keys == (
        "subscriber",
        "lead",
        "mql",
        "sql",
        "opportunity",
        "customer",
        "evangelist",
    )
    assert funnels.LIFECYCLE.allowed_moves("mql") == {
        "sql",
        "opportunity",
        "customer",
        "evangelist",
    }
    probs = {s.key: s.probability for s in funnels.B2B_PIPELINE.stages}
    assert probs == {
        "qualification": 0.10,
        "discovery": 0.20,
        "proposal": 0.50,
        "negotiation": 0.75,
        "closed_won": 1.0,
        "closed_lost": 0.0,
    }
    assert funnels.B2B_PIPELINE.stage("proposal").requires == ("amount", "close_date")
    assert funnels.B2B_PIPELINE.stage("closed_lost").requires == ("lost_reason",)
    assert funnels.B2B_PIPELINE.stage("closed_won").kind is StageKind.WON
    assert funnels.B2B_PIPELINE.stage("negotiation").forecast_category is ForecastCategory.COMMIT


@pytest.mark.parametrize(
    "funnel", [funnels.MARKETING, funnels.LEAD_STATUS, funnels.LIFECYCLE, funnels.B2B_PIPELINE]
)
def test_ready_made_funnels_round_trip(funnel: Funnel) -> None:
    text = to_json(funnel)
    back = from_json(Funnel, text)
    assert back == funnel
    assert to_json(back) == text
    assert {k: back.allowed_moves(k) for k in back.keys} == {
        k: funnel.allowed_moves(k) for k in funnel.keys
    }


@given(funnel_strategy())
def test_any_funnel_round_trips(funnel: Funnel) -> None:
    assert from_json(Funnel, to_json(funnel)) == funnel


# --- moves on an item ----------------------------------------------------------------


def _deal() -> Item:
    return Item.new(id="deal-1", at=T0, actor="rep-1", name="Acme", pipeline=funnels.B2B_PIPELINE)


def test_new_item_history_is_creation_then_entry() -> None:
    item = _deal()
    assert item.version == 2
    assert [type(e).__name__ for e in item.history] == ["ItemCreated", "StageChanged"]
    entry = item.history[1]
    assert entry == StageChanged(
        subject_id="deal-1",
        at=T0,
        actor="rep-1",
        funnel="b2b_pipeline",
        from_stage=None,
        to_stage="qualification",
    )


def test_refused_move_names_every_unmet_requirement_and_changes_nothing() -> None:
    item = _deal()
    with pytest.raises(TransitionError) as info:
        item.move_to("proposal", at=T0 + timedelta(hours=1), actor="rep-1")
    err = info.value
    assert err.subject_id == "deal-1"
    assert err.from_state == "qualification"
    assert err.to_state == "proposal"
    assert err.reasons == (
        "amount is required to enter 'proposal'",
        "close_date is required to enter 'proposal'",
    )
    assert item.version == 2
    assert item.stage == "qualification"


def test_move_with_requirements_met() -> None:
    item = _deal().edit(
        at=T0 + timedelta(hours=1), actor="rep-1", amount=100, close_date="2026-06-30"
    )
    item = item.move_to("proposal", at=T0 + timedelta(hours=2), actor="rep-1")
    assert item.stage == "proposal"
    assert item.version == 4


def test_move_not_in_table_and_same_stage() -> None:
    item = Item.new(id="l", at=T0, actor="a", name="n", pipeline=funnels.LEAD_STATUS)
    with pytest.raises(TransitionError) as info:
        item.move_to("new", at=T0, actor="a")
    assert info.value.reasons == ("already in 'new'",)
    with pytest.raises(TransitionError) as info:
        item.move_to("converted", at=T0, actor="a")
    assert "does not allow new → converted" in info.value.reasons[0]
    with pytest.raises(TransitionError) as info:
        item.move_to("nowhere", at=T0, actor="a")
    assert info.value.reasons == ("'nowhere' is not a stage of funnel 'lead_status'",)


def test_time_never_goes_backwards() -> None:
    item = _deal()
    with pytest.raises(ValidationError) as info:
        item.move_to("discovery", at=T0 - timedelta(seconds=1), actor="rep-1")
    assert info.value.paths == ("at",)


def test_naive_datetime_refused() -> None:
    with pytest.raises(ValidationError) as info:
        _deal().move_to("discovery", at=datetime(2026, 3, 3), actor="rep-1")
    assert info.value.paths == ("at",)


def test_stage_folds_exact_values() -> None:
    item = Item.new(id="l", at=T0, actor="a", name="n", pipeline=funnels.LEAD_STATUS)
    item = item.move_to("working", at=T0 + timedelta(hours=2), actor="a")
    item = item.move_to("nurturing", at=T0 + timedelta(hours=5), actor="a")
    item = item.move_to("working", at=T0 + timedelta(days=2), actor="a")
    now = T0 + timedelta(days=3)
    assert item.stage_history("lead_status") == (
        StageVisit("new", T0, T0 + timedelta(hours=2)),
        StageVisit("working", T0 + timedelta(hours=2), T0 + timedelta(hours=5)),
        StageVisit("nurturing", T0 + timedelta(hours=5), T0 + timedelta(days=2)),
        StageVisit("working", T0 + timedelta(days=2), None),
    )
    assert item.time_in_stage("lead_status", "new") == timedelta(hours=2)
    assert item.time_in_stage("lead_status", "working", at=now) == timedelta(days=1, hours=3)
    assert item.time_in_stage("lead_status", "working", at=now, latest=True) == timedelta(days=1)
    assert item.time_in_stages("lead_status", at=now) == {
        "new": timedelta(hours=2),
        "working": timedelta(days=1, hours=3),
        "nurturing": timedelta(days=1, hours=19),
    }
    assert item.moves("lead_status") == 3
    with pytest.raises(ValidationError):
        item.time_in_stage("lead_status", "working")
    assert item.time_in_stage("lead_status", "qualified") == timedelta(0)


def test_staleness_uses_rotting_age() -> None:
    funnel = Funnel(
        key="f", stages=(Stage(key="a", rotting_after=timedelta(days=7)), Stage(key="b"))
    )
    item = Item.new(id="i", at=T0, actor="a", name="n", pipeline=funnel)
    assert not item.is_stale("f", at=T0 + timedelta(days=7))
    assert item.is_stale("f", at=T0 + timedelta(days=7, seconds=1))
    moved = item.move_to("b", at=T0 + timedelta(days=1), actor="a")
    assert not moved.is_stale("f", at=T0 + timedelta(days=100))


def test_replay_and_json_round_trip() -> None:
    item = _deal().move_to("discovery", at=T0 + timedelta(days=1), actor="rep-1")
    assert Item.from_events(item.history) == item
    assert from_json(Item, to_json(item)) == item


# --- the stage mechanism under random moves -------------------------------------------


class FunnelMachine(RuleBasedStateMachine):
    """Random moves through random funnels."""

    @initialize(funnel=funnel_strategy())
    def create(self, funnel: Funnel) -> None:
        self.funnel = funnel
        self.now = T0
        self.item = Item.new(id="item-1", at=T0, actor="sim", name="n", pipeline=funnel)

    @rule(index=st.integers(min_value=0, max_value=7), hours=st.integers(0, 72))
    def move(self, index: int, hours: int) -> None:
        self.now += timedelta(hours=hours)
        to_stage = self.funnel.keys[index % len(self.funnel.keys)]
        before = self.item
        if self.funnel.can_move(self.item.stage, to_stage):
            self.item = self.item.move_to(to_stage, at=self.now, actor="sim")
            assert self.item.stage == to_stage
            assert self.item.version == before.version + 1
        else:
            with pytest.raises(TransitionError):
                self.item.move_to(to_stage, at=self.now, actor="sim")
            assert self.item is before
            assert self.item == before

    @precondition(lambda self: self.item.version > 2)
    @rule()
    def move_back_in_time_is_refused(self) -> None:
        before = self.item
        earlier = self.item.updated_at - timedelta(seconds=1)
        for to_stage in self.funnel.allowed_moves(self.item.stage):
            with pytest.raises(ValidationError):
                self.item.move_to(to_stage, at=earlier, actor="sim")
        assert self.item == before

    @invariant()
    def versions_count_events(self) -> None:
        assert self.item.version == len(self.item.history)

    @invariant()
    def replay_gives_the_same_item(self) -> None:
        assert Item.from_events(self.item.history) == self.item

    @invariant()
    def time_in_stages_sums_to_time_since_creation(self) -> None:
        at = self.now + timedelta(minutes=1)
        total = sum(time_in_stages(self.item.history, self.funnel, at=at).values(), timedelta(0))
        assert total == at - self.item.created_at

    @invariant()
    def move_count_matches_history(self) -> None:
        moves = sum(1 for e in self.item.history if isinstance(e, StageChanged)) - 1
        assert move_count(self.item.history, self.funnel) == moves


FunnelMachine.TestCase.settings = settings(max_examples=60, stateful_step_count=25)
TestFunnelMachine = FunnelMachine.TestCase


def test_refusal_leaves_state_untouched_even_after_before_events() -> None:
    item = _deal()
    from salescore.domain.events import FieldsChanged

    before = FieldsChanged(subject_id="deal-1", at=T0, actor="rep-1", changes={"amount": (None, 5)})
    with pytest.raises(TransitionError):
        item._move("b2b_pipeline", "proposal", at=T0, actor="rep-1", before=(before,))
    assert item.amount is None
    assert attrs.evolve(item) == item


# --- entry rules --------------------------------------------------------------------


def _ruled_funnel() -> Funnel:
    from salescore.rules import parse

    return Funnel(
        key="ruled",
        stages=(
            Stage(key="open"),
            Stage(
                key="engaged",
                entry_rule=parse(
                    "amount >= 1000 and count(interactions where kind == 'clicked' within 14d) >= 2"
                ),
            ),
        ),
    )


def test_entry_rule_sees_at_and_context() -> None:
    funnel = _ruled_funnel()
    item = Item.new(id="i", at=T0, actor="a", name="n", pipeline=funnel).edit(
        at=T0, actor="a", amount=5000
    )
    clicks = [{"kind": "clicked", "at": T0 + timedelta(days=d)} for d in (1, 2)]
    moved = item.move_to(
        "engaged", at=T0 + timedelta(days=3), actor="a", context={"interactions": clicks}
    )
    assert moved.stage == "engaged"
    with pytest.raises(TransitionError) as info:
        item.move_to(
            "engaged", at=T0 + timedelta(days=30), actor="a", context={"interactions": clicks}
        )
    assert info.value.reasons == (
        "entry rule of 'engaged' is not met: amount >= 1000 and "
        "count(interactions where kind == 'clicked' within 14d) >= 2",
    )


def test_entry_rule_unknown_counts_as_not_met_and_names_the_fields() -> None:
    funnel = _ruled_funnel()
    item = Item.new(id="i", at=T0, actor="a", name="n", pipeline=funnel)
    with pytest.raises(TransitionError) as info:
        item.move_to("engaged", at=T0 + timedelta(days=1), actor="a")
    (reason,) = info.value.reasons
    assert reason.endswith("(unknown: amount, interactions)")
    assert item.stage == "open"


def test_funnel_with_entry_rule_round_trips() -> None:
    funnel = _ruled_funnel()
    text = to_json(funnel)
    assert from_json(Funnel, text) == funnel
    assert '"entry_rule":{"rules":' in text


def test_stage_changed_lists_every_bad_field() -> None:
    with pytest.raises(ValidationError) as info:
        StageChanged(
            subject_id="x",
            at=datetime(2026, 1, 1),
            actor="",
            funnel="f",
            from_stage=3,  # type: ignore[arg-type]
            to_stage="b",
        )
    assert info.value.paths == ("actor", "at", "from_stage")
    with pytest.raises(ValidationError) as info:
        StageChanged(subject_id="x", at=T0, actor="a", funnel="", from_stage=3, to_stage="b")  # type: ignore[arg-type]
    assert info.value.paths == ("funnel", "from_stage")


def test_stage_fields_is_public_on_every_aggregate_with_a_fixed_funnel() -> None:
    from salescore.domain import Campaign, Contact, Lead, ServiceCase, Task

    assert Lead.stage_fields == {"lead_status": "status", "lifecycle": "lifecycle_stage"}
    assert Contact.stage_fields == {"lifecycle": "lifecycle_stage"}
    assert ServiceCase.stage_fields == {"case_status": "status"}
    assert Campaign.stage_fields == {"campaign_status": "status"}
    assert Task.stage_fields == {"task_status": "status"}


def test_legacy_private_stage_fields_name_still_works_and_warns() -> None:
    from salescore.domain.aggregate import Aggregate

    with pytest.warns(DeprecationWarning, match="_stage_fields"):

        @attrs.frozen(kw_only=True)
        class Old(Aggregate):
            _stage_fields = {"deals": "stage"}
            stage: str = ""

    assert Old.stage_fields == {"deals": "stage"}
    assert Old(id="x")._stage_field("deals") == "stage"


def test_asking_for_a_funnel_an_aggregate_does_not_move_in_names_its_funnels() -> None:
    from salescore.domain import Lead

    lead = Lead.new(id="l-1", at=datetime(2026, 1, 5, 9, tzinfo=UTC), actor="t", company="Acme")
    assert lead.funnel("lifecycle") is funnels.LIFECYCLE
    with pytest.raises(ValidationError) as info:
        lead.funnel("deals")
    (error,) = info.value.errors
    assert (error.path, error.value) == ("funnel", "deals")
    assert error.message == "is not a funnel Lead moves in (its funnels: lead_status, lifecycle)"
