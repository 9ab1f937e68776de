"""The fast paths of the reports give what the general paths give."""

from __future__ import annotations

import contextlib
import itertools
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, time, timedelta
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from salescore.analytics import (
    FirstTouch,
    Journey,
    LastTouch,
    Linear,
    Markov,
    PositionBased,
    TimeDecay,
    Touchpoint,
    WShaped,
    service_report,
)
from salescore.analytics.attribution import _trusted_journey, _trusted_touch
from salescore.calendar import BusinessCalendar
from salescore.domain.service import Priority, ServiceCase, SlaPolicy, SlaState, sla_clocks
from salescore.domain.service.clocks import _Measure, _sla_outcomes
from salescore.errors import TransitionError
from tests.domain.test_sla import MACHINE_POLICY, berlin, open_case, policy

T0 = datetime(2026, 1, 5, tzinfo=UTC)
CHANNELS = st.sampled_from(["email", "paid_search", "sdr_phone", "meeting", "direct", "x"])
INSTANTS = st.integers(0, 60 * 24 * 30).map(lambda m: T0 + timedelta(minutes=m))


@st.composite
def journeys(draw: st.DrawFn) -> tuple[list[tuple[str, datetime]], bool, float]:
    touches = draw(st.lists(st.tuples(CHANNELS, INSTANTS), max_size=6))
    touches.sort(key=lambda t: t[1])
    converted = bool(touches) and draw(st.booleans())
    value = draw(st.floats(0, 1e9)) if converted else draw(st.sampled_from([0.0, 5.0]))
    return touches, converted, value


@given(journeys())
def test_a_trusted_journey_equals_the_checked_one(
    drawn: tuple[list[tuple[str, datetime]], bool, float],
) -> None:
    touches, converted, value = drawn
    checked = Journey([Touchpoint(c, at) for c, at in touches], converted, value)
    trusted = _trusted_journey(tuple(_trusted_touch(c, at) for c, at in touches), converted, value)
    assert trusted == checked
    assert trusted.channels == checked.channels
    assert trusted.touchpoints == checked.touchpoints
    assert [type(t) for t in trusted.touchpoints] == [Touchpoint] * len(touches)
    assert (trusted.value, trusted.converted_at) == (checked.value, None)


def _per_journey_reference(model: Any, journeys: list[Journey]) -> dict[str, float]:
    """Credit as every touch was visited one by one."""
    credits: dict[str, float] = {}
    for j in journeys:
        if not j.converted:
            for t in j.touchpoints:
                credits.setdefault(t.channel, 0.0)
            continue
        for t, w in zip(j.touchpoints, model.weights(j), strict=True):
            credits[t.channel] = credits.get(t.channel, 0.0) + j.value * w
    return credits


def _chain_reference(journeys: list[Journey]) -> tuple[list[str], Counter[tuple[str, str]], float]:
    """The Markov chain as every journey's transitions were counted one by one."""
    counts: Counter[tuple[str, str]] = Counter()
    channels: set[str] = set()
    total = 0.0
    for j in journeys:
        path = ("(start)", *j.channels, "(conversion)" if j.converted else "(null)")
        counts.update(itertools.pairwise(path))
        channels.update(j.channels)
        if j.converted:
            total += j.value
    return sorted(channels), counts, total


MODELS: list[Callable[[], Any]] = [
    FirstTouch,
    LastTouch,
    Linear,
    PositionBased,
    WShaped,
    lambda: TimeDecay(timedelta(days=7)),
]


@given(st.lists(journeys(), max_size=12), st.sampled_from(MODELS))
def test_per_journey_credit_skips_known_channels_with_the_same_result(
    drawn: list[tuple[list[tuple[str, datetime]], bool, float]], make: Callable[[], Any]
) -> None:
    js = [Journey([Touchpoint(c, at) for c, at in t], conv, v) for t, conv, v in drawn]
    model = make()
    got = model.credit(js)
    expected = _per_journey_reference(model, js)
    assert list(got.items()) == list(expected.items())  # same floats, same order


@given(st.lists(journeys(), max_size=12))
def test_markov_counts_each_path_once_with_the_same_chain(
    drawn: list[tuple[list[tuple[str, datetime]], bool, float]],
) -> None:
    js = [Journey([Touchpoint(c, at) for c, at in t], conv, v) for t, conv, v in drawn]
    channels, counts, total = Markov()._chain(js)
    ref_channels, ref_counts, ref_total = _chain_reference(js)
    assert (channels, total) == (ref_channels, ref_total)
    assert list(counts.items()) == list(ref_counts.items())


# --- SLA outcomes -----------------------------------------------------------------------

H = timedelta(hours=1)
OTHER_POLICY = policy(
    name="other", first_reply_normal=2 * H, resolution_normal=3 * H, next_reply_normal=H
)

STEPS = st.lists(
    st.tuples(
        st.sampled_from(["agent", "private", "customer", "move", "priority", "policy"]),
        st.integers(0, 60 * 30),
        st.sampled_from(["open", "pending", "on_hold", "solved", "closed"]),
        st.sampled_from(list(Priority)),
        st.sampled_from([MACHINE_POLICY, OTHER_POLICY, None]),
    ),
    max_size=10,
)


def _step(
    case: ServiceCase, kind: str, at: datetime, status: str, priority: Priority, pol: Any
) -> ServiceCase:
    if kind in ("agent", "private"):
        return case.reply("a", at=at, actor="rep-1", public=kind == "agent")
    if kind == "customer":
        return case.reply("c", at=at, actor="c-1", author_kind="customer")
    if kind == "move":
        return case.move_to(status, at=at, actor="rep-1")
    if kind == "priority":
        return case.change_priority(priority, at=at, actor="rep-1")
    return case.apply_sla_policy(pol, at=at, actor="rep-1")


def _lived(steps: list[tuple[str, int, str, Priority, SlaPolicy | None]]) -> ServiceCase:
    now = berlin(2026, 1, 12, 8)
    case = open_case(now, MACHINE_POLICY)
    for kind, minutes, status, priority, pol in steps:
        now += timedelta(minutes=minutes)
        with contextlib.suppress(TransitionError):
            case = _step(case, kind, now, status, priority, pol)
    return case


def _outcome_of_clock(c: Any) -> tuple[Any, ...]:
    done = c.completed_at is not None and not c.cancelled
    elapsed = (c.used + c.paused) // timedelta(microseconds=1) if done else None
    return (c.metric, c.priority, c.state, elapsed)


@settings(max_examples=150, deadline=None)
@given(
    st.lists(STEPS, min_size=1, max_size=3),
    st.lists(st.integers(0, 60 * 24 * 6), min_size=1, max_size=3),
)
def test_sla_outcomes_equal_what_the_clocks_say(
    lives: list[list[tuple[str, int, str, Priority, SlaPolicy | None]]], offsets: list[int]
) -> None:
    cases = [_lived(steps) for steps in lives]
    for minutes in offsets:
        measure = _Measure()  # shared by the cases, as a report shares it
        for case in cases:
            at = max(case.history[0].at + timedelta(minutes=minutes), case.history[0].at)
            clocks = sla_clocks(case, at)
            outcomes = _sla_outcomes(case, at, measure)
            assert outcomes == [_outcome_of_clock(c) for c in clocks]
            assert all(isinstance(o[2], SlaState) for o in outcomes)


def test_a_report_over_streamed_cases_with_their_own_calendars_measures_each_on_its_own() -> None:
    # Each case has a fresh policy and calendar, dropped once it is read: the
    # measure shared by the report must never take one calendar for another.
    def streamed() -> Iterator[ServiceCase]:
        for k in range(40):
            cal = BusinessCalendar.weekdays(time(8 + k % 3), time(12 + k % 5), tz="Europe/Berlin")
            pol = policy(cal, first_reply_normal=(1 + k % 4) * H, resolution_normal=(12 + k) * H)
            opened = open_case(berlin(2026, 1, 12, 7) + k * timedelta(minutes=97), pol)
            yield opened.reply("a", at=opened.created_at + (k % 7) * H, actor="rep-1")

    at = berlin(2026, 1, 16, 12)
    together = service_report(streamed(), at=at, by=lambda c: c.created_at)
    alone = [service_report([c], at=at, by=lambda c: c.created_at) for c in streamed()]
    assert together.groups == tuple(r.groups[0] for r in alone)
    assert together.sla == tuple(s for r in alone for s in r.sla)
