"""SLA status of many open cases: cases per second.

Target (service issue): evaluate the SLA status (every clock: used, paused,
due, breach) of 100,000 open cases with histories of about ten events each,
and report cases per second. The cases are built with the real API from a
seeded random generator (distinct opening times over two months, replies,
pending and on-hold pauses, priority changes) on two business calendars, then
evaluated at one instant. The baseline is replaying each case from its
history (``ServiceCase.from_events``), measured in the same run.
"""

from __future__ import annotations

import itertools
import random
import statistics
import time as clock
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from benchmarks._harness import compare
from salescore.calendar import BusinessCalendar
from salescore.domain.service import (
    Priority,
    ServiceCase,
    SlaMetric,
    SlaPolicy,
    SlaTarget,
    sla_clocks,
)

H = timedelta(hours=1)
START = datetime(2026, 9, 1, 6, 0, tzinfo=UTC)


def _policy(name: str, calendar: BusinessCalendar) -> SlaPolicy:
    hours = {Priority.URGENT: 1, Priority.HIGH: 2, Priority.NORMAL: 4, Priority.LOW: 8}
    return SlaPolicy(
        name=name,
        calendar=calendar,
        targets=[
            SlaTarget(metric=metric, priority=p, duration=h * factor * H)
            for p, h in hours.items()
            for metric, factor in (
                (SlaMetric.FIRST_REPLY, 1),
                (SlaMetric.NEXT_REPLY, 2),
                (SlaMetric.PERIODIC_UPDATE, 4),
                (SlaMetric.RESOLUTION, 8),
            )
        ],
    )


POLICIES = (
    _policy(
        "emea",
        BusinessCalendar.weekdays(
            time(9),
            time(17),
            tz="Europe/Berlin",
            holidays=[date(2026, 10, 3)],
            holiday_rules=["FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=25,26"],
        ),
    ),
    _policy(
        "amer",
        BusinessCalendar.weekdays(
            time(8),
            time(18),
            tz="America/New_York",
            holiday_rules=["FREQ=YEARLY;BYMONTH=11;BYDAY=4TH"],
        ),
    ),
)


def build_case(rng: random.Random, n: int) -> ServiceCase:
    """One open case with a history of about ten events."""
    at = START + timedelta(minutes=rng.randrange(60 * 24 * 60))
    case = ServiceCase.open(
        id=f"case-{n}",
        at=at,
        actor="gateway",
        requester_id=f"contact-{n % 5000}",
        subject="Something is broken",
        priority=rng.choice(list(Priority)),
        sla_policy=POLICIES[n % 2],
    )
    while case.version < 10:
        at += timedelta(minutes=rng.randrange(5, 60 * 20))
        roll = rng.random()
        if roll < 0.35:
            case = case.reply("agent", at=at, actor="rep-1")
        elif roll < 0.6:
            case = case.reply("customer", at=at, actor="c-1", author_kind="customer")
        elif roll < 0.75 and case.status in ("new", "open"):
            case = case.move_to(rng.choice(["pending", "on_hold"]), at=at, actor="rep-1")
        elif roll < 0.85 and case.status in ("new", "pending", "on_hold"):
            case = case.move_to("open", at=at, actor="rep-1")
        elif roll < 0.95:
            case = case.change_priority(rng.choice(list(Priority)), at=at, actor="rep-1")
        else:
            case = case.add_note("note", at=at, actor="rep-1")
    return case


def build_cases(count: int, seed: int = 6) -> list[ServiceCase]:
    """``count`` distinct open cases."""
    rng = random.Random(seed)
    return [build_case(rng, n) for n in range(count)]


def run(quick: bool = False) -> dict[str, Any]:
    """Evaluate the SLA status of many open cases; report cases per second."""
    count = 5_000 if quick else 100_000
    t0 = clock.perf_counter()
    cases = build_cases(count)
    built = clock.perf_counter() - t0
    now = max(c.updated_at for c in cases) + H
    events = sum(c.version for c in cases)
    print(f"built {count:,} cases ({events / count:.1f} events each) in {built:.1f} s")

    status_iter = itertools.cycle(cases)
    replay_iter = itertools.cycle(cases)
    per_case = compare(
        f"SLA status of one open case (~{events / count:.0f} events), cycling {count:,} cases",
        {
            "replay (from_events)": lambda: ServiceCase.from_events(next(replay_iter).history),
            "sla_clocks": lambda: sla_clocks(next(status_iter), now),
        },
        baseline="replay (from_events)",
        number=count,
        repeats=3 if quick else 5,
        warmup=0,
    )
    # Whole batches, for a plain cases-per-second figure.
    batches = []
    for _ in range(3):
        t = clock.perf_counter()
        clocks = [sla_clocks(c, now) for c in cases]
        batches.append(clock.perf_counter() - t)
    batch = statistics.median(batches)
    total_clocks = sum(len(c) for c in clocks)
    rate = count / batch
    print(
        f"\nall {count:,} cases: median {batch:.2f} s per pass "
        f"({rate:,.0f} cases/s, {total_clocks / count:.1f} clocks per case)"
    )
    return {
        "cases": count,
        "events_per_case": events / count,
        "clocks_per_case": total_clocks / count,
        "per_case": per_case,
        "batch_seconds": batches,
        "cases_per_second": rate,
    }
