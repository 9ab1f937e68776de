"""BusinessCalendar: exact scenarios, bounds, clock changes and validation."""

from __future__ import annotations

import copy
import itertools
import json
import pickle
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from salescore.calendar import BusinessCalendar
from salescore.errors import ValidationError
from salescore.serialization import from_json, to_dict, to_json
from salescore.testing.strategies import business_calendars

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
SANTIAGO = ZoneInfo("America/Santiago")
H = timedelta(hours=1)
ALWAYS = {wd: ((time(0), time(0)),) for wd in range(7)}


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def same_instant(a: datetime, b: datetime) -> bool:
    """``==`` across zones is False for times in a repeated hour; compare in UTC."""
    return a.astimezone(UTC) == b.astimezone(UTC)


@pytest.fixture
def nine_to_five() -> BusinessCalendar:
    return BusinessCalendar.weekdays(time(9), time(17), tz="Europe/Berlin")


# -- the scenarios ---------------------------------------------------------------


def test_friday_afternoon_plus_four_hours_is_monday_half_past_twelve(
    nine_to_five: BusinessCalendar,
) -> None:
    friday = datetime(2026, 1, 9, 16, 30, tzinfo=BERLIN)
    due = nine_to_five.add_business_time(friday, 4 * H)
    assert due == datetime(2026, 1, 12, 12, 30, tzinfo=BERLIN)
    assert due.tzinfo is BERLIN
    assert nine_to_five.business_time_between(friday, due) == 4 * H


def test_a_monday_holiday_moves_the_deadline_to_tuesday() -> None:
    cal = BusinessCalendar.weekdays(tz="Europe/Berlin", holidays=[date(2026, 1, 12)])
    friday = datetime(2026, 1, 9, 16, 30, tzinfo=BERLIN)
    assert cal.add_business_time(friday, 4 * H) == datetime(2026, 1, 13, 12, 30, tzinfo=BERLIN)


def test_a_holiday_rule_moves_the_deadline() -> None:
    # Whit Monday 2026 is 25 May; a rule for the last Monday of May in the US sense
    # (Memorial Day) is the same date in 2026.
    cal = BusinessCalendar.weekdays(
        tz="America/New_York", holiday_rules=["FREQ=YEARLY;BYMONTH=5;BYDAY=-1MO"]
    )
    friday = datetime(2026, 5, 22, 16, 30, tzinfo=NEW_YORK)
    assert cal.is_holiday(date(2026, 5, 25))
    assert cal.add_business_time(friday, 4 * H) == datetime(2026, 5, 26, 12, 30, tzinfo=NEW_YORK)


def test_across_the_spring_change_in_berlin(nine_to_five: BusinessCalendar) -> None:
    # Clocks go forward on Sunday 29 March 2026: Friday is UTC+1, Monday UTC+2.
    friday = datetime(2026, 3, 27, 16, 30, tzinfo=BERLIN)
    due = nine_to_five.add_business_time(friday, 4 * H)
    assert due == utc(2026, 3, 30, 10, 30)
    assert due.isoformat() == "2026-03-30T12:30:00+02:00"
    # 68 hours on the wall clock, 67 real ones (subtracting within one zone is wall-clock
    # arithmetic in Python, so convert one side).
    assert due - friday == timedelta(hours=68)
    assert due.astimezone(UTC) - friday == timedelta(hours=67)


def test_across_the_autumn_change_in_new_york() -> None:
    cal = BusinessCalendar.weekdays(tz="America/New_York")
    # Clocks go back on Sunday 1 November 2026: Friday is UTC-4, Monday UTC-5.
    friday = datetime(2026, 10, 30, 16, 30, tzinfo=NEW_YORK)
    assert friday == utc(2026, 10, 30, 20, 30)
    due = cal.add_business_time(friday, 4 * H)
    assert due == utc(2026, 11, 2, 17, 30)
    assert due.isoformat() == "2026-11-02T12:30:00-05:00"
    assert cal.subtract_business_time(due, 4 * H) == friday


def test_across_the_spring_change_in_new_york() -> None:
    cal = BusinessCalendar.weekdays(tz="America/New_York")
    friday = datetime(2026, 3, 6, 16, 30, tzinfo=NEW_YORK)
    assert cal.add_business_time(friday, 4 * H) == utc(2026, 3, 9, 16, 30)


def test_a_day_on_which_clocks_change_counts_its_real_length() -> None:
    always = BusinessCalendar("Europe/Berlin", ALWAYS)
    saturday_noon = datetime(2026, 3, 28, 12, tzinfo=BERLIN)
    assert always.add_business_time(saturday_noon, 24 * H) == datetime(
        2026, 3, 29, 13, tzinfo=BERLIN
    )
    spring = datetime(2026, 3, 29, tzinfo=BERLIN), datetime(2026, 3, 30, tzinfo=BERLIN)
    autumn = datetime(2026, 10, 25, tzinfo=BERLIN), datetime(2026, 10, 26, tzinfo=BERLIN)
    assert always.business_time_between(*spring) == 23 * H
    assert always.business_time_between(*autumn) == 25 * H


def test_instants_in_any_zone_are_accepted(nine_to_five: BusinessCalendar) -> None:
    friday_utc = utc(2026, 1, 9, 15, 30)  # 16:30 in Berlin
    tokyo = friday_utc.astimezone(timezone(timedelta(hours=9)))
    for start in (friday_utc, tokyo):
        assert nine_to_five.add_business_time(start, 4 * H) == utc(2026, 1, 12, 11, 30)


# -- half-open bounds -----------------------------------------------------------------


def test_intervals_are_half_open(nine_to_five: BusinessCalendar) -> None:
    monday = date(2026, 1, 12)

    def at(hour: int, minute: int = 0, second: int = 0, micro: int = 0) -> datetime:
        return datetime.combine(monday, time(hour, minute, second, micro), BERLIN)

    assert not nine_to_five.is_open(at(8, 59, 59, 999_999))
    assert nine_to_five.is_open(at(9))
    assert nine_to_five.is_open(at(16, 59, 59, 999_999))
    assert not nine_to_five.is_open(at(17))
    assert nine_to_five.next_opening(at(9)) == at(9)
    assert nine_to_five.next_opening(at(17)) == datetime(2026, 1, 13, 9, tzinfo=BERLIN)
    assert nine_to_five.next_opening(at(7)) == at(9)
    assert nine_to_five.next_closing(at(12)) == at(17)
    assert nine_to_five.next_closing(at(17)) == datetime(2026, 1, 13, 17, tzinfo=BERLIN)


def test_a_deadline_ending_at_closing_time_is_closing_time(
    nine_to_five: BusinessCalendar,
) -> None:
    monday_four = datetime(2026, 1, 12, 16, tzinfo=BERLIN)
    assert nine_to_five.add_business_time(monday_four, H) == datetime(
        2026, 1, 12, 17, tzinfo=BERLIN
    )
    tuesday_nine = datetime(2026, 1, 13, 9, tzinfo=BERLIN)
    # Going back, the latest instant is the opening time, not the previous closing.
    assert (
        nine_to_five.subtract_business_time(datetime(2026, 1, 13, 10, tzinfo=BERLIN), H)
        == tuesday_nine
    )
    assert nine_to_five.subtract_business_time(tuesday_nine, H) == monday_four


def test_zero_durations(nine_to_five: BusinessCalendar) -> None:
    saturday = utc(2026, 1, 10, 12)
    added = nine_to_five.add_business_time(saturday, timedelta(0))
    assert added == saturday
    assert added.tzinfo is BERLIN
    assert nine_to_five.subtract_business_time(saturday, timedelta(0)) == saturday
    assert nine_to_five.business_time_between(saturday, saturday) == timedelta(0)
    assert nine_to_five.business_time_between(saturday, saturday - H) == timedelta(0)


def test_adding_from_a_closed_time_starts_at_the_next_opening(
    nine_to_five: BusinessCalendar,
) -> None:
    saturday = datetime(2026, 1, 10, 12, tzinfo=BERLIN)
    assert nine_to_five.add_business_time(saturday, timedelta(minutes=1)) == datetime(
        2026, 1, 12, 9, 1, tzinfo=BERLIN
    )


def test_a_thousand_hours_and_back(nine_to_five: BusinessCalendar) -> None:
    start = datetime(2026, 1, 5, 9, tzinfo=BERLIN)
    # 1,000 hours = 125 days of eight hours = 25 weeks.
    due = nine_to_five.add_business_time(start, 1000 * H)
    assert due == datetime(2026, 6, 26, 17, tzinfo=BERLIN)
    assert nine_to_five.business_time_between(start, due) == 1000 * H
    assert nine_to_five.subtract_business_time(due, 1000 * H) == start
    assert nine_to_five.weekly_hours == 40 * H


# -- gaps and repeated hours -----------------------------------------------------------------


def test_a_bound_in_the_spring_gap_moves_to_the_first_instant_that_exists() -> None:
    cal = BusinessCalendar("America/New_York", {6: [(time(2, 30), time(4))]})
    sunday = datetime(2025, 3, 9, tzinfo=NEW_YORK)
    (interval,) = cal.open_intervals(sunday, sunday + 24 * H)
    assert interval == (
        datetime(2025, 3, 9, 3, tzinfo=NEW_YORK),
        datetime(2025, 3, 9, 4, tzinfo=NEW_YORK),
    )
    assert interval[0] == utc(2025, 3, 9, 7)
    assert cal.business_time_between(sunday, sunday + 24 * H) == H
    # The next Sunday has its full ninety minutes.
    assert cal.business_time_between(sunday + 7 * 24 * H, sunday + 8 * 24 * H) == 1.5 * H


def test_an_interval_wholly_in_the_gap_vanishes() -> None:
    cal = BusinessCalendar("America/New_York", {6: [(time(2), time(2, 30)), (time(5), time(6))]})
    sunday = datetime(2025, 3, 9, tzinfo=NEW_YORK)
    assert cal.business_time_between(sunday, sunday + 24 * H) == H
    assert cal.next_opening(sunday) == datetime(2025, 3, 9, 5, tzinfo=NEW_YORK)


def test_a_bound_in_the_repeated_hour_is_its_first_occurrence() -> None:
    # On 2 November 2025 New York's 01:00-02:00 happens twice (EDT, then EST).
    until_two = BusinessCalendar("America/New_York", {6: [(time(1, 30), time(2))]})
    sunday = datetime(2025, 11, 2, tzinfo=NEW_YORK)
    day = (sunday, sunday + 25 * H)
    assert until_two.business_time_between(*day) == 1.5 * H
    (interval,) = until_two.open_intervals(*day)
    assert same_instant(interval[0], utc(2025, 11, 2, 5, 30))  # 01:30 EDT
    assert interval[1] == utc(2025, 11, 2, 7)  # 02:00 EST
    until_half_past = BusinessCalendar("America/New_York", {6: [(time(1), time(1, 30))]})
    assert until_half_past.business_time_between(*day) == 0.5 * H
    assert until_half_past.is_open(utc(2025, 11, 2, 5, 15))  # 01:15 EDT
    assert not until_half_past.is_open(utc(2025, 11, 2, 6, 15))  # 01:15 EST


def test_results_in_the_repeated_hour_carry_fold() -> None:
    always = BusinessCalendar("America/New_York", ALWAYS)
    second_one_fifteen = always.add_business_time(utc(2025, 11, 2, 6), 15 * timedelta(minutes=1))
    assert (second_one_fifteen.hour, second_one_fifteen.minute, second_one_fifteen.fold) == (
        1,
        15,
        1,
    )
    assert same_instant(second_one_fifteen, utc(2025, 11, 2, 6, 15))


def test_midnight_clock_changes_in_santiago() -> None:
    # Chile moves its clocks at midnight: on 4 April 2026 the hour 23:00-24:00
    # happens twice; on 6 September 2026 the day starts at 01:00.
    always = BusinessCalendar("America/Santiago", ALWAYS)
    saturday = datetime(2026, 4, 4, tzinfo=SANTIAGO)
    sunday = datetime(2026, 4, 5, tzinfo=SANTIAGO)
    assert always.business_time_between(saturday, sunday) == 25 * H
    evenings = BusinessCalendar("America/Santiago", {wd: [(time(22), time(0))] for wd in range(7)})
    assert evenings.business_time_between(saturday, sunday) == 3 * H
    spring_sunday = datetime(2026, 9, 6, 12, tzinfo=SANTIAGO)
    assert evenings.next_opening(datetime(2026, 9, 5, 23, tzinfo=SANTIAGO)) == datetime(
        2026, 9, 5, 23, tzinfo=SANTIAGO
    )
    mornings = BusinessCalendar("America/Santiago", {6: [(time(0), time(2))]})
    day = (datetime(2026, 9, 5, 12, tzinfo=SANTIAGO), spring_sunday)
    assert mornings.business_time_between(*day) == H
    assert mornings.next_opening(day[0]) == datetime(2026, 9, 6, 1, tzinfo=SANTIAGO)


# -- midnight, night shifts, exceptions -------------------------------------------------------


def test_night_shift_across_midnight() -> None:
    cal = BusinessCalendar(
        "Europe/Berlin",
        {
            0: [(time(22), time(0))],
            1: [(time(0), time(6)), (time(22), time(0))],
            2: [(time(0), time(6))],
        },
    )
    monday_eleven = datetime(2026, 1, 12, 23, tzinfo=BERLIN)
    assert cal.is_open(datetime(2026, 1, 13, 0, tzinfo=BERLIN))
    assert cal.add_business_time(monday_eleven, 2 * H) == datetime(2026, 1, 13, 1, tzinfo=BERLIN)
    assert cal.next_closing(monday_eleven) == datetime(2026, 1, 13, 6, tzinfo=BERLIN)
    stretches = list(
        cal.open_intervals(
            datetime(2026, 1, 12, tzinfo=BERLIN), datetime(2026, 1, 14, 12, tzinfo=BERLIN)
        )
    )
    assert stretches == [
        (datetime(2026, 1, 12, 22, tzinfo=BERLIN), datetime(2026, 1, 13, 6, tzinfo=BERLIN)),
        (datetime(2026, 1, 13, 22, tzinfo=BERLIN), datetime(2026, 1, 14, 6, tzinfo=BERLIN)),
    ]
    assert cal.weekly_hours == 16 * H


def test_whole_day_interval() -> None:
    cal = BusinessCalendar("UTC", {5: [(time(0), time(0))]})
    saturday = utc(2026, 1, 10)
    assert cal.business_time_between(saturday - H, saturday + 30 * H) == 24 * H
    assert cal.hours_on(date(2026, 1, 10)) == ((time(0), time(0)),)


def test_exceptions_replace_the_weekday_and_beat_rule_holidays() -> None:
    christmas = "FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=25"
    cal = BusinessCalendar.weekdays(
        tz="Europe/Berlin",
        holiday_rules=[christmas],
        exceptions={
            date(2026, 12, 24): [(time(9), time(12))],  # half day
            date(2026, 12, 31): [],  # closed
            date(2025, 12, 25): [(time(10), time(11))],  # open on a rule holiday
        },
    )
    christmas_eve_eleven = datetime(2026, 12, 24, 11, tzinfo=BERLIN)
    # 1 h on the 24th, the 25th is a holiday, 26-27 a weekend: 1 h more on Monday 28th.
    assert cal.add_business_time(christmas_eve_eleven, 2 * H) == datetime(
        2026, 12, 28, 10, tzinfo=BERLIN
    )
    assert cal.hours_on(date(2026, 12, 31)) == ()
    assert cal.hours_on(date(2026, 12, 25)) == ()
    assert cal.is_holiday(date(2025, 12, 25))
    assert cal.hours_on(date(2025, 12, 25)) == ((time(10), time(11)),)
    assert (
        cal.business_time_between(
            datetime(2025, 12, 25, tzinfo=BERLIN), datetime(2025, 12, 26, tzinfo=BERLIN)
        )
        == H
    )
    week = (datetime(2026, 12, 28, tzinfo=BERLIN), datetime(2027, 1, 4, tzinfo=BERLIN))
    # 28-30 Dec open, 31 Dec closed, 1 Jan (no rule for it here) open.
    assert cal.business_time_between(*week) == 4 * 8 * H


def test_rule_without_dtstart_starts_in_1970() -> None:
    cal = BusinessCalendar.weekdays(tz="UTC", holiday_rules=["FREQ=YEARLY;BYMONTH=1;BYMONTHDAY=1"])
    assert cal.is_holiday(date(1970, 1, 1))
    assert not cal.is_holiday(date(1969, 1, 1))
    dated = BusinessCalendar.weekdays(
        tz="UTC",
        holiday_rules=["DTSTART:20260101T000000\nRRULE:FREQ=YEARLY;BYMONTH=3;BYMONTHDAY=2"],
    )
    assert not dated.is_holiday(date(2025, 3, 3 - 1))
    assert dated.is_holiday(date(2026, 3, 2))


# -- subtract ----------------------------------------------------------------------------------


def test_subtract_mirrors_add(nine_to_five: BusinessCalendar) -> None:
    monday = datetime(2026, 1, 12, 12, 30, tzinfo=BERLIN)
    assert nine_to_five.subtract_business_time(monday, 4 * H) == datetime(
        2026, 1, 9, 16, 30, tzinfo=BERLIN
    )
    assert nine_to_five.subtract_business_time(monday, 3.5 * H) == datetime(
        2026, 1, 12, 9, tzinfo=BERLIN
    )


# -- validation --------------------------------------------------------------------------------


def test_every_problem_is_listed() -> None:
    with pytest.raises(ValidationError) as info:
        BusinessCalendar(
            "Mars/Olympus_Mons",
            {
                0: [(time(17), time(9))],
                1: [(time(9), time(13)), (time(12), time(17))],
                7: [(time(9), time(17))],
                2: [(time(9, tzinfo=UTC), time(17))],
                3: ["nine to five"],
            },
            holidays=[date(2026, 1, 1), "2026-12-25"],
            holiday_rules=["FREQ=SOMETIMES"],
            exceptions={date(2026, 1, 2): [(time(10), time(10))]},
        )
    assert info.value.paths == (
        "tz",
        "hours[0][0]",
        "hours[1][1]",
        "hours[7]",
        "hours[2][0]",
        "hours[3][0]",
        "holidays[1]",
        "holiday_rules[0]",
        "exceptions[2026-01-02][0]",
    )
    assert "Mars/Olympus_Mons" in str(info.value)


def test_a_calendar_with_no_working_time_is_refused() -> None:
    with pytest.raises(ValidationError) as info:
        BusinessCalendar("UTC", {})
    assert info.value.paths == ("hours",)
    with pytest.raises(ValidationError):
        BusinessCalendar("UTC", {0: []}, exceptions={date(2026, 1, 1): [(time(9), time(10))]})


def test_bad_weekday_keys_and_shapes() -> None:
    with pytest.raises(ValidationError) as info:
        BusinessCalendar("UTC", {True: [(time(9), time(17))], "mon": [], -1: []})
    assert info.value.paths == ("hours[True]", "hours['mon']", "hours[-1]")
    with pytest.raises(ValidationError) as info:
        BusinessCalendar("UTC", [[(time(9), time(17))]] * 6)
    assert info.value.paths == ("hours",)
    with pytest.raises(ValidationError) as info:
        BusinessCalendar(42, {0: [(time(9), time(17))]})  # type: ignore[arg-type]
    assert info.value.paths == ("tz",)


def test_a_date_that_is_both_holiday_and_exception_is_refused() -> None:
    with pytest.raises(ValidationError) as info:
        BusinessCalendar.weekdays(
            tz="UTC", holidays=[date(2026, 1, 1)], exceptions={date(2026, 1, 1): []}
        )
    assert info.value.paths == ("exceptions[2026-01-01]",)


def test_naive_datetimes_and_negative_durations_are_refused(
    nine_to_five: BusinessCalendar,
) -> None:
    naive = datetime(2026, 1, 12, 9)
    aware = naive.replace(tzinfo=BERLIN)
    calls = [
        lambda: nine_to_five.business_time_between(naive, aware),
        lambda: nine_to_five.business_time_between(aware, naive),
        lambda: nine_to_five.add_business_time(naive, H),
        lambda: nine_to_five.subtract_business_time(naive, H),
        lambda: nine_to_five.is_open(naive),
        lambda: nine_to_five.next_opening(naive),
        lambda: nine_to_five.next_closing(naive),
        lambda: nine_to_five.open_intervals(naive, aware),
    ]
    for call in calls:
        with pytest.raises(ValidationError):
            call()
    with pytest.raises(ValidationError) as info:
        nine_to_five.add_business_time(aware, -H)
    assert info.value.paths == ("duration",)
    with pytest.raises(ValidationError):
        nine_to_five.subtract_business_time(aware, -H)
    with pytest.raises(ValidationError):
        nine_to_five.add_business_time(aware, 3)  # type: ignore[arg-type]


def test_unreachable_results_are_refused_not_looped_over() -> None:
    always = BusinessCalendar("UTC", ALWAYS)
    with pytest.raises(ValidationError):
        always.next_closing(utc(2026, 1, 1))
    with pytest.raises(ValidationError):
        always.add_business_time(utc(9990, 1, 1), timedelta(days=5000))
    with pytest.raises(ValidationError):
        always.subtract_business_time(utc(3, 1, 1), timedelta(days=5000))
    with pytest.raises(ValidationError):
        always.is_open(datetime.max.replace(tzinfo=UTC))


# -- value semantics ---------------------------------------------------------------------------


def test_normalised_fields_and_equality() -> None:
    a = BusinessCalendar(
        "Europe/Berlin",
        {1: [(time(13), time(17)), (time(9), time(12))]},
        holidays=[date(2026, 1, 2), date(2026, 1, 1), date(2026, 1, 1)],
    )
    b = BusinessCalendar(
        ZoneInfo("Europe/Berlin"),
        [(), ((time(9), time(12)), (time(13), time(17))), (), (), (), (), ()],
        holidays=(date(2026, 1, 1), date(2026, 1, 2)),
    )
    assert a == b
    assert hash(a) == hash(b)
    assert a.hours[1] == ((time(9), time(12)), (time(13), time(17)))
    assert a.holidays == (date(2026, 1, 1), date(2026, 1, 2))
    a.business_time_between(utc(2026, 1, 1), utc(2026, 3, 1))  # fills a's caches only
    assert a == b
    assert attrs.evolve(a, tz="UTC").tz == "UTC"
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        a.tz = "UTC"  # type: ignore[misc]


def test_serialises_pickles_and_copies() -> None:
    cal = BusinessCalendar.weekdays(
        tz="Europe/Berlin",
        holidays=[date(2026, 1, 1)],
        holiday_rules=["FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=25"],
        exceptions={date(2026, 12, 24): [(time(9), time(12))], date(2026, 12, 31): []},
    )
    start = datetime(2026, 12, 23, 16, tzinfo=BERLIN)
    expected = cal.add_business_time(start, 10 * H)
    assert to_dict(cal)["_type"] == "BusinessCalendar"
    doc = json.loads(to_json(cal))
    assert doc["exceptions"] == [["2026-12-24", [["09:00:00", "12:00:00"]]], ["2026-12-31", []]]
    for copied in (
        from_json(BusinessCalendar, to_json(cal)),
        pickle.loads(pickle.dumps(cal)),
        copy.deepcopy(cal),
    ):
        assert copied == cal
        assert copied.add_business_time(start, 10 * H) == expected


@settings(max_examples=30)
@given(business_calendars())
def test_generated_calendars_round_trip(cal: BusinessCalendar) -> None:
    assert from_json(BusinessCalendar, to_json(cal)) == cal
    assert cal.weekly_hours > timedelta(0)


# -- what real use found --------------------------------------------------------


def test_next_opening_on_a_calendar_open_from_that_instant_on_is_the_instant() -> None:
    cal = BusinessCalendar("UTC", {d: [(time(0), time(0))] for d in range(7)})
    assert cal.next_opening(datetime(2026, 1, 5, tzinfo=UTC)) == utc(2026, 1, 5)
    assert cal.next_opening(utc(2026, 1, 5, 13, 7, 1, 5)) == utc(2026, 1, 5, 13, 7, 1, 5)


def test_next_opening_before_a_stretch_that_never_closes_is_its_start() -> None:
    cal = BusinessCalendar("UTC", ALWAYS, exceptions={date(2026, 1, 5): ()})
    assert cal.next_opening(utc(2026, 1, 5, 10)) == utc(2026, 1, 6)


@given(business_calendars())
@settings(max_examples=30, deadline=None)
def test_next_opening_is_open_and_nothing_earlier_is(cal: BusinessCalendar) -> None:
    at = utc(2026, 3, 4, 5, 6)
    found = cal.next_opening(at)
    assert found >= at
    assert cal.is_open(found)
    assert cal.business_time_between(at, found) == timedelta(0)


@pytest.mark.parametrize(
    "rule",
    [
        "FREQ=SECONDLY",
        "FREQ=MINUTELY",
        "FREQ=HOURLY;BYHOUR=9",
        "FREQ=YEARLY;INTERVAL=0;BYMONTH=12;BYMONTHDAY=25",
        "DTSTART:20200101T000000\nRRULE:FREQ=secondly",
        "FREQ=DAILY;INTERVAL=-1",
    ],
)
def test_holiday_rules_that_would_never_finish_are_refused(rule: str) -> None:
    with pytest.raises(ValidationError) as info:
        BusinessCalendar.weekdays(time(9), time(17), tz="UTC", holiday_rules=[rule])
    assert info.value.paths == ("holiday_rules[0]",)
    assert "is refused" in str(info.value)


class _FixedOffset(tzinfo):
    """A tzinfo whose offset Python refuses (±24 hours)."""

    def __init__(self, hours: int) -> None:
        self.hours = hours

    def utcoffset(self, dt: datetime | None) -> timedelta:
        return timedelta(hours=self.hours)

    def dst(self, dt: datetime | None) -> None:
        return None


@pytest.mark.parametrize("hours", [24, -24, 48])
def test_a_time_zone_offset_of_a_day_or_more_is_a_validation_error(
    nine_to_five: BusinessCalendar, hours: int
) -> None:
    bad = datetime(2026, 1, 5, 10, tzinfo=_FixedOffset(hours))
    ok = utc(2026, 1, 5, 10)
    calls = {
        "at": [
            lambda: nine_to_five.is_open(bad),
            lambda: nine_to_five.next_opening(bad),
            lambda: nine_to_five.next_closing(bad),
        ],
        "start": [
            lambda: nine_to_five.add_business_time(bad, H),
            lambda: nine_to_five.business_time_between(bad, ok),
            lambda: nine_to_five.open_intervals(bad, ok),
        ],
        "end": [
            lambda: nine_to_five.subtract_business_time(bad, H),
            lambda: nine_to_five.business_time_between(ok, bad),
        ],
    }
    for path, group in calls.items():
        for call in group:
            with pytest.raises(ValidationError) as info:
                call()
            assert info.value.paths == (path,)
            assert "unusable time zone" in str(info.value)


@given(
    business_calendars(),
    st.lists(st.integers(0, 3 * 365 * 24 * 60), min_size=3, max_size=6),
)
@settings(max_examples=40, deadline=None)
def test_business_time_adds_up_over_any_cut(cal: BusinessCalendar, minutes: list[int]) -> None:
    points = sorted(utc(2025, 1, 1) + timedelta(minutes=m) for m in minutes)
    whole = cal.business_time_between(points[0], points[-1])
    parts = sum(
        (cal.business_time_between(a, b) for a, b in itertools.pairwise(points)), timedelta(0)
    )
    assert whole == parts
    # The same answers from a calendar that first measured somewhere else.
    fresh = BusinessCalendar(
        cal.tz,
        cal.hours,
        holidays=cal.holidays,
        holiday_rules=cal.holiday_rules,
        exceptions=cal.exceptions,
    )
    last = cal.business_time_between(points[-2], points[-1])
    assert fresh.business_time_between(points[-2], points[-1]) == last
    assert fresh.business_time_between(points[0], points[-1]) == whole
