"""The direct paths of service cases agree with the general, checked paths.

Opening a case, replying to it, moving its status and applying an SLA
policy each build their objects directly when every value is valid and
normal already. These tests run the same calls with the direct paths on
and off, on awkward values too: the same objects (fields, their types, the
history event by event), or the same exception with the same errors.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from unittest import mock

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from salescore.domain.interactions import Channel
from salescore.domain.service import cases as case_module
from salescore.domain.service import policies as policy_module
from salescore.domain.service.cases import ServiceCase
from salescore.domain.service.events import AuthorKind, CaseStatus
from salescore.domain.service.policies import SlaPolicy, SlaTarget, choose_policy
from salescore.domain.service.priority import Priority
from salescore.errors import SalescoreError, ValidationError

from ._awkward import IDS as _IDS
from ._awkward import TEXT as _TEXT

_AT = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
_DIRECT = ("_open_plainly", "_reply_plainly", "_applied_plainly", "_move_freely")


@contextmanager
def _general() -> Iterator[None]:
    """Turn every direct path off: each call takes the general, checked path."""
    with ExitStack() as stack:
        for name in _DIRECT:
            stack.enter_context(mock.patch.object(case_module, name, return_value=None))
        yield


def _shape(value: Any) -> Any:
    """A value with the type of everything in it, for comparisons that see types."""
    if attrs.has(type(value)):
        return (
            type(value),
            tuple((f.name, _shape(getattr(value, f.name))) for f in attrs.fields(type(value))),
        )
    if isinstance(value, tuple | list):
        return (type(value), tuple(_shape(v) for v in value))
    return (type(value), value)


def _outcome(call: Callable[[], Any]) -> tuple[str, Any]:
    try:
        obj = call()
    except (SalescoreError, ValueError, TypeError) as exc:
        errors = getattr(exc, "errors", None)
        return ("raised", (type(exc), str(exc), repr(errors)))
    return ("built", _shape(obj))


def _same(call: Callable[[], Any]) -> tuple[str, Any]:
    direct = _outcome(call)
    with _general():
        general = _outcome(call)
    assert direct == general
    return direct


_TIMES = st.one_of(
    st.just(_AT),
    st.just(_AT.astimezone(timezone(timedelta(hours=2)))),
    st.just(_AT.replace(tzinfo=None)),
    st.just(_AT - timedelta(days=400)),
    st.just("2026-03-02"),
)
_ACTORS = st.one_of(st.just("agent-1"), _IDS)
_REQUIRED = st.one_of(st.just("Help needed"), _TEXT)
_DESCRIPTIONS = st.one_of(
    st.just(""), st.just("It broke"), st.just("two\nlines"), st.just("   "), _TEXT
)
_CHANNELS = st.one_of(
    st.sampled_from(list(Channel)), st.sampled_from(["email", "chat", "phone", "fax", "", 3])
)
_PRIORITIES = st.one_of(
    st.sampled_from(list(Priority)), st.sampled_from(["urgent", "low", "URGENT", None, 1])
)
_WINDOWS = st.one_of(
    st.just(timedelta(days=7)),
    st.just(timedelta(0)),
    st.just(timedelta(seconds=-1)),
    st.just(3),
    st.just(None),
)


def _policy(name: str = "standard", **kwargs: Any) -> SlaPolicy:
    targets = tuple(
        SlaTarget(
            metric=metric, priority=priority, duration=timedelta(hours=hours), business_time=False
        )
        for priority in Priority
        for metric, hours in (("first_reply", 4), ("resolution", 24))
    )
    return SlaPolicy(name=name, targets=targets, **kwargs)


_POLICY = _policy()


def _open(**fields: Any) -> ServiceCase:
    base = {"id": "case-1", "at": _AT, "actor": "customer"}
    base.update(fields)
    return ServiceCase.open(**base)


_PLAIN_OPEN = {
    "id": "case-1",
    "at": _AT,
    "actor": "customer",
    "requester_id": "contact-1",
    "subject": "Help needed",
    "description": "It broke",
    "channel": Channel.EMAIL,
    "priority": Priority.HIGH,
    "account_id": "account-1",
    "category": "billing",
    "assignee_id": "rep-1",
    "group_id": "support",
    "reopen_window": timedelta(days=7),
}
_PLAIN_OPEN_REQUIRED = ("id", "at", "actor", "requester_id", "subject")
_AWKWARD_OPEN = {
    "id": _IDS,
    "at": _TIMES,
    "actor": _ACTORS,
    "requester_id": _REQUIRED,
    "subject": _REQUIRED,
    "description": _DESCRIPTIONS,
    "channel": _CHANNELS,
    "priority": _PRIORITIES,
    "account_id": _IDS,
    "category": _TEXT,
    "assignee_id": _IDS,
    "group_id": _IDS,
    "reopen_window": _WINDOWS,
}


_OPEN_FIELDS = st.fixed_dictionaries(
    {"requester_id": _REQUIRED, "subject": _REQUIRED},
    optional={n: v for n, v in _AWKWARD_OPEN.items() if n not in _PLAIN_OPEN_REQUIRED},
)


@settings(max_examples=500, deadline=None)
@given(
    _OPEN_FIELDS,
    st.one_of(st.just("case-1"), _IDS),
    _TIMES,
    _ACTORS,
    st.sampled_from([None, _POLICY]),
)
def test_open_equals_the_general_path(
    fields: dict[str, Any], id: Any, at: Any, actor: Any, policy: SlaPolicy | None
) -> None:
    _same(lambda: _open(id=id, at=at, actor=actor, sla_policy=policy, **fields))


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(sorted(_AWKWARD_OPEN)), st.data())
def test_open_with_one_awkward_value_equals_the_general_path(name: str, data: Any) -> None:
    fields = {**_PLAIN_OPEN, name: data.draw(_AWKWARD_OPEN[name])}
    _same(lambda: ServiceCase.open(**fields))


def test_open_of_plain_values_takes_the_direct_path() -> None:
    with mock.patch.object(ServiceCase, "_create", side_effect=AssertionError("general")):
        case = _open(requester_id="contact-1", subject="Help", priority=Priority.HIGH)
        by_value = _open(requester_id="contact-1", subject="Help", priority="high", channel="chat")
    assert (case.status, case.version, case.priority) == ("new", 2, Priority.HIGH)
    assert type(by_value.priority) is Priority
    assert type(by_value.channel) is Channel
    assert by_value.history[0].priority is Priority.HIGH


def test_a_subclass_opens_through_its_own_constructor() -> None:
    class Special(ServiceCase):
        pass

    case = Special.open(
        id="case-1", at=_AT, actor="customer", requester_id="c", subject="s", sla_policy=_POLICY
    )
    later = _AT + timedelta(hours=1)
    answered = case.reply("On it", at=later, actor="agent-1", status="open")
    assert type(case) is Special
    assert type(answered) is Special
    assert type(Special.from_events(answered.history)) is Special
    assert answered == Special.from_events(answered.history)


def _cases() -> list[ServiceCase]:
    """Cases in each status a reply can meet (and a closed one), and cases without history."""
    new = _open(requester_id="contact-1", subject="Help", sla_policy=_POLICY)
    later = _AT + timedelta(hours=1)
    opened = new.move_to("open", at=later, actor="agent-1")
    pending = opened.move_to("pending", at=later, actor="agent-1")
    on_hold = opened.move_to("on_hold", at=later, actor="agent-1")
    solved = opened.solve(at=later, actor="agent-1")
    closed = solved.close(at=later, actor="agent-1")
    bare = [
        ServiceCase(id="case-9", requester_id="contact-1", subject="Help", status=status)
        for status in ("open", "solved")
    ]
    return [new, opened, pending, on_hold, solved, closed, *bare]


_CASES = _cases()
_STATUSES = st.one_of(
    st.none(),
    st.sampled_from([s.value for s in CaseStatus]),
    st.sampled_from(list(CaseStatus)),
    st.sampled_from(["Open", "archived", "", 3]),
)
_REPLY_TIMES = st.one_of(
    st.just(_AT + timedelta(hours=2)),
    st.just(_AT + timedelta(days=30)),
    _TIMES,
)


@settings(max_examples=800, deadline=None)
@given(
    st.sampled_from(range(len(_CASES))),
    st.one_of(st.just("Looking into it"), _TEXT, st.just("two\nlines")),
    _REPLY_TIMES,
    _ACTORS,
    st.one_of(st.sampled_from(list(AuthorKind)), st.sampled_from(["customer", "bot", None])),
    st.one_of(st.booleans(), st.sampled_from([None, 1, "yes"])),
    _IDS,
    _STATUSES,
)
def test_reply_equals_the_general_path(
    index: int,
    body: Any,
    at: Any,
    actor: Any,
    author_kind: Any,
    public: Any,
    author_id: Any,
    status: Any,
) -> None:
    case = _CASES[index]
    before = _shape(case)
    _same(
        lambda: case.reply(
            body,
            at=at,
            actor=actor,
            author_kind=author_kind,
            public=public,
            author_id=author_id,
            status=status,
        )
    )
    assert _shape(case) == before  # a refused reply changes nothing


@settings(max_examples=500, deadline=None)
@given(
    st.sampled_from(range(len(_CASES))),
    st.one_of(st.sampled_from([s.value for s in CaseStatus]), st.sampled_from(["x", 3])),
    _REPLY_TIMES,
    _ACTORS,
    st.one_of(st.none(), st.just("customer asked"), _TEXT),
)
def test_status_moves_equal_the_general_path(
    index: int, status: Any, at: Any, actor: Any, reason: Any
) -> None:
    case = _CASES[index]
    _same(lambda: case.move_to(status, at=at, actor=actor, reason=reason))
    _same(lambda: case.solve(at=at, actor=actor, reason=reason))
    _same(lambda: case.close(at=at, actor=actor, reason=reason))


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from(range(len(_CASES))),
    st.sampled_from([None, _POLICY, _policy("gold")]),
    _REPLY_TIMES,
    _ACTORS,
)
def test_apply_and_choose_sla_policy_equal_the_general_path(
    index: int, policy: SlaPolicy | None, at: Any, actor: Any
) -> None:
    case = _CASES[index]
    _same(lambda: case.apply_sla_policy(policy, at=at, actor=actor))
    _same(lambda: case.choose_sla_policy((_policy("gold"),), at=at, actor=actor))


def test_a_policy_list_is_checked_on_every_call_until_it_passes() -> None:
    bad = (_policy("a", applies_when="priority == 'urgent'"), _policy("a"))
    case = _CASES[0]
    for _ in range(2):
        with pytest.raises(ValidationError) as info:
            choose_policy(bad, case, _AT)
        assert [e.path for e in info.value.errors] == ["policies[1].name"]
    good = (_policy("a", applies_when="priority == 'urgent'"), _policy("b"))
    with mock.patch.object(
        policy_module, "_check_policies", wraps=policy_module._check_policies
    ) as check:
        first = choose_policy(good, case, _AT)
        again = choose_policy(good, case, _AT)
        copy = choose_policy(list(good), case, _AT)
    assert first == again == copy
    assert first.policy is not None
    assert first.policy.name == "b"
    assert check.call_count == 2  # the same tuple again is not checked twice; a new one is


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from(range(len(_CASES))),
    st.sampled_from([s.value for s in CaseStatus]),
    st.sampled_from([timedelta(hours=2), timedelta(hours=3), timedelta(0), -timedelta(days=1)]),
    st.sampled_from([timedelta(0), timedelta(hours=1), -timedelta(hours=1)]),
    st.sampled_from(["reply", "note", "other subject"]),
)
def test_a_status_move_after_other_events_equals_the_general_path(
    index: int, status: str, offset: timedelta, lag: timedelta, kind: str
) -> None:
    case = _CASES[index]
    at = _AT + offset
    subject = "case-2" if kind == "other subject" else case.id
    if kind == "note":
        event: Any = case_module.CaseNoteAdded(
            subject_id=subject, at=at + lag, actor="agent-1", author_kind=AuthorKind.AGENT, body="n"
        )
    else:
        event = case_module.CaseReplied(
            subject_id=subject, at=at + lag, actor="agent-1", author_kind=AuthorKind.AGENT, body="r"
        )
    _same(lambda: case._status_move(status, at=at, actor="agent-1", reason=None, before=(event,)))
