"""Business calendars: working hours, holidays and time zones.

A :class:`BusinessCalendar` says when a business is open: weekly working hours
in local time, one-off and recurring holidays, and per-date exceptions such as
a half day. It answers the questions service-level agreements ask — how much
working time lies between two instants, when a number of working hours after
(or before) an instant ends, whether the business is open now and when it next
opens — with interval arithmetic in the calendar's time zone.

Time is *real elapsed time*: a working day on which the clocks go forward or
back counts the seconds that actually pass. A local bound that does not exist
(it falls in the gap when clocks go forward) moves forward to the first
instant that exists; a local bound that exists twice (the repeated hour when
clocks go back) means its first occurrence.

Long spans are fast: a week without a holiday, an exception or a clock change
always holds the same working time, so runs of such weeks are skipped whole.
"""

from __future__ import annotations

import bisect
import itertools
import re
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import MAXYEAR, UTC, date, datetime, time, timedelta
from typing import Any, Final, NoReturn, TypeAlias
from zoneinfo import ZoneInfo

import attrs
from dateutil.rrule import rrulestr

from salescore._validation import Checker, ensure_aware, fail, is_collection
from salescore.errors import ValidationError
from salescore.serialization import register_type

__all__ = ["RULE_DTSTART", "BusinessCalendar", "Interval", "Intervals"]

Interval: TypeAlias = tuple[time, time]
"""A local working interval ``(start, end)``; an ``end`` of ``time(0)`` is midnight."""

Intervals: TypeAlias = tuple[Interval, ...]
"""The working intervals of one day, sorted by start."""

RULE_DTSTART: Final = datetime(1970, 1, 1)
"""The start used for a holiday rule whose text has no ``DTSTART`` of its own.

A rule such as ``FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=25`` recurs from this date
on; give the rule a ``DTSTART`` line to start it elsewhere.
"""

_US: Final = timedelta(microseconds=1)
_DAY_US: Final = 86_400_000_000
_HOUR_12: Final = timedelta(hours=12)
_UTC: Final = UTC
_EPOCH: Final = datetime(1970, 1, 1, tzinfo=_UTC)
_EPOCH_NAIVE: Final = datetime(1970, 1, 1)
_EPOCH_ORD: Final = date(1970, 1, 1).toordinal()
# Instants are accepted between these years so that the day-by-day search
# always has neighbouring days to look at.
_MIN_YEAR: Final = 2
_MAX_YEAR: Final = MAXYEAR - 1
_MIN_ORD: Final = date(_MIN_YEAR, 1, 1).toordinal()
_MAX_ORD: Final = date(_MAX_YEAR, 12, 31).toordinal()
# A search that meets this many consecutive days without working time stops.
_IDLE_DAYS_LIMIT: Final = 3_660
_DAY_CACHE_SIZE: Final = 8_192
# The running totals of open time reach this many days past what is known
# in one step, and cover at most this many days in all.
_CUMULATIVE_REACH: Final = 400
_CUMULATIVE_DAYS: Final = 10_000


def _tod_us(t: time) -> int:
    return ((t.hour * 60 + t.minute) * 60 + t.second) * 1_000_000 + t.microsecond


def _is_pair(value: Any) -> bool:
    return isinstance(value, Sequence) and not isinstance(value, str | bytes) and len(value) == 2


def _check_intervals(checker: Checker, value: Any, path: str) -> Intervals:
    """Validate one day's intervals; return them sorted (or ``()`` on error)."""
    if not isinstance(value, Sequence) or isinstance(value, str | bytes):
        checker.add(path, value, "must be a sequence of (start, end) time pairs")
        return ()
    good: list[tuple[int, Interval]] = []
    ok = True
    for i, item in enumerate(value):
        where = f"{path}[{i}]"
        if not _is_pair(item):
            checker.add(where, item, "must be a (start, end) pair of times")
            ok = False
            continue
        start, end = item[0], item[1]
        fine = True
        for bound, name in ((start, "start"), (end, "end")):
            if not isinstance(bound, time):
                checker.add(where, item, f"{name} must be a datetime.time")
                fine = False
            elif bound.tzinfo is not None:
                checker.add(where, item, f"{name} must be a local time without tzinfo")
                fine = False
        if not fine:
            ok = False
            continue
        s, e = _tod_us(start), _tod_us(end) or _DAY_US
        if s >= e:
            checker.add(where, item, "start must be before end (an end of 00:00 is midnight)")
            ok = False
            continue
        good.append((i, (start, end)))
    good.sort(key=lambda p: _tod_us(p[1][0]))
    for (_, prev), (j, cur) in itertools.pairwise(good):
        if (_tod_us(prev[1]) or _DAY_US) > _tod_us(cur[0]):
            checker.add(f"{path}[{j}]", cur, f"overlaps the interval {prev[0]}–{prev[1]}")
            ok = False
    if not ok:
        return ()
    return tuple((s, e) for _, (s, e) in good)


_FREQ: Final = re.compile(r"FREQ\s*=\s*([A-Za-z]*)", re.IGNORECASE)
_INTERVAL: Final = re.compile(r"INTERVAL\s*=\s*([^;\s]*)", re.IGNORECASE)
_DAY_FREQUENCIES: Final = frozenset({"DAILY", "WEEKLY", "MONTHLY", "YEARLY"})


def _rule_problem(text: str) -> str | None:
    """Why a holiday rule is refused before it is expanded (``None``: not refused).

    Holidays are whole days: a rule recurring every hour, minute or second
    would only name the same days many times over (and take very long to
    expand), and an interval of 0 would never advance.
    """
    for freq in _FREQ.findall(text):
        if freq.upper() not in _DAY_FREQUENCIES:
            return f"FREQ={freq} is refused: a holiday rule recurs DAILY, WEEKLY, MONTHLY or YEARLY"
    for interval in _INTERVAL.findall(text):
        if not interval.isdigit() or int(interval) < 1:
            return f"INTERVAL={interval} is refused: the interval must be a positive whole number"
    return None


def _parse_rule(text: str) -> Any:
    return rrulestr(text, dtstart=RULE_DTSTART, forceset=True)


class _RuleDates:
    """Expands one holiday rule lazily, year by year, remembering what it saw.

    One instance per rule text is shared by every calendar (see :func:`_rule_dates`);
    a lock keeps the shared iterator safe across threads.
    """

    __slots__ = ("_by_year", "_complete_to", "_iter", "_lock", "_pending")

    def __init__(self, text: str) -> None:
        self._iter: Iterator[datetime] | None = iter(_parse_rule(text))
        self._by_year: dict[int, frozenset[int]] = {}
        self._complete_to = 0  # every year up to this one is fully known
        self._pending: dict[int, set[int]] = {}  # seen, in years not yet complete
        self._lock = threading.Lock()

    def year(self, year: int) -> frozenset[int]:
        if self._complete_to >= year:
            return self._by_year.get(year, _NO_DAYS)
        with self._lock:
            pending = self._pending
            while self._iter is not None and self._complete_to < year:
                try:
                    occurrence = next(self._iter)
                except (StopIteration, OverflowError, ValueError):
                    self._iter = None
                    break
                y = occurrence.year
                pending.setdefault(y, set()).add(occurrence.toordinal())
                if y - 1 > self._complete_to:
                    self._publish(pending, y - 1)
            self._publish(pending, MAXYEAR if self._iter is None else self._complete_to)
        return self._by_year.get(year, _NO_DAYS)

    def _publish(self, pending: dict[int, set[int]], complete_to: int) -> None:
        for y in [y for y in pending if y <= complete_to]:
            self._by_year[y] = self._by_year.get(y, _NO_DAYS) | pending.pop(y)
        self._complete_to = max(self._complete_to, complete_to)


_NO_DAYS: Final[frozenset[int]] = frozenset()
_RULE_CACHE: dict[str, _RuleDates] = {}
_DST_CACHE: dict[tuple[str, int], frozenset[int]] = {}
_SHARED_CACHE_SIZE: Final = 1_024


def _rule_dates(text: str) -> _RuleDates:
    """The shared expansion of one rule text (parsing it on first use)."""
    found = _RULE_CACHE.get(text)
    if found is None:
        found = _RuleDates(text)
        if len(_RULE_CACHE) >= _SHARED_CACHE_SIZE:
            _RULE_CACHE.clear()
        _RULE_CACHE[text] = found
    return found


def _clock_change_days(key: str, zone: ZoneInfo, year: int) -> frozenset[int]:
    """Ordinals of the days of ``year`` on or next to a change of the zone's offset.

    Offsets are sampled at every local midnight and noon; a change between two
    samples marks the day it falls in and the days either side.
    """
    found = _DST_CACHE.get((key, year))
    if found is not None:
        return found
    first = date(year, 1, 1).toordinal()
    last = date(year, 12, 31).toordinal()
    marks: set[int] = set()
    prev_off = None
    for n in range(max(first - 1, _MIN_ORD - 1), min(last + 1, _MAX_ORD + 1) + 2):
        base = datetime.fromordinal(n)
        at_midnight = zone.utcoffset(base)
        at_noon = zone.utcoffset(base + _HOUR_12)
        if prev_off is not None and prev_off != at_midnight:
            marks.update((n - 2, n - 1, n))
        if at_midnight != at_noon:
            marks.update((n - 1, n, n + 1))
        prev_off = at_noon
    found = frozenset(m for m in marks if first <= m <= last)
    if len(_DST_CACHE) >= _SHARED_CACHE_SIZE:
        _DST_CACHE.clear()
    _DST_CACHE[key, year] = found
    return found


class _Engine:
    """Precomputed, lazily filled tables for one calendar (not part of its value)."""

    __slots__ = (
        "_cum",
        "_cum_lock",
        "_cum_span",
        "_days",
        "_last",
        "_off",
        "_rule_years",
        "_rules",
        "_specials",
        "_starts",
        "definition",
        "exceptions",
        "holidays",
        "week_total",
        "weekly",
        "zone",
    )

    def __init__(
        self,
        tz: str,
        hours: tuple[Intervals, ...],
        holidays: tuple[date, ...],
        holiday_rules: tuple[str, ...],
        exceptions: tuple[tuple[date, Intervals], ...],
    ) -> None:
        self.definition = (tz, hours, holidays, holiday_rules, exceptions)
        self.zone = ZoneInfo(tz)
        self.weekly: tuple[tuple[tuple[int, int], ...], ...] = tuple(
            tuple((_tod_us(s), _tod_us(e) or _DAY_US) for s, e in day) for day in hours
        )
        self.week_total = sum(e - s for day in self.weekly for s, e in day)
        self.holidays = frozenset(d.toordinal() for d in holidays)
        self.exceptions: dict[int, tuple[tuple[int, int], ...]] = {
            d.toordinal(): tuple((_tod_us(s), _tod_us(e) or _DAY_US) for s, e in iv)
            for d, iv in exceptions
        }
        self._rules = [_rule_dates(text) for text in holiday_rules]
        self._rule_years: dict[int, frozenset[int]] = {}
        self._specials: dict[int, list[int]] = {}
        self._days: dict[int, tuple[tuple[int, int], ...]] = {}
        self._starts: dict[int, int] = {}
        self._off = 0  # the UTC offset (µs) of the last day found by day_of: a first guess
        self._last = (0, 0, 0)  # that day's (start, next start, ordinal)
        # Running totals of open time per day from an anchor day, for
        # measuring long stretches in constant time (see ``cumulative``).
        self._cum: dict[int, int] = {}
        self._cum_span = (0, -1)  # the days known: (first, last)
        self._cum_lock = threading.Lock()

    def __reduce__(self) -> tuple[Any, ...]:
        return (_Engine, self.definition)

    # -- holidays and special days -------------------------------------------------

    def rule_holidays(self, year: int) -> frozenset[int]:
        found = self._rule_years.get(year)
        if found is None:
            acc: set[int] = set()
            for rule in self._rules:
                acc |= rule.year(year)
            found = self._rule_years[year] = frozenset(acc)
        return found

    def is_holiday(self, n: int) -> bool:
        if n in self.holidays:
            return True
        return bool(self._rules) and n in self.rule_holidays(date.fromordinal(n).year)

    def local_hours(self, n: int) -> tuple[tuple[int, int], ...]:
        special = self.exceptions.get(n)
        if special is not None:
            return special
        if self.is_holiday(n):
            return ()
        return self.weekly[(n - 1) % 7]

    def specials(self, year: int) -> list[int]:
        """Sorted ordinals of the days of ``year`` that a plain week may not hold."""
        found = self._specials.get(year)
        if found is not None:
            return found
        first = date(year, 1, 1).toordinal()
        last = date(year, 12, 31).toordinal()
        marks = set(_clock_change_days(self.definition[0], self.zone, year))
        marks.update(h for h in self.holidays if first <= h <= last)
        marks.update(x for x in self.exceptions if first <= x <= last)
        if self._rules:
            marks.update(self.rule_holidays(year))
        found = self._specials[year] = sorted(m for m in marks if first <= m <= last)
        return found

    def next_special(self, n: int, limit: int) -> int:
        """The first special day in ``[n, limit)``, or ``limit``."""
        year = date.fromordinal(n).year
        last_year = date.fromordinal(min(limit, _MAX_ORD)).year
        while year <= last_year:
            days = self.specials(year)
            i = bisect.bisect_left(days, n)
            if i < len(days):
                return min(days[i], limit)
            year += 1
        return limit

    def prev_special(self, n: int, limit: int) -> int:
        """The last special day in ``[limit, n]``, or ``limit - 1``."""
        year = date.fromordinal(n).year
        first_year = date.fromordinal(max(limit, _MIN_ORD)).year
        while year >= first_year:
            days = self.specials(year)
            i = bisect.bisect_right(days, n)
            if i > 0:
                return max(days[i - 1], limit - 1)
            year -= 1
        return limit - 1

    # -- local to real time --------------------------------------------------------

    def offset_at(self, u: int) -> int:
        """The zone's UTC offset in microseconds at the instant ``u``."""
        local = (_EPOCH_NAIVE + timedelta(microseconds=u)).replace(tzinfo=self.zone)
        off = self.zone.fromutc(local).utcoffset()
        assert off is not None
        return off // _US

    def local_to_utc(self, n: int, tod: int) -> int:
        """The first instant whose local time is at least day ``n`` + ``tod``."""
        local_us = (n - _EPOCH_ORD) * _DAY_US + tod
        naive = _EPOCH_NAIVE + timedelta(microseconds=local_us)
        off0 = self.zone.utcoffset(naive)
        assert off0 is not None
        u0 = local_us - off0 // _US
        if u0 + self.offset_at(u0) == local_us:
            return u0  # exists (fold=0 is the first occurrence of a repeated time)
        off1 = self.zone.utcoffset(naive.replace(fold=1))
        assert off1 is not None
        u1 = local_us - off1 // _US
        lo, hi = min(u0, u1), max(u0, u1)
        after = self.offset_at(hi)
        # In the gap: find the transition, the first instant with the new offset.
        lo_s, hi_s = lo // 1_000_000, -(-hi // 1_000_000)
        while hi_s - lo_s > 1:
            mid = (lo_s + hi_s) // 2
            if self.offset_at(mid * 1_000_000) == after:
                hi_s = mid
            else:
                lo_s = mid
        return hi_s * 1_000_000

    def day(self, n: int) -> tuple[tuple[int, int], ...]:
        """The working intervals of local day ``n`` as UTC microseconds."""
        found = self._days.get(n)
        if found is not None:
            return found
        hours = self.local_hours(n) if _MIN_ORD <= n <= _MAX_ORD else ()
        if not hours:
            found = ()
        elif not self.is_special(n):
            off = self.zone.utcoffset(datetime.fromordinal(n) + _HOUR_12)
            assert off is not None
            base = (n - _EPOCH_ORD) * _DAY_US - off // _US
            found = tuple((base + s, base + e) for s, e in hours)
        else:
            out: list[tuple[int, int]] = []
            for s, e in hours:
                us, ue = self.local_to_utc(n, s), self.local_to_utc(n, e)
                if ue > us:
                    out.append((us, ue))
            found = tuple(out)
        if len(self._days) >= _DAY_CACHE_SIZE:
            self._days.clear()
        self._days[n] = found
        return found

    def is_special(self, n: int) -> bool:
        days = self.specials(date.fromordinal(n).year)
        i = bisect.bisect_left(days, n)
        return i < len(days) and days[i] == n

    def start(self, n: int) -> int:
        """The first instant of local day ``n`` (its midnight, or the first instant after)."""
        found = self._starts.get(n)
        if found is None:
            found = self.local_to_utc(n, 0)
            if len(self._starts) >= _DAY_CACHE_SIZE:
                self._starts.clear()
            self._starts[n] = found
        return found

    def day_of(self, u: int) -> int:
        """The local day ``n`` with ``start(n) <= u < start(n + 1)``.

        Every working interval of day ``n`` lies within that span, so a
        search for the intervals around ``u`` starts at this day. (In an
        hour repeated across midnight this is the later day, though the wall
        clock shows the earlier date.)
        """
        lo, hi, n = self._last
        if lo <= u < hi:
            return n
        n = _EPOCH_ORD + (u + self._off) // _DAY_US
        starts = self._starts
        first, after = starts.get(n), starts.get(n + 1)
        if first is not None and after is not None and first <= u < after:
            lo, hi = first, after
        else:
            start = self.start
            while u < start(n):
                n -= 1
            while u >= start(n + 1):
                n += 1
            lo, hi = start(n), start(n + 1)
            self._off = (n - _EPOCH_ORD) * _DAY_US - lo
        self._last = (lo, hi, n)
        return n

    # -- arithmetic ----------------------------------------------------------------

    def cumulative(self, n: int) -> int | None:
        """Open time of the days from the anchor day up to ``n`` (excluded), or ``None``.

        The table grows a day at a time from the first day asked about (the
        anchor), at most ``_CUMULATIVE_REACH`` days per step and
        ``_CUMULATIVE_DAYS`` days in all; beyond that ``None`` says "measure
        another way".
        """
        found = self._cum.get(n)
        if found is not None:
            return found
        with self._cum_lock:
            cum = self._cum
            lo, hi = self._cum_span
            if not cum:
                cum[n] = 0
                self._cum_span = (n, n)
                return 0
            if n > hi:
                if n - hi > _CUMULATIVE_REACH or n - lo > _CUMULATIVE_DAYS:
                    return None
                total = cum[hi]
                for m in range(hi, n):
                    for s, e in self.day(m):
                        total += e - s
                    cum[m + 1] = total
                self._cum_span = (lo, n)
            elif n < lo:
                if lo - n > _CUMULATIVE_REACH or hi - n > _CUMULATIVE_DAYS:
                    return None
                total = cum[lo]
                for m in range(lo - 1, n - 1, -1):
                    for s, e in self.day(m):
                        total -= e - s
                    cum[m] = total
                self._cum_span = (n, hi)
            return cum[n]

    def open_before(self, n: int, u: int) -> int:
        """Open time of day ``n`` before the instant ``u``."""
        total = 0
        for s, e in self.day(n):
            if s >= u:
                break
            total += (e if e < u else u) - s
        return total

    def between(self, a: int, b: int) -> int:
        if b <= a:
            return 0
        na, nb = self.day_of(a), self.day_of(b)
        if nb - na > 1:
            ca = self.cumulative(na)
            cb = None if ca is None else self.cumulative(nb)
            if ca is not None and cb is not None:
                return cb + self.open_before(nb, b) - ca - self.open_before(na, a)
        safe_lo, safe_hi = na + 1, nb - 1  # days wholly inside [a, b)
        week = self.week_total
        total = 0
        n, last = na, nb
        while n <= last:
            if safe_lo <= n and (n - 1) % 7 == 0 and n + 6 <= safe_hi:
                weeks = (safe_hi - n + 1) // 7
                k = min(weeks, (self.next_special(n, n + 7 * weeks) - n) // 7)
                if k:
                    total += k * week
                    n += 7 * k
                    continue
            for s, e in self.day(n):
                lo = s if s > a else a
                hi = e if e < b else b
                if hi > lo:
                    total += hi - lo
            n += 1
        return total

    def add(self, a: int, d: int) -> int:
        n = self.day_of(a)
        safe_lo = n + 1
        week = self.week_total
        idle = 0
        while True:
            if n >= safe_lo and (n - 1) % 7 == 0 and d > week:
                need = (d - 1) // week
                limit = n + 7 * need
                if limit > _MAX_ORD:
                    _out_of_range()
                k = min(need, (self.next_special(n, limit) - n) // 7)
                if k:
                    d -= k * week
                    n += 7 * k
                    idle = 0
                    continue
            intervals = self.day(n)
            for s, e in intervals:
                if e <= a:
                    continue
                if s < a:
                    s = a
                length = e - s
                if d <= length:
                    return s + d
                d -= length
            idle = 0 if intervals else idle + 1
            n += 1
            if n > _MAX_ORD or idle > _IDLE_DAYS_LIMIT:
                _out_of_range()

    def subtract(self, b: int, d: int) -> int:
        n = self.day_of(b)
        safe_hi = n - 1
        week = self.week_total
        idle = 0
        while True:
            if n <= safe_hi and (n - 1) % 7 == 6 and d > week:
                need = (d - 1) // week
                limit = n - 7 * need + 1
                if limit < _MIN_ORD:
                    _out_of_range()
                k = min(need, (n - self.prev_special(n, limit)) // 7)
                if k:
                    d -= k * week
                    n -= 7 * k
                    idle = 0
                    continue
            intervals = self.day(n)
            for s, e in reversed(intervals):
                if s >= b:
                    continue
                if e > b:
                    e = b
                length = e - s
                if d <= length:
                    return e - d
                d -= length
            idle = 0 if intervals else idle + 1
            n -= 1
            if n < _MIN_ORD or idle > _IDLE_DAYS_LIMIT:
                _out_of_range()

    def next_open(self, u: int) -> int | None:
        """The first open instant at or after ``u`` (``None``: none within the limits)."""
        n = self.day_of(u)
        idle = 0
        while n <= _MAX_ORD and idle <= _IDLE_DAYS_LIMIT:
            intervals = self.day(n)
            for s, e in intervals:
                if e > u:
                    return s if s > u else u
            idle = 0 if intervals else idle + 1
            n += 1
        return None

    def is_open(self, u: int) -> bool:
        for s, e in self.day(self.day_of(u)):  # noqa: SIM110 (a loop costs less than any())
            if s <= u < e:
                return True
        return False

    def runs(self, a: int, b: int | None = None) -> Iterator[tuple[int, int]]:
        """Merged open stretches ending after ``a`` (clipped to ``a``), starting before ``b``.

        Stops, without yielding an unfinished stretch, after more than
        ``_IDLE_DAYS_LIMIT`` days in a row with no change between open and closed.
        """
        n = self.day_of(a)
        current: tuple[int, int] | None = None
        steady = 0
        while n <= _MAX_ORD + 1 and steady <= _IDLE_DAYS_LIMIT:
            intervals = self.day(n)
            changed = False
            for s, e in intervals:
                if e <= a:
                    continue
                if b is not None and s >= b:
                    if current is not None:
                        yield current
                    return
                s = max(s, a)
                if current is None:
                    current = (s, e)
                    changed = True
                elif s <= current[1]:
                    current = (current[0], e)
                else:
                    yield current
                    current = (s, e)
                    changed = True
            steady = 0 if changed else steady + 1
            n += 1
        if current is not None and n > _MAX_ORD + 1:
            yield current


def _out_of_range(path: str = "duration", value: Any = None) -> NoReturn:
    fail(
        path,
        value,
        f"the answer falls outside the years {_MIN_YEAR}–{_MAX_YEAR}, or more than "
        f"{_IDLE_DAYS_LIMIT} days in a row are all closed or all open",
    )


def _instant(value: Any, path: str) -> int:
    """Validate an aware datetime; return it as UTC microseconds since 1970."""
    if type(value) is datetime and value.tzinfo is _UTC:
        # The common case, a datetime in UTC: its fields are the UTC instant's.
        n = value.toordinal()
        if _MIN_ORD <= n < _MAX_ORD:
            return (
                (n - _EPOCH_ORD) * _DAY_US
                + ((value.hour * 60 + value.minute) * 60 + value.second) * 1_000_000
                + value.microsecond
            )
    return _instant_checked(value, path)


def _instant_checked(value: Any, path: str) -> int:
    """:func:`_instant` for any value, with every check."""
    try:
        dt = ensure_aware(value, path)
        u: int = (dt - _EPOCH) // _US
    except ValueError as exc:
        if isinstance(exc, ValidationError):
            raise
        # A tzinfo whose offset is not strictly within ±24 hours.
        fail(path, value, f"has an unusable time zone ({exc})")
    if not (_MIN_ORD - _EPOCH_ORD) * _DAY_US <= u < (_MAX_ORD - _EPOCH_ORD) * _DAY_US:
        fail(path, value, f"must lie between the years {_MIN_YEAR} and {_MAX_YEAR}")
    return u


def _duration(value: Any) -> int:
    if not isinstance(value, timedelta):
        fail("duration", value, "must be a timedelta")
    if value < timedelta(0):
        fail("duration", value, "must not be negative")
    return value // _US


def _zone_key(value: Any, checker: Checker) -> str:
    if isinstance(value, ZoneInfo) and value.key:
        value = value.key
    if not isinstance(value, str):
        checker.add("tz", value, "must be an IANA time zone name such as 'Europe/Berlin'")
        return ""
    try:
        ZoneInfo(value)
    except (ValueError, KeyError, OSError):
        checker.add("tz", value, "is not a known IANA time zone")
        return ""
    return value


@register_type
@attrs.frozen(init=False)
class BusinessCalendar:
    """When a business is open, and business-time arithmetic over it.

    Args:
        tz: The IANA time zone the hours are local to, for example
            ``"Europe/Berlin"`` (a :class:`zoneinfo.ZoneInfo` with a key is
            accepted too and stored by its name).
        hours: Weekly working hours: a mapping from weekday (Monday = 0 …
            Sunday = 6) to a sequence of local ``(start, end)``
            :class:`~datetime.time` pairs; missing weekdays are closed. An
            ``end`` of ``time(0)`` is midnight, so ``(time(0), time(0))`` is
            the whole day; a night shift is two intervals on consecutive
            days. A sequence of seven such sequences (the stored form) is
            accepted too.
        holidays: Dates on which the business is closed.
        holiday_rules: Recurring holidays as RFC 5545 ``RRULE`` strings, for
            example ``"FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=25"``, parsed with
            :func:`dateutil.rrule.rrulestr`. A rule without a ``DTSTART``
            starts at :data:`RULE_DTSTART` (1970-01-01). Holidays are days:
            a rule recurs ``DAILY``, ``WEEKLY``, ``MONTHLY`` or ``YEARLY``
            with a positive ``INTERVAL`` (``HOURLY`` and finer frequencies,
            and ``INTERVAL=0``, are refused).
        exceptions: Per-date hours that replace the weekday's hours (a half
            day; an empty sequence closes the day). A mapping from date to
            intervals, or a sequence of ``(date, intervals)`` pairs. An
            exception also overrides a holiday produced by a rule (an explicit
            holiday with an exception on the same date is refused).

    Attributes:
        tz: The zone name.
        hours: Seven tuples (Monday first) of sorted ``(start, end)`` pairs.
        holidays: The holiday dates, sorted, without repeats.
        holiday_rules: The rule strings, as given.
        exceptions: Sorted ``(date, intervals)`` pairs.

    Raises:
        ValidationError: Listing every problem: an unknown zone, a bad weekday
            key, an inverted or overlapping interval, a time with a ``tzinfo``,
            a holiday that is not a date, a rule that does not parse or
            recurs more often than daily or with interval 0, a date
            that is both a holiday and an exception, or no working time in
            the week at all.

    Intervals are half-open: a 09:00–17:00 day is open at 09:00 and closed
    at 17:00. Local bounds that fall in a daylight-saving gap move forward to
    the first instant that exists; bounds in a repeated hour mean the first
    occurrence. Instants passed in may be in any zone but must be aware and
    lie between the years 2 and 9998; a ``tzinfo`` whose offset Python
    refuses (a day or more) is a :class:`~salescore.errors.ValidationError`.

    Example:
        >>> from datetime import datetime, time, timedelta
        >>> from zoneinfo import ZoneInfo
        >>> cal = BusinessCalendar.weekdays(time(9), time(17), tz="Europe/Berlin")
        >>> friday = datetime(2026, 1, 9, 16, 30, tzinfo=ZoneInfo("Europe/Berlin"))
        >>> cal.add_business_time(friday, timedelta(hours=4)).isoformat()
        '2026-01-12T12:30:00+01:00'
    """

    tz: str
    hours: tuple[Intervals, ...]
    holidays: tuple[date, ...]
    holiday_rules: tuple[str, ...]
    exceptions: tuple[tuple[date, Intervals], ...]
    _engine: _Engine = attrs.field(init=False, eq=False, repr=False)

    def __init__(
        self,
        tz: str | ZoneInfo,
        hours: Mapping[int, Sequence[Interval]] | Sequence[Sequence[Interval]],
        holidays: Iterable[date] = (),
        holiday_rules: Iterable[str] = (),
        exceptions: Mapping[date, Sequence[Interval]]
        | Iterable[tuple[date, Sequence[Interval]]] = (),
    ) -> None:
        checker = Checker("BusinessCalendar")
        key = _zone_key(tz, checker)
        week = self._check_hours(hours, checker)
        days = self._check_holidays(holidays, checker)
        rules = self._check_rules(holiday_rules, checker)
        special = self._check_exceptions(exceptions, checker)
        for d, _ in special:
            if d in days:
                checker.add(f"exceptions[{d.isoformat()}]", d, "is also listed as a holiday")
        checker.raise_if_any()
        self.__attrs_init__(key, week, days, rules, special)
        object.__setattr__(self, "_engine", _Engine(key, week, days, rules, special))

    @staticmethod
    def _check_hours(value: Any, checker: Checker) -> tuple[Intervals, ...]:
        week: list[Intervals] = [()] * 7
        before = len(checker.errors)
        if isinstance(value, Mapping):
            for wd, day in value.items():
                if isinstance(wd, bool) or not isinstance(wd, int) or not 0 <= wd <= 6:
                    checker.add(f"hours[{wd!r}]", wd, "weekday must be an int from 0 (Monday) to 6")
                    continue
                week[wd] = _check_intervals(checker, day, f"hours[{wd}]")
        elif isinstance(value, Sequence) and not isinstance(value, str | bytes) and len(value) == 7:
            for wd, day in enumerate(value):
                week[wd] = _check_intervals(checker, day, f"hours[{wd}]")
        else:
            checker.add("hours", value, "must map weekdays (Monday = 0) to (start, end) pairs")
            return tuple(week)
        if not any(week) and len(checker.errors) == before:
            checker.add("hours", value, "has no working time on any weekday")
        return tuple(week)

    @staticmethod
    def _check_holidays(value: Any, checker: Checker) -> tuple[date, ...]:
        if not is_collection(value):
            checker.add("holidays", value, "must be a collection of dates")
            return ()
        out: set[date] = set()
        for i, d in enumerate(value):
            if isinstance(d, datetime) or not isinstance(d, date):
                checker.add(f"holidays[{i}]", d, "must be a date")
            else:
                out.add(d)
        return tuple(sorted(out))

    @staticmethod
    def _check_rules(value: Any, checker: Checker) -> tuple[str, ...]:
        if not is_collection(value):
            checker.add("holiday_rules", value, "must be a collection of RRULE strings")
            return ()
        out: list[str] = []
        for i, text in enumerate(value):
            if not isinstance(text, str):
                checker.add(f"holiday_rules[{i}]", text, "must be an RRULE string")
                continue
            problem = _rule_problem(text)
            if problem:
                checker.add(f"holiday_rules[{i}]", text, problem)
                continue
            try:
                _rule_dates(text)
            except Exception as exc:  # dateutil raises many kinds for bad text
                checker.add(f"holiday_rules[{i}]", text, f"is not a valid RRULE: {exc}")
                continue
            out.append(text)
        return tuple(out)

    @staticmethod
    def _check_exceptions(value: Any, checker: Checker) -> tuple[tuple[date, Intervals], ...]:
        if isinstance(value, Mapping):
            pairs: list[Any] = list(value.items())
        elif isinstance(value, Iterable) and not isinstance(value, str | bytes):
            pairs = list(value)
        else:
            checker.add("exceptions", value, "must map dates to (start, end) pairs")
            return ()
        out: dict[date, Intervals] = {}
        for i, pair in enumerate(pairs):
            if not _is_pair(pair):
                checker.add(f"exceptions[{i}]", pair, "must be a (date, intervals) pair")
                continue
            d, day = pair
            if isinstance(d, datetime) or not isinstance(d, date):
                checker.add(f"exceptions[{d!r}]", d, "key must be a date")
                continue
            where = f"exceptions[{d.isoformat()}]"
            if d in out:
                checker.add(where, d, "is given twice")
                continue
            out[d] = _check_intervals(checker, day, where)
        return tuple(sorted(out.items()))

    @classmethod
    def weekdays(
        cls,
        start: time = time(9),
        end: time = time(17),
        *,
        tz: str | ZoneInfo,
        holidays: Iterable[date] = (),
        holiday_rules: Iterable[str] = (),
        exceptions: Mapping[date, Sequence[Interval]]
        | Iterable[tuple[date, Sequence[Interval]]] = (),
    ) -> BusinessCalendar:
        """Make the common calendar open Monday to Friday, ``start`` to ``end``.

        Args:
            start: Local opening time (default 09:00).
            end: Local closing time (default 17:00; ``time(0)`` is midnight).
            tz: The IANA time zone name.
            holidays: Dates on which the business is closed.
            holiday_rules: Recurring holidays as ``RRULE`` strings.
            exceptions: Per-date hours replacing the weekday's.

        Returns:
            The calendar.

        Raises:
            ValidationError: As for :class:`BusinessCalendar`.
        """
        return cls(
            tz,
            dict.fromkeys(range(5), ((start, end),)),
            holidays,
            holiday_rules,
            exceptions,
        )

    # -- queries -----------------------------------------------------------------------

    @property
    def zone(self) -> ZoneInfo:
        """The calendar's time zone as a :class:`zoneinfo.ZoneInfo`."""
        return self._engine.zone

    @property
    def weekly_hours(self) -> timedelta:
        """The working time of a week without holidays, exceptions or clock changes."""
        return timedelta(microseconds=self._engine.week_total)

    def is_holiday(self, day: date) -> bool:
        """Whether ``day`` is a holiday (listed, or produced by a rule).

        Args:
            day: A date.

        Returns:
            ``True`` if it is a holiday, even when an exception opens it.

        Raises:
            ValidationError: ``day`` is not a date.
        """
        if isinstance(day, datetime) or not isinstance(day, date):
            fail("day", day, "must be a date")
        return self._engine.is_holiday(day.toordinal())

    def hours_on(self, day: date) -> Intervals:
        """The local working intervals that apply on ``day``.

        An exception's hours if there is one, else nothing on a holiday, else
        the weekday's hours.

        Args:
            day: A date.

        Returns:
            Sorted ``(start, end)`` local time pairs (empty when closed).

        Raises:
            ValidationError: ``day`` is not a date.
        """
        if isinstance(day, datetime) or not isinstance(day, date):
            fail("day", day, "must be a date")
        for d, intervals in self.exceptions:
            if d == day:
                return intervals
        if self._engine.is_holiday(day.toordinal()):
            return ()
        return self.hours[day.weekday()]

    def _between_us(self, a: int, b: int) -> int:
        """Business microseconds in ``[a, b)``, instants as UTC microseconds (unchecked)."""
        return self._engine.between(a, b)

    def _position_us(self, u: int) -> int | None:
        """Business microseconds from a fixed (private) origin to ``u``, or ``None``.

        ``_position_us(b) - _position_us(a)`` is the business time in ``[a, b)``
        (``None``: too far from the instants seen so far; measure directly).
        """
        engine = self._engine
        n = engine.day_of(u)
        total = engine.cumulative(n)
        return None if total is None else total + engine.open_before(n, u)

    def _add_us(self, a: int, d: int) -> int:
        """The instant ``d`` business microseconds after ``a`` (unchecked, ``d > 0``)."""
        return self._engine.add(a, d) if d else a

    def _out(self, u: int) -> datetime:
        return (_EPOCH + timedelta(microseconds=u)).astimezone(self._engine.zone)

    def business_time_between(self, start: datetime, end: datetime) -> timedelta:
        """The working time in ``[start, end)``, as real elapsed time.

        Args:
            start: Aware start instant (any zone).
            end: Aware end instant (any zone).

        Returns:
            The elapsed time of the part of ``[start, end)`` inside working
            hours; zero if ``end <= start``.

        Raises:
            ValidationError: A datetime is naive or out of range.
        """
        a, b = _instant(start, "start"), _instant(end, "end")
        return timedelta(microseconds=self._engine.between(a, b))

    def add_business_time(self, start: datetime, duration: timedelta) -> datetime:
        """The instant ``duration`` of working time after ``start``.

        The earliest ``t >= start`` with ``business_time_between(start, t) ==
        duration``: a deadline that ends exactly at closing time is that
        closing time, not the next opening.

        Args:
            start: Aware start instant (any zone).
            duration: Working time to add; not negative.

        Returns:
            The deadline, aware in the calendar's zone (``start`` itself, in
            the calendar's zone, for a zero duration).

        Raises:
            ValidationError: ``start`` is naive, ``duration`` is negative or not a
                timedelta, or the result falls outside the supported years.
        """
        return self._out(self._add_us(_instant(start, "start"), _duration(duration)))

    def subtract_business_time(self, end: datetime, duration: timedelta) -> datetime:
        """The instant ``duration`` of working time before ``end``.

        The latest ``t <= end`` with ``business_time_between(t, end) ==
        duration``.

        Args:
            end: Aware end instant (any zone).
            duration: Working time to go back; not negative.

        Returns:
            The instant, aware in the calendar's zone (``end`` itself, in the
            calendar's zone, for a zero duration).

        Raises:
            ValidationError: ``end`` is naive, ``duration`` is negative or not a
                timedelta, or the result falls outside the supported years.
        """
        b = _instant(end, "end")
        d = _duration(duration)
        return self._out(self._engine.subtract(b, d) if d else b)

    def is_open(self, at: datetime) -> bool:
        """Whether ``at`` falls inside working hours (intervals are half-open).

        Args:
            at: Aware instant (any zone).

        Returns:
            ``True`` when open.

        Raises:
            ValidationError: ``at`` is naive or out of range.
        """
        return self._engine.is_open(_instant(at, "at"))

    def next_opening(self, at: datetime) -> datetime:
        """The first instant at or after ``at`` when the business is open.

        Args:
            at: Aware instant (any zone).

        Returns:
            ``at`` itself (in the calendar's zone) when open, else the next
            opening, aware in the calendar's zone.

        Raises:
            ValidationError: ``at`` is naive or out of range, or no opening
                follows within the supported years.
        """
        found = self._engine.next_open(_instant(at, "at"))
        if found is None:
            _out_of_range("at", at)
        return self._out(found)

    def next_closing(self, at: datetime) -> datetime:
        """The end of the open stretch containing ``at``, or of the next one.

        Contiguous intervals (a night shift across midnight) form one stretch.

        Args:
            at: Aware instant (any zone).

        Returns:
            The first instant after ``at`` at which the business closes,
            aware in the calendar's zone.

        Raises:
            ValidationError: ``at`` is naive or out of range, or the business
                never closes within the supported years.
        """
        u = _instant(at, "at")
        for _, e in self._engine.runs(u):
            if e <= (_MAX_ORD - _EPOCH_ORD) * _DAY_US:
                return self._out(e)
        _out_of_range("at", at)

    def open_intervals(self, start: datetime, end: datetime) -> Iterator[tuple[datetime, datetime]]:
        """The open stretches within ``[start, end)``, in order.

        Contiguous intervals are merged; the first and last stretch are
        clipped to ``start`` and ``end``.

        Args:
            start: Aware start instant (any zone).
            end: Aware end instant (any zone).

        Returns:
            An iterator of ``(opening, closing)`` pairs, aware in the
            calendar's zone.

        Raises:
            ValidationError: A datetime is naive or out of range (raised at
                the call, not on iteration).
        """
        a, b = _instant(start, "start"), _instant(end, "end")
        return self._intervals(a, b)

    def _intervals(self, a: int, b: int) -> Iterator[tuple[datetime, datetime]]:
        if b <= a:
            return
        for s, e in self._engine.runs(a, b):
            yield self._out(s), self._out(min(e, b))
