"""Indexed columns of a function of a field: the leads' ``lower(email)``."""

from __future__ import annotations

from datetime import UTC, datetime

from salescore.domain.leads import Lead
from salescore.rules import Truth, field, parse
from salescore.storage import InMemoryStore
from salescore.storage._catalog import REPOSITORIES, Column, column_for, column_value
from salescore.storage._query import Sql, build_query
from salescore.storage.memory import _wanted

LEADS = REPOSITORIES["leads"]
AT = datetime(2026, 3, 2, 9, tzinfo=UTC)
LOWER = LEADS.by_path["lower(email)"]


def _sql(text: str) -> Sql | None:
    return build_query(LEADS, text, order_by="id", limit=None, after=None, at=AT).prefilter


def test_a_column_of_a_function_names_its_field_and_sql_column() -> None:
    assert (LOWER.path, LOWER.field, LOWER.function, LOWER.name, LOWER.type) == (
        "lower(email)",
        "email",
        "lower",
        "email_lower",
        "text",
    )
    plain = Column("party.id", "text")
    assert (plain.field, plain.function, plain.name, plain.steps) == (
        "party.id",
        None,
        "party__id",
        ("party", "id"),
    )


def test_its_value_is_what_the_rule_computes() -> None:
    lead = Lead.new(id="l1", at=AT, actor="t", email="JÜRGEN.Groß@Example.DE")
    assert lead.email == "JÜRGEN.Groß@example.de"
    assert column_value(lead, LOWER) == "jürgen.groß@example.de"
    assert parse("lower(email) == 'jürgen.groß@example.de'").evaluate(lead) is Truth.TRUE


def test_a_null_address_has_a_null_column() -> None:
    lead = Lead.new(id="l1", at=AT, actor="t", company="Acme")
    assert column_value(lead, LOWER) is None


def test_lower_email_translates_to_its_column() -> None:
    assert _sql("lower(email) == 'ana@acme.io'") == Sql("email_lower = ?", ("ana@acme.io",), True)
    assert _sql("'ana@acme.io' == lower(email)") == Sql("email_lower = ?", ("ana@acme.io",), True)
    assert _sql("lower(email) in ['a@b.io', 'c@d.io']") == Sql(
        "email_lower IN (?, ?)", ("a@b.io", "c@d.io"), True
    )
    assert _sql("lower(email) > 'm'") == Sql("email_lower > ?", ("m",), True)
    # Not indexed: the other function, a function of another field, a function of a literal.
    assert _sql("upper(email) == 'ANA@ACME.IO'") is None
    assert _sql("lower(company) == 'acme'") is None
    assert _sql("lower('X') == email") is None


def test_the_memory_store_reads_its_index() -> None:
    assert column_for(LEADS, field("email").lower().operand) is LOWER
    assert column_for(LEADS, field("email").upper().operand) is None
    assert _wanted(field("email").lower() == "ana@acme.io", LEADS) == ((LOWER, ("ana@acme.io",)),)
    assert _wanted(field("email").lower().is_in(["a@b.io"]), LEADS) == ((LOWER, ("a@b.io",)),)
    store = InMemoryStore()
    with store.unit_of_work() as uow:
        uow.leads.add(Lead.new(id="l1", at=AT, actor="t", email="Ana@acme.io"))
        uow.leads.add(Lead.new(id="l2", at=AT, actor="t", email="bo@acme.io"))
    with store.unit_of_work() as uow:
        found = uow.leads.find(field("email").lower() == "ana@acme.io").items
        assert [x.id for x in found] == ["l1"]
    assert set(store._indexes["leads"]) == {"lower(email)"}
