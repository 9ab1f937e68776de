"""The calendar's fast reading of a UTC instant equals its general, checked reading."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from salescore import calendar as cal_module
from salescore.calendar import BusinessCalendar
from salescore.errors import SalescoreError

BERLIN = BusinessCalendar.weekdays(time(8, 30), time(17, 30), tz="Europe/Berlin")
NIGHTS = BusinessCalendar(
    "America/New_York",
    {
        0: [(time(22), time(0))],
        1: [(time(0), time(6)), (time(22), time(0))],
        4: [(time(9), time(12))],
    },
    holidays=[datetime(2026, 3, 9).date()],
)

_EDGES = st.sampled_from(
    [
        datetime(1, 1, 1, tzinfo=UTC),
        datetime(1, 12, 31, 23, 59, 59, 999999, tzinfo=UTC),
        datetime(2, 1, 1, tzinfo=UTC),
        datetime(9998, 12, 30, 23, 59, 59, 999999, tzinfo=UTC),
        datetime(9998, 12, 31, tzinfo=UTC),
        datetime(9998, 12, 31, 12, tzinfo=UTC),
        datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC),
    ]
)
_UTC_INSTANTS = st.one_of(_EDGES, st.datetimes(timezones=st.just(UTC)))
_ANY: st.SearchStrategy[Any] = st.one_of(
    _UTC_INSTANTS,
    st.datetimes(timezones=st.sampled_from([timezone(timedelta(hours=5)), ZoneInfo("UTC")])),
    st.datetimes(),
    st.none(),
    st.dates(),
)


def _outcome(call: Any) -> tuple[str, Any]:
    try:
        return ("value", call())
    except SalescoreError as exc:
        return ("raised", (type(exc), str(exc), repr(getattr(exc, "errors", None))))


@settings(max_examples=500, deadline=None)
@given(_ANY)
def test_an_instant_reads_as_through_the_checked_path(value: Any) -> None:
    fast = _outcome(lambda: cal_module._instant(value, "at"))
    general = _outcome(lambda: cal_module._instant_checked(value, "at"))
    assert fast == general


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from([BERLIN, NIGHTS]),
    st.one_of(
        st.datetimes(datetime(2025, 10, 1), datetime(2026, 12, 31), timezones=st.just(UTC)),
        # Openings and closings, and the microseconds either side.
        st.builds(
            lambda day, local, step: (
                datetime.combine(day, local, ZoneInfo("Europe/Berlin")).astimezone(UTC)
                + timedelta(microseconds=step)
            ),
            st.dates(min_value=datetime(2026, 3, 1).date(), max_value=datetime(2026, 4, 30).date()),
            st.sampled_from([time(8, 30), time(17, 30), time(3), time(4), time(12)]),
            st.sampled_from([-1, 0, 1]),
        ),
    ),
)
def test_is_open_is_whether_an_interval_of_the_day_holds_the_instant(
    calendar: BusinessCalendar, at: datetime
) -> None:
    engine = calendar._engine
    u = cal_module._instant_checked(at, "at")
    expected = any(s <= u < e for s, e in engine.day(engine.day_of(u)))
    assert calendar.is_open(at) is expected
    assert calendar.is_open(at.astimezone(ZoneInfo("Asia/Tokyo"))) is expected
