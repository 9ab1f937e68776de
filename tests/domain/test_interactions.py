"""Interactions: constructors, typed outcomes, consistency checks, counts and timelines."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings

from salescore.domain.interactions import (
    CallDisposition,
    CallOutcome,
    Channel,
    Direction,
    EmailEventKind,
    Interaction,
    MeetingOutcome,
    MeetingStatus,
    Sentiment,
    count_interactions,
    filter_interactions,
    timeline,
)
from salescore.domain.parties import PartyRef
from salescore.errors import ValidationError
from salescore.serialization import from_json, to_json
from salescore.testing.strategies import interactions

T0 = datetime(2026, 5, 4, 9, 0, tzinfo=UTC)
ANA = PartyRef.lead("lead-1")
BEN = PartyRef.contact("contact-2")


def test_call() -> None:
    x = Interaction.call(
        id="i-1",
        at=T0,
        actor="rep-7",
        disposition="callback_requested",
        sentiment="positive",
        duration=timedelta(minutes=4),
        party=ANA,
        rep_id="rep-7",
        notes="call back Thursday",
    )
    assert (x.channel, x.direction, x.kind) == (
        Channel.PHONE,
        Direction.OUTBOUND,
        "callback_requested",
    )
    assert x.outcome == CallOutcome(
        disposition=CallDisposition.CALLBACK_REQUESTED, sentiment=Sentiment.POSITIVE
    )
    assert isinstance(x.outcome, CallOutcome)
    assert x.outcome.reached
    assert x.ended_at == T0 + timedelta(minutes=4)
    assert Sentiment.VERY_NEGATIVE.score == -2
    assert Sentiment.POSITIVE.score == 1


def test_email_events_share_a_message_id() -> None:
    sent = Interaction.email(id="i-1", at=T0, actor="esp", message_id="m-1", party=ANA)
    reply = Interaction.email(id="i-2", at=T0, actor="esp", message_id="m-1", kind="replied")
    assert (sent.kind, sent.direction) == ("sent", Direction.OUTBOUND)
    assert (reply.kind, reply.direction) == ("replied", Direction.INBOUND)
    assert reply.email_event is EmailEventKind.REPLIED
    assert type(reply.kind) is str


def test_meeting_and_web_visit_and_touch() -> None:
    m = Interaction.meeting(
        id="i-1",
        at=T0,
        actor="rep",
        status="rescheduled",
        video=True,
        rescheduled_to=T0 + timedelta(days=1),
    )
    assert (m.channel, m.kind) == (Channel.VIDEO, "rescheduled")
    assert m.outcome == MeetingOutcome(
        status=MeetingStatus.RESCHEDULED, rescheduled_to=T0 + timedelta(days=1)
    )
    w = Interaction.web_visit(id="i-2", at=T0, actor="web", url="https://acme.io/pricing")
    assert (w.channel, w.direction, w.kind, w.email_event) == (
        Channel.WEB_VISIT,
        Direction.INBOUND,
        "visit",
        None,
    )
    s = Interaction.touch(id="i-3", at=T0, actor="rep", channel="sms", direction="outbound")
    assert (s.channel, s.kind) == (Channel.SMS, "touch")


def test_inconsistent_interactions_are_refused_with_every_problem() -> None:
    with pytest.raises(ValidationError) as info:
        Interaction(
            id="i",
            at=datetime(2026, 1, 1),
            actor="",
            channel=Channel.EMAIL,
            direction=Direction.INBOUND,
            kind="clicked_twice",
            duration=timedelta(seconds=-1),
        )
    assert info.value.paths == ("at", "actor", "duration", "message_id", "kind")
    with pytest.raises(ValidationError) as info:
        Interaction(
            id="i",
            at=T0,
            actor="x",
            channel=Channel.EMAIL,
            direction=Direction.INBOUND,
            kind="no_answer",
            message_id="m",
            outcome=CallOutcome(disposition=CallDisposition.NO_ANSWER),
        )
    assert info.value.paths == ("kind", "outcome")
    with pytest.raises(ValidationError) as info:
        Interaction.call(id="i", at=T0, actor="x", disposition="hung_up")
    assert info.value.paths == ("disposition",)
    with pytest.raises(ValidationError):
        MeetingOutcome(status=MeetingStatus.HELD, rescheduled_to=T0)


def _clicks() -> list[Interaction]:
    xs = [
        Interaction.email(
            id=f"c{d}",
            at=T0 - timedelta(days=d),
            actor="esp",
            message_id=f"m{d}",
            kind="clicked",
            party=ANA,
        )
        for d in (1, 5, 13, 20)
    ]
    xs.append(
        Interaction.email(
            id="o1",
            at=T0 - timedelta(days=2),
            actor="esp",
            message_id="m1",
            kind="opened",
            party=ANA,
        )
    )
    xs.append(
        Interaction.call(
            id="k1", at=T0 - timedelta(days=3), actor="rep", disposition="connected", party=BEN
        )
    )
    return xs


def test_three_clicks_in_fourteen_days_is_a_count() -> None:
    xs = _clicks()
    since = T0 - timedelta(days=14)
    assert count_interactions(xs, channel="email", kind="clicked", since=since) == 3
    assert count_interactions(xs, channel="email", kind="clicked") == 4
    assert count_interactions(xs, kind=["clicked", "opened"], since=since) == 4
    assert count_interactions(xs, party=BEN) == 1
    assert count_interactions(xs, direction="inbound") == 0
    assert count_interactions(xs, until=T0 - timedelta(days=13)) == 1
    assert [x.id for x in filter_interactions(xs, message_id="m1")] == ["c1", "o1"]


def test_timeline_orders_by_time_then_id() -> None:
    xs = _clicks()
    assert [x.id for x in timeline(xs, ANA)] == ["c20", "c13", "c5", "o1", "c1"]
    assert [x.id for x in timeline(xs, [ANA, BEN])][3] == "k1"
    assert len(timeline(xs)) == 6


@settings(max_examples=60)
@given(interactions())
def test_interactions_round_trip(x: Interaction) -> None:
    assert from_json(Interaction, to_json(x)) == x
