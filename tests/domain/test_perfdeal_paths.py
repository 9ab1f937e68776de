"""The fast paths of creation, deal moves and checks agree with the general paths.

Accounts, contacts and deals whose values are already normal are created
without the normalisers and constructors (``Aggregate._normal_birth``); a
deal's state may be finished in place; stage moves with a printable reason,
plain rep answers and a deal's stage text skip their detailed checks. Each
test compares a fast path with the general one on awkward inputs: the same
object (field by field, with the same types, and the same documents), or the
same exception with the same errors.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any
from unittest import mock

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from salescore.decisions.qualification import ItemStatus, RepAnswer
from salescore.domain import _fields as fld
from salescore.domain import aggregate
from salescore.domain import standard_funnels as funnels
from salescore.domain.aggregate import Aggregate
from salescore.domain.conversion import OpportunitySpec
from salescore.domain.events import Event, StageChanged, _prechecked
from salescore.domain.leads import LeadSource
from salescore.domain.opportunities import ContactRole, Opportunity, OpportunityType
from salescore.domain.opportunities.deal import _STAGE_TEXT
from salescore.domain.parties import Account, Contact
from salescore.domain.products import LineItem
from salescore.errors import SalescoreError, ValidationError
from salescore.money import Money
from salescore.serialization import to_json
from salescore.testing import strategies as s

from ._awkward import IDS as _IDS
from ._awkward import TEXT as _TEXT

AT = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
_SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

_ATS = st.sampled_from(
    [
        AT,
        AT.astimezone(timezone(timedelta(hours=2))),
        AT.replace(tzinfo=None),
        "2026-03-02",
        AT + timedelta(days=1),
    ]
)
_ACTORS = st.sampled_from(["rep-1", " rep-1", "", "a\nb", 5, "ünï"])
_MONEY = st.one_of(
    st.none(),
    st.sampled_from(
        [Money(Decimal("10"), "EUR"), Money(Decimal("-1"), "EUR"), Money("3", "USD"), 10, "5"]
    ),
)
_CUSTOM = st.one_of(
    st.none(), st.just({}), st.sampled_from([{"budget": 5}, {"Bad Name": 1}, [("a", 1)], "x"])
)


def _shape(value: Any) -> Any:
    """A value with the type of everything inside it (``{} == FrozenDict()`` would hide one)."""
    if attrs.has(type(value)):
        return (
            type(value),
            tuple((f.name, _shape(getattr(value, f.name))) for f in attrs.fields(type(value))),
        )
    if isinstance(value, dict):
        return (type(value), tuple((k, _shape(v)) for k, v in value.items()))
    if isinstance(value, tuple | list):
        return (type(value), tuple(_shape(v) for v in value))
    if isinstance(value, frozenset | set):
        return (type(value), frozenset(value))
    if isinstance(value, datetime):
        return (type(value), value, value.tzinfo)
    return (type(value), value)


def _outcome(call: Callable[[], Any]) -> tuple[str, Any]:
    try:
        obj = call()
    except (SalescoreError, TypeError) as exc:
        return ("raised", (type(exc), str(exc), repr(getattr(exc, "errors", None))))
    if isinstance(obj, Aggregate):
        return ("built", (_shape(obj), to_json(obj), [to_json(e) for e in obj.history]))
    return ("built", _shape(obj))


@contextmanager
def _general(*classes: type[Aggregate]) -> Iterator[None]:
    """Creation through the normalisers and the constructors (the fast path off)."""
    saved = {cls: aggregate._BIRTHS.get(cls, "unset") for cls in classes}
    for cls in classes:
        aggregate._BIRTHS[cls] = None
    try:
        yield
    finally:
        for cls, plan in saved.items():
            if plan == "unset":
                aggregate._BIRTHS.pop(cls, None)
            else:
                aggregate._BIRTHS[cls] = plan  # type: ignore[assignment]


def _same(cls: type[Aggregate], call: Callable[[], Any]) -> tuple[str, Any]:
    fast = _outcome(call)
    with _general(cls):
        general = _outcome(call)
    assert fast == general
    return fast


# --- creation ---------------------------------------------------------------------------

_ACCOUNT_FIELDS = st.fixed_dictionaries(
    {"name": _TEXT},
    optional={
        "domain": st.one_of(st.none(), st.sampled_from(["acme.io", "www.acme.io", "ACME.io", 4])),
        "industry": _TEXT,
        "employees": st.one_of(st.none(), st.integers(-3, 10**6), st.sampled_from([True, "5"])),
        "annual_revenue": _MONEY,
        "country": st.one_of(st.none(), st.sampled_from(["DE", "de", "XX", "", 1])),
        "parent_id": st.one_of(_IDS, st.just("acct-9")),
        "owner_id": _IDS,
        "tags": st.one_of(
            st.just(()),
            st.frozensets(st.sampled_from(["vip", " vip ", "", None, 3])),
            st.lists(st.sampled_from(["vip", "b", " c "])),
            st.sampled_from(["vip", 3, (), ("vip",)]),
        ),
        "custom": _CUSTOM,
    },
)


@_SETTINGS
@given(_ACCOUNT_FIELDS, st.sampled_from(["acct-9", "acct-1", " acct", 5]), _ATS, _ACTORS)
def test_account_creation_equals_the_general_path(
    fields: dict[str, Any], id: Any, at: Any, actor: Any
) -> None:
    _same(Account, lambda: Account.new(id=id, at=at, actor=actor, **fields))


_CONTACT_FIELDS = st.fixed_dictionaries(
    {},
    optional={
        "first_name": _TEXT,
        "last_name": _TEXT,
        "emails": st.one_of(
            st.lists(st.sampled_from(["a@acme.io", "A@acme.io", "x", ""]), max_size=2).map(tuple),
            st.sampled_from([["a@acme.io"], "a@acme.io"]),
        ),
        "phones": st.one_of(
            st.lists(st.sampled_from(["+4930123456", "030 1234", ""]), max_size=2).map(tuple),
            st.just(["+4930123456"]),
        ),
        "title": _TEXT,
        "account_id": _IDS,
        "time_zone": st.one_of(st.none(), st.sampled_from(["Europe/Berlin", "Mars/Base", 2])),
        "owner_id": _IDS,
        "custom": _CUSTOM,
        "lifecycle_stage": st.sampled_from(["lead", "mql", "customer", "nope", 3]),
    },
)


@_SETTINGS
@given(_CONTACT_FIELDS, _ATS, _ACTORS)
def test_contact_creation_equals_the_general_path(
    fields: dict[str, Any], at: Any, actor: Any
) -> None:
    _same(Contact, lambda: Contact.new(id="contact-1", at=at, actor=actor, **fields))


_SOURCES = st.sampled_from(
    [None, LeadSource(channel="inbound", campaign_id="spring"), LeadSource(channel="x"), "web"]
)
_DEAL_FIELDS = st.fixed_dictionaries(
    {"name": _TEXT},
    optional={
        "pipeline": st.sampled_from([funnels.B2B_PIPELINE, "b2b_pipeline"]),
        "stage": st.sampled_from([None, "qualification", "proposal", "closed_won", "nope", 3]),
        "account_id": _IDS,
        "primary_contact_id": _IDS,
        "contact_roles": st.sampled_from(
            [
                None,
                {},
                {"c-1": ["champion"]},
                {"c-1": frozenset({ContactRole.CHAMPION})},
                {"c-1": []},
                {" c ": ["user"]},
                {"c-1": ["boss"]},
            ]
        ),
        "owner_id": _IDS,
        "team_id": _IDS,
        "type": st.sampled_from([OpportunityType.RENEWAL, "upsell", "nope"]),
        "amount": _MONEY,
        "line_items": st.sampled_from(
            [(), [], [LineItem(product_code="p-1", quantity=2, unit_price=Money("5", "EUR"))], "x"]
        ),
        "recurring": _MONEY,
        "term_months": st.sampled_from([None, 0, 1, 12, True, "3"]),
        "close_date": st.sampled_from([None, date(2026, 5, 1), AT, "2026-05-01"]),
        "competitors": st.sampled_from([(), ["Rival"], [" Rival ", "Rival"], ("",), "Rival"]),
        "next_step": _TEXT,
        "source": _SOURCES,
        "campaign_id": _IDS,
        "custom": _CUSTOM,
    },
)


@_SETTINGS
@given(_DEAL_FIELDS, _ATS, _ACTORS)
def test_deal_creation_equals_the_general_path(fields: dict[str, Any], at: Any, actor: Any) -> None:
    _same(Opportunity, lambda: Opportunity.new(id="deal-1", at=at, actor=actor, **fields))


def test_the_common_creations_take_the_fast_path() -> None:
    """A normal account, contact and deal are built without any constructor."""
    refuse = mock.Mock(side_effect=AssertionError("constructor"))
    with (
        mock.patch.object(Account, "__init__", refuse),
        mock.patch.object(Contact, "__init__", refuse),
        mock.patch.object(Opportunity, "__init__", refuse),
        mock.patch.object(StageChanged, "__init__", refuse),
    ):
        account = Account.new(id="acct-1", at=AT, actor="rep-1", name="Acme", country="DE")
        contact = Contact.new(
            id="contact-1", at=AT, actor="rep-1", emails=("a@acme.io",), lifecycle_stage="mql"
        )
        deal = Opportunity.new(
            id="deal-1",
            at=AT,
            actor="rep-1",
            name="Acme",
            amount=Money("10", "EUR"),
            source=LeadSource(channel="inbound", campaign_id="spring"),
        )
    assert all(aggregate._births(cls) is not None for cls in (Account, Contact, Opportunity))
    for cls, obj in ((Account, account), (Contact, contact), (Opportunity, deal)):
        assert cls.field_table.is_normal is not None
        assert cls.field_table.is_normal(obj)
        assert type(obj).from_events(obj.history) == obj
    assert deal.campaign_id == "spring"
    assert (contact.version, contact.lifecycle_stage) == (2, "mql")
    assert type(account.custom).__name__ == "FrozenDict"


def test_a_creation_the_fast_path_refuses_still_reports_every_problem() -> None:
    with pytest.raises(ValidationError) as info:
        Account.new(id="acct-1", at=AT, actor="rep-1", name="Acme", parent_id="acct-1")
    assert [(e.path, e.message) for e in info.value.errors] == [
        ("parent_id", "an account cannot be its own parent")
    ]
    with pytest.raises(ValidationError) as bad:
        Opportunity.new(
            id="deal-1",
            at=AT,
            actor="rep-1",
            name="Acme",
            amount=Money("1", "EUR"),
            recurring=Money("1", "USD"),
        )
    assert [e.path for e in bad.value.errors] == ["recurring"]


@pytest.mark.parametrize("kind", ["account", "contact", "opportunity", "lead"])
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_generated_aggregates_rebuild_alike_both_ways(kind: str, data: st.DataObject) -> None:
    strategy = {
        "account": s.accounts(),
        "contact": s.contacts(),
        "opportunity": s.opportunities(),
        "lead": s.leads(),
    }[kind]
    x = data.draw(strategy)
    cls = type(x)
    replay = _outcome(lambda: cls.from_events(x.history))
    with _general(cls):
        assert replay == _outcome(lambda: cls.from_events(x.history))


# --- entries into funnels -----------------------------------------------------------------

_WORDS = st.sampled_from(["lead", "new", " new", "", "x\ty", "a\x00", "ünï", 3, None])


@_SETTINGS
@given(
    _WORDS,
    _WORDS,
    _WORDS,
    _WORDS,
    _WORDS,
    st.sampled_from([None, "why", "two\nlines", "bell\x07", "", 4]),
    _ATS,
)
def test_a_stage_move_built_directly_equals_the_constructors(
    subject: Any, actor: Any, key: Any, before: Any, stage: Any, reason: Any, at: Any
) -> None:
    """Entries and moves build their event directly only when the constructor keeps it as is."""
    direct = _outcome(
        lambda: aggregate._stage_changed(subject, at, actor, key, before, stage, reason)
    )
    built = _outcome(
        lambda: StageChanged(
            subject_id=subject,
            at=at,
            actor=actor,
            funnel=key,
            from_stage=before,
            to_stage=stage,
            reason=reason,
        )
    )
    assert direct == built


# --- deals: state finished in place, stage text -------------------------------------------

_CHANGES = st.fixed_dictionaries(
    {},
    optional={
        "stage": st.sampled_from(["discovery", "closed_won", "", "nope", "bad\x00", 3, None]),
        "probability": st.sampled_from([0.5, 1, 2.0, "x", float("nan")]),
        "next_step": _TEXT,
        "lost_reason": _TEXT,
        "closed_at": st.sampled_from([None, AT, AT.replace(tzinfo=None)]),
    },
)


@_SETTINGS
@given(_CHANGES)
def test_a_deal_changed_in_place_equals_its_copy(changes: dict[str, Any]) -> None:
    deal = Opportunity.new(id="deal-1", at=AT, actor="rep-1", name="Acme")
    copy = _outcome(lambda: deal._evolved(changes))
    fresh = attrs.evolve(deal)
    before = _shape(fresh)
    in_place = _outcome(lambda: fresh._evolved(changes, in_place=True))
    assert in_place == copy
    if in_place[0] == "raised":
        assert _shape(fresh) == before  # nothing was set on a refusal
    assert _outcome(lambda: attrs.evolve(deal, **changes)) == copy


def test_closing_a_deal_leaves_the_original_as_it_was() -> None:
    deal = Opportunity.new(id="deal-1", at=AT, actor="rep-1", name="Acme")
    before = _shape(deal)
    lost = deal.close_lost(at=AT, actor="rep-1", reason="price")
    assert _shape(deal) == before
    assert (lost.stage, lost.lost_reason, lost.version) == ("closed_lost", "price", 4)
    assert Opportunity.from_events(lost.history) == lost
    with pytest.raises(ValidationError):
        deal.close_lost(at=AT - timedelta(days=1), actor="rep-1", reason="price")
    assert _shape(deal) == before


def _checked_stage(value: Any, path: str) -> Any:
    """The stage text check as it was: a checker's text check, empty allowed."""
    return fld.checked(lambda c, v, p: c.text(v, p, empty=True))(value, path, None)


@_SETTINGS
@given(st.one_of(st.text(max_size=6), st.sampled_from(["", " ", "a\nb", "\ud800", 3, None])))
def test_the_stage_text_check_equals_the_checkers(value: Any) -> None:
    assert _outcome(lambda: _STAGE_TEXT(value, "stage", None)) == _outcome(
        lambda: _checked_stage(value, "stage")
    )


# --- stage moves with a reason, rep answers ------------------------------------------------


@_SETTINGS
@given(
    st.one_of(st.text(max_size=6), st.sampled_from(["", " ", "a\nb", "t\tab", "\x07", "\ud800"]))
)
def test_a_stage_move_with_a_reason_is_checked_as_before(reason: str) -> None:
    fields = {
        "subject_id": "lead-1",
        "at": AT,
        "actor": "rep-1",
        "funnel": "lead_status",
        "from_stage": "new",
        "to_stage": "working",
        "reason": reason,
    }
    built = _outcome(lambda: StageChanged(**fields))
    direct = _prechecked(StageChanged)(**fields)
    assert built == _outcome(lambda: (Event.__attrs_post_init__(direct), direct)[1])


_ANSWER_FIELDS = st.fixed_dictionaries(
    {
        "item_key": _WORDS,
        "answer": st.sampled_from([ItemStatus.CONFIRMED, "not_met", "nope", 3]),
        "at": _ATS,
        "actor": _ACTORS,
    },
    optional={
        "note": st.sampled_from(["", "CFO signs", "two\nlines", "bell\x07", " ", None, 4]),
        "interaction_id": _WORDS,
    },
)


def _rep_answer_checked(fields: dict[str, Any]) -> RepAnswer:
    """A rep answer checked in detail: every field through the checker."""
    obj = object.__new__(RepAnswer)
    values = {"note": "", "interaction_id": None, **fields}
    for f in attrs.fields(RepAnswer):
        value = values[f.name]
        object.__setattr__(obj, f.name, f.converter(value) if f.converter else value)
    obj._check()
    return obj


@_SETTINGS
@given(_ANSWER_FIELDS)
def test_a_rep_answer_is_checked_as_before(fields: dict[str, Any]) -> None:
    built = _outcome(lambda: RepAnswer(**fields))
    reference = _outcome(lambda: _rep_answer_checked(fields))
    assert built[0] == reference[0]
    if built[0] == "raised":
        assert built == reference


# --- stage moves built directly, shared meeting outcomes ------------------------------------


@_SETTINGS
@given(
    st.sampled_from(["discovery", "proposal", "closed_won", "nope", " discovery", 3]),
    _ATS,
    _ACTORS,
    st.sampled_from([None, "price", "two\nlines", "bell\x07", "", 5]),
)
def test_a_move_records_the_event_the_constructor_builds(
    stage: Any, at: Any, actor: Any, reason: Any
) -> None:
    deal = Opportunity.new(
        id="deal-1",
        at=AT,
        actor="rep-1",
        name="Acme",
        amount=Money("10", "EUR"),
        close_date=date(2026, 5, 1),
    )
    moved = _outcome(lambda: deal.move_to(stage, at=at, actor=actor, reason=reason))
    if moved[0] == "built":
        new = deal.move_to(stage, at=at, actor=actor, reason=reason)
        last = new.history[-1]
        expected = StageChanged(
            subject_id="deal-1",
            at=at,
            actor=actor,
            funnel="b2b_pipeline",
            from_stage="qualification",
            to_stage=last.to_stage,
            reason=last.reason,
        )
        assert _shape(last) == _shape(expected)
        assert Opportunity.from_events(new.history) == new


@_SETTINGS
@given(
    st.sampled_from(["held", "no_show", "nope", None, 3]),
    st.sampled_from([None, "positive", "nope", 3]),
    st.sampled_from([None, AT, AT.replace(tzinfo=None)]),
)
def test_a_meeting_holds_the_outcome_the_constructor_builds(
    status: Any, sentiment: Any, rescheduled: Any
) -> None:
    from salescore.domain.interactions import Interaction, MeetingOutcome, MeetingStatus, Sentiment

    def fresh() -> Any:
        return MeetingOutcome(
            status=MeetingStatus(status),
            sentiment=None if sentiment is None else Sentiment(sentiment),
            rescheduled_to=rescheduled,
        )

    def meeting() -> Any:
        return Interaction.meeting(
            id="m-1",
            at=AT,
            actor="rep-1",
            status=status,
            sentiment=sentiment,
            rescheduled_to=rescheduled,
        ).outcome

    got = _outcome(meeting)
    if got[0] == "built":
        assert got == _outcome(fresh)
        assert meeting() == meeting()


# --- conversion ---------------------------------------------------------------------------


@_SETTINGS
@given(
    st.sampled_from([True, False, None, 1, "deal", OpportunitySpec(name="Big deal")]),
    st.sampled_from([None, {}, {"budget": 5}]),
    st.sampled_from([None, "acct", 3]),
    _ATS,
    _ACTORS,
)
def test_a_conversion_given_nothing_to_check_equals_the_checked_one(
    opportunity: Any, custom: Any, account: Any, at: Any, actor: Any
) -> None:
    from salescore.domain import conversion
    from salescore.domain.leads import Lead
    from salescore.ids import DeterministicIds

    lead = Lead.new(
        id="lead-1", at=AT, actor="web", email="ana@acme.io", company="Acme", custom=custom
    ).move_to("qualified", at=AT, actor="rep-1")
    existing = (
        Account.new(id="acct-1", at=AT, actor="rep-1", name="Acme")
        if account == "acct"
        else account
    )

    def convert() -> Any:
        return conversion.convert_lead(
            lead,
            at=at,
            actor=actor,
            ids=DeterministicIds(namespace="t", seed=1),
            account=existing,
            opportunity=opportunity,
        )

    fast = _outcome(convert)
    saved = conversion._CHOICES
    conversion._CHOICES = frozenset()  # type: ignore[misc]
    try:
        checked = _outcome(convert)
    finally:
        conversion._CHOICES = saved  # type: ignore[misc]
    assert fast == checked
    if fast[0] == "built":
        done = convert()
        assert done.unmapped_custom == ()  # without schemas the contact takes every value
        assert done.contact.custom == (custom or {})
        for agg in done.aggregates:
            assert type(agg).from_events(agg.history) == agg


def test_a_subclass_building_its_own_events_builds_its_moves_too() -> None:
    made: list[type] = []

    @attrs.frozen(kw_only=True)
    class Tracked(Contact):
        def _event(self, kind: Any, **fields: Any) -> Any:
            made.append(kind)
            return super()._event(kind, **fields)

    contact = Tracked.new(id="contact-1", at=AT, actor="rep-1", emails=("a@acme.io",))
    moved = contact.set_lifecycle_stage("mql", at=AT, actor="rep-1")
    assert made == [StageChanged]
    assert (type(moved), moved.lifecycle_stage, moved.version) == (Tracked, "mql", 3)


@contextmanager
def _detailed(cls: type[Aggregate]) -> Iterator[None]:
    """The cheap check off: every field through the normalisers."""
    table = cls.field_table
    saved = table.is_normal
    table.is_normal = None
    try:
        yield
    finally:
        table.is_normal = saved


_STATE_FIELDS = st.fixed_dictionaries(
    {"name": _TEXT},
    optional={
        "stage": st.sampled_from(["", "qualification", "closed_won", "nope", " x", 3]),
        "probability": st.sampled_from([0.0, 0.5, 1, 2.0, float("nan"), True, "x"]),
        "probability_overridden": st.sampled_from([False, True, 1]),
        "forecast_category": st.sampled_from(["pipeline", "commit", "nope", None]),
        "won_reason": _TEXT,
        "closed_at": st.sampled_from([None, AT, AT.replace(tzinfo=None), "x"]),
        "contact_roles": st.sampled_from(
            [{}, {"c-1": frozenset({ContactRole.USER})}, {"c-1": frozenset()}, {"c-1": ["user"]}]
        ),
        "competitors": st.sampled_from([(), ("Rival",), ["Rival"], ("",), "x"]),
        "line_items": st.sampled_from([(), []]),
        "amount": _MONEY,
        "recurring": _MONEY,
        "custom": st.sampled_from([{}, {"a": 1}, {"Bad Name": 1}]),
        "source": _SOURCES,
    },
)


@_SETTINGS
@given(_STATE_FIELDS)
def test_a_deal_built_with_its_cheap_check_equals_the_detailed_one(fields: dict[str, Any]) -> None:
    fast = _outcome(lambda: Opportunity(id="deal-1", **fields))
    with _detailed(Opportunity):
        assert fast == _outcome(lambda: Opportunity(id="deal-1", **fields))
