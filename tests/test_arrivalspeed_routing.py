"""Routing's decisions and rule checks built as they are equal those of their constructors.

Each test runs the same decisions twice: through the fast paths, and with
them turned off (the constructors, the weights fitted anew each time); both
must give equal decisions, with fields of the same types, or the same error.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from salescore.calendar import BusinessCalendar
from salescore.decisions import routing as routing_module
from salescore.decisions.routing import (
    RoutingDecision,
    RoutingRule,
    RoutingState,
    RoutingTable,
    RuleCheck,
    Strategy,
    Target,
    route,
)
from salescore.domain.team import Rep, Team
from salescore.errors import ValidationError
from salescore.rules import parse

MONDAY = datetime(2026, 3, 2, 0, 0, tzinfo=UTC)
# A holiday and a clock change give the weeks different weights.
OFFICE = BusinessCalendar.weekdays(
    time(9), time(17), tz="Europe/Berlin", holidays=[date(2026, 3, 10), date(2026, 3, 11)]
)
LATE = BusinessCalendar.weekdays(time(9), time(17), tz="America/New_York")
REPS = (
    Rep(id="ana", name="Ana"),
    Rep(id="ben", name="Ben", calendar=OFFICE),
    Rep(id="cy", name="Cy", calendar=LATE, capacities={"open_leads": 3}),
    Rep(id="dee", name="Dee", calendar=OFFICE, capacities={"open_leads": 2}),
    Rep(id="eve", name="Eve", calendar=LATE),
)


def _constructed_check(key: str, result: Any, missing: Any, note: str) -> RuleCheck:
    return RuleCheck(key=key, result=result, missing_fields=missing, note=note)


def _general_paths(m: pytest.MonkeyPatch) -> None:
    """Turn the fast paths of this module's subject off."""
    m.setattr(routing_module, "_new_decision", RoutingDecision)
    m.setattr(routing_module, "_new_check", _constructed_check)
    m.setattr(routing_module, "_RECENT_FITS", _Forgetful())


class _Forgetful(dict[Any, Any]):
    """A cache that never holds anything."""

    def __setitem__(self, key: Any, value: Any) -> None:
        pass


def _both(run: Callable[[], Any], general: Callable[[pytest.MonkeyPatch], None]) -> list[Any]:
    out = []
    for patch in (False, True):
        with pytest.MonkeyPatch.context() as m:
            if patch:
                general(m)
            try:
                out.append(run())
            except ValidationError as exc:
                out.append(("error", str(exc), exc.errors))
    return out


def _shapes(decisions: Any) -> Any:
    """The types of every field of every decision and rule check."""
    if not isinstance(decisions, list):
        return decisions
    return [
        (
            [type(getattr(d, f)) for f in ("owner_kind", "trail", "unknown_fields", "hold_until")],
            [[type(getattr(c, f)) for f in ("key", "missing_fields", "note")] for c in d.trail],
            d.hold_until is None or d.hold_until.tzinfo is UTC,
        )
        for d in decisions
    ]


members = st.lists(
    st.sampled_from(["ana", "ben", "cy", "dee", "eve", "zed"]), min_size=1, max_size=5, unique=True
)


@settings(max_examples=80, deadline=None)
@example(  # both reps open, in weeks whose weights differ
    rr=["ben", "cy", "dee"],
    ll=["ana"],
    strategy=Strategy.ROUND_ROBIN,
    hold=False,
    use_reps="tuple",
    with_default=True,
    leads=[(None, 900), (None, (7 * 24 + 15) * 60), (None, (7 * 24 + 15) * 60 + 9), (None, 901)],
)
@given(
    rr=members,
    ll=members,
    strategy=st.sampled_from(list(Strategy)),
    hold=st.booleans(),
    use_reps=st.sampled_from(["tuple", "list", None]),
    with_default=st.booleans(),
    leads=st.lists(
        st.tuples(st.sampled_from([None, 7, 50, 2500]), st.integers(0, 20 * 24 * 60 - 1)),
        min_size=1,
        max_size=30,
    ),
)
def test_decisions_equal_those_of_the_constructors(
    rr: list[str],
    ll: list[str],
    strategy: Strategy,
    hold: bool,
    use_reps: str | None,
    with_default: bool,
    leads: list[tuple[int | None, int]],
) -> None:
    table = RoutingTable(
        key="t",
        rules=(
            RoutingRule(
                key="big",
                rule=parse("employees >= 1000"),
                target=Target.team("ll", strategy, hold=hold),
            ),
            RoutingRule(
                key="vip", rule=parse("employees == 7"), target=Target.rep("ben", hold=hold)
            ),
        ),
        default=Target.team("rr", hold=hold) if with_default else None,
    )
    teams = (
        Team(id="rr", name="RR", rep_ids=tuple(rr)),
        Team(id="ll", name="LL", rep_ids=tuple(ll)),
    )

    def run() -> list[RoutingDecision]:
        state = RoutingState()
        out = []
        for employees, minute in leads:  # not in order: a week may come back
            subject = {} if employees is None else {"employees": employees}
            d = route(
                table,
                subject,
                state=state,
                at=MONDAY + timedelta(minutes=minute),
                reps=None if use_reps is None else REPS if use_reps == "tuple" else list(REPS),
                teams=teams,
            )
            state = d.state
            out.append(d)
        return out

    fast, general = _both(run, _general_paths)
    assert fast == general
    assert _shapes(fast) == _shapes(general)
