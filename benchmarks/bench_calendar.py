"""Business-time arithmetic versus a naive minute-stepping implementation.

The calendar: Monday to Friday, 09:00-17:00 in Europe/Berlin (so two clock
changes a year), with Christmas and New Year as recurring holiday rules. The
naive contender walks one minute at a time and asks of each minute whether it
is open — the way many helpdesks count SLA time. It is given every advantage
that does not change its nature: the zone object and the holiday dates are
prepared once, outside the timed calls.

Measured, each cycling through 64 start instants spread over 2026:

* adding 1,000 business hours (25 working weeks) — the issue's target is a
  speed-up of at least 1,000×, reported in µs per call;
* adding 4 business hours (a typical first-reply target), in calls per second;
* business time between two instants a week apart, in calls per second.

"salescore" runs on a calendar that has already answered for every start
instant once (its per-day tables are filled, as they are in a service that
keeps its calendars); "salescore (cold)" builds a new calendar for every call,
so only the tables shared by all calendars (clock changes per zone and year,
holiday-rule dates) are warm.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from dateutil.rrule import rrulestr

from benchmarks._harness import compare
from salescore.calendar import RULE_DTSTART, BusinessCalendar

ZONE = "Europe/Berlin"
RULES = ("FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=25", "FREQ=YEARLY;BYMONTH=1;BYMONTHDAY=1")
MINUTE = timedelta(minutes=1)


def make_calendar() -> BusinessCalendar:
    """The benchmark's calendar."""
    return BusinessCalendar.weekdays(time(9), time(17), tz=ZONE, holiday_rules=RULES)


class MinuteStepper:
    """The naive baseline: one minute at a time."""

    def __init__(self) -> None:
        self.zone = ZoneInfo(ZONE)
        self.holidays: set[date] = set()
        for text in RULES:
            rule = rrulestr(text, dtstart=RULE_DTSTART, forceset=True)
            self.holidays |= {
                d.date() for d in rule.between(datetime(2020, 1, 1), datetime(2035, 1, 1))
            }

    def is_open(self, at: datetime) -> bool:
        local = at.astimezone(self.zone)
        return local.weekday() < 5 and 9 <= local.hour < 17 and local.date() not in self.holidays

    def add(self, start: datetime, duration: timedelta) -> datetime:
        t, left = start, duration
        while left > timedelta(0):
            if self.is_open(t):
                left -= MINUTE
            t += MINUTE
        return t

    def between(self, start: datetime, end: datetime) -> timedelta:
        t, total = start, timedelta(0)
        while t < end:
            if self.is_open(t):
                total += MINUTE
            t += MINUTE
        return total


def _starts(n: int = 64) -> list[datetime]:
    rnd = random.Random(2026)
    base = datetime(2026, 1, 1, tzinfo=UTC)
    return [base + timedelta(minutes=rnd.randrange(365 * 1440)) for _ in range(n)]


def _cycling(fn: Callable[[datetime], object], starts: list[datetime]) -> Callable[[], object]:
    it = itertools.cycle(starts)
    return lambda: fn(next(it))


def run(quick: bool = False) -> dict[str, Any]:
    """Time the calendar against the minute stepper."""
    cal = make_calendar()
    naive = MinuteStepper()
    starts = _starts()
    long = timedelta(hours=100 if quick else 1000)
    short = timedelta(hours=4)
    week = timedelta(days=7)
    # Both must agree before their speed means anything.
    for s in starts[: 3 if quick else 8]:
        assert cal.add_business_time(s, long) == naive.add(s, long)
        assert cal.add_business_time(s, short) == naive.add(s, short)
        assert cal.business_time_between(s, s + week) == naive.between(s, s + week)
    for s in starts:  # fill the calendar's per-day tables
        cal.add_business_time(s, long)
        cal.business_time_between(s, s + week)
    repeats = 3 if quick else 7
    results: dict[str, Any] = {}
    results["add_1000h"] = compare(
        f"add_business_time: {long // timedelta(hours=1):,} business hours",
        {
            "minute stepper": _cycling(lambda s: naive.add(s, long), starts),
            "salescore": _cycling(lambda s: cal.add_business_time(s, long), starts),
            "salescore (cold)": _cycling(
                lambda s: make_calendar().add_business_time(s, long), starts
            ),
        },
        baseline="minute stepper",
        number=1,
        repeats=repeats,
    )
    # One call of the fast contenders is too short to time alone: time many.
    results["add_1000h_fast"] = compare(
        f"add_business_time: {long // timedelta(hours=1):,} business hours, salescore only",
        {
            "salescore": _cycling(lambda s: cal.add_business_time(s, long), starts),
            "salescore (cold)": _cycling(
                lambda s: make_calendar().add_business_time(s, long), starts
            ),
        },
        baseline="salescore (cold)",
        number=64 if quick else 512,
        repeats=repeats,
    )
    results["add_4h"] = compare(
        "add_business_time: 4 business hours",
        {
            "minute stepper": _cycling(lambda s: naive.add(s, short), starts),
            "salescore": _cycling(lambda s: cal.add_business_time(s, short), starts),
        },
        baseline="minute stepper",
        number=4 if quick else 16,
        repeats=repeats,
    )
    results["between_week"] = compare(
        "business_time_between: a week apart",
        {
            "minute stepper": _cycling(lambda s: naive.between(s, s + week), starts),
            "salescore": _cycling(lambda s: cal.business_time_between(s, s + week), starts),
        },
        baseline="minute stepper",
        number=4 if quick else 16,
        repeats=repeats,
    )
    summary: dict[str, Any] = {}
    for key in ("add_1000h", "add_4h", "between_week"):
        c = results[key]["contenders"]
        summary[key] = {
            "salescore_us_per_call": c["salescore"]["median_ns"] / 1e3,
            "salescore_calls_per_s": 1e9 / c["salescore"]["median_ns"],
            "stepper_us_per_call": c["minute stepper"]["median_ns"] / 1e3,
            "stepper_calls_per_s": 1e9 / c["minute stepper"]["median_ns"],
            "speedup": c["minute stepper"]["median_ns"] / c["salescore"]["median_ns"],
        }
    stepper = results["add_1000h"]["contenders"]["minute stepper"]["median_ns"]
    fast = results["add_1000h_fast"]["contenders"]
    summary["add_1000h"]["salescore_us_per_call_many_calls"] = fast["salescore"]["median_ns"] / 1e3
    summary["add_1000h"]["cold_us_per_call_many_calls"] = (
        fast["salescore (cold)"]["median_ns"] / 1e3
    )
    summary["add_1000h"]["speedup_many_calls"] = stepper / fast["salescore"]["median_ns"]
    summary["add_1000h"]["cold_speedup_many_calls"] = (
        stepper / fast["salescore (cold)"]["median_ns"]
    )
    print("\nsummary")
    for key, s in summary.items():
        print(
            f"  {key:<13} salescore {s['salescore_us_per_call']:9.2f} µs/call "
            f"({s['salescore_calls_per_s']:>10,.0f}/s)   stepper "
            f"{s['stepper_us_per_call']:12.1f} µs/call ({s['stepper_calls_per_s']:>8,.1f}/s)"
            f"   ×{s['speedup']:,.0f}"
        )
    a = summary["add_1000h"]
    print(
        f"  add_1000h over many calls: salescore {a['salescore_us_per_call_many_calls']:.2f} µs "
        f"(×{a['speedup_many_calls']:,.0f}), cold {a['cold_us_per_call_many_calls']:.2f} µs "
        f"(×{a['cold_speedup_many_calls']:,.0f})"
    )
    results["summary"] = summary
    return results
