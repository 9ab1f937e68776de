"""Erasure: no personal value anywhere in state or history; counts, stages, amounts, times stay."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given

from salescore.calendar import BusinessCalendar
from salescore.domain.campaigns import Campaign, CampaignMember
from salescore.domain.events import FieldsChanged
from salescore.domain.interactions import Interaction
from salescore.domain.leads import Lead
from salescore.domain.parties import Contact, PartyRef
from salescore.domain.service import CsatResponse, ServiceCase
from salescore.errors import ValidationError
from salescore.money import Money
from salescore.outreach import (
    ERASED,
    ERASURE_REASON,
    Cadence,
    CadenceStep,
    Enrollment,
    erase_aggregate,
    erase_person,
)
from salescore.serialization import to_json
from salescore.testing.strategies import leads

T0 = datetime(2026, 3, 2, 9, tzinfo=UTC)
SECRETS = ("Ana", "Sílva", "ana.silva@acme.io", "+4930901820", "Chief of Secrets", "secret-note")


def _lead() -> Lead:
    lead = Lead.new(
        id="lead-1",
        at=T0,
        actor="form",
        first_name="Ana",
        last_name="Sílva",
        email="ana.silva@acme.io",
        phone="+4930901820",
        title="Chief of Secrets",
        company="Acme",
        annual_revenue=Money("12000", "EUR"),
        custom={"hobby": "secret-note"},
    )
    lead = lead.move_to("working", at=T0 + timedelta(hours=1), actor="rep")
    lead = lead.update(
        title="Chief of Secrets II", phone="+4930901821", at=T0 + timedelta(hours=2), actor="rep"
    )
    return lead.move_to("qualified", at=T0 + timedelta(days=1), actor="rep")


def _contact() -> Contact:
    c = Contact.new(
        id="contact-1",
        at=T0,
        actor="t",
        first_name="Ana",
        last_name="Sílva",
        emails=("ana.silva@acme.io",),
        phones=("+4930901820",),
    )
    return c.add_email("ana@home.example", at=T0 + timedelta(hours=1), actor="t")


def _case() -> ServiceCase:
    case = ServiceCase.open(
        id="case-1",
        at=T0,
        actor="t",
        requester_id="contact-1",
        subject="Ana Sílva cannot log in",
        description="Call me on +4930901820",
    )
    case = case.reply("Dear Ana, try again", at=T0 + timedelta(hours=1), actor="agent")
    case = case.add_note("secret-note", at=T0 + timedelta(hours=2), actor="agent")
    case = case.solve(at=T0 + timedelta(hours=3), actor="agent")
    return case.record_satisfaction(
        CsatResponse(score=5, at=T0 + timedelta(hours=4), case_id="case-1", comment="Ana is happy"),
        actor="survey",
    )


def test_a_lead_forgets_everything_personal_and_keeps_the_rest() -> None:
    before = _lead()
    after = erase_aggregate(before, at=T0 + timedelta(days=2), actor="dpo")
    text = to_json(after)
    for secret in (*SECRETS, "Chief of Secrets II", "+4930901821"):
        assert secret not in text
    assert (after.first_name, after.email, after.phone, after.title, dict(after.custom)) == (
        None,
        None,
        None,
        None,
        {},
    )
    assert (after.company, after.annual_revenue, after.status) == (
        "Acme",
        Money("12000", "EUR"),
        before.status,
    )
    assert after.version == before.version + 1
    assert [e.at for e in after.history[:-1]] == [e.at for e in before.history]
    assert [type(e) for e in after.history[:-1]] == [type(e) for e in before.history]
    assert after.stage_history("lead_status") == before.stage_history("lead_status")
    marker = after.history[-1]
    assert isinstance(marker, FieldsChanged)
    assert marker.reason == ERASURE_REASON
    assert Lead.from_events(after.history) == after


def test_erase_person_covers_every_record_and_writes_a_receipt() -> None:
    lead, contact, case = _lead(), _contact(), _case()
    ref = PartyRef.contact("contact-1")
    campaign = Campaign.new(id="camp", at=T0, actor="t", name="Spring")
    member = CampaignMember.new(id="m-1", at=T0, actor="t", campaign=campaign, party=ref)
    cadence = Cadence(
        id="cad",
        name="c",
        steps=(CadenceStep(kind="call"),),
        calendar=BusinessCalendar.weekdays(tz="Europe/Berlin"),
    )
    enr = Enrollment.new(id="e-1", at=T0, actor="t", cadence=cadence, party=ref, owner_id="r")
    calls = (
        Interaction.call(
            id="i-1",
            at=T0,
            actor="rep",
            disposition="connected",
            party=ref,
            notes="Ana said secret-note",
            duration=timedelta(minutes=4),
        ),
        Interaction.email(
            id="i-2",
            at=T0,
            actor="esp",
            kind="sent",
            message_id="m-9",
            party=ref,
            subject="Hello Ana",
            url="https://acme.io/?email=ana.silva@acme.io",
        ),
    )
    at = T0 + timedelta(days=5)
    out = erase_person(
        ref,
        at=at,
        actor="dpo",
        reason="request 42",
        leads=[lead],
        contacts=[contact],
        interactions=calls,
        cases=[case],
        members=[member],
        enrollments=[enr],
    )
    everything = [*out.leads, *out.contacts, *out.interactions, *out.cases, out.receipt]
    text = "".join(to_json(x) for x in everything)
    for secret in (*SECRETS, "ana@home.example", "Hello Ana", "Dear Ana", "Ana is happy"):
        assert secret not in text
    (c,) = out.contacts
    assert (c.emails, c.phones, c.first_name) == ((), (), None)
    (k,) = out.cases
    assert (k.subject, k.description, k.status, k.solved_at) == (
        ERASED,
        "",
        "solved",
        case.solved_at,
    )
    assert [r.score for r in k.satisfaction] == [5]
    assert k.replies()[0].body == ERASED
    assert ServiceCase.from_events(k.history) == k
    # Interactions keep their kind, times and durations.
    assert [(i.kind, i.at, i.duration, i.party) for i in out.interactions] == [
        (i.kind, i.at, i.duration, i.party) for i in calls
    ]
    assert out.members == (member,)
    assert out.enrollments == (enr,)
    assert out.receipt.records == (
        ("lead", "lead-1"),
        ("contact", "contact-1"),
        ("interaction", "i-1"),
        ("interaction", "i-2"),
        ("case", "case-1"),
        ("campaign_member", "m-1"),
        ("enrollment", "e-1"),
    )
    assert (out.receipt.party, out.receipt.reason, out.receipt.at) == (ref, "request 42", at)


def test_an_erasure_before_the_last_event_is_refused() -> None:
    with pytest.raises(ValidationError):
        erase_person(PartyRef.lead("lead-1"), at=T0, actor="dpo", reason="r", leads=[_lead()])
    with pytest.raises(ValidationError) as info:
        erase_person("lead-1", at=datetime(2026, 1, 1), actor="", reason="")  # type: ignore[arg-type]
    assert [e.path for e in info.value.errors] == ["party", "at", "actor", "reason"]


@given(leads())
def test_erasure_leaves_no_personal_value_anywhere(lead: Lead) -> None:
    personal = [
        v
        for v in (lead.first_name, lead.last_name, lead.email, lead.phone, lead.title)
        if v is not None and v not in ("Acme", "Globex", "Initech") and len(v) > 3
    ]
    after = erase_aggregate(lead, at=lead.updated_at, actor="dpo")
    text = to_json(after)
    for value in personal:
        if value not in (lead.company or "") and value not in (lead.domain or ""):
            assert f'"{value}"' not in text
    assert after.history[-1].reason == ERASURE_REASON  # type: ignore[attr-defined]
    assert after.stage_history("lead_status") == lead.stage_history("lead_status")
    assert after.annual_revenue == lead.annual_revenue
    assert (after.status, after.lifecycle_stage, after.score) == (
        lead.status,
        lead.lifecycle_stage,
        lead.score,
    )
    assert Lead.from_events(after.history) == after
