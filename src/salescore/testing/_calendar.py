"""Hypothesis strategies for :class:`~salescore.calendar.BusinessCalendar`."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, time

from hypothesis import strategies as st

from salescore.calendar import BusinessCalendar, Intervals

__all__ = ["DEFAULT_ZONES", "HOLIDAY_RULES", "business_calendars", "day_hours"]

DEFAULT_ZONES: tuple[str, ...] = (
    "UTC",
    "Europe/Berlin",
    "Europe/London",
    "America/New_York",
    "America/Santiago",
    "America/Sao_Paulo",
    "Australia/Sydney",
    "Asia/Kolkata",
)
"""Zones drawn by default: with and without daylight saving, both hemispheres,
clock changes at 01:00, 02:00 and midnight, and a half-hour offset."""

HOLIDAY_RULES: tuple[str, ...] = (
    "FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=25",
    "FREQ=YEARLY;BYMONTH=1;BYMONTHDAY=1",
    "FREQ=YEARLY;BYMONTH=5;BYDAY=-1MO",
    "FREQ=YEARLY;BYMONTH=11;BYDAY=+4TH",
    "FREQ=MONTHLY;BYDAY=+1FR",
    "FREQ=MONTHLY;BYMONTHDAY=15",
    "DTSTART:20200101T000000\nRRULE:FREQ=WEEKLY;INTERVAL=3;BYDAY=WE",
)
"""Recurring holidays drawn by default (each an RRULE string)."""


def _minute_time(minutes: int) -> time:
    minutes %= 1440
    return time(minutes // 60, minutes % 60)


def day_hours(*, step_minutes: int = 15, max_intervals: int = 3) -> st.SearchStrategy[Intervals]:
    """Generate one day's working intervals: sorted, disjoint, possibly empty.

    Args:
        step_minutes: Every bound is a multiple of this many minutes after
            midnight (it must divide 1440).
        max_intervals: The most intervals in a day.

    Returns:
        A strategy of interval tuples; an end at midnight is ``time(0)``.

    Raises:
        ValueError: ``step_minutes`` does not divide 1440 or ``max_intervals``
            is negative.
    """
    if step_minutes <= 0 or 1440 % step_minutes or max_intervals < 0:
        raise ValueError("step_minutes must divide 1440 and max_intervals be >= 0")
    slots = 1440 // step_minutes

    def build(cuts: set[int]) -> Intervals:
        ordered = sorted(cuts)
        if len(ordered) % 2:
            ordered.pop()
        return tuple(
            (_minute_time(ordered[i] * step_minutes), _minute_time(ordered[i + 1] * step_minutes))
            for i in range(0, len(ordered), 2)
        )

    return st.sets(st.integers(0, slots), max_size=2 * max_intervals).map(build)


@st.composite
def _calendars(
    draw: st.DrawFn,
    zones: tuple[str, ...],
    step_minutes: int,
    max_intervals: int,
    min_date: date,
    max_date: date,
    max_holidays: int,
    max_exceptions: int,
    rules: tuple[str, ...],
) -> BusinessCalendar:
    zone = draw(st.sampled_from(zones))
    days = day_hours(step_minutes=step_minutes, max_intervals=max_intervals)
    week = [draw(days) for _ in range(7)]
    if not any(week):
        nonempty = days.filter(bool)
        week[draw(st.integers(0, 6))] = draw(nonempty)
    dates = st.dates(min_value=min_date, max_value=max_date)
    holidays = draw(st.frozensets(dates, max_size=max_holidays))
    exceptions = draw(
        st.dictionaries(dates.filter(lambda d: d not in holidays), days, max_size=max_exceptions)
    )
    chosen = draw(st.lists(st.sampled_from(rules), max_size=2, unique=True)) if rules else []
    return BusinessCalendar(
        zone,
        dict(enumerate(week)),
        holidays=holidays,
        holiday_rules=chosen,
        exceptions=exceptions,
    )


def business_calendars(
    zones: Iterable[str] | None = None,
    *,
    step_minutes: int = 15,
    max_intervals: int = 3,
    min_date: date = date(2024, 1, 1),
    max_date: date = date(2027, 12, 31),
    max_holidays: int = 6,
    max_exceptions: int = 3,
    holiday_rules: Iterable[str] | None = None,
) -> st.SearchStrategy[BusinessCalendar]:
    """Generate valid business calendars.

    Weekly hours are random disjoint intervals on a grid (at least one weekday
    has working time); holidays and exceptions fall between ``min_date`` and
    ``max_date``; up to two recurring rules are picked from ``holiday_rules``.

    Args:
        zones: IANA zone names to draw from (default :data:`DEFAULT_ZONES`).
        step_minutes: Grid of interval bounds in minutes (must divide 1440).
        max_intervals: The most intervals per weekday or exception day.
        min_date: Earliest holiday or exception date.
        max_date: Latest holiday or exception date.
        max_holidays: The most explicit holidays.
        max_exceptions: The most per-date exceptions.
        holiday_rules: RRULE strings to draw from (default
            :data:`HOLIDAY_RULES`; empty for none).

    Returns:
        A strategy of :class:`~salescore.calendar.BusinessCalendar` values.

    Raises:
        ValueError: An argument is out of range (checked when called).
    """
    chosen_zones = DEFAULT_ZONES if zones is None else tuple(zones)
    if not chosen_zones:
        raise ValueError("zones must not be empty")
    if min_date > max_date:
        raise ValueError("min_date must not be after max_date")
    if max_intervals < 1 or max_holidays < 0 or max_exceptions < 0:
        raise ValueError("max_intervals must be >= 1 and the other counts >= 0")
    rules = HOLIDAY_RULES if holiday_rules is None else tuple(holiday_rules)
    day_hours(step_minutes=step_minutes, max_intervals=max_intervals)  # checks the grid
    return _calendars(
        chosen_zones,
        step_minutes,
        max_intervals,
        min_date,
        max_date,
        max_holidays,
        max_exceptions,
        rules,
    )
