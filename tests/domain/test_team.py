"""Reps, teams and queues."""

from __future__ import annotations

from datetime import time

import pytest
from hypothesis import given, settings

from salescore.calendar import BusinessCalendar
from salescore.domain.team import Queue, QueuePurpose, Rep, RepRole, Team
from salescore.errors import ValidationError
from salescore.serialization import from_json, to_json
from salescore.testing.strategies import queues, reps, teams


def test_rep_with_calendar_and_capacities() -> None:
    cal = BusinessCalendar.weekdays(time(9), time(17), tz="Europe/Berlin")
    rep = Rep(
        id="rep-1",
        name="Sam Reed",
        role=RepRole.SDR,
        email="Sam.Reed@Acme.IO",
        calendar=cal,
        capacities={"calls_per_day": 80},
        team_id="team-1",
    )
    assert rep.email == "Sam.Reed@acme.io"
    assert (rep.capacity("calls_per_day"), rep.capacity("open_cases")) == (80, None)
    assert rep.with_capacity("open_cases", 25).capacities == {"calls_per_day": 80, "open_cases": 25}
    assert rep.deactivated().active is False
    assert from_json(Rep, to_json(rep)) == rep


def test_rep_reports_every_bad_field() -> None:
    with pytest.raises(ValidationError) as info:
        Rep(
            id="",
            name="x",
            role="boss",
            email="nope",  # type: ignore[arg-type]
            capacities={"calls_per_day": -1, "Bad Key": 2},
        )
    assert info.value.paths == (
        "id",
        "role",
        "email",
        "capacities.calls_per_day",
        "capacities.Bad Key",
    )


def test_team_membership() -> None:
    team = Team(id="team-1", name="EMEA SDR", rep_ids=("rep-1", "rep-2"), manager_id="rep-9")
    team = team.with_rep("rep-3").without_rep("rep-1")
    assert team.rep_ids == ("rep-2", "rep-3")
    assert "rep-3" in team
    with pytest.raises(ValidationError):
        team.with_rep("rep-2")
    with pytest.raises(ValidationError):
        team.without_rep("rep-1")
    with pytest.raises(ValidationError) as info:
        Team(id="t", name="T", rep_ids=("a", "a"))
    assert info.value.paths == ("rep_ids",)


def test_queue() -> None:
    q = Queue(id="queue-1", name="Inbound leads", purpose=QueuePurpose.LEADS, team_id="team-1")
    assert from_json(Queue, to_json(q)) == q
    with pytest.raises(ValidationError) as info:
        Queue(id="q", name="", purpose="misc")  # type: ignore[arg-type]
    assert info.value.paths == ("name", "purpose")


@settings(max_examples=30)
@given(reps(), teams(), queues())
def test_team_values_round_trip(rep: Rep, team: Team, queue: Queue) -> None:
    assert from_json(Rep, to_json(rep)) == rep
    assert from_json(Team, to_json(team)) == team
    assert from_json(Queue, to_json(queue)) == queue
