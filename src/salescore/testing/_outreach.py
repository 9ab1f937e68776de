"""Hypothesis strategies for outreach: consent, lists, cadences, enrollments, merges."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Any

import attrs
from hypothesis import strategies as st

from salescore.calendar import BusinessCalendar
from salescore.domain.campaigns import Campaign, CampaignMember
from salescore.domain.interactions import Channel
from salescore.domain.leads import Lead
from salescore.domain.parties import Account, Contact, PartyRef
from salescore.ids import DeterministicIds
from salescore.outreach.cadences import Cadence, CadenceStep, Enrollment, ExitReason, StepKind
from salescore.outreach.consent import (
    ConsentRecord,
    ConsentStatus,
    ContactPolicy,
    DoNotContactList,
    Purpose,
    RegistryCheck,
)
from salescore.outreach.duplicates import MatchRules
from salescore.outreach.merges import (
    Merge,
    SurvivorPolicy,
    merge_accounts,
    merge_contacts,
    merge_leads,
    unmerge,
)
from salescore.testing._parties import accounts, contacts, leads

__all__ = [
    "cadence_steps",
    "cadences",
    "consent_records",
    "contact_policies",
    "do_not_contact_lists",
    "enrollments",
    "match_rules",
    "merges",
    "registry_checks",
    "tombstones",
]

_T0 = datetime(2026, 1, 5, 8, tzinfo=UTC)
#: Valid numbers in four regions whose zone ``phonenumbers`` knows for sure.
_PHONES = (
    "+493012345678",
    "+4930901820",
    "+442079460958",
    "+442071838750",
    "+12125550147",
    "+14155552671",
    "+33142685300",
    "+81312345678",
)
_CHANNELS = (Channel.PHONE, Channel.EMAIL, Channel.SMS, Channel.SOCIAL)


def _phone_numbers() -> st.SearchStrategy[str]:
    """E.164 numbers whose region has a single time zone."""
    return st.sampled_from(_PHONES)


@st.composite
def consent_records(
    draw: st.DrawFn, party: PartyRef | None = None, *, at: datetime = _T0
) -> ConsentRecord:
    """Consent records with a few consents and sometimes an objection, from ``at`` on."""
    ref = party or PartyRef.lead(draw(st.from_regex(r"lead-[0-9]{1,4}", fullmatch=True)))
    record = ConsentRecord.new(id=f"consent-{ref.id}", at=at, actor="test", party=ref)
    when = at
    for _ in range(draw(st.integers(0, 5))):
        when += draw(st.timedeltas(timedelta(0), timedelta(days=20)))
        if draw(st.integers(0, 9)) == 0:
            record = record.object_to_direct_marketing(at=when, actor="test", method="letter")
            continue
        record = record.record(
            draw(st.sampled_from(_CHANNELS)),
            draw(st.sampled_from(list(Purpose))),
            draw(st.sampled_from(list(ConsentStatus))),
            at=when,
            actor="test",
            method=draw(st.sampled_from(["web_form", "call", "email_link"])),
        )
    return record


def do_not_contact_lists() -> st.SearchStrategy[DoNotContactList]:
    """Do-not-contact lists of a few numbers, addresses and domains."""
    return st.builds(
        DoNotContactList,
        phones=st.frozensets(_phone_numbers(), max_size=3),
        emails=st.frozensets(st.sampled_from(["ana@acme.io", "bo@globex.com"]), max_size=2),
        domains=st.frozensets(st.sampled_from(["acme.io", "initech.com"]), max_size=1),
    )


def registry_checks(phone: str | None = None) -> st.SearchStrategy[RegistryCheck]:
    """Registry checks, some listed, some old."""
    return st.builds(
        RegistryCheck,
        phone=st.just(phone) if phone else _phone_numbers(),
        checked_at=st.datetimes(
            min_value=datetime(2025, 10, 1), max_value=datetime(2026, 3, 1), timezones=st.just(UTC)
        ),
        listed=st.booleans(),
    )


def contact_policies() -> st.SearchStrategy[ContactPolicy]:
    """Contact policies with various calling hours, opt-in channels and registry ages."""
    return st.builds(
        ContactPolicy,
        calling_hours=st.tuples(st.integers(6, 11), st.integers(15, 23)).map(
            lambda h: (time(h[0]), time(h[1]))
        ),
        opt_in_channels=st.frozensets(st.sampled_from(_CHANNELS)),
        registry_max_age=st.one_of(st.none(), st.integers(1, 90).map(lambda d: timedelta(days=d))),
    )


def cadence_steps() -> st.SearchStrategy[CadenceStep]:
    """Cadence steps of every kind, with delays and sometimes a window."""
    return st.builds(
        CadenceStep,
        kind=st.sampled_from(list(StepKind)),
        business_days=st.integers(0, 5),
        business_hours=st.integers(0, 6),
        window=st.one_of(st.none(), st.integers(7, 12).map(lambda h: (time(h), time(h + 5)))),
    )


def cadences() -> st.SearchStrategy[Cadence]:
    """Cadences of one to six steps on a weekday 09:00–17:00 calendar."""
    return st.builds(
        Cadence,
        id=st.from_regex(r"cadence-[0-9]{1,3}", fullmatch=True),
        name=st.just("Outbound"),
        steps=st.lists(cadence_steps(), min_size=1, max_size=6).map(tuple),
        calendar=st.sampled_from(["Europe/Berlin", "America/New_York"]).map(
            lambda z: BusinessCalendar.weekdays(time(9), time(17), tz=z)
        ),
        purpose=st.sampled_from(list(Purpose)),
    )


@st.composite
def enrollments(draw: st.DrawFn, cadence: Cadence | None = None) -> Enrollment:
    """Enrollments that did some steps and maybe exited (with a valid history)."""
    cad = cadence or draw(cadences())
    at = draw(
        st.datetimes(
            min_value=datetime(2025, 1, 1), max_value=datetime(2027, 1, 1), timezones=st.just(UTC)
        )
    )
    e = Enrollment.new(
        id=draw(st.from_regex(r"enrollment-[0-9]{1,4}", fullmatch=True)),
        at=at,
        actor="test",
        cadence=cad,
        party=PartyRef.lead(draw(st.from_regex(r"lead-[0-9]{1,4}", fullmatch=True))),
        owner_id="rep-1",
    )
    for _ in range(draw(st.integers(0, len(cad.steps)))):
        if not e.is_active:
            break
        at += draw(st.timedeltas(timedelta(0), timedelta(days=3)))
        if draw(st.integers(0, 5)) == 0:
            e = e.exit(draw(st.sampled_from(list(ExitReason))), at=at, actor="test")
        else:
            e = e.complete_step(cad, at=at, actor="test", outcome="done")
    return e


def match_rules() -> st.SearchStrategy[MatchRules]:
    """Duplicate-matching rules."""
    return st.builds(
        MatchRules,
        name_threshold=st.integers(70, 100).map(float),
        company_threshold=st.integers(70, 100).map(float),
        use_email=st.booleans(),
        use_phone=st.booleans(),
        use_names=st.booleans(),
        max_block=st.integers(2, 1000),
    )


_CAMPAIGN = Campaign.new(id="campaign-1", at=datetime(2000, 1, 3, tzinfo=UTC), actor="t", name="c")


def _pair(draw: st.DrawFn, records: st.SearchStrategy[Lead | Contact | Account]) -> tuple[Any, Any]:
    a, b = draw(records), draw(records)
    if a.id == b.id:
        b = type(b).from_events(attrs.evolve(e, subject_id=b.id + "-b") for e in b.history)
    return a, b


@st.composite
def merges(draw: st.DrawFn) -> Merge:
    """Merge records of leads, contacts or accounts (some undone), with re-pointed children."""
    kind = draw(st.sampled_from(["lead", "contact", "account"]))
    ids = DeterministicIds(namespace="merge", seed=draw(st.integers(0, 99)))
    policy = draw(st.sampled_from(list(SurvivorPolicy)))
    if kind == "account":
        a, b = _pair(draw, accounts())
        at = max(a.updated_at, b.updated_at) + timedelta(minutes=1)
        kids = [
            Contact.new(
                id="contact-k", at=_CAMPAIGN.created_at, actor="t", first_name="K", account_id=b.id
            )
        ]
        result: Any = merge_accounts(a, b, at=at, actor="t", ids=ids, policy=policy, children=kids)
    else:
        a, b = _pair(draw, leads() if kind == "lead" else contacts())
        at = max(a.updated_at, b.updated_at) + timedelta(minutes=1)
        members = [
            CampaignMember.new(
                id="member-k", at=_CAMPAIGN.created_at, actor="t", campaign=_CAMPAIGN, party=b.ref
            )
        ]
        if kind == "lead":
            if a.is_converted or b.is_converted:
                a, b = (Lead.new(id=x, at=at, actor="t", company="Acme") for x in ("l-1", "l-2"))
                at += timedelta(minutes=1)
                members = []
            result = merge_leads(a, b, at=at, actor="t", ids=ids, policy=policy, children=members)
        else:
            result = merge_contacts(
                a, b, at=at, actor="t", ids=ids, policy=policy, children=members
            )
    if draw(st.booleans()):
        return unmerge(
            result.merge,
            result.survivor,
            result.tombstone,
            at=at,
            actor="t",
            children=result.children,
        ).merge
    merge: Merge = result.merge
    return merge


@st.composite
def tombstones(draw: st.DrawFn) -> Contact | Account:
    """Contacts and accounts merged into another (recorded with ``MergedInto``)."""
    a, b = _pair(draw, draw(st.sampled_from([contacts(), accounts()])))
    at = max(a.updated_at, b.updated_at) + timedelta(minutes=1)
    ids = DeterministicIds(namespace="merge", seed=1)
    merge = merge_contacts if isinstance(a, Contact) else merge_accounts
    tombstone: Contact | Account = merge(a, b, at=at, actor="t", ids=ids).tombstone
    return tombstone
