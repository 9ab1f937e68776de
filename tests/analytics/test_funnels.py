"""Funnel report: exact values, ordering rules, options, errors and properties."""

from __future__ import annotations

import random
import statistics
from datetime import UTC, datetime, timedelta, timezone

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from salescore.analytics import (
    funnel_report,
    lost_reasons,
    stage_durations,
    stale_items,
)
from salescore.domain.events import StageChanged
from salescore.domain.stages import Funnel, Stage, StageKind
from salescore.errors import NotFound, ValidationError

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
FUNNEL = Funnel(
    key="deals",
    stages=(
        Stage(key="lead"),
        Stage(key="discovery"),
        Stage(key="proposal", rotting_after=timedelta(days=10)),
        Stage(key="lost", kind=StageKind.LOST),
        Stage(key="won", kind=StageKind.WON),
    ),
)


@attrs.frozen
class Change:
    subject_id: str
    to_stage: str
    at: datetime


def h(n: float) -> datetime:
    return T0 + timedelta(hours=n)


def ev(sid: str, stage: str, hours: float, funnel: str = "deals", **kw: object) -> StageChanged:
    return StageChanged(
        subject_id=sid,
        funnel=funnel,
        from_stage=kw.pop("from_stage", None),  # type: ignore[arg-type]
        to_stage=stage,
        at=h(hours),
        actor="rep",
        **kw,  # type: ignore[arg-type]
    )


# a: lead 0 → discovery 2 → proposal 5 → won 9
# b: lead 0 → proposal 4 (skips discovery) → lost 5
# c: lead 1 → lost 3
# d: discovery 0 (enters at a later step) and stays
# e: lost only
CHANGES = [
    ev("a", "lead", 0),
    ev("b", "lead", 0),
    ev("c", "lead", 1),
    ev("d", "discovery", 0),
    ev("e", "lost", 0),
    ev("a", "discovery", 2),
    ev("c", "lost", 3),
    ev("b", "proposal", 4),
    ev("a", "proposal", 5),
    ev("b", "lost", 5),
    ev("a", "won", 9),
]


def test_exact_values() -> None:
    report = funnel_report(FUNNEL, CHANGES)
    assert report.funnel == "deals"
    assert [s.stage for s in report.steps] == ["lead", "discovery", "proposal", "won"]
    assert report.entered == (4, 3, 2, 1)
    lead, discovery, proposal, won = report.steps
    assert lead.conversion == 3 / 4
    assert lead.drop_off == pytest.approx(1 / 4)
    assert discovery.conversion == 2 / 3
    assert proposal.conversion == 1 / 2
    assert won.conversion is None
    assert won.drop_off is None
    assert [s.overall for s in report.steps] == [1.0, 3 / 4, 2 / 4, 1 / 4]
    # lead: a 2h, b 4h, c 2h
    assert lead.median_time_in_stage == timedelta(hours=2)
    assert lead.p90_time_in_stage == timedelta(
        seconds=statistics.quantiles([7200, 14400, 7200], n=10, method="inclusive")[-1]
    )
    assert lead.p90_time_in_stage == timedelta(hours=3, minutes=36)
    # discovery: a 3h (d is still there: no completed visit)
    assert discovery.median_time_in_stage == timedelta(hours=3)
    assert discovery.p90_time_in_stage == timedelta(hours=3)
    # proposal: b 1h, a 4h
    assert proposal.median_time_in_stage == timedelta(hours=2, minutes=30)
    assert proposal.p90_time_in_stage == timedelta(hours=3, minutes=42)
    assert won.median_time_in_stage is None
    assert won.p90_time_in_stage is None


def test_plain_objects_and_other_funnels_are_accepted() -> None:
    plain = [Change(c.subject_id, c.to_stage, c.at) for c in CHANGES]
    other = [ev("z", "elsewhere", 1, funnel="other")]
    assert funnel_report(FUNNEL, iter(plain + other)).steps == funnel_report(FUNNEL, CHANGES).steps


def test_same_instant_is_ordered_by_funnel_order_then_input() -> None:
    # proposal and discovery at the same instant: discovery comes first, so the
    # subject sits in proposal afterwards; its discovery visit lasted no time.
    changes = [
        Change("x", "lead", h(0)),
        Change("x", "proposal", h(1)),
        Change("x", "discovery", h(1)),
        Change("x", "won", h(3)),
    ]
    report = funnel_report(FUNNEL, changes)
    assert report.step("discovery").median_time_in_stage == timedelta(0)
    assert report.step("proposal").median_time_in_stage == timedelta(hours=2)
    streamed = funnel_report(FUNNEL, changes, in_time_order=True)
    assert streamed == report


def test_lost_reaches_no_step_and_reached_at_least() -> None:
    report = funnel_report(FUNNEL, [Change("x", "lost", h(0)), Change("y", "won", h(0))])
    assert report.entered == (1, 1, 1, 1)
    empty = funnel_report(FUNNEL, [Change("x", "lost", h(0))])
    assert empty.entered == (0, 0, 0, 0)
    assert all(s.conversion is None and s.overall is None for s in empty.steps)


def test_window_counts_only_later_steps_reached_in_time() -> None:
    report = funnel_report(FUNNEL, CHANGES, window=timedelta(hours=4))
    # a reaches discovery at 2h but proposal only at 5h; b proposal at 4h
    assert report.entered == (4, 3, 1, 0)
    assert report.window == timedelta(hours=4)
    tight = funnel_report(FUNNEL, CHANGES, window=timedelta(hours=2))
    assert tight.entered == (4, 2, 0, 0)
    # time in stage does not depend on the window
    assert tight.step("proposal").median_time_in_stage == timedelta(hours=2, minutes=30)


def test_cohorts_and_segments() -> None:
    changes = [*CHANGES, ev("f", "lead", 24 * 40)]
    report = funnel_report(FUNNEL, changes, cohort="month")
    assert [g.key for g in report.groups] == ["2026-03", "2026-04"]
    assert tuple(s.entered for s in report.group("2026-03")) == (4, 3, 2, 1)
    assert tuple(s.entered for s in report.group("2026-04")) == (1, 0, 0, 0)
    seg = funnel_report(FUNNEL, CHANGES, segment={"a": "web", "b": "web", "c": "event"})
    assert [g.key for g in seg.groups] == [None, "event", "web"]
    assert tuple(s.entered for s in seg.group("web")) == (2, 2, 2, 1)
    assert seg.group("web")[0].median_time_in_stage == timedelta(hours=3)
    assert tuple(s.entered for s in seg.group(None)) == (1, 1, 0, 0)
    both = funnel_report(FUNNEL, CHANGES, cohort="quarter", segment=lambda sid: sid < "c")
    assert [g.key for g in both.groups] == [("2026-Q1", False), ("2026-Q1", True)]
    rows = both.to_rows()
    assert rows[0]["group"] is None
    assert rows[-1]["group"] == ("2026-Q1", True)
    with pytest.raises(NotFound, match="'nope' is not a group"):
        both.group("nope")


def test_cohorts_use_the_reporting_zone() -> None:
    from salescore.analytics import ReportingCalendar

    late = [Change("x", "lead", datetime(2026, 3, 31, 23, 30, tzinfo=UTC))]
    tokyo = ReportingCalendar(zone=timezone(timedelta(hours=9)), fiscal_year_start=4)
    report = funnel_report(FUNNEL, late, cohort="quarter", calendar=tokyo)
    assert [g.key for g in report.groups] == ["FY2026-Q1"]


def test_errors() -> None:
    with pytest.raises(ValidationError) as info:
        funnel_report(FUNNEL, [Change("x", "nowhere", h(0))])
    assert info.value.errors[0].path == "to_stage"
    assert "nowhere" in str(info.value)
    with pytest.raises(ValidationError, match="at"):
        funnel_report(FUNNEL, [Change("x", "lead", datetime(2026, 1, 1))])
    with pytest.raises(ValidationError, match="at"):
        funnel_report(FUNNEL, [Change("x", "lead", h(0)), Change("x", "won", datetime(2026, 1, 1))])
    with pytest.raises(ValidationError, match="window"):
        funnel_report(FUNNEL, CHANGES, window=timedelta(0))
    with pytest.raises(ValidationError, match="period"):
        funnel_report(FUNNEL, CHANGES, cohort="fortnight")
    backwards = [Change("x", "discovery", h(2)), Change("x", "lead", h(1))]
    with pytest.raises(ValidationError, match="goes back in time"):
        funnel_report(FUNNEL, backwards, in_time_order=True)
    assert funnel_report(FUNNEL, backwards).entered == (1, 1, 0, 0)
    with pytest.raises(NotFound, match="'lost' is not a step of funnel 'deals'"):
        funnel_report(FUNNEL, CHANGES).step("lost")


def test_rows_and_dataframe() -> None:
    report = funnel_report(FUNNEL, CHANGES)
    rows = report.to_rows()
    assert rows[0] == {
        "stage": "lead",
        "entered": 4,
        "conversion": 0.75,
        "overall": 1.0,
        "drop_off": 0.25,
        "median_time_in_stage": timedelta(hours=2),
        "p90_time_in_stage": timedelta(hours=3, minutes=36),
    }
    pytest.importorskip("pandas")
    frame = report.to_pandas()
    assert list(frame["entered"]) == [4, 3, 2, 1]


def test_lost_reasons() -> None:
    changes = [
        ev("a", "lead", 0),
        ev("a", "lost", 1, from_stage="lead", reason="budget"),
        ev("b", "lost", 1, from_stage="proposal", reason="price"),
        ev("c", "lost", 2, from_stage="proposal", reason="price"),
        ev("d", "lost", 2, from_stage="lead"),
    ]
    report = lost_reasons(FUNNEL, iter(changes))
    assert [(r.from_stage, r.reason, r.count) for r in report.reasons] == [
        ("proposal", "price", 2),
        ("lead", None, 1),
        ("lead", "budget", 1),
    ]
    assert report.by_stage() == {"proposal": 2, "lead": 2}
    assert report.to_rows()[0]["lost_stage"] == "lost"


def test_stale_items() -> None:
    changes = [
        Change("a", "proposal", h(0)),
        Change("b", "proposal", h(24 * 5)),
        Change("c", "proposal", h(0)),
        Change("c", "won", h(1)),
        Change("d", "lead", h(0)),
        Change("e", "proposal", h(24 * 30)),  # after the evaluation instant
    ]
    report = stale_items(FUNNEL, changes, at=h(24 * 12))
    assert [(i.subject_id, i.stage, i.age) for i in report.items] == [
        ("a", "proposal", timedelta(days=12))
    ]
    assert report.by_stage() == {"proposal": 1}
    with pytest.raises(ValidationError):
        stale_items(FUNNEL, changes, at=datetime(2026, 1, 1))


def test_stage_durations() -> None:
    report = stage_durations(FUNNEL, CHANGES)
    lead_lost = report.pair("lead", "lost")
    assert (lead_lost.count, lead_lost.median) == (1, timedelta(hours=2))
    lead_next = report.pair("lead", "discovery")
    assert lead_next.minimum == lead_next.maximum == timedelta(hours=2)
    prop_lost = report.pair("proposal", "lost")
    assert prop_lost.p90 == timedelta(hours=1)
    assert [(p["from_stage"], p["to_stage"]) for p in report.to_rows()] == [
        ("lead", "discovery"),
        ("lead", "proposal"),
        ("lead", "lost"),
        ("discovery", "proposal"),
        ("proposal", "lost"),
        ("proposal", "won"),
    ]
    with pytest.raises(NotFound):
        report.pair("won", "lead")


# --- properties -----------------------------------------------------------------

STAGES = FUNNEL.keys


@st.composite
def change_lists(draw: st.DrawFn) -> list[Change]:
    n = draw(st.integers(0, 40))
    return [
        Change(
            draw(st.sampled_from("abcdef")),
            draw(st.sampled_from(STAGES)),
            h(draw(st.integers(0, 12))),
        )
        for _ in range(n)
    ]


@given(change_lists(), st.randoms(use_true_random=False))
def test_entered_never_increases_and_order_does_not_matter(
    changes: list[Change], rnd: random.Random
) -> None:
    report = funnel_report(FUNNEL, changes)
    assert all(a >= b for a, b in zip(report.entered, report.entered[1:], strict=False))
    for step in report.steps:
        for rate in (step.conversion, step.overall, step.drop_off):
            assert rate is None or 0.0 <= rate <= 1.0
    shuffled = changes[:]
    rnd.shuffle(shuffled)
    # same-instant changes of one subject into one stage are interchangeable,
    # so any order of the input gives the same report
    assert funnel_report(FUNNEL, shuffled) == report
    in_order = sorted(changes, key=lambda c: c.at)
    assert funnel_report(FUNNEL, in_order, in_time_order=True) == report
    # a list in time order is folded as it is read; an iterator is buffered
    assert funnel_report(FUNNEL, in_order) == report
    assert funnel_report(FUNNEL, iter(in_order)) == report
    assert (
        funnel_report(FUNNEL, changes, window=timedelta(hours=5)).entered[0] == (report.entered[0])
    )


def _oracle(changes: list[Change]) -> tuple[list[int], list[float | None], list[float | None]]:
    """The funnel numbers computed with pandas, independently of the library."""
    pd = pytest.importorskip("pandas")
    pos = {k: i for i, k in enumerate(STAGES)}
    steps = [i for i, s in enumerate(FUNNEL.stages) if s.kind is not StageKind.LOST]
    step_of = {p: steps.index(p) if p in steps else -1 for p in range(len(STAGES))}
    df = pd.DataFrame(
        {
            "sid": [c.subject_id for c in changes],
            "pos": [pos[c.to_stage] for c in changes],
            "at": pd.to_datetime([c.at for c in changes], utc=True),
            "seq": range(len(changes)),
        }
    )
    df = df.sort_values(["sid", "at", "pos", "seq"])
    df["dur"] = (df.groupby("sid")["at"].shift(-1) - df["at"]).dt.total_seconds()
    df["step"] = df["pos"].map(step_of)
    reached = df.groupby("sid")["step"].max()
    entered = [int((reached >= i).sum()) for i in range(len(steps))]
    totals = df.dropna(subset=["dur"]).groupby(["pos", "sid"])["dur"].sum()
    medians: list[float | None] = []
    p90s: list[float | None] = []
    for p in steps:
        values = sorted(totals[p].tolist()) if p in totals.index.get_level_values(0) else []
        medians.append(statistics.median(values) if values else None)
        if len(values) > 1:
            p90s.append(statistics.quantiles(values, n=10, method="inclusive")[-1])
        else:
            p90s.append(values[0] if values else None)
    return entered, medians, p90s


def test_matches_pandas_on_generated_data() -> None:
    rng = random.Random(7)
    changes = []
    for i in range(3000):
        at = T0 + timedelta(minutes=rng.randrange(100_000))
        for _ in range(rng.randint(1, 6)):
            changes.append(Change(f"s{i}", rng.choice(STAGES), at))
            at += timedelta(minutes=rng.choice([0, 0, 5, 60, 600, 6000]))
    rng.shuffle(changes)
    entered, medians, p90s = _oracle(changes)
    report = funnel_report(FUNNEL, changes)
    assert list(report.entered) == entered
    for step, med, p90 in zip(report.steps, medians, p90s, strict=True):
        got_med = step.median_time_in_stage
        got_p90 = step.p90_time_in_stage
        assert (None if got_med is None else got_med.total_seconds()) == pytest.approx(med)
        assert (None if got_p90 is None else got_p90.total_seconds()) == pytest.approx(p90)


def test_a_whole_history_of_aggregates_can_be_passed() -> None:
    from salescore import Lead, funnels

    leads = []
    for i in range(3):
        lead = Lead.new(id=f"l{i}", at=T0, actor="form", company="Acme", industry="saas")
        lead = lead.move_to("working", at=h(i + 1), actor="rep")
        if i == 2:  # a FieldsChanged between the stage changes
            lead = lead.update(at=h(5), actor="rep", industry="fintech")
            lead = lead.move_to("nurturing", at=h(6), actor="rep")
        leads.append(lead)
    log = [e for lead in leads for e in lead.history]
    assert {type(e).__name__ for e in log} == {"LeadCreated", "StageChanged", "FieldsChanged"}
    report = funnel_report(funnels.LEAD_STATUS, log)
    assert report.step("new").entered == 3
    assert report.step("working").entered == 3
    assert report.step("new").median_time_in_stage == timedelta(hours=2)
    assert report.step("working").median_time_in_stage == timedelta(hours=3)
    ordered = sorted(log, key=lambda e: e.at)
    assert funnel_report(funnels.LEAD_STATUS, iter(ordered), in_time_order=True) == report
    durations = stage_durations(funnels.LEAD_STATUS, log)
    assert durations.pair("new", "working").median == timedelta(hours=2)
    assert stale_items(funnels.LEAD_STATUS, log, at=h(48)).items == ()
    assert lost_reasons(funnels.LEAD_STATUS, log).reasons == ()


@attrs.frozen
class Other:
    """An event of a log that is not a stage change."""

    subject_id: str
    at: datetime


@given(st.lists(st.integers(min_value=0, max_value=len(CHANGES)), max_size=6))
def test_other_events_in_the_log_change_nothing(places: list[int]) -> None:
    log: list[object] = list(CHANGES)
    for n, place in enumerate(sorted(places, reverse=True)):
        log.insert(place, Other(f"x{n}", h(place)))
    assert funnel_report(FUNNEL, log) == funnel_report(FUNNEL, CHANGES)
    assert funnel_report(FUNNEL, iter(log)) == funnel_report(FUNNEL, CHANGES)
    assert stage_durations(FUNNEL, log) == stage_durations(FUNNEL, CHANGES)
    assert lost_reasons(FUNNEL, log) == lost_reasons(FUNNEL, CHANGES)
