"""Score models: exact scores with caps and decay, unknowns, thresholds, apply_score."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from salescore import funnels
from salescore.decisions.scoring import (
    Criterion,
    HalfLife,
    ScoreGroup,
    ScoreModel,
    Step,
    StepDecay,
    Threshold,
    apply_score,
    score,
)
from salescore.domain.leads import Lead
from salescore.errors import ValidationError
from salescore.rules import Truth, field, parse
from salescore.serialization import from_json, to_json

AT = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
DAY = timedelta(days=1)


def _touch(kind: str, age: timedelta) -> dict[str, Any]:
    return {"kind": kind, "at": AT - age}


MODEL = ScoreModel(
    key="b2b",
    criteria=(
        Criterion(key="industry", rule=parse("industry in ['saas', 'fintech']"), points=25),
        Criterion(key="size", rule=parse("employees >= 100"), points=20),
        Criterion(key="freemail", rule=parse("email_domain == 'gmail.com'"), points=-15),
        Criterion(
            key="click",
            rule=parse("kind == 'click'"),
            points=5,
            group="engagement",
            per_record="interactions",
            decay=HalfLife(timedelta(days=7)),
        ),
        Criterion(
            key="visit",
            rule=parse("kind == 'visit'"),
            points=4,
            group="engagement",
            per_record="interactions",
            decay=StepDecay(((7 * DAY, 1.0), (30 * DAY, 0.5), (90 * DAY, 0.0))),
        ),
    ),
    groups=(ScoreGroup(key="fit", cap=40), ScoreGroup(key="engagement", cap=30)),
    cap=60,
    floor=0,
    thresholds=(
        Threshold(key="sql", score=80, stage="sql"),
        Threshold(key="mql", score=50, stage="mql"),
    ),
)

TOUCHES = [
    _touch("click", 0 * DAY),  # 5 × 1      = 5
    _touch("click", 7 * DAY),  # 5 × 0.5    = 2.5
    _touch("click", 14 * DAY),  # 5 × 0.25   = 1.25
    _touch("visit", 3 * DAY),  # 4 × 1      = 4
    _touch("visit", 10 * DAY),  # 4 × 0.5    = 2
    _touch("visit", 60 * DAY),  # 4 × 0      = 0
    _touch("visit", 100 * DAY),  # beyond 90d = 0
    _touch("open", 1 * DAY),  # no criterion
]


def test_exact_score_with_group_cap_and_decay() -> None:
    lead = {"industry": "saas", "employees": 150, "email_domain": "acme.io"}
    result = score(MODEL, lead, at=AT, context={"interactions": TOUCHES})
    # fit: 25 + 20 = 45, capped at 40; engagement: 8.75 + 6 = 14.75.
    assert [(g.key, g.raw, g.points) for g in result.groups] == [
        ("fit", 45.0, 40.0),
        ("engagement", 14.75, 14.75),
    ]
    assert result.raw_total == 54.75
    assert result.total == 54.75
    assert not result.capped
    click = result.line("click")
    assert (click.result, click.matches, click.points_before_decay, click.points) == (
        Truth.TRUE,
        3,
        15.0,
        8.75,
    )
    visit = result.line("visit")
    assert (visit.matches, visit.points_before_decay, visit.points) == (4, 16.0, 6.0)
    assert result.line("freemail").result is Truth.FALSE
    assert result.line("freemail").points == 0.0
    assert [t.key for t in result.thresholds_crossed] == ["mql"]
    assert result.stage == "mql"
    assert result.unknown_fields == ()
    assert MODEL.total(lead, at=AT, context={"interactions": TOUCHES}) == 54.75


def test_negative_points_and_total_cap() -> None:
    freemail = {"industry": "saas", "employees": 150, "email_domain": "gmail.com"}
    result = score(MODEL, freemail, at=AT, context={"interactions": []})
    # 25 + 20 - 15 = 30 (under the fit cap); no engagement.
    assert result.group("fit").points == 30.0
    assert result.total == 30.0
    busy = [_touch("click", 0 * DAY)] * 10  # 50 engagement, capped at 30
    result = score(
        MODEL, {"industry": "saas", "employees": 500}, at=AT, context={"interactions": busy}
    )
    assert result.group("engagement").raw == 50.0
    assert result.group("engagement").points == 30.0
    assert result.raw_total == 70.0  # 40 + 30
    assert result.total == 60.0  # the total cap
    assert result.capped


def test_total_floor() -> None:
    model = ScoreModel(
        key="m",
        criteria=(Criterion(key="bad", rule=parse("spam == true"), points=-50),),
        floor=0,
    )
    result = score(model, {"spam": True}, at=AT)
    assert result.raw_total == -50.0
    assert result.total == 0.0


def test_unknown_counts_as_not_met_and_is_recorded() -> None:
    result = score(MODEL, {"industry": "retail"}, at=AT)
    size = result.line("size")
    assert size.result is Truth.UNKNOWN
    assert size.points == 0.0
    assert size.missing_fields == ("employees",)
    assert result.line("click").missing_fields == ("interactions",)
    assert result.unknown_fields == ("employees", "email_domain", "interactions")
    assert result.total == 0.0


def test_decay_on_the_subject_age_field() -> None:
    model = ScoreModel(
        key="m",
        criteria=(
            Criterion(
                key="demo",
                rule=parse("demo_requested == true"),
                points=40,
                group="engagement",
                decay=HalfLife(timedelta(days=10)),
                age_field="demo_requested_at",
            ),
        ),
    )
    fresh = {"demo_requested": True, "demo_requested_at": AT - 20 * DAY}
    assert score(model, fresh, at=AT).total == 10.0  # 40 × 0.25
    no_date = score(model, {"demo_requested": True}, at=AT)
    assert no_date.total == 0.0
    assert no_date.line("demo").result is Truth.UNKNOWN
    assert no_date.unknown_fields == ("demo_requested_at",)


def test_step_decay_boundaries_are_inclusive() -> None:
    decay = StepDecay(((7 * DAY, 1.0), (30 * DAY, 0.5)))
    assert decay.steps == (Step(within=7 * DAY, factor=1.0), Step(within=30 * DAY, factor=0.5))
    assert decay.factor(timedelta(0)) == 1.0
    assert decay.factor(7 * DAY) == 1.0
    assert decay.factor(7 * DAY + timedelta(seconds=1)) == 0.5
    assert decay.factor(30 * DAY) == 0.5
    assert decay.factor(31 * DAY) == 0.0
    assert decay.factor(-DAY) == 1.0


def test_half_life_values() -> None:
    h = HalfLife(timedelta(days=7))
    assert [h.factor(d * DAY) for d in (0, 7, 14, 21)] == [1.0, 0.5, 0.25, 0.125]
    assert h.factor(-3 * DAY) == 1.0


def test_validation_lists_every_problem() -> None:
    with pytest.raises(ValidationError) as info:
        ScoreModel(
            key="m",
            criteria=(
                Criterion(key="a", rule=parse("x == 1"), points=1, group="nope"),
                Criterion(key="a", rule=parse("x == 2"), points=1),
            ),
            cap=10,
            floor=20,
        )
    paths = sorted(e.path for e in info.value.errors)
    assert paths == ["criteria[0].group", "criteria[1].key", "floor"]
    with pytest.raises(ValidationError) as info:
        StepDecay(((30 * DAY, 0.5), (7 * DAY, 1.0)))
    assert sorted(e.path for e in info.value.errors) == ["steps[1].factor", "steps[1].within"]
    with pytest.raises(ValidationError):
        HalfLife(timedelta(0))
    with pytest.raises(ValidationError):
        score(MODEL, {}, at=datetime(2026, 1, 1))  # naive


def test_a_repeated_key_is_named_at_its_own_place_beside_a_stray_item() -> None:
    hot = Threshold(key="hot", score=10)
    with pytest.raises(ValidationError) as info:
        ScoreModel(key="m", criteria=(), thresholds=("t", hot, hot, {1}))  # type: ignore[arg-type]
    assert [(e.path, e.value, e.message) for e in info.value.errors] == [
        ("thresholds[0]", "t", "must be a Threshold"),
        ("thresholds[2].key", "hot", "is used twice"),
        ("thresholds[3]", {1}, "must be a Threshold"),
    ]
    with pytest.raises(ValidationError) as info:
        ScoreModel(key="m", criteria=(), thresholds={hot})  # type: ignore[arg-type]
    assert [(e.path, e.message) for e in info.value.errors] == [
        ("thresholds", "must be a sequence")
    ]


def test_a_number_that_is_not_finite_is_one_problem() -> None:
    with pytest.raises(ValidationError) as info:
        Threshold(key="hot", score=float("nan"))
    assert [(e.path, e.message) for e in info.value.errors] == [("score", "must be finite")]
    with pytest.raises(ValidationError) as info:
        ScoreModel(key="m", criteria=(), cap=float("inf"), floor=float("-inf"))
    assert [(e.path, e.message) for e in info.value.errors] == [
        ("cap", "must be finite"),
        ("floor", "must be finite"),
    ]


def test_json_round_trip() -> None:
    back = from_json(ScoreModel, to_json(MODEL))
    assert back == MODEL
    lead = {"industry": "fintech", "employees": 80}
    ctx = {"interactions": TOUCHES}
    assert score(back, lead, at=AT, context=ctx) == score(MODEL, lead, at=AT, context=ctx)


def test_builders_work_as_criteria() -> None:
    model = ScoreModel(
        key="m",
        criteria=(Criterion(key="big", rule=field("employees") >= 1000, points=12.5),),
    )
    assert score(model, {"employees": 5000}, at=AT).total == 12.5


# --------------------------------------------------------------------------- apply_score


def _lead() -> Lead:
    return Lead.new(
        id="lead-1",
        at=AT - DAY,
        actor="web-form",
        email="ana@acme.io",
        industry="saas",
        employees=150,
    )


def test_apply_score_records_score_and_moves_lifecycle_forward() -> None:
    lead = _lead()
    result = score(MODEL, lead, at=AT, context={"interactions": TOUCHES})
    assert result.total == 54.75  # email_domain is not a Lead field: freemail is UNKNOWN
    moved = apply_score(lead, result, at=AT, actor="scoring")
    assert moved.score == 54.75
    assert moved.lifecycle_stage == "mql"
    assert moved.version == lead.version + 2
    changed, stage = moved.history[-2:]
    assert type(changed).__name__ == "FieldsChanged"
    assert changed.changes == {"score": (0.0, 54.75)}
    assert (stage.funnel, stage.from_stage, stage.to_stage) == ("lifecycle", "lead", "mql")
    assert stage.reason == "score 54.75 reached 'mql' (50) in score model 'b2b'"


def test_apply_score_never_moves_backwards() -> None:
    lead = _lead().set_lifecycle_stage("sql", at=AT, actor="rep")
    low = score(
        MODEL, {"industry": "saas", "employees": 150}, at=AT, context={"interactions": TOUCHES}
    )
    assert low.stage == "mql"
    after = apply_score(lead, low, at=AT, actor="scoring")
    assert after.lifecycle_stage == "sql"
    assert after.version == lead.version + 1  # only the score
    again = apply_score(after, low, at=AT, actor="scoring")
    assert again is after  # nothing changed, nothing recorded


# --------------------------------------------------------------------------- properties

_points = st.integers(min_value=-50, max_value=50)
_bound = st.none() | st.integers(min_value=-20, max_value=100)


@st.composite
def _models_and_subjects(draw: st.DrawFn) -> tuple[ScoreModel, dict[str, Any]]:
    n = draw(st.integers(min_value=1, max_value=8))
    groups = []
    for key in ("fit", "engagement"):
        lo, hi = draw(_bound), draw(_bound)
        if lo is not None and hi is not None and lo > hi:
            lo, hi = hi, lo
        groups.append(ScoreGroup(key=key, floor=lo, cap=hi))
    lo, hi = draw(_bound), draw(_bound)
    if lo is not None and hi is not None and lo > hi:
        lo, hi = hi, lo
    criteria = tuple(
        Criterion(
            key=f"c{i}",
            rule=parse(f"f{i} == true"),
            points=draw(_points),
            group=draw(st.sampled_from(["fit", "engagement"])),
        )
        for i in range(n)
    )
    model = ScoreModel(key="m", criteria=criteria, groups=tuple(groups), floor=lo, cap=hi)
    subject = {f"f{i}": draw(st.sampled_from([True, False, None])) for i in range(n)}
    return model, subject


@settings(max_examples=150)
@given(_models_and_subjects())
def test_scores_stay_within_caps(case: tuple[ScoreModel, dict[str, Any]]) -> None:
    model, subject = case
    result = score(model, subject, at=AT)
    for group, spec in zip(result.groups, model.groups, strict=True):
        if spec.cap is not None:
            assert group.points <= spec.cap
        if spec.floor is not None:
            assert group.points >= spec.floor
    if model.cap is not None:
        assert result.total <= model.cap
    if model.floor is not None:
        assert result.total >= model.floor
    assert result.raw_total == sum(g.points for g in result.groups)
    assert model.total(subject, at=AT) == result.total
    unknown = [f"f{i}" for i in range(len(model.criteria)) if subject[f"f{i}"] is None]
    assert result.unknown_fields == tuple(unknown)


_ages = st.integers(min_value=-10 * 86400, max_value=400 * 86400).map(
    lambda s: timedelta(seconds=s)
)


@given(_ages, _ages, st.integers(min_value=1, max_value=60))
def test_decay_is_monotonic_in_age(a: timedelta, b: timedelta, days: int) -> None:
    young, old = min(a, b), max(a, b)
    half = HalfLife(timedelta(days=days))
    steps = StepDecay(((timedelta(days=days), 1.0), (timedelta(days=days * 3), 0.4)))
    for decay in (half, steps):
        assert 0.0 <= decay.factor(old) <= decay.factor(young) <= 1.0


def test_nothing_dated_after_at_counts() -> None:
    touches = [_touch("click", 0 * DAY), _touch("click", 7 * DAY), _touch("visit", -DAY)]
    future = [*touches, _touch("click", -2 * DAY), {"kind": "click"}]  # the last has no date
    subject = {"industry": "saas", "employees": 150, "email_domain": "acme.io"}
    now = score(MODEL, subject, at=AT, context={"interactions": future})
    # 45 fit (capped at 40) + clicks 5 + 2.5: tomorrow's visit and click are not there yet,
    # the undated click has no age, so decay gives it nothing
    assert now.total == 47.5
    assert now.line("click").matches == 3  # the undated one matches, without points
    assert now.line("visit").result is Truth.FALSE
    assert MODEL.total(subject, at=AT, context={"interactions": future}) == 47.5
    # The same records on a dict subject.
    assert score(MODEL, {**subject, "interactions": future}, at=AT).total == 47.5
    # count(...) without within counts only what happened by at, like within does.
    replies = ScoreModel(
        key="r",
        criteria=(
            Criterion(key="all", rule=parse("count(interactions) >= 3"), points=1),
            Criterion(key="week", rule=parse("count(interactions within 7d) >= 2"), points=2),
        ),
    )
    ctx = {"interactions": [_touch("click", 3 * DAY), _touch("click", DAY), _touch("x", -DAY)]}
    assert replies.total({}, at=AT, context=ctx) == 2.0
    assert score(replies, {}, at=AT + DAY, context=ctx).total == 3.0
    assert score(replies, {}, at=AT - 2 * DAY, context=ctx).total == 0.0
    # A subject's own date after at: its decayed criterion gives nothing yet.
    demo = ScoreModel(
        key="m",
        criteria=(
            Criterion(
                key="demo",
                rule=parse("demo == true"),
                points=40,
                decay=HalfLife(10 * DAY),
                age_field="demo_at",
            ),
        ),
    )
    later = score(demo, {"demo": True, "demo_at": AT + DAY}, at=AT)
    assert (later.total, later.line("demo").result, later.line("demo").points) == (
        0.0,
        Truth.FALSE,
        0.0,
    )
    assert score(demo, {"demo": True, "demo_at": AT}, at=AT).total == 40.0


def test_a_misspelled_field_is_refused_not_scored_zero() -> None:
    with pytest.raises(ValidationError) as info:
        ScoreModel(
            key="fit",
            subject=Lead,
            criteria=(
                Criterion(key="size", rule=parse("employes >= 50"), points=10),
                Criterion(
                    key="click",
                    rule=parse("knd == 'click'"),
                    points=5,
                    per_record="interactions",
                    decay=HalfLife(DAY),
                    age_field="att",
                ),
                Criterion(key="x", rule=parse("true"), points=1, per_record="interaction"),
                Criterion(
                    key="demo",
                    rule=parse("true"),
                    points=1,
                    decay=HalfLife(DAY),
                    age_field="creatd_at",
                ),
            ),
        )
    assert [(e.path, e.value) for e in info.value.errors] == [
        ("criteria[0].rule.employes", "employes >= 50"),
        ("criteria[1].rule.knd", "knd == 'click'"),
        ("criteria[1].age_field", "att"),
        ("criteria[2].per_record", "interaction"),
        ("criteria[3].age_field", "creatd_at"),
    ]
    text = str(info.value)
    for hint in ("'employees'", "'kind'", "'at'", "'interactions'", "'created_at'"):
        assert f"did you mean {hint}?" in text
    assert text.startswith("invalid ScoreModel (5 problems): criteria[0].rule.employes: ")
    good = ScoreModel(
        key="fit",
        subject=Lead,
        criteria=(
            Criterion(key="size", rule=parse("employees >= 50"), points=10),
            Criterion(
                key="touch", rule=parse("channel == 'email'"), points=1, per_record="interactions"
            ),
        ),
    )
    assert good == ScoreModel(key="fit", criteria=good.criteria)  # the subject is not stored
    assert from_json(ScoreModel, to_json(good)) == good
    with pytest.raises(ValidationError, match="subject"):
        ScoreModel(key="fit", criteria=good.criteria, subject="Lead")
    with pytest.raises(ValidationError, match="criteria\\[0\\]\\.rule\\.employees: is a number"):
        ScoreModel(
            key="fit",
            criteria=(Criterion(key="size", rule=parse("employees >= 'big'"), points=1),),
            subject=Lead,
        )


def test_the_generated_total_matches_the_breakdown_on_leads() -> None:
    model = ScoreModel(
        key="lead",
        criteria=(
            Criterion(key="saas", rule=parse("lower(industry) == 'saas'"), points=30),
            Criterion(key="size", rule=parse("employees between 50 and 500"), points=20),
            Criterion(key="rich", rule=parse("annual_revenue >= 1000000"), points=15),
            Criterion(
                key="de", rule=parse("country in ['DE', 'AT'] or domain ends with '.de'"), points=5
            ),
            Criterion(key="new", rule=parse("created_at >= now - 7d"), points=3),
            Criterion(key="unowned", rule=parse("owner_id is null"), points=-4),
        ),
        groups=(ScoreGroup(key="fit", cap=60, floor=-2),),
        floor=0,
        subject=Lead,
    )
    from salescore.money import Money

    leads = [
        Lead.new(
            id="a",
            at=AT - DAY,
            actor="w",
            company="A",
            industry="SaaS",
            employees=120,
            annual_revenue=Money("2500000", "EUR"),
            country="DE",
        ),
        Lead.new(id="b", at=AT - 30 * DAY, actor="w", company="B", owner_id="rep-1"),
        Lead.new(id="c", at=AT - DAY, actor="w", company="C", domain="c.de", employees=10),
    ]
    totals = [model.total(lead, at=AT) for lead in leads]
    assert totals == [score(model, lead, at=AT).total for lead in leads]
    assert totals == [60.0, 0.0, 4.0]
    # aware at in another zone works the same; a naive one is refused
    berlin = AT.astimezone(timezone(timedelta(hours=1)))
    assert model.total(leads[0], at=berlin) == 60.0
    with pytest.raises(ValidationError, match="at"):
        model.total(leads[0], at=datetime(2026, 3, 2))
    with pytest.raises(ValidationError, match="at"):
        model.total(leads[0], at="2026-03-02")  # type: ignore[arg-type]


def test_bad_score_input_is_a_validation_error() -> None:
    with pytest.raises(ValidationError) as info:
        score("b2b", {}, at=AT)  # type: ignore[arg-type]
    assert [(e.path, e.value) for e in info.value.errors] == [("model", "b2b")]


_RULE_POOL = (
    "industry in ['saas', 'fintech']",
    "employees >= 50",
    "employees between 10 and 200",
    "not (country == 'DE')",
    "owner is null",
    "owner is not null and employees < 1000",
    "lower(industry) starts with 's' or revenue > 1000000",
    "count(tags) >= 2",
    "true",
    "false",
)
_VALUES = {
    "industry": st.sampled_from(["saas", "SaaS", "fintech", "retail", 5]),
    "employees": st.one_of(
        st.integers(-5, 5000), st.decimals(0, 5000, places=1), st.floats(allow_nan=True)
    ),
    "country": st.sampled_from(["DE", "FR", None]),
    "owner": st.sampled_from(["rep-1", None]),
    "revenue": st.sampled_from([0, 2_000_000, "lots"]),
    "tags": st.lists(st.sampled_from(["a", "b"]), max_size=3),
}


@settings(max_examples=150)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(_RULE_POOL),
            st.integers(-30, 30),
            st.sampled_from(["fit", "engagement"]),
        ),
        min_size=1,
        max_size=8,
    ),
    st.none() | st.integers(-10, 40),
    st.none() | st.integers(20, 80),
    st.fixed_dictionaries({}, optional=_VALUES),
    st.booleans(),
)
def test_the_generated_total_is_the_sum_of_the_rules_answers(
    picks: list[tuple[str, int, str]],
    floor: int | None,
    cap: int | None,
    subject: dict[str, Any],
    as_object: bool,
) -> None:
    model = ScoreModel(
        key="m",
        criteria=tuple(
            Criterion(key=f"c{i}", rule=parse(text), points=p, group=g)
            for i, (text, p, g) in enumerate(picks)
        ),
        groups=(ScoreGroup(key="fit", cap=cap), ScoreGroup(key="engagement", floor=floor)),
        floor=floor,
        cap=None if cap is None or floor is None or cap < floor else cap + 10,
    )
    target: Any = subject
    if as_object:
        target = type("Subject", (), dict(subject))()
    sums = {"fit": 0.0, "engagement": 0.0}
    for crit in model.criteria:
        if crit.rule.evaluate(target, AT) is Truth.TRUE:
            sums[crit.group] += crit.points
    fit = sums["fit"] if cap is None else min(sums["fit"], cap)
    eng = sums["engagement"] if floor is None else max(sums["engagement"], floor)
    total = 0 + fit + eng
    if model.cap is not None:
        total = min(total, model.cap)
    if model.floor is not None:
        total = max(total, model.floor)
    assert model.total(target, at=AT) == total
    assert score(model, target, at=AT).total == total


def test_an_unknown_group_is_named_at_the_criterion_s_own_index() -> None:
    good = Criterion(key="size", rule=parse("employees >= 100"), points=20, group="nope")
    with pytest.raises(ValidationError) as info:
        ScoreModel(key="m", criteria=("not a criterion", good))  # type: ignore[arg-type]
    paths = [e.path for e in info.value.errors]
    assert paths == ["criteria[0]", "criteria[1].group"]


def test_a_threshold_stage_the_lead_cannot_reach_is_refused_with_the_nearest_spelling() -> None:
    crit = (Criterion(key="size", rule=parse("employes >= 50"), points=10),)
    with pytest.raises(ValidationError) as info:
        ScoreModel(
            key="fit",
            subject=Lead,
            criteria=crit,
            thresholds=(
                Threshold(key="mql", score=50, stage="mql"),
                Threshold(key="sql", score=80, stage="sq1"),
                Threshold(key="vip", score=90, stage="vip"),
            ),
        )
    stages = "subscriber, lead, mql, sql, opportunity, customer, evangelist"
    assert [(e.path, e.value, e.message) for e in info.value.errors] == [
        (
            "criteria[0].rule.employes",
            "employes >= 50",
            "is not a field of the schema; did you mean 'employees'?",
        ),
        (
            "thresholds[1].stage",
            "sq1",
            f"is not a stage of the lifecycle funnel ({stages}); did you mean 'sql'?",
        ),
        ("thresholds[2].stage", "vip", f"is not a stage of the lifecycle funnel ({stages})"),
    ]
    # Without a subject type nothing is checked, and the stage only names a level.
    loose = ScoreModel(
        key="fit", criteria=(), thresholds=(Threshold(key="t", score=0, stage="vip"),)
    )
    assert loose.thresholds[0].stage == "vip"


@given(
    st.sampled_from(funnels.LIFECYCLE.keys)
    | st.text(alphabet="abcdeilmnopqrstuv_1", min_size=1, max_size=12)
)
def test_a_lead_model_accepts_exactly_the_lifecycle_stages(stage: str) -> None:
    thresholds = (Threshold(key="t", score=1, stage=stage),)
    if stage in funnels.LIFECYCLE.keys:
        model = ScoreModel(key="m", criteria=(), thresholds=thresholds, subject=Lead)
        assert model.thresholds == thresholds
    else:
        with pytest.raises(ValidationError) as info:
            ScoreModel(key="m", criteria=(), thresholds=thresholds, subject=Lead)
        assert [(e.path, e.value) for e in info.value.errors] == [("thresholds[0].stage", stage)]
