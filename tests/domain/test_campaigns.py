"""Campaigns, their status, costs and hierarchy; campaign members."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings

from salescore.domain.campaigns import (
    CAMPAIGN_STATUS,
    Campaign,
    CampaignMember,
    CampaignMemberAdded,
    CampaignStatus,
    CampaignType,
    CostRecorded,
    MemberRepointed,
    MemberStatus,
    MemberStatusChanged,
    campaign_ancestors,
    check_campaign_parent,
    default_member_statuses,
)
from salescore.domain.events import FieldsChanged, StageChanged
from salescore.domain.parties import PartyRef
from salescore.domain.stages import StageVisit
from salescore.errors import NotFound, TransitionError, ValidationError
from salescore.money import Money
from salescore.serialization import from_dict, from_json, to_json
from salescore.testing.strategies import campaign_members, campaigns

T0 = datetime(2026, 2, 2, 9, 0, tzinfo=UTC)
DOCUMENTS = "campaign_members_before_stage_changed.json"


def h(hours: float) -> datetime:
    return T0 + timedelta(hours=hours)


def webinar(**fields: object) -> Campaign:
    return Campaign.new(
        id="cmp-1",
        at=T0,
        actor="mkt",
        name="Spring webinar",
        type=CampaignType.WEBINAR,
        budget=Money("5000.00", "EUR"),
        start_date=date(2026, 3, 10),
        end_date=date(2026, 3, 10),
        **fields,  # type: ignore[arg-type]
    )


def same_after_replay_and_json(x: Campaign | CampaignMember) -> None:
    assert type(x).from_events(x.history) == x
    assert from_json(type(x), to_json(x)) == x
    assert x.version == len(x.history)


# --- campaigns ----------------------------------------------------------------------------------


def test_new_campaign_is_planned_with_type_statuses() -> None:
    c = webinar()
    assert c.status is CampaignStatus.PLANNED
    assert [s.key for s in c.member_statuses] == ["invited", "registered", "attended", "no_show"]
    assert c.default_member_status == "invited"
    assert c.responded_statuses == frozenset({"registered", "attended", "no_show"})
    assert c.version == 2
    assert isinstance(c.history[1], StageChanged)
    assert c.history[1].funnel == "campaign_status"
    same_after_replay_and_json(c)


def test_default_member_statuses_per_type() -> None:
    assert [s.key for s in default_member_statuses("paid_search")] == ["sent", "responded"]
    email = default_member_statuses(CampaignType.EMAIL)
    assert [(s.key, s.responded) for s in email] == [
        ("sent", False),
        ("opened", False),
        ("clicked", True),
        ("responded", True),
        ("unsubscribed", False),
    ]
    with pytest.raises(ValidationError):
        default_member_statuses("radio")


def test_new_lists_every_bad_field() -> None:
    with pytest.raises(ValidationError) as info:
        Campaign.new(
            id="cmp-1",
            at=T0,
            actor="mkt",
            name="",
            type="radio",
            budget=Money("-1", "EUR"),
            start_date="2026-01-01",  # type: ignore[arg-type]
        )
    assert info.value.paths == ("name", "type", "start_date", "budget")


def test_dates_and_default_status_are_checked() -> None:
    with pytest.raises(ValidationError) as info:
        Campaign.new(
            id="c",
            at=T0,
            actor="m",
            name="x",
            start_date=date(2026, 3, 10),
            end_date=date(2026, 3, 1),
            member_statuses=[MemberStatus(key="sent")],
            default_member_status="opened",
        )
    assert info.value.paths == ("end_date", "default_member_status")


def test_member_statuses_must_be_distinct_and_non_empty() -> None:
    with pytest.raises(ValidationError) as info:
        Campaign.new(
            id="c",
            at=T0,
            actor="m",
            name="x",
            member_statuses=[MemberStatus(key="sent"), MemberStatus(key="sent")],
        )
    assert info.value.paths == ("member_statuses[1].key",)
    with pytest.raises(ValidationError):
        Campaign.new(id="c", at=T0, actor="m", name="x", member_statuses=[])
    with pytest.raises(ValidationError):
        MemberStatus(key="Sent Out")
    assert MemberStatus(key="no_show").label == "No show"


def test_status_moves_and_history() -> None:
    c = webinar().activate(at=h(24), actor="mkt").complete(at=h(24 * 40), actor="mkt")
    assert c.status is CampaignStatus.COMPLETED
    assert c.time_in_stage(CAMPAIGN_STATUS, "active") == timedelta(days=39)
    with pytest.raises(TransitionError, match="does not allow completed → active"):
        c.move_to("active", at=h(24 * 41), actor="mkt")
    with pytest.raises(TransitionError):
        webinar().complete(at=h(1), actor="mkt")
    same_after_replay_and_json(c)


def test_abort_needs_a_reason() -> None:
    with pytest.raises(TransitionError, match="reason is required"):
        webinar().abort(at=h(1), actor="mkt", reason=" ")
    c = webinar().abort(at=h(1), actor="mkt", reason="speaker ill")
    assert c.status is CampaignStatus.ABORTED
    assert c.history[-1].reason == "speaker ill"  # type: ignore[attr-defined]


def test_costs_accumulate() -> None:
    c = webinar().record_cost(Money("1200.00", "EUR"), at=h(1), actor="mkt", note="ads")
    c = c.record_cost(Money("300.50", "EUR"), at=h(2), actor="mkt")
    assert c.actual_cost == Money("1500.50", "EUR")
    assert c.budget_remaining == Money("3499.50", "EUR")
    assert isinstance(c.history[-1], CostRecorded)
    same_after_replay_and_json(c)


def test_costs_refuse_other_currency_and_non_positive() -> None:
    c = webinar()
    with pytest.raises(ValidationError, match=r"campaign's currency \(EUR\)"):
        c.record_cost(Money("10", "USD"), at=h(1), actor="mkt")
    for bad in (Money("0", "EUR"), Money("-5", "EUR")):
        with pytest.raises(ValidationError):
            c.record_cost(bad, at=h(1), actor="mkt")
    no_budget = Campaign.new(id="c2", at=T0, actor="m", name="x")
    assert no_budget.budget_remaining is None
    first = no_budget.record_cost(Money("10", "USD"), at=h(1), actor="m")
    with pytest.raises(ValidationError):
        first.record_cost(Money("10", "EUR"), at=h(2), actor="m")


def test_update_and_refused_fields() -> None:
    c = webinar().update(at=h(1), actor="mkt", name="Spring webinar 2026", owner_id="mkt-2")
    assert c.name == "Spring webinar 2026"
    with pytest.raises(ValidationError) as info:
        c.update(at=h(2), actor="mkt", status="active", parent_id="x", actual_cost=None)
    assert info.value.paths == ("status", "parent_id", "actual_cost")
    with pytest.raises(ValidationError) as info:
        c.update(at=h(2), actor="mkt", end_date=date(2026, 1, 1))
    assert info.value.paths == ("end_date",)


def test_set_member_statuses() -> None:
    statuses = [MemberStatus(key="sent"), MemberStatus(key="replied", responded=True)]
    c = webinar().set_member_statuses(statuses, at=h(1), actor="mkt")
    assert c.default_member_status == "sent"
    with pytest.raises(ValidationError):
        c.set_member_statuses(statuses, default="invited", at=h(2), actor="mkt")
    same_after_replay_and_json(c)


# --- hierarchy ---------------------------------------------------------------------


def _family() -> dict[str, Campaign]:
    root = Campaign.new(id="root", at=T0, actor="m", name="Root")
    mid = Campaign.new(id="mid", at=T0, actor="m", name="Mid", parent_id="root")
    leaf = Campaign.new(id="leaf", at=T0, actor="m", name="Leaf", parent_id="mid")
    return {c.id: c for c in (root, mid, leaf)}


def test_ancestors() -> None:
    family = _family()
    assert campaign_ancestors("leaf", family) == ("mid", "root")
    assert campaign_ancestors("root", family) == ()


def test_campaign_cannot_be_its_own_ancestor() -> None:
    family = _family()
    with pytest.raises(ValidationError) as info:
        family["root"].set_parent("leaf", campaigns=family, at=h(1), actor="m")
    assert info.value.paths == ("parent_id",)
    assert "would make 'root' its own ancestor (leaf → mid → root)" in str(info.value)
    with pytest.raises(ValidationError, match="its own parent"):
        check_campaign_parent("mid", "mid", family)
    with pytest.raises(ValidationError, match="its own parent"):
        Campaign.new(id="x", at=T0, actor="m", name="x", parent_id="x")
    with pytest.raises(NotFound):
        check_campaign_parent("mid", "ghost", family)
    moved = family["leaf"].set_parent("root", campaigns=family, at=h(1), actor="m")
    assert moved.parent_id == "root"
    assert family["leaf"].set_parent(None, campaigns=family, at=h(1), actor="m").parent_id is None


def test_cycle_in_data_is_reported() -> None:
    family = _family()
    looped = {**family, "root": Campaign(id="root", name="Root", parent_id="leaf")}
    with pytest.raises(ValidationError, match="cycle"):
        campaign_ancestors("leaf", looped)


# --- members -----------------------------------------------------------------------


def test_member_starts_in_default_status_and_tracks_first_response() -> None:
    c = webinar()
    m = CampaignMember.new(id="m-1", at=h(1), actor="mkt", campaign=c, party=PartyRef.lead("l-1"))
    assert (m.status, m.responded, m.first_responded_at) == ("invited", False, None)
    m = m.set_status("registered", campaign=c, at=h(5), actor="form")
    m = m.set_status("attended", campaign=c, at=h(50), actor="webinar-tool")
    m = m.set_status("invited", campaign=c, at=h(60), actor="mkt")
    m = m.set_status("no_show", campaign=c, at=h(70), actor="mkt")
    assert m.first_responded_at == h(5)
    assert m.status == "no_show"
    assert m.status_history() == (
        StageVisit("invited", h(1), h(5)),
        StageVisit("registered", h(5), h(50)),
        StageVisit("attended", h(50), h(60)),
        StageVisit("invited", h(60), h(70)),
        StageVisit("no_show", h(70), None),
    )
    assert [type(e) for e in m.history] == [CampaignMemberAdded] + [StageChanged] * 5
    assert m.stage_history("campaign_member_status") == m.status_history()
    assert m.time_in_stage("campaign_member_status", "invited", at=h(80)) == timedelta(hours=14)
    assert m.time_in_stages("campaign_member_status", at=h(80)) == {
        "invited": timedelta(hours=14),
        "registered": timedelta(hours=45),
        "attended": timedelta(hours=10),
        "no_show": timedelta(hours=10),
    }
    assert m.moves("campaign_member_status") == 4
    same_after_replay_and_json(m)


def test_member_moves_are_stage_changes_in_the_status_funnel() -> None:
    c = webinar()
    m = CampaignMember.new(id="m-1", at=h(1), actor="mkt", campaign=c, party=PartyRef.lead("l-1"))
    assert CampaignMember.stage_fields == {"campaign_member_status": "status"}
    assert m.version == 2
    entry = m.history[1]
    assert isinstance(entry, StageChanged)
    assert (entry.funnel, entry.from_stage, entry.to_stage) == (
        "campaign_member_status",
        None,
        "invited",
    )
    m = m.set_status("registered", campaign=c, at=h(2), actor="form", reason=" signed up ")
    move = m.history[-1]
    assert isinstance(move, StageChanged)
    assert (move.from_stage, move.to_stage, move.reason) == ("invited", "registered", "signed up")
    funnel = m.funnel("campaign_member_status")
    assert funnel.keys == ("invited", "registered", "attended", "no_show")
    assert funnel.stage("no_show").label == "No-show"
    assert m.stage_in("campaign_member_status") == "registered"
    assert m.statuses == c.member_statuses
    with pytest.raises(ValidationError) as info:
        m.funnel("campaign_status")
    assert info.value.paths == ("funnel",)


def test_member_records_changed_campaign_statuses_before_its_move() -> None:
    c = webinar()
    m = CampaignMember.new(id="m-1", at=h(1), actor="mkt", campaign=c, party=PartyRef.lead("l-1"))
    m = m.set_status("registered", campaign=c, at=h(2), actor="form")
    # the campaign drops the member's status and makes "invited" a response
    c2 = c.set_member_statuses(
        [MemberStatus(key="invited", responded=True), MemberStatus(key="attended")],
        at=h(3),
        actor="mkt",
    )
    assert m.funnel("campaign_member_status").keys == (
        "invited",
        "registered",
        "attended",
        "no_show",
    )
    m2 = m.set_status("invited", campaign=c2, at=h(4), actor="mkt")
    assert [type(e) for e in m2.history[-2:]] == [FieldsChanged, StageChanged]
    assert m2.statuses == c2.member_statuses
    assert (m2.status, m2.responded, m2.first_responded_at) == ("invited", True, h(2))
    # its old status stays a stage until it leaves it
    m3 = m.set_status("attended", campaign=c2, at=h(4), actor="mkt")
    assert (m3.status, m3.responded) == ("attended", False)
    assert m3.funnel("campaign_member_status").keys == ("invited", "attended")
    assert m2.set_status("attended", campaign=c2, at=h(5), actor="mkt").history[-1].to_stage == (  # type: ignore[attr-defined]
        "attended"
    )
    same_after_replay_and_json(m2)
    same_after_replay_and_json(m3)


def test_member_replay_refuses_a_status_outside_its_statuses() -> None:
    c = webinar()
    m = CampaignMember.new(id="m-1", at=h(1), actor="mkt", campaign=c, party=PartyRef.lead("l-1"))
    bad = StageChanged(
        subject_id="m-1",
        at=h(2),
        actor="x",
        funnel="campaign_member_status",
        from_stage="invited",
        to_stage="clicked",
    )
    with pytest.raises(ValidationError) as info:
        CampaignMember.from_events((*m.history, bad))
    assert info.value.paths == ("events[2].to_stage",)


OLD = json.loads((Path(__file__).parent.parent / "data" / DOCUMENTS).read_text())


@pytest.mark.parametrize("n", [0, 1])
def test_documents_with_member_status_changed_still_load(n: int) -> None:
    m = from_dict(CampaignMember, OLD["members"][n])
    expected = OLD["expected"][n]
    assert (m.id, m.version, m.status, m.responded, str(m.party)) == (
        expected["id"],
        expected["version"],
        expected["status"],
        expected["responded"],
        expected["party"],
    )
    assert m.first_responded_at == datetime.fromisoformat(expected["first_responded_at"])
    assert [
        [v.stage, v.entered_at.isoformat(), v.left_at and v.left_at.isoformat()]
        for v in m.status_history()
    ] == expected["status_history"]
    same_after_replay_and_json(m)


def test_old_status_moves_are_read_as_stage_changes() -> None:
    m = from_dict(CampaignMember, OLD["members"][0])
    assert [type(e).__name__ for e in m.history] == [
        "CampaignMemberAdded",
        "StageChanged",
        "StageChanged",
        "MemberRepointed",
    ]
    assert [s.key for s in m.statuses] == ["invited", "registered", "attended"]
    assert [s.key for s in m.statuses if s.responded] == ["registered", "attended"]
    move = m.history[1]
    assert isinstance(move, StageChanged)
    assert (move.funnel, move.from_stage, move.to_stage, move.reason) == (
        "campaign_member_status",
        "invited",
        "registered",
        "signed up",
    )
    assert m.time_in_stage("campaign_member_status", "registered") == timedelta(hours=28)
    # a later move with the campaign records its statuses first
    c = Campaign.new(id="cmp-1", at=T0, actor="m", name="Spring webinar", type="webinar")
    later = m.set_status("no_show", campaign=c, at=datetime(2026, 3, 9, tzinfo=UTC), actor="m")
    assert [type(e) for e in later.history[-2:]] == [FieldsChanged, StageChanged]
    same_after_replay_and_json(later)


def test_old_history_whose_status_changed_meaning_replays_as_written() -> None:
    m = from_dict(CampaignMember, OLD["members"][1])
    assert [type(e) for e in m.history[1:]] == [MemberStatusChanged] * 3
    assert m.statuses == ()
    assert m.funnel("campaign_member_status").keys == ("opened",)
    c = Campaign.new(id="cmp-2", at=T0, actor="m", name="Mailing", type="email")
    later = m.set_status("clicked", campaign=c, at=datetime(2026, 3, 9, tzinfo=UTC), actor="m")
    assert (later.status, later.responded, later.first_responded_at) == (
        "clicked",
        True,
        m.first_responded_at,
    )
    assert later.status_history()[-2:] == (
        StageVisit(
            "opened", datetime(2026, 3, 2, 14, tzinfo=UTC), datetime(2026, 3, 9, tzinfo=UTC)
        ),
        StageVisit("clicked", datetime(2026, 3, 9, tzinfo=UTC), None),
    )
    same_after_replay_and_json(later)


def test_member_added_in_responded_status() -> None:
    c = webinar()
    m = CampaignMember.new(
        id="m-1", at=h(1), actor="mkt", campaign=c, party=PartyRef.contact("c-1"), status="attended"
    )
    assert m.first_responded_at == h(1)
    assert m.set_status("attended", campaign=c, at=h(2), actor="mkt") is m


def test_member_status_is_checked_against_its_campaign() -> None:
    c = webinar()
    m = CampaignMember.new(id="m-1", at=h(1), actor="mkt", campaign=c, party=PartyRef.lead("l"))
    with pytest.raises(ValidationError, match="not a member status of campaign 'cmp-1'"):
        m.set_status("opened", campaign=c, at=h(2), actor="mkt")
    other = Campaign.new(id="cmp-2", at=T0, actor="mkt", name="Other")
    with pytest.raises(ValidationError) as info:
        m.set_status("sent", campaign=other, at=h(2), actor="mkt")
    assert info.value.paths == ("campaign",)
    with pytest.raises(ValidationError):
        CampaignMember.new(
            id="m-2", at=h(1), actor="mkt", campaign=c, party=PartyRef.lead("l"), status="clicked"
        )


def test_repoint_records_the_change() -> None:
    c = webinar()
    m = CampaignMember.new(id="m-1", at=h(1), actor="mkt", campaign=c, party=PartyRef.lead("l-1"))
    m = m.repoint(PartyRef.contact("c-9"), at=h(3), actor="sales", reason="lead converted")
    assert m.party == PartyRef.contact("c-9")
    assert m.parties() == (PartyRef.lead("l-1"), PartyRef.contact("c-9"))
    event = m.history[-1]
    assert isinstance(event, MemberRepointed)
    assert (event.from_party, event.to_party) == (PartyRef.lead("l-1"), PartyRef.contact("c-9"))
    with pytest.raises(ValidationError):
        m.repoint(PartyRef.contact("c-9"), at=h(4), actor="sales")
    same_after_replay_and_json(m)


@settings(max_examples=30)
@given(campaigns())
def test_generated_campaigns_replay_and_round_trip(c: Campaign) -> None:
    same_after_replay_and_json(c)
    if c.actual_cost is not None and c.budget is not None:
        assert c.budget_remaining == c.budget - c.actual_cost


@settings(max_examples=30)
@given(campaign_members())
def test_generated_members_replay_and_round_trip(m: CampaignMember) -> None:
    same_after_replay_and_json(m)
    responded_keys = {s.key for s in m.statuses if s.responded}
    visits = m.status_history()
    assert visits == m.stage_history("campaign_member_status")
    responded = [v.entered_at for v in visits if v.stage in responded_keys]
    assert m.first_responded_at == (responded[0] if responded else None)
    assert m.responded is (m.status in responded_keys)


# --- the package --------------------------------------------------------------------------


def test_package_offers_the_names_of_its_modules() -> None:
    from salescore.domain import campaigns
    from salescore.domain.campaigns import campaign, fields, hierarchy, members

    modules = (campaign, fields, hierarchy, members)
    assert campaigns.CampaignMember is members.CampaignMember
    assert campaigns.campaign_ancestors is hierarchy.campaign_ancestors
    assert campaigns.CAMPAIGN_STATUS is CAMPAIGN_STATUS
    assert set(campaigns.__all__) == {"CAMPAIGN_STATUS"}.union(*(m.__all__ for m in modules))


def test_modules_load_one_way_and_on_first_use() -> None:
    import subprocess
    import sys

    code = (
        "import sys\n"
        "import salescore.domain.campaigns.hierarchy\n"
        "print(sorted(m for m in sys.modules if m.startswith('salescore.domain.campaigns')))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out == "['salescore.domain.campaigns', 'salescore.domain.campaigns.hierarchy']\n"


def test_update_refusals_come_from_the_field_tables() -> None:
    c = webinar()
    m = CampaignMember.new(id="m-1", at=h(1), actor="mkt", campaign=c, party=PartyRef.lead("l"))
    with pytest.raises(ValidationError) as info:
        c.update(id="x", status="active", colour="red", at=h(2), actor="mkt")
    assert [(e.path, e.message) for e in info.value.errors] == [
        ("id", "cannot be changed"),
        ("status", "moves through the campaign status funnel: use move_to()"),
        ("colour", "is not a field of Campaign"),
    ]
    with pytest.raises(ValidationError) as info:
        m.update(status="attended", at=h(2), actor="mkt")
    assert info.value.errors[0].message == (
        "moves through the member status funnel: use set_status()"
    )
    assert c.update(name=" Spring webinar ", at=h(2), actor="mkt") is c


@pytest.mark.parametrize(
    ("make", "field", "change"),
    [
        (lambda: webinar(), "actual_cost", (None, Money("1.00", "EUR"))),
        (
            lambda: CampaignMember.new(
                id="m-1", at=h(1), actor="m", campaign=webinar(), party=PartyRef.lead("l")
            ),
            "first_responded_at",
            (None, h(2)),
        ),
    ],
)
def test_replayed_edit_of_a_transition_field_is_refused(
    make: object, field: str, change: tuple[object, object]
) -> None:
    x = make()  # type: ignore[operator]
    edit = FieldsChanged(subject_id=x.id, at=h(3), actor="x", changes={field: change})
    with pytest.raises(ValidationError) as info:
        type(x).from_events((*x.history, edit))
    assert info.value.paths == (f"events[{x.version}].changes.{field}",)
