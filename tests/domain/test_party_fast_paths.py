"""The cheap checks of accounts and contacts agree with the detailed normalisers.

An account or contact whose fields pass ``is_normal`` skips the detailed
normalisation in its constructor (and when built from its creation event).
These tests build accounts and contacts from awkward values with the cheap
check on and off: the same object and history, or the same exception with
the same errors.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from salescore.domain.aggregate import Aggregate
from salescore.domain.parties import Account, Contact
from salescore.errors import SalescoreError, ValidationError
from salescore.money import Money

from ._awkward import IDS as _IDS
from ._awkward import TEXT as _TEXT

_AT = datetime(2024, 3, 1, 9, 30, tzinfo=UTC)

_DOMAINS = st.one_of(
    st.none(),
    st.sampled_from(
        ["acme.io", "www.acme.io", "ACME.io", "https://acme.io/x", "acme", "", "a--b.io", 4]
    ),
    st.just("a" * 70 + ".io"),
)
_COUNTRIES = st.one_of(st.none(), st.sampled_from(["DE", "de", "XX", "", " US ", "USA", 1]))
_EMAILS = st.sampled_from(
    [
        "a@acme.io",
        "A@acme.io",
        "A@Acme.IO",
        "a@acme.io ",
        "not-an-email",
        "",
        "b@x.org",
        "a" * 70 + "@x.io",
    ]
)
_PHONES = st.sampled_from(["+4930123456", "+49 30 123456", "030 123456", "", "+12", "+4930123457"])
_EMAIL_LISTS = st.lists(_EMAILS, max_size=3)
_PHONE_LISTS = st.lists(_PHONES, max_size=3)
_MONEY = st.one_of(
    st.none(),
    st.sampled_from([Money(Decimal("10"), "EUR"), Money(Decimal("-1"), "EUR"), 10, "5 EUR"]),
)
_CUSTOM = st.one_of(
    st.none(), st.just({}), st.sampled_from([{"budget": 5}, {"Bad Name": 1}, [("a", 1)], "x"])
)


def _outcome(call: Callable[[], Any]) -> tuple[str, Any]:
    try:
        obj = call()
    except SalescoreError as exc:
        return ("raised", (type(exc), str(exc), repr(getattr(exc, "errors", None))))
    assert isinstance(obj, Aggregate)
    return ("built", (obj, obj.version, obj.history))


@contextmanager
def _detailed(cls: type[Account] | type[Contact]) -> Iterator[None]:
    """Turn the cheap check off: every value goes through the normalisers."""
    table = cls.field_table
    saved = table.is_normal
    table.is_normal = None
    try:
        yield
    finally:
        table.is_normal = saved


def _same(cls: type[Account] | type[Contact], call: Callable[[], Any]) -> None:
    fast = _outcome(call)
    with _detailed(cls):
        general = _outcome(call)
    assert fast == general


_ACCOUNT_FIELDS = st.fixed_dictionaries(
    {"name": _TEXT},
    optional={
        "domain": _DOMAINS,
        "industry": _TEXT,
        "employees": st.one_of(st.none(), st.integers(-3, 10**6), st.sampled_from([True, "5"])),
        "annual_revenue": _MONEY,
        "country": _COUNTRIES,
        "parent_id": _IDS,
        "owner_id": _IDS,
        "tags": st.one_of(
            st.frozensets(st.sampled_from(["vip", " vip ", "", "x\ny", "b", None, 3])),
            st.lists(st.sampled_from(["vip", "b", " c "])),
            st.sampled_from(["vip", 3]),
        ),
        "custom": _CUSTOM,
    },
)

_CONTACT_FIELDS = st.fixed_dictionaries(
    {},
    optional={
        "first_name": _TEXT,
        "last_name": _TEXT,
        "emails": st.one_of(_EMAILS, _EMAIL_LISTS, _EMAIL_LISTS.map(tuple)),
        "phones": st.one_of(_PHONES, _PHONE_LISTS, _PHONE_LISTS.map(tuple)),
        "title": _TEXT,
        "account_id": _IDS,
        "time_zone": st.one_of(
            st.none(), st.sampled_from(["Europe/Berlin", "UTC", "Mars/Base", "", " UTC", 2])
        ),
        "owner_id": _IDS,
        "custom": _CUSTOM,
    },
)


@settings(max_examples=400, deadline=None)
@given(_ACCOUNT_FIELDS, st.sampled_from(["acct-1", "rep-1"]))
def test_account_new_and_constructor_equal_the_detailed_path(
    fields: dict[str, Any], id: str
) -> None:
    _same(Account, lambda: Account.new(id=id, at=_AT, actor="rep-1", **fields))
    _same(Account, lambda: Account(id=id, **fields))


@settings(max_examples=400, deadline=None)
@given(
    _CONTACT_FIELDS,
    st.sampled_from(["lead", "mql", "customer", "nope", 3]),
)
def test_contact_new_and_constructor_equal_the_detailed_path(
    fields: dict[str, Any], stage: Any
) -> None:
    _same(Contact, lambda: Contact.new(id="contact-1", at=_AT, actor="rep-1", **fields))
    _same(Contact, lambda: Contact(id="contact-1", lifecycle_stage=stage, **fields))


def test_a_normal_account_and_contact_pass_the_cheap_check() -> None:
    account = Account.new(
        id="acct-1", at=_AT, actor="rep-1", name="Acme", domain="acme.io", tags=["vip"]
    )
    contact = Contact.new(
        id="contact-1", at=_AT, actor="rep-1", first_name="Ada", emails=["ada@acme.io"]
    )
    assert Account.field_table.is_normal is not None
    assert Contact.field_table.is_normal is not None
    assert Account.field_table.is_normal(account)
    assert Contact.field_table.is_normal(contact)
    bad = Account.new(id="acct-2", at=_AT, actor="rep-1", name="Acme", custom={"budget": 5})
    assert not Account.field_table.is_normal(bad)


def test_values_the_cheap_check_refuses_are_still_checked_in_detail() -> None:
    with pytest.raises(ValidationError) as bad_tag:
        Account(id="acct-1", name="Acme", tags=frozenset({None}))
    assert [(e.path, e.value) for e in bad_tag.value.errors] == [("tags", None)]
    with pytest.raises(ValidationError) as twice:
        Contact(id="contact-1", emails=("a@acme.io", "A@acme.io"))
    assert [e.path for e in twice.value.errors] == ["emails[1]"]
