"""The workspace: each operation is one unit of work on the store."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from pathlib import Path

import pytest

from salescore.calendar import BusinessCalendar
from salescore.clock import ManualClock
from salescore.decisions.qualification import BANT, RepAnswer
from salescore.decisions.routing import RoutingRule, RoutingTable, Target
from salescore.decisions.scoring import Criterion, ScoreModel
from salescore.domain.events import Event, StageChanged
from salescore.domain.interactions import Interaction
from salescore.domain.leads import Lead, LeadCreated
from salescore.domain.parties import PartyKind, PartyRef
from salescore.domain.service import EscalationRule, SlaPolicy, SlaTarget
from salescore.domain.team import Rep
from salescore.errors import NotFound, TransitionError, ValidationError
from salescore.ids import DeterministicIds
from salescore.outreach import MergeKind
from salescore.rules import parse
from salescore.storage import InMemoryStore, SQLiteStore
from salescore.storage.protocols import EventRecord, Store
from salescore.workspace import ROUTING, SCORE_MODEL, Workspace

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
H = timedelta(hours=1)

MODEL = ScoreModel(
    key="fit",
    criteria=(
        Criterion(key="saas", rule=parse("industry == 'saas'"), points=30),
        Criterion(key="big", rule=parse("employees >= 100"), points=20),
    ),
)
TABLE = RoutingTable(
    key="inbound",
    rules=(RoutingRule(key="de", rule=parse("country == 'DE'"), target=Target.rep("rep-de")),),
    default=Target.queue("triage"),
)
POLICY = SlaPolicy(
    name="standard",
    calendar=BusinessCalendar.weekdays(time(0), time(23, 59), tz="UTC"),
    targets=[SlaTarget(metric="first_reply", priority="normal", duration=4 * H)],
)
LATE = EscalationRule(name="late", metric="first_reply", at_fraction=0.5)


@pytest.fixture(params=["memory", "sqlite"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Store:
    if request.param == "memory":
        return InMemoryStore()
    s = SQLiteStore(tmp_path / "ws.db")
    s.migrate()
    return s


def _workspace(store: Store, **options: object) -> tuple[Workspace, ManualClock]:
    clock = ManualClock(T0)
    ws = Workspace(store, clock=clock, ids=DeterministicIds(namespace="t", seed=1), **options)  # type: ignore[arg-type]
    with store.unit_of_work() as uow:
        uow.reps.add(Rep(id="rep-de", name="Jonas"))
    return ws, clock


def test_capture_normalises_scores_and_routes(store: Store) -> None:
    ws, _ = _workspace(store, score_model=MODEL, routing=TABLE)
    got = ws.capture_lead(
        actor="web-form", email="Ana@ACME.io", company="Acme", industry="saas",
        employees=120, country="DE",
    )  # fmt: skip
    assert got.lead is not None
    assert (got.lead.email, got.lead.score, got.lead.owner_id) == ("Ana@acme.io", 50.0, "rep-de")
    assert got.score is not None
    assert got.score.total == 50.0
    assert got.routing is not None
    assert got.routing.rule_key == "de"
    with store.unit_of_work() as uow:
        assert uow.leads.get(got.lead.id) == got.lead
    other = ws.capture_lead(actor="web-form", email="bo@x.io", country="FR")
    assert other.lead is not None
    assert (other.lead.owner_id, other.lead.score) == ("triage", 0.0)


def test_score_model_and_routing_can_come_from_settings(store: Store) -> None:
    with store.unit_of_work() as uow:
        uow.settings.add(SCORE_MODEL, MODEL)
        uow.settings.add(ROUTING, TABLE)
    ws, _ = _workspace(store)
    got = ws.capture_lead(
        actor="web-form", email="ana@acme.io", industry="saas", employees=120, country="DE"
    )
    assert got.lead is not None
    assert (got.lead.score, got.lead.owner_id) == (50.0, "rep-de")
    given = Workspace(store, clock=ManualClock(T0), ids=DeterministicIds(namespace="u", seed=1),
                      score_model=ScoreModel(key="none", criteria=()))  # fmt: skip
    other = given.capture_lead(actor="web-form", email="bo@beta.io", industry="saas")
    assert other.lead is not None
    assert other.lead.score == 0.0


def test_bad_capture_stores_nothing(store: Store) -> None:
    ws, _ = _workspace(store)
    with pytest.raises(ValidationError):
        ws.capture_lead(actor="web-form")
    with store.unit_of_work() as uow:
        assert uow.leads.find().items == ()


def test_duplicate_hook_can_merge_away(store: Store) -> None:
    seen: list[str] = []

    def merge_everything(uow: object, lead: object) -> None:
        seen.append(getattr(lead, "email", ""))
        return

    ws, _ = _workspace(store, duplicates=merge_everything)
    assert ws.capture_lead(actor="form", email="a@b.io").lead is None
    assert seen == ["a@b.io"]
    with store.unit_of_work() as uow:
        assert uow.leads.find().items == ()


def test_capture_flags_duplicates_by_default(store: Store) -> None:
    ws, clock = _workspace(store, score_model=MODEL)
    first = ws.capture_lead(actor="form", email="ana@acme.io", first_name="Ana", company="Acme")
    assert first.duplicates == ()
    assert first.lead is not None
    clock.advance(H)
    other = ws.capture_lead(actor="form", email="bo@other.io", company="Other")
    assert other.duplicates == ()
    clock.advance(H)
    again = ws.capture_lead(
        actor="form", email="ANA@acme.io", phone="+49 30 901820", country="DE", industry="saas"
    )
    assert again.lead is not None
    assert again.lead.id != first.lead.id
    assert [(m.left, m.right, m.score, m.rules) for m in again.duplicates] == [
        (first.lead.id, again.lead.id, 1.0, ("email",))
    ]
    assert (again.merge, again.lead.score) == (None, 30.0)
    with store.unit_of_work() as uow:
        assert len(uow.leads.find().items) == 3
        assert uow.merges.find().items == ()


def test_capture_can_merge_into_the_stored_lead(store: Store) -> None:
    ws, clock = _workspace(store, on_duplicate="merge")
    first = ws.capture_lead(actor="form", phone="+4930901820", first_name="Ana", company="Acme")
    assert first.lead is not None
    clock.advance(H)
    got = ws.capture_lead(actor="import", phone="+49 30 901820", email="ana@acme.io", title="CTO")
    assert got.merge is not None
    assert got.lead is not None
    assert got.lead.id == first.lead.id
    assert (got.lead.email, got.lead.title, got.lead.first_name) == ("ana@acme.io", "CTO", "Ana")
    assert [m.rules for m in got.duplicates] == [("phone",)]
    assert (got.merge.kind, got.merge.survivor) == (MergeKind.LEAD, first.lead.id)
    assert got.merge.merged != first.lead.id
    with store.unit_of_work() as uow:
        assert uow.leads.get(first.lead.id) == got.lead
        tombstone = uow.leads.get(got.merge.merged)
        assert (tombstone.status, tombstone.disqualify_reason) == (
            "disqualified",
            f"merged into {first.lead.id}",
        )
        assert uow.merges.get(got.merge.id) == got.merge
    clock.advance(H)
    # The tombstone is never a candidate again; the survivor is.
    third = ws.capture_lead(actor="form", email="ana@acme.io")
    assert third.lead is not None
    assert third.lead.id == first.lead.id
    assert [m.left for m in third.duplicates] == [first.lead.id]


def test_capture_finds_a_lead_by_its_web_domain(store: Store) -> None:
    ws, clock = _workspace(store)
    first = ws.capture_lead(
        actor="form", first_name="Ana", last_name="Silva", company="Acme GmbH", domain="acme.io"
    )
    assert first.lead is not None
    clock.advance(H)
    got = ws.capture_lead(
        actor="form", first_name="Ana", last_name="Silva", company="ACME", email="a.s@acme.io"
    )
    assert [(m.left, m.rules) for m in got.duplicates] == [(first.lead.id, ("name", "company"))]


def test_capture_can_create_without_a_check(store: Store) -> None:
    ws, _ = _workspace(store, on_duplicate="create")
    ws.capture_lead(actor="form", email="ana@acme.io")
    got = ws.capture_lead(actor="form", email="ana@acme.io")
    assert got.duplicates == ()
    with store.unit_of_work() as uow:
        assert len(uow.leads.find("email == 'ana@acme.io'").items) == 2


def test_bad_duplicate_options_are_refused(store: Store) -> None:
    for name, value in (("on_duplicate", "ignore"), ("match_rules", {"name_threshold": 90})):
        with pytest.raises(ValidationError) as info:
            Workspace(store, **{name: value})  # type: ignore[arg-type]
        assert info.value.paths == (name,)


def test_merge_on_capture_is_one_unit(store: Store) -> None:
    ws, _ = _workspace(store, on_duplicate="merge")
    # A stored lead changed after the clock's time: a merge at T0 is refused.
    later = Lead.new(id="lead-x", at=T0, actor="t", email="ana@acme.io").move_to(
        "working", at=T0 + H, actor="rep"
    )
    with store.unit_of_work() as uow:
        uow.leads.add(later)
    before = store.last_position()
    with pytest.raises(ValidationError):
        ws.capture_lead(actor="form", email="ana@acme.io")
    assert store.last_position() == before
    with store.unit_of_work() as uow:
        assert uow.leads.find().items == (later,)
        assert uow.merges.find().items == ()


def test_qualify_convert_and_close(store: Store) -> None:
    ws, clock = _workspace(store)
    lead = ws.capture_lead(actor="form", email="ana@acme.io", company="Acme").lead
    assert lead is not None
    with pytest.raises(ValidationError) as info:
        ws.qualify(lead.id, actor="rep-7")
    assert info.value.paths == ("framework",)
    clock.advance(H)
    answers = [
        RepAnswer(item_key=k, answer="confirmed", at=T0, actor="rep-7")
        for k in ("budget", "authority", "need", "timeline")
    ]
    q = ws.qualify(lead.id, actor="rep-7", answers=answers, framework=BANT)
    assert (q.verdict.verdict.value, q.lead.status) == ("qualified", "qualified")
    clock.advance(H)
    conv = ws.convert(lead.id, actor="rep-7")
    assert conv.opportunity is not None
    with store.unit_of_work() as uow:
        assert uow.leads.get(lead.id).status == "converted"
        assert uow.contacts.get(conv.contact.id) == conv.contact
        assert uow.accounts.get(conv.account.id) == conv.account
    clock.advance(H)
    stages = conv.opportunity.pipeline.keys
    deal = ws.move_opportunity(conv.opportunity.id, stages[1], actor="rep-7")
    assert deal.stage == stages[1]
    with pytest.raises(ValidationError):
        ws.close_opportunity(deal.id, won=False, actor="rep-7")
    closed = ws.close_opportunity(deal.id, won=True, actor="rep-7", reason="fit")
    assert closed.is_won
    with pytest.raises(TransitionError):
        ws.close_opportunity(deal.id, won=True, actor="rep-7")
    with pytest.raises(NotFound):
        ws.convert("lead-none", actor="rep-7")


def test_cases_answers_and_escalations(store: Store) -> None:
    ws, clock = _workspace(store, sla_policies=[POLICY], escalation_rules=[LATE])
    case = ws.open_case(actor="email", requester_id="contact-1", subject="Broken")
    assert case.sla_policy == POLICY
    assert ws.run_escalations(T0 + H) == ()
    fired = ws.run_escalations(T0 + 3 * H)
    assert [(e.rule, e.case_id) for e in fired] == [("late", case.id)]
    assert ws.run_escalations(T0 + 3 * H) == ()  # recorded once
    clock.advance(4 * H)
    answered = ws.answer_case(case.id, "On it", actor="agent-1")
    assert answered.replies()[-1].body == "On it"
    solved = ws.solve_case(case.id, actor="agent-1")
    assert solved.is_solved


def test_timeline_of_a_converted_contact(store: Store) -> None:
    ws, clock = _workspace(store)
    lead = ws.capture_lead(actor="form", email="ana@acme.io", company="Acme").lead
    assert lead is not None
    clock.advance(H)
    call = Interaction.call(
        id="call-1", at=clock.now(), actor="rep-7", party=lead.ref, direction="outbound",
        disposition="connected",
    )  # fmt: skip
    ws.log_interaction(call)
    clock.advance(H)
    with ws.unit_of_work() as uow:
        uow.leads.save(uow.leads.get(lead.id).move_to("qualified", at=clock.now(), actor="r"))
    clock.advance(H)
    conv = ws.convert(lead.id, actor="rep-7", opportunity=False)
    clock.advance(H)
    case = ws.open_case(actor="email", requester_id=conv.contact.id, subject="Help")
    entries = ws.timeline(PartyRef(PartyKind.CONTACT, conv.contact.id))
    kinds = [(e.kind, e.subject_id) for e in entries]
    assert ("interaction", "call-1") in kinds
    assert kinds[-1] == ("case", case.id)
    assert [e.at for e in entries] == sorted(e.at for e in entries)
    stage_moves = [e.item.to_stage for e in entries if isinstance(e.item, StageChanged)]
    assert "qualified" in stage_moves
    assert "converted" in stage_moves
    account = ws.timeline("account", conv.account.id)
    assert account == ()
    with pytest.raises(NotFound):
        ws.timeline(PartyRef(PartyKind.LEAD, "lead-none"))


def test_subscribers_run_after_commit_in_order(store: Store) -> None:
    ws, _ = _workspace(store)
    seen: list[tuple[int, str]] = []
    ws.subscribe(lambda r: seen.append((r.position, type(r.event).__name__)))

    def broken(record: EventRecord) -> None:
        raise RuntimeError("mail server down")

    ws.subscribe(broken, LeadCreated)
    got = ws.capture_lead(actor="form", email="a@b.io").lead
    assert got is not None
    assert seen == [(1, "LeadCreated"), (2, "StageChanged"), (3, "StageChanged")]
    assert [(f.position, f.handler, str(f.error)) for f in ws.failures] == [
        (1, "test_subscribers_run_after_commit_in_order.<locals>.broken", "mail server down")
    ]
    with store.unit_of_work() as uow:
        assert uow.leads.get(got.id) == got  # the commit stands
    # A second consumer resumes from a saved position.
    later = Workspace(store, position=2)
    replay: list[int] = []
    later.subscribe(lambda r: replay.append(r.position), Event)
    assert later.publish() == ()
    assert replay == [3]
    with pytest.raises(ValidationError):
        ws.subscribe(broken, int)  # type: ignore[arg-type]


def test_conversion_and_timeline_take_only_the_party_s_own_memberships_and_interactions(
    store: Store,
) -> None:
    from salescore.domain.campaigns import Campaign, CampaignMember

    ws, clock = _workspace(store)
    lead = ws.capture_lead(actor="form", email="ana@acme.io", company="Acme").lead
    assert lead is not None
    namesake = PartyRef(PartyKind.CONTACT, lead.id)  # another kind of party, the same id
    campaign = Campaign.new(id="cmp-1", at=T0, actor="m", name="Spring", type="email")
    mine = CampaignMember.new(id="m-1", at=T0, actor="m", campaign=campaign, party=lead.ref)
    other = CampaignMember.new(id="m-2", at=T0, actor="m", campaign=campaign, party=namesake)
    with ws.unit_of_work() as uow:
        uow.campaigns.add(campaign)
        uow.campaign_members.add(mine)
        uow.campaign_members.add(other)
        uow.interactions.append(
            Interaction.call(id="call-0", at=T0, actor="r", party=namesake, disposition="connected")
        )
    clock.advance(H)
    ws.log_interaction(
        Interaction.call(id="call-1", at=clock.now(), actor="r", party=lead.ref,
                         disposition="connected")
    )  # fmt: skip
    kinds = [(e.kind, e.subject_id) for e in ws.timeline(lead.ref)]
    assert ("interaction", "call-1") in kinds
    assert ("interaction", "call-0") not in kinds
    clock.advance(H)
    with ws.unit_of_work() as uow:
        uow.leads.save(uow.leads.get(lead.id).move_to("qualified", at=clock.now(), actor="r"))
    conv = ws.convert(lead.id, actor="rep-7", opportunity=False)
    assert [m.id for m in conv.memberships] == ["m-1"]
    assert conv.memberships[0].party == conv.contact.ref
    with store.unit_of_work() as uow:
        assert uow.campaign_members.get("m-2").party == namesake
