"""An interaction whose fields are all plain skips the detailed checks, with the same result.

The cheap check ``_is_plain`` may only say yes when the detailed checks find
nothing: these tests build interactions from good and awkward values and
compare each outcome (the interaction, or the exception) with the same
construction with the cheap check turned off.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from unittest import mock

from hypothesis import given, settings
from hypothesis import strategies as st

from salescore.domain import interactions
from salescore.domain.interactions import (
    CallDisposition,
    CallOutcome,
    Channel,
    Direction,
    Interaction,
    MeetingOutcome,
    MeetingStatus,
    Sentiment,
)
from salescore.domain.parties import PartyKind, PartyRef
from salescore.errors import SalescoreError

T0 = datetime(2026, 3, 2, 9, tzinfo=UTC)


def _outcome(call: Callable[[], Any]) -> tuple[str, Any]:
    try:
        return ("built", call())
    except SalescoreError as exc:
        return ("raised", (type(exc), str(exc), repr(getattr(exc, "errors", None))))


def _both(call: Callable[[], Any]) -> None:
    fast = _outcome(call)
    with mock.patch.object(interactions, "_is_plain", return_value=False):
        general = _outcome(call)
    assert fast == general


#: Half plain values, half awkward ones (the cheap check must say no to those).
_TEXTS = st.one_of(
    st.sampled_from([None, "x-1", "Call 1"]),
    st.sampled_from(["", "  ", " padded ", "two\nlines", "bell\x07", 5]),
)
_FIELDS: dict[str, st.SearchStrategy[Any]] = {
    "id": _TEXTS,
    "at": st.sampled_from(
        [T0, T0.astimezone(timezone(timedelta(hours=-5))), T0.replace(tzinfo=None), "2026", None]
    ),
    "actor": _TEXTS,
    "channel": st.sampled_from([*Channel, "phone", None]),
    "direction": st.sampled_from([*Direction, "inbound", None]),
    "kind": st.sampled_from(["connected", "no_answer", "sent", "replied", "held", "", 3]),
    "duration": st.sampled_from([None, timedelta(0), timedelta(minutes=3), -timedelta(1), 60]),
    "party": st.sampled_from([None, PartyRef(PartyKind.LEAD, "lead-1"), "lead-1"]),
    "account_id": _TEXTS,
    "rep_id": _TEXTS,
    "subject": _TEXTS,
    "notes": _TEXTS,
    "url": _TEXTS,
    "message_id": _TEXTS,
    "outcome": st.sampled_from(
        [
            None,
            CallOutcome(disposition=CallDisposition.CONNECTED),
            CallOutcome(disposition=CallDisposition.NO_ANSWER, sentiment=Sentiment.NEUTRAL),
            MeetingOutcome(status=MeetingStatus.HELD),
            "connected",
        ]
    ),
}


_REQUIRED = ("id", "at", "actor", "channel", "direction", "kind")


@settings(max_examples=600, deadline=None)
@given(
    st.fixed_dictionaries(
        {k: v for k, v in _FIELDS.items() if k in _REQUIRED},
        optional={k: v for k, v in _FIELDS.items() if k not in _REQUIRED},
    )
)
def test_direct_construction_equals_the_detailed_checks(fields: dict[str, Any]) -> None:
    _both(lambda: Interaction(**fields))


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from([*CallDisposition, "connected", "nope", None]),
    st.sampled_from([None, *Sentiment, "positive", "meh"]),
    _FIELDS["at"],
    _FIELDS["actor"],
    _FIELDS["duration"],
    _TEXTS,
)
def test_call_equals_the_detailed_checks(
    disposition: Any, sentiment: Any, at: Any, actor: Any, duration: Any, subject: Any
) -> None:
    _both(
        lambda: Interaction.call(
            id="call-1",
            at=at,
            actor=actor,
            disposition=disposition,
            sentiment=sentiment,
            duration=duration,
            rep_id="rep-1",
            subject=subject,
        )
    )


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from(["sent", "replied", "unsubscribed", "opened", "nope"]),
    _TEXTS,
    _FIELDS["at"],
    _FIELDS["party"],
    _TEXTS,
)
def test_email_equals_the_detailed_checks(
    kind: Any, message_id: Any, at: Any, party: Any, subject: Any
) -> None:
    _both(
        lambda: Interaction.email(
            id="email-1",
            at=at,
            actor="rep-1",
            message_id=message_id,
            kind=kind,
            party=party,
            subject=subject,
        )
    )


def test_a_plain_call_skips_the_detailed_checks() -> None:
    with mock.patch.object(interactions, "Checker", side_effect=AssertionError("checked")):
        call = Interaction.call(
            id="call-1", at=T0, actor="rep-1", disposition="connected", rep_id="rep-1"
        )
    assert (call.channel, call.kind, call.direction) == (
        Channel.PHONE,
        "connected",
        Direction.OUTBOUND,
    )


@settings(max_examples=100, deadline=None)
@given(st.sampled_from([*CallDisposition]), st.sampled_from([None, *Sentiment]))
def test_calls_share_one_outcome_per_disposition_and_sentiment(
    disposition: CallDisposition, sentiment: Sentiment | None
) -> None:
    a, b = (
        Interaction.call(
            id=f"call-{i}", at=T0, actor="rep-1", disposition=disposition, sentiment=sentiment
        )
        for i in range(2)
    )
    assert a.outcome is b.outcome
    assert a.outcome == CallOutcome(disposition=disposition, sentiment=sentiment)
