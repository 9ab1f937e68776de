"""The fast path of ``Interaction.meeting`` against its checked path."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import example, given, settings
from hypothesis import strategies as st

from salescore.domain import interactions
from salescore.domain.interactions import Direction, Interaction, MeetingStatus
from salescore.domain.parties import PartyKind, PartyRef
from tests.test_enginespeed_interactions import (
    abouts,
    assert_same,
    checked,
    directions,
    durations,
    instants,
    outcome_of,
    sentiments,
    texts,
)

statuses = st.one_of(
    st.sampled_from(MeetingStatus),
    st.sampled_from([s.value for s in MeetingStatus]),
    st.sampled_from(("HELD", "sent", None, 3)),
)
rescheduled = st.one_of(st.none(), st.just(datetime(2026, 3, 3, 9, tzinfo=UTC)), st.just("soon"))


@settings(max_examples=600, deadline=None)
@given(
    id=texts,
    at=instants,
    actor=texts,
    status=statuses,
    sentiment=sentiments,
    video=st.one_of(st.booleans(), st.sampled_from((0, 1, "", "yes", None))),
    duration=durations,
    rescheduled_to=rescheduled,
    direction=directions,
    about=abouts,
)
@example(
    id="meeting-1",
    at=datetime(2026, 3, 2, 9, tzinfo=UTC),
    actor="ae-1",
    status=MeetingStatus.HELD,
    sentiment=None,
    video=False,
    duration=timedelta(minutes=30),
    rescheduled_to=None,
    direction=Direction.OUTBOUND,
    about={
        "party": PartyRef(PartyKind.LEAD, "lead-1"),
        "rep_id": "ae-1",
        "subject": "discovery meeting",
    },
)
def test_meeting_fast_path_equals_the_checked_path(
    id: Any,
    at: Any,
    actor: Any,
    status: Any,
    sentiment: Any,
    video: Any,
    duration: Any,
    rescheduled_to: Any,
    direction: Any,
    about: dict[str, Any],
) -> None:
    args = {"id": id, "at": at, "actor": actor, "status": status, "sentiment": sentiment}
    args.update(video=video, duration=duration, rescheduled_to=rescheduled_to, direction=direction)
    about.pop("duration", None)  # a parameter of its own
    fast = outcome_of(lambda: Interaction.meeting(**args, **about))
    assert_same(fast, checked(lambda: Interaction._checked_meeting(**args, **about)))


def test_the_engine_shaped_meeting_takes_the_fast_path() -> None:
    """The common case is built without the constructor (so the test above compares two paths)."""
    built: list[dict[str, Any]] = []
    original = interactions._build

    def counted(**fields: Any) -> Interaction:
        built.append(fields)
        return original(**fields)

    interactions._build = counted  # type: ignore[misc]
    try:
        meeting = Interaction.meeting(
            id="meeting-1",
            at=datetime(2026, 3, 2, 9, tzinfo=UTC),
            actor="ae-1",
            duration=timedelta(minutes=30),
            party=PartyRef(PartyKind.LEAD, "lead-1"),
            rep_id="ae-1",
            subject="discovery meeting",
        )
    finally:
        interactions._build = original  # type: ignore[misc]
    assert len(built) == 1
    assert meeting.kind == "held"
    assert meeting.channel == "meeting"
    assert meeting.outcome is not None
