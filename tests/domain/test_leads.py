"""Leads: creation, the status table, reasons, conversion, edits, round trips, a state machine."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from salescore import funnels
from salescore.domain.custom_fields import CustomField, CustomFieldSchema, FieldType
from salescore.domain.events import FieldsChanged, StageChanged
from salescore.domain.leads import Lead, LeadConverted, LeadCreated, LeadSource, LeadStatus
from salescore.domain.parties import PartyKind, PartyRef
from salescore.errors import TransitionError, ValidationError
from salescore.money import Money
from salescore.serialization import from_dict, from_json, to_dict, to_json
from salescore.testing.strategies import lead_sources, leads

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
H = timedelta(hours=1)

ALLOWED = {
    "new": {"working", "nurturing", "qualified", "disqualified"},
    "working": {"nurturing", "qualified", "disqualified"},
    "nurturing": {"working", "qualified", "disqualified"},
    "qualified": {"working", "disqualified", "converted"},
    "disqualified": {"working", "nurturing"},
    "converted": set(),
}
STATUSES = [s.value for s in LeadStatus]
# How to bring a new lead into each status (the moves before the one tested).
PATHS = {
    "new": [],
    "working": ["working"],
    "nurturing": ["nurturing"],
    "qualified": ["qualified"],
    "disqualified": ["disqualified"],
    "converted": ["qualified", "converted"],
}


def new_lead(**kw: object) -> Lead:
    fields: dict[str, object] = {
        "email": "Ana.Silva@Acme.io",
        "company": "Acme",
        "industry": "saas",
        "employees": 120,
    }
    fields.update(kw)
    return Lead.new(id="lead-1", at=T0, actor="web-form", **fields)  # type: ignore[arg-type]


def lead_in(status: str) -> Lead:
    lead = new_lead()
    at = T0
    for step in PATHS[status]:
        at += H
        if step == "converted":
            lead = lead._record_conversion(
                at=at, actor="rep-7", contact_id="contact-1", account_id="account-1"
            )
        else:
            lead = lead.move_to(step, at=at, actor="rep-7", reason="because")
    return lead


# --- the design example -----------------------------------------------------------------


def test_design_example() -> None:
    lead = Lead.new(
        id="lead-demo-1-1",
        at=T0,
        actor="web-form",
        email="Ana.Silva@Acme.io",
        company="Acme",
        industry="saas",
        employees=120,
    )
    lead = lead.move_to("working", at=T0 + timedelta(hours=2), actor="rep-7")
    assert lead.email == "Ana.Silva@acme.io"
    assert lead.version == 4
    assert lead.time_in_stage(funnels.LEAD_STATUS, "new") == timedelta(hours=2)
    with pytest.raises(TransitionError) as info:
        lead.move_to("converted", at=T0 + timedelta(days=1), actor="rep-7")
    assert info.value.reasons[0] == "only conversion reaches 'converted'"
    assert "working → converted: only conversion reaches 'converted'" in str(info.value)


def test_new_lead_history_is_created_then_two_funnel_entries() -> None:
    lead = new_lead()
    assert lead.version == 3
    created, status, lifecycle = lead.history
    assert type(created) is LeadCreated
    assert created.email == "Ana.Silva@acme.io"
    assert status == StageChanged(
        subject_id="lead-1",
        at=T0,
        actor="web-form",
        funnel="lead_status",
        from_stage=None,
        to_stage="new",
    )
    assert lifecycle == StageChanged(
        subject_id="lead-1",
        at=T0,
        actor="web-form",
        funnel="lifecycle",
        from_stage=None,
        to_stage="lead",
    )
    assert lead.status is LeadStatus.NEW
    assert lead.lifecycle_stage == "lead"
    assert lead.score == 0
    assert lead.ref == PartyRef(PartyKind.LEAD, "lead-1")
    assert Lead._new(created, [(funnels.LEAD_STATUS, "new"), (funnels.LIFECYCLE, "lead")]) == lead


def test_new_normalises_every_contact_point() -> None:
    lead = new_lead(
        first_name="  Ana ",
        phone="020 7946 0958",
        country="gb",
        domain="https://www.Acme.io/pricing",
        time_zone="Europe/London",
        title="",
        annual_revenue=Money("5000000", "GBP"),
        score=12,
    )
    assert (lead.first_name, lead.phone, lead.country, lead.domain, lead.title, lead.score) == (
        "Ana",
        "+442079460958",
        "GB",
        "acme.io",
        None,
        12.0,
    )
    assert lead.history[0].phone == "+442079460958"


def test_new_reports_every_bad_field_at_once() -> None:
    with pytest.raises(ValidationError) as info:
        new_lead(
            email="not-an-email", employees=-3, country="XX", time_zone="Mars/Base", phone="+12"
        )
    assert set(info.value.paths) == {"email", "employees", "country", "time_zone", "phone"}


def test_a_lead_needs_something_to_identify_it() -> None:
    with pytest.raises(ValidationError) as info:
        Lead.new(id="lead-1", at=T0, actor="x", industry="saas")
    assert info.value.paths == ("email",)


def test_naive_time_is_refused() -> None:
    with pytest.raises(ValidationError):
        Lead.new(id="lead-1", at=datetime(2026, 1, 1), actor="x", email="a@b.io")


def test_initial_lifecycle_stage_and_bad_one() -> None:
    assert new_lead(lifecycle_stage="subscriber").lifecycle_stage == "subscriber"
    with pytest.raises(TransitionError):
        new_lead(lifecycle_stage="prospect")


# --- the status table: all 36 pairs ----------------------------------------------------------


@pytest.mark.parametrize(("src", "dst"), list(itertools.product(STATUSES, STATUSES)))
def test_every_pair_of_the_status_table(src: str, dst: str) -> None:
    lead = lead_in(src)
    at = T0 + timedelta(days=1)
    allowed = dst in ALLOWED[src] and dst != "converted"
    if allowed:
        moved = lead.move_to(dst, at=at, actor="rep-7", reason="a reason")
        assert moved.status == dst
        assert moved.version == lead.version + 1
        assert moved.history[-1] == StageChanged(
            subject_id="lead-1",
            at=at,
            actor="rep-7",
            funnel="lead_status",
            from_stage=src,
            to_stage=dst,
            reason="a reason",
        )
    else:
        with pytest.raises(TransitionError) as info:
            lead.move_to(dst, at=at, actor="rep-7", reason="a reason")
        assert (info.value.from_state, info.value.to_state) == (src, dst)
        if dst == "converted":
            assert info.value.reasons[0] == "only conversion reaches 'converted'"
        elif src == dst:
            assert info.value.reasons == (f"already in {dst!r}",)
        else:
            assert info.value.reasons[0].startswith(f"lead_status does not allow {src} → {dst}")


def test_the_table_matches_the_funnel() -> None:
    assert {s: set(funnels.LEAD_STATUS.allowed_moves(s)) for s in STATUSES} == ALLOWED


@pytest.mark.parametrize("src", ["new", "working", "nurturing", "qualified"])
@pytest.mark.parametrize("reason", [None, "", "   "])
def test_disqualifying_needs_a_reason(src: str, reason: str | None) -> None:
    lead = lead_in(src)
    with pytest.raises(TransitionError) as info:
        lead.move_to("disqualified", at=T0 + timedelta(days=1), actor="rep-7", reason=reason)
    assert info.value.reasons == ("a reason is required to disqualify a lead",)


def test_disqualify_reason_is_kept_then_cleared_on_recycling() -> None:
    lead = lead_in("working").move_to(
        "disqualified", at=T0 + 2 * H, actor="rep-7", reason="no budget"
    )
    assert lead.disqualify_reason == "no budget"
    recycled = lead.move_to("nurturing", at=T0 + 3 * H, actor="rep-7", reason="budget next year")
    assert recycled.disqualify_reason is None
    assert recycled.status is LeadStatus.NURTURING


@pytest.mark.parametrize("dst", ["working", "nurturing"])
def test_recycling_needs_a_reason(dst: str) -> None:
    with pytest.raises(TransitionError) as info:
        lead_in("disqualified").move_to(dst, at=T0 + timedelta(days=1), actor="rep-7")
    assert info.value.reasons == ("a reason is required to recycle a disqualified lead",)


def test_converted_with_a_missing_reason_lists_every_reason() -> None:
    with pytest.raises(TransitionError) as info:
        lead_in("disqualified").move_to("disqualified", at=T0 + H * 5, actor="x")
    assert info.value.reasons == (
        "a reason is required to disqualify a lead",
        "already in 'disqualified'",
    )


def test_refused_move_changes_nothing() -> None:
    lead = lead_in("working")
    before = to_json(lead)
    with pytest.raises(TransitionError):
        lead.move_to("new", at=T0 + H * 5, actor="x")
    assert to_json(lead) == before


def test_moves_never_go_back_in_time() -> None:
    lead = lead_in("working")
    with pytest.raises(ValidationError):
        lead.move_to("qualified", at=T0, actor="x")


def test_unknown_status_is_a_transition_error() -> None:
    with pytest.raises(TransitionError) as info:
        new_lead().move_to("won", at=T0, actor="x")
    assert info.value.reasons == ("'won' is not a stage of funnel 'lead_status'",)


# --- conversion hook ------------------------------------------------------------------------


def test_conversion_records_the_links_then_the_move() -> None:
    lead = lead_in("qualified")
    at = T0 + timedelta(days=2)
    done = lead._record_conversion(
        at=at, actor="rep-7", contact_id="contact-9", account_id="account-3", opportunity_id="opp-1"
    )
    assert done.version == lead.version + 2
    assert done.history[-2] == LeadConverted(
        subject_id="lead-1",
        at=at,
        actor="rep-7",
        contact_id="contact-9",
        account_id="account-3",
        opportunity_id="opp-1",
    )
    assert done.history[-1] == StageChanged(
        subject_id="lead-1",
        at=at,
        actor="rep-7",
        funnel="lead_status",
        from_stage="qualified",
        to_stage="converted",
    )
    assert (
        done.status,
        done.converted_contact_id,
        done.converted_account_id,
        done.converted_opportunity_id,
        done.converted_at,
    ) == (LeadStatus.CONVERTED, "contact-9", "account-3", "opp-1", at)
    assert done.is_converted
    assert Lead.from_events(done.history) == done
    assert from_json(Lead, to_json(done)) == done


@pytest.mark.parametrize("src", ["new", "working", "nurturing", "disqualified", "converted"])
def test_only_qualified_leads_convert(src: str) -> None:
    with pytest.raises(TransitionError) as info:
        lead_in(src)._record_conversion(
            at=T0 + timedelta(days=3), actor="x", contact_id="c", account_id="a"
        )
    assert info.value.reasons == (f"only a qualified lead can be converted (it is {src})",)


def test_conversion_needs_contact_and_account_ids() -> None:
    with pytest.raises(ValidationError) as info:
        lead_in("qualified")._record_conversion(
            at=T0 + timedelta(days=3), actor="x", contact_id="", account_id=" "
        )
    assert set(info.value.paths) == {"contact_id", "account_id"}


# --- lifecycle, edits, assignment, score ---------------------------------------------------------


def test_lifecycle_moves_forward_only() -> None:
    lead = new_lead().set_lifecycle_stage("mql", at=T0 + H, actor="scoring")
    assert lead.lifecycle_stage == "mql"
    assert lead.history[-1].reason is None
    with pytest.raises(TransitionError):
        lead.set_lifecycle_stage("lead", at=T0 + 2 * H, actor="scoring")


def test_update_records_one_fields_changed_with_old_and_new() -> None:
    lead = new_lead().update(
        at=T0 + H,
        actor="rep-7",
        reason="call",
        title=" CTO ",
        phone="+1 415 555 2671",
        default_region="US",
    )
    assert lead.history[-1] == FieldsChanged(
        subject_id="lead-1",
        at=T0 + H,
        actor="rep-7",
        reason="call",
        changes={"title": (None, "CTO"), "phone": (None, "+14155552671")},
    )
    assert lead.version == 4


def test_update_with_same_values_records_nothing() -> None:
    lead = new_lead()
    assert lead.update(at=T0 + H, actor="x", company="Acme") is lead


def test_update_refuses_stage_and_unknown_fields_all_at_once() -> None:
    with pytest.raises(ValidationError) as info:
        new_lead().update(
            at=T0 + H,
            actor="x",
            status="working",
            lifecycle_stage="mql",
            converted_at=T0,
            budget=5,
            email="bad",
        )
    assert info.value.paths == ("status", "lifecycle_stage", "converted_at", "budget", "email")


def test_assign_score_and_source() -> None:
    src = LeadSource(channel="webinar", campaign_id="camp-1", utm_source=" linkedin ")
    lead = (
        new_lead(source=LeadSource(channel="paid_search"))
        .assign("rep-9", at=T0 + H, actor="router")
        .set_score(42, at=T0 + 2 * H, actor="scoring")
        .set_latest_source(src, at=T0 + 3 * H, actor="web-form")
    )
    assert (lead.owner_id, lead.score, lead.latest_source.utm_source) == ("rep-9", 42.0, "linkedin")
    assert lead.original_source == LeadSource(channel="paid_search")
    assert lead.version == 6


def test_custom_fields_with_schema() -> None:
    schema = CustomFieldSchema(
        (
            CustomField(name="budget", type=FieldType.MONEY, currency="EUR", required=True),
            CustomField(name="plan", type=FieldType.CHOICE, choices=("basic", "pro")),
        )
    )
    lead = new_lead(custom={"budget": Money("10000", "EUR")}, schema=schema)
    assert lead.custom == {"budget": Money("10000", "EUR")}
    with pytest.raises(ValidationError) as info:
        lead.update(at=T0 + H, actor="x", schema=schema, custom={"plan": "gold"})
    assert info.value.paths == ("custom.plan", "custom.budget")
    with pytest.raises(ValidationError) as info:
        new_lead(custom={"Bad Name": 1})
    assert info.value.paths == ("custom.Bad Name",)


def test_direct_construction_validates() -> None:
    with pytest.raises(ValidationError) as info:
        Lead(id="l", email="x", status="nope", score=float("nan"))  # type: ignore[arg-type]
    assert set(info.value.paths) == {"email", "status", "score"}
    assert Lead(id="l", email="A@B.IO", status="working").email == "A@b.io"  # type: ignore[arg-type]


# --- round trips ------------------------------------------------------------------------------


@settings(max_examples=40)
@given(leads())
def test_lead_round_trips_through_json_dict_and_replay(lead: Lead) -> None:
    assert from_json(Lead, to_json(lead)) == lead
    assert from_dict(Lead, to_dict(lead)) == lead
    assert Lead.from_events(lead.history) == lead
    assert to_json(from_json(Lead, to_json(lead))) == to_json(lead)


@given(lead_sources())
def test_lead_source_round_trips(source: LeadSource) -> None:
    assert from_json(LeadSource, to_json(source)) == source


# --- the state machine ---------------------------------------------------------------------------


class LeadMachine(RuleBasedStateMachine):
    """Random moves, edits and assignments; refused ones must change nothing."""

    @initialize(lead=leads(moves=False))
    def start(self, lead: Lead) -> None:
        self.lead = lead
        self.now = lead.updated_at

    def _tick(self, minutes: int) -> datetime:
        self.now = self.now + timedelta(minutes=minutes)
        return self.now

    @rule(
        status=st.sampled_from(STATUSES),
        reason=st.sampled_from([None, "why"]),
        minutes=st.integers(0, 10_000),
    )
    def move(self, status: str, reason: str | None, minutes: int) -> None:
        before = self.lead
        snapshot = to_json(before)
        at = self._tick(minutes)
        try:
            self.lead = before.move_to(status, at=at, actor="rep-1", reason=reason)
        except TransitionError:
            assert to_json(before) == snapshot
            assert self.lead is before
        else:
            assert status in ALLOWED[before.status]
            assert status != "converted"
            assert self.lead.version == before.version + 1

    @rule(minutes=st.integers(0, 1000))
    def convert(self, minutes: int) -> None:
        at = self._tick(minutes)
        if self.lead.status == "qualified":
            self.lead = self.lead._record_conversion(
                at=at, actor="x", contact_id="c", account_id="a"
            )
            assert self.lead.converted_at == at
        else:
            with pytest.raises(TransitionError):
                self.lead._record_conversion(at=at, actor="x", contact_id="c", account_id="a")

    @rule(
        title=st.sampled_from(["CTO", "CEO", None]),
        score=st.integers(-10, 100),
        employees=st.integers(0, 5000),
        minutes=st.integers(0, 1000),
    )
    def edit(self, title: str | None, score: int, employees: int, minutes: int) -> None:
        self.lead = self.lead.update(
            at=self._tick(minutes), actor="rep-1", title=title, score=score, employees=employees
        )
        assert (self.lead.title, self.lead.score, self.lead.employees) == (title, score, employees)

    @rule(owner=st.sampled_from(["rep-1", "rep-2", "queue-1"]), minutes=st.integers(0, 1000))
    def assign(self, owner: str, minutes: int) -> None:
        self.lead = self.lead.assign(owner, at=self._tick(minutes), actor="router")
        assert self.lead.owner_id == owner

    @rule(bad=st.sampled_from([{"email": "nope"}, {"status": "working"}, {"budget": 1}]))
    def refused_edit(self, bad: dict[str, object]) -> None:
        before = to_json(self.lead)
        with pytest.raises(ValidationError):
            self.lead.update(at=self.now, actor="x", **bad)
        assert to_json(self.lead) == before

    @invariant()
    def version_counts_history(self) -> None:
        assert self.lead.version == len(self.lead.history)

    @invariant()
    def replay_equals(self) -> None:
        assert Lead.from_events(self.lead.history) == self.lead

    @invariant()
    def status_is_a_lead_status(self) -> None:
        assert self.lead.status in funnels.LEAD_STATUS
        assert type(self.lead.status) is LeadStatus

    @invariant()
    def time_in_stages_sums_to_age(self) -> None:
        at = self.now + timedelta(minutes=1)
        for f in (funnels.LEAD_STATUS, funnels.LIFECYCLE):
            total = sum(self.lead.time_in_stages(f, at=at).values(), timedelta(0))
            assert total == at - self.lead.created_at


TestLeadMachine = LeadMachine.TestCase
TestLeadMachine.settings = settings(max_examples=40, stateful_step_count=20)


def test_scores_accept_decimal() -> None:
    assert new_lead(score=Decimal("12.5")).score == 12.5
