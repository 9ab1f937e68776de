"""Lead conversion: new and existing records, merging, custom fields, refusals."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from salescore.domain.campaigns import Campaign, CampaignMember, MemberRepointed
from salescore.domain.conversion import Conversion, OpportunitySpec, convert_lead
from salescore.domain.custom_fields import CustomField, CustomFieldSchema, FieldType
from salescore.domain.events import FieldsChanged, StageChanged
from salescore.domain.leads import Lead, LeadConverted, LeadSource, LeadStatus
from salescore.domain.opportunities import ContactRole, Opportunity, OpportunityType
from salescore.domain.parties import Account, Contact, PartyRef
from salescore.errors import TransitionError, ValidationError
from salescore.ids import DeterministicIds
from salescore.money import Money
from salescore.serialization import from_json, to_json

T0 = datetime(2026, 4, 6, 9, 0, tzinfo=UTC)
SOURCE = LeadSource(channel="webinar", campaign_id="cmp-1", utm_source="linkedin")


def h(hours: float) -> datetime:
    return T0 + timedelta(hours=hours)


def lead(qualified: bool = True, **fields: object) -> Lead:
    values: dict[str, object] = {
        "first_name": "Ana",
        "last_name": "Silva",
        "email": "ana.silva@acme.io",
        "phone": "+351912345678",
        "title": "CTO",
        "company": "Acme",
        "domain": "acme.io",
        "industry": "saas",
        "employees": 120,
        "country": "PT",
        "owner_id": "rep-7",
        "source": SOURCE,
        "custom": {"budget": 12000, "plan": "pro"},
    }
    values.update(fields)
    made = Lead.new(id="lead-1", at=T0, actor="web-form", **values)  # type: ignore[arg-type]
    if qualified:
        made = made.move_to("qualified", at=h(1), actor="rep-7")
    return made


def ids() -> DeterministicIds:
    return DeterministicIds(namespace="conv", seed=1)


def replays(c: Conversion) -> None:
    for agg in c.aggregates:
        assert type(agg).from_events(agg.history) == agg
        assert agg.version == len(agg.history)
    assert from_json(Conversion, to_json(c)) == c


# --- new records -------------------------------------------------------------------------


def test_new_account_contact_and_deal() -> None:
    c = convert_lead(lead(), at=h(24), actor="rep-7", ids=ids())
    assert (c.account_created, c.contact_created) == (True, True)
    acc, con, deal = c.account, c.contact, c.opportunity
    assert acc.id == "account-conv-1-1"
    assert (acc.name, acc.domain, acc.industry, acc.employees, acc.country, acc.owner_id) == (
        "Acme",
        "acme.io",
        "saas",
        120,
        "PT",
        "rep-7",
    )
    assert acc.custom == {}  # no account schema: nothing mapped to the account
    assert (con.first_name, con.last_name, con.title) == ("Ana", "Silva", "CTO")
    assert con.emails == ("ana.silva@acme.io",)
    assert con.phones == ("+351912345678",)
    assert con.account_id == acc.id
    assert con.custom == {"budget": 12000, "plan": "pro"}
    assert deal is not None
    assert (deal.name, deal.account_id, deal.primary_contact_id) == ("Acme", acc.id, con.id)
    assert (deal.source, deal.campaign_id, deal.owner_id) == (SOURCE, "cmp-1", "rep-7")
    assert deal.stage == "qualification"
    assert c.lead.status is LeadStatus.CONVERTED
    assert (c.lead.converted_contact_id, c.lead.converted_account_id) == (con.id, acc.id)
    assert c.lead.converted_opportunity_id == deal.id
    assert c.lead.converted_at == h(24)
    assert c.unmapped_custom == ()
    replays(c)


def test_events_are_every_new_event_in_order() -> None:
    before = lead()
    c = convert_lead(before, at=h(24), actor="rep-7", ids=ids())
    assert c.opportunity is not None
    expected = (
        *c.account.history,
        *c.contact.history,
        *c.opportunity.history,
        *c.lead.history[before.version :],
    )
    assert c.events == expected
    link = c.lead.history[before.version]
    assert isinstance(link, LeadConverted)
    assert (link.contact_id, link.account_id, link.opportunity_id) == (
        c.contact.id,
        c.account.id,
        c.opportunity.id,
    )
    assert c.lead.history[-1].to_stage == "converted"  # type: ignore[attr-defined]


def test_no_opportunity() -> None:
    c = convert_lead(lead(), at=h(24), actor="rep-7", ids=ids(), opportunity=False)
    assert c.opportunity is None
    assert c.lead.converted_opportunity_id is None
    assert len(c.aggregates) == 3
    replays(c)


def test_opportunity_spec() -> None:
    spec = OpportunitySpec(
        name="Acme – 120 seats",
        type=OpportunityType.NEW_BUSINESS,
        stage="proposal",
        amount=Money("43200.00", "EUR"),
        close_date=date(2026, 6, 30),
        owner_id="ae-2",
        contact_roles=(ContactRole.CHAMPION, ContactRole.DECISION_MAKER),
    )
    c = convert_lead(lead(), at=h(24), actor="rep-7", ids=ids(), opportunity=spec)
    deal = c.opportunity
    assert isinstance(deal, Opportunity)
    assert (deal.name, deal.stage, deal.probability, deal.owner_id) == (
        "Acme – 120 seats",
        "proposal",
        0.5,
        "ae-2",
    )
    assert deal.contact_roles == {
        c.contact.id: frozenset({ContactRole.CHAMPION, ContactRole.DECISION_MAKER})
    }


def test_account_named_after_person_without_company() -> None:
    c = convert_lead(lead(company=None, domain=None), at=h(2), actor="r", ids=ids())
    assert c.account.name == "Ana Silva"


# --- existing records --------------------------------------------------------------------


def existing_account(**fields: object) -> Account:
    values: dict[str, object] = {"name": "ACME Corp", "industry": "software", "employees": None}
    values.update(fields)
    return Account.new(id="acc-9", at=T0, actor="crm", **values)  # type: ignore[arg-type]


def test_existing_account_fills_only_empty_fields() -> None:
    acc = existing_account()
    c = convert_lead(lead(), at=h(24), actor="rep-7", ids=ids(), account=acc)
    assert c.account_created is False
    assert c.account.name == "ACME Corp"  # never replaced
    assert c.account.industry == "software"  # kept: it was not empty
    assert (c.account.employees, c.account.domain, c.account.country) == (120, "acme.io", "PT")
    assert c.account.owner_id == "rep-7"
    change = c.account.history[-1]
    assert isinstance(change, FieldsChanged)
    assert set(change.changes) == {"employees", "domain", "country", "owner_id"}
    assert c.contact.account_id == "acc-9"
    assert c.events[0] is change  # only the account's new event, not its old history
    replays(c)


def test_existing_account_overwrite() -> None:
    acc = existing_account(owner_id="rep-1")
    c = convert_lead(lead(), at=h(24), actor="r", ids=ids(), account=acc, fill_only_empty=False)
    assert c.account.industry == "saas"
    assert c.account.name == "ACME Corp"
    assert c.account.owner_id == "rep-1"  # the owner is never replaced


def test_existing_contact_fill_and_overwrite() -> None:
    acc = existing_account()
    con = Contact.new(
        id="con-3",
        at=T0,
        actor="crm",
        first_name="Ana",
        last_name="Silva-Costa",
        emails=["ana@personal.example"],
        account_id="acc-9",
    )
    filled = convert_lead(lead(), at=h(24), actor="r", ids=ids(), account=acc, contact=con)
    assert filled.contact_created is False
    assert filled.contact.last_name == "Silva-Costa"
    assert filled.contact.emails == ("ana@personal.example",)  # not empty: kept
    assert filled.contact.phones == ("+351912345678",)  # empty: filled
    assert filled.contact.title == "CTO"
    assert filled.lead.converted_contact_id == "con-3"
    over = convert_lead(
        lead(), at=h(24), actor="r", ids=ids(), account=acc, contact=con, fill_only_empty=False
    )
    assert over.contact.last_name == "Silva"
    assert over.contact.emails == ("ana.silva@acme.io", "ana@personal.example")
    replays(over)


@pytest.mark.parametrize(
    ("contact_stage", "lead_stage", "expected"),
    [
        ("subscriber", "sql", "sql"),
        ("lead", "mql", "mql"),
        ("customer", "mql", "customer"),
        ("sql", "sql", "sql"),
    ],
)
def test_existing_contact_moves_forward_to_the_leads_lifecycle_stage_never_back(
    contact_stage: str, lead_stage: str, expected: str
) -> None:
    con = Contact.new(
        id="con-3", at=T0, actor="crm", emails=["a@b.example"], lifecycle_stage=contact_stage
    )
    qualified = lead().set_lifecycle_stage(lead_stage, at=h(2), actor="rep-7")
    c = convert_lead(qualified, at=h(24), actor="r", ids=ids(), contact=con)
    assert c.contact.lifecycle_stage == expected
    moves = [
        (e.from_stage, e.to_stage, e.reason)
        for e in c.events
        if isinstance(e, StageChanged) and e.subject_id == "con-3"
    ]
    if expected == contact_stage:
        assert moves == []
    else:
        assert moves == [(contact_stage, expected, "lead converted")]
    replays(c)


def test_new_contact_starts_in_the_leads_lifecycle_stage() -> None:
    qualified = lead().set_lifecycle_stage("sql", at=h(2), actor="rep-7")
    c = convert_lead(qualified, at=h(24), actor="r", ids=ids())
    assert c.contact.lifecycle_stage == "sql"


def test_existing_contact_without_account_is_linked() -> None:
    con = Contact.new(id="con-3", at=T0, actor="crm", emails=["ana.silva@acme.io"])
    c = convert_lead(lead(), at=h(24), actor="r", ids=ids(), contact=con)
    assert c.account_created is True
    assert c.contact.account_id == c.account.id
    assert c.contact.id == "con-3"


# --- custom fields -----------------------------------------------------------------------


def test_custom_fields_map_by_name_and_type() -> None:
    account_schema = CustomFieldSchema(
        (
            CustomField(name="budget", type=FieldType.NUMBER),
            CustomField(name="plan", type=FieldType.FLAG),  # incompatible with "pro"
        )
    )
    contact_schema = CustomFieldSchema(
        (CustomField(name="plan", type=FieldType.CHOICE, choices=("basic", "pro")),)
    )
    c = convert_lead(
        lead(custom={"budget": 12000, "plan": "pro", "shoe_size": 42}),
        at=h(24),
        actor="r",
        ids=ids(),
        account_schema=account_schema,
        contact_schema=contact_schema,
        opportunity=False,
    )
    assert c.account.custom == {"budget": 12000}
    assert c.contact.custom == {"plan": "pro"}
    assert c.unmapped_custom == ("shoe_size",)


def test_custom_fields_merge_into_existing_per_fill_rule() -> None:
    acc = existing_account(custom={"budget": 5000})
    schema = CustomFieldSchema((CustomField(name="budget", type=FieldType.NUMBER),))
    kept = convert_lead(lead(), at=h(2), actor="r", ids=ids(), account=acc, account_schema=schema)
    assert kept.account.custom == {"budget": 5000}
    over = convert_lead(
        lead(),
        at=h(2),
        actor="r",
        ids=ids(),
        account=acc,
        account_schema=schema,
        fill_only_empty=False,
    )
    assert over.account.custom == {"budget": 12000}


# --- campaign memberships ----------------------------------------------------------------


def test_memberships_are_repointed_by_events() -> None:
    campaign = Campaign.new(id="cmp-1", at=T0, actor="mkt", name="Webinar", type="webinar")
    the_lead = lead()
    member = CampaignMember.new(
        id="m-1", at=h(1), actor="mkt", campaign=campaign, party=the_lead.ref, status="attended"
    )
    c = convert_lead(the_lead, at=h(24), actor="r", ids=ids(), memberships=[member])
    (moved,) = c.memberships
    assert moved.party == c.contact.ref
    assert moved.first_responded_at == h(1)
    event = moved.history[-1]
    assert isinstance(event, MemberRepointed)
    assert event.from_party == PartyRef.lead("lead-1")
    assert event in c.events
    replays(c)


# --- refusals: nothing is produced -------------------------------------------------------


def test_not_qualified_is_refused() -> None:
    factory = ids()
    with pytest.raises(TransitionError) as info:
        convert_lead(lead(qualified=False), at=h(24), actor="r", ids=factory)
    assert (info.value.from_state, info.value.to_state) == ("new", "converted")
    assert info.value.reasons == ("only a qualified lead can be converted (it is new)",)
    assert factory.issued() == {}  # no id was even drawn


def test_converted_lead_cannot_convert_again() -> None:
    c = convert_lead(lead(), at=h(24), actor="r", ids=ids())
    with pytest.raises(TransitionError, match="it is converted"):
        convert_lead(c.lead, at=h(25), actor="r", ids=ids())


def test_contact_of_another_account_is_refused() -> None:
    acc = existing_account()
    con = Contact.new(id="con-3", at=T0, actor="crm", first_name="Ana", account_id="acc-other")
    factory = ids()
    with pytest.raises(ValidationError) as info:
        convert_lead(lead(), at=h(24), actor="r", ids=factory, account=acc, contact=con)
    assert info.value.paths == ("contact.account_id",)
    assert "belongs to another account, not 'acc-9'" in str(info.value)
    assert factory.issued() == {}


def test_contact_without_its_account_and_foreign_membership_listed_together() -> None:
    con = Contact.new(id="con-3", at=T0, actor="crm", first_name="Ana", account_id="acc-9")
    campaign = Campaign.new(id="cmp-1", at=T0, actor="mkt", name="Webinar")
    other = CampaignMember.new(
        id="m-2", at=T0, actor="mkt", campaign=campaign, party=PartyRef.lead("lead-2")
    )
    with pytest.raises(ValidationError) as info:
        convert_lead(lead(), at=h(24), actor="r", ids=ids(), contact=con, memberships=[other])
    assert info.value.paths == ("account", "memberships[0].party")


def test_error_while_building_produces_nothing() -> None:
    # The account's last event is after the conversion time: refused late,
    # after the contact would have been built; no partial result escapes.
    acc = Account.new(id="acc-9", at=h(100), actor="crm", name="Acme")
    the_lead = lead()
    with pytest.raises(ValidationError) as info:
        convert_lead(the_lead, at=h(24), actor="r", ids=ids(), account=acc)
    assert info.value.paths == ("at",)
    assert the_lead.status is LeadStatus.QUALIFIED
    assert acc.version == 1
