"""BusinessCalendar against a brute-force oracle that looks at every minute.

The oracle knows nothing of the implementation. It walks a window minute by
minute in UTC, reads the local wall-clock time of each minute and keeps the
highest local time reached so far (its *high-water mark*). A local bound ``L``
is reached at the first instant whose local time is at least ``L`` — which is
the rule for gaps (first instant that exists) and repeated hours (first
occurrence) — so a minute is open exactly when its high-water mark lies inside
a working interval of the mark's date. From the open minutes every question
has a direct answer by counting.
"""

from __future__ import annotations

import itertools
import random
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from dateutil.rrule import rrulestr
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from salescore.calendar import RULE_DTSTART, BusinessCalendar
from salescore.testing.strategies import business_calendars

MINUTE = timedelta(minutes=1)
ZONES = (
    "UTC",
    "Europe/Berlin",
    "Europe/London",
    "America/New_York",
    "America/Santiago",
    "America/Sao_Paulo",
    "Australia/Sydney",
)


def _transitions(zone_name: str) -> list[datetime]:
    """UTC instants (to the hour) at which the zone's offset changes, 2017-2026."""
    zone = ZoneInfo(zone_name)
    out = []
    u = datetime(2017, 1, 1, tzinfo=UTC)
    prev = u.astimezone(zone).utcoffset()
    while u.year < 2027:
        u += timedelta(hours=1)
        off = u.astimezone(zone).utcoffset()
        if off != prev:
            out.append(u)
            prev = off
    return out


TRANSITIONS = {z: _transitions(z) for z in ZONES}


def utc(value: datetime) -> datetime:
    """The same instant in UTC.

    Python's ``==`` between zones is always ``False`` for a time in a repeated
    hour (PEP 495), so results are compared in UTC.
    """
    return value.astimezone(UTC)


class Oracle:
    """Open/closed for every minute of ``[start, end)`` (UTC, minute-aligned)."""

    def __init__(self, cal: BusinessCalendar, start: datetime, end: datetime) -> None:
        self.start = start
        zone = ZoneInfo(cal.tz)
        first, last = start.date() - timedelta(days=3), end.date() + timedelta(days=3)
        holidays = set(cal.holidays)
        for text in cal.holiday_rules:
            rule = rrulestr(text, dtstart=RULE_DTSTART, forceset=True)
            lo, hi = datetime.combine(first, time()), datetime.combine(last, time())
            holidays |= {d.date() for d in rule.between(lo, hi, inc=True)}
        exceptions = dict(cal.exceptions)
        per_day: dict[date, list[tuple[int, int]]] = {}
        d = first
        while d <= last:
            if d in exceptions:
                hours = exceptions[d]
            elif d in holidays:
                hours = ()
            else:
                hours = cal.hours[d.weekday()]
            per_day[d] = [
                (s.hour * 60 + s.minute, (e.hour * 60 + e.minute) or 1440) for s, e in hours
            ]
            d += timedelta(days=1)
        # Walk from two days before the window so that the high-water mark is right.
        u = start - timedelta(days=2)
        mark: datetime | None = None
        self.open: list[bool] = []
        while u < end:
            local = u.astimezone(zone).replace(tzinfo=None)
            if mark is None or local > mark:
                mark = local
            if u >= start:
                tod = mark.hour * 60 + mark.minute
                self.open.append(any(s <= tod < e for s, e in per_day[mark.date()]))
            u += MINUTE
        self.size = len(self.open)

    def at(self, i: int) -> datetime:
        return self.start + i * MINUTE

    def between(self, i: int, j: int) -> timedelta:
        return sum(self.open[i:j]) * MINUTE if j > i else timedelta(0)

    def add(self, i: int, duration: timedelta) -> datetime | None:
        if not duration:
            return self.at(i)
        used = timedelta(0)
        for m in range(i, self.size):
            if self.open[m]:
                if used + MINUTE >= duration:
                    return self.at(m) + (duration - used)
                used += MINUTE
        return None

    def subtract(self, j: int, duration: timedelta) -> datetime | None:
        if not duration:
            return self.at(j)
        used = timedelta(0)
        for m in range(j - 1, -1, -1):
            if self.open[m]:
                if used + MINUTE >= duration:
                    return self.at(m + 1) - (duration - used)
                used += MINUTE
        return None

    def next_opening(self, i: int) -> datetime | None:
        for m in range(i, self.size):
            if self.open[m]:
                return self.at(m)
        return None


@st.composite
def scenarios(draw: st.DrawFn, days: int = 4) -> tuple[BusinessCalendar, Oracle]:
    zone = draw(st.sampled_from(ZONES))
    if TRANSITIONS[zone] and draw(st.integers(0, 9)):
        pivot = draw(st.sampled_from(TRANSITIONS[zone]))
    else:
        pivot = datetime(2025, 1, 1, tzinfo=UTC) + timedelta(days=draw(st.integers(0, 700)))
    back = draw(st.integers(0, days * 24 - 1))
    start = (pivot - timedelta(hours=back)).replace(minute=0)
    end = start + timedelta(days=days)
    lo, hi = start.date() - timedelta(days=1), end.date() + timedelta(days=1)
    cal = draw(
        business_calendars(
            [zone],
            step_minutes=draw(st.sampled_from([15, 30, 60])),
            min_date=lo,
            max_date=hi,
            max_holidays=3,
            max_exceptions=2,
        )
    )
    return cal, Oracle(cal, start, end)


SETTINGS = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(scenarios(), st.randoms(use_true_random=False))
def test_matches_the_minute_oracle(
    scenario: tuple[BusinessCalendar, Oracle], rnd: random.Random
) -> None:
    cal, oracle = scenario
    n = oracle.size
    # Whole-window total and per-minute openness.
    assert cal.business_time_between(oracle.at(0), oracle.at(n)) == oracle.between(0, n)
    for _ in range(40):
        i = rnd.randrange(n)
        assert cal.is_open(oracle.at(i)) == oracle.open[i], oracle.at(i)
    for _ in range(20):
        i, j = sorted((rnd.randrange(n + 1), rnd.randrange(n + 1)))
        assert cal.business_time_between(oracle.at(i), oracle.at(j)) == oracle.between(i, j)
        assert cal.business_time_between(oracle.at(j), oracle.at(i)) == timedelta(0)
    for _ in range(15):
        i = rnd.randrange(n // 2)
        available = oracle.between(i, n)
        duration = timedelta(seconds=rnd.randrange(available // timedelta(seconds=1) + 1))
        expected = oracle.add(i, duration)
        got = cal.add_business_time(oracle.at(i), duration)
        assert utc(got) == expected, (oracle.at(i), duration)
        assert got.tzinfo == cal.zone
    for _ in range(15):
        j = rnd.randrange(n // 2, n + 1)
        available = oracle.between(0, j)
        duration = timedelta(seconds=rnd.randrange(available // timedelta(seconds=1) + 1))
        got = cal.subtract_business_time(oracle.at(j), duration)
        assert utc(got) == oracle.subtract(j, duration), (oracle.at(j), duration)
    for _ in range(10):
        i = rnd.randrange(n // 2)
        expected = oracle.next_opening(i)
        if expected is not None:
            assert utc(cal.next_opening(oracle.at(i))) == expected


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios(days=40), st.randoms(use_true_random=False))
def test_matches_the_oracle_over_weeks(
    scenario: tuple[BusinessCalendar, Oracle], rnd: random.Random
) -> None:
    """Long windows: whole weeks are skipped, and must still agree minute for minute."""
    cal, oracle = scenario
    n = oracle.size
    assert cal.business_time_between(oracle.at(0), oracle.at(n)) == oracle.between(0, n)
    for _ in range(10):
        i, j = sorted((rnd.randrange(n + 1), rnd.randrange(n + 1)))
        assert cal.business_time_between(oracle.at(i), oracle.at(j)) == oracle.between(i, j)
    for _ in range(6):
        i = rnd.randrange(n // 4)
        duration = oracle.between(i, n) * rnd.random()
        duration -= duration % timedelta(seconds=1)
        assert utc(cal.add_business_time(oracle.at(i), duration)) == oracle.add(i, duration)
        j = rnd.randrange(3 * n // 4, n + 1)
        duration = oracle.between(0, j) * rnd.random()
        duration -= duration % timedelta(seconds=1)
        got = cal.subtract_business_time(oracle.at(j), duration)
        assert utc(got) == oracle.subtract(j, duration)


# -- properties over long spans (no oracle) ------------------------------------------

instants = st.datetimes(
    min_value=datetime(2024, 1, 1), max_value=datetime(2027, 12, 31), timezones=st.just(UTC)
)
durations = st.integers(0, 3_000 * 3600).map(lambda s: timedelta(seconds=s))
PROPS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPS
@given(business_calendars(), instants, durations)
def test_add_then_between_gives_the_duration_back(
    cal: BusinessCalendar, start: datetime, duration: timedelta
) -> None:
    end = cal.add_business_time(start, duration)
    assert end >= start
    assert cal.business_time_between(start, end) == duration
    # Earliest: a microsecond earlier is not enough (unless nothing was added).
    if duration:
        assert cal.business_time_between(start, end - timedelta(microseconds=1)) < duration
    back = cal.subtract_business_time(end, duration)
    assert back >= start
    assert cal.business_time_between(back, end) == duration


@PROPS
@given(business_calendars(), instants, durations)
def test_subtract_then_between_gives_the_duration_back(
    cal: BusinessCalendar, end: datetime, duration: timedelta
) -> None:
    start = cal.subtract_business_time(end, duration)
    assert start <= end
    assert cal.business_time_between(start, end) == duration
    if duration:
        assert cal.business_time_between(start + timedelta(microseconds=1), end) < duration


@PROPS
@given(business_calendars(), instants, instants, instants)
def test_between_is_additive_over_a_split_point(
    cal: BusinessCalendar, a: datetime, b: datetime, c: datetime
) -> None:
    a, b, c = sorted((a, b, c))
    whole = cal.business_time_between(a, c)
    assert whole == cal.business_time_between(a, b) + cal.business_time_between(b, c)
    assert timedelta(0) <= whole <= c - a


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(business_calendars(), instants, st.integers(20, 120))
def test_long_spans_equal_the_sum_of_their_days(
    cal: BusinessCalendar, a: datetime, days: int
) -> None:
    """Skipping whole weeks gives what adding up day by day gives."""
    pieces = [a + timedelta(days=k) for k in range(days + 1)]
    by_day = sum(
        (cal.business_time_between(x, y) for x, y in itertools.pairwise(pieces)),
        timedelta(0),
    )
    assert cal.business_time_between(pieces[0], pieces[-1]) == by_day


@PROPS
@given(business_calendars(), instants, durations, durations)
def test_add_is_monotonic(
    cal: BusinessCalendar, start: datetime, d1: timedelta, d2: timedelta
) -> None:
    d1, d2 = sorted((d1, d2))
    t1, t2 = cal.add_business_time(start, d1), cal.add_business_time(start, d2)
    assert t1 <= t2
    # Adding in two steps lands where one step lands.
    assert utc(cal.add_business_time(t1, d2 - d1)) == utc(t2)


@PROPS
@given(business_calendars(), instants)
def test_next_opening_is_open_and_nothing_opens_before_it(
    cal: BusinessCalendar, at: datetime
) -> None:
    opening = cal.next_opening(at)
    assert opening >= at
    assert cal.is_open(opening)
    assert cal.business_time_between(at, opening) == timedelta(0)
    if cal.weekly_hours == timedelta(days=7):
        return  # open round the clock: it may never close
    closing = cal.next_closing(at)
    assert closing > opening
    assert not cal.is_open(closing)
    assert cal.business_time_between(opening, closing) == closing - opening


@pytest.mark.parametrize("zone", ZONES)
def test_every_transition_week_matches_the_oracle_for_a_round_the_clock_calendar(
    zone: str,
) -> None:
    cal = BusinessCalendar(zone, {wd: [(time(0), time(0))] for wd in range(7)})
    for pivot in TRANSITIONS[zone][-4:]:
        start = pivot - timedelta(days=3)
        end = pivot + timedelta(days=3)
        oracle = Oracle(cal, start, end)
        assert all(oracle.open)
        assert cal.business_time_between(start, end) == end - start
