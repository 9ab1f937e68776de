"""The fast constructors of interactions against their checked paths, on nearly valid input.

Each example starts from a valid call, e-mail or meeting (as the simulation
logs them) and changes at most two of its arguments to an odd or wrong
value, so that most examples reach the fast path and the rest fall just
outside it.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from salescore.domain.interactions import (
    CallDisposition,
    CallOutcome,
    Direction,
    EmailEventKind,
    Interaction,
    MeetingStatus,
    Sentiment,
)
from salescore.domain.parties import PartyKind, PartyRef
from tests.test_enginespeed_interactions import assert_same, checked, outcome_of

AT = datetime(2026, 3, 2, 9, tzinfo=UTC)
PARTY = PartyRef(PartyKind.LEAD, "lead-1")

#: Odd or wrong values any argument may take instead of its valid one.
ODD: dict[str, list[Any]] = {
    "id": ["", " ", "a\nb", 3, None, "é"],
    "actor": ["", "\t", 7, None],
    "at": [
        datetime(2026, 3, 2, 9),
        datetime(2026, 3, 2, 9, tzinfo=timezone(timedelta(hours=2))),
        datetime(2026, 3, 2, 9, tzinfo=ZoneInfo("Europe/Berlin")),
        "2026-03-02",
    ],
    "duration": [timedelta(minutes=-1), timedelta(0), 3, None, timedelta(hours=1)],
    "party": ["lead-1", None, PartyRef(PartyKind.CONTACT, "c-1"), 5],
    "rep_id": ["", " ", None, 4, "rep-2"],
    "subject": ["", "\u2028", None, 2, "2: email"],
    "notes": ["", "x", "a\x00b"],
    "url": ["", "https://x.example/"],
    "outcome": [None, CallOutcome(disposition=CallDisposition.BUSY)],
    "message_id": ["", " ", None, 9, "message-2", "a\nb"],
    "direction": [Direction.INBOUND, "outbound", "sideways", None],
    "sentiment": [Sentiment.POSITIVE, "positive", "meh"],
    "disposition": [CallDisposition.CONNECTED, "busy", "NO_ANSWER", "sent", None],
    "kind": [EmailEventKind.REPLIED, "clicked", "SENT", "no_answer"],
    "status": [MeetingStatus.NO_SHOW, "held", "HELD", "sent"],
    "video": [True, 1, "", None],
    "rescheduled_to": [AT + timedelta(days=1), "soon"],
    "colour": ["red"],
}


def _near(base: dict[str, Any]) -> st.SearchStrategy[dict[str, Any]]:
    names = st.sampled_from(sorted(ODD))

    @st.composite
    def changed(draw: st.DrawFn) -> dict[str, Any]:
        args = dict(base)
        for name in draw(st.lists(names, max_size=2, unique=True)):
            args[name] = draw(st.sampled_from(ODD[name]))
        return args

    return changed()


CALL = {
    "id": "call-1",
    "at": AT,
    "actor": "sdr-1",
    "disposition": "no_answer",
    "sentiment": None,
    "direction": Direction.OUTBOUND,
    "duration": timedelta(0),
    "party": PARTY,
    "rep_id": "sdr-1",
    "subject": "1: call",
}
EMAIL = {
    "id": "email-1",
    "at": AT,
    "actor": "sdr-1",
    "message_id": "message-1",
    "kind": "sent",
    "direction": None,
    "party": PARTY,
    "rep_id": "sdr-1",
    "subject": "2: email",
}
MEETING = {
    "id": "meeting-1",
    "at": AT,
    "actor": "ae-1",
    "status": MeetingStatus.HELD,
    "sentiment": None,
    "video": False,
    "duration": timedelta(minutes=30),
    "rescheduled_to": None,
    "direction": Direction.OUTBOUND,
    "party": PARTY,
    "rep_id": "ae-1",
    "subject": "discovery meeting",
}
_OWN = {
    "call": ("id", "at", "actor", "disposition", "sentiment", "direction", "duration"),
    "email": ("id", "at", "actor", "message_id", "kind", "direction"),
    "meeting": (
        *("id", "at", "actor", "status", "sentiment", "video", "duration"),
        *("rescheduled_to", "direction"),
    ),
}


def _complete(kind: str, args: dict[str, Any]) -> dict[str, Any]:
    """Arguments the checked path takes: its own parameters all given."""
    defaults = {"sentiment": None, "direction": Direction.OUTBOUND, "duration": None}
    defaults.update(video=False, rescheduled_to=None)
    if kind == "email":
        defaults["direction"] = None
    return {**{k: defaults[k] for k in _OWN[kind] if k in defaults}, **args}


@settings(max_examples=500, deadline=None)
@given(_near(CALL))
def test_call(args: dict[str, Any]) -> None:
    if "kind" in args or "status" in args or "video" in args or "rescheduled_to" in args:
        args = {k: v for k, v in args.items() if k not in ("kind", "status", "video")}
        args.pop("rescheduled_to", None)
    fast = outcome_of(lambda: Interaction.call(**args))
    assert_same(fast, checked(lambda: Interaction._checked_call(**_complete("call", args))))


@settings(max_examples=500, deadline=None)
@given(_near(EMAIL))
def test_email(args: dict[str, Any]) -> None:
    for name in ("disposition", "sentiment", "status", "video", "rescheduled_to"):
        args.pop(name, None)
    fast = outcome_of(lambda: Interaction.email(**args))
    assert_same(fast, checked(lambda: Interaction._checked_email(**_complete("email", args))))


@settings(max_examples=500, deadline=None)
@given(_near(MEETING))
def test_meeting(args: dict[str, Any]) -> None:
    for name in ("disposition", "kind"):
        args.pop(name, None)
    fast = outcome_of(lambda: Interaction.meeting(**args))
    assert_same(fast, checked(lambda: Interaction._checked_meeting(**_complete("meeting", args))))
