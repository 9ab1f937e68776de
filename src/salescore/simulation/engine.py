"""The discrete-event engine: a scenario, a seed, a real workspace.

:func:`simulate` turns a :class:`~salescore.simulation.Scenario` into leads,
calls, e-mails, meetings, deals and service cases, made by the same
:class:`~salescore.workspace.Workspace` operations and domain objects an
application uses. A :class:`~salescore.clock.ManualClock` jumps from one
scheduled event to the next (no fixed time step); randomness comes from one
``random.Random`` seeded by the caller, ids from a
:class:`~salescore.ids.DeterministicIds`, so the same scenario and seed give
the same result, byte for byte.
"""

from __future__ import annotations

import contextlib
import gc
import heapq
import math
import random
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import attrs

from salescore._validation import fail
from salescore.calendar import (
    _DAY_US,
    _EPOCH,
    _EPOCH_ORD,
    _MAX_ORD,
    _MIN_ORD,
    _US,
    BusinessCalendar,
    _duration,
    _instant,
)
from salescore.clock import ManualClock
from salescore.decisions.qualification import Framework, FrameworkItem, RepAnswer, Verdict, assess
from salescore.decisions.routing import RoutingRule, RoutingState, RoutingTable, Target, route
from salescore.decisions.scoring import Criterion, ScoreModel, Threshold, apply_score, score
from salescore.domain.campaigns import Campaign
from salescore.domain.conversion import OpportunitySpec
from salescore.domain.interactions import Interaction
from salescore.domain.leads import Lead, LeadSource
from salescore.domain.parties import PartyKind, PartyRef
from salescore.domain.service import SlaPolicy, SlaTarget
from salescore.domain.team import Rep, RepRole, Team
from salescore.ids import DeterministicIds
from salescore.money import Money
from salescore.rules import Truth, parse
from salescore.simulation.scenario import Scenario, StageSpec, TeamSpec
from salescore.simulation.summary import Summary, _all, summarize
from salescore.storage.memory import InMemoryStore
from salescore.storage.protocols import EventRecord, Store
from salescore.workspace import Workspace

__all__ = ["Progress", "SimulationResult", "simulate"]

#: Called with (work done, work total): simulated business days.
Progress = Callable[[int, int], None]

_ROLE = {"sdr": RepRole.SDR, "ae": RepRole.AE, "support_agent": RepRole.SUPPORT_AGENT}
_DAY = "day"
#: A call's disposition by the outcome of a cadence step.
_DISPOSITION = {
    "opt_out": "do_not_call",
    "meeting": "meeting_booked",
    "connect": "connected",
    "none": "no_answer",
}
#: The instants business calendars work with, as UTC microseconds since 1970: [first, end).
_FIRST_US = (_MIN_ORD - _EPOCH_ORD) * _DAY_US
_END_US = (_MAX_ORD - _EPOCH_ORD) * _DAY_US
#: A call nobody answered lasts no time.
_NO_TIME = timedelta(0)
_ONE = Decimal(1)


@attrs.frozen(kw_only=True)
class SimulationResult:
    """What one run produced.

    Attributes:
        scenario: The scenario's name.
        seed: The seed.
        at: The end of the simulated period (the reports are as of then).
        events: The event log, in commit order.
        interactions: Every call, e-mail and meeting logged.
        summary: The reports as plain numbers (see :class:`Summary`).
    """

    scenario: str
    seed: int
    at: datetime
    events: tuple[EventRecord, ...] = attrs.field(repr=False)
    interactions: tuple[Interaction, ...] = attrs.field(repr=False)
    summary: Summary


def poisson(rng: random.Random, lam: float) -> int:
    """A Poisson draw (Knuth's method, in pieces of at most 30 for large means)."""
    total = 0
    while lam > 0:
        part = min(lam, 30.0)
        lam -= part
        limit, k, p = math.exp(-part), 0, rng.random()
        while p > limit:
            k += 1
            p *= rng.random()
        total += k
    return total


def _pick(
    rng: random.Random, weights: tuple[tuple[str, float], ...], total: float | None = None
) -> str:
    """A value drawn by weight (``total``: their sum, when the caller has it already)."""
    if total is None:
        total = sum(w for _, w in weights)
    x = rng.random() * total
    for value, w in weights:
        x -= w
        if x < 0:
            return value
    return weights[-1][0]


@attrs.define
class _Team:
    spec: TeamSpec
    calendar: BusinessCalendar
    rep_ids: tuple[str, ...]
    day_hours: float
    turn: int = 0
    #: business days -> business microseconds, for the fixed delays of the cadence
    spans: dict[float, int] = attrs.field(factory=dict)


class _Run:
    """The state of one run: the workspace, the clock, the agenda."""

    def __init__(self, scenario: Scenario, seed: int, store: Store, progress: Progress | None):
        self.s = scenario
        self.seed = seed
        # Separate random streams, so that a variant that changes one part of
        # the organisation sees the same arrivals and the same lead outcomes.
        self.arrivals = random.Random(f"{seed}/leads")
        self.service_rng = random.Random(f"{seed}/service")
        self.streams: dict[str, random.Random] = {}
        self.zone = ZoneInfo(scenario.timezone)
        self.start = datetime.combine(scenario.start, time(0), self.zone).astimezone(UTC)
        self.end = self.start + timedelta(days=scenario.days)
        self.clock = ManualClock(self.start)
        self.ids = DeterministicIds(namespace="sim", seed=seed)
        self.progress = progress
        self.agenda: list[tuple[datetime, int, str, tuple[Any, ...]]] = []
        self.seq = 0
        self.leads = 0
        self.counts: dict[tuple[str, date, str], int] = {}
        self.teams = {t.key: self._team(t) for t in scenario.teams}
        self.team_of = {rep: team for team in self.teams.values() for rep in team.rep_ids}
        self.company = BusinessCalendar.weekdays(
            time(9), time(17), tz=self.zone, holidays=scenario.holidays
        )
        self.days = [
            d
            for d in (scenario.start + timedelta(days=i) for i in range(scenario.days))
            if self.company.hours_on(d)
        ]
        self.score_model = self._score_model()
        self.routing = RoutingTable(
            key="scenario",
            rules=tuple(
                RoutingRule(key=f"route-{i}", rule=parse(r.rule), target=Target.team(r.team))
                for i, r in enumerate(scenario.routes)
            ),
            default=Target.team(scenario.default_team),
        )
        self.routing_state = RoutingState()
        self.framework = Framework(
            key="scenario",
            name="Scenario qualification",
            items=tuple(
                FrameworkItem(
                    key=q.key,
                    question=f"{q.key}?",
                    rule=None if q.rule is None else parse(q.rule),
                )
                for q in scenario.qualification
            ),
        )
        self.ws = Workspace(
            store,
            clock=self.clock,
            ids=self.ids,
            score_model=self.score_model,
            routing=self.routing,
            framework=self.framework,
            sla_policies=self._sla(),
        )
        # The workspace's units of work are the store's.
        self.unit_of_work = store.unit_of_work
        self.reps: list[Rep] = []
        self.team_records: list[Team] = []
        self.directory: tuple[tuple[Rep, ...], tuple[Team, ...]] = ((), ())
        self.customers: list[tuple[str, str | None]] = []
        self.case_queue: list[tuple[int, int, str]] = []
        self.busy: dict[str, int] = {}
        self.stage_rules = {
            st.key: tuple((parse(w.rule), w) for w in st.when) for st in scenario.pipeline.stages
        }
        self.stage_index = {st.key: i for i, st in enumerate(scenario.pipeline.stages)}
        # one (immutable) source per lead source, shared by its leads
        self.lead_sources = tuple(
            LeadSource(channel=s.channel, campaign_id=s.key) for s in scenario.sources
        )
        self.lead_fields: dict[str, dict[str, Any]] = {}
        # the lead as a party, while its cadence runs
        self.parties: dict[str, PartyRef] = {}
        # per source: its attributes with the sum of their weights (as _pick adds them)
        self.attributes = tuple(
            tuple((name, weights, sum(w for _, w in weights)) for name, weights in s.attributes)
            for s in scenario.sources
        )
        # per cadence step: its subject and the bounds of its outcomes (as on_step adds them)
        self.steps = tuple(
            (
                step,
                f"{i + 1}: {step.kind}",
                step.opt_out,
                step.opt_out + step.meeting,
                step.opt_out + step.meeting + step.connect + step.reply,
            )
            for i, step in enumerate(scenario.cadence)
        )
        # a deal's base amount and the days to its expected close
        self.deal_terms = (
            Decimal(scenario.pipeline.amount),
            sum(st.days for st in scenario.pipeline.stages) * 1.4,
        )
        for team in self.teams.values():
            for days in {0.05, 1.0, *(step.business_days for step in scenario.cadence)}:
                hours = days * team.day_hours
                if hours >= 0:
                    team.spans[days] = timedelta(hours=hours) // _US

    # -- set-up ---------------------------------------------------------------------------

    def _team(self, spec: TeamSpec) -> _Team:
        cal = BusinessCalendar.weekdays(
            spec.hours[0], spec.hours[1], tz=self.zone, holidays=self.s.holidays
        )
        start = datetime.combine(date(2000, 1, 3), spec.hours[0])
        end = datetime.combine(date(2000, 1, 3), spec.hours[1])
        ids = tuple(f"{spec.key}-{i + 1}" for i in range(spec.reps))
        return _Team(spec, cal, ids, (end - start).total_seconds() / 3600)

    def _score_model(self) -> ScoreModel:
        thresholds = (Threshold(key="mql", score=self.s.mql, stage="mql"),) if self.s.mql else ()
        return ScoreModel(
            key="scenario",
            criteria=tuple(
                Criterion(key=c.key, rule=parse(c.rule), points=c.points) for c in self.s.criteria
            ),
            thresholds=thresholds,
        )

    def _sla(self) -> tuple[SlaPolicy, ...]:
        service = self.s.service
        if service is None or not service.sla:
            return ()
        targets = []
        for spec in service.sla:
            targets.append(
                SlaTarget(
                    metric="first_reply",
                    priority=spec.priority,
                    duration=timedelta(hours=spec.first_reply_hours),
                )
            )
            targets.append(
                SlaTarget(
                    metric="resolution",
                    priority=spec.priority,
                    duration=timedelta(hours=spec.resolution_hours),
                )
            )
        cal = self.teams[service.team].calendar
        return (SlaPolicy(name="scenario", targets=tuple(targets), calendar=cal),)

    def setup(self) -> None:
        at = self.start
        with self.ws.unit_of_work() as uow:
            for team in self.teams.values():
                role = _ROLE[team.spec.role]
                record = Team(id=team.spec.key, name=team.spec.key, rep_ids=team.rep_ids)
                uow.teams.add(record)
                self.team_records.append(record)
                for rep_id in team.rep_ids:
                    rep = Rep(
                        id=rep_id,
                        name=rep_id,
                        role=role,
                        calendar=team.calendar,
                        capacities={
                            "calls_per_day": team.spec.calls_per_day,
                            "meetings_per_day": team.spec.meetings_per_day,
                            "open_cases": team.spec.cases_at_once,
                        },
                        team_id=team.spec.key,
                    )
                    uow.reps.add(rep)
                    self.reps.append(rep)
            for source in self.s.sources:
                campaign = Campaign.new(
                    id=source.key, at=at, actor="marketing", name=source.key, type="other"
                )
                cost = Money(source.cost, self.s.currency)
                if cost:
                    campaign = campaign.record_cost(cost, at=at, actor="marketing")
                uow.campaigns.add(campaign)
        # Fixed from now on: routing indexes the same tuples once.
        self.directory = (tuple(self.reps), tuple(self.team_records))
        if self.s.service is not None:
            self.customers.extend(
                (f"customer-{i + 1}", None) for i in range(self.s.service.existing_customers)
            )

    # -- the agenda -----------------------------------------------------------------------

    def schedule(self, at: datetime, action: str, *args: Any) -> None:
        if at < self.end:
            self.seq += 1
            heapq.heappush(self.agenda, (at.astimezone(UTC), self.seq, action, args))

    def run(self) -> None:
        self.setup()
        for day in self.days:
            self.schedule(datetime.combine(day, time(0), self.zone), _DAY, day)
        total = len(self.days)
        done = 0
        if self.progress is not None:
            self.progress(0, total)
        handlers = {
            name.removeprefix("on_"): getattr(self, name)
            for name in dir(type(self))
            if name.startswith("on_")
        }
        agenda = self.agenda
        pop = heapq.heappop
        set_clock = self.clock.set
        while agenda:
            at, _, action, args = pop(agenda)
            set_clock(at)
            handlers[action](*args)
            if action == _DAY:
                if self.progress is not None and done:
                    self.progress(done, total)
                done += 1
        self.clock.set(self.end)
        if self.progress is not None:
            self.progress(total, total)

    def later(self, team: _Team, at: datetime, days: float) -> datetime:
        """``days`` business days of ``team``'s hours after ``at``, in UTC.

        The instant ``team.calendar.add_business_time`` gives, without its
        move to the calendar's zone (the agenda keeps UTC). The checks of an
        aware ``at`` inside the calendars' range and of a duration that is not
        negative are left out; anything else takes :meth:`_later_checked`,
        which refuses it as ``add_business_time`` does.
        """
        try:
            start = (at - _EPOCH) // _US
        except TypeError:  # not an aware datetime
            return self._later_checked(team, at, days)
        if not _FIRST_US <= start < _END_US:
            return self._later_checked(team, at, days)
        d = team.spans.get(days)
        if d is None:  # not one of the fixed delays
            hours = days * team.day_hours
            if not hours >= 0:
                return self._later_checked(team, at, days)
            d = timedelta(hours=hours) // _US
        return _EPOCH + timedelta(microseconds=team.calendar._add_us(start, d))

    def _later_checked(self, team: _Team, at: datetime, days: float) -> datetime:
        """:meth:`later` with every check of ``add_business_time``."""
        start = _instant(at, "start")
        d = _duration(timedelta(hours=days * team.day_hours))
        return _EPOCH + timedelta(microseconds=team.calendar._add_us(start, d))

    def take(self, rep: str, at: datetime, what: str, limit: int) -> bool:
        key = (rep, at.astimezone(self.zone).date(), what)
        used = self.counts.get(key, 0)
        if used >= limit:
            return False
        self.counts[key] = used + 1
        return True

    # -- arrivals -------------------------------------------------------------------------

    def on_day(self, day: date) -> None:
        opening = datetime.combine(day, time(9), self.zone)
        for index, source in enumerate(self.s.sources):
            for _ in range(poisson(self.arrivals, source.rate)):
                at = opening + timedelta(seconds=self.arrivals.random() * 8 * 3600)
                self.schedule(at, "lead", index)
        service = self.s.service
        if service is not None and self.customers:
            team = self.teams[service.team]
            start = team.calendar.add_business_time(opening - timedelta(hours=9), timedelta(0))
            rate = len(self.customers) * service.cases_per_customer_per_month * 12 / 260
            rng = self.service_rng
            for _ in range(poisson(rng, rate)):
                at = start + timedelta(seconds=rng.random() * team.day_hours * 3600)
                self.schedule(at, "case", rng.randrange(len(self.customers)))

    def on_lead(self, index: int) -> None:
        source = self.s.sources[index]
        self.leads += 1
        n = self.leads
        rng = random.Random(self.seed * 1_000_003 + n)
        fields: dict[str, Any] = {}
        for name, weights, total in self.attributes[index]:
            value = _pick(rng, weights, total)
            fields[name] = int(value) if name == "employees" else value
        at = self.clock.now()
        lead = Lead.new(
            id=self.ids.new("lead"),
            at=at,
            actor=source.channel,
            email=f"person{n}@company{n}.example",
            company=f"Company {n}",
            source=self.lead_sources[index],
            **fields,
        )
        lead = apply_score(lead, score(self.score_model, lead, at=at), at=at, actor="scoring")
        # Without a cadence no SDR works the lead: routing and outreach are skipped and
        # the deal team meets every MQL (a funnel of the score, qualification and pipeline).
        owner = None
        if self.s.cadence:
            decision = route(
                self.routing,
                lead,
                state=self.routing_state,
                at=at,
                reps=self.directory[0],
                teams=self.directory[1],
            )
            self.routing_state = decision.state
            owner = decision.owner_id or self.teams[self.s.default_team].rep_ids[0]
            lead = lead.assign(owner, at=at, actor="routing", reason=decision.reason)
        below = lead.score < self.s.mql
        if below:
            lead = lead.move_to("nurturing", at=at, actor="scoring", reason="below the MQL score")
        elif owner is not None:
            lead = lead.move_to("working", at=at, actor=owner)
        with self.unit_of_work() as uow:
            uow.leads.add(lead)
        if below:
            return
        self.lead_fields[lead.id] = fields
        self.streams[lead.id] = rng
        if owner is None:
            self.book_meeting(lead.id, at)
        else:
            self.schedule(self.later(self.team_of[owner], at, 0.05), "step", lead.id, owner, 0)

    def record(
        self,
        interactions: list[Interaction],
        lead_id: str,
        status: str | None = None,
        reason: str | None = None,
    ) -> None:
        """Log interactions and move the lead's status, in one unit of work."""
        with self.unit_of_work() as uow:
            if interactions:
                append = uow.interactions.append
                for interaction in interactions:
                    append(interaction)
            if status is not None:
                at = self.clock.now()
                self.streams.pop(lead_id, None)
                self.lead_fields.pop(lead_id, None)
                self.parties.pop(lead_id, None)
                lead = uow.leads.get(lead_id)
                uow.leads.save(lead.move_to(status, at=at, actor="simulation", reason=reason))

    # -- the cadence ----------------------------------------------------------------------

    def on_step(self, lead_id: str, rep: str, index: int) -> None:
        step, label, opt_out, meeting, connect = self.steps[index]
        at = self.clock.now()
        team = self.team_of[rep]
        call = step.kind == "call"
        if call and not self.take(rep, at, "call", team.spec.calls_per_day):
            self.schedule(self.later(team, at, 1.0), "step", lead_id, rep, index)
            return
        rng = self.streams[lead_id]
        x = rng.random()
        if x < opt_out:
            outcome = "opt_out"
        elif x < meeting:
            outcome = "meeting"
        elif x < connect:
            outcome = "connect"
        else:
            outcome = "none"
        party = self._party(lead_id)
        if call:
            duration = _NO_TIME if outcome == "none" else timedelta(minutes=2 + rng.random() * 10)
            logged = [
                Interaction.call(
                    id=self.ids.new("call"),
                    disposition=_DISPOSITION[outcome],
                    duration=duration,
                    subject=label,
                    at=at,
                    actor=rep,
                    party=party,
                    rep_id=rep,
                )
            ]
        else:
            message = self.ids.new("message")
            logged = [
                Interaction.email(
                    id=self.ids.new("email"),
                    message_id=message,
                    kind="sent",
                    subject=label,
                    at=at,
                    actor=rep,
                    party=party,
                    rep_id=rep,
                )
            ]
            if outcome != "none":
                kind = "unsubscribed" if outcome == "opt_out" else "replied"
                reply_at = at + timedelta(minutes=5 + rng.random() * 120)
                logged.append(
                    Interaction.email(
                        id=self.ids.new("email"),
                        at=reply_at,
                        actor="person",
                        message_id=message,
                        kind=kind,
                        party=party,
                        subject=label,
                    )
                )
        if outcome == "opt_out":
            self.record(logged, lead_id, "disqualified", "opted out")
            return
        self.record(logged, lead_id)
        if outcome == "meeting":
            self.book_meeting(lead_id, at)
        elif index + 1 < len(self.steps):
            nxt = self.steps[index + 1][0]
            self.schedule(self.later(team, at, nxt.business_days), "step", lead_id, rep, index + 1)
        else:
            self.record([], lead_id, "disqualified", "no response to the cadence")

    def book_meeting(self, lead_id: str, at: datetime) -> None:
        """Book a meeting with the deal team's next rep, held a business day later."""
        deal_team = self.teams[self.s.deal_team]
        ae = deal_team.rep_ids[deal_team.turn % len(deal_team.rep_ids)]
        deal_team.turn += 1
        self.schedule(self.later(deal_team, at, 1.0), "meeting", lead_id, ae)

    def _party(self, lead_id: str) -> PartyRef:
        """The lead as a party: one shared value for the interactions of its cadence."""
        party = self.parties.get(lead_id)
        if party is None:
            party = self.parties[lead_id] = PartyRef(PartyKind.LEAD, lead_id)
        return party

    # -- meetings, qualification, conversion ----------------------------------------------

    def on_meeting(self, lead_id: str, ae: str) -> None:
        at = self.clock.now()
        team = self.teams[self.s.deal_team]
        if not self.take(ae, at, "meeting", team.spec.meetings_per_day):
            self.schedule(self.later(team, at, 1.0), "meeting", lead_id, ae)
            return
        meeting = Interaction.meeting(
            id=self.ids.new("meeting"),
            at=at,
            actor=ae,
            duration=timedelta(minutes=30),
            party=self.parties.pop(lead_id, None) or PartyRef(PartyKind.LEAD, lead_id),
            rep_id=ae,
            subject="discovery meeting",
        )
        rng = self.streams[lead_id]
        answers = [
            RepAnswer(
                item_key=q.key,
                answer="confirmed" if rng.random() < q.confirmed else "disqualifying",
                at=at,
                actor=ae,
                interaction_id=meeting.id,
            )
            for q in self.s.qualification
            if q.rule is None
        ]
        with self.unit_of_work() as uow:
            uow.interactions.append(meeting)
            lead = uow.leads.get(lead_id)
            verdict = assess(self.framework, lead, answers=answers, at=at)
            reason = "; ".join(verdict.reasons) or verdict.framework
            qualified = verdict.verdict is Verdict.QUALIFIED
            status = "qualified" if qualified else "disqualified"
            uow.leads.save(lead.move_to(status, at=at, actor=ae, reason=reason))
        if not qualified:
            self.streams.pop(lead_id, None)
            self.lead_fields.pop(lead_id, None)
            return
        spec = self.s.pipeline
        base, expected = self.deal_terms
        factor = Decimal(str(round(1 + spec.spread * (2 * rng.random() - 1), 4)))
        amount = Money((base * factor).quantize(_ONE), self.s.currency)
        done = self.ws.convert(
            lead_id,
            actor=ae,
            opportunity=OpportunitySpec(
                amount=amount,
                close_date=(at + timedelta(days=expected)).date(),
                owner_id=ae,
                stage=spec.stages[0].key if spec.stages else None,
            ),
        )
        if done.opportunity is not None and spec.stages:
            self.lead_fields[done.opportunity.id] = self.lead_fields.pop(lead_id, {})
            self.streams[done.opportunity.id] = self.streams.pop(lead_id)
            self.stage_wait(done.opportunity.id, spec.stages[0], done.contact.id, done.account.id)

    def stage_wait(self, deal_id: str, stage: StageSpec, contact: str, account: str) -> None:
        advance, days = stage.advance, stage.days
        fields = self.lead_fields.get(deal_id, {})
        for rule, alt in self.stage_rules[stage.key]:
            if rule.evaluate(fields) is Truth.TRUE:
                advance, days = alt.advance, alt.days
                break
        rng = self.streams[deal_id]
        wait = rng.expovariate(1 / days) if days > 0 else 0.0
        ahead = rng.random() < advance
        team = self.teams[self.s.deal_team]
        at = self.later(team, self.clock.now(), wait)
        self.schedule(at, "stage", deal_id, stage.key, ahead, contact, account)

    def on_stage(self, deal_id: str, key: str, ahead: bool, contact: str, account: str) -> None:
        stages = self.s.pipeline.stages
        i = self.stage_index[key]
        if not ahead:
            reason = self.streams.pop(deal_id).choice(self.s.pipeline.lost_reasons)
            self.lead_fields.pop(deal_id, None)
            self.ws.close_opportunity(deal_id, won=False, actor="simulation", reason=reason)
        elif i + 1 < len(stages):
            self.ws.move_opportunity(deal_id, stages[i + 1].key, actor="simulation")
            self.stage_wait(deal_id, stages[i + 1], contact, account)
        else:
            self.ws.close_opportunity(deal_id, won=True, actor="simulation")
            self.lead_fields.pop(deal_id, None)
            self.streams.pop(deal_id, None)
            if self.s.service is not None:
                self.customers.append((contact, account))

    # -- service --------------------------------------------------------------------------

    def on_case(self, customer: int) -> None:
        service = self.s.service
        assert service is not None
        requester, account = self.customers[customer]
        priority = _pick(self.service_rng, service.priorities)
        case = self.ws.open_case(
            actor="customer",
            requester_id=requester,
            subject="Help needed",
            priority=priority,
            account_id=account,
            group_id=service.team,
        )
        rank = ("urgent", "high", "normal", "low").index(priority)
        heapq.heappush(self.case_queue, (rank, self.seq, case.id))
        self.seq += 1
        self.assign()

    def assign(self) -> None:
        service = self.s.service
        assert service is not None
        team = self.teams[service.team]
        while self.case_queue:
            free = [r for r in team.rep_ids if self.busy.get(r, 0) < team.spec.cases_at_once]
            if not free:
                return
            agent = min(free, key=lambda r: (self.busy.get(r, 0), r))
            _, _, case_id = heapq.heappop(self.case_queue)
            self.busy[agent] = self.busy.get(agent, 0) + 1
            effort = self.service_rng.expovariate(1 / service.reply_hours)
            at = team.calendar.add_business_time(self.clock.now(), timedelta(hours=effort))
            self.schedule(at, "reply", case_id, agent)

    def on_reply(self, case_id: str, agent: str) -> None:
        service = self.s.service
        assert service is not None
        self.ws.answer_case(case_id, "Looking into it", actor=agent, status="open")
        team = self.teams[service.team]
        effort = self.service_rng.expovariate(1 / service.resolve_hours)
        at = team.calendar.add_business_time(self.clock.now(), timedelta(hours=effort))
        self.schedule(at, "solve", case_id, agent)

    def on_solve(self, case_id: str, agent: str) -> None:
        self.ws.answer_case(case_id, "Fixed", actor=agent, status="solved")
        self.busy[agent] -= 1
        self.assign()


@contextlib.contextmanager
def collector_paused(pause: bool) -> Iterator[None]:
    """Pause Python's cyclic garbage collector for the block, when ``pause`` is true.

    The collector's previous state is restored on the way out, even after
    an error; with ``pause`` false, or with the collector already off,
    nothing is changed. The collector is process-wide: another thread that
    turns it on or off meanwhile is overridden on the way out.
    """
    if not pause or not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def simulate(
    scenario: Scenario,
    seed: int = 0,
    *,
    store: Store | None = None,
    progress: Progress | None = None,
    pause_gc: bool = False,
) -> SimulationResult:
    """Run a scenario once.

    Args:
        scenario: What to simulate.
        seed: Seeds the random source and the ids.
        store: Where the workspace keeps its data (a new
            :class:`~salescore.storage.InMemoryStore` by default).
        progress: Called with (business days done, business days in the period).
        pause_gc: Turn Python's cyclic garbage collector off for the run and
            back on after it (off by default: the collector is process-wide).
            A run makes many long-lived objects, which the collector walks
            again and again; paused, a long run is cheaper, with the same
            result (the memory of any reference cycle made meanwhile is
            reclaimed by a collection after the run).

    Returns:
        The :class:`SimulationResult`: the event log, the interactions and the reports.

    Raises:
        ValidationError: ``store`` already holds events (nothing is written to it).
    """
    if store is not None and store.last_position() != 0:
        fail("store", store, "must be empty: a run writes its own records from the start")
    with collector_paused(pause_gc):
        return _simulate(scenario, seed, store, progress)


def _simulate(
    scenario: Scenario, seed: int, store: Store | None, progress: Progress | None
) -> SimulationResult:
    run = _Run(scenario, seed, InMemoryStore() if store is None else store, progress)
    run.run()
    records = tuple(run.ws.store.events_since(0))
    with run.ws.unit_of_work() as uow:
        interactions = tuple(_all(uow.interactions.find))
    summary = summarize(
        run.ws.store,
        at=run.end,
        currency=scenario.currency,
        seed=seed,
        records=records,
        interactions=interactions,
    )
    return SimulationResult(
        scenario=scenario.name,
        seed=seed,
        at=run.end,
        events=records,
        interactions=interactions,
        summary=summary,
    )
