"""The in-memory store's hash indexes: an indexed find answers exactly as a full scan."""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from salescore.domain.leads import Lead
from salescore.rules import Rule, Truth, field, parse
from salescore.storage import InMemoryStore
from salescore.storage._catalog import REPOSITORIES
from salescore.storage._query import build_query
from salescore.storage.memory import _wanted
from salescore.storage.protocols import Store
from salescore.testing import strategies as ss

T0 = datetime(2026, 3, 2, 9, tzinfo=UTC)
OWNERS = ("rep-1", "rep-2", "rep-3")
# Indexed lead columns the rules test for equality (and one that is not indexed).
COLUMNS = ("owner_id", "status", "industry", "country", "company", "employees", "score", "email")


class Boom(Exception):
    pass


def _reference(store: Store, rule: Rule) -> list[str]:
    """The ids a full scan finds: every stored lead the rule is TRUE for, by id."""
    with store.unit_of_work() as uow:
        everyone = uow.leads.find().items  # no rule: the table is scanned
    return sorted(x.id for x in everyone if rule.evaluate(x, None) is Truth.TRUE)


def _rule(draw: st.DrawFn, leads: list[Lead]) -> Rule:
    name = draw(st.sampled_from(COLUMNS))
    seen = [getattr(x, name) for x in leads if getattr(x, name) is not None]
    value: Any = draw(st.sampled_from(seen)) if seen and draw(st.booleans()) else None
    if value is None:
        value = draw(st.sampled_from([*OWNERS, "saas", "new", 5, 2.5, "Acme"]))
    if hasattr(value, "value"):  # an enum member: compare with its text
        value = value.value
    values = [value, *draw(st.lists(st.sampled_from([*OWNERS, "working", 7]), max_size=2))]
    shape = draw(st.sampled_from(("eq", "in", "and", "reversed")))
    if shape == "in":
        return field(name).is_in(values)
    if shape == "and":
        return (field(name) == value) & parse("employees >= 0 or employees is null")
    if shape == "reversed":
        return parse(f"{_literal(value)} == {name}")
    return field(name) == value


def _literal(value: Any) -> str:
    return repr(value) if isinstance(value, str) else str(value)


@st.composite
def _story(draw: st.DrawFn) -> tuple[list[Lead], list[tuple[str, int, str]], list[Rule]]:
    leads = draw(st.lists(ss.leads(moves=False), min_size=1, max_size=10, unique_by=lambda x: x.id))
    steps = draw(
        st.lists(
            st.tuples(
                st.sampled_from(("assign", "rollback", "find")),
                st.integers(0, len(leads) - 1),
                st.sampled_from(OWNERS),
            ),
            max_size=12,
        )
    )
    found = [_rule(draw, leads) for _ in range(draw(st.integers(1, 6)))]
    return leads, steps, found


@settings(max_examples=40, deadline=None)
@given(story=_story())
def test_indexed_find_equals_a_full_scan(story: Any) -> None:
    """Equality finds through the indexes, under inserts, updates and rollbacks."""
    leads, steps, rules = story
    store = InMemoryStore()
    half = len(leads) // 2
    with store.unit_of_work() as uow:
        for lead in leads[:half]:
            uow.leads.add(lead)
    stored = {x.id: x for x in leads[:half]}

    def check() -> None:
        with store.unit_of_work() as uow:
            for rule in rules:
                got = [x.id for x in uow.leads.find(rule).items]
                assert got == _reference(store, rule), rule.to_text()

    check()  # builds the indexes
    for lead in leads[half:]:  # inserts after the indexes exist
        with store.unit_of_work() as uow:
            uow.leads.add(lead)
        stored[lead.id] = lead
    for kind, i, owner in steps:
        lead_id = leads[i].id
        if kind == "find":
            check()
            continue
        expected = pytest.raises(Boom) if kind == "rollback" else contextlib.nullcontext()
        with expected, store.unit_of_work() as uow:
            lead = uow.leads.get(lead_id)
            at = lead.updated_at + timedelta(minutes=1)
            uow.leads.save(lead.assign(owner, at=at, actor="test"))
            if kind == "rollback":
                raise Boom
    check()
    used = {c.path for r in rules for c, _ in _wanted(r, REPOSITORIES["leads"])}
    assert set(store._indexes.get("leads", {})) == used  # the indexed finds went through one


def test_a_unit_reads_its_snapshot_while_others_commit() -> None:
    """After a commit the older unit scans its snapshot; the index serves the newer one."""
    store = InMemoryStore()
    lead = Lead.new(id="l1", at=T0, actor="t", email="a@b.example", owner_id="rep-1")
    with store.unit_of_work() as uow:
        uow.leads.add(lead)
    rule = field("owner_id") == "rep-1"
    with store.unit_of_work() as uow:
        assert [x.id for x in uow.leads.find(rule).items] == ["l1"]
    old = store.unit_of_work()
    with store.unit_of_work() as uow:
        uow.leads.save(uow.leads.get("l1").assign("rep-2", at=T0, actor="t"))
    assert [x.id for x in old.leads.find(rule).items] == ["l1"]
    assert old.leads.find(field("owner_id") == "rep-2").items == ()
    old.rollback()
    with store.unit_of_work() as uow:
        assert uow.leads.find(rule).items == ()
        assert [x.id for x in uow.leads.find(field("owner_id") == "rep-2").items] == ["l1"]
        # the unit's own writes are found too
        uow.leads.add(Lead.new(id="l2", at=T0, actor="t", email="c@d.example", owner_id="rep-1"))
        assert [x.id for x in uow.leads.find(rule).items] == ["l2"]


def test_which_rules_use_an_index() -> None:
    spec = REPOSITORIES["leads"]
    owner, status = spec.by_path["owner_id"], spec.by_path["status"]
    assert _wanted(field("owner_id") == "x", spec) == ((owner, ("x",)),)
    assert _wanted(parse("'x' == owner_id and score > 1"), spec) == ((owner, ("x",)),)
    assert _wanted(parse("owner_id == 'x' and status == 'new'"), spec) == (
        (owner, ("x",)),
        (status, ("new",)),
    )
    assert _wanted(field("owner_id").is_in(["x", "y"]), spec) == ((owner, ("x", "y")),)
    assert _wanted(parse("owner_id != 'x'"), spec) == ()
    assert _wanted(parse("owner_id == 'x' or status == 'new'"), spec) == ()
    assert _wanted(parse("title == 'x'"), spec) == ()  # not an indexed column
    assert _wanted(parse("id == 'x'"), spec) == ()  # the key: a load, not a find
    assert _wanted(parse("owner_id == 3"), spec) == ()  # a text column and a number
    assert _wanted(None, spec) == ()


def test_an_and_reads_its_most_selective_index() -> None:
    store = InMemoryStore()
    with store.unit_of_work() as uow:
        for i in range(6):
            owner = "rep-1" if i else "rep-2"
            uow.leads.add(Lead.new(id=f"l{i}", at=T0, actor="t", email=f"{i}@b.example",
                                   owner_id=owner, company="Acme"))  # fmt: skip
    rule = parse("company == 'Acme' and owner_id == 'rep-2'")
    with store.unit_of_work() as uow:
        assert [x.id for x in uow.leads.find(rule).items] == ["l0"]
        session = uow._session  # type: ignore[attr-defined]
        query = build_query(REPOSITORIES["leads"], rule, order_by="id", limit=None, after=None,
                            at=None)  # fmt: skip
        assert [key for key, _ in session._indexed(REPOSITORIES["leads"], query)] == ["l0"]
