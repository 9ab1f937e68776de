"""The fast paths of ``Interaction.call`` and ``Interaction.email`` against their checked paths."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

import attrs
from hypothesis import example, given, settings
from hypothesis import strategies as st

from salescore.domain import interactions
from salescore.domain.interactions import (
    CallDisposition,
    CallOutcome,
    Direction,
    EmailEventKind,
    Interaction,
    Sentiment,
)
from salescore.domain.parties import PartyKind, PartyRef

texts = st.one_of(
    st.sampled_from(("sdr-1", "1: call", "lead-sim-1-7", "", " ", "a\tb", "a\u2028b", "é")),
    st.text(max_size=6),
)
maybe_texts = st.one_of(st.none(), texts, st.integers(0, 3))
instants = st.one_of(
    st.datetimes(
        timezones=st.sampled_from((UTC, timezone(timedelta(hours=2)), ZoneInfo("Europe/Berlin")))
    ),
    st.datetimes(),  # naive
    st.sampled_from((datetime(2026, 3, 2, 9, tzinfo=UTC), "2026-03-02", None)),
)
durations = st.one_of(
    st.none(),
    st.timedeltas(min_value=timedelta(minutes=-5), max_value=timedelta(hours=2)),
    st.just(3),
)
parties = st.one_of(
    st.none(),
    st.builds(PartyRef, st.sampled_from(PartyKind), st.sampled_from(("lead-1", "c-2"))),
    st.just("lead-1"),
)
abouts = st.fixed_dictionaries(
    {},
    optional={
        "party": parties,
        "rep_id": maybe_texts,
        "subject": maybe_texts,
        "notes": maybe_texts,
        "account_id": maybe_texts,
        "url": maybe_texts,
        "campaign_id": maybe_texts,
        "outcome": st.one_of(st.none(), st.just(CallOutcome(disposition=CallDisposition.BUSY))),
        "message_id": maybe_texts,
        "duration": durations,
        "channel": st.just("phone"),
        "colour": st.just("red"),
    },
)
dispositions = st.one_of(
    st.sampled_from(CallDisposition),
    st.sampled_from([d.value for d in CallDisposition]),
    st.sampled_from(("NO_ANSWER", "sent", EmailEventKind.SENT, None, 3)),
)
kinds = st.one_of(
    st.sampled_from(EmailEventKind),
    st.sampled_from([k.value for k in EmailEventKind]),
    st.sampled_from(("SENT", "no_answer", CallDisposition.BUSY, None, 3)),
)
directions = st.one_of(st.sampled_from(Direction), st.sampled_from(("inbound", "sideways", 1)))
sentiments = st.one_of(st.none(), st.sampled_from(Sentiment), st.sampled_from(("positive", "meh")))


def outcome_of(make: Any) -> tuple[str, Any]:
    try:
        return "made", make()
    except Exception as exc:  # the same exception, with the same message, is what counts
        return "raised", (type(exc), str(exc))


def checked(make: Any) -> tuple[str, Any]:
    """``make()`` with the constructor's cheap check of the common case turned off.

    So the comparison is with every detailed check of the constructor, not
    with the gate the fast path shares with it.
    """
    original = interactions._is_plain
    interactions._is_plain = lambda i: False
    try:
        return outcome_of(make)
    finally:
        interactions._is_plain = original


def assert_same(fast: tuple[str, Any], checked: tuple[str, Any]) -> None:
    assert fast[0] == checked[0]
    if fast[0] == "raised":
        assert fast[1] == checked[1]
        return
    a, b = fast[1], checked[1]
    assert type(a) is type(b) is Interaction
    assert a == b
    for name in attrs.fields_dict(Interaction):
        x, y = getattr(a, name), getattr(b, name)
        assert type(x) is type(y), name
        assert x == y, name
    assert a.at.tzinfo is b.at.tzinfo
    assert repr(a) == repr(b)


@settings(max_examples=600, deadline=None)
@given(
    id=texts,
    at=instants,
    actor=texts,
    disposition=dispositions,
    sentiment=sentiments,
    direction=directions,
    duration=durations,
    about=abouts,
)
@example(
    id="call-1",
    at=datetime(2026, 3, 2, 9, tzinfo=UTC),
    actor="sdr-1",
    disposition="no_answer",
    sentiment=None,
    direction=Direction.OUTBOUND,
    duration=timedelta(0),
    about={"party": PartyRef(PartyKind.LEAD, "lead-1"), "rep_id": "sdr-1", "subject": "1: call"},
)
def test_call_fast_path_equals_the_checked_path(
    id: Any,
    at: Any,
    actor: Any,
    disposition: Any,
    sentiment: Any,
    direction: Any,
    duration: Any,
    about: dict[str, Any],
) -> None:
    args = {"id": id, "at": at, "actor": actor, "disposition": disposition, "sentiment": sentiment}
    args.update(direction=direction, duration=duration)
    about.pop("duration", None)  # a parameter of its own
    fast = outcome_of(lambda: Interaction.call(**args, **about))
    assert_same(fast, checked(lambda: Interaction._checked_call(**args, **about)))


@settings(max_examples=600, deadline=None)
@given(
    id=texts,
    at=instants,
    actor=texts,
    message_id=maybe_texts,
    kind=kinds,
    direction=st.one_of(st.none(), directions),
    about=abouts,
)
@example(
    id="email-1",
    at=datetime(2026, 3, 2, 9, tzinfo=UTC),
    actor="person",
    message_id="message-1",
    kind="replied",
    direction=None,
    about={"party": PartyRef(PartyKind.LEAD, "lead-1"), "subject": "2: email"},
)
def test_email_fast_path_equals_the_checked_path(
    id: Any, at: Any, actor: Any, message_id: Any, kind: Any, direction: Any, about: dict[str, Any]
) -> None:
    args = {
        "id": id,
        "at": at,
        "actor": actor,
        "message_id": message_id,
        "kind": kind,
        "direction": direction,
    }
    about.pop("message_id", None)  # a parameter of its own
    fast = outcome_of(lambda: Interaction.email(**args, **about))
    assert_same(fast, checked(lambda: Interaction._checked_email(**args, **about)))


def test_the_engine_shaped_call_takes_the_fast_path() -> None:
    """The common case is built without the constructor (so the test above compares two paths)."""
    calls: list[Any] = []
    original = interactions._build

    def counted(**fields: Any) -> Interaction:
        calls.append(fields)
        return original(**fields)

    interactions._build = counted  # type: ignore[misc]
    try:
        Interaction.email(
            id="email-1",
            at=datetime(2026, 3, 2, 9, tzinfo=UTC),
            actor="sdr-1",
            message_id="m-1",
            party=PartyRef(PartyKind.LEAD, "lead-1"),
            subject="2: email",
        )
    finally:
        interactions._build = original  # type: ignore[misc]
    assert len(calls) == 1
