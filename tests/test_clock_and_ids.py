"""Clocks and id factories."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from salescore.clock import Clock, ManualClock, SystemClock, to_utc
from salescore.errors import ValidationError
from salescore.ids import DeterministicIds, IdFactory, RandomIds

T0 = datetime(2026, 1, 5, 9, tzinfo=UTC)


def test_manual_clock_moves_only_forward() -> None:
    clock = ManualClock(T0)
    assert clock.now() == T0
    assert clock.advance(timedelta(hours=2)) == T0 + timedelta(hours=2)
    with pytest.raises(ValidationError) as info:
        clock.set(T0)
    assert info.value.paths == ("at",)
    with pytest.raises(ValidationError):
        clock.advance(timedelta(seconds=-1))
    assert clock.now() == T0 + timedelta(hours=2)


def test_naive_start_is_refused() -> None:
    with pytest.raises(ValidationError) as info:
        ManualClock(datetime(2026, 1, 5))
    assert info.value.paths == ("start",)


def test_clocks_satisfy_the_protocol() -> None:
    assert isinstance(SystemClock(), Clock)
    assert isinstance(ManualClock(T0), Clock)
    assert SystemClock().now().tzinfo is not None


def test_to_utc() -> None:
    from datetime import timezone

    local = datetime(2026, 1, 5, 10, tzinfo=timezone(timedelta(hours=1)))
    assert to_utc(local) == T0
    assert to_utc(local).tzinfo is UTC


def test_deterministic_ids_count_per_kind() -> None:
    ids = DeterministicIds(namespace="demo", seed=1)
    assert [ids.new("lead"), ids.new("lead"), ids.new("deal")] == [
        "lead-demo-1-1",
        "lead-demo-1-2",
        "deal-demo-1-1",
    ]
    assert ids.issued() == {"lead": 2, "deal": 1}
    assert isinstance(ids, IdFactory)


@pytest.mark.parametrize(("namespace", "seed"), [("", 1), ("a b", 1), ("ok", -1), ("ok", True)])
def test_deterministic_ids_refuse_bad_arguments(namespace: str, seed: int) -> None:
    with pytest.raises(ValidationError):
        DeterministicIds(namespace=namespace, seed=seed)


def test_random_ids_seeded_are_reproducible() -> None:
    a = RandomIds(random.Random(7))
    b = RandomIds(random.Random(7))
    assert [a.new("case") for _ in range(3)] == [b.new("case") for _ in range(3)]
    assert RandomIds().new("lead").startswith("lead_")
    with pytest.raises(ValidationError):
        RandomIds().new("no spaces")


@given(st.lists(st.sampled_from(["a", "b", "c"]), min_size=1, max_size=30), st.integers(0, 5))
def test_shards_never_collide(kinds: list[str], seed: int) -> None:
    one, two = DeterministicIds("shard1", seed), DeterministicIds("shard2", seed)
    made = [one.new(k) for k in kinds] + [two.new(k) for k in kinds]
    assert len(set(made)) == len(made)
