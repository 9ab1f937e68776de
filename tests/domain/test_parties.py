"""Accounts, contacts, party references and the contact-point normalisers."""

from __future__ import annotations

import sys
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings

from salescore.domain.events import FieldsChanged, StageChanged
from salescore.domain.parties import (
    Account,
    AccountCreated,
    Contact,
    PartyKind,
    PartyRef,
    account_ancestors,
    normalize_country,
    normalize_domain,
    normalize_email,
    normalize_phone,
    normalize_time_zone,
)
from salescore.errors import TransitionError, ValidationError
from salescore.money import Money
from salescore.serialization import from_json, to_json
from salescore.testing.strategies import accounts, contacts, emails, party_refs, phone_numbers

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
H = timedelta(hours=1)

# --- emails -------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "normal"),
    [
        ("Ana.Silva@Acme.io", "Ana.Silva@acme.io"),
        ("  bob@EXAMPLE.com ", "bob@example.com"),
        ("jo@bücher.de", "jo@xn--bcher-kva.de"),
        ("o'neil+tag@sub.example.co.uk", "o'neil+tag@sub.example.co.uk"),
        ("josé@example.com", "josé@example.com"),
        ("x@example.com.", "x@example.com"),
    ],
)
def test_normalize_email(raw: str, normal: str) -> None:
    assert normalize_email(raw) == normal


ATOMS = (
    "the part before '@' may hold only letters, digits and !#$%&'*+/=?^_`{|}~- "
    "between single dots (quoted local parts and display names are not accepted)"
)


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("", "must not be blank"),
        ("plain", "must look like local-part@domain"),
        ("@example.com", "must look like local-part@domain"),
        ("a@localhost", "the domain must have a dot and end in a top-level domain"),
        ("a..b@example.com", ATOMS),
        ("a b@example.com", "must not contain spaces"),
        (
            "a@exa_mple.com",
            "domain label 'exa_mple' may hold only letters, digits and inner hyphens",
        ),
        ("a@-x.com", "domain label '-x' may hold only letters, digits and inner hyphens"),
        ("a@[1.2.3.4]", "address literals ([1.2.3.4]) are not accepted"),
        ('"a b"@example.com', "must not contain spaces"),
        ("a@example.123", "the domain must have a dot and end in a top-level domain"),
        ("a" * 65 + "@example.com", "the part before '@' is longer than 64 bytes"),
        ("a(b)@example.com", ATOMS),
        ("a@ab--c.com", "domain label 'ab--c' has '--' in third and fourth place"),
    ],
)
def test_bad_emails_are_refused_with_a_reason(raw: str, message: str) -> None:
    with pytest.raises(ValidationError) as info:
        normalize_email(raw)
    assert info.value.errors[0].path == "email"
    assert info.value.errors[0].message == message


@given(emails(messy=True))
def test_email_normalisation_is_idempotent(raw: str) -> None:
    once = normalize_email(raw)
    assert normalize_email(once) == once
    assert once.split("@")[1] == once.split("@")[1].lower()


@given(emails())
def test_normal_emails_are_returned_unchanged(email: str) -> None:
    assert normalize_email(email) == email


# --- phones -------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "region", "normal"),
    [
        ("+14155552671", None, "+14155552671"),
        ("(415) 555-2671", "US", "+14155552671"),
        ("020 7946 0958", "GB", "+442079460958"),
        ("020 7946 0958", "gb", "+442079460958"),
        ("+44 20 7946 0958", None, "+442079460958"),
        ("030 901820", "DE", "+4930901820"),
    ],
)
def test_normalize_phone(raw: str, region: str | None, normal: str) -> None:
    assert normalize_phone(raw, region) == normal


@pytest.mark.parametrize(
    ("raw", "region", "message"),
    [
        ("020 7946 0958", None, "is not in E.164 form and no default region was given to read it"),
        ("+1234", None, "is not a valid phone number"),
        ("12", "US", "is not a valid phone number in region US"),
        ("   ", "US", "must not be blank"),
    ],
)
def test_bad_phones(raw: str, region: str | None, message: str) -> None:
    with pytest.raises(ValidationError) as info:
        normalize_phone(raw, region)
    assert info.value.errors[0].message == message


def test_without_the_phone_extra_only_e164_is_accepted(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "phonenumbers", None)
    assert normalize_phone("+14155552671") == "+14155552671"
    with pytest.raises(ValidationError) as info:
        normalize_phone("+1 415 555 2671")
    assert "salescore[phone]" in info.value.errors[0].message
    with pytest.raises(ImportError, match=r"salescore\[phone\]"):
        normalize_phone("020 7946 0958", "GB")


@given(phone_numbers())
def test_phone_normalisation_is_idempotent(raw: str) -> None:
    once = normalize_phone(raw)
    assert normalize_phone(once) == once


# --- domains, countries, zones -------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "normal"),
    [
        ("acme.io", "acme.io"),
        ("https://www.Acme.io/pricing?x=1", "acme.io"),
        ("WWW.ACME.IO:443", "acme.io"),
        ("www.www.acme.io", "acme.io"),
        ("Bücher.de", "xn--bcher-kva.de"),
    ],
)
def test_normalize_domain(raw: str, normal: str) -> None:
    assert normalize_domain(raw) == normal
    assert normalize_domain(normal) == normal


def test_bad_domain_and_country_and_zone() -> None:
    with pytest.raises(ValidationError, match="not an email address"):
        normalize_domain("a@acme.io")
    assert normalize_country(" de ") == "DE"
    with pytest.raises(ValidationError, match="did you mean 'GB'"):
        normalize_country("UK")
    assert normalize_time_zone("America/New_York") == "America/New_York"
    with pytest.raises(ValidationError):
        normalize_time_zone("Europe/Atlantis")


# --- party refs -------------------------------------------------------------


def test_party_ref() -> None:
    ref = PartyRef.contact("contact-1")
    assert ref == PartyRef(PartyKind.CONTACT, "contact-1")
    assert PartyRef("lead", "l-1").kind is PartyKind.LEAD  # type: ignore[arg-type]
    assert str(ref) == "contact:contact-1"
    with pytest.raises(ValidationError) as info:
        PartyRef("deal", "")  # type: ignore[arg-type]
    assert info.value.paths == ("kind", "id")


@given(party_refs())
def test_party_refs_round_trip(ref: PartyRef) -> None:
    assert from_json(PartyRef, to_json(ref)) == ref


# --- accounts -------------------------------------------------------------


def test_account_lifecycle() -> None:
    acct = Account.new(
        id="account-1",
        at=T0,
        actor="import",
        name=" Acme ",
        domain="https://www.acme.io",
        country="de",
        employees=120,
        annual_revenue=Money("12000000", "EUR"),
        tags=["vip"],
    )
    assert (acct.name, acct.domain, acct.country, acct.tags, acct.version) == (
        "Acme",
        "acme.io",
        "DE",
        frozenset({"vip"}),
        1,
    )
    assert type(acct.history[0]) is AccountCreated
    acct = acct.set_parent("account-0", at=T0 + H, actor="admin")
    acct = acct.add_tags("partner", at=T0 + 2 * H, actor="admin")
    acct = acct.remove_tags("vip", at=T0 + 3 * H, actor="admin")
    acct = acct.assign("rep-1", at=T0 + 4 * H, actor="router")
    assert (acct.parent_id, acct.tags, acct.owner_id, acct.version) == (
        "account-0",
        frozenset({"partner"}),
        "rep-1",
        5,
    )
    assert acct.history[2] == FieldsChanged(
        subject_id="account-1",
        at=T0 + 2 * H,
        actor="admin",
        changes={"tags": (frozenset({"vip"}), frozenset({"vip", "partner"}))},
    )
    assert Account.from_events(acct.history) == acct
    assert from_json(Account, to_json(acct)) == acct


def test_account_cannot_be_its_own_parent() -> None:
    with pytest.raises(ValidationError) as info:
        Account.new(id="a", at=T0, actor="x", name="A", parent_id="a")
    assert info.value.paths == ("parent_id",)
    acct = Account.new(id="a", at=T0, actor="x", name="A")
    with pytest.raises(ValidationError):
        acct.set_parent("a", at=T0, actor="x")


def test_account_reports_every_bad_field() -> None:
    with pytest.raises(ValidationError) as info:
        Account.new(
            id="a",
            at=T0,
            actor="x",
            name=" ",
            domain="nope",
            employees=-1,
            annual_revenue=Money("-5", "EUR"),
            country="ZZ",
        )
    assert info.value.paths == ("name", "domain", "employees", "annual_revenue", "country")


def test_account_ancestors_and_cycles() -> None:
    parents = {"a1": None, "a2": "a1", "a3": "a2"}
    assert account_ancestors("a3", parents) == ("a2", "a1")
    assert account_ancestors("a1", parents) == ()
    with pytest.raises(ValidationError, match="cycle: a1 → a2 → a1"):
        account_ancestors("a1", {"a1": "a2", "a2": "a1"})


# --- contacts -------------------------------------------------------------


def test_contact_lifecycle() -> None:
    c = Contact.new(
        id="contact-1",
        at=T0,
        actor="x",
        first_name="Ana",
        last_name="Silva",
        emails=["Ana@Acme.io"],
        phones=["(415) 555-2671"],
        default_region="US",
        time_zone="Europe/Lisbon",
        account_id="account-1",
    )
    assert (c.email, c.phone, c.name, c.lifecycle_stage, c.version) == (
        "Ana@acme.io",
        "+14155552671",
        "Ana Silva",
        "lead",
        2,
    )
    assert c.history[1] == StageChanged(
        subject_id="contact-1",
        at=T0,
        actor="x",
        funnel="lifecycle",
        from_stage=None,
        to_stage="lead",
    )
    c = c.add_email("ana.silva@acme.io", at=T0 + H, actor="x", primary=True)
    assert c.emails == ("ana.silva@acme.io", "Ana@acme.io")
    c = c.remove_email(
        "ANA.silva@ACME.io".replace("ANA.silva", "ana.silva"), at=T0 + 2 * H, actor="x"
    )
    assert c.emails == ("Ana@acme.io",)
    c = c.set_lifecycle_stage("customer", at=T0 + 3 * H, actor="x")
    assert c.lifecycle_stage == "customer"
    with pytest.raises(TransitionError):
        c.set_lifecycle_stage("mql", at=T0 + 4 * H, actor="x")
    assert Contact.from_events(c.history) == c
    assert from_json(Contact, to_json(c)) == c
    assert c.ref == PartyRef.contact("contact-1")


def test_contact_refuses_duplicates_and_stage_edits() -> None:
    with pytest.raises(ValidationError) as info:
        Contact.new(id="c", at=T0, actor="x", emails=["a@b.io", "A@B.IO"])
    assert info.value.paths == ("emails[1]",)
    c = Contact.new(id="c", at=T0, actor="x", emails=["a@b.io"])
    with pytest.raises(ValidationError) as info:
        c.update(at=T0, actor="x", lifecycle_stage="customer", phones=["bad"])
    assert info.value.paths == ("lifecycle_stage", "phones[0]")
    with pytest.raises(ValidationError):
        c.add_email("a@B.io", at=T0, actor="x")
    with pytest.raises(ValidationError):
        Contact.new(id="c", at=T0, actor="x")


@settings(max_examples=30)
@given(accounts())
def test_accounts_round_trip(acct: Account) -> None:
    assert from_json(Account, to_json(acct)) == acct
    assert Account.from_events(acct.history) == acct


@settings(max_examples=30)
@given(contacts())
def test_contacts_round_trip(c: Contact) -> None:
    assert from_json(Contact, to_json(c)) == c
    assert Contact.from_events(c.history) == c
