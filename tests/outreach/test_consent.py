"""Consent records, do-not-contact lists, calling hours and can_contact."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from salescore.domain.interactions import Channel, Interaction
from salescore.domain.leads import Lead
from salescore.domain.parties import Contact, PartyRef
from salescore.errors import ValidationError
from salescore.outreach import (
    ConsentRecord,
    ConsentStatus,
    ContactPolicy,
    DoNotContactList,
    Purpose,
    RegistryCheck,
    apply_interaction,
    can_contact,
    carry_restrictions,
    person_zone,
)
from salescore.serialization import from_json, to_json
from salescore.testing.strategies import consent_records

T0 = datetime(2026, 3, 2, 9, tzinfo=UTC)  # Monday: 10:00 Berlin, 04:00 New York
BERLIN_NOON = datetime(2026, 3, 2, 11, tzinfo=UTC)


def lead(**fields: object) -> Lead:
    values: dict[str, object] = {"first_name": "Ana", "phone": "+4930901820"}
    values.update(fields)
    return Lead.new(id="lead-1", at=T0 - timedelta(days=30), actor="t", **values)  # type: ignore[arg-type]


def fresh_registry(phone: str = "+4930901820", listed: bool = False) -> dict[str, RegistryCheck]:
    return {phone: RegistryCheck(phone=phone, checked_at=T0 - timedelta(days=2), listed=listed)}


LEAD_1 = PartyRef.lead("lead-1")


def record(party: PartyRef = LEAD_1) -> ConsentRecord:
    return ConsentRecord.new(id="consent-1", at=T0 - timedelta(days=10), actor="t", party=party)


def test_consent_record_keeps_the_latest_entry_per_channel_and_purpose() -> None:
    r = record()
    assert r.version == 1
    assert r.status("phone", "sales") is ConsentStatus.UNKNOWN
    r = r.grant("phone", "sales", at=T0 - timedelta(days=5), actor="rep", method="call")
    r = r.grant(
        "email",
        "marketing",
        at=T0 - timedelta(days=4),
        actor="web",
        method="web_form",
        source="form-7",
    )
    r = r.withdraw("phone", "sales", at=T0 - timedelta(days=3), actor="rep", method="call")
    assert r.version == 4
    assert r.status(Channel.PHONE, Purpose.SALES) is ConsentStatus.WITHDRAWN
    assert r.status("email", "marketing") is ConsentStatus.GRANTED
    assert r.entry("email", "marketing").source == "form-7"  # type: ignore[union-attr]
    assert [(e.channel.value, e.purpose.value) for e in r.entries] == [
        ("email", "marketing"),
        ("phone", "sales"),
    ]
    assert type(r).from_events(r.history) == r
    assert from_json(ConsentRecord, to_json(r)) == r
    # Recording the same thing again records nothing.
    same = r.withdraw("phone", "sales", at=T0, actor="rep", method="call")
    assert same is r


def test_bad_consent_values_are_all_reported_and_nothing_changes() -> None:
    r = record()
    with pytest.raises(ValidationError) as info:
        r.record("pigeon", "fun", "maybe", at=T0, actor="t", method="x")
    assert [e.path for e in info.value.errors] == ["channel", "purpose", "status"]
    assert r.version == 1


def test_allowed_call_lists_every_reason() -> None:
    d = can_contact(lead(), "phone", at=T0, registry=fresh_registry())
    assert d.allowed is True
    assert d.refusals == ()
    assert d.reasons == (
        "no objection to direct marketing",
        "no phone consent recorded for sales; phone is not opt-in",
        "+4930901820 is not on the do-not-call list",
        "+4930901820 is not in the national registry (checked 2026-02-28)",
        "10:00 local is within 08:00–21:00 (time zone Europe/Berlin from the phone number "
        "+4930901820)",
    )
    with pytest.raises(TypeError):
        bool(d)


def test_objection_is_absolute_whatever_consent_says() -> None:
    r = record().grant("phone", "sales", at=T0 - timedelta(days=5), actor="t", method="call")
    r = r.object_to_direct_marketing(at=T0 - timedelta(hours=1), actor="t", method="letter")
    for purpose in ("sales", "marketing"):
        d = can_contact(
            lead(), "phone", at=T0, purpose=purpose, consent=r, registry=fresh_registry()
        )
        assert d.allowed is False
        assert d.refusals[0].startswith("objected to direct marketing (GDPR art. 21)")
    # Service calls are not direct marketing.
    d = can_contact(lead(), "phone", at=T0, purpose="service", consent=r, registry=fresh_registry())
    assert d.allowed is True
    # Before the objection it did not apply.
    before = can_contact(
        lead(), "phone", at=T0 - timedelta(hours=2), consent=r, registry=fresh_registry()
    )
    assert before.allowed is True


def test_email_is_opt_in_by_default_and_lists_block_addresses_and_domains() -> None:
    person = lead(email="ana@acme.io")
    d = can_contact(person, "email", at=T0)
    assert d.refusals == ("email needs consent for sales and none is recorded",)
    r = record().grant("email", "sales", at=T0 - timedelta(days=1), actor="t", method="form")
    assert can_contact(person, "email", at=T0, consent=r).allowed is True
    for lists in (DoNotContactList(emails={"ANA@acme.io"}), DoNotContactList(domains={"acme.io"})):
        d = can_contact(person, "email", at=T0, consent=r, lists=lists)
        assert d.refusals == ("ana@acme.io is on the do-not-email list",)
    assert can_contact(lead(), "email", at=T0, consent=r).refusals == ("no e-mail address",)


def test_registry_checks_missing_old_or_listed_refuse_calls() -> None:
    person = lead()
    assert can_contact(person, "phone", at=T0).refusals == (
        "+4930901820 was never checked against a do-not-call registry",
    )
    old = {
        "+4930901820": RegistryCheck(
            phone="+4930901820", checked_at=T0 - timedelta(days=40), listed=False
        )
    }
    assert can_contact(person, "phone", at=T0, registry=old).refusals == (
        "+4930901820 was last checked against the national registry on 2026-01-21, "
        "more than 31 days ago",
    )
    listed = fresh_registry(listed=True)
    assert can_contact(person, "phone", at=T0, registry=listed).refusals == (
        "+4930901820 is listed in the national do-not-call registry",
    )
    no_check = ContactPolicy(registry_max_age=None)
    assert can_contact(person, "phone", at=T0, policy=no_check).allowed is True
    dnc = DoNotContactList(phones={"+4930901820"})
    d = can_contact(person, "phone", at=T0, lists=dnc, registry=fresh_registry())
    assert d.refusals == ("+4930901820 is on the do-not-call list",)


def test_calling_hours_in_the_persons_zone() -> None:
    ny = lead(phone="+12125550147")
    reg = fresh_registry("+12125550147")
    # 09:00 UTC is 04:00 in New York.
    d = can_contact(ny, "phone", at=T0, registry=reg)
    assert d.refusals == (
        "04:00 local is outside 08:00–21:00 (time zone America/New_York from the phone "
        "number +12125550147)",
    )
    assert can_contact(ny, "phone", at=T0 + timedelta(hours=5), registry=reg).allowed is True
    # The record's zone wins over the number's.
    tokyo = lead(phone="+12125550147", time_zone="Asia/Tokyo")
    assert can_contact(tokyo, "phone", at=T0, registry=reg).reasons[-1] == (
        "18:00 local is within 08:00–21:00 (time zone Asia/Tokyo from the record)"
    )
    late = ContactPolicy(calling_hours=(time(8), time(10)))
    d = can_contact(lead(), "phone", at=T0, registry=fresh_registry(), policy=late)
    assert d.allowed is False


def test_a_number_spanning_many_zones_gives_no_zone() -> None:
    toll_free = lead(phone="+18002530000")
    zone, why = person_zone(toll_free)
    assert zone is None
    assert why.startswith("time zone unknown: the number +18002530000 spans ")
    d = can_contact(
        toll_free, "phone", at=T0 + timedelta(hours=8), registry=fresh_registry("+18002530000")
    )
    assert d.allowed is False
    assert person_zone(lead(phone=None, email="a@b.io")) == (
        None,
        "time zone unknown: no zone on the record and no phone number",
    )


def test_contacts_are_checked_like_leads() -> None:
    c = Contact.new(
        id="contact-1",
        at=T0 - timedelta(days=1),
        actor="t",
        first_name="Bo",
        phones=("+442079460958",),
    )
    d = can_contact(
        c,
        "sms",
        at=T0,
        consent=record(c.ref).grant(
            "sms", "sales", at=T0 - timedelta(hours=3), actor="t", method="form"
        ),
    )
    assert d.allowed is True
    with pytest.raises(ValidationError, match="belongs to another person"):
        can_contact(c, "sms", at=T0, consent=record())


def test_do_not_call_and_unsubscribe_update_consent_at_once() -> None:
    r = record()
    dnc = Interaction.call(
        id="call-1", at=T0, actor="rep", disposition="do_not_call", party=PartyRef.lead("lead-1")
    )
    r2 = apply_interaction(r, dnc)
    assert r2.status("phone", "sales") is ConsentStatus.WITHDRAWN
    assert r2.status("phone", "marketing") is ConsentStatus.WITHDRAWN
    assert r2.entry("phone", "sales").source == "call-1"  # type: ignore[union-attr]
    assert (
        can_contact(lead(), "phone", at=T0, consent=r2, registry=fresh_registry()).allowed is False
    )
    unsub = Interaction.email(
        id="mail-1",
        at=T0 + timedelta(minutes=1),
        actor="esp",
        kind="unsubscribed",
        message_id="m-1",
        party=PartyRef.lead("lead-1"),
    )
    r3 = apply_interaction(r2, unsub)
    assert r3.status("email", "marketing") is ConsentStatus.WITHDRAWN
    assert r3.version == r2.version + 2
    other = Interaction.call(
        id="call-2", at=T0, actor="rep", disposition="no_answer", party=PartyRef.lead("lead-1")
    )
    assert apply_interaction(r3, other) is r3
    stranger = Interaction.call(
        id="call-3", at=T0, actor="rep", disposition="do_not_call", party=PartyRef.lead("lead-2")
    )
    with pytest.raises(ValidationError):
        apply_interaction(r3, stranger)


@given(consent_records(PartyRef.lead("lead-1"), at=T0 - timedelta(days=200)))
def test_withdrawn_or_objected_is_never_allowed(r: ConsentRecord) -> None:
    at = T0 + timedelta(days=1)
    for channel in ("phone", "email", "sms"):
        for purpose in Purpose:
            d = can_contact(
                lead(email="ana@acme.io"),
                channel,
                at=at,
                purpose=purpose,
                consent=r,
                registry=fresh_registry(),
                policy=ContactPolicy(calling_hours=(time(0), time(23, 59))),
            )
            if r.status(channel, purpose) is ConsentStatus.WITHDRAWN:
                assert d.allowed is False
            if r.objected and purpose in (Purpose.SALES, Purpose.MARKETING):
                assert d.allowed is False
            assert d.allowed is (not d.refusals)
            assert set(d.refusals) <= set(d.reasons)


@given(
    st.datetimes(
        min_value=datetime(2026, 1, 1), max_value=datetime(2026, 12, 31), timezones=st.just(UTC)
    )
)
def test_calls_only_between_eight_and_nine_local(at: datetime) -> None:
    d = can_contact(lead(), "phone", at=at, policy=ContactPolicy(registry_max_age=None))
    local = at.astimezone(ZoneInfo("Europe/Berlin")).time()
    assert d.allowed is (time(8) <= local < time(21))


def test_bad_lists_checks_and_policies_are_refused() -> None:
    with pytest.raises(ValidationError) as info:
        DoNotContactList(phones={"030 1234"}, emails={"nobody"}, domains={"a@b"})
    assert [e.path for e in info.value.errors] == ["phones", "emails", "domains"]
    with pytest.raises(ValidationError) as info:
        RegistryCheck(phone="12", checked_at=datetime(2026, 1, 1), listed="no")  # type: ignore[arg-type]
    assert [e.path for e in info.value.errors] == ["phone", "checked_at", "listed"]
    with pytest.raises(ValidationError) as info:
        ContactPolicy(
            calling_hours=(time(21), time(8)),
            opt_in_channels={"email"},  # type: ignore[arg-type]
            registry_max_age=timedelta(0),
        )
    assert [e.path for e in info.value.errors] == [
        "calling_hours",
        "opt_in_channels",
        "registry_max_age",
    ]


def test_a_merge_carries_withdrawals_and_objections_but_never_grants() -> None:
    survivor = record().grant("phone", "sales", at=T0 - timedelta(days=9), actor="t", method="call")
    other = ConsentRecord.new(
        id="consent-2", at=T0 - timedelta(days=9), actor="t", party=PartyRef.lead("lead-2")
    )
    other = other.grant("email", "sales", at=T0 - timedelta(days=8), actor="t", method="form")
    other = other.withdraw("phone", "sales", at=T0 - timedelta(days=7), actor="t", method="call")
    other = other.object_to_direct_marketing(at=T0 - timedelta(days=6), actor="t", method="mail")
    merged = carry_restrictions(survivor, other, at=T0, actor="rep")
    assert merged.status("phone", "sales") is ConsentStatus.WITHDRAWN
    assert merged.entry("phone", "sales").source == "lead-2"  # type: ignore[union-attr]
    assert merged.status("email", "sales") is ConsentStatus.UNKNOWN
    assert merged.objected_at == T0
    assert merged.version == survivor.version + 2
    assert carry_restrictions(merged, other, at=T0, actor="rep") is merged


def test_a_consent_record_is_changed_only_by_its_transitions() -> None:
    r = record()
    with pytest.raises(ValidationError) as info:
        r.update(at=T0, actor="t", party=PartyRef.lead("lead-2"), objected_at=T0)
    assert sorted((e.path, e.message) for e in info.value.errors) == [
        ("objected_at", "is set by object_to_direct_marketing()"),
        ("party", "is fixed when the record is opened"),
    ]
    with pytest.raises(ValidationError) as info:
        ConsentRecord.new(id="consent-2", at=T0, actor="t", party="lead-1")
    assert [(e.path, e.message) for e in info.value.errors] == [("party", "must be a PartyRef")]
    lead = Lead.new(id="lead-9", at=T0, actor="t", email="ana@acme.io")
    with pytest.raises(ValidationError, match="history starts with ConsentCreated") as info:
        ConsentRecord.from_events(lead.history[:1])
    assert info.value.errors[0].message.startswith("a consent record's history")
