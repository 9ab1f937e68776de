"""Importing lead lists: parsers, mappings, rejected rows, streaming, and never losing a row."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from salescore.domain.custom_fields import CustomField, CustomFieldSchema, FieldType
from salescore.domain.leads import Lead, LeadSource
from salescore.errors import FieldError, ValidationError
from salescore.ids import DeterministicIds
from salescore.money import Money
from salescore.outreach import (
    LEAD_FIELDS,
    Column,
    LeadMapping,
    import_leads,
    iter_import_leads,
    parse_bool,
    parse_country,
    parse_date,
    parse_datetime,
    parse_decimal,
    parse_int,
    parse_money,
)

T0 = datetime(2026, 3, 2, 9, tzinfo=UTC)
MAPPING = {
    "Name": "first_name",
    "Surname": "last_name",
    "Email": "email",
    "Phone": "phone",
    "Country": "country",
    "Staff": "employees",
    "Revenue": "annual_revenue",
}


def ids() -> DeterministicIds:
    return DeterministicIds(namespace="t", seed=1)


# --- parsers -------------------------------------------------------------------------------


def test_the_fields_a_column_can_fill() -> None:
    assert " ".join(sorted(LEAD_FIELDS)) == (
        "annual_revenue company country domain email employees first_name industry"
        " last_name lifecycle_stage owner_id phone score time_zone title"
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1200", Decimal(1200)),
        ("1,200", Decimal(1200)),
        ("1,250,000.50", Decimal("1250000.50")),
        ("12 000", Decimal(12000)),
        ("1'000'000", Decimal(1000000)),
        ("-3.5", Decimal("-3.5")),
        (".5", Decimal("0.5")),
    ],
)
def test_parse_decimal(text: str, expected: Decimal) -> None:
    assert parse_decimal(text, "x") == expected


@pytest.mark.parametrize("text", ["1,5", "12,34,567", "abc", "1.2.3", ""])
def test_parse_decimal_refuses_what_it_would_have_to_guess(text: str) -> None:
    with pytest.raises(ValidationError) as info:
        parse_decimal(text, "Revenue")
    assert info.value.errors[0].path == "Revenue"
    assert info.value.errors[0].value == text


def test_parse_decimal_with_a_decimal_comma() -> None:
    assert parse_decimal("1.250.000,50", "x", decimal_comma=True) == Decimal("1250000.50")
    assert parse_decimal("3,5", "x", decimal_comma=True) == Decimal("3.5")


def test_parse_int() -> None:
    assert parse_int("1,200", "x") == 1200
    assert parse_int("7", "x") == 7
    with pytest.raises(ValidationError, match="whole number"):
        parse_int("1.5", "x")
    with pytest.raises(ValidationError, match="negative"):
        parse_int("-4", "x")


@pytest.mark.parametrize(
    ("text", "currency", "expected"),
    [
        ("€ 1,500,000", None, Money("1500000", "EUR")),
        ("£12.50", None, Money("12.50", "GBP")),
        ("EUR 750000", None, Money("750000", "EUR")),
        ("5,000 usd", None, Money("5000", "USD")),
        ("$1,200", "USD", Money("1200", "USD")),
        ("300", "JPY", Money("300", "JPY")),
    ],
)
def test_parse_money(text: str, currency: str | None, expected: Money) -> None:
    assert parse_money(text, "Revenue", currency=currency) == expected


@pytest.mark.parametrize(
    ("text", "currency", "message"),
    [
        ("$1,200", None, "several currencies share"),
        ("1200", None, "names no currency"),
        ("€ 100", "USD", "in EUR, but the column's currency is USD"),
        ("EUR -5", None, "negative"),
    ],
)
def test_parse_money_refusals(text: str, currency: str | None, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        parse_money(text, "Revenue", currency=currency)


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("DE", "DE"),
        ("de", "DE"),
        ("Germany", "DE"),
        ("DEU", "DE"),
        ("276", "DE"),
        ("USA", "US"),
        ("U.S.A.", "US"),
        ("United States", "US"),
        ("UK", "GB"),
        ("United Kingdom", "GB"),
        ("EL", "GR"),
        ("france", "FR"),
    ],
)
def test_parse_country(text: str, code: str) -> None:
    assert parse_country(text, "Country") == code


@pytest.mark.parametrize("text", ["Narnia", "Germny", "Europe"])
def test_parse_country_never_guesses(text: str) -> None:
    with pytest.raises(ValidationError, match="not a country code or name"):
        parse_country(text, "Country")


def test_parse_dates_and_datetimes() -> None:
    assert parse_date("2026-03-01", "x") == date(2026, 3, 1)
    assert parse_date("01/02/2026", "x") == date(2026, 1, 2)
    assert parse_date("01/02/2026", "x", dayfirst=True) == date(2026, 2, 1)
    assert parse_datetime("2026-03-01 14:30", "x", tz="Europe/Berlin") == datetime(
        2026, 3, 1, 13, 30, tzinfo=UTC
    )
    assert parse_datetime("1 Mar 2026 2:30pm +02:00", "x") == datetime(
        2026, 3, 1, 12, 30, tzinfo=UTC
    )
    with pytest.raises(ValidationError, match="no UTC offset"):
        parse_datetime("2026-03-01 14:30", "x")
    with pytest.raises(ValidationError, match="not a date and time"):
        parse_datetime("yesterday-ish", "x", tz="UTC")
    with pytest.raises(ValidationError, match="not a date"):
        parse_date("2026-03-01 10:00", "x")


def test_parse_bool() -> None:
    assert [parse_bool(t, "x") for t in ("Yes", "n", "TRUE", "0")] == [True, False, True, False]
    with pytest.raises(ValidationError):
        parse_bool("maybe", "x")


# --- import_leads ------------------------------------------------------------------------------


def test_import_normalises_and_rejects_with_every_problem_by_column() -> None:
    rows = [
        {
            "Name": " Ana ",
            "Surname": "Silva",
            "Email": "Ana.Silva@ACME.io",
            "Phone": "030 1234567",
            "Country": "Germany",
            "Staff": "1,200",
            "Revenue": "€ 5,000",
        },
        {"Name": "Bo", "Email": "bad@", "Country": "Narnia", "Staff": "lots", "Phone": "12"},
        {"Name": "", "Email": "", "Phone": " "},
        {"Name": "Cy", "Email": "cy@initech.com", "Country": "", "Staff": ""},
    ]
    result = import_leads(rows, MAPPING, at=T0, actor="import", ids=ids())
    assert result.rows == 4
    assert [lead.id for lead in result.created] == ["lead-t-1-1", "lead-t-1-4"]
    ana, cy = result.created
    assert (ana.first_name, ana.last_name, ana.email, ana.phone, ana.country) == (
        "Ana",
        "Silva",
        "Ana.Silva@acme.io",
        "+49301234567",
        "DE",
    )
    assert (ana.employees, ana.annual_revenue) == (1200, Money("5000", "EUR"))
    assert (cy.country, cy.employees, cy.phone) == (None, None, None)
    assert ana.version == 3
    bo, blank = result.rejected
    assert bo.row == 2
    assert bo.data is rows[1]
    assert [(p.path, p.value) for p in bo.problems] == [
        ("Country", "Narnia"),
        ("Staff", "lots"),
        ("Email", "bad@"),
        ("Phone", "12"),
    ]
    assert blank.row == 3
    assert blank.problems == (
        FieldError("Email", None, "a lead needs an email, a phone, a name or a company"),
    )


def test_a_declared_mapping_sets_source_owner_parsers_and_custom_fields() -> None:
    schema = CustomFieldSchema(
        fields=(
            CustomField(name="budget", type=FieldType.MONEY, currency="USD"),
            CustomField(name="signed_up", type=FieldType.DATETIME),
            CustomField(name="trial", type=FieldType.FLAG),
            CustomField(name="seats", type=FieldType.NUMBER),
            CustomField(name="renewal", type=FieldType.DATE),
        )
    )
    source = LeadSource(channel="trade_show", campaign_id="expo-26")
    mapping = LeadMapping(
        columns={
            "mail": "email",
            "budget": "custom.budget",
            "signed up": Column(field="custom.signed_up"),
            "trial?": "custom.trial",
            "seats": Column(field="custom.seats", decimal_comma=True),
            "renewal": Column(field="custom.renewal", dayfirst=True),
            "company": Column(field="company", parser=lambda text, path: text.upper()),
            "tz": "time_zone",
        },
        source=source,
        owner_id="rep-9",
    )
    rows = [
        {
            "mail": "a@b.io",
            "budget": "$12,000",
            "signed up": "2026-02-01 09:00",
            "trial?": "yes",
            "seats": "12,5",
            "renewal": "03/04/2027",
            "company": "acme",
            "tz": "America/New_York",
        }
    ]
    result = import_leads(
        rows, mapping, at=T0, actor="import", ids=ids(), schema=schema, tz="Europe/Berlin"
    )
    assert result.rejected == ()
    (lead,) = result.created
    assert lead.original_source == source
    assert lead.owner_id == "rep-9"
    assert lead.company == "ACME"
    assert lead.time_zone == "America/New_York"
    assert dict(lead.custom) == {
        "budget": Money("12000", "USD"),
        "signed_up": datetime(2026, 2, 1, 8, tzinfo=UTC),
        "trial": True,
        "seats": Decimal("12.5"),
        "renewal": date(2027, 4, 3),
    }


def test_schema_problems_name_the_column() -> None:
    schema = CustomFieldSchema(
        fields=(CustomField(name="plan", type=FieldType.CHOICE, choices=("basic", "pro")),)
    )
    result = import_leads(
        [{"e": "a@b.io", "p": "gold"}],
        {"e": "email", "p": "custom.plan"},
        at=T0,
        actor="import",
        ids=ids(),
        schema=schema,
    )
    (bad,) = result.rejected
    assert [(p.path, p.value) for p in bad.problems] == [("p", "gold")]


def test_default_region_reads_national_numbers_when_the_row_has_no_country() -> None:
    rows = [{"Phone": "(415) 555-2671"}, {"Phone": "020 7946 0958", "Country": "UK"}]
    result = import_leads(
        rows,
        {"Phone": "phone", "Country": "country"},
        at=T0,
        actor="i",
        ids=ids(),
        default_region="US",
    )
    assert [lead.phone for lead in result.created] == ["+14155552671", "+442079460958"]


def test_bad_mapping_is_refused_before_any_row_is_read() -> None:
    def rows() -> Iterator[dict[str, str]]:
        raise AssertionError("no row may be read")
        yield {}

    with pytest.raises(ValidationError) as info:
        import_leads(rows(), {"a": "favourite_colour"}, at=T0, actor="i", ids=ids())
    assert info.value.errors[0].path == "field"
    with pytest.raises(ValidationError, match="fills the same field"):
        LeadMapping(columns={"a": "email", "b": "email"})
    with pytest.raises(ValidationError) as info:
        import_leads(
            rows(), {"a": "email"}, at=T0, actor="i", ids=ids(), default_region="XX", tz="Mars/Base"
        )
    assert [e.path for e in info.value.errors] == ["default_region", "tz"]


def test_a_non_mapping_row_is_rejected_not_dropped() -> None:
    result = import_leads(["oops", {"e": "a@b.io"}], {"e": "email"}, at=T0, actor="i", ids=ids())  # type: ignore[list-item]
    assert [r.row for r in result.rejected] == [1]
    assert len(result.created) == 1


def test_streaming_reads_one_row_at_a_time() -> None:
    pulled = 0

    def rows() -> Iterator[dict[str, str]]:
        nonlocal pulled
        for i in itertools.count():
            pulled += 1
            yield {"e": f"p{i}@example.com"}

    stream = iter_import_leads(rows(), {"e": "email"}, at=T0, actor="i", ids=ids())
    first = list(itertools.islice(stream, 3))
    assert pulled == 3
    assert [x.email for x in first if isinstance(x, Lead)] == [
        "p0@example.com",
        "p1@example.com",
        "p2@example.com",
    ]


_cells = st.one_of(
    st.just(""),
    st.text(max_size=8),
    st.sampled_from(["ana@acme.io", "BAD@", "+4930901820", "030 1234567", "1,200", "Germany"]),
)


@given(
    st.lists(
        st.fixed_dictionaries(dict.fromkeys(MAPPING, _cells), optional={"Junk": _cells}),
        max_size=12,
    )
)
def test_import_never_loses_a_row(rows: list[dict[str, Any]]) -> None:
    result = import_leads(rows, MAPPING, at=T0, actor="i", ids=ids(), default_region="DE")
    assert len(result.created) + len(result.rejected) == len(rows)
    numbers = sorted(
        [r.row for r in result.rejected]
        + [int(lead.id.rsplit("-", 1)[1]) for lead in result.created]
    )
    assert numbers == list(range(1, len(rows) + 1))
    for bad in result.rejected:
        assert bad.data is rows[bad.row - 1]
        assert bad.problems
        assert {p.path for p in bad.problems} <= set(MAPPING)


def test_a_parser_of_your_own_rejects_rows_with_a_plain_value_error() -> None:
    def sku(text: str, path: str) -> int:
        return int(text.removeprefix("SKU-"))

    mapping = LeadMapping(columns={"e": "email", "n": Column(field="custom.sku", parser=sku)})
    result = import_leads(
        [{"e": "a@b.io", "n": "SKU-12"}, {"e": "c@d.io", "n": "twelve"}],
        mapping,
        at=T0,
        actor="i",
        ids=ids(),
    )
    assert [dict(lead.custom) for lead in result.created] == [{"sku": 12}]
    (bad,) = result.rejected
    assert bad.problems == (
        FieldError("n", "twelve", "invalid literal for int() with base 10: 'twelve'"),
    )
