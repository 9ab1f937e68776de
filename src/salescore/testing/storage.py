"""The storage conformance kit: one test suite that every store must pass.

An adapter runs it by subclassing :class:`StoreConformance` in a pytest test
module and providing the ``store_factory`` fixture: a function that returns
a new, empty, migrated store each time it is called::

    import pytest
    from salescore.storage import InMemoryStore
    from salescore.testing.storage import StoreConformance

    class TestInMemoryStore(StoreConformance):
        @pytest.fixture
        def store_factory(self):
            return InMemoryStore

The suite covers every method of the port, ``find`` against
:meth:`Rule.evaluate` on generated aggregates and rules, ordering and keyset
pagination, round trips of every stored type, rollback, a two-writer race in
which exactly one wins, concurrent increments, and the event log's order and
completeness. It needs ``pytest`` and ``hypothesis``
(``pip install 'salescore[testing]'``).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import closing
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from salescore.calendar import BusinessCalendar
from salescore.domain.campaigns import Campaign, CampaignMember
from salescore.domain.events import FieldsChanged
from salescore.domain.interactions import Channel, Interaction
from salescore.domain.leads import Lead
from salescore.domain.parties import Contact, PartyKind, PartyRef
from salescore.domain.service import ServiceCase
from salescore.domain.team import Rep
from salescore.errors import ConcurrencyError, NotFound, StorageError, ValidationError
from salescore.ids import DeterministicIds
from salescore.outreach.cadences import Cadence, CadenceStep, Enrollment, StepKind
from salescore.outreach.consent import ConsentRecord, ConsentStatus, Purpose
from salescore.outreach.erasure import ERASED, ERASURE_REASON
from salescore.outreach.merges import Merge, merge_leads
from salescore.rules import Rule, Truth, field
from salescore.serialization import to_json
from salescore.storage._catalog import REPOSITORIES, column_value
from salescore.storage.protocols import Store
from salescore.testing import strategies as ss

__all__ = ["LEAD_RULE_FIELDS", "StoreConformance", "reference_order"]

#: The lead fields the generated rules read: indexed ones and others.
LEAD_RULE_FIELDS: tuple[str, ...] = (
    "status",
    "score",
    "employees",
    "industry",
    "country",
    "company",
    "created_at",
    "owner_id",
    "custom.budget",
    "annual_revenue",
    "title",
)

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
# Text the domain accepts that is awkward for storage: SQL, quoting, LIKE/GLOB wildcards,
# non-BMP characters, C1 controls and bidi marks (C0 controls such as NUL never get this
# far: one-line text refuses them when a record is built).
HOSTILE = (
    "'; DROP TABLE leads; --",
    'quote " and \\ backslash',
    "wildcards % _ * ? [a]",
    "c1 \x85 next-line, \u202e bidi",
    "emoji 😀 ✓",
)

_FIXTURE_CHECKS = settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.differing_executors,  # one suite, run by each adapter class
    ],
)


def reference_order(items: list[Any], repository: str, order_by: str) -> list[str]:
    """The keys of ``items`` in ``find``'s order: by the field, nulls last, ties by key."""
    spec = REPOSITORIES[repository]
    desc = order_by.startswith("-")
    column = spec.by_path[order_by.lstrip("-")]
    keyed = [(column_value(x, column), str(getattr(x, spec.key))) for x in items]
    present = sorted((k for k in keyed if k[0] is not None), key=lambda k: k[1])
    present.sort(key=lambda k: k[0], reverse=desc)
    nulls = sorted((k for k in keyed if k[0] is None), key=lambda k: k[1])
    return [k for _, k in present + nulls]


def _lead(n: int, **fields: Any) -> Lead:
    fields.setdefault("company", f"Company {n}")
    return Lead.new(id=f"lead-{n:04d}", at=T0, actor="test", **fields)


def _steps(n: int) -> Any:
    return tuple(CadenceStep(kind=StepKind.CALL) for _ in range(n))


def _merge(email: str) -> Merge:
    a = _lead(9001, email=email, first_name="Ana")
    b = _lead(9002, email=email, phone="+4930901820")
    ids = DeterministicIds(namespace="kit", seed=1)
    return merge_leads(a, b, at=T0 + timedelta(hours=1), actor="test", ids=ids).merge


def _add_all(store: Store, repository: str, items: list[Any]) -> None:
    with store.unit_of_work() as uow:
        repo = getattr(uow, repository)
        for x in items:
            (repo.append if repository == "interactions" else repo.add)(x)


def _all_pages(store: Store, repository: str, where: Any, order_by: str, limit: int) -> list[str]:
    keys: list[str] = []
    after = None
    key = REPOSITORIES[repository].key
    with store.unit_of_work() as uow:
        repo = getattr(uow, repository)
        while True:
            page = repo.find(where, order_by=order_by, limit=limit, after=after)
            assert len(page.items) <= limit
            keys += [str(getattr(x, key)) for x in page.items]
            if page.cursor is None:
                return keys
            assert len(page.items) == limit
            after = page.cursor


class StoreConformance:
    """The shared suite. Subclass it and override the ``store_factory`` fixture."""

    @pytest.fixture
    def store_factory(self) -> Callable[[], Store]:
        """Return a function that makes a new, empty, migrated store."""
        raise NotImplementedError("override the store_factory fixture")

    @pytest.fixture
    def store(self, store_factory: Callable[[], Store]) -> Iterator[Store]:
        """An empty store, closed afterwards."""
        store = store_factory()
        yield store
        store.close()

    # -- the basics --------------------------------------------------------------------------

    def test_empty_store(self, store: Store) -> None:
        assert list(store.events_since(0)) == []
        assert store.last_position() == 0
        with store.unit_of_work() as uow:
            for name in REPOSITORIES:
                page = getattr(uow, name).find()
                assert (page.items, page.cursor) == ((), None)
            with pytest.raises(NotFound):
                uow.leads.get("lead-0001")
            assert uow.settings.keys() == ()

    def test_migrate_is_idempotent(self, store: Store) -> None:
        _add_all(store, "leads", [_lead(1)])
        store.migrate()
        with store.unit_of_work() as uow:
            assert uow.leads.get("lead-0001") == _lead(1)

    def test_add_get_save(self, store: Store) -> None:
        lead = _lead(1, email="ana@acme.io")
        with store.unit_of_work() as uow:
            uow.leads.add(lead)
            assert uow.leads.get(lead.id) == lead  # reads see the unit's own writes
        with store.unit_of_work() as uow:
            got = uow.leads.get(lead.id)
            assert got == lead
            changed = got.set_score(55.0, at=T0 + timedelta(hours=1), actor="rep-7")
            uow.leads.save(changed)
        with store.unit_of_work() as uow:
            stored = uow.leads.get(lead.id)
        assert stored == changed
        assert stored.version == lead.version + 1
        assert [r.event for r in store.events_since(0)] == list(changed.history)

    def test_save_needs_a_read_or_an_expected_version(self, store: Store) -> None:
        lead = _lead(1)
        _add_all(store, "leads", [lead])
        later = lead.set_score(10.0, at=T0, actor="rep")
        with store.unit_of_work() as uow, pytest.raises(ValidationError) as info:
            uow.leads.save(later)
        assert info.value.paths == ("expected_version",)
        with store.unit_of_work() as uow:
            uow.leads.save(later, expected_version=lead.version)
        with store.unit_of_work() as uow:
            assert uow.leads.get(lead.id).score == 10.0

    def test_stale_expected_version_writes_nothing(self, store: Store) -> None:
        lead = _lead(1)
        _add_all(store, "leads", [lead])
        uow = store.unit_of_work()
        uow.leads.add(_lead(2))
        uow.leads.save(lead.set_score(3.0, at=T0, actor="rep"), expected_version=2)
        with pytest.raises(ConcurrencyError):
            uow.commit()
        with store.unit_of_work() as uow:
            with pytest.raises(NotFound):
                uow.leads.get("lead-0002")
            assert uow.leads.get(lead.id).score == 0.0
        assert store.last_position() == lead.version

    def test_adding_an_existing_id_writes_nothing(self, store: Store) -> None:
        _add_all(store, "leads", [_lead(1)])
        position = store.last_position()
        uow = store.unit_of_work()
        uow.leads.add(_lead(2))
        uow.leads.add(_lead(1, company="Other"))
        with pytest.raises(ConcurrencyError):
            uow.commit()
        assert store.last_position() == position
        with store.unit_of_work() as uow:
            assert [x.id for x in uow.leads.find().items] == ["lead-0001"]

    def test_rollback_on_exception(self, store: Store) -> None:
        class Boom(Exception):
            pass

        def fail_midway() -> None:
            with store.unit_of_work() as uow:
                uow.leads.add(_lead(1))
                raise Boom

        with pytest.raises(Boom):
            fail_midway()
        with store.unit_of_work() as uow:
            assert uow.leads.find().items == ()
            uow.leads.add(_lead(2))
            uow.rollback()
        with store.unit_of_work() as uow:
            assert uow.leads.find().items == ()
        assert list(store.events_since(0)) == []

    def test_finished_unit_refuses_use(self, store: Store) -> None:
        with store.unit_of_work() as uow:
            pass
        with pytest.raises(StorageError):
            uow.leads.get("lead-0001")

    def test_wrong_type_is_refused(self, store: Store) -> None:
        with store.unit_of_work() as uow, pytest.raises(ValidationError) as info:
            uow.leads.add(Rep(id="rep-1", name="Ana"))  # type: ignore[arg-type]
        assert info.value.paths == ("leads",)

    # -- documents, settings, interactions ------------------------------------------------------

    def test_documents_are_versioned(self, store: Store) -> None:
        rep = Rep(id="rep-1", name="Ana")
        _add_all(store, "reps", [rep])
        with store.unit_of_work() as uow:
            assert uow.reps.version("rep-1") == 1
            uow.reps.save(Rep(id="rep-1", name="Ana Silva"))
        with store.unit_of_work() as uow:
            assert uow.reps.get("rep-1").name == "Ana Silva"
            assert uow.reps.version("rep-1") == 2
        with pytest.raises(ConcurrencyError), store.unit_of_work() as uow:
            uow.reps.save(Rep(id="rep-1", name="Stale"), expected_version=1)
        with store.unit_of_work() as uow:
            assert uow.reps.get("rep-1").name == "Ana Silva"
        assert list(store.events_since(0)) == []

    def test_settings(self, store: Store) -> None:
        rep = Rep(id="rep-9", name="Default owner")
        with store.unit_of_work() as uow:
            uow.settings.add("routing.default_owner", rep)
        with store.unit_of_work() as uow:
            assert uow.settings.get("routing.default_owner", Rep) == rep
            assert uow.settings.version("routing.default_owner") == 1
            uow.settings.save("routing.default_owner", Rep(id="rep-9", name="B"))
            assert uow.settings.keys() == ("routing.default_owner",)
        with store.unit_of_work() as uow:
            assert uow.settings.version("routing.default_owner") == 2
            with pytest.raises(NotFound):
                uow.settings.get("absent", Rep)
        with pytest.raises(ConcurrencyError), store.unit_of_work() as uow:
            uow.settings.add("routing.default_owner", rep)

    @given(data=st.data())
    @_FIXTURE_CHECKS
    def test_interactions_are_append_only(
        self, store_factory: Callable[[], Store], data: st.DataObject
    ) -> None:
        items = data.draw(st.lists(ss.interactions(), max_size=6, unique_by=lambda x: x.id))
        with closing(store_factory()) as store:
            _add_all(store, "interactions", items)
            with store.unit_of_work() as uow:
                for x in items:
                    assert uow.interactions.get(x.id) == x
                assert not hasattr(uow.interactions, "save")
            if items:
                with pytest.raises(ConcurrencyError), store.unit_of_work() as uow:
                    uow.interactions.append(items[0])
            expected = reference_order(items, "interactions", "at")
            assert _all_pages(store, "interactions", None, "at", 2) == expected

    # -- round trips of every stored type --------------------------------------------------

    @given(data=st.data())
    @_FIXTURE_CHECKS
    def test_round_trip_of_every_type(
        self, store_factory: Callable[[], Store], data: st.DataObject
    ) -> None:
        drawn = {
            "leads": data.draw(ss.leads()),
            "contacts": data.draw(ss.contacts()),
            "accounts": data.draw(ss.accounts()),
            "opportunities": data.draw(ss.opportunities()),
            "campaigns": data.draw(ss.campaigns()),
            "campaign_members": data.draw(ss.campaign_members()),
            "cases": data.draw(ss.service_cases()),
            "tasks": data.draw(ss.tasks()),
            "products": data.draw(ss.products()),
            "price_books": data.draw(ss.price_books()),
            "reps": data.draw(ss.reps()),
            "teams": data.draw(ss.teams()),
            "queues": data.draw(ss.queues()),
            "interactions": data.draw(ss.interactions()),
            "enrollments": data.draw(ss.enrollments()),
            "consent_records": data.draw(ss.consent_records()),
            "merges": _merge(data.draw(st.emails())),
        }
        assert set(drawn) == set(REPOSITORIES)
        with closing(store_factory()) as store:
            with store.unit_of_work() as uow:
                for name, item in drawn.items():
                    repo = getattr(uow, name)
                    (repo.append if name == "interactions" else repo.add)(item)
            with store.unit_of_work() as uow:
                for name, item in drawn.items():
                    key = getattr(item, REPOSITORIES[name].key)
                    got = getattr(uow, name).get(key)
                    assert got == item
                    assert to_json(got) == to_json(item)
            histories = [e for x in drawn.values() for e in getattr(x, "history", ())]
            assert [r.event for r in store.events_since(0)] == histories

    def test_hostile_strings_round_trip(self, store: Store) -> None:
        leads = [_lead(i, company=text, title=text) for i, text in enumerate(HOSTILE)]
        _add_all(store, "leads", leads)
        with store.unit_of_work() as uow:
            for lead, text in zip(leads, HOSTILE, strict=True):
                assert uow.leads.get(lead.id) == lead
                assert uow.leads.find(field("company") == text).items == (lead,)
                assert uow.leads.find(field("title") == text).items == (lead,)

    # -- find --------------------------------------------------------------------------------

    @given(data=st.data())
    @_FIXTURE_CHECKS
    def test_find_is_rule_evaluate(
        self, store_factory: Callable[[], Store], data: st.DataObject
    ) -> None:
        leads = data.draw(st.lists(ss.leads(), max_size=12, unique_by=lambda x: x.id))
        rules = data.draw(
            st.lists(ss.rules(fields=LEAD_RULE_FIELDS, counts=False, max_leaves=6), max_size=5)
        )
        with closing(store_factory()) as store:
            _add_all(store, "leads", leads)
            with store.unit_of_work() as uow:
                for rule in rules:
                    at = T0 if rule.needs_at else None
                    expected = sorted(x.id for x in leads if rule.evaluate(x, at) is Truth.TRUE)
                    got = [x.id for x in uow.leads.find(rule, at=at).items]
                    assert got == expected, rule.to_text()

    @given(data=st.data())
    @_FIXTURE_CHECKS
    def test_ordering_and_pagination(
        self, store_factory: Callable[[], Store], data: st.DataObject
    ) -> None:
        leads = data.draw(st.lists(ss.leads(moves=False), max_size=15, unique_by=lambda x: x.id))
        names = sorted(REPOSITORIES["leads"].by_path)
        order_by = data.draw(
            st.sampled_from(names).flatmap(lambda n: st.sampled_from([n, "-" + n]))
        )
        limit = data.draw(st.integers(1, 6))
        where: Rule | None = data.draw(st.sampled_from([None, field("score") >= 50]))
        with closing(store_factory()) as store:
            _add_all(store, "leads", leads)
            kept = [x for x in leads if where is None or where.evaluate(x) is Truth.TRUE]
            expected = reference_order(kept, "leads", order_by)
            assert _all_pages(store, "leads", where, order_by, limit) == expected

    def test_find_sees_the_units_own_writes(self, store: Store) -> None:
        _add_all(store, "leads", [_lead(1, employees=10), _lead(3, employees=30)])
        with store.unit_of_work() as uow:
            uow.leads.add(_lead(2, employees=20))
            first = uow.leads.get("lead-0001")
            uow.leads.save(first.update(employees=40, at=T0, actor="rep"))
            page = uow.leads.find("employees >= 20", order_by="-employees", limit=2)
            assert [x.id for x in page.items] == ["lead-0001", "lead-0003"]
            rest = uow.leads.find("employees >= 20", order_by="-employees", after=page.cursor)
            assert [x.id for x in rest.items] == ["lead-0002"]
            assert rest.cursor is None

    def test_bad_find_arguments(self, store: Store) -> None:
        with store.unit_of_work() as uow:
            with pytest.raises(ValidationError) as info:
                uow.leads.find("budgett >= 5")
            assert info.value.paths == ("budgett",)
            with pytest.raises(ValidationError) as info:
                uow.leads.find(order_by="title")
            assert info.value.paths == ("order_by",)
            with pytest.raises(ValidationError) as info:
                uow.leads.find(limit=0)
            assert info.value.paths == ("limit",)
            page = uow.leads.find(order_by="score", limit=1)
            with pytest.raises(ValidationError) as info:
                uow.leads.find(order_by="-score", after="not a cursor")
            assert info.value.paths == ("after",)
            assert page.cursor is None

    def test_cursor_is_tied_to_its_ordering(self, store: Store) -> None:
        _add_all(store, "leads", [_lead(1), _lead(2)])
        with store.unit_of_work() as uow:
            page = uow.leads.find(order_by="score", limit=1)
            assert page.cursor is not None
            with pytest.raises(ValidationError) as info:
                uow.leads.find(order_by="-score", after=page.cursor)
            assert info.value.paths == ("after",)

    # -- concurrency -------------------------------------------------------------------------

    def test_two_writer_race_exactly_one_wins(self, store: Store) -> None:
        lead = _lead(1)
        _add_all(store, "leads", [lead])
        barrier = threading.Barrier(2)
        outcomes: list[str] = []

        def writer(n: int) -> None:
            try:
                with store.unit_of_work() as uow:
                    got = uow.leads.get(lead.id)
                    barrier.wait(timeout=30)
                    uow.leads.save(got.set_score(float(n), at=T0, actor=f"rep-{n}"))
                outcomes.append(f"won {n}")
            except ConcurrencyError:
                outcomes.append("lost")

        threads = [threading.Thread(target=writer, args=(n,)) for n in (1, 2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert sorted(outcomes)[0] == "lost"
        assert sorted(outcomes)[1].startswith("won")
        winner = float(sorted(outcomes)[1].split()[1])
        with store.unit_of_work() as uow:
            stored = uow.leads.get(lead.id)
        assert (stored.score, stored.version) == (winner, lead.version + 1)
        assert store.last_position() == lead.version + 1

    def test_threads_incrementing_a_score(self, store: Store) -> None:
        _add_all(store, "leads", [_lead(1)])
        successes: list[int] = []
        lock = threading.Lock()

        def worker() -> None:
            for _ in range(10):
                while True:
                    try:
                        with store.unit_of_work() as uow:
                            lead = uow.leads.get("lead-0001")
                            uow.leads.save(lead.set_score(lead.score + 1, at=T0, actor="w"))
                        break
                    except ConcurrencyError:
                        continue
                with lock:
                    successes.append(1)

        threads = [threading.Thread(target=worker) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        with store.unit_of_work() as uow:
            assert uow.leads.get("lead-0001").score == float(len(successes)) == 40.0

    # -- the event log -------------------------------------------------------------------------

    def test_event_log_order_and_completeness(self, store: Store) -> None:
        leads = [_lead(i) for i in range(1, 6)]
        for lead in leads:
            _add_all(store, "leads", [lead])
        with store.unit_of_work() as uow:
            moved = uow.leads.get("lead-0003").move_to("working", at=T0, actor="rep")
            uow.leads.save(moved)
        records = list(store.events_since(0))
        positions = [r.position for r in records]
        assert positions == list(range(1, len(records) + 1))
        expected = [e for lead in leads for e in lead.history] + [moved.history[-1]]
        assert [r.event for r in records] == expected
        assert [r.position for r in store.events_since(4)] == positions[4:]
        assert [r.position for r in store.events_since(2, limit=3)] == [3, 4, 5]
        assert list(store.events_since(len(records))) == []
        assert store.last_position() == len(records)
        for bad in (-1, "0", True):
            with pytest.raises(ValidationError) as info:
                store.events_since(bad)  # type: ignore[arg-type]
            assert info.value.paths == ("position",)
        with pytest.raises(ValidationError) as info:
            store.events_since(0, limit=0)
        assert info.value.paths == ("limit",)

    def test_commit_returns_the_new_records(self, store: Store) -> None:
        with store.unit_of_work() as uow:
            uow.leads.add(_lead(1))
        with store.unit_of_work() as uow:
            uow.leads.add(_lead(2))
            records = uow.commit()
        assert [r.position for r in records] == [4, 5, 6]
        assert [r.event for r in records] == list(_lead(2).history)

    # -- people --------------------------------------------------------------------------------

    def test_export_person(self, store: Store) -> None:
        lead = _lead(1, email="ana@acme.io")
        _add_all(store, "leads", [lead, _lead(2)])
        docs = store.export_person(PartyRef(PartyKind.LEAD, lead.id))
        assert docs["leads"] == (to_json(lead),)
        assert docs["interactions"] == ()
        assert docs["tasks"] == ()
        with pytest.raises(NotFound):
            store.export_person(PartyRef(PartyKind.CONTACT, "contact-1"))

    # -- the outreach aggregates ---------------------------------------------------------------

    def test_outreach_aggregates_find_and_race(self, store: Store) -> None:
        cadence = Cadence(
            id="cad-1",
            name="Calls",
            steps=_steps(2),
            calendar=BusinessCalendar.weekdays(tz="Europe/Berlin"),
        )
        enrollments = [
            Enrollment.new(
                id=f"enrollment-{n}",
                at=T0,
                actor="test",
                cadence=cadence,
                party=PartyRef.lead(f"lead-000{n}"),
                owner_id=f"rep-{n % 2}",
            )
            for n in (1, 2, 3)
        ]
        record = ConsentRecord.new(id="consent-1", at=T0, actor="t", party=PartyRef.lead("lead-1"))
        _add_all(store, "enrollments", enrollments)
        _add_all(store, "consent_records", [record])
        _add_all(store, "merges", [_merge("ana@acme.io")])
        with store.unit_of_work() as uow:
            done = uow.enrollments.get("enrollment-2").complete_step(
                cadence, at=T0 + timedelta(hours=1), actor="rep", outcome="no_answer"
            )
            uow.enrollments.save(done)
        with store.unit_of_work() as uow:
            page = uow.enrollments.find("owner_id == 'rep-1'", order_by="-id")
            assert [x.id for x in page.items] == ["enrollment-3", "enrollment-1"]
            assert [x.id for x in uow.enrollments.find("current_step == 1").items] == [
                "enrollment-2"
            ]
            assert [x.id for x in uow.consent_records.find("party.id == 'lead-1'").items] == [
                "consent-1"
            ]
            (merge,) = uow.merges.find("undone == false").items
            assert (merge.survivor, merge.merged) == ("lead-9001", "lead-9002")
        outcomes: list[str] = []
        barrier = threading.Barrier(2)

        def writer(status: ConsentStatus) -> None:
            try:
                with store.unit_of_work() as uow:
                    got = uow.consent_records.get("consent-1")
                    barrier.wait(timeout=30)
                    changed = got.record(
                        Channel.EMAIL,
                        Purpose.MARKETING,
                        status,
                        at=T0 + timedelta(hours=2),
                        actor="t",
                        method="web_form",
                    )
                    uow.consent_records.save(changed)
                outcomes.append(status.value)
            except ConcurrencyError:
                outcomes.append("lost")

        statuses = (ConsentStatus.GRANTED, ConsentStatus.WITHDRAWN)
        threads = [threading.Thread(target=writer, args=(x,)) for x in statuses]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert sorted(outcomes)[0] == "lost" or sorted(outcomes)[1] == "lost", outcomes
        (won,) = [x for x in outcomes if x != "lost"]
        with store.unit_of_work() as uow:
            stored = uow.consent_records.get("consent-1")
        assert (stored.version, stored.entries[-1].status.value) == (2, won)

    # -- erasure ---------------------------------------------------------------------------------

    def test_forget_a_lead(self, store: Store) -> None:
        lead = _lead(
            1,
            first_name="Ana",
            last_name="Sílva",
            email="ana.silva@acme.io",
            phone="+4930901820",
            title="Chief of Secrets",
            custom={"hobby": "secret-note"},
        ).move_to("working", at=T0 + timedelta(hours=1), actor="rep")
        other = _lead(2, first_name="Bea", email="bea@acme.io")
        ref = lead.ref
        campaign = Campaign.new(id="camp-1", at=T0, actor="t", name="Spring")
        member = CampaignMember.new(id="m-1", at=T0, actor="t", campaign=campaign, party=ref)
        cadence = Cadence(
            id="cad-1",
            name="Calls",
            steps=_steps(1),
            calendar=BusinessCalendar.weekdays(tz="Europe/Berlin"),
        )
        enrolled = Enrollment.new(
            id="enrollment-1", at=T0, actor="t", cadence=cadence, party=ref, owner_id="rep-1"
        )
        consent = ConsentRecord.new(id="consent-1", at=T0, actor="t", party=ref)
        consent = consent.object_to_direct_marketing(at=T0, actor="t", method="letter")
        call = Interaction.call(
            id="i-1",
            at=T0 + timedelta(hours=2),
            actor="rep",
            disposition="connected",
            party=ref,
            notes="Ana said secret-note",
            duration=timedelta(minutes=4),
        )
        with store.unit_of_work() as uow:
            uow.leads.add(lead)
            uow.leads.add(other)
            uow.campaigns.add(campaign)
            uow.campaign_members.add(member)
            uow.enrollments.add(enrolled)
            uow.consent_records.add(consent)
            uow.interactions.append(call)
        before = list(store.events_since(0))
        at = T0 + timedelta(days=3)
        receipt = store.forget(ref, at=at, actor="dpo", reason="request 42")
        assert (receipt.party, receipt.at, receipt.actor, receipt.reason) == (
            ref,
            at,
            "dpo",
            "request 42",
        )
        assert receipt.records == (
            ("lead", "lead-0001"),
            ("interaction", "i-1"),
            ("campaign_member", "m-1"),
            ("enrollment", "enrollment-1"),
        )
        after = list(store.events_since(0))
        # The log keeps its positions and length; the erasure adds one event.
        assert [r.position for r in after] == list(range(1, len(before) + 2))
        assert [type(r.event) for r in after[:-1]] == [type(r.event) for r in before]
        assert [r.event.at for r in after[:-1]] == [r.event.at for r in before]
        marker = after[-1].event
        assert isinstance(marker, FieldsChanged)
        assert (marker.subject_id, marker.reason, marker.at) == ("lead-0001", ERASURE_REASON, at)
        log = "".join(to_json(r.event) for r in after)
        documents = "".join(v for docs in store.export_person(ref).values() for v in docs)
        for secret in ("Ana", "Sílva", "ana.silva@acme.io", "+4930901820", "Chief", "secret"):
            assert secret not in log
            assert secret not in documents
        assert "bea@acme.io" in log  # another person is untouched
        with store.unit_of_work() as uow:
            erased = uow.leads.get("lead-0001")
            assert (erased.first_name, erased.email, erased.phone, erased.title) == (
                None,
                None,
                None,
                None,
            )
            assert (erased.company, erased.status, erased.version) == (
                "Company 1",
                "working",
                lead.version + 1,
            )
            assert erased.history == tuple(r.event for r in after if r.event.subject_id == lead.id)
            assert uow.leads.get("lead-0002") == other
            kept = uow.interactions.get("i-1")
            assert (kept.notes, kept.at, kept.duration) == (None, call.at, call.duration)
            assert uow.consent_records.get("consent-1") == consent  # the objection stays
            assert uow.enrollments.get("enrollment-1") == enrolled
            assert uow.campaign_members.get("m-1") == member
            assert uow.leads.find("email == 'ana.silva@acme.io'").items == ()

    def test_forget_a_contact_keeps_the_totals(self, store: Store) -> None:
        contact = Contact.new(
            id="contact-1",
            at=T0,
            actor="t",
            first_name="Ana",
            last_name="Sílva",
            emails=("ana.silva@acme.io",),
            phones=("+4930901820",),
        )
        cases = [
            ServiceCase.open(
                id=f"case-{n}",
                at=T0,
                actor="t",
                requester_id="contact-1" if n < 3 else "contact-2",
                subject=f"Ana Sílva cannot log in ({n})",
                description="Call me on +4930901820",
                priority="high" if n == 1 else "normal",
            ).solve(at=T0 + timedelta(hours=n), actor="agent")
            for n in (1, 2, 3)
        ]
        with store.unit_of_work() as uow:
            uow.contacts.add(contact)
            for case in cases:
                uow.cases.add(case)

        def totals() -> tuple[Any, ...]:
            with store.unit_of_work() as uow:
                found = uow.cases.find().items
                return (
                    len(found),
                    sorted((c.id, c.status, c.priority, c.solved_at) for c in found),
                    len(uow.contacts.find("lifecycle_stage == 'lead'").items),
                )

        expected = totals()
        store.forget(contact.ref, at=T0 + timedelta(days=1), actor="dpo")
        assert totals() == expected
        with store.unit_of_work() as uow:
            erased = uow.contacts.get("contact-1")
            assert (erased.first_name, erased.emails, erased.phones) == (None, (), ())
            assert [uow.cases.get(f"case-{n}").subject for n in (1, 2, 3)] == [
                ERASED,
                ERASED,
                "Ana Sílva cannot log in (3)",
            ]
        text = "".join(to_json(r.event) for r in store.events_since(0))
        assert "ana.silva@acme.io" not in text
        assert text.count("Ana Sílva") == 1  # case-3 was opened by someone else
        assert text.count(ERASURE_REASON) == 3  # the contact and two cases

    def test_forget_refuses_bad_input_and_changes_nothing(self, store: Store) -> None:
        lead = _lead(1, email="ana@acme.io")
        _add_all(store, "leads", [lead])
        with pytest.raises(NotFound):
            store.forget(PartyRef.lead("lead-9"), at=T0, actor="dpo")
        with pytest.raises(ValidationError) as info:
            store.forget(lead.ref, at=datetime(2026, 3, 2, 9), actor="dpo")
        assert info.value.paths == ("at",)
        with pytest.raises(ValidationError):
            store.forget(lead.ref, at=T0 - timedelta(days=1), actor="dpo")
        with store.unit_of_work() as uow:
            assert uow.leads.get(lead.id) == lead
        assert [r.event for r in store.events_since(0)] == list(lead.history)

    def test_forget_follows_merges(self, store: Store) -> None:
        a = _lead(1, email="ana.silva@acme.io", first_name="Ana")
        b = _lead(2, email="ana.silva@acme.io", phone="+4930901820", last_name="Sílva")
        ids = DeterministicIds(namespace="kit", seed=2)
        merged = merge_leads(a, b, at=T0 + timedelta(hours=1), actor="t", ids=ids)
        with store.unit_of_work() as uow:
            uow.leads.add(merged.survivor)
            uow.leads.add(merged.tombstone)
            uow.merges.add(merged.merge)
        log = "".join(to_json(r.event) for r in store.events_since(0))
        assert "+4930901820" in log
        receipt = store.forget(a.ref, at=T0 + timedelta(days=1), actor="dpo")
        assert receipt.records == (
            ("lead", "lead-0001"),
            ("lead", "lead-0002"),
            ("merge", merged.merge.id),
        )
        log = "".join(to_json(r.event) for r in store.events_since(0))
        for secret in ("ana.silva@acme.io", "+4930901820", "Ana", "Sílva"):
            assert secret not in log
        with store.unit_of_work() as uow:
            merge = uow.merges.get(merged.merge.id)
            assert merge.version == merged.merge.version
            assert merge.fields == {"first_name": (None, None)}
            assert (merge.survivor, merge.merged) == (b.id, a.id)
            survivor = uow.leads.get("lead-0002")
            assert (survivor.email, survivor.phone, survivor.company) == (None, None, "Company 2")
            assert uow.leads.get("lead-0001").status == "disqualified"
