"""Shared checks for the merge tests."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import timedelta
from typing import Any

import attrs

from salescore.domain.interactions import Interaction
from salescore.ids import DeterministicIds
from salescore.outreach import Merge, SurvivorPolicy, Take, unmerge


def state(x: Any) -> dict[str, Any]:
    """A record's fields without its version and history."""
    return {
        k: v for k, v in attrs.asdict(x, recurse=False).items() if k not in ("version", "history")
    }


def distinct(a: Any, b: Any) -> Any:
    """``b``, renamed if it has ``a``'s id."""
    if a.id != b.id:
        return b
    return type(b).from_events(attrs.evolve(e, subject_id=b.id + "x") for e in b.history)


def assert_undo_is_identity(
    merge: Callable[..., Any],
    a: Any,
    b: Any,
    *,
    policy: SurvivorPolicy,
    resolve: Mapping[str, Take],
    children: Sequence[Any],
    interactions: Sequence[Interaction],
) -> None:
    """Merge ``a`` and ``b``, undo it, and check that everything is as it was."""
    at = max(a.updated_at, b.updated_at) + timedelta(minutes=1)
    m = merge(
        a,
        b,
        at=at,
        actor="r",
        ids=DeterministicIds(namespace="p", seed=1),
        policy=policy,
        resolve=resolve,
        children=children,
        interactions=interactions,
    )
    assert Merge.from_events(m.merge.history) == m.merge
    u = unmerge(
        m.merge,
        m.survivor,
        m.tombstone,
        at=at,
        actor="r",
        children=m.children,
        interactions=m.interactions,
    )
    before = {a.id: a, b.id: b}
    assert state(u.survivor) == state(before[u.survivor.id])
    assert state(u.merged) == state(before[u.merged.id])
    assert [state(c) for c in u.children] == [state(c) for c in children]
    assert list(u.interactions) == list(interactions)
    for x in (u.survivor, u.merged):
        assert type(x).from_events(x.history) == x
    assert u.merge.undone
