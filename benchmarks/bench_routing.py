"""Routing decisions: ``route`` as the simulation engine calls it.

``python -m benchmarks routing [--quick]``. The built-in B2B scenario's
routing: a table with one rule (``employees >= 1000`` to the enterprise SDR
team, round robin) and a round-robin default team of five SDRs; 14 reps with
business calendars and capacities passed as a list, the teams as a list.
Each call routes 1,000 leads (``--quick``: 200), arriving in office hours,
threading the :class:`RoutingState` from one decision to the next as the
engine does. Two contenders in alternation:

* ``route``: the library as it is;
* ``route, checked state``: the same, with every next state built through
  the public, validating :class:`RoutingState` constructor (a copy and a
  check of every count, as before the trusted path). Baseline.

Both give the same decisions and states (checked before timing). Reported
per decision (the per-call median divided by the number of leads).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from benchmarks._harness import compare, format_ns
from salescore.calendar import BusinessCalendar
from salescore.decisions.routing import (
    RoutingDecision,
    RoutingRule,
    RoutingState,
    RoutingTable,
    Target,
    route,
)
from salescore.domain.team import Rep, RepRole, Team
from salescore.rules import parse

ZONE = ZoneInfo("Europe/Berlin")
START = datetime(2026, 3, 2, 9, 0, tzinfo=ZONE)
TEAMS = {"sdr": 5, "enterprise_sdr": 1, "ae": 4, "support": 4}


def setup(n: int) -> tuple[RoutingTable, list[Rep], list[Team], list[tuple[Any, datetime]]]:
    """The table, reps, teams and ``n`` (subject, time) pairs of the B2B scenario's routing."""
    calendar = BusinessCalendar.weekdays(time(9), time(17), tz=ZONE)
    reps: list[Rep] = []
    teams: list[Team] = []
    for key, size in TEAMS.items():
        ids = tuple(f"{key}-{i}" for i in range(1, size + 1))
        teams.append(Team(id=key, name=key, rep_ids=ids))
        reps.extend(
            Rep(
                id=rep_id,
                name=rep_id,
                role=RepRole.SDR,
                calendar=calendar,
                capacities={"calls_per_day": 40, "meetings_per_day": 4},
                team_id=key,
            )
            for rep_id in ids
        )
    table = RoutingTable(
        key="scenario",
        rules=(
            RoutingRule(
                key="route-0", rule=parse("employees >= 1000"), target=Target.team("enterprise_sdr")
            ),
        ),
        default=Target.team("sdr"),
    )
    rng = random.Random(1)
    leads = []
    for i in range(n):
        day = START + timedelta(days=(i * 7 // n) % 5)
        at = day + timedelta(seconds=rng.random() * 8 * 3600)
        leads.append(({"employees": rng.choice([10, 80, 300, 2500])}, at))
    return table, reps, teams, leads


def routed(
    table: RoutingTable, reps: list[Rep], teams: list[Team], leads: list[tuple[Any, datetime]]
) -> list[RoutingDecision]:
    """Route every lead in turn, each from the state the previous decision left."""
    state = RoutingState()
    out = []
    for subject, at in leads:
        decision = route(table, subject, state=state, at=at, reps=reps, teams=teams)
        state = decision.state
        out.append(decision)
    return out


def _with_checked_state(fn: Callable[[], Any]) -> Any:
    fast = RoutingState._after
    RoutingState._after = RoutingState._after_checked  # type: ignore[method-assign]
    try:
        return fn()
    finally:
        RoutingState._after = fast  # type: ignore[method-assign]


def run(quick: bool = False) -> dict[str, Any]:
    """Route the leads both ways; report µs per decision."""
    n = 200 if quick else 1000
    table, reps, teams, leads = setup(n)
    fast = routed(table, reps, teams, leads)
    checked = _with_checked_state(lambda: routed(table, reps, teams, leads))
    assert fast == checked, "the two paths disagree"
    result = compare(
        f"route, {n:,} leads per call (B2B scenario routing)",
        {
            "route": lambda: routed(table, reps, teams, leads),
            "route, checked state": lambda: _with_checked_state(
                lambda: routed(table, reps, teams, leads)
            ),
        },
        baseline="route, checked state",
        number=1,
        repeats=5 if quick else 9,
    )
    per = {name: c["median_ns"] / n for name, c in result["contenders"].items()}
    base = per["route, checked state"]
    print("\nper decision:")
    for name, ns in per.items():
        print(f"  {name:<22} {format_ns(ns):>12}  ×{ns / base:5.2f}")
    return {"route": result, "ns_per_decision": per}
