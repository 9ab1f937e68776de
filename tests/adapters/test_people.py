"""``forget`` erases everything personal that ``export_person`` shows, on every store.

A person is generated as a store would hold them: duplicate leads merged into
one, maybe converted into a contact that was merged with a duplicate contact
(sometimes without a company, so that the new account and deal are named
after them, and sometimes with the account renamed or merged into a
company's account afterwards), tasks about
each record (edited, rescheduled, done), calls, a service case
with a task about it, a campaign membership and an enrollment. Every
personal value of the person holds the token ``quxa`` (phones: the prefix
``+4930901``); a bystander's hold ``bysta`` (``+4940``). After ``forget``,
the token is nowhere: not in the export, not in the event log, not in the
store's raw tables; the bystander is untouched, and ids, statuses, times and
counts stay.
"""

from __future__ import annotations

import os
import sqlite3
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from salescore.calendar import BusinessCalendar
from salescore.domain.campaigns import Campaign, CampaignMember
from salescore.domain.conversion import convert_lead
from salescore.domain.events import FieldsChanged
from salescore.domain.interactions import Interaction
from salescore.domain.leads import Lead
from salescore.domain.opportunities import Opportunity
from salescore.domain.parties import Account, Contact, PartyRef
from salescore.domain.service import ServiceCase
from salescore.domain.tasks import Task, TaskSubject, TaskSubjectKind
from salescore.errors import ValidationError
from salescore.ids import DeterministicIds
from salescore.outreach import ERASED, ERASURE_REASON, erase_person, named_after
from salescore.outreach.cadences import Cadence, CadenceStep, Enrollment, StepKind
from salescore.outreach.consent import ConsentRecord
from salescore.outreach.merges import (
    Merge,
    MergeKind,
    Take,
    merge_accounts,
    merge_contacts,
    merge_leads,
)
from salescore.serialization import to_json
from salescore.storage import InMemoryStore, SQLiteStore
from salescore.storage.protocols import Store

from .test_postgres import TABLES, _require_server

T0 = datetime(2026, 3, 2, 9, tzinfo=UTC)
MARK, PHONE = "quxa", "+4930901"
OTHER_MARK, OTHER_PHONE = "bysta", "+4940"
CAMPAIGN = Campaign.new(id="camp-1", at=T0, actor="t", name="Spring")
CADENCE = Cadence(
    id="cad-1",
    name="Calls",
    steps=(CadenceStep(kind=StepKind.CALL),),
    calendar=BusinessCalendar.weekdays(tz="Europe/Berlin"),
)

#: What a person's story has beside leads: a contact they were converted into,
#: a duplicate contact merged with it, a case they opened.
SHAPES = (
    ("lead",),
    ("contact",),
    ("contact", "twin"),
    ("contact", "case"),
    ("contact", "twin", "case"),
)
words = st.text(alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ", max_size=6)


@attrs.define
class World:
    """Everything a store is given, and what the test needs to know about it."""

    clock: datetime = T0
    ids: DeterministicIds = attrs.field(factory=lambda: DeterministicIds(namespace="p", seed=1))
    leads: dict[str, Lead] = attrs.field(factory=dict)
    contacts: dict[str, Contact] = attrs.field(factory=dict)
    accounts: dict[str, Account] = attrs.field(factory=dict)
    opportunities: dict[str, Opportunity] = attrs.field(factory=dict)
    merges: dict[str, Merge] = attrs.field(factory=dict)
    tasks: dict[str, Task] = attrs.field(factory=dict)
    cases: dict[str, ServiceCase] = attrs.field(factory=dict)
    interactions: dict[str, Interaction] = attrs.field(factory=dict)
    members: dict[str, CampaignMember] = attrs.field(factory=dict)
    enrollments: dict[str, Enrollment] = attrs.field(factory=dict)
    consents: dict[str, ConsentRecord] = attrs.field(factory=dict)
    campaign: Campaign = CAMPAIGN
    #: The person's records (the first: the one to forget) and the task done last.
    person: list[PartyRef] = attrs.field(factory=list)
    late_task: str | None = None
    #: The account and deal the conversion named after the person, and a later name.
    named: list[str] = attrs.field(factory=list)
    renamed: str | None = None

    def tick(self) -> datetime:
        self.clock += timedelta(hours=1)
        return self.clock

    def children(self) -> list[Any]:
        return [*self.members.values(), *self.enrollments.values(), *self.tasks.values()]

    def keep(self, *items: Any) -> None:
        for x in items:
            table = {
                Lead: self.leads,
                Contact: self.contacts,
                Account: self.accounts,
                Opportunity: self.opportunities,
                Merge: self.merges,
                Task: self.tasks,
                ServiceCase: self.cases,
                Interaction: self.interactions,
                CampaignMember: self.members,
                Enrollment: self.enrollments,
            }[type(x)]
            table[x.id] = x


def _task(world: World, subject: TaskSubject | PartyRef, mark: str, draw: Any) -> Task:
    at = world.tick()
    task = Task.new(
        id=world.ids.new("task"),
        at=at,
        actor="rep",
        subject=subject,
        title=f"{mark} call {draw(words)}",
        due_at=at + timedelta(days=1),
        notes=draw(st.sampled_from([None, f"{mark} said {draw(words)}"])),
        assignee_id=draw(st.sampled_from([None, "rep-1"])),
        priority=draw(st.sampled_from(["low", "urgent"])),
    )
    if draw(st.booleans()):
        task = task.update(notes=f"{mark} again {draw(words)}", at=world.tick(), actor="rep")
    if draw(st.booleans()):
        task = task.reschedule(world.clock + timedelta(days=2), at=world.tick(), actor="rep")
    return task


def _lead(world: World, mark: str, phone: str, n: int, draw: Any) -> Lead:
    lead = Lead.new(
        id=world.ids.new("lead"),
        at=world.tick(),
        actor="import",
        first_name=f"{mark}{draw(words)}",
        last_name=draw(st.sampled_from([None, f"{mark.title()}{draw(words)}"])),
        email=f"{mark}.{draw(words)}{n}@example.org",
        phone=draw(st.sampled_from([None, f"{phone}{n:03d}"])),
        title=draw(st.sampled_from([None, f"Head of {mark}"])),
        company="Acme",
        custom=draw(st.sampled_from([{}, {"hobby": f"{mark} {draw(words)}"}])),
    )
    world.keep(lead)
    for _ in range(draw(st.integers(0, 2))):
        world.keep(_task(world, lead.ref, mark, draw))
    if draw(st.booleans()):
        world.keep(
            Interaction.call(
                id=world.ids.new("interaction"),
                at=world.tick(),
                actor="rep",
                disposition="connected",
                party=lead.ref,
                notes=f"{mark} told me {draw(words)}",
                duration=timedelta(minutes=3),
            )
        )
    return lead


def _merge(world: World, merge: Any, a: Any, b: Any) -> Any:
    """Merge two records of ``world`` with every child; the survivor."""
    result = merge(
        a,
        b,
        at=world.tick(),
        actor="t",
        ids=world.ids,
        children=world.children(),
        interactions=world.interactions.values(),
    )
    world.keep(result.merge, result.survivor, result.tombstone, *result.children)
    world.keep(*result.interactions)
    return result.survivor


@st.composite
def worlds(draw: Any) -> World:
    """A person with merges, a conversion, tasks, a case; and a bystander."""
    world = World()
    shape = draw(st.sampled_from(SHAPES))
    bystander = _lead(world, OTHER_MARK, OTHER_PHONE, 0, draw)
    leads = [_lead(world, MARK, PHONE, n, draw) for n in range(draw(st.integers(1, 3)))]
    world.person += [x.ref for x in leads]
    first = leads[0]
    member = CampaignMember.new(
        id="m-1", at=world.tick(), actor="t", campaign=world.campaign, party=first.ref
    )
    enrolled = Enrollment.new(
        id="e-1", at=world.tick(), actor="t", cadence=CADENCE, party=first.ref, owner_id="rep-1"
    )
    world.keep(member, enrolled)
    consent = ConsentRecord.new(id="consent-1", at=world.tick(), actor="t", party=first.ref)
    world.consents[consent.id] = consent.object_to_direct_marketing(
        at=world.clock, actor="t", method="letter"
    )
    survivor = first
    for other in leads[1:]:  # the duplicates, merged one by one
        survivor = _merge(world, merge_leads, world.leads[survivor.id], world.leads[other.id])
    if "contact" in shape:  # converted into a contact
        lead = world.leads[survivor.id].move_to("qualified", at=world.tick(), actor="rep")
        nameless = draw(st.booleans())
        if nameless:  # the new account and deal are named after the person
            lead = lead.update(company=None, at=world.tick(), actor="rep")
        deal = draw(st.booleans())
        done = convert_lead(lead, at=world.tick(), actor="rep", ids=world.ids, opportunity=deal)
        world.keep(done.lead, done.contact, done.account)
        if done.opportunity is not None:
            world.keep(done.opportunity)
        if nameless:
            world.named += [done.account.id]
            world.named += [] if done.opportunity is None else [done.opportunity.id]
            if draw(st.booleans()):  # a user gave the account its real name since
                world.renamed = "Northwind"
                world.keep(done.account.update(name="Northwind", at=world.tick(), actor="rep"))
            if draw(st.booleans()):  # and merged it into a company's, which took its name
                bolt = Account.new(id="account-bolt", at=world.tick(), actor="t", name="Bolt")
                merged = merge_accounts(
                    bolt,
                    world.accounts[done.account.id],
                    at=world.tick(),
                    actor="t",
                    ids=world.ids,
                    policy=lambda a, b: a,
                    resolve={"name": Take.MERGED},
                    children=[x for x in (done.contact, done.opportunity) if x is not None],
                )
                world.keep(merged.merge, merged.survivor, merged.tombstone, *merged.children)
                if world.renamed is None:  # the company's account holds the person's name
                    world.named += [bolt.id, merged.merge.id]
        contact = world.contacts[done.contact.id]
        world.person.append(contact.ref)
        if "twin" in shape:  # and a duplicate contact, merged with it
            twin = Contact.new(
                id=world.ids.new("contact"),
                at=world.tick(),
                actor="t",
                first_name=f"{MARK}{draw(words)}",
                emails=(f"{MARK}.twin@example.org",),
                phones=(f"{PHONE}555",),
                title=f"Chief {MARK}",
            )
            world.keep(twin, _task(world, twin.ref, MARK, draw))
            world.person.append(twin.ref)
            contact = _merge(world, merge_contacts, world.contacts[contact.id], twin)
        if "case" in shape:  # a case the person opened, and a task about it
            case = ServiceCase.open(
                id=world.ids.new("case"),
                at=world.tick(),
                actor="t",
                requester_id=contact.id,
                subject=f"{MARK} cannot log in",
                description=f"Call me on {PHONE}777",
            ).reply(f"Dear {MARK}", at=world.tick(), actor="agent")
            subject = TaskSubject(TaskSubjectKind.CASE, case.id)
            world.keep(case, _task(world, subject, MARK, draw))
        if draw(st.booleans()):
            world.keep(_task(world, contact.ref, MARK, draw))
    if world.tasks and draw(st.booleans()):  # one task's last event is the latest of all
        late = draw(st.sampled_from(sorted(world.tasks)))
        task = world.tasks[late]
        if task.subject.id != bystander.id:
            world.keep(task.complete(at=world.tick(), actor="rep"))
            world.late_task = late
    world.person = [draw(st.sampled_from(world.person)), *world.person]  # forget this one
    return world


def _store_world(store: Store, world: World) -> None:
    with store.unit_of_work() as uow:
        uow.campaigns.add(world.campaign)
        for name in (
            "leads",
            "contacts",
            "accounts",
            "opportunities",
            "merges",
            "tasks",
            "cases",
            "enrollments",
        ):
            for x in getattr(world, name).values():
                getattr(uow, name).add(x)
        for m in world.members.values():
            uow.campaign_members.add(m)
        for c in world.consents.values():
            uow.consent_records.add(c)
        for i in world.interactions.values():
            uow.interactions.append(i)


# -- the stores, and a raw look at what each keeps ----------------------------------------------


class Backend:
    """Makes an empty store and dumps everything it keeps as text."""

    def make(self) -> Store:
        raise NotImplementedError

    def raw(self, store: Store) -> str:
        raise NotImplementedError

    def saved(self, store: Store) -> str:
        """What is stored, without caches that a read may build."""
        return self.raw(store)


class Memory(Backend):
    def make(self) -> Store:
        return InMemoryStore()

    def raw(self, store: Store) -> str:
        indexes = {
            (name, column): (index.keys, index.value_of)
            for name, columns in vars(store)["_indexes"].items()
            for column, index in columns.items()
            if index is not None
        }
        return f"{self.saved(store)}\n{indexes!r}"

    def saved(self, store: Store) -> str:
        found = vars(store)
        return repr((found["_tables"], found["_events"], found["_logged"]))


class SQLite(Backend):
    def __init__(self, directory: str) -> None:
        self.dir = directory
        self.n = 0
        self.store: Store | None = None

    def make(self) -> Store:
        self.close()
        self.n += 1
        self.path = os.path.join(self.dir, f"{self.n}.db")
        self.store = SQLiteStore(self.path)
        self.store.migrate()
        return self.store

    def close(self) -> None:
        if self.store is not None:
            self.store.close()

    def raw(self, store: Store) -> str:
        conn = sqlite3.connect(self.path)
        try:
            return "\n".join(conn.iterdump())
        finally:
            conn.close()


class Postgres(Backend):
    def __init__(self, conninfo: str) -> None:
        from salescore.storage import PostgresStore

        self.conninfo = conninfo
        self.store = PostgresStore(conninfo, max_size=2)
        self.store.migrate()

    def make(self) -> Store:
        with self.store._pool.connection() as conn:
            conn.execute(f"TRUNCATE {TABLES} RESTART IDENTITY")
        return self.store

    def raw(self, store: Store) -> str:
        out = []
        with self.store._pool.connection() as conn:
            for table in TABLES.split(", "):
                out += [str(row) for row in conn.execute(f"SELECT t::text FROM {table} t")]
        return "\n".join(out)


@pytest.fixture(scope="module", params=["memory", "sqlite", "postgres"])
def backend(request: pytest.FixtureRequest) -> Iterator[Backend]:
    if request.param == "memory":
        yield Memory()
    elif request.param == "sqlite":
        with tempfile.TemporaryDirectory(prefix="salescore-people-") as directory:
            lite = SQLite(directory)
            yield lite
            lite.close()
    else:
        import psycopg

        info = _require_server()
        name = f"salescore_people_{os.getpid()}"
        with psycopg.connect(info, autocommit=True) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {name}")
            admin.execute(f"CREATE DATABASE {name} ENCODING 'UTF8' TEMPLATE template0")
        pg = Postgres(f"{info} dbname={name}")
        yield pg
        pg.store.close()
        with psycopg.connect(info, autocommit=True) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def _log(store: Store) -> str:
    return "\n".join(to_json(r.event) for r in store.events_since(0))


def _exported(store: Store, party: PartyRef) -> str:
    return "\n".join(doc for docs in store.export_person(party).values() for doc in docs)


def _personal(text: str) -> list[str]:
    low = text.lower()
    return [token for token in (MARK, PHONE) if token in low]


@settings(
    max_examples=25,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(world=worlds())
def test_forget_leaves_nothing_personal_anywhere(backend: Backend, world: World) -> None:
    store = backend.make()
    _store_world(store, world)
    target, *person = world.person
    before_log = list(store.events_since(0))
    before_saved = backend.saved(store)
    assert MARK in _personal(_exported(store, target))  # the test can see the person
    if world.late_task is not None:  # all or nothing: one record refuses, nothing changes
        early = world.tasks[world.late_task].updated_at - timedelta(minutes=1)
        with pytest.raises(ValidationError):
            store.forget(target, at=early, actor="dpo")
        assert backend.saved(store) == before_saved
        assert list(store.events_since(0)) == before_log
    at = world.clock + timedelta(days=1)
    receipt = store.forget(target, at=at, actor="dpo", reason="request 42")

    for party in person:
        assert _personal(_exported(store, party)) == []
    assert _personal(_log(store)) == []
    assert _personal(backend.raw(store)) == []
    assert OTHER_MARK in _log(store)
    assert OTHER_MARK in backend.raw(store)

    # What was erased, and only that; one erasure event per erased aggregate.
    mine, named = {r.id for r in person}, set(world.named)
    erased = {
        "lead": {x.id for x in world.leads.values() if x.id in mine},
        "contact": {x.id for x in world.contacts.values() if x.id in mine},
        "merge": {
            m.id for m in world.merges.values() if {m.survivor, m.merged} & mine or m.id in named
        },
        "case": set(world.cases),
        "task": {t.id for t in world.tasks.values() if t.subject.id in mine | set(world.cases)},
        "interaction": {
            i.id for i in world.interactions.values() if i.party is not None and i.party.id in mine
        },
        "campaign_member": {"m-1"},
        "enrollment": {"e-1"},
        "account": {x for x in world.named if x in world.accounts},
        "opportunity": {x for x in world.named if x in world.opportunities},
    }
    got: dict[str, set[str]] = {kind: set() for kind in erased}
    for kind, key in receipt.records:
        got[kind].add(key)
    assert got == erased
    after_log = list(store.events_since(0))
    markers = [r.event for r in after_log[len(before_log) :]]
    assert [r.position for r in after_log[: len(before_log)]] == [r.position for r in before_log]
    assert [type(r.event) for r in after_log[: len(before_log)]] == [
        type(r.event) for r in before_log
    ]
    assert [r.event.at for r in after_log[: len(before_log)]] == [r.event.at for r in before_log]
    assert sorted(m.subject_id for m in markers) == sorted(
        erased["lead"]
        | erased["contact"]
        | erased["case"]
        | erased["task"]
        | erased["account"]
        | erased["opportunity"]
    )
    assert all(
        isinstance(m, FieldsChanged) and (m.reason, m.at) == (ERASURE_REASON, at) for m in markers
    )
    with store.unit_of_work() as uow:
        for old in world.tasks.values():
            new = uow.tasks.get(old.id)
            if old.id in erased["task"]:
                assert (new.title, new.notes, new.version) == (ERASED, None, old.version + 1)
                kept = ("subject", "status", "due_at", "assignee_id", "priority", "kind")
                assert [getattr(new, f) for f in kept] == [getattr(old, f) for f in kept]
                assert Task.from_events(new.history) == new
            else:
                assert new == old  # the bystander's
        for old_merge in world.merges.values():
            merge = uow.merges.get(old_merge.id)
            assert (merge.version, merge.survivor, merge.merged, merge.repointed) == (
                old_merge.version,
                old_merge.survivor,
                old_merge.merged,
                old_merge.repointed,
            )
            assert set(merge.fields) == set(old_merge.fields)
        for repo, olds in (
            (uow.accounts, world.accounts),
            (uow.opportunities, world.opportunities),
        ):
            for old in olds.values():
                named = repo.get(old.id)
                if old.id in world.named:  # the person's name goes, a name given since stays
                    renamed = old.id in world.accounts and world.renamed
                    name = world.renamed if renamed else ERASED
                    assert (named.name, named.version) == (name, old.version + 1)
                    assert type(old).from_events(named.history) == named
                    kept = ("account_id", "amount", "stage", "created_at")
                    assert [getattr(named, f, None) for f in kept] == [
                        getattr(old, f, None) for f in kept
                    ]
                else:
                    assert named == old  # named after a company
        assert uow.consent_records.get("consent-1") == world.consents["consent-1"]

        assert uow.enrollments.get("e-1") == world.enrollments["e-1"]
        assert uow.campaign_members.get("m-1") == world.members["m-1"]
        assert len(uow.leads.find().items) == len(world.leads)


# -- exact cases ---------------------------------------------------------------------------------


def _todo(key: str, subject: Any, title: str, notes: str | None = None) -> Task:
    return Task.new(
        id=key,
        at=T0,
        actor="rep",
        subject=subject,
        title=title,
        due_at=T0 + timedelta(days=1),
        notes=notes,
    )


def _contact(n: int, **fields: Any) -> Contact:
    return Contact.new(id=f"contact-{n}", at=T0, actor="t", **fields)


def test_a_contact_merge_keeps_no_contact_value(backend: Backend) -> None:
    store = backend.make()
    a = _contact(1, first_name="Ana", emails=("ana@acme.io",), title="CFO")
    b = _contact(2, last_name="Sílva", phones=("+4930901820",), emails=("ana@home.example",))
    task = _todo("task-1", b.ref, "Call Ana Sílva", notes="she prefers +4930901820")
    ids = DeterministicIds(namespace="t", seed=1)
    done = merge_contacts(a, b, at=T0 + timedelta(hours=1), actor="t", ids=ids, children=[task])
    with store.unit_of_work() as uow:
        uow.contacts.add(done.survivor)
        uow.contacts.add(done.tombstone)
        uow.merges.add(done.merge)
        uow.tasks.add(done.children[0])
    assert "ana@home.example" in to_json(done.merge)
    receipt = store.forget(a.ref, at=T0 + timedelta(days=1), actor="dpo")
    assert receipt.records == (
        ("contact", "contact-1"),
        ("contact", "contact-2"),
        ("merge", done.merge.id),
        ("task", "task-1"),
    )
    with store.unit_of_work() as uow:
        merge = uow.merges.get(done.merge.id)
        survivor = uow.contacts.get(done.survivor.id)
        erased_task = uow.tasks.get("task-1")
    assert merge.kind is MergeKind.CONTACT
    assert dict(merge.fields) == {
        name: (Contact.field_table.personal[name],) * 2 for name in done.merge.fields
    }
    assert (survivor.emails, survivor.phones, survivor.title) == ((), (), None)
    assert (erased_task.title, erased_task.notes, erased_task.subject) == (
        ERASED,
        None,
        TaskSubject.of(done.survivor.ref),
    )
    for secret in ("Ana", "Sílva", "ana@", "+4930901820", "CFO"):
        assert secret not in _log(store)
        assert secret not in backend.raw(store)
        assert secret not in _exported(store, b.ref)


def _converted(store: Store, company: str | None = None, **person: Any) -> Any:
    """A lead of ``person`` converted (a new account and deal) and stored; the conversion."""
    lead = Lead.new(id="lead-1", at=T0, actor="import", company=company, **person)
    lead = lead.move_to("qualified", at=T0 + timedelta(hours=1), actor="rep")
    ids = DeterministicIds(namespace="t", seed=1)
    done = convert_lead(lead, at=T0 + timedelta(hours=2), actor="rep", ids=ids)
    with store.unit_of_work() as uow:
        for repo, item in (
            (uow.leads, done.lead),
            (uow.contacts, done.contact),
            (uow.accounts, done.account),
            (uow.opportunities, done.opportunity),
        ):
            repo.add(item)
    return done


@pytest.mark.parametrize(
    ("person", "secrets"),
    [
        (
            {"first_name": "Ana", "last_name": "Sílva", "email": "ana@home.example"},
            ("Ana", "Sílva"),
        ),
        ({"email": "ana@home.example"}, ("ana@home.example",)),
    ],
)
def test_the_account_and_deal_named_after_a_lead_without_a_company_are_erased(
    backend: Backend, person: dict[str, str], secrets: tuple[str, ...]
) -> None:
    store = backend.make()
    done = _converted(store, **person)
    assert done.account.name == done.opportunity.name == " ".join(secrets)
    docs = store.export_person(done.lead.ref)
    assert (docs["accounts"], docs["opportunities"]) == (
        (to_json(done.account),),
        (to_json(done.opportunity),),
    )
    before = store.last_position()
    at = T0 + timedelta(days=1)
    receipt = store.forget(done.contact.ref, at=at, actor="dpo")
    assert receipt.records == (
        ("lead", "lead-1"),
        ("contact", done.contact.id),
        ("account", done.account.id),
        ("opportunity", done.opportunity.id),
    )
    with store.unit_of_work() as uow:
        account = uow.accounts.get(done.account.id)
        deal = uow.opportunities.get(done.opportunity.id)
    assert (account.name, account.version) == (ERASED, done.account.version + 1)
    assert (deal.name, deal.version, deal.stage, deal.account_id) == (
        ERASED,
        done.opportunity.version + 1,
        done.opportunity.stage,
        account.id,
    )
    marker = FieldsChanged(
        subject_id=account.id,
        at=at,
        actor="dpo",
        changes={"name": (ERASED, ERASED)},
        reason=ERASURE_REASON,
    )
    assert account.history[-1] == marker
    assert deal.history[-1] == attrs.evolve(marker, subject_id=deal.id)
    assert (Account.from_events(account.history), Opportunity.from_events(deal.history)) == (
        account,
        deal,
    )
    assert store.last_position() == before + 4  # lead, contact, account, deal
    docs = store.export_person(done.lead.ref)  # nothing of the person is left in them
    assert (docs["accounts"], docs["opportunities"]) == ((), ())
    for secret in (*secrets, "ana@"):
        assert secret not in _log(store)
        assert secret not in backend.raw(store)
        assert secret not in _exported(store, done.lead.ref)


def test_an_account_and_deal_named_after_the_company_are_kept(backend: Backend) -> None:
    store = backend.make()
    done = _converted(store, "Acme", first_name="Ana", email="ana@acme.io")
    assert store.export_person(done.lead.ref)["accounts"] == ()
    receipt = store.forget(done.lead.ref, at=T0 + timedelta(days=1), actor="dpo")
    assert [kind for kind, _ in receipt.records] == ["lead", "contact"]
    with store.unit_of_work() as uow:
        assert uow.accounts.get(done.account.id) == done.account
        assert uow.opportunities.get(done.opportunity.id) == done.opportunity
    assert "Ana" not in backend.raw(store)


def test_a_renamed_account_keeps_its_new_name_and_loses_the_persons(backend: Backend) -> None:
    store = backend.make()
    done = _converted(store, first_name="Ana", last_name="Sílva")
    at = T0 + timedelta(hours=3)
    with store.unit_of_work() as uow:
        renamed = uow.accounts.get(done.account.id).update(name="Northwind", at=at, actor="rep")
        deal = uow.opportunities.get(done.opportunity.id)
        deal = deal.update(name="Northwind renewal", at=at, actor="rep")
        uow.accounts.save(renamed)
        uow.opportunities.save(deal)
    assert "Ana Sílva" in _exported(store, done.lead.ref)
    store.forget(done.lead.ref, at=T0 + timedelta(days=1), actor="dpo")
    with store.unit_of_work() as uow:
        account = uow.accounts.get(renamed.id)
        new_deal = uow.opportunities.get(deal.id)
    assert (account.name, new_deal.name) == ("Northwind", "Northwind renewal")
    assert account.history[1].changes == {"name": (ERASED, "Northwind")}  # type: ignore[attr-defined]
    assert account.history[-1].changes == {"name": ("Northwind", "Northwind")}  # type: ignore[attr-defined]
    assert new_deal.history[0].name == ERASED  # type: ignore[attr-defined]
    assert "Sílva" not in _log(store)
    assert "Sílva" not in backend.raw(store)


def test_an_account_merged_after_the_conversion_keeps_no_trace_of_the_name(
    backend: Backend,
) -> None:
    store = backend.make()
    done = _converted(store, first_name="Ana", last_name="Sílva")
    acme = Account.new(id="account-acme", at=T0, actor="t", name="Acme", domain="acme.io")
    at = T0 + timedelta(hours=3)
    ids = DeterministicIds(namespace="m", seed=1)
    with store.unit_of_work() as uow:
        mine = uow.accounts.get(done.account.id)
        merged = merge_accounts(
            acme, mine, at=at, actor="t", ids=ids, resolve={"name": Take.MERGED}
        )
        uow.accounts.add(merged.survivor)
        uow.accounts.save(merged.tombstone)
        uow.merges.add(merged.merge)
    assert (merged.survivor.id, merged.survivor.name) == ("account-acme", "Ana Sílva")
    docs = store.export_person(done.lead.ref)
    assert docs["merges"] == (to_json(merged.merge),)
    assert len(docs["accounts"]) == 2
    receipt = store.forget(done.lead.ref, at=T0 + timedelta(days=1), actor="dpo")
    assert ("merge", merged.merge.id) in receipt.records
    with store.unit_of_work() as uow:
        survivor = uow.accounts.get("account-acme")
        merge = uow.merges.get(merged.merge.id)
    assert (survivor.name, survivor.domain, survivor.history[0].name) == (  # type: ignore[attr-defined]
        ERASED,
        "acme.io",
        "Acme",
    )
    assert (dict(merge.fields), merge.version) == ({"name": ("Acme", ERASED)}, 1)
    for secret in ("Ana", "Sílva"):
        assert secret not in _log(store)
        assert secret not in backend.raw(store)


def test_a_deal_erasure_before_its_last_event_changes_nothing(backend: Backend) -> None:
    store = backend.make()
    done = _converted(store, first_name="Ana", email="ana@home.example")
    with store.unit_of_work() as uow:
        deal = uow.opportunities.get(done.opportunity.id)
        uow.opportunities.save(
            deal.update(next_step="demo", at=T0 + timedelta(days=2), actor="rep")
        )
    saved = backend.saved(store)
    with pytest.raises(ValidationError) as info:
        store.forget(done.lead.ref, at=T0 + timedelta(days=1), actor="dpo")
    assert info.value.paths == ("at",)
    assert backend.saved(store) == saved
    assert "Ana" in backend.raw(store)


def test_a_task_about_the_persons_case_is_erased_and_an_opportunity_is_not(
    backend: Backend,
) -> None:
    store = backend.make()
    contact = _contact(1, first_name="Ana")
    case = ServiceCase.open(
        id="case-1", at=T0, actor="t", requester_id="contact-1", subject="Ana cannot log in"
    )
    about_case = _todo("task-1", TaskSubject(TaskSubjectKind.CASE, "case-1"), "Ring Ana")
    about_deal = _todo(
        "task-2", TaskSubject(TaskSubjectKind.OPPORTUNITY, "opp-1"), "Send the quote"
    )
    with store.unit_of_work() as uow:
        uow.contacts.add(contact)
        uow.cases.add(case)
        uow.tasks.add(about_case)
        uow.tasks.add(about_deal)
    docs = store.export_person(contact.ref)
    assert docs["tasks"] == (to_json(about_case),)
    store.forget(contact.ref, at=T0 + timedelta(days=1), actor="dpo")
    with store.unit_of_work() as uow:
        assert uow.tasks.get("task-1").title == ERASED
        assert uow.tasks.get("task-2") == about_deal


def test_every_repository_is_exported(backend: Backend) -> None:
    store = backend.make()
    lead = Lead.new(id="lead-1", at=T0, actor="t", email="ana@acme.io")
    with store.unit_of_work() as uow:
        uow.leads.add(lead)
    docs = store.export_person(lead.ref)
    assert docs == {
        "leads": (to_json(lead),),
        "contacts": (),
        "accounts": (),
        "opportunities": (),
        "merges": (),
        "cases": (),
        "interactions": (),
        "campaign_members": (),
        "tasks": (),
        "enrollments": (),
        "consent_records": (),
    }


def test_a_task_erasure_before_its_last_event_changes_nothing(backend: Backend) -> None:
    store = backend.make()
    lead = Lead.new(id="lead-1", at=T0, actor="t", email="ana@acme.io")
    task = _todo("task-1", lead.ref, "Call Ana").complete(at=T0 + timedelta(days=2), actor="rep")
    with store.unit_of_work() as uow:
        uow.leads.add(lead)
        uow.tasks.add(task)
    saved = backend.saved(store)
    with pytest.raises(ValidationError) as info:
        store.forget(lead.ref, at=T0 + timedelta(days=1), actor="dpo")
    assert info.value.paths == ("at",)
    assert backend.saved(store) == saved
    with store.unit_of_work() as uow:
        assert (uow.leads.get("lead-1"), uow.tasks.get("task-1")) == (lead, task)


# -- the pure functions ----------------------------------------------------------------------


def test_an_account_merge_keeps_no_personal_value_and_is_returned_unchanged() -> None:
    a = Account.new(id="account-1", at=T0, actor="t", name="Acme")
    b = Account.new(id="account-2", at=T0, actor="t", name="Acme GmbH", domain="acme.io")
    ids = DeterministicIds(namespace="t", seed=1)
    merge = merge_accounts(a, b, at=T0 + timedelta(hours=1), actor="t", ids=ids).merge
    out = erase_person(
        PartyRef.contact("contact-1"), at=T0, actor="dpo", reason="r", merges=[merge]
    )
    assert out.merges == (merge,)
    assert out.receipt.records == (("merge", merge.id),)


def test_erase_person_erases_tasks_in_state_and_history() -> None:
    task = _todo("task-1", PartyRef.lead("lead-1"), "Call Ana", notes="Ana's number: +4930901820")
    task = task.update(title="Call Ana Sílva", notes="mobile", at=T0, actor="rep")
    task = task.complete(at=T0 + timedelta(hours=1), actor="rep")
    at = T0 + timedelta(days=1)
    assert Task.field_table.personal == {"title": ERASED, "notes": None}
    out = erase_person(PartyRef.lead("lead-1"), at=at, actor="dpo", reason="r", tasks=[task])
    (erased,) = out.tasks
    assert (erased.title, erased.notes, erased.status, erased.due_at) == (
        ERASED,
        None,
        task.status,
        task.due_at,
    )
    assert erased.version == task.version + 1
    assert erased.history[-1] == FieldsChanged(
        subject_id="task-1",
        at=at,
        actor="dpo",
        changes={"title": (ERASED, ERASED), "notes": (None, None)},
        reason=ERASURE_REASON,
    )
    assert erased.history[2].changes == {  # type: ignore[attr-defined]
        "title": (ERASED, ERASED),
        "notes": (None, None),
    }
    assert Task.from_events(erased.history) == erased
    for secret in ("Ana", "Sílva", "+4930901820", "mobile"):
        assert secret not in to_json(erased)
    assert out.receipt.records == (("task", "task-1"),)


def test_erase_person_erases_a_name_the_conversion_took_from_the_person_only() -> None:
    ids = DeterministicIds(namespace="t", seed=1)
    done, unconverted = [], []
    for company, name in ((None, "Ana"), ("Acme", "Bea")):
        lead = Lead.new(id=f"lead-{name}", at=T0, actor="t", first_name=name, company=company)
        unconverted.append(lead.move_to("qualified", at=T0, actor="rep"))
        done.append(convert_lead(unconverted[-1], at=T0, actor="rep", ids=ids))
    ana, bea = done
    records = [ana.account, ana.opportunity, bea.account, bea.opportunity]
    assert named_after([ana.lead, bea.lead], records) == records[:2]
    assert named_after(unconverted, records) == []
    at = T0 + timedelta(days=1)
    out = erase_person(
        ana.lead.ref,
        at=at,
        actor="dpo",
        reason="r",
        leads=[ana.lead, bea.lead],
        accounts=[ana.account, bea.account],
        opportunities=[ana.opportunity],
    )
    assert [x.name for x in (*out.accounts, *out.opportunities)] == [ERASED, "Acme", ERASED]
    assert out.accounts[1] is bea.account
    assert out.receipt.records[-3:] == (
        ("account", ana.account.id),
        ("account", bea.account.id),
        ("opportunity", ana.opportunity.id),
    )
    assert all("Ana" not in to_json(x) for x in (*out.accounts, *out.opportunities))
    # a name given since is the user's, even one holding the person's: it stays as typed
    typed = ana.account.update(name="Ana Design", at=at, actor="rep")
    (kept,) = erase_person(
        ana.lead.ref, at=at, actor="dpo", reason="r", leads=[ana.lead], accounts=[typed]
    ).accounts
    assert (kept.name, kept.history[0].name) == ("Ana Design", ERASED)  # type: ignore[attr-defined]
