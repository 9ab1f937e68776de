"""Qualification frameworks: verdicts, evidence, rep answers, open questions, round trips."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from salescore.decisions.qualification import (
    ANUM,
    BANT,
    CHAMP,
    FRAMEWORKS,
    GPCTBA_CI,
    MEDDIC,
    MEDDPICC,
    QUALIFICATION_FIELDS,
    Framework,
    FrameworkItem,
    ItemStatus,
    RepAnswer,
    Verdict,
    assess,
)
from salescore.domain import Lead, Opportunity
from salescore.errors import ValidationError
from salescore.rules import parse
from salescore.serialization import from_json, to_json

AT = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)

READY = {
    "budget": 40000,
    "decision_maker_identified": True,
    "need_identified": True,
    "timeline_days": 60,
}


def _lead(**custom: object) -> Lead:
    return Lead.new(
        id="lead-1",
        at=AT - timedelta(days=3),
        actor="web-form",
        company="Acme",
        custom=custom,
        schema=QUALIFICATION_FIELDS,
    )


def _deal(**custom: object) -> Opportunity:
    return Opportunity.new(
        id="deal-1",
        at=AT - timedelta(days=3),
        actor="rep-7",
        name="Acme platform",
        custom=custom,
        schema=QUALIFICATION_FIELDS,
    )


def test_qualified_with_evidence() -> None:
    v = assess(BANT, _lead(**READY), at=AT)
    assert v.verdict is Verdict.QUALIFIED
    assert v.open_questions == ()
    assert v.with_status(ItemStatus.CONFIRMED) == ("budget", "authority", "need", "timeline")
    budget = v.item("budget")
    assert (budget.source, dict(budget.evidence)) == ("rule", {"custom.budget": 40000})
    assert v.reasons[0] == "Budget: confirmed (custom.budget > 0; custom.budget = 40000)"


def test_needs_information_lists_open_questions_and_missing_fields() -> None:
    v = assess(BANT, _lead(budget=40000, timeline_days=400), at=AT)
    assert v.verdict is Verdict.NEEDS_INFORMATION
    assert [(i.key, i.status) for i in v.items] == [
        ("budget", ItemStatus.CONFIRMED),
        ("authority", ItemStatus.UNKNOWN),
        ("need", ItemStatus.UNKNOWN),
        ("timeline", ItemStatus.NOT_MET),
    ]
    assert v.open_questions == (
        "Who makes the buying decision, and are we talking to them?",
        "What problem does this solve for them?",
    )
    assert v.missing_fields == ("custom.decision_maker_identified", "custom.need_identified")
    assert v.reasons == (
        "Authority: unknown (custom.decision_maker_identified == true; "
        "missing custom.decision_maker_identified)",
        "Need: unknown (custom.need_identified == true; missing custom.need_identified)",
        "Timeline: not met (custom.timeline_days <= 180; custom.timeline_days = 400)",
    )


def test_rep_answer_overrides_the_rule_and_carries_the_interaction() -> None:
    answers = [
        RepAnswer(item_key="timeline", answer="unknown", at=AT - timedelta(days=2), actor="rep-7"),
        RepAnswer(
            item_key="timeline",
            answer="confirmed",
            at=AT - timedelta(days=1),
            actor="rep-7",
            note="go-live before Q3",
            interaction_id="call-42",
        ),
    ]
    v = assess(BANT, _lead(**{**READY, "timeline_days": 400}), answers=answers, at=AT)
    assert v.verdict is Verdict.QUALIFIED
    timeline = v.item("timeline")
    assert (timeline.status, timeline.source, timeline.interaction_id) == (
        ItemStatus.CONFIRMED,
        "answer",
        "call-42",
    )
    assert timeline.reason == (
        "Timeline: confirmed by rep-7 on 2026-03-01 in interaction call-42: go-live before Q3"
    )


def test_disqualified_by_answer_or_rule() -> None:
    no = RepAnswer(
        item_key="budget",
        answer=ItemStatus.DISQUALIFYING,
        at=AT,
        actor="rep-7",
        note="no budget this year",
        interaction_id="call-43",
    )
    v = assess(BANT, _lead(**READY), answers=[no], at=AT)
    assert v.verdict is Verdict.DISQUALIFIED
    assert v.reasons == (
        "Budget: disqualifying by rep-7 on 2026-03-02 in interaction call-43: no budget this year",
    )
    custom = Framework(
        key="smb",
        name="SMB fit",
        items=(
            FrameworkItem(
                key="country",
                question="Where are they?",
                rule=parse("country in ['DE', 'AT', 'CH']"),
                disqualify_if=parse("country in ['KP', 'IR']"),
            ),
            FrameworkItem(
                key="size",
                question="How many people?",
                rule=parse("employees between 5 and 200"),
                required=False,
            ),
        ),
    )
    v = assess(custom, {"country": "KP"})
    assert v.verdict is Verdict.DISQUALIFIED
    assert v.item("country").source == "disqualify_if"
    assert v.reasons == ("Country: disqualifying (country in ['KP', 'IR']; country = 'KP')",)
    # An optional unknown item does not block qualifying, but is still asked.
    v = assess(custom, {"country": "DE"})
    assert v.verdict is Verdict.QUALIFIED
    assert v.open_questions == ("How many people?",)


def test_min_confirmed() -> None:
    fw = Framework(
        key="two_of_three",
        name="Two of three",
        items=tuple(
            FrameworkItem(key=k, question=f"{k}?", rule=parse(f"{k} == true"), required=False)
            for k in ("a", "b", "c")
        ),
        min_confirmed=2,
    )
    assert assess(fw, {"a": True, "b": True}).verdict is Verdict.QUALIFIED
    v = assess(fw, {"a": True, "b": False})
    assert v.verdict is Verdict.NEEDS_INFORMATION
    assert v.reasons == ("1 of 3 items confirmed; 2 are needed",)
    assert v.open_questions == ("c?",)


def test_items_without_rules_need_answers() -> None:
    fw = Framework(key="f", name="F", items=(FrameworkItem(key="pain", question="Pain?"),))
    v = assess(fw, {})
    assert (v.verdict, v.open_questions, v.reasons) == (
        Verdict.NEEDS_INFORMATION,
        ("Pain?",),
        ("Pain: unknown (no answer yet)",),
    )


def test_bad_answers_and_frameworks_are_refused() -> None:
    with pytest.raises(ValidationError) as info:
        assess(
            BANT, {}, answers=[RepAnswer(item_key="champion", answer="confirmed", at=AT, actor="x")]
        )
    assert [e.path for e in info.value.errors] == ["answers[0].item_key"]
    with pytest.raises(ValidationError):
        RepAnswer(item_key="budget", answer="maybe", at=AT, actor="x")
    with pytest.raises(ValidationError) as info:
        Framework(key="f", name="F", items=(BANT.items[0], BANT.items[0]), min_confirmed=5)
    assert sorted(e.path for e in info.value.errors) == ["items[1].key", "min_confirmed"]


def test_ready_made_frameworks() -> None:
    assert list(FRAMEWORKS) == ["bant", "champ", "anum", "gpctba_ci", "meddic", "meddpicc"]
    assert [len(f.items) for f in (BANT, CHAMP, ANUM, GPCTBA_CI, MEDDIC, MEDDPICC)] == [
        4,
        4,
        4,
        8,
        6,
        8,
    ]
    assert [i.key for i in MEDDPICC.items] == [
        "metrics",
        "economic_buyer",
        "decision_criteria",
        "decision_process",
        "paper_process",
        "identify_pain",
        "champion",
        "competition",
    ]
    assert CHAMP.fields == (
        "custom.challenges_identified",
        "custom.decision_maker_identified",
        "custom.budget",
        "custom.priority",
    )
    everything: dict[str, object] = {
        f.removeprefix("custom."): True for fw in FRAMEWORKS.values() for f in fw.fields
    }
    everything.update(budget=1, timeline_days=30, priority="high")
    for make in (_lead, _deal):
        for fw in FRAMEWORKS.values():
            assert assess(fw, make(**everything), at=AT).verdict is Verdict.QUALIFIED, fw.key
            empty = assess(fw, make(), at=AT)
            assert empty.verdict is Verdict.NEEDS_INFORMATION
            assert empty.open_questions == tuple(i.question for i in fw.items)
            assert empty.missing_fields == fw.fields


def test_ready_made_frameworks_read_only_fields_of_lead_and_opportunity() -> None:
    for subject in (Lead, Opportunity):
        strict = subject.__rule_schema__(QUALIFICATION_FIELDS)
        for fw in FRAMEWORKS.values():
            assert fw.check(subject) is fw
            assert fw.check(strict) is fw
    assert {f for fw in FRAMEWORKS.values() for f in fw.fields} == {
        f"custom.{name}" for name in QUALIFICATION_FIELDS.names
    }


def test_bant_on_a_lead_and_an_opportunity_item_by_item() -> None:
    lead = _lead(budget=25000, decision_maker_identified=False, timeline_days=90)
    v = assess(BANT, lead, at=AT)
    assert [(i.key, i.status) for i in v.items] == [
        ("budget", ItemStatus.CONFIRMED),
        ("authority", ItemStatus.NOT_MET),
        ("need", ItemStatus.UNKNOWN),
        ("timeline", ItemStatus.CONFIRMED),
    ]
    assert v.verdict is Verdict.NEEDS_INFORMATION
    deal = _deal(
        metrics_identified=True,
        economic_buyer_identified=True,
        decision_criteria_known=True,
        decision_process_known=True,
        paper_process_known=False,
        pain_identified=True,
        champion_identified=True,
    )
    m = assess(MEDDPICC, deal, at=AT)
    assert m.with_status(ItemStatus.NOT_MET) == ("paper_process",)
    assert m.with_status(ItemStatus.UNKNOWN) == ("competition",)
    assert m.missing_fields == ("custom.competition_known",)
    assert assess(MEDDIC, deal, at=AT).verdict is Verdict.QUALIFIED
    champ = assess(CHAMP, _lead(priority="medium", budget=0), at=AT)
    assert champ.item("prioritization").status is ItemStatus.NOT_MET
    assert champ.item("money").reason == "Money: not met (custom.budget > 0; custom.budget = 0)"
    anum = assess(ANUM, _lead(timeline_days=120), at=AT)
    assert anum.item("urgency").status is ItemStatus.NOT_MET
    gp = assess(GPCTBA_CI, _lead(goals_identified=True, plans_identified=False), at=AT)
    assert gp.with_status(ItemStatus.CONFIRMED) == ("goals",)
    assert gp.with_status(ItemStatus.NOT_MET) == ("plans",)


def test_a_misspelled_field_is_refused_with_the_nearest_spelling() -> None:
    item = FrameworkItem(key="size", question="How big?", rule=parse("employes >= 50"))
    with pytest.raises(ValidationError) as info:
        Framework(key="f", name="F", items=(item,), subject=Lead)
    assert [(e.path, e.value) for e in info.value.errors] == [
        ("items[0].rule.employes", "employes >= 50")
    ]
    assert "did you mean 'employees'?" in str(info.value)
    bad = FrameworkItem(
        key="budget",
        question="Money?",
        rule=parse("custom.budgt > 0"),
        disqualify_if=parse("countri == 'KP'"),
    )
    with pytest.raises(ValidationError) as info:
        Framework(
            key="f", name="F", items=(bad,), subject=Lead.__rule_schema__(QUALIFICATION_FIELDS)
        )
    assert [e.path for e in info.value.errors] == [
        "items[0].rule.custom.budgt",
        "items[0].disqualify_if.countri",
    ]
    assert "did you mean 'custom.budget'?" in str(info.value)
    with pytest.raises(ValidationError, match="subject"):
        Framework(key="f", name="F", items=(item,), subject=42)
    size = FrameworkItem(key="size", question="How big?", rule=parse("employees >= 50"))
    fine = Framework(key="f", name="F", items=(size,))
    assert fine.check(Lead) is fine
    with pytest.raises(ValidationError, match=r"items\[0\]\.rule\.employees: is not a field"):
        fine.check(Opportunity)


def test_json_round_trips() -> None:
    for fw in FRAMEWORKS.values():
        assert from_json(Framework, to_json(fw)) == fw
    answer = RepAnswer(
        item_key="need", answer="confirmed", at=AT, actor="rep", interaction_id="m-1"
    )
    assert from_json(RepAnswer, to_json(answer)) == answer


def test_bad_assess_input_is_a_validation_error() -> None:
    with pytest.raises(ValidationError) as info:
        assess("bant", {})  # type: ignore[arg-type]
    assert [(e.path, e.value) for e in info.value.errors] == [("framework", "bant")]
    with pytest.raises(ValidationError) as info:
        assess(BANT, {}, answers=5)  # type: ignore[arg-type]
    assert [(e.path, e.value) for e in info.value.errors] == [("answers", 5)]


def test_an_answer_dated_after_at_is_not_given_yet() -> None:
    lead = {"custom": {"budget": 40000}}
    early = RepAnswer(item_key="timeline", answer="not_met", at=AT - timedelta(days=3), actor="r")
    late = RepAnswer(item_key="timeline", answer="confirmed", at=AT + timedelta(hours=1), actor="r")
    now = assess(BANT, lead, answers=[late, early], at=AT)
    assert now.item("timeline").status is ItemStatus.NOT_MET
    assert now.item("timeline").answer == early
    later = assess(BANT, lead, answers=[late, early], at=AT + timedelta(hours=1))
    assert later.item("timeline").status is ItemStatus.CONFIRMED
    # Without at, every answer counts; an answer at exactly at counts.
    assert assess(BANT, lead, answers=[late, early]).item("timeline").status == "confirmed"
    on_time = attrs.evolve(late, at=AT)
    assert assess(BANT, lead, answers=[on_time], at=AT).item("timeline").status == "confirmed"
    # A future answer for an unknown item is still refused by name.
    stray = RepAnswer(item_key="timelin", answer="confirmed", at=AT + timedelta(days=1), actor="r")
    with pytest.raises(ValidationError) as info:
        assess(BANT, lead, answers=[stray], at=AT)
    assert [(e.path, e.value) for e in info.value.errors] == [("answers[0].item_key", "timelin")]


@given(st.lists(st.integers(min_value=-5, max_value=5), max_size=6), st.integers(-5, 5))
def test_a_verdict_as_of_at_ignores_exactly_the_answers_after_it(
    days: list[int], when: int
) -> None:
    answers = [
        RepAnswer(
            item_key="need",
            answer="confirmed" if i % 2 else "not_met",
            at=AT + timedelta(days=d),
            actor=f"rep-{i}",
        )
        for i, d in enumerate(days)
    ]
    at = AT + timedelta(days=when)
    given_by_then = [a for a in answers if a.at <= at]
    assert assess(BANT, {}, answers=answers, at=at) == assess(
        BANT, {}, answers=given_by_then, at=at
    )
