"""Outreach call metrics, customers and retention, renewals, reporting periods."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from salescore.analytics import (
    ReportingCalendar,
    customer_report,
    outreach_report,
    predictive_clv,
    renewals_by_service,
)
from salescore.domain.interactions import Interaction
from salescore.domain.service import CsatResponse, ServiceCase, SlaPolicy, SlaTarget
from salescore.errors import ValidationError
from salescore.money import Money
from tests.analytics._deals import T0, deal

NOON = datetime(2026, 2, 3, 12, 0, tzinfo=UTC)
M = timedelta(minutes=1)


def call(
    n: int, rep: str, disposition: str, minutes: float | None = None, **kw: object
) -> Interaction:
    return Interaction.call(
        id=f"call-{n}",
        at=NOON + n * timedelta(hours=1),
        actor="dialer",
        rep_id=rep,
        disposition=disposition,
        duration=None if minutes is None else minutes * M,
        **kw,  # type: ignore[arg-type]
    )


CALLS = [
    call(0, "ana", "no_answer"),
    call(1, "ana", "connected", 5),
    call(2, "ana", "meeting_booked", 12),
    call(3, "ana", "voicemail_left", 1),
    call(4, "ben", "connected", 1),
    call(5, "ben", "not_interested"),
    call(6, "ben", "meeting_booked", 3, direction="inbound"),  # not a dial
    Interaction.email(
        id="mail", at=NOON, actor="ana", kind="sent", message_id="<m@x>", direction="outbound"
    ),
]


def test_outreach_overall_and_by_rep() -> None:
    report = outreach_report(iter(CALLS))
    m = report.group()
    assert (m.dials, m.connects, m.conversations, m.meetings_booked) == (6, 4, 2, 1)
    assert m.connect_rate == 4 / 6
    assert m.meetings_per_100_dials == pytest.approx(100 / 6)
    by_rep = outreach_report(CALLS, by="rep")
    ana, ben = by_rep.groups
    assert (ana.key, ana.dials, ana.connects, ana.conversations, ana.meetings_booked) == (
        "ana",
        4,
        2,
        2,
        1,
    )
    assert ana.meetings_per_100_dials == 25.0
    assert (ben.key, ben.dials, ben.connects, ben.conversations) == ("ben", 2, 2, 0)
    assert by_rep.to_rows()[1]["connect_rate"] == 1.0


def test_outreach_by_local_hour_and_by_step() -> None:
    tokyo = timezone(timedelta(hours=9))
    by_hour = outreach_report(CALLS, by="hour", zone={"ana": tokyo})
    # ana called at 12–15 UTC (21, 22, 23, 0 in Tokyo); ben at 16 and 17 UTC
    assert [(g.key, g.dials) for g in by_hour.groups] == [
        (0, 1),
        (16, 1),
        (17, 1),
        (21, 1),
        (22, 1),
        (23, 1),
    ]
    one_zone = outreach_report(CALLS, by="hour", zone=tokyo)
    assert [g.key for g in one_zone.groups] == [0, 1, 2, 21, 22, 23]
    steps = {"call-0": 1, "call-1": 1, "call-2": 2, "call-3": 2}
    by_step = outreach_report(CALLS, by=lambda i: steps.get(i.id))
    assert [(g.key, g.dials, g.meetings_booked) for g in by_step.groups] == [
        (None, 2, 0),
        (1, 2, 0),
        (2, 2, 1),
    ]
    with pytest.raises(ValidationError, match="by"):
        outreach_report(CALLS, by="team")
    with pytest.raises(ValidationError, match="conversation_after"):
        outreach_report(CALLS, conversation_after=-M)


def test_customers_retention_and_value() -> None:
    won = [
        deal("a1", "100", days=0, won_after=0, account="A"),  # Q1 2026
        deal("a2", "300", days=100, won_after=0, account="A"),  # Q2
        deal("b1", "200", days=10, won_after=0, account="B"),  # Q1
        deal("c1", "400", days=95, won_after=0, account="C"),  # Q2
        deal("c2", "100", days=200, won_after=0, account="C"),  # Q3
        deal("x", "999", days=0, lost_after=1, account="A"),
        deal("y", "999", days=0, won_after=1),  # no account
    ]
    report = customer_report(iter(won), currency="EUR")
    assert report.customers == 3
    assert report.repeat_purchase_rate == 2 / 3
    assert report.revenue == Money("1100", "EUR")
    assert report.lifetime_value == Money("1100", "EUR") / 3
    assert report.average_order_value == Money("220", "EUR")
    assert [(c.period, c.customers, c.active) for c in report.cohorts] == [
        ("2026-Q1", 2, (2, 1, 0)),
        ("2026-Q2", 1, (1, 1)),
    ]
    assert report.cohorts[0].retention == (1.0, 0.5, 0.0)
    assert report.cohorts[0].churn == 0.5
    assert report.cohorts[1].churn == 0.0
    assert report.revenue_by_age == (Money("700", "EUR"), Money("400", "EUR"))
    assert report.to_rows()[0] == {
        "period": "2026-Q1",
        "customers": 2,
        "churn": 0.5,
        "retention_0": 1.0,
        "retention_1": 0.5,
        "retention_2": 0.0,
    }
    empty = customer_report([], currency="EUR")
    assert empty.customers == 0
    assert empty.lifetime_value is None


def test_predictive_clv() -> None:
    clv = predictive_clv(Money("200", "EUR"), 2, 0.25, margin=0.5)
    assert clv == Money("800", "EUR")
    assert predictive_clv(Money("10", "EUR"), 1.5, 1.0) == Money("15", "EUR")
    with pytest.raises(ValidationError, match="churn_rate"):
        predictive_clv(Money("1", "EUR"), 1, 0)
    with pytest.raises(ValidationError, match="margin"):
        predictive_clv(Money("1", "EUR"), 1, 0.5, margin=2)


def test_renewals_by_service_experience() -> None:
    policy = SlaPolicy(
        name="p",
        targets=[
            SlaTarget(
                metric="first_reply",
                priority="normal",
                duration=timedelta(hours=1),
                business_time=False,
            )
        ],
    )

    def case(id: str, account: str, reply_after: float, score: int | None) -> ServiceCase:
        c = ServiceCase.open(
            id=id,
            at=T0,
            actor="g",
            requester_id="r",
            subject="s",
            account_id=account,
            sla_policy=policy,
        )
        c = c.reply("hi", at=T0 + timedelta(hours=reply_after), actor="agent")
        if score is not None:
            c = c.record_satisfaction(
                CsatResponse(score=score, at=T0 + timedelta(days=1)), actor="s"
            )
        return c

    cases = [case("1", "A", 0.5, 5), case("2", "B", 3, 2), case("3", "C", 0.5, None)]
    renewals = [
        deal("rA", "10", account="A", won_after=30, type="renewal"),
        deal("rB", "10", account="B", lost_after=30, type="renewal"),
        deal("rC", "10", account="C", won_after=30, type="renewal"),
        deal("rD", "10", account="C"),  # open: left out
    ]
    report = renewals_by_service(renewals, cases, at=T0 + timedelta(days=60))
    rows = [(e.factor, e.value, e.renewals, e.won, e.renewal_rate) for e in report.effects]
    assert rows == [
        ("sla_breach", False, 2, 2, 1.0),
        ("sla_breach", True, 1, 0, 0.0),
        ("csat", "satisfied", 1, 1, 1.0),
        ("csat", "unsatisfied", 1, 0, 0.0),
        ("csat", None, 1, 1, 1.0),
    ]
    assert report.get("csat", "unsatisfied") is not None
    assert report.get("csat", "meh") is None


def test_reporting_calendar() -> None:
    cal = ReportingCalendar(fiscal_year_start=2)
    assert cal.label(date(2026, 1, 15), "quarter") == "FY2025-Q4"
    assert cal.label(date(2026, 2, 1), "quarter") == "FY2026-Q1"
    assert cal.label(date(2026, 2, 1), "year") == "FY2026"
    plain = ReportingCalendar()
    assert plain.label(date(2026, 12, 31), "quarter") == "2026-Q4"
    assert plain.label(date(2026, 12, 31), "week") == "2026-W53"
    assert plain.label(datetime(2026, 1, 1, 3, tzinfo=UTC), "month") == "2026-01"
    ny = ReportingCalendar(zone=timezone(timedelta(hours=-5)))
    assert ny.label(datetime(2026, 1, 1, 3, tzinfo=UTC), "month") == "2025-12"
    assert cal.index(date(2026, 4, 30), "quarter") - cal.index(date(2026, 1, 31), "quarter") == 1
    assert plain.index(date(2026, 1, 5), "week") - plain.index(date(2026, 1, 4), "week") == 1
    with pytest.raises(ValidationError, match="fiscal_year_start"):
        ReportingCalendar(fiscal_year_start=13)
    with pytest.raises(ValidationError, match="at"):
        plain.label(datetime(2026, 1, 1), "month")


def test_a_reporting_calendar_takes_a_zone_by_its_iana_name() -> None:
    from zoneinfo import ZoneInfo

    tokyo = ReportingCalendar(zone="Asia/Tokyo", fiscal_year_start=4)
    assert tokyo == ReportingCalendar(zone=ZoneInfo("Asia/Tokyo"), fiscal_year_start=4)
    # 20:00 UTC on 31 March is 05:00 on 1 April in Tokyo: the next fiscal year.
    assert tokyo.label(datetime(2026, 3, 31, 20, tzinfo=UTC), "quarter") == "FY2026-Q1"
    with pytest.raises(ValidationError) as info:
        ReportingCalendar(zone="Asia/Tokio")
    assert [(e.path, e.value, e.message) for e in info.value.errors] == [
        ("zone", "Asia/Tokio", "is not an IANA time zone")
    ]
    with pytest.raises(ValidationError, match="zone: must be a tzinfo or an IANA zone name"):
        ReportingCalendar(zone=9)  # type: ignore[arg-type]


def test_outreach_by_hour_takes_zones_by_their_iana_names() -> None:
    from zoneinfo import ZoneInfo

    t0 = datetime(2026, 3, 2, 8, tzinfo=UTC)
    calls = [
        Interaction.call(
            id=f"c{i}",
            at=t0 + timedelta(hours=i),
            actor="dialer",
            rep_id="ana" if i % 2 else "bo",
            disposition="connected",
        )
        for i in range(4)
    ]
    by_name = outreach_report(calls, by="hour", zone="Asia/Tokyo")
    assert by_name == outreach_report(calls, by="hour", zone=ZoneInfo("Asia/Tokyo"))
    assert [g.key for g in by_name.groups] == [17, 18, 19, 20]
    # bo (08:00, 10:00 UTC) is not in the mapping: UTC; ana (09:00, 11:00 UTC) in Tokyo.
    mixed = outreach_report(calls, by="hour", zone={"ana": "Asia/Tokyo"})
    assert [g.key for g in mixed.groups] == [8, 10, 18, 20]
    with pytest.raises(ValidationError) as info:
        outreach_report(calls, by="hour", zone={"ana": "Asia/Tokio"})
    assert [(e.path, e.value, e.message) for e in info.value.errors] == [
        ("zone.ana", "Asia/Tokio", "is not an IANA time zone")
    ]


@given(st.permutations(CALLS))
def test_outreach_does_not_depend_on_input_order(calls: list[Interaction]) -> None:
    assert outreach_report(calls, by="rep") == outreach_report(CALLS, by="rep")


def test_an_unknown_outreach_grouping_is_refused_naming_the_choices() -> None:
    with pytest.raises(ValidationError) as info:
        outreach_report(CALLS, by="team")
    error = info.value.errors[0]
    assert (error.path, error.value, error.message) == (
        "by",
        "team",
        "must be rep, hour or a function",
    )
    with pytest.raises(ValidationError):
        outreach_report(CALLS, by=("rep",))  # type: ignore[arg-type]
