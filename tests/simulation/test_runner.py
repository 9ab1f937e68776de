"""Replications, variants and executors: the same result wherever shards run."""

from __future__ import annotations

import json
from concurrent.futures import ProcessPoolExecutor

import pytest

from salescore.errors import ValidationError
from salescore.simulation import b2b_quarter, simulate
from salescore.simulation.runner import BASELINE, derive_seed, run

TINY = b2b_quarter().with_overrides({"days": 4, "service.existing_customers": 10})


@pytest.fixture(scope="module")
def in_process() -> object:
    return run(TINY, 5, replications=2, variants=["more_sdrs"])


def test_shards_are_the_baseline_and_variants_on_the_same_seeds(in_process) -> None:
    assert in_process.variants == (BASELINE, "more_sdrs")
    assert [(s.variant, s.replication) for s in in_process.shards] == [
        (BASELINE, 0),
        (BASELINE, 1),
        ("more_sdrs", 0),
        ("more_sdrs", 1),
    ]
    seeds = [s.seed for s in in_process.shards]
    assert seeds == [derive_seed(5, 0), derive_seed(5, 1)] * 2
    assert seeds[0] != seeds[1]
    assert in_process.summary("more_sdrs", 1) == in_process.shards[3].summary
    assert in_process.summary() == simulate(TINY, derive_seed(5, 0)).summary


def test_derive_seed_depends_on_seed_and_replication_only() -> None:
    assert derive_seed(5, 0) == derive_seed(5, 0)
    assert len({derive_seed(s, r) for s in range(5) for r in range(5)}) == 25


def test_comparisons_are_paired_differences_with_intervals(in_process) -> None:
    leads = [c for c in in_process.comparisons if c.metric == "leads"]
    assert len(leads) == 1
    c = leads[0]
    base = [in_process.summary(BASELINE, r).metric("leads") for r in (0, 1)]
    more = [in_process.summary("more_sdrs", r).metric("leads") for r in (0, 1)]
    assert c.baseline == sum(base) / 2
    assert c.difference == pytest.approx((more[0] - base[0] + more[1] - base[1]) / 2)
    # Same seeds, and SDR head count does not change arrivals: the leads are the same.
    assert c.difference == 0.0
    assert (c.low, c.high) == (0.0, 0.0)
    single = run(TINY, 5, variants=["higher_mql"])
    assert all(c.low is None and c.high is None for c in single.comparisons)


def test_bad_runs_are_refused() -> None:
    with pytest.raises(ValidationError, match="replications"):
        run(TINY, replications=0)
    with pytest.raises(ValidationError, match="variant"):
        run(TINY, variants=["nope"])


def test_a_process_pool_gives_the_same_result(in_process) -> None:
    seen: list[tuple[int, int]] = []
    with ProcessPoolExecutor(max_workers=2) as pool:
        pooled = run(
            TINY,
            5,
            replications=2,
            variants=["more_sdrs"],
            executor=pool,
            progress=lambda d, t: seen.append((d, t)),
        )
    assert pooled == in_process
    assert json.dumps(pooled.to_dict()) == json.dumps(in_process.to_dict())
    assert seen == [(0, 4), (1, 4), (2, 4), (3, 4), (4, 4)]


def test_a_dask_cluster_gives_the_same_result(in_process) -> None:
    import distributed  # a test dependency: this runs for real, never skips

    from tests.simulation.test_parts import SHORT

    parted = run(SHORT, 7, replications=2, variants=["more_emea_sdrs"])

    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        on_dask = run(
            TINY, 5, replications=2, variants=["more_sdrs"], executor=client.get_executor()
        )
        # A scenario with parts: one shard per part, merged the same way.
        parted_on_dask = run(
            SHORT, 7, replications=2, variants=["more_emea_sdrs"], executor=client.get_executor()
        )
    assert on_dask == in_process
    assert parted_on_dask == parted
    assert len(parted.shards[0].parts) == 4
