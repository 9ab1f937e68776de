"""Parts of an organisation: their definition, one shard each, and the merge."""

from __future__ import annotations

import json
import random
import statistics
from collections.abc import Callable
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from salescore.errors import ValidationError
from salescore.simulation import Scenario, simulate
from salescore.simulation.parts import PartSummary, merge, simulate_part
from salescore.simulation.runner import BASELINE, derive_seed, run

REGIONS_TOML = (Path(__file__).parents[2] / "examples" / "scenarios" / "regions.toml").read_text(
    encoding="utf-8"
)
REGIONS = Scenario.from_toml(REGIONS_TOML)
SHORT = REGIONS.with_overrides({"days": 6})


def _refused(text: str) -> list[tuple[str, Any, str]]:
    with pytest.raises(ValidationError) as info:
        Scenario.from_toml(text)
    return [(e.path, e.value, e.message) for e in info.value.errors]


# -- the definition -----------------------------------------------------------------------


def test_parts_are_read_with_their_sources_teams_and_customers() -> None:
    assert [p.key for p in REGIONS.parts] == ["emea", "americas", "apac", "nordics"]
    emea = REGIONS.parts[0]
    assert emea.sources == ("emea_search", "emea_webinar")
    assert emea.teams == ("emea_sdr", "emea_enterprise", "emea_ae", "emea_support")
    assert emea.existing_customers == 40


def test_a_part_is_a_scenario_of_its_own() -> None:
    emea = REGIONS.part("emea")
    assert emea.name == "Four regions: emea"
    assert emea.parts == ()
    assert emea.variants == ()
    assert [s.key for s in emea.sources] == ["emea_search", "emea_webinar"]
    assert [t.key for t in emea.teams] == ["emea_sdr", "emea_enterprise", "emea_ae", "emea_support"]
    # The scenario's own routing teams are in this part: kept, with the rule.
    assert (emea.default_team, emea.deal_team) == ("emea_sdr", "emea_ae")
    assert [r.team for r in emea.routes] == ["emea_enterprise"]
    assert emea.service is not None
    assert (emea.service.team, emea.service.existing_customers) == ("emea_support", 40)
    # Another part: its first team of each role, and no rule naming another part's team.
    apac = REGIONS.part("apac")
    assert (apac.default_team, apac.deal_team) == ("apac_sdr", "apac_ae")
    assert apac.routes == ()
    assert apac.service is not None
    assert apac.service.team == "apac_support"
    assert apac.sources[0].rate == 10.0
    assert apac.start == REGIONS.start
    with pytest.raises(ValidationError) as info:
        REGIONS.part("mars")
    assert (info.value.errors[0].path, info.value.errors[0].value) == ("part", "mars")
    assert "known: emea, americas, apac, nordics" in info.value.errors[0].message


def test_variants_may_change_parts() -> None:
    more = REGIONS.with_overrides({"parts.apac.existing_customers": 7})
    assert [p.existing_customers for p in more.parts] == [40, 40, 7, 40]
    assert REGIONS.variant("more_emea_sdrs").part("emea").teams[0].reps == 4


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            ('sources = ["nordics_events"]', 'sources = ["apac_partners"]'),
            [
                (
                    "parts[3].sources[0]",
                    "apac_partners",
                    "source 'apac_partners' is already in part 'apac'",
                ),
                ("sources[4].key", "nordics_events", "source 'nordics_events' is in no part"),
            ],
        ),
        (
            ('sources = ["nordics_events"]', "sources = []"),
            [
                ("parts[3].sources", [], "must be a non-empty list of strings"),
                ("sources[4].key", "nordics_events", "source 'nordics_events' is in no part"),
            ],
        ),
        (
            ('teams = ["nordics_sdr",', 'teams = ["apac_sdr", "nordics_sdr",'),
            [("parts[3].teams[0]", "apac_sdr", "team 'apac_sdr' is already in part 'apac'")],
        ),
        (
            ('sources = ["nordics_events"]', 'sources = ["nordics_events", "moon"]'),
            [("parts[3].sources[1]", "moon", "'moon' is not a source of the scenario")],
        ),
        (
            ('teams = ["nordics_sdr", ', "teams = ["),
            [
                ("parts[3].teams", ["nordics_ae", "nordics_support"], "needs a team of role 'sdr'"),
                ("teams[10].key", "nordics_sdr", "team 'nordics_sdr' is in no part"),
            ],
        ),
        (
            ('key = "nordics"\nsources', 'key = "apac"\nsources'),
            [("parts[3].key", "apac", "part 'apac' is named twice")],
        ),
        (
            ("= 40\n\n[variants", "= 40\ncolour = 1\n\n[variants"),
            [
                (
                    "parts[3].colour",
                    1,
                    "is not a known key (key, sources, teams, existing_customers)",
                )
            ],
        ),
        (
            ('team = "emea_support"', 'team = "emea_support"\nexisting_customers = 5'),
            [
                (
                    "service.existing_customers",
                    5,
                    "must be left out with parts: give each part its existing_customers",
                )
            ],
        ),
    ],
)
def test_bad_parts_are_refused_by_key_and_value(
    change: tuple[str, str], expected: list[tuple[str, Any, str]]
) -> None:
    assert change[0] in REGIONS_TOML
    assert _refused(REGIONS_TOML.replace(*change)) == expected


def test_an_empty_list_of_parts_is_refused() -> None:
    start = REGIONS_TOML.index("[[parts]]")
    end = REGIONS_TOML.index("[variants")
    text = "parts = []\n" + REGIONS_TOML[:start] + REGIONS_TOML[end:]
    assert _refused(text) == [
        ("parts", [], "must not be empty (leave it out for one organisation)")
    ]


# -- shards and seeds ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def in_process() -> Any:
    return run(SHORT, 7, replications=2, variants=["more_emea_sdrs"])


def test_one_shard_per_part_with_seeds_from_seed_replication_and_key(in_process: Any) -> None:
    assert [(s.variant, s.replication) for s in in_process.shards] == [
        (BASELINE, 0),
        (BASELINE, 1),
        ("more_emea_sdrs", 0),
        ("more_emea_sdrs", 1),
    ]
    first = in_process.shards[0]
    assert first.seed == derive_seed(7, 0)
    assert [p.part for p in first.parts] == ["emea", "americas", "apac", "nordics"]
    assert [p.seed for p in first.parts] == [
        derive_seed(7, 0, k) for k in ("emea", "americas", "apac", "nordics")
    ]
    assert len({p.seed for s in in_process.shards[:2] for p in s.parts}) == 8
    # A variant runs its parts on the baseline's seeds: paired.
    assert [p.seed for p in in_process.shards[2].parts] == [p.seed for p in first.parts]
    # Each part's shard is exactly a simulation of that part on its seed.
    apac = first.parts[2]
    assert apac.summary == simulate(SHORT.part("apac"), apac.seed).summary
    assert first.summary == merge(first.parts)
    assert in_process.summary() == first.summary


def test_derive_seed_depends_on_the_part_key_only_through_its_name() -> None:
    assert derive_seed(7, 0, "emea") == derive_seed(7, 0, "emea")
    assert derive_seed(7, 0, "emea") != derive_seed(7, 0, "apac")
    assert derive_seed(7, 0, "emea") != derive_seed(7, 1, "emea")
    assert derive_seed(7, 0, "emea") != derive_seed(7, 0)


def test_results_are_the_same_bytes_on_one_or_two_processes(in_process: Any) -> None:
    for workers in (1, 2):
        with ProcessPoolExecutor(max_workers=workers) as pool:
            pooled = run(SHORT, 7, replications=2, variants=["more_emea_sdrs"], executor=pool)
        assert pooled == in_process
        assert json.dumps(pooled.to_dict()) == json.dumps(in_process.to_dict())


def test_the_summary_json_holds_each_part(in_process: Any) -> None:
    data = in_process.to_dict()
    parts = data["shards"][0]["parts"]
    assert [p["part"] for p in parts] == ["emea", "americas", "apac", "nordics"]
    leads = [dict(p["summary"]["metrics"])["leads"] for p in parts]
    assert dict(data["shards"][0]["summary"]["metrics"])["leads"] == sum(leads)


# -- the merge ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def parts(in_process: Any) -> tuple[PartSummary, ...]:
    return in_process.shards[0].parts  # type: ignore[no-any-return]


def test_one_part_merges_into_its_own_summary(parts: tuple[PartSummary, ...]) -> None:
    for part in parts:
        assert merge([part]) == part.summary


def test_counts_add_and_rates_are_recomputed_from_counts(parts: tuple[PartSummary, ...]) -> None:
    merged = merge(parts)
    m = dict(merged.metrics)
    each = [dict(p.summary.metrics) for p in parts]
    for name in ("leads", "mqls", "meetings", "deals", "won", "lost", "cases"):
        assert m[name] == sum(e[name] for e in each)
    assert m["revenue"] == round(sum(e["revenue"] for e in each), 2)
    assert m["marketing_cost"] == 56000.0
    assert m["cost_per_lead"] == round(56000.0 / m["leads"], 2)
    if m["won"] + m["lost"]:
        assert m["win_rate"] == round(m["won"] / (m["won"] + m["lost"]), 6)
    met = sum(n for p in parts for _, n, _ in p.sla)
    missed = sum(n for p in parts for _, _, n in p.sla)
    assert met + missed > 0
    assert m["sla_attainment"] == round(met / (met + missed), 6)
    # Not the mean of the parts' rates (unless by chance).
    assert dict(merged.funnel)["leads"] == m["leads"]
    assert merged.campaigns == tuple(
        r for p in sorted(parts, key=lambda p: p.part) for r in p.summary.campaigns
    )
    seconds = [s for p in parts for k, v in p.stage_seconds if k == "qualification" for s in v]
    if seconds:
        days = {k: d for k, _, d in merged.pipeline}["qualification"]
        assert days == round(statistics.median(seconds) / 86400, 3)


def test_the_merged_forecast_adds_the_parts_draws(parts: tuple[PartSummary, ...]) -> None:
    merged = merge(parts)
    ordered = sorted(parts, key=lambda p: p.part)
    draws = sorted(sum(d) for d in zip(*(p.forecast for p in ordered), strict=True))
    assert dict(merged.forecast)[0.5] == round(draws[1000], 2)
    assert len(draws) == 2000


def test_merging_nothing_or_a_part_twice_is_refused(parts: tuple[PartSummary, ...]) -> None:
    with pytest.raises(ValidationError, match="at least one"):
        merge([])
    with pytest.raises(ValidationError) as info:
        merge([parts[0], parts[0]])
    assert info.value.errors[0].path == "parts"
    assert info.value.errors[0].value == ["emea", "emea"]


def test_simulate_part_takes_a_part_scenario_or_the_whole() -> None:
    tiny = REGIONS.with_overrides({"days": 3})
    assert simulate_part(tiny, "apac", 1) == simulate_part(tiny.part("apac"), "apac", 1)
    with pytest.raises(ValidationError, match="is not a part"):
        simulate_part(tiny, "mars", 1)


amounts = st.floats(min_value=0, max_value=1e7, allow_nan=False).map(lambda x: round(x, 2))


@st.composite
def part_summaries(draw: st.DrawFn, template: PartSummary) -> list[PartSummary]:
    """Parts with arbitrary amounts and durations, shaped like a real part."""
    keys = draw(st.lists(st.text("abcdefgh", min_size=1, max_size=4), min_size=1, max_size=6,
                         unique=True))  # fmt: skip
    out = []
    for key in keys:
        metrics = tuple(
            (name, draw(amounts) if isinstance(value, float) else value)
            for name, value in template.summary.metrics
        )
        attribution = tuple(
            (model, tuple((channel, draw(amounts)) for channel, _ in rows))
            for model, rows in template.summary.attribution
        )
        durations = st.lists(st.floats(min_value=0, max_value=1e7), max_size=5).map(tuple)
        out.append(
            attrs.evolve(
                template,
                part=key,
                summary=attrs.evolve(template.summary, metrics=metrics, attribution=attribution),
                first_reply=tuple((k, draw(durations)) for k, _ in template.first_reply),
                stage_seconds=tuple((k, draw(durations)) for k, _ in template.stage_seconds),
                forecast=tuple(draw(amounts) for _ in range(5)),
            )
        )
    return out


SAMPLE = simulate_part(REGIONS.with_overrides({"days": 20}), "nordics", 3)


@settings(max_examples=60, deadline=None)
@given(part_summaries(SAMPLE), st.randoms(use_true_random=False))
def test_merging_does_not_depend_on_the_order_of_the_parts(
    parts: list[PartSummary], rng: random.Random
) -> None:
    shuffled = list(parts)
    rng.shuffle(shuffled)
    assert merge(shuffled) == merge(parts)


class _Workers(Executor):
    """Runs submitted shards only when a result is first asked for, as ``workers``
    workers would finish them: each worker takes the next task, in a shuffled order."""

    cache: dict[tuple[Any, ...], Any] = {}

    def __init__(self, workers: int, rng: random.Random) -> None:
        self.workers = workers
        self.rng = rng
        self.pending: list[tuple[Future[Any], Callable[..., Any], tuple[Any, ...]]] = []

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        executor = self

        class _Later(Future[Any]):
            def result(self, timeout: float | None = None) -> Any:
                executor.finish()
                return super().result(timeout)

        future = _Later()
        self.pending.append((future, fn, args))
        return future

    def finish(self) -> None:
        queues: list[list[Any]] = [self.pending[i :: self.workers] for i in range(self.workers)]
        self.pending = []
        while any(queues):
            queue = self.rng.choice([q for q in queues if q])
            future, fn, args = queue.pop(0)
            key = (fn.__name__, *(a for a in args if not isinstance(a, Scenario)))
            if key not in self.cache:
                self.cache[key] = fn(*args)
            future.set_result(self.cache[key])


TINY = REGIONS.with_overrides({"days": 3})


@settings(max_examples=15, deadline=None)
@given(st.integers(1, 6), st.randoms(use_true_random=False))
def test_the_result_does_not_depend_on_how_many_workers_ran_the_shards(
    workers: int, rng: random.Random
) -> None:
    expected = run(TINY, 2, replications=2, executor=_Workers(1, random.Random(0)))
    assert run(TINY, 2, replications=2, executor=_Workers(workers, rng)) == expected
