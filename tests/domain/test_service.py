"""Service cases: lifecycle, conversation, merges, satisfaction, derived facts, JSON."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings

from salescore import funnels
from salescore.calendar import BusinessCalendar
from salescore.domain import service
from salescore.domain.events import FieldsChanged, StageChanged
from salescore.domain.interactions import Channel
from salescore.domain.service import (
    AuthorKind,
    CaseAssigned,
    CaseMerged,
    CaseNoteAdded,
    CaseOpened,
    CaseReplied,
    CaseStatus,
    CesResponse,
    CsatResponse,
    NpsCategory,
    NpsResponse,
    Priority,
    PriorityChanged,
    SatisfactionRecorded,
    ServiceCase,
    SlaMetric,
    SlaPolicy,
    SlaPolicyApplied,
    SlaState,
    SlaTarget,
    merge_cases,
)
from salescore.errors import TransitionError, ValidationError
from salescore.serialization import from_json, to_json
from salescore.testing.strategies import service_cases

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # a Monday
H = timedelta(hours=1)
CAL = BusinessCalendar.weekdays(time(9), time(17), tz="UTC")
POLICY = SlaPolicy(
    name="standard",
    calendar=CAL,
    targets=[
        SlaTarget(metric="first_reply", priority="normal", duration=4 * H),
        SlaTarget(metric="resolution", priority="normal", duration=16 * H),
    ],
)


def new_case(**kw: object) -> ServiceCase:
    args: dict[str, object] = {
        "id": "case-1",
        "at": T0,
        "actor": "email-gateway",
        "requester_id": "contact-1",
        "subject": "Cannot log in",
    }
    args.update(kw)
    return ServiceCase.open(**args)  # type: ignore[arg-type]


# --- opening -------------------------------------------------------------------------


def test_open_records_creation_and_funnel_entry() -> None:
    case = new_case(account_id="acct-1", channel="phone", priority="high", category="access")
    assert case.status == "new"
    assert case.priority is Priority.HIGH
    assert case.channel is Channel.PHONE
    assert case.version == 2 == len(case.history)
    assert type(case.history[0]) is CaseOpened
    entry = case.history[1]
    assert isinstance(entry, StageChanged)
    assert (entry.funnel, entry.from_stage, entry.to_stage) == ("case_status", None, "new")
    assert case.stage_in(funnels.CASE_STATUS) == "new"


def test_open_with_policy_records_it() -> None:
    case = new_case(sla_policy=POLICY)
    assert case.version == 3
    applied = case.history[2]
    assert isinstance(applied, SlaPolicyApplied)
    assert applied.policy == POLICY
    assert case.sla_policy == POLICY


def test_open_reports_every_bad_field() -> None:
    with pytest.raises(ValidationError) as info:
        ServiceCase.open(
            id="case-1",
            at=T0,
            actor="x",
            requester_id="",
            subject=" ",
            channel="pigeon",
            priority="asap",
        )
    paths = {e.path for e in info.value.errors}
    assert {"channel", "priority"} <= paths


def test_naive_datetime_refused() -> None:
    with pytest.raises(ValidationError):
        new_case(at=datetime(2026, 3, 2, 9, 0))


# --- status --------------------------------------------------------------------------


def test_status_moves_follow_the_table() -> None:
    case = new_case()
    case = case.move_to("open", at=T0 + H, actor="rep-1")
    case = case.move_to("pending", at=T0 + 2 * H, actor="rep-1")
    case = case.move_to("on_hold", at=T0 + 3 * H, actor="rep-1")
    case = case.solve(at=T0 + 4 * H, actor="rep-1")
    assert case.status == "solved"
    assert case.solved_at == T0 + 4 * H
    with pytest.raises(TransitionError) as info:
        case.move_to("pending", at=T0 + 5 * H, actor="rep-1")
    assert info.value.from_state == "solved"
    assert info.value.to_state == "pending"
    case = case.close(at=T0 + 6 * H, actor="system")
    assert case.status == "closed"
    assert case.time_in_stages("case_status", at=T0 + 7 * H) == {
        "new": H,
        "open": H,
        "pending": H,
        "on_hold": H,
        "solved": 2 * H,
        "closed": H,
    }


def test_unsolved_case_cannot_be_closed() -> None:
    case = new_case().move_to("open", at=T0, actor="rep-1")
    with pytest.raises(TransitionError) as info:
        case.close(at=T0 + H, actor="rep-1")
    assert info.value.reasons == (
        "solve the case first: an unsolved case is closed only by a merge",
    )


def test_closed_case_is_final() -> None:
    case = new_case().solve(at=T0 + H, actor="rep-1").close(at=T0 + 2 * H, actor="rep-1")
    attempts: list[Callable[[], object]] = [
        lambda: case.reply("hello?", at=T0 + 3 * H, actor="contact-1", author_kind="customer"),
        lambda: case.add_note("n", at=T0 + 3 * H, actor="rep-1"),
        lambda: case.move_to("open", at=T0 + 3 * H, actor="rep-1"),
        lambda: case.change_priority("urgent", at=T0 + 3 * H, actor="rep-1"),
        lambda: case.assign(at=T0 + 3 * H, actor="rep-1", assignee_id="rep-2"),
        lambda: case.edit(at=T0 + 3 * H, actor="rep-1", subject="x"),
    ]
    for attempt in attempts:
        with pytest.raises(TransitionError) as info:
            attempt()
        assert info.value.reasons == ("a closed case is final: open a new case",)


def test_reopen_within_window() -> None:
    case = new_case(reopen_window=timedelta(days=7)).solve(at=T0 + H, actor="rep-1")
    reopened = case.reopen(at=T0 + H + timedelta(days=7), actor="contact-1")
    assert reopened.status == "open"
    assert reopened.reopens == 1
    assert reopened.solved_at is None


def test_reopen_after_window_is_refused() -> None:
    case = new_case(reopen_window=timedelta(days=7)).solve(at=T0 + H, actor="rep-1")
    late = T0 + H + timedelta(days=7, seconds=1)
    with pytest.raises(TransitionError) as info:
        case.reopen(at=late, actor="contact-1")
    assert info.value.reasons == (
        "the reopen window (7 days, 0:00:00) ended at 2026-03-09T10:00:00+00:00: "
        "the customer opens a new case",
    )
    with pytest.raises(TransitionError):
        case.move_to("open", at=late, actor="contact-1")
    assert case.version == 3  # nothing recorded


def test_reopen_needs_a_solved_case() -> None:
    with pytest.raises(TransitionError):
        new_case().reopen(at=T0 + H, actor="rep-1")


# --- conversation --------------------------------------------------------------------


def test_replies_and_notes_are_recorded_with_author_kind_and_visibility() -> None:
    case = new_case()
    case = case.reply("Hi, we are looking into it.", at=T0 + H, actor="rep-1")
    case = case.reply("Internal cc", at=T0 + H, actor="rep-1", public=False)
    case = case.add_note("Probably SSO.", at=T0 + H, actor="rep-1")
    case = case.reply("Thanks", at=T0 + 2 * H, actor="contact-1", author_kind="customer")
    case = case.reply("Auto-ack", at=T0 + 2 * H, actor="bot", author_kind=AuthorKind.SYSTEM)
    kinds = [
        (type(e).__name__, e.author_kind, e.public)
        for e in case.history
        if isinstance(e, CaseReplied | CaseNoteAdded)
    ]
    assert kinds == [
        ("CaseReplied", AuthorKind.AGENT, True),
        ("CaseReplied", AuthorKind.AGENT, False),
        ("CaseNoteAdded", AuthorKind.AGENT, False),
        ("CaseReplied", AuthorKind.CUSTOMER, True),
        ("CaseReplied", AuthorKind.SYSTEM, True),
    ]
    assert len(case.replies()) == 4
    assert len(case.replies(public=True)) == 3


def test_reply_can_move_status_in_one_change() -> None:
    case = new_case().reply("Screenshot, please?", at=T0 + H, actor="rep-1", status="pending")
    assert case.status == "pending"
    assert [type(e).__name__ for e in case.history[-2:]] == ["CaseReplied", "StageChanged"]


def test_customer_reply_to_pending_case_reopens_work() -> None:
    case = new_case().reply("Screenshot?", at=T0 + H, actor="rep-1", status="pending")
    case = case.reply("Here it is", at=T0 + 2 * H, actor="contact-1", author_kind="customer")
    assert case.status == "open"
    private = new_case().reply("Screenshot?", at=T0 + H, actor="rep-1", status="pending")
    private = private.add_note("customer called", at=T0 + 2 * H, actor="rep-1")
    assert private.status == "pending"


def test_refused_reply_with_move_records_nothing() -> None:
    case = new_case().solve(at=T0 + H, actor="rep-1")
    with pytest.raises(TransitionError):
        case.reply("more", at=T0 + 2 * H, actor="rep-1", status="pending")
    assert case.version == 3


def test_events_never_go_back_in_time() -> None:
    case = new_case().reply("a", at=T0 + H, actor="rep-1")
    with pytest.raises(ValidationError):
        case.reply("b", at=T0, actor="rep-1")


# --- fields --------------------------------------------------------------------------


def test_priority_assignment_and_edits() -> None:
    case = new_case()
    case = case.change_priority("urgent", at=T0 + H, actor="rep-1", reason="outage")
    assert case.priority is Priority.URGENT
    assert case.change_priority(Priority.URGENT, at=T0 + H, actor="rep-1") is case
    case = case.assign(at=T0 + H, actor="router", assignee_id="rep-2", group_id="queue-tier2")
    assert (case.assignee_id, case.group_id) == ("rep-2", "queue-tier2")
    case = case.assign(at=T0 + H, actor="router", assignee_id=None)
    assert (case.assignee_id, case.group_id) == (None, "queue-tier2")
    case = case.edit(at=T0 + 2 * H, actor="rep-2", subject="SSO login fails", category="access")
    assert case.subject == "SSO login fails"
    types = [type(e) for e in case.history[2:]]
    assert types == [PriorityChanged, CaseAssigned, CaseAssigned, FieldsChanged]


def test_edit_refuses_fields_with_their_own_methods() -> None:
    with pytest.raises(ValidationError) as info:
        new_case().edit(at=T0, actor="rep-1", priority="low", status="open", subject="")
    assert {e.path for e in info.value.errors} == {"priority", "status", "subject"}


# --- merge ---------------------------------------------------------------------------


def test_merge_closes_duplicate_and_target_records_it() -> None:
    target = new_case(sla_policy=POLICY)
    dup = new_case(id="case-2", at=T0 + H, sla_policy=POLICY)
    dup2, target2 = merge_cases(dup, target, at=T0 + 2 * H, actor="rep-1")
    assert dup2.status == "closed"
    assert dup2.merged_into == "case-1"
    assert target2.merged_cases == ("case-2",)
    assert isinstance(target2.history[-1], CaseMerged)
    assert [type(e).__name__ for e in dup2.history[-2:]] == ["CaseMerged", "StageChanged"]
    assert not dup2.is_solved
    clocks = dup2.sla_clocks(T0 + 3 * H)
    assert {c.state for c in clocks} == {SlaState.CANCELLED}
    assert {c.completed_at for c in clocks} == {T0 + 2 * H}


def test_merge_refusals() -> None:
    a = new_case()
    closed = new_case(id="case-9").solve(at=T0, actor="r").close(at=T0, actor="r")
    with pytest.raises(TransitionError) as info:
        merge_cases(a, a, at=T0 + H, actor="rep-1")
    assert "a case cannot be merged into itself" in info.value.reasons
    with pytest.raises(TransitionError) as info:
        merge_cases(a, closed, at=T0 + H, actor="rep-1")
    assert info.value.reasons == ("the target case-9 is closed",)


# --- satisfaction --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("score", "category"),
    [
        (0, NpsCategory.DETRACTOR),
        (6, NpsCategory.DETRACTOR),
        (7, NpsCategory.PASSIVE),
        (8, NpsCategory.PASSIVE),
        (9, NpsCategory.PROMOTER),
        (10, NpsCategory.PROMOTER),
    ],
)
def test_nps_category(score: int, category: NpsCategory) -> None:
    assert NpsResponse(score=score, at=T0).category is category


@pytest.mark.parametrize(
    ("cls", "bad"),
    [(CsatResponse, 0), (CsatResponse, 6), (NpsResponse, -1), (NpsResponse, 11), (CesResponse, 8)],
)
def test_scores_off_the_scale_are_refused(cls: type[CsatResponse], bad: int) -> None:
    with pytest.raises(ValidationError) as info:
        cls(score=bad, at=T0)
    assert info.value.errors[0].path == "score"


def test_score_must_be_an_integer_and_at_aware() -> None:
    with pytest.raises(ValidationError) as info:
        CsatResponse(score=4.5, at=datetime(2026, 1, 1))  # type: ignore[arg-type]
    assert {e.path for e in info.value.errors} == {"score", "at"}


def test_satisfaction_recorded_on_case_even_after_closing() -> None:
    case = new_case().solve(at=T0 + H, actor="rep-1").close(at=T0 + 2 * H, actor="system")
    case = case.record_satisfaction(CsatResponse(score=5, at=T0 + 3 * H), actor="survey")
    case = case.record_satisfaction(
        CesResponse(score=6, at=T0 + 3 * H, case_id="case-1"), actor="survey"
    )
    assert [r.score for r in case.satisfaction] == [5, 6]
    assert case.satisfaction[0].case_id == "case-1"
    assert isinstance(case.history[-1], SatisfactionRecorded)
    assert isinstance(case.satisfaction[0], CsatResponse)
    assert case.satisfaction[0].satisfied
    with pytest.raises(ValidationError):
        case.record_satisfaction(NpsResponse(score=9, at=T0 + 4 * H, case_id="other"), actor="s")


# --- first-contact resolution ----------------------------------------------------------


def test_first_contact_resolution() -> None:
    case = new_case().reply("Reset your password here.", at=T0 + H, actor="rep-1")
    case = case.add_note("easy one", at=T0 + H, actor="rep-1")
    assert not case.first_contact_resolution  # not solved yet
    solved = case.solve(at=T0 + 2 * H, actor="rep-1")
    assert solved.first_contact_resolution
    assert solved.close(at=T0 + 3 * H, actor="system").first_contact_resolution
    two = case.reply("Did it work?", at=T0 + 2 * H, actor="rep-1").solve(at=T0 + 3 * H, actor="r")
    assert not two.first_contact_resolution
    reopened = solved.reopen(at=T0 + 3 * H, actor="c").solve(at=T0 + 4 * H, actor="r")
    assert not reopened.first_contact_resolution
    silent = new_case().solve(at=T0 + H, actor="rep-1")
    assert not silent.first_contact_resolution


# --- replay and JSON -------------------------------------------------------------------


def test_json_round_trip_of_a_full_case() -> None:
    case = new_case(sla_policy=POLICY, account_id="acct-1")
    case = case.reply("On it", at=T0 + H, actor="rep-1", status="pending")
    case = case.reply("More info", at=T0 + 2 * H, actor="contact-1", author_kind="customer")
    case = case.change_priority("high", at=T0 + 3 * H, actor="rep-1")
    case = case.solve(at=T0 + 4 * H, actor="rep-1")
    case = case.record_satisfaction(NpsResponse(score=9, at=T0 + 5 * H), actor="survey")
    text = to_json(case)
    back = from_json(ServiceCase, text)
    assert back == case
    assert to_json(back) == text
    assert ServiceCase.from_events(case.history) == case


def test_history_must_start_with_case_opened() -> None:
    case = new_case()
    with pytest.raises(ValidationError):
        ServiceCase.from_events(case.history[1:])


@settings(max_examples=40)
@given(service_cases())
def test_random_cases_replay_and_round_trip(case: ServiceCase) -> None:
    assert case.version == len(case.history)
    assert ServiceCase.from_events(case.history) == case
    assert from_json(ServiceCase, to_json(case)) == case
    assert case.status in set(CaseStatus)


def test_clock_metrics_cover_the_case_in_business_time() -> None:
    case = new_case(sla_policy=POLICY).reply("hi", at=T0 + 2 * H, actor="rep-1")
    first, resolution = case.sla_clocks(T0 + 3 * H)
    assert first.metric is SlaMetric.FIRST_REPLY
    assert first.state is SlaState.FULFILLED
    assert first.used == 2 * H
    assert resolution.used == 3 * H
    assert case.milestones(T0 + 3 * H)[0].completed_at == T0 + 2 * H


# --- the package and its documents ----------------------------------------------------

DOCUMENTS = Path(__file__).resolve().parent.parent / "data" / "service_documents_0_1.json"

_LOAD_OLD_DOCUMENTS = """
import json, sys
from salescore import from_json, to_json
from salescore.domain.events import Event

docs = json.loads(sys.stdin.read())
# an event of a case loads before any service module is imported
first = json.loads(docs["ServiceCase"][0])["history"][0]
assert not [m for m in sys.modules if m.startswith("salescore.domain.service")]
event = from_json(Event, json.dumps(first))
print(type(event).__module__, type(event).__name__)

from datetime import datetime
from salescore.domain import service

for name, texts in sorted(docs.items()):
    for text in texts:
        assert to_json(from_json(getattr(service, name), text)) == text, name
case = from_json(service.ServiceCase, docs["ServiceCase"][0])
at = datetime.fromisoformat(json.loads(docs["SlaClock"][0])["evaluated_at"])
assert [to_json(c) for c in case.sla_clocks(at)] == docs["SlaClock"]
assert [to_json(m) for m in case.milestones(at)] == docs["Milestone"]
print(case.status, case.version, len(docs["ServiceCase"]))
"""


def test_documents_written_before_the_split_load_in_a_fresh_interpreter() -> None:
    # documents written by the single-module layout, byte for byte
    result = subprocess.run(
        [sys.executable, "-W", "error::DeprecationWarning", "-c", _LOAD_OLD_DOCUMENTS],
        input=DOCUMENTS.read_text(encoding="utf-8"),
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.stderr == ""
    assert result.stdout == "salescore.domain.service.events CaseOpened\nsolved 15 3\n"


def test_the_package_offers_every_name_of_its_modules_lazily() -> None:
    code = (
        "import sys\n"
        "from salescore.domain.service import ServiceCase\n"
        "print(sorted(m for m in sys.modules if m.startswith('salescore.domain.service.')))\n"
        "from salescore.domain.service import EscalationRule\n"
        "print('salescore.domain.service.escalation' in sys.modules)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.splitlines()
    # the case needs every module but escalation, which nothing below it uses
    assert out == [
        "['salescore.domain.service._conditions', 'salescore.domain.service.cases', "
        "'salescore.domain.service.clocks', 'salescore.domain.service.events', "
        "'salescore.domain.service.policies', 'salescore.domain.service.priority', "
        "'salescore.domain.service.satisfaction']",
        "True",
    ]
    assert service.ServiceCase is ServiceCase
    assert service.Priority is Priority
    assert service.cases.ServiceCase is ServiceCase


def test_the_old_sla_module_warns_and_offers_the_same_objects() -> None:
    code = (
        "import warnings\n"
        "with warnings.catch_warnings(record=True) as caught:\n"
        "    warnings.simplefilter('always')\n"
        "    from salescore.domain.sla import Priority, SlaPolicy, sla_clocks\n"
        "from salescore.domain import service\n"
        "print([str(w.message) for w in caught if w.category is DeprecationWarning])\n"
        "print(Priority is service.Priority, SlaPolicy is service.policies.SlaPolicy,"
        " sla_clocks is service.clocks.sla_clocks)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.splitlines()
    assert out == [
        "['salescore.domain.sla has moved: import salescore.domain.service']",
        "True True True",
    ]


def test_sla_clocks_refuse_an_aggregate_that_is_not_a_case() -> None:
    from salescore.domain.leads import Lead
    from salescore.domain.service import sla_clocks

    lead = Lead.new(id="lead-1", at=T0, actor="web", email="a@b.io")
    with pytest.raises(ValidationError) as info:
        sla_clocks(lead, T0 + H)
    assert info.value.paths == ("case",)
    assert info.value.errors[0].value == "lead-1"


def test_the_service_modules_import_only_those_before_them() -> None:
    import ast

    order = ["priority", "satisfaction", "policies", "events", "clocks", "escalation", "cases"]
    package = Path(service.__file__).parent
    for i, name in enumerate(order):
        tree = ast.parse((package / f"{name}.py").read_text(encoding="utf-8"))
        used = {
            node.module.rpartition(".")[2]
            for node in ast.walk(tree)
            if isinstance(node, ast.ImportFrom)
            and (node.module or "").startswith("salescore.domain.service.")
        }
        assert used - {"_conditions"} <= set(order[:i]), name


# --- the field table -------------------------------------------------------------------


def test_the_field_table_says_what_edit_may_change_and_what_is_personal() -> None:
    from salescore.outreach.erasure import erase_aggregate

    table = ServiceCase.field_table
    assert set(table.editable) == {"subject", "description", "channel", "account_id", "category"}
    assert table.refusals["priority"] == "cannot be edited (use the case's own methods)"
    assert table.created is CaseOpened
    # erasure blanks exactly the table's personal fields, to the table's values
    erased = erase_aggregate(new_case(description="My card 4111"), at=T0 + H, actor="dpo")
    assert table.personal == {"subject": "[erased]", "description": ""}
    assert (erased.subject, erased.description) == ("[erased]", "")


def test_edit_reports_unknown_and_refused_fields_with_their_reasons() -> None:
    with pytest.raises(ValidationError) as info:
        new_case().edit(at=T0, actor="rep-1", status="open", nickname="x", subject="\x00")
    assert [(e.path, e.message) for e in info.value.errors] == [
        ("status", "cannot be edited (use the case's own methods)"),
        ("nickname", "is not a field of ServiceCase"),
        ("subject", "must not contain the control character '\\x00'"),
    ]


def test_update_is_edit_and_refuses_a_closed_case() -> None:
    case = new_case().update(at=T0 + H, actor="rep-1", category="billing")
    assert case.category == "billing"
    assert isinstance(case.history[-1], FieldsChanged)
    closed = merge_cases(case, new_case(id="case-2"), at=T0 + 2 * H, actor="rep-1")[0]
    with pytest.raises(TransitionError):
        closed.update(at=T0 + 3 * H, actor="rep-1", category="x")


def test_a_case_built_directly_is_checked_by_the_table() -> None:
    with pytest.raises(ValidationError) as info:
        ServiceCase(id="case-1", requester_id=" ", subject="ok", reopen_window=-H)
    assert info.value.paths == ("requester_id", "reopen_window")
