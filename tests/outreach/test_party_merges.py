"""Merging contacts and accounts: resolution, tombstones, re-pointed children, exact undo."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from salescore.calendar import BusinessCalendar
from salescore.domain.campaigns import Campaign, CampaignMember
from salescore.domain.interactions import Interaction
from salescore.domain.opportunities import ContactRole, Opportunity
from salescore.domain.parties import Account, Contact, PartyRef
from salescore.domain.service import ServiceCase
from salescore.domain.tasks import Task
from salescore.errors import TransitionError, ValidationError
from salescore.ids import DeterministicIds
from salescore.outreach import (
    Cadence,
    CadenceStep,
    Enrollment,
    Merge,
    MergeKind,
    SurvivorPolicy,
    Take,
    merge_accounts,
    merge_contacts,
    unmerge,
)
from salescore.serialization import from_json, to_json
from salescore.testing.strategies import accounts, contacts
from tests.outreach._merging import assert_undo_is_identity, distinct, state

T0 = datetime(2026, 3, 2, 9, tzinfo=UTC)
LONG_AGO = T0 - timedelta(days=99999)
CAMPAIGN = Campaign.new(id="camp-1", at=LONG_AGO, actor="t", name="Spring")
CAL = BusinessCalendar.weekdays(tz="Europe/Berlin")
CADENCE = Cadence(id="cad", name="c", steps=(CadenceStep(kind="call"),), calendar=CAL)


def _contact_children(kept: str, gone: str, at: datetime = T0) -> list[Any]:
    g, k = PartyRef.contact(gone), PartyRef.contact(kept)
    return [
        CampaignMember.new(id="m1", at=at, actor="t", campaign=CAMPAIGN, party=g),
        Task.new(id="t1", at=at, actor="t", subject=g, title="Call", due_at=at),
        Enrollment.new(id="e1", at=at, actor="t", cadence=CADENCE, party=g, owner_id="r"),
        Opportunity.new(
            id="o1",
            at=at,
            actor="t",
            name="Deal",
            primary_contact_id=gone,
            contact_roles={gone: ["champion"], kept: ["economic_buyer"], "c9": ["user"]},
        ),
        ServiceCase.open(id="s1", at=at, actor="t", requester_id=gone, subject="Help"),
        ServiceCase.open(id="s2", at=at, actor="t", requester_id="c9", subject="Other"),
        Task.new(id="t2", at=at, actor="t", subject=k, title="Mail", due_at=at),
    ]


def test_merge_contacts_resolves_tombstones_and_repoints() -> None:
    old = Contact.new(
        id="c1", at=T0, actor="t", first_name="Ana", emails=("ana@acme.io",), custom={"a": 1}
    )
    new = Contact.new(
        id="c2",
        at=T0 + timedelta(days=1),
        actor="t",
        first_name="Anna",
        last_name="Silva",
        emails=("ana@home.net", "ana@acme.io"),
        phones=("+4930901820",),
        account_id="acc-1",
        lifecycle_stage="sql",
        custom={"a": 2, "b": 3},
    )
    children = _contact_children("c1", "c2")
    call = Interaction.call(id="i1", at=T0, actor="t", disposition="busy", party=new.ref)
    at = T0 + timedelta(days=2)
    r = merge_contacts(
        old,
        new,
        at=at,
        actor="rep",
        ids=DeterministicIds(namespace="t", seed=1),
        policy=SurvivorPolicy.OLDEST,
        children=children,
        interactions=[call],
    )
    s, t = r.survivor, r.tombstone
    assert (s.id, s.first_name, s.last_name, s.account_id) == ("c1", "Ana", "Silva", "acc-1")
    assert s.emails == ("ana@acme.io", "ana@home.net")
    assert s.phones == ("+4930901820",)
    assert dict(s.custom) == {"a": 1, "b": 3}
    assert s.version == old.version + 1
    assert (t.merged_into, t.version) == ("c1", new.version + 1)
    member, task, enr, opp, case, other_case, own_task = r.children
    assert member.party == task.subject.party == enr.party == s.ref
    assert opp.primary_contact_id == "c1"
    assert dict(opp.contact_roles) == {
        "c1": frozenset({ContactRole.CHAMPION, ContactRole.ECONOMIC_BUYER}),
        "c9": frozenset({ContactRole.USER}),
    }
    assert case.requester_id == "c1"
    assert (other_case, own_task) == (children[5], children[6])
    assert r.interactions[0].party == s.ref
    m = r.merge
    assert (m.kind, m.survivor, m.merged, m.children, m.interactions) == (
        MergeKind.CONTACT,
        "c1",
        "c2",
        ("m1", "t1", "e1", "o1", "s1"),
        ("i1",),
    )
    assert Merge.from_events(m.history) == m
    assert from_json(Merge, to_json(m)) == m
    assert Contact.from_events(t.history) == t
    assert from_json(Contact, to_json(t)) == t
    # Most advanced: the sql contact wins over the lead-stage one.
    ids = DeterministicIds(namespace="t", seed=2)
    assert (
        merge_contacts(old, new, at=at, actor="r", ids=ids, policy="most_advanced").survivor.id
        == "c2"
    )
    over = merge_contacts(
        old, new, at=at, actor="r", ids=ids, policy="oldest", resolve={"emails": Take.SURVIVOR}
    )
    assert over.survivor.emails == ("ana@acme.io",)

    u = unmerge(
        m,
        s,
        t,
        at=at + timedelta(hours=1),
        actor="rep",
        children=r.children,
        interactions=r.interactions,
    )
    assert (state(u.survivor), state(u.merged)) == (state(old), state(new))
    assert [state(c) for c in u.children] == [state(c) for c in children]
    assert u.interactions == (call,)
    assert u.merged.merged_into is None


def test_merge_contacts_refusals_change_nothing() -> None:
    a = Contact.new(id="c1", at=T0, actor="t", first_name="Ana")
    b = Contact.new(id="c2", at=T0, actor="t", first_name="Ana")
    ids = DeterministicIds(namespace="t", seed=1)
    r = merge_contacts(a, b, at=T0, actor="r", ids=ids)
    with pytest.raises(TransitionError, match="merged into c1 already"):
        merge_contacts(r.survivor, r.tombstone, at=T0, actor="r", ids=ids)
    with pytest.raises(TransitionError, match="itself"):
        merge_contacts(a, a, at=T0, actor="r", ids=ids)
    with pytest.raises(ValidationError, match=r"children\[0\]"):
        merge_contacts(a, b, at=T0, actor="r", ids=ids, children=[a])  # type: ignore[list-item]
    with pytest.raises(ValidationError, match=r"resolve\.lifecycle_stage"):
        merge_contacts(a, b, at=T0, actor="r", ids=ids, resolve={"lifecycle_stage": Take.MERGED})
    with pytest.raises(ValidationError, match="is not the merge's tombstone"):
        unmerge(r.merge, r.survivor, a, at=T0, actor="r")
    with pytest.raises(ValidationError, match="at"):
        merge_contacts(a, b, at=T0 - timedelta(days=1), actor="r", ids=ids)


def _account_family() -> tuple[Account, Account, list[Any], list[Interaction]]:
    old = Account.new(id="a1", at=T0, actor="t", name="Acme", domain="acme.io", tags=["vip"])
    new = Account.new(
        id="a2",
        at=T0 + timedelta(days=1),
        actor="t",
        name="ACME GmbH",
        country="DE",
        parent_id="holding",
        tags=["partner"],
    )
    children = [
        Contact.new(id="c1", at=T0, actor="t", first_name="Ana", account_id="a2"),
        Opportunity.new(id="o1", at=T0, actor="t", name="Deal", account_id="a2"),
        ServiceCase.open(
            id="s1", at=T0, actor="t", requester_id="c1", subject="x", account_id="a2"
        ),
        Account.new(id="a3", at=T0, actor="t", name="Acme UK", parent_id="a2"),
        Contact.new(id="c2", at=T0, actor="t", first_name="Bo", account_id="a1"),
    ]
    calls = [
        Interaction.call(id="i1", at=T0, actor="t", disposition="busy", account_id="a2"),
        Interaction.call(id="i2", at=T0, actor="t", disposition="busy", account_id="zz"),
    ]
    return old, new, children, calls


def test_merge_accounts_repoints_contacts_deals_cases_and_children() -> None:
    old, new, children, calls = _account_family()
    at = T0 + timedelta(days=2)
    r = merge_accounts(
        old,
        new,
        at=at,
        actor="rep",
        ids=DeterministicIds(namespace="t", seed=1),
        policy="oldest",
        children=children,
        interactions=calls,
    )
    s, t = r.survivor, r.tombstone
    assert (s.id, s.name, s.domain, s.country, s.parent_id) == (
        "a1",
        "Acme",
        "acme.io",
        "DE",
        "holding",
    )
    assert s.tags == frozenset({"vip", "partner"})
    assert t.merged_into == "a1"
    contact, opp, case, child, other = r.children
    assert contact.account_id == opp.account_id == case.account_id == "a1"
    assert child.parent_id == "a1"
    assert other is children[4]
    assert [i.account_id for i in r.interactions] == ["a1", "zz"]
    assert r.merge.children == ("c1", "o1", "s1", "a3")
    u = unmerge(r.merge, s, t, at=at, actor="rep", children=r.children, interactions=r.interactions)
    assert (state(u.survivor), state(u.merged)) == (state(old), state(new))
    assert [state(c) for c in u.children] == [state(c) for c in children]
    assert list(u.interactions) == calls
    # A parent and its child are never merged.
    with pytest.raises(TransitionError, match="a1 is the parent of a3"):
        merge_accounts(
            old,
            children[3].update(parent_id="a1", at=at, actor="t"),
            at=at,
            actor="r",
            ids=DeterministicIds(namespace="t", seed=1),
        )


def test_unmerge_leaves_a_child_moved_since() -> None:
    old, new, children, _ = _account_family()
    at = T0 + timedelta(days=2)
    r = merge_accounts(
        old,
        new,
        at=at,
        actor="r",
        ids=DeterministicIds(namespace="t", seed=1),
        policy="oldest",
        children=children,
    )
    moved = r.children[0].update(account_id="elsewhere", at=at, actor="r")
    u = unmerge(r.merge, r.survivor, r.tombstone, at=at, actor="r", children=[moved])
    assert u.children == (moved,)


@given(contacts(), contacts(), st.sampled_from(list(SurvivorPolicy)), st.data())
def test_contact_merge_then_unmerge_is_the_identity(
    a: Contact, b: Contact, policy: SurvivorPolicy, data: st.DataObject
) -> None:
    b = distinct(a, b)
    children = [
        *_contact_children(a.id, b.id, LONG_AGO),
        CampaignMember.new(id="m-a", at=LONG_AGO, actor="t", campaign=CAMPAIGN, party=a.ref),
    ]
    calls = [
        Interaction.call(id=f"i{n}", at=T0, actor="t", disposition="busy", party=ref)
        for n, ref in enumerate((a.ref, b.ref, PartyRef.contact("someone-else")))
    ]
    fields = ["first_name", "emails", "phones", "account_id", "custom"]
    resolve = data.draw(st.dictionaries(st.sampled_from(fields), st.sampled_from(list(Take))))
    assert_undo_is_identity(
        merge_contacts,
        a,
        b,
        policy=policy,
        resolve=resolve,
        children=children,
        interactions=calls,
    )


@given(accounts(), accounts(), st.sampled_from(list(SurvivorPolicy)), st.data())
def test_account_merge_then_unmerge_is_the_identity(
    a: Account, b: Account, policy: SurvivorPolicy, data: st.DataObject
) -> None:
    b = distinct(a, b)
    children: list[Any] = [
        Contact.new(id="c1", at=LONG_AGO, actor="t", first_name="A", account_id=b.id),
        Contact.new(id="c2", at=LONG_AGO, actor="t", first_name="B", account_id=a.id),
        Opportunity.new(id="o1", at=LONG_AGO, actor="t", name="D", account_id=b.id),
        ServiceCase.open(
            id="s1", at=LONG_AGO, actor="t", requester_id="c", subject="x", account_id=b.id
        ),
        Account.new(id="kid-1", at=LONG_AGO, actor="t", name="Kid", parent_id=a.id),
        Account.new(id="kid-2", at=LONG_AGO, actor="t", name="Kid", parent_id=b.id),
    ]
    calls = [
        Interaction.call(id=f"i{n}", at=T0, actor="t", disposition="busy", account_id=x)
        for n, x in enumerate((a.id, b.id, None))
    ]
    fields = ["name", "domain", "tags", "country", "custom"]
    resolve = data.draw(st.dictionaries(st.sampled_from(fields), st.sampled_from(list(Take))))
    assert_undo_is_identity(
        merge_accounts,
        a,
        b,
        policy=policy,
        resolve=resolve,
        children=children,
        interactions=calls,
    )


def test_case_repoint_works_on_closed_cases_and_checks_its_ids() -> None:
    case = ServiceCase.open(id="s1", at=T0, actor="t", requester_id="c1", subject="x")
    closed = case.solve(at=T0, actor="t").close(at=T0, actor="t")
    at = T0 + timedelta(hours=1)
    moved = closed.repoint(at=at, actor="t", requester_id="c2", account_id="a1")
    assert (moved.requester_id, moved.account_id, moved.version) == ("c2", "a1", closed.version + 1)
    assert ServiceCase.from_events(moved.history) == moved
    assert moved.repoint(at=at, actor="t", requester_id="c2") is moved
    assert moved.repoint(at=at, actor="t", account_id=None).account_id is None
    with pytest.raises(ValidationError, match="requester_id"):
        closed.repoint(at=at, actor="t", requester_id=" ")
