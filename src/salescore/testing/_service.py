"""Strategies for service cases, SLA policies, clocks and satisfaction answers."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from hypothesis import strategies as st

from salescore.calendar import BusinessCalendar
from salescore.domain.interactions import Channel
from salescore.domain.service import (
    AuthorKind,
    CesResponse,
    CsatResponse,
    EscalationRule,
    NpsResponse,
    Priority,
    ServiceCase,
    SlaMetric,
    SlaPolicy,
    SlaTarget,
)
from salescore.testing._foundation import texts

__all__ = [
    "ces_responses",
    "csat_responses",
    "escalation_rules",
    "nps_responses",
    "service_cases",
    "sla_policies",
    "sla_targets",
]

_START = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)
_CALENDAR = BusinessCalendar.weekdays(time(9), time(17), tz="Europe/Berlin")


def _durations(max_hours: int = 48) -> st.SearchStrategy[timedelta]:
    quarters = st.integers(min_value=1, max_value=max_hours * 4)
    return quarters.map(lambda q: timedelta(minutes=15 * q))


def sla_targets(
    calendar: BusinessCalendar | None = _CALENDAR,
) -> st.SearchStrategy[SlaTarget]:
    """SLA targets of any metric and priority, in business or calendar time.

    Args:
        calendar: The calendar a business-time target carries (``None``: the
            targets are in calendar time).
    """
    return st.builds(
        SlaTarget,
        metric=st.sampled_from(SlaMetric),
        priority=st.sampled_from(Priority),
        duration=_durations(),
        business_time=st.just(calendar is not None),
        calendar=st.just(calendar),
    )


@st.composite
def _policies(draw: st.DrawFn, calendar: BusinessCalendar) -> SlaPolicy:
    keys = draw(
        st.lists(
            st.tuples(st.sampled_from(SlaMetric), st.sampled_from(Priority)),
            unique=True,
            max_size=8,
        )
    )
    targets = [
        SlaTarget(
            metric=m,
            priority=p,
            duration=draw(_durations()),
            business_time=draw(st.booleans()),
        )
        for m, p in keys
    ]
    condition = draw(
        st.sampled_from(
            [None, "priority == 'urgent'", "category == 'billing'", "channel in ['phone', 'chat']"]
        )
    )
    return SlaPolicy(
        name=draw(st.from_regex(r"[A-Za-z][A-Za-z0-9 ]{0,15}", fullmatch=True)),
        targets=targets,
        calendar=calendar,
        applies_when=condition,
    )


def sla_policies(calendar: BusinessCalendar = _CALENDAR) -> st.SearchStrategy[SlaPolicy]:
    """SLA policies with up to eight targets on one calendar, with or without a condition."""
    return _policies(calendar)


def escalation_rules() -> st.SearchStrategy[EscalationRule]:
    """Escalation rules with one trigger each and an optional condition."""
    base = {
        "name": st.from_regex(r"[a-z][a-z0-9-]{0,11}", fullmatch=True),
        "metric": st.sampled_from(SlaMetric),
        "when": st.sampled_from([None, "priority == 'urgent'"]),
    }
    return st.one_of(
        st.builds(EscalationRule, at_fraction=st.floats(0.1, 1.5), **base),
        st.builds(EscalationRule, before_due=_durations(8), **base),
        st.builds(EscalationRule, after_breach=st.just(True), overdue_by=_durations(8), **base),
    )


def _scores(cls: type[CsatResponse | NpsResponse | CesResponse]) -> st.SearchStrategy[int]:
    low, high = cls.scale
    return st.integers(min_value=low, max_value=high)


def _responses(
    cls: type[CsatResponse | NpsResponse | CesResponse],
) -> st.SearchStrategy[CsatResponse | NpsResponse | CesResponse]:
    return st.builds(
        cls,
        score=_scores(cls),
        at=st.integers(0, 60 * 24 * 365).map(lambda m: _START + timedelta(minutes=m)),
        case_id=st.one_of(st.none(), st.just("case-1")),
        respondent_id=st.one_of(st.none(), st.just("contact-1")),
        comment=st.one_of(st.none(), texts(max_size=20, multiline=True)),
    )


def csat_responses() -> st.SearchStrategy[CsatResponse]:
    """CSAT answers (1–5)."""
    return _responses(CsatResponse)  # type: ignore[return-value]


def nps_responses() -> st.SearchStrategy[NpsResponse]:
    """NPS answers (0–10)."""
    return _responses(NpsResponse)  # type: ignore[return-value]


def ces_responses() -> st.SearchStrategy[CesResponse]:
    """CES answers (1–7)."""
    return _responses(CesResponse)  # type: ignore[return-value]


@st.composite
def _cases(draw: st.DrawFn, policy: SlaPolicy | None) -> ServiceCase:
    at = _START + timedelta(minutes=draw(st.integers(0, 60 * 24 * 30)))
    case = ServiceCase.open(
        id=draw(st.from_regex(r"case-[0-9]{1,6}", fullmatch=True)),
        at=at,
        actor="gateway",
        requester_id="contact-1",
        subject=draw(st.sampled_from(["Cannot log in", "Invoice wrong", "Crash on start"])),
        channel=draw(st.sampled_from([Channel.EMAIL, Channel.PHONE, Channel.CHAT])),
        priority=draw(st.sampled_from(Priority)),
        category=draw(st.sampled_from([None, "billing", "bug"])),
        sla_policy=policy,
    )
    steps = draw(st.integers(0, 8))
    for _ in range(steps):
        at += timedelta(minutes=draw(st.integers(0, 60 * 30)))
        action = draw(st.sampled_from(["agent", "customer", "note", "status", "priority"]))
        if case.status == "closed":
            break
        if action == "agent":
            case = case.reply("We are on it.", at=at, actor="rep-1", author_kind=AuthorKind.AGENT)
        elif action == "customer":
            case = case.reply("Any news?", at=at, actor="contact-1", author_kind="customer")
        elif action == "note":
            case = case.add_note("Checked the logs.", at=at, actor="rep-1")
        elif action == "priority":
            case = case.change_priority(draw(st.sampled_from(Priority)), at=at, actor="rep-1")
        else:
            allowed = sorted(case.funnel("case_status").allowed_moves(case.status) - {"closed"})
            if case.status == "solved":
                allowed = ["closed"]
            case = case.move_to(draw(st.sampled_from(allowed)), at=at, actor="rep-1")
    return case


def service_cases(policy: SlaPolicy | None = None) -> st.SearchStrategy[ServiceCase]:
    """Service cases with a short random history of replies, notes and moves.

    Args:
        policy: An SLA policy applied at opening (``None``: a drawn policy or none).
    """
    if policy is not None:
        return _cases(policy)
    return st.one_of(st.none(), sla_policies()).flatmap(_cases)
