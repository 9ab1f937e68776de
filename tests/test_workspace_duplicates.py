"""The duplicate check of ``Workspace.capture_lead``, on every store.

The PostgreSQL store runs when ``SALESCORE_TEST_POSTGRES`` names a server
(a libpq conninfo); without it those cases are skipped locally and fail
under CI, as in ``tests/adapters/test_postgres.py``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import closing
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from salescore.clock import ManualClock
from salescore.domain.conversion import convert_lead
from salescore.domain.leads import Lead
from salescore.ids import DeterministicIds
from salescore.rules import Rule, Truth, field
from salescore.storage import InMemoryStore
from salescore.storage.protocols import Store
from salescore.testing import strategies as ss
from salescore.workspace import Workspace

from .adapters.test_postgres import emptied_stores, fresh_database
from .adapters.test_sqlite import file_stores

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
H = timedelta(hours=1)

StoreFactory = Callable[[], Store]

_CHECKS = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture(scope="module")
def postgres_conninfo() -> Iterator[str]:
    """A fresh PostgreSQL database for this module, dropped afterwards."""
    with fresh_database("salescore_capture") as info:
        yield info


@pytest.fixture(params=["memory", "sqlite", "postgres"])
def make_store(request: pytest.FixtureRequest, tmp_path: Path) -> StoreFactory:
    """A function that returns a new, empty, migrated store of one kind."""
    if request.param == "memory":
        return InMemoryStore
    if request.param == "sqlite":
        return file_stores(tmp_path)
    return emptied_stores(request.getfixturevalue("postgres_conninfo"))


def _workspace(store: Store, **options: object) -> tuple[Workspace, ManualClock]:
    clock = ManualClock(T0)
    ids = DeterministicIds(namespace="t", seed=1)
    return Workspace(store, clock=clock, ids=ids, **options), clock  # type: ignore[arg-type]


CASE_PAIRS = [
    # stored, captured: the same mailbox up to the case of its letters
    ("John.Smith@Example.com", "john.smith@example.com"),
    ("john.smith@example.com", "John.Smith@Example.com"),
    ("John.Smith@example.com", "JOHN.SMITH@EXAMPLE.COM"),
    ("JÜRGEN@example.de", "jürgen@example.de"),
    ("élodie@example.fr", "Élodie@EXAMPLE.fr"),
]


@pytest.mark.parametrize(("stored", "captured"), CASE_PAIRS)
def test_capture_flags_a_lead_whose_address_differs_only_in_case(
    make_store: StoreFactory, stored: str, captured: str
) -> None:
    with closing(make_store()) as store:
        ws, clock = _workspace(store)
        first = ws.capture_lead(actor="form", email=stored, company="Acme")
        assert first.lead is not None
        assert first.duplicates == ()
        clock.advance(H)
        again = ws.capture_lead(actor="form", email=captured)
        assert again.lead is not None
        assert [(m.left, m.right, m.score, m.rules) for m in again.duplicates] == [
            (first.lead.id, again.lead.id, 1.0, ("email",))
        ]
        with store.unit_of_work() as uow:
            assert sorted(x.email for x in uow.leads.find().items) == sorted(
                [first.lead.email, again.lead.email]
            )


def test_capture_does_not_flag_an_address_that_differs_by_case_folding(
    make_store: StoreFactory,
) -> None:
    with closing(make_store()) as store:
        ws, clock = _workspace(store)
        ws.capture_lead(actor="form", email="straße@example.de")
        clock.advance(H)
        got = ws.capture_lead(actor="form", email="STRASSE@example.de")
        assert got.duplicates == ()


def test_capture_merges_into_a_lead_whose_address_differs_only_in_case(
    make_store: StoreFactory,
) -> None:
    with closing(make_store()) as store:
        ws, clock = _workspace(store, on_duplicate="merge")
        first = ws.capture_lead(actor="form", email="Ana.Silva@acme.io", first_name="Ana")
        assert first.lead is not None
        clock.advance(H)
        got = ws.capture_lead(actor="import", email="ana.silva@ACME.io", title="CTO")
        assert got.merge is not None
        assert got.lead is not None
        assert (got.lead.id, got.lead.email, got.lead.title) == (
            first.lead.id,
            "Ana.Silva@acme.io",
            "CTO",
        )


def test_capture_compares_exactly_what_its_docstring_says(make_store: StoreFactory) -> None:
    """Candidates: the same address up to case, phone, web domain, or the e-mail's domain.

    Converted leads and merge tombstones are never candidates, and a lead
    that shares none of these is not read, however alike it is.
    """
    doc = " ".join((Workspace.capture_lead.__doc__ or "").split())
    assert "e-mail address up to the case of its letters (``lower(email)``" in doc
    assert "converted leads and merge tombstones left out" in doc
    with closing(make_store()) as store:
        ws, clock = _workspace(store)
        by_email = ws.capture_lead(actor="f", email="ANA@acme.io")
        by_phone = ws.capture_lead(actor="f", phone="+4930901820", first_name="Bo")
        by_domain = ws.capture_lead(
            actor="f", first_name="Ana", last_name="Silva", company="Acme", domain="acme.io"
        )
        # As alike as by_domain, but without a shared address, number or domain.
        ws.capture_lead(actor="f", first_name="Ana", last_name="Silva", company="Acme")
        converted = ws.capture_lead(actor="f", email="ana@ACME.io", company="Acme")
        assert by_email.lead is not None
        assert by_phone.lead is not None
        assert by_domain.lead is not None
        assert converted.lead is not None
        with store.unit_of_work() as uow:
            lead = uow.leads.get(converted.lead.id)
            lead = lead.move_to("working", at=T0, actor="rep").move_to(
                "qualified", at=T0, actor="rep"
            )
            ids = DeterministicIds(namespace="c", seed=1)
            result = convert_lead(lead, at=T0, actor="rep", ids=ids, opportunity=False)
            uow.leads.save(result.lead)
            uow.contacts.add(result.contact)
            uow.accounts.add(result.account)
        clock.advance(H)
        got = ws.capture_lead(
            actor="f",
            email="Ana@Acme.IO",
            phone="+49 30 901820",
            first_name="Ana",
            last_name="Silva",
            company="Acme",
        )
        assert got.lead is not None
        assert {m.left: m.rules for m in got.duplicates} == {
            by_email.lead.id: ("email",),
            by_phone.lead.id: ("phone",),
            by_domain.lead.id: ("name", "company"),
        }


@st.composite
def _recased(draw: st.DrawFn, address: str) -> str:
    """``address`` with the case of some of its letters changed."""
    flips = draw(st.lists(st.booleans(), min_size=len(address), max_size=len(address)))
    return "".join(c.swapcase() if f else c for c, f in zip(address, flips, strict=True))


_UNICODE_LOCALS = st.sampled_from(["Jürgen", "ÉLODIE", "Ǆemal", "ΣΟΦΙΑ", "İlkay", "straße"])


@st.composite
def _addresses(draw: st.DrawFn) -> str:
    if draw(st.booleans()):
        return draw(ss.emails(messy=True))
    return f"{draw(_UNICODE_LOCALS)}@{draw(st.sampled_from(['example.com', 'bücher.de']))}"


@given(data=st.data())
@_CHECKS
def test_a_capture_the_same_up_to_case_reports_the_stored_lead(
    make_store: StoreFactory, data: st.DataObject
) -> None:
    stored = data.draw(ss.leads(moves=False))
    address = data.draw(_addresses())
    stored = Lead.new(
        id=stored.id,
        at=T0,
        actor="import",
        email=address,
        first_name=stored.first_name,
        company=stored.company,
        phone=stored.phone,
    )
    variant = data.draw(_recased(address))
    try:
        capture = Lead.new(id="probe", at=T0, actor="t", email=variant)
    except ValueError:
        assume(False)  # swapping the case made it invalid (a length limit in bytes)
        raise
    assert stored.email is not None
    assert capture.email is not None
    assume(stored.email.lower() == capture.email.lower())
    with closing(make_store()) as store:
        with store.unit_of_work() as uow:
            uow.leads.add(stored)
        ws, _ = _workspace(store)
        got = ws.capture_lead(actor="form", email=variant)
        assert [m.left for m in got.duplicates] == [stored.id]
        assert "email" in got.duplicates[0].rules


@given(data=st.data())
@_CHECKS
def test_find_on_the_lower_cased_address_is_rule_evaluate(
    make_store: StoreFactory, data: st.DataObject
) -> None:
    addresses = data.draw(st.lists(_addresses(), min_size=1, max_size=6))
    leads = [
        Lead.new(
            id=f"lead-{i}",
            at=T0,
            actor="t",
            company="Acme",
            email=data.draw(st.none() | _recased(a)),
        )
        for i, a in enumerate(addresses)
    ]
    known = [x.email for x in leads if x.email is not None] + ["zz@example.com"]
    literal = st.sampled_from(known).flatmap(lambda a: st.sampled_from([a, a.lower(), a.upper()]))
    lowered = field("email").lower()
    rules: list[Rule] = [
        data.draw(literal.map(lambda v: lowered == v)),
        data.draw(literal.map(lambda v: lowered != v)),
        data.draw(literal.map(lambda v: lowered < v)),
        data.draw(st.lists(literal, min_size=1, max_size=3).map(lowered.is_in)),
        data.draw(literal.map(lambda v: (lowered == v) | (field("email") == v))),
        data.draw(st.lists(literal, min_size=1, max_size=3).map(lowered.not_in)),
    ]
    with closing(make_store()) as store:
        with store.unit_of_work() as uow:
            for x in leads:
                uow.leads.add(x)
        with store.unit_of_work() as uow:
            for rule in rules:
                expected = sorted(x.id for x in leads if rule.evaluate(x) is Truth.TRUE)
                got = [x.id for x in uow.leads.find(rule).items]
                assert got == expected, rule.to_text()
            ordered = [x.id for x in uow.leads.find(order_by="lower(email)").items]
            present = sorted(
                (x for x in leads if x.email is not None),
                key=lambda x: (x.email.lower() if x.email else "", x.id),
            )
            absent = sorted(x.id for x in leads if x.email is None)
            assert ordered == [x.id for x in present] + absent
