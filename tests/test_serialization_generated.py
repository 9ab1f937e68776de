"""The generated readers and writers agree with the generic hooks, on good and bad documents."""

from __future__ import annotations

import enum
import importlib
import json
import pkgutil
import types
import typing
import warnings
from collections.abc import Mapping
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import salescore
from salescore.domain.campaigns import Campaign, CampaignMember
from salescore.domain.events import Event
from salescore.domain.leads import Lead
from salescore.domain.opportunities import Opportunity
from salescore.domain.parties import Account, Contact
from salescore.domain.service import ServiceCase
from salescore.domain.stages import Funnel
from salescore.domain.tasks import Task
from salescore.errors import ValidationError
from salescore.money import Money
from salescore.outreach.cadences import Cadence
from salescore.outreach.consent import RegistryCheck
from salescore.rules import Rule
from salescore.serialization import (
    Codec,
    _eligible,
    default_codec,
    from_dict,
    to_dict,
    to_json,
)
from salescore.testing import strategies
from tests.test_integrity import AGGREGATES, ALL_DOCUMENT_STRATEGIES, full_deal, full_lead

with warnings.catch_warnings():  # moved modules warn when imported by their old name
    warnings.simplefilter("ignore", DeprecationWarning)
    for _module in pkgutil.walk_packages(salescore.__path__, "salescore."):
        importlib.import_module(_module.name)


def _replica(codec: Codec, *, generated: bool) -> Codec:
    """A codec with ``codec``'s types, aliases, bases, codecs and upcasters."""
    twin = Codec(generated=generated)
    for base in codec._polymorphic:
        twin.register_polymorphic(base)
    for base, encode, decode in codec._codecs:
        twin.register_codec(base, encode, decode, name=codec._names[base])
    for cls, name in codec._names.items():
        aliases = tuple(k for k, c in codec._types.items() if c is cls and k != name)
        twin.register(cls, name=name, aliases=aliases)
    for (type_name, version), fn in codec._upcasters.items():
        twin.register_upcaster(type_name, version, fn)
    return twin


GENERATED = _replica(default_codec, generated=True)
GENERIC = _replica(default_codec, generated=False)
SETTINGS = settings(
    max_examples=10, suppress_health_check=list(HealthCheck), deadline=None, database=None
)


def _reachable(value: Any, seen: dict[int, Any]) -> None:
    """Every registered object reachable from ``value`` (fields, containers), by id."""
    if id(value) in seen:
        return
    if isinstance(value, dict):
        for item in value.values():
            _reachable(item, seen)
    elif isinstance(value, tuple | list | frozenset | set):
        for item in value:
            _reachable(item, seen)
    elif attrs.has(type(value)):
        if type(value) in GENERATED._names:
            seen[id(value)] = value
        for field in attrs.fields(type(value)):
            _reachable(getattr(value, field.name), seen)


def _both_ways(value: Any) -> None:
    """``value`` round-trips to an equal object and identical bytes through both codecs."""
    cls = type(value)
    doc = GENERATED.to_dict(value)
    assert doc == GENERIC.to_dict(value)
    text = GENERATED.to_json(value)
    assert text == GENERIC.to_json(value) == to_json(value)
    for codec in (GENERATED, GENERIC):
        assert codec.from_dict(cls, doc) == value
        back = codec.from_json(cls, text)
        assert back == value
        assert codec.to_json(back) == text


@pytest.mark.parametrize("name", ALL_DOCUMENT_STRATEGIES)
def test_every_type_round_trips_alike_through_generated_and_generic_code(name: str) -> None:
    @SETTINGS
    @given(getattr(strategies, name)())
    def check(value: Any) -> None:
        reached: dict[int, Any] = {}
        _reachable(value, reached)
        for each in reached.values():
            _both_ways(each)
            COVERED.add(type(each))

    check()


COVERED: set[type] = set()

WORDS = st.sampled_from(["a", "new", "lead", "rep-7", "Acme", "EUR", "lead_status", "x 1"])
KNOWN: dict[Any, st.SearchStrategy[Any]] = {
    str: WORDS,
    int: st.integers(-3, 100),
    float: st.floats(-1, 100, allow_nan=False),
    bool: st.booleans(),
    type(None): st.none(),
    datetime: strategies.aware_datetimes(),
    date: st.dates(),
    time: st.times(),
    timedelta: st.timedeltas(timedelta(0), timedelta(days=3)),
    Decimal: st.decimals(-1000, 1000, places=2),
    Any: strategies.json_values(),
    Money: strategies.money(currencies=["EUR"]),
    Funnel: strategies.funnels(),
    Rule: strategies.rules(),
    Lead: strategies.leads(),
    Account: strategies.accounts(),
    Contact: strategies.contacts(),
    Opportunity: strategies.opportunities(),
    Cadence: strategies.cadences(),
    Campaign: strategies.campaigns(),
    CampaignMember: strategies.campaign_members(),
    ServiceCase: strategies.service_cases(),
    Task: strategies.tasks(),
    RegistryCheck: strategies.registry_checks(),
}


def _values_of(t: Any, depth: int = 0) -> st.SearchStrategy[Any]:
    """Values of field type ``t``: drawn from its annotations, bounded in depth."""
    if t in KNOWN:
        return KNOWN[t]
    origin, args = typing.get_origin(t), typing.get_args(t)
    if isinstance(t, type) and issubclass(t, enum.Enum):
        return st.sampled_from(list(t))
    if origin in (typing.Union, types.UnionType):
        return st.one_of(*(_values_of(a, depth) for a in args))
    if origin is tuple and len(args) == 2 and args[1] is Ellipsis:
        items = _values_of(args[0], depth + 1)
        # too deep to build an item: only the empty collection
        return st.just(()) if items.is_empty else st.lists(items, max_size=2).map(tuple)
    if origin is tuple:
        return st.tuples(*(_values_of(a, depth + 1) for a in args))
    if origin in (frozenset, set):
        items = _values_of(args[0], depth + 1)
        return st.just(frozenset()) if items.is_empty else st.frozensets(items, max_size=2)
    if origin in (dict, Mapping) or t is Mapping:
        key, value = args or (str, Any)
        return st.dictionaries(_values_of(key, depth + 1), _values_of(value, depth + 1), max_size=2)
    if attrs.has(t) and depth < 4:
        # the types the replicas know (other tests register more in the default codec later)
        kinds = [k for k in GENERATED._names if isinstance(k, type) and issubclass(k, t)]
        return st.one_of(*(_built(k, depth + 1) for k in sorted(kinds, key=str)))
    return st.nothing()


def _built(cls: type, depth: int = 0) -> st.SearchStrategy[Any]:
    """Instances of attrs class ``cls`` from its annotations (those it refuses are skipped)."""
    attrs.resolve_types(cls)
    fields = {f.name: _values_of(f.type, depth) for f in attrs.fields(cls) if f.init}

    def make(**kwargs: Any) -> Any:
        try:
            return cls(**kwargs)
        except ValidationError:
            return None

    return st.builds(make, **fields).filter(lambda made: made is not None)


ELIGIBLE = sorted(  # aggregates are built by their strategies (their state is their history)
    (name, cls)
    for cls, name in default_codec._names.items()
    if _eligible(cls) and not hasattr(cls, "_from_history")
)


@pytest.mark.parametrize(("name", "cls"), ELIGIBLE, ids=[name for name, _ in ELIGIBLE])
def test_every_registered_type_round_trips_alike(name: str, cls: type) -> None:
    @settings(SETTINGS, max_examples=5)
    @given(KNOWN[cls] if cls in KNOWN else _built(cls))
    def check(value: Any) -> None:
        _both_ways(value)

    check()


def test_full_records_round_trip_alike() -> None:
    reached: dict[int, Any] = {}
    for value in (full_lead(), full_deal()):
        _reachable(value, reached)
    for each in reached.values():
        _both_ways(each)


def test_every_registered_attrs_type_has_a_generated_reader_and_writer() -> None:
    """Every eligible type is handled by generated code, not by per-field hooks."""
    checked = 0
    for cls in set(GENERATED.known_types().values()):
        if not _eligible(cls):
            continue
        reader = GENERATED._fast.get_structure_hook(cls)
        writer = GENERATED._fast.get_unstructure_hook(cls)
        if any(cls is b or issubclass(cls, b) for b, _, _ in GENERATED._codecs):
            continue
        if cls in GENERATED._polymorphic:
            continue
        if reader.__code__.co_filename.startswith("<generated reader"):
            assert writer.__code__.co_filename.startswith("<generated writer")
            checked += 1
        else:  # a value with its own hook (Money)
            assert cls.__name__ == "Money", cls
    assert checked > 50


def test_a_plain_aggregate_document_is_read_by_generated_code() -> None:
    lead = full_lead()
    doc = json.loads(to_json(lead))
    events = default_codec._plain_history(Lead, doc)
    assert events == lead.history
    doc["_schema"] = True
    assert default_codec._plain_history(Lead, doc) is None
    assert GENERIC.from_dict(Lead, json.loads(to_json(lead))) == lead


def _outcome(codec: Codec, cls: type, doc: Any) -> tuple[str, Any]:
    try:
        return "ok", codec.to_json(codec.from_dict(cls, doc))
    except ValidationError as exc:
        return "refused", [(e.path, e.message) for e in exc.errors]


ODD_VALUES = st.one_of(
    strategies.json_values(),
    st.sampled_from(
        [None, True, False, 1, 1.0, -0.0, 2**70, "", " ", "x", "\x00", [], {}, "2026-01-01"]
    ),
)
AGGREGATE_DOCS = st.one_of(
    *(getattr(strategies, name)() for name in AGGREGATES),
    st.builds(full_lead),
    st.builds(full_deal),
)


@settings(SETTINGS, max_examples=150)
@given(AGGREGATE_DOCS, st.data())
def test_mutated_documents_get_the_same_answer_from_both(aggregate: Any, data: Any) -> None:
    """Generated code accepts only what the generic hooks accept, and reads it alike."""
    cls = type(aggregate)
    doc = json.loads(to_json(aggregate))
    events = doc["history"]
    target = data.draw(st.sampled_from([doc, *events]), label="target")
    keys = sorted(target)
    for _ in range(data.draw(st.integers(1, 3), label="changes")):
        key = data.draw(st.sampled_from([*keys, "extra"]), label="key")
        if data.draw(st.booleans(), label="delete"):
            target.pop(key, None)
        elif data.draw(st.booleans(), label="same key elsewhere"):
            donors = [e[key] for e in events if key in e] or [None]
            target[key] = data.draw(st.sampled_from(donors), label="donor")
        else:
            target[key] = data.draw(ODD_VALUES, label="value")
    generated = _outcome(GENERATED, cls, doc)
    assert generated == _outcome(GENERIC, cls, doc)
    if generated[0] == "ok":
        assert from_dict(cls, doc) == GENERIC.from_dict(cls, doc)


@SETTINGS
@given(st.lists(strategies.fields_changed() | strategies.stage_changed(), max_size=4))
def test_event_lists_read_alike(events: list[Event]) -> None:
    docs = [to_dict(e) for e in events]
    for doc in docs:
        assert GENERATED.from_dict(Event, doc) == GENERIC.from_dict(Event, doc)


def test_generated_writer_keys_are_sorted() -> None:
    lead = full_lead()
    for event in lead.history:
        doc = to_dict(event)
        assert list(doc) == sorted(doc)
        assert set(doc) == {"_type", "_schema"} | {f.name for f in attrs.fields(type(event))}


@pytest.mark.parametrize("bad", [True, 1.0])
def test_an_event_schema_that_is_not_an_int_is_refused(bad: Any) -> None:
    doc = json.loads(to_json(full_lead()))
    doc["history"][1]["_schema"] = bad
    for codec in (GENERATED, GENERIC):
        with pytest.raises(ValidationError) as err:
            codec.from_dict(Lead, doc)
        assert err.value.paths == ("history[1]._schema",)
