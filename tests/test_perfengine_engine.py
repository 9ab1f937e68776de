"""The engine's business-time steps and routing's weights cache, against the general paths."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from salescore.calendar import BusinessCalendar
from salescore.decisions import routing as routing_module
from salescore.domain.team import Rep, RepRole
from salescore.errors import ValidationError
from salescore.simulation import b2b_quarter
from salescore.simulation.engine import _Run, _Team
from salescore.simulation.scenario import TeamSpec
from salescore.storage import InMemoryStore

BERLIN = ZoneInfo("Europe/Berlin")
# Around both daylight-saving changes of 2026 in Berlin, and a holiday.
instants = st.datetimes(
    min_value=datetime(2026, 3, 20), max_value=datetime(2026, 11, 5), timezones=st.just(UTC)
)
days = st.one_of(
    st.sampled_from((0.0, 0.05, 1.0, 2.0)),
    st.floats(min_value=0, max_value=30, allow_nan=False, allow_infinity=False),
)
hours = st.sampled_from(((time(9), time(17)), (time(8, 30), time(17, 30)), (time(0), time(23))))


@settings(max_examples=300, deadline=None)
@given(instants, days, hours)
def test_later_is_the_calendars_business_time_in_utc(
    at: datetime, n: float, span: tuple[time, time]
) -> None:
    run = _Run(b2b_quarter().with_overrides({"days": 3}), 1, InMemoryStore(), None)
    cal = BusinessCalendar.weekdays(span[0], span[1], tz=BERLIN, holidays=[date(2026, 4, 3)])
    start = datetime.combine(date(2000, 1, 3), span[0])
    day_hours = (datetime.combine(date(2000, 1, 3), span[1]) - start).total_seconds() / 3600
    team = _Team(TeamSpec(key="t", role="sdr", reps=1), cal, ("t-1",), day_hours)
    got = run.later(team, at, n)
    expected = cal.add_business_time(at, timedelta(hours=n * day_hours)).astimezone(UTC)
    assert got == expected
    assert got.tzinfo is UTC
    assert got.isoformat() == expected.isoformat()


def _reps(calendars: list[BusinessCalendar | None]) -> list[Rep]:
    return [
        Rep(id=f"r{i}", name=f"r{i}", role=RepRole.SDR, calendar=c) for i, c in enumerate(calendars)
    ]


calendars = st.lists(
    st.sampled_from(
        (
            None,
            BusinessCalendar.weekdays(time(9), time(17), tz=BERLIN),
            BusinessCalendar.weekdays(time(6), time(12), tz="America/New_York"),
            BusinessCalendar.weekdays(time(13), time(22), tz="Asia/Tokyo"),
        )
    ),
    min_size=1,
    max_size=4,
)


@settings(max_examples=150, deadline=None)
@given(calendars, st.lists(instants, min_size=1, max_size=4))
def test_round_robin_weights_are_the_fitted_weights_of_the_week(
    cals: list[BusinessCalendar | None], ats: list[datetime]
) -> None:
    reps = {r.id: r for r in _reps(cals)}
    members = list(reps)
    for at in ats:  # one after another: later ones may hit the cache
        router = routing_module._Router(routing_module.RoutingState(), at, reps, {}, "open_leads")
        monday = datetime.combine((at - timedelta(days=at.weekday())).date(), time(0), UTC)
        fitted = routing_module._fitted_weights.__wrapped__(tuple(cals), monday)
        if all(c is None for c in cals):
            fitted = (1.0,) * len(cals)
        assert router.weights(members) == dict(zip(members, fitted, strict=True))


class _Duck:
    """A mutable rep-like object: its id may change between calls."""

    def __init__(self, id: object) -> None:
        self.id = id


entries = st.one_of(
    st.sampled_from(("r1", "r2", "", " x ")),
    st.builds(lambda i: Rep(id=i, name=i, role=RepRole.SDR), st.sampled_from(("r1", "r3"))),
    st.builds(_Duck, st.one_of(st.sampled_from(("r1", "d1", "")), st.none(), st.integers())),
)


def _outcome(items: object) -> object:
    try:
        return routing_module._index(items, "reps")
    except routing_module.ValidationError as exc:
        return [(e.path, e.message) for e in exc.errors]


def _cached_outcome(items: object) -> object:
    try:
        return routing_module._index_of_tuple(items, "reps")
    except routing_module.ValidationError as exc:
        return [(e.path, e.message) for e in exc.errors]


@settings(max_examples=300, deadline=None)
@given(st.lists(entries, max_size=5), st.booleans(), st.sampled_from(("r9", None, "")))
def test_a_remembered_index_is_the_index_of_the_entries_now(
    items: list[object], as_tuple: bool, new_id: str | None
) -> None:
    directory = tuple(items) if as_tuple else items
    assert _cached_outcome(directory) == _outcome(directory)
    assert _cached_outcome(directory) == _outcome(directory)  # a second look, maybe remembered
    for item in items:
        if isinstance(item, _Duck):
            item.id = new_id  # a mutable entry changes: never answered from memory
    assert _cached_outcome(directory) == _outcome(directory)


def _later_outcome(step: Any, *args: Any) -> tuple[str, Any]:
    try:
        got = step(*args)
    except (ValidationError, ValueError, OverflowError, TypeError) as exc:
        return ("error", (type(exc), str(exc)))
    return ("value", (got, got.tzinfo, got.isoformat()))


@settings(max_examples=400, deadline=None)
@given(
    st.one_of(
        st.datetimes(timezones=st.sampled_from((UTC, BERLIN, ZoneInfo("Pacific/Kiritimati")))),
        st.datetimes(),  # naive
        st.datetimes(min_value=datetime(9998, 12, 25), timezones=st.just(UTC)),
        st.datetimes(max_value=datetime(2, 1, 5), timezones=st.just(UTC)),
    ),
    st.one_of(days, st.floats(), st.sampled_from((-0.0, -1e-9, -1.0))),
)
def test_later_refuses_and_computes_as_its_checked_path(at: datetime, n: float) -> None:
    """Instants out of the calendars' range, naive ones and negative or odd days included."""
    run = _Run(b2b_quarter().with_overrides({"days": 3}), 1, InMemoryStore(), None)
    team = next(iter(run.teams.values()))
    assert _later_outcome(run.later, team, at, n) == _later_outcome(run._later_checked, team, at, n)
