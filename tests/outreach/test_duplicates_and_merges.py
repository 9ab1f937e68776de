"""Duplicates (blocking, rules, scores) and merges (policies, resolution, exact undo)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from salescore.calendar import BusinessCalendar
from salescore.domain.campaigns import Campaign, CampaignMember
from salescore.domain.interactions import Interaction
from salescore.domain.leads import Lead, LeadStatus
from salescore.domain.parties import Account, Contact, PartyRef
from salescore.domain.tasks import Task
from salescore.errors import TransitionError, ValidationError
from salescore.ids import DeterministicIds
from salescore.outreach import (
    Cadence,
    CadenceStep,
    Enrollment,
    Match,
    MatchRules,
    Merge,
    MergeKind,
    SurvivorPolicy,
    Take,
    duplicate_groups,
    find_duplicates,
    merge_leads,
    unmerge,
)
from salescore.serialization import from_json, to_json
from salescore.testing.strategies import leads
from tests.outreach._merging import assert_undo_is_identity, distinct, state

T0 = datetime(2026, 3, 2, 9, tzinfo=UTC)


def lead(id: str, days: int = 0, **fields: Any) -> Lead:
    return Lead.new(id=id, at=T0 + timedelta(days=days), actor="t", **fields)


def test_rules_fire_with_scores_and_blanks_never_match() -> None:
    records = [
        lead("l1", first_name="Ana", last_name="Silva", email="Ana.Silva@acme.io", company="Acme"),
        lead("l2", first_name="ana", last_name="silva", email="ana.silva@ACME.io"),
        lead("l3", first_name="Ana", last_name="Silvaa", company="ACME GmbH", phone="+4930901820"),
        lead("l4", first_name="Bo", last_name="Berg", phone="+4930901820"),
        lead("l5", first_name="Ana", last_name="Silva", company="Globex"),
        lead("l6", company="Initech"),
        lead("l7", company="Initech"),
    ]
    report = find_duplicates(records)
    assert report.records == 7
    assert report.matches == (
        Match("l1", "l2", 1.0, ("email",)),
        Match("l1", "l3", 0.8526, ("name", "company")),
        Match("l3", "l4", 0.95, ("phone",)),
    )
    assert duplicate_groups(report.matches) == (("l1", "l2", "l3", "l4"),)
    # Without names, only exact keys match.
    exact = find_duplicates(records, MatchRules(use_names=False))
    assert [(m.left, m.right) for m in exact.matches] == [("l1", "l2"), ("l3", "l4")]


def test_blocking_never_compares_all_pairs() -> None:
    records = [
        lead(
            f"l{i}",
            first_name=f"Person{i:04d}",
            last_name=f"Name{i % 97:03d}x{i}",
            email=f"p{i}@example{i % 13}.com",
        )
        for i in range(2000)
    ]
    report = find_duplicates(records)
    assert report.matches == ()
    assert report.pairs_compared < 2000 * 1999 // 2 // 20


def test_oversized_blocks_are_reported_not_searched() -> None:
    records = [lead(f"l{i}", first_name="Ana", last_name=f"Silva{i}") for i in range(30)]
    report = find_duplicates(records, MatchRules(max_block=10))
    assert report.oversized_blocks == (30, 30)
    assert report.pairs_compared == 0


def test_lead_addresses_match_up_to_case_but_not_up_to_case_folding() -> None:
    def lead(id: str, email: str) -> Lead:
        return Lead.new(id=id, at=T0, actor="t", email=email)

    rules = MatchRules(use_names=False)
    same = [lead("a", "John.Smith@Example.com"), lead("b", "JOHN.SMITH@example.com")]
    assert find_duplicates(same, rules).matches == (Match("a", "b", 1.0, ("email",)),)
    folded = [lead("c", "straße@example.de"), lead("d", "STRASSE@example.de")]
    assert find_duplicates(folded, rules).matches == ()


def test_contacts_and_accounts() -> None:
    c1 = Contact.new(
        id="c1",
        at=T0,
        actor="t",
        first_name="Ana",
        last_name="Silva",
        emails=("ana@acme.io", "ana@home.net"),
    )
    c2 = Contact.new(id="c2", at=T0, actor="t", first_name="A", emails=("ANA@home.net",))
    assert find_duplicates([c1, c2]).matches == (Match("c1", "c2", 1.0, ("email",)),)
    a1 = Account.new(id="a1", at=T0, actor="t", name="Acme GmbH", domain="acme.io", country="DE")
    a2 = Account.new(id="a2", at=T0, actor="t", name="ACME", country="DE")
    a3 = Account.new(id="a3", at=T0, actor="t", name="Acme", country="US")
    a4 = Account.new(id="a4", at=T0, actor="t", name="Initech", domain="acme.io")
    report = find_duplicates([a1, a2, a3, a4])
    assert [(m.left, m.right, m.rules) for m in report.matches] == [
        ("a1", "a2", ("company",)),
        ("a1", "a4", ("domain",)),
    ]
    with pytest.raises(TypeError):
        find_duplicates([a1, c1])
    with pytest.raises(ValidationError):
        MatchRules(name_threshold=120, max_block=1)


# --- merges -----------------------------------------------------------------------------------

CAL = BusinessCalendar.weekdays(tz="Europe/Berlin")
LONG_AGO = T0 - timedelta(days=99999)
CAMPAIGN = Campaign.new(id="camp-1", at=LONG_AGO, actor="t", name="Spring")


def _family() -> tuple[Lead, Lead, list[Any], list[Interaction]]:
    old = lead("l1", first_name="Ana", email="ana@acme.io", custom={"tier": "gold"})
    new = lead(
        "l2",
        days=1,
        first_name="Ana",
        last_name="Silva",
        phone="+4930901820",
        company="Acme",
        custom={"tier": "silver", "seats": 5},
    )
    new = new.move_to("working", at=T0 + timedelta(days=2), actor="t")
    member = CampaignMember.new(id="m1", at=T0, actor="t", campaign=CAMPAIGN, party=new.ref)
    task = Task.new(id="t1", at=T0, actor="t", subject=new.ref, title="Call", due_at=T0)
    cadence = Cadence(id="cad", name="c", steps=(CadenceStep(kind="call"),), calendar=CAL)
    enr = Enrollment.new(id="e1", at=T0, actor="t", cadence=cadence, party=new.ref, owner_id="r")
    other = Task.new(id="t2", at=T0, actor="t", subject=old.ref, title="Mail", due_at=T0)
    calls = [
        Interaction.call(id="i1", at=T0, actor="t", disposition="no_answer", party=new.ref),
        Interaction.call(id="i2", at=T0, actor="t", disposition="connected", party=old.ref),
    ]
    return old, new, [member, task, enr, other], calls


def test_merge_resolves_fields_tombstones_and_repoints_children() -> None:
    old, new, children, calls = _family()
    ids = DeterministicIds(namespace="t", seed=1)
    at = T0 + timedelta(days=3)
    result = merge_leads(
        old,
        new,
        at=at,
        actor="rep",
        ids=ids,
        policy=SurvivorPolicy.OLDEST,
        children=children,
        interactions=calls,
    )
    s, t = result.survivor, result.tombstone
    assert (s.id, t.id) == ("l1", "l2")
    assert (s.first_name, s.last_name, s.email, s.phone, s.company) == (
        "Ana",
        "Silva",
        "ana@acme.io",
        "+4930901820",
        "Acme",
    )
    assert dict(s.custom) == {"tier": "gold", "seats": 5}
    assert s.version == old.version + 1
    assert (t.status, t.disqualify_reason) == (LeadStatus.DISQUALIFIED, "merged into l1")
    member, task, enr, other = result.children
    assert member.party == s.ref
    assert task.subject.party == s.ref
    assert enr.party == s.ref
    assert other is children[3]
    assert [i.party for i in result.interactions] == [s.ref, s.ref]
    m = result.merge
    assert (m.id, m.kind, m.survivor, m.merged, m.children, m.interactions) == (
        "merge-t-1-1",
        MergeKind.LEAD,
        "l1",
        "l2",
        ("m1", "t1", "e1"),
        ("i1",),
    )
    assert Merge.from_events(m.history) == m
    assert from_json(Merge, to_json(m)) == m


def test_survivor_policies_and_overrides() -> None:
    old, new, _, _ = _family()
    ids = DeterministicIds(namespace="t", seed=1)
    at = T0 + timedelta(days=3)
    assert merge_leads(old, new, at=at, actor="r", ids=ids).survivor.id == "l2"  # more complete
    assert (
        merge_leads(old, new, at=at, actor="r", ids=ids, policy="most_advanced").survivor.id == "l2"
    )
    assert (
        merge_leads(old, new, at=at, actor="r", ids=ids, policy=lambda a, b: a).survivor.id == "l1"
    )
    r = merge_leads(
        old,
        new,
        at=at,
        actor="r",
        ids=ids,
        policy="oldest",
        resolve={
            "first_name": lambda mine, theirs: "Anna",
            "phone": Take.SURVIVOR,
            "custom": Take.MERGED,
        },
    )
    assert (r.survivor.first_name, r.survivor.phone) == ("Anna", None)
    assert dict(r.survivor.custom) == {"tier": "silver", "seats": 5}
    with pytest.raises(ValidationError, match="not a field a merge resolves"):
        merge_leads(old, new, at=at, actor="r", ids=ids, resolve={"status": Take.MERGED})
    with pytest.raises(TransitionError):
        merge_leads(old, old, at=at, actor="r", ids=ids)


def test_unmerge_restores_exactly() -> None:
    old, new, children, calls = _family()
    ids = DeterministicIds(namespace="t", seed=1)
    at = T0 + timedelta(days=3)
    m = merge_leads(old, new, at=at, actor="r", ids=ids, children=children, interactions=calls)
    u = unmerge(
        m.merge,
        m.survivor,
        m.tombstone,
        at=at + timedelta(hours=1),
        actor="r",
        children=m.children,
        interactions=m.interactions,
    )
    assert state(u.survivor) == state(new)
    assert state(u.merged) == state(old)
    assert [state(c) for c in u.children] == [state(c) for c in children]
    assert list(u.interactions) == calls
    assert u.merge.undone is True
    with pytest.raises(ValidationError, match="undone already"):
        unmerge(u.merge, u.survivor, u.merged, at=at + timedelta(hours=2), actor="r")


@given(leads(), leads(), st.sampled_from(list(SurvivorPolicy)), st.data())
def test_merge_then_unmerge_is_the_identity(
    a: Lead, b: Lead, policy: SurvivorPolicy, data: st.DataObject
) -> None:
    b = distinct(a, b)
    if a.is_converted or b.is_converted:
        return
    children = [
        CampaignMember.new(id=f"m-{n}", at=LONG_AGO, actor="t", campaign=CAMPAIGN, party=x.ref)
        for n, x in enumerate((a, b))
    ]
    calls = [
        Interaction.call(id=f"i{n}", at=T0, actor="t", disposition="busy", party=ref)
        for n, ref in enumerate((a.ref, b.ref, PartyRef.lead("someone-else")))
    ]
    fields = ["first_name", "email", "custom", "phone"]
    resolve = data.draw(
        st.dictionaries(st.sampled_from(fields), st.sampled_from(list(Take)), max_size=3)
    )
    assert_undo_is_identity(
        merge_leads,
        a,
        b,
        policy=policy,
        resolve=resolve,
        children=children,
        interactions=calls,
    )


def test_a_merge_record_is_changed_only_by_unmerge() -> None:
    old, new, _, _ = _family()
    at = T0 + timedelta(days=3)
    merge = merge_leads(old, new, at=at, actor="rep", ids=DeterministicIds(namespace="t")).merge
    with pytest.raises(ValidationError) as info:
        merge.update(at=at, actor="rep", survivor="lead-9", undone=True)
    assert sorted((e.path, e.message) for e in info.value.errors) == [
        ("survivor", "is what the merge did, kept to undo it"),
        ("undone", "changes with unmerge()"),
    ]
    with pytest.raises(ValidationError, match="a merge's history starts with RecordsMerged"):
        Merge.from_events(old.history[:1])  # a lead's creation event
    assert Merge.from_events(merge.history) == merge
