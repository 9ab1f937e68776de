"""Invariants every salescore aggregate, event and value keeps, as reusable checks.

Call them from your own tests (property tests in particular) on objects your
code builds::

    from salescore.testing.invariants import check_aggregate

    check_aggregate(lead)   # replay, version, JSON round trip, immutability, hash

Each check raises :class:`AssertionError` with a message saying what broke.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import attrs

from salescore.domain.aggregate import Aggregate
from salescore.frozen import FrozenDict
from salescore.serialization import from_json, to_json

__all__ = [
    "assert_deeply_immutable",
    "assert_json_round_trip",
    "assert_replays_to_itself",
    "assert_version_matches_history",
    "check_aggregate",
    "check_value",
    "reachable",
]

_MUTATIONS: tuple[tuple[str, tuple[Any, ...]], ...] = (
    ("__setitem__", ("__probe__", 1)),
    ("__delitem__", ("__probe__",)),
    ("append", (1,)),
    ("add", (1,)),
    ("update", ({},)),
    ("clear", ()),
    ("pop", ()),
    ("setdefault", ("__probe__", 1)),
)


def assert_replays_to_itself(aggregate: Aggregate) -> None:
    """``type(a).from_events(a.history) == a``."""
    replayed = type(aggregate).from_events(aggregate.history)
    assert replayed == aggregate, f"replaying {aggregate.id}'s history gives another state"


def assert_version_matches_history(aggregate: Aggregate) -> None:
    """``a.version == len(a.history)`` and the history is a tuple of events of ``a``."""
    assert aggregate.version == len(aggregate.history), (
        f"version {aggregate.version} but {len(aggregate.history)} events"
    )
    assert type(aggregate.history) is tuple, "history must be a tuple"
    for i, event in enumerate(aggregate.history):
        assert event.subject_id == aggregate.id, f"history[{i}] belongs to {event.subject_id}"


def assert_json_round_trip(obj: Any) -> None:
    """``from_json(to_json(x)) == x`` and the text is stable (written again, the same bytes)."""
    text = to_json(obj)
    back = from_json(type(obj), text)
    assert back == obj, f"{type(obj).__name__} changed in a JSON round trip"
    assert to_json(back) == text, f"{type(obj).__name__} JSON is not byte-stable"
    assert hash(back) == hash(obj), f"{type(obj).__name__} hash changed in a round trip"


def reachable(obj: Any) -> Iterator[tuple[str, Any]]:
    """Every value reachable from ``obj`` (fields, items, keys), with its path."""
    stack: list[tuple[str, Any]] = [("", obj)]
    seen: set[int] = set()
    while stack:
        path, value = stack.pop()
        if id(value) in seen:
            continue
        seen.add(id(value))
        yield path, value
        if attrs.has(type(value)):
            for field in attrs.fields(type(value)):
                if field.eq:
                    stack.append((f"{path}.{field.name}", getattr(value, field.name)))
        elif isinstance(value, dict):
            for k, v in value.items():
                stack.append((f"{path}[{k!r}]", v))
                stack.append((f"{path}<key {k!r}>", k))
        elif isinstance(value, tuple | list | frozenset | set):
            for i, v in enumerate(value):
                stack.append((f"{path}[{i}]", v))


def assert_deeply_immutable(obj: Any) -> None:
    """Nothing reachable from ``obj`` can be changed, and ``hash(obj)`` works.

    Every attrs object refuses attribute assignment; every container is a
    tuple, a frozenset or a :class:`~salescore.frozen.FrozenDict` whose
    mutating methods raise :class:`TypeError`; no ``list``, ``dict`` or
    ``set`` is reachable.
    """
    for path, value in reachable(obj):
        where = path or "<object>"
        if attrs.has(type(value)):
            fields = attrs.fields(type(value))
            if fields:
                name = fields[0].name
                try:
                    object.__getattribute__(value, "__setattr__")(name, None)
                except (attrs.exceptions.FrozenInstanceError, AttributeError):
                    pass
                else:  # pragma: no cover - reported as a failure
                    raise AssertionError(f"{where}.{name} could be assigned")
        elif isinstance(value, dict):
            assert type(value) is FrozenDict, f"{where} is a mutable {type(value).__name__}"
            for method, args in _MUTATIONS:
                fn = getattr(value, method, None)
                if fn is None:
                    continue
                try:
                    fn(*args)
                except TypeError:
                    continue
                raise AssertionError(f"{where}.{method} changed a FrozenDict")
        else:
            assert not isinstance(value, list | set | bytearray), (
                f"{where} is a mutable {type(value).__name__}"
            )
    hash(obj)


def check_value(obj: Any) -> None:
    """The invariants of any document value: JSON round trip and deep immutability."""
    assert_deeply_immutable(obj)
    assert_json_round_trip(obj)


def check_aggregate(aggregate: Aggregate) -> None:
    """Every invariant of an aggregate: version, replay, JSON, immutability, hash."""
    assert_version_matches_history(aggregate)
    assert_replays_to_itself(aggregate)
    check_value(aggregate)
