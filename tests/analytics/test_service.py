"""Service metrics: hand-computed cases, SLA attainment from the clocks, groups."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from salescore.analytics import csat, nps, service_report
from salescore.domain.service import (
    CesResponse,
    CsatResponse,
    NpsResponse,
    ServiceCase,
    SlaPolicy,
    SlaTarget,
)
from salescore.errors import NotFound, ValidationError

T0 = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)
H = timedelta(hours=1)
POLICY = SlaPolicy(
    name="standard",
    targets=[
        SlaTarget(metric=m, priority=p, duration=d, business_time=False)
        for m, p, d in [
            ("first_reply", "normal", 2 * H),
            ("first_reply", "high", 1 * H),
            ("resolution", "normal", 8 * H),
            ("resolution", "high", 4 * H),
        ]
    ],
)


def at(hours: float) -> datetime:
    return T0 + hours * H


def opened(id: str, hours: float, **kw: object) -> ServiceCase:
    return ServiceCase.open(
        id=id,
        at=at(hours),
        actor="gateway",
        requester_id="contact-" + id,
        subject="Help",
        sla_policy=POLICY,
        **kw,  # type: ignore[arg-type]
    )


def cases() -> list[ServiceCase]:
    c1 = opened("c1", 0, group_id="g1", assignee_id="a1")
    c1 = c1.reply("On it", at=at(1), actor="a1")
    c1 = c1.reply("Still broken", at=at(2), actor="x", author_kind="customer")
    c1 = c1.reply("Fixed", at=at(5), actor="a1")
    c1 = c1.solve(at=at(6), actor="a1")
    c1 = c1.record_satisfaction(CsatResponse(score=5, at=at(7)), actor="survey")
    c1 = c1.record_satisfaction(NpsResponse(score=10, at=at(7)), actor="survey")

    c2 = opened("c2", 0, group_id="g1", assignee_id="a2", channel="phone", priority="high")
    c2 = c2.reply("Looking", at=at(3), actor="a2")
    c2 = c2.solve(at=at(10), actor="a2")
    c2 = c2.reopen(at=at(11), actor="x")
    c2 = c2.solve(at=at(12), actor="a2")
    c2 = c2.record_satisfaction(CsatResponse(score=2, at=at(13)), actor="survey")
    c2 = c2.record_satisfaction(NpsResponse(score=3, at=at(13)), actor="survey")
    c2 = c2.record_satisfaction(CesResponse(score=6, at=at(13)), actor="survey")

    c3 = opened("c3", 1, group_id="g2", assignee_id="a1")

    c4 = opened("c4", 2, group_id="g2", assignee_id="a2", channel="chat", priority="low")
    c4 = c4.reply("Done", at=at(2.5), actor="a2", status="solved")

    late = opened("c5", 30, group_id="g2")  # after the evaluation instant
    return [c1, c2, c3, c4, late]


def test_overall_metrics() -> None:
    report = service_report(iter(cases()), at=at(20))
    m = report.group()
    assert (m.cases, m.backlog) == (4, 1)
    assert m.backlog_median_age == m.backlog_oldest == 19 * H
    assert m.first_reply == 1 * H  # 1h, 3h, 30min
    assert m.first_reply_business == 2 * H  # clocks of c1 (1h) and c2 (3h)
    assert m.next_reply == 3 * H
    assert m.next_reply_business is None  # no next-reply target
    assert m.resolution == 6 * H  # 6h, 12h, 30min
    # met: c1 first reply and resolution; missed: c2 both (late), c3 both (overdue)
    assert m.sla_attainment == 2 / 6
    assert m.reopen_rate == 1 / 3
    assert m.first_contact_resolution == 1 / 3  # only c4
    assert m.csat == 0.5
    assert m.nps == 0.0
    assert m.ces == 6.0
    assert m.responses == 5


def test_sla_attainment_per_metric_and_priority() -> None:
    report = service_report(cases(), at=at(20))
    rows = [(s.metric, s.priority, s.met, s.missed, s.open, s.attainment) for s in report.sla]
    assert rows == [
        ("first_reply", "high", 0, 1, 0, 0.0),
        ("first_reply", "normal", 1, 1, 0, 0.5),
        ("resolution", "high", 0, 1, 0, 0.0),
        ("resolution", "normal", 1, 1, 0, 0.5),
    ]
    early = service_report(cases(), at=at(1.5))
    assert early.group().backlog == 3  # c1, c2 and c3 were open then; c4 not yet
    assert early.group().first_reply == 1 * H
    assert early.group().csat is None
    res = [s for s in early.sla if s.metric == "resolution" and s.priority == "normal"]
    assert [(s.met, s.missed, s.open) for s in res] == [(0, 0, 2)]
    assert early.sla_rows()[0]["metric"] == "first_reply"


def test_groups() -> None:
    by_group = service_report(cases(), at=at(20), by="group")
    assert [g.key for g in by_group.groups] == ["g1", "g2"]
    g1 = by_group.group("g1")
    assert (g1.cases, g1.backlog, g1.reopen_rate, g1.csat) == (2, 0, 0.5, 0.5)
    by_agent = service_report(cases(), at=at(20), by="agent")
    a1 = by_agent.group("a1")
    assert a1.resolution == a1.resolution_business == 6 * H
    by_channel = service_report(cases(), at=at(20), by="channel")
    assert [g.key for g in by_channel.groups] == ["chat", "email", "phone"]
    by_period = service_report(cases(), at=at(40), by="period", period="week")
    assert [(g.key, g.cases) for g in by_period.groups] == [("2026-W02", 5)]
    custom = service_report(cases(), at=at(20), by=lambda c: c.priority == "high")
    assert [(g.key, g.cases) for g in custom.groups] == [(False, 3), (True, 1)]
    assert custom.to_rows()[1]["key"] is True
    with pytest.raises(ValidationError, match="by"):
        service_report(cases(), at=at(20), by="weather")
    with pytest.raises(ValidationError, match="at"):
        service_report(cases(), at=datetime(2026, 1, 1))
    with pytest.raises(NotFound):
        by_group.group("g9")


def test_score_helpers() -> None:
    assert csat([5, 4, 3, 1]) == 0.5
    assert csat([]) is None
    assert nps([10, 9, 8, 7, 6, 0]) == 0.0
    assert nps([10, 10, 7, 0]) == 0.25
    assert nps([]) is None


def test_an_unknown_grouping_is_refused_naming_the_choices() -> None:
    at = datetime(2026, 3, 2, tzinfo=UTC)
    with pytest.raises(ValidationError) as info:
        service_report([], at=at, by="team")
    error = info.value.errors[0]
    assert (error.path, error.value) == ("by", "team")
    assert error.message == "must be group, agent, channel, priority, period or a function"
    with pytest.raises(ValidationError):
        service_report([], at=at, by=["group"])  # type: ignore[arg-type]
    assert service_report([], at=at, by=lambda c: 1).by == "<lambda>"
