"""A support desk in two regions: a week of cases, replies and pauses, and their SLAs.

Two teams, one in Berlin and one in New York, each work 9–17 on weekdays in
their own time zone (with their own public holidays). Each region has one
SLA policy with targets per priority; a case gets its region's policy through
the policies' conditions. A scripted week of cases follows — replies,
customers who take their time (pending), a vendor ticket (on hold), a
priority raised mid-way, a duplicate merged — and at the end the desk prints
the SLA status of every case and the escalations that would fire.

Run with ``python examples/service_desk.py``.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from salescore.calendar import BusinessCalendar
from salescore.domain.service import (
    CsatResponse,
    EscalationRule,
    ServiceCase,
    SlaPolicy,
    SlaTarget,
    evaluate_escalations,
    merge_cases,
    sla_clocks,
)
from salescore.ids import DeterministicIds

H = timedelta(hours=1)

BERLIN = BusinessCalendar.weekdays(
    time(9), time(17), tz="Europe/Berlin", holidays=[date(2026, 12, 24), date(2026, 12, 31)]
)
NEW_YORK = BusinessCalendar.weekdays(
    time(9),
    time(17),
    tz="America/New_York",
    # Columbus Day: the second Monday of October.
    holiday_rules=["FREQ=YEARLY;BYMONTH=10;BYDAY=2MO"],
)

# Targets per priority: (first reply, next reply, resolution), in business hours.
TIERS = {
    "urgent": (1 * H, 1 * H, 8 * H),
    "high": (2 * H, 4 * H, 16 * H),
    "normal": (4 * H, 8 * H, 24 * H),
    "low": (8 * H, 16 * H, 40 * H),
}


def region_policy(name: str, region: str, calendar: BusinessCalendar) -> SlaPolicy:
    targets = []
    for priority, (first, following, resolution) in TIERS.items():
        targets += [
            SlaTarget(metric="first_reply", priority=priority, duration=first),
            SlaTarget(metric="next_reply", priority=priority, duration=following),
            SlaTarget(metric="resolution", priority=priority, duration=resolution),
        ]
    return SlaPolicy(
        name=name,
        calendar=calendar,
        applies_when=f"group_id == '{region}'",
        targets=targets,
    )


POLICIES = [
    region_policy("EMEA business hours", "emea", BERLIN),
    region_policy("Americas business hours", "amer", NEW_YORK),
]

ESCALATIONS = [
    EscalationRule(name="resolution 80%", metric="resolution", at_fraction=0.8),
    EscalationRule(
        name="urgent breach", metric="resolution", after_breach=True, when="priority == 'urgent'"
    ),
    EscalationRule(name="reply overdue", metric="next_reply", after_breach=True),
]


def at(day: int, hour: int, minute: int = 0) -> datetime:
    """An instant in UTC during the week starting Monday 12 October 2026."""
    return datetime(2026, 10, 12 + day, hour, minute, tzinfo=UTC)


def open_case(
    ids: DeterministicIds, when: datetime, region: str, subject: str, priority: str
) -> ServiceCase:
    case = ServiceCase.open(
        id=ids.new("case"),
        at=when,
        actor="email-gateway",
        requester_id=ids.new("contact"),
        subject=subject,
        priority=priority,
        group_id=region,
    )
    return case.choose_sla_policy(POLICIES, at=when, actor="sla-router")


def week(ids: DeterministicIds) -> list[ServiceCase]:
    """A scripted week of cases (times in UTC: Berlin is UTC+2, New York UTC-4)."""
    # Berlin: a login problem answered fast and solved the same day.
    login = open_case(ids, at(0, 7, 30), "emea", "Cannot log in", "high")
    login = login.reply("Please reset your password here.", at=at(0, 8), actor="rep-anna")
    login = login.solve(at=at(0, 8, 5), actor="rep-anna")
    login = login.record_satisfaction(CsatResponse(score=5, at=at(0, 12)), actor="survey")

    # Berlin: an invoice question, waiting on the customer for two days.
    invoice = open_case(ids, at(0, 14), "emea", "Invoice shows the wrong VAT", "normal")
    invoice = invoice.reply(
        "Which invoice number?", at=at(0, 15), actor="rep-ben", status="pending"
    )
    invoice = invoice.reply("It is INV-2231", at=at(2, 9), actor="customer", author_kind="customer")
    invoice = invoice.reply("Corrected, see attachment.", at=at(2, 11), actor="rep-ben")
    invoice = invoice.solve(at=at(2, 11), actor="rep-ben")

    # Berlin: an outage report, raised to urgent, waiting on the hosting vendor.
    outage = open_case(ids, at(1, 13), "emea", "API returns 502", "normal")
    outage = outage.change_priority("urgent", at=at(1, 13, 20), actor="rep-anna")
    outage = outage.reply("We are on it.", at=at(1, 13, 30), actor="rep-anna")
    outage = outage.move_to("on_hold", at=at(1, 14), actor="rep-anna", reason="vendor ticket")
    outage = outage.move_to("open", at=at(3, 8), actor="rep-anna")
    outage = outage.reply("Any news?", at=at(3, 9), actor="customer", author_kind="customer")

    # New York (Monday is Columbus Day): a feature question opened on the holiday.
    feature = open_case(ids, at(0, 16), "amer", "Can we export to CSV?", "low")
    feature = feature.reply("Yes: Settings → Export.", at=at(1, 15), actor="rep-carl")
    feature = feature.reply("And as Excel?", at=at(1, 16), actor="customer", author_kind="customer")

    # New York: a bug, a duplicate report of it, merged.
    bug = open_case(ids, at(2, 14), "amer", "Report totals are off by one", "high")
    dup = open_case(ids, at(2, 15), "amer", "Totals wrong in report", "high")
    dup, bug = merge_cases(dup, bug, at=at(2, 15, 30), actor="rep-dana")
    bug = bug.reply("Reproduced, fix scheduled.", at=at(2, 16), actor="rep-dana")
    bug = bug.move_to("pending", at=at(3, 14), actor="rep-dana")

    return [login, invoice, outage, feature, bug, dup]


def fmt(delta: timedelta | None) -> str:
    if delta is None:
        return "-"
    sign = "-" if delta < timedelta(0) else ""
    minutes = int(abs(delta).total_seconds()) // 60
    return f"{sign}{minutes // 60}h{minutes % 60:02d}"


def main() -> None:
    ids = DeterministicIds(namespace="service_desk", seed=7)
    cases = week(ids)
    now = at(4, 17)  # Friday 17:00 UTC
    print(f"SLA status at {now.isoformat()}\n")
    header = (
        f"{'case':<22} {'subject':<30} {'prio':<7} {'status':<8} {'metric':<12} "
        f"{'state':<10} {'used':>7} {'paused':>7} {'left':>7}  due (local)"
    )
    print(header)
    print("-" * len(header))
    for case in cases:
        clocks = sla_clocks(case, now)
        if not clocks:
            print(f"{case.id:<22} {case.subject[:30]:<30} {case.priority:<7} {case.status:<8} -")
        for i, c in enumerate(clocks):
            lead = (
                f"{case.id:<22} {case.subject[:30]:<30} {case.priority:<7} {case.status:<8}"
                if i == 0
                else " " * 70
            )
            due = c.due_at.strftime("%a %H:%M %Z") if c.due_at else "-"
            print(
                f"{lead} {c.metric:<12} {c.state:<10} {fmt(c.used):>7} {fmt(c.paused):>7} "
                f"{fmt(c.remaining):>7}  {due}"
            )
    print("\nEscalations that fire now:")
    for case in cases:
        for e in evaluate_escalations(case, sla_clocks(case, now), ESCALATIONS, now):
            print(f"  {case.id}: {e.rule} — {'; '.join(e.reasons)}")
    solved = [c for c in cases if c.is_solved]
    fcr = sum(c.first_contact_resolution for c in solved)
    print(f"\nFirst-contact resolution: {fcr} of {len(solved)} solved cases")
    for case in cases:
        assert ServiceCase.from_events(case.history) == case


if __name__ == "__main__":
    main()
