"""The workspace: the operations an application performs, each one unit of work.

A :class:`Workspace` holds a store, a clock, an id factory and the
configuration that decides: a score model, a routing table and a
qualification framework (each may instead be kept in the store's
``settings``), SLA policies and escalation rules. Every operation reads what
it needs, applies the pure domain functions, writes the result in one unit of
work, and returns the new objects. After each commit, subscribed handlers receive the new events in
commit order; a failing handler is reported and never undoes the commit.

Example:
    >>> from datetime import datetime, timezone
    >>> from salescore.clock import ManualClock
    >>> from salescore.ids import DeterministicIds
    >>> from salescore.workspace import Workspace
    >>> ws = Workspace(clock=ManualClock(datetime(2026, 3, 2, 9, tzinfo=timezone.utc)),
    ...                ids=DeterministicIds(namespace="doc", seed=1))
    >>> ws.capture_lead(actor="web-form", email="Ana@Acme.io", company="Acme").lead.email
    'Ana@acme.io'
"""

from __future__ import annotations

import enum
import threading
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import Any, Final, Protocol, TypeVar

import attrs

from salescore._validation import fail
from salescore.clock import Clock, SystemClock
from salescore.decisions.qualification import (
    Framework,
    QualificationVerdict,
    RepAnswer,
    Verdict,
    assess,
)
from salescore.decisions.routing import RoutingDecision, RoutingState, RoutingTable, route
from salescore.decisions.scoring import ScoreModel, ScoreResult, apply_score, score
from salescore.domain.campaigns import CampaignMember
from salescore.domain.conversion import Conversion, OpportunitySpec, convert_lead
from salescore.domain.events import Event, StageChanged
from salescore.domain.interactions import Interaction
from salescore.domain.leads import Lead, LeadStatus
from salescore.domain.opportunities import Opportunity
from salescore.domain.parties import PartyKind, PartyRef
from salescore.domain.service import (
    CaseNoteAdded,
    Escalation,
    EscalationRule,
    ServiceCase,
    SlaPolicy,
    evaluate_escalations,
)
from salescore.domain.team import Rep, Team
from salescore.errors import NotFound
from salescore.ids import IdFactory, RandomIds
from salescore.outreach.duplicates import Match, MatchRules, find_duplicates
from salescore.outreach.merges import Merge, merge_leads
from salescore.rules import field
from salescore.storage.memory import InMemoryStore
from salescore.storage.protocols import EventRecord, Page, Store, UnitOfWork

__all__ = [
    "Captured",
    "DuplicateCheck",
    "HandlerFailure",
    "OnDuplicate",
    "Qualification",
    "TimelineEntry",
    "Workspace",
]

T = TypeVar("T")

#: Settings keys the workspace reads when no value is passed to it.
SCORE_MODEL = "workspace.score_model"
ROUTING = "workspace.routing"
ROUTING_STATE = "workspace.routing_state"
FRAMEWORK = "workspace.framework"


class OnDuplicate(enum.StrEnum):
    """What :meth:`Workspace.capture_lead` does with a lead that matches stored ones."""

    FLAG = "flag"
    """Store it and report the matches in :attr:`Captured.duplicates`."""
    MERGE = "merge"
    """Merge it into the best match (the stored lead survives)."""
    CREATE = "create"
    """Store it without looking for duplicates."""


class DuplicateCheck(Protocol):
    """A hook that sees each captured lead before it is stored.

    It returns the lead to store (unchanged, or flagged), or ``None`` when it
    merged the capture into an existing record itself (through ``uow``).
    """

    def __call__(self, uow: UnitOfWork, lead: Lead) -> Lead | None:
        """Check ``lead`` against what ``uow`` can read."""
        ...


@attrs.frozen
class Captured:
    """The result of :meth:`Workspace.capture_lead`.

    Attributes:
        lead: The stored lead: the new one, or after a merge the stored lead
            it was merged into (``None`` when a ``duplicates`` hook merged it
            away).
        score: The score result, when a score model is configured.
        routing: The routing decision, when a routing table is configured.
        duplicates: The stored leads it matches, best first (empty when
            ``on_duplicate`` is ``"create"`` or a hook is used).
        merge: The merge record, when it was merged into a stored lead.
    """

    lead: Lead | None
    score: ScoreResult | None = None
    routing: RoutingDecision | None = None
    duplicates: tuple[Match, ...] = ()
    merge: Merge | None = None


@attrs.frozen
class Qualification:
    """The result of :meth:`Workspace.qualify`: the lead and the verdict."""

    lead: Lead
    verdict: QualificationVerdict


@attrs.frozen
class TimelineEntry:
    """One thing that happened to a party.

    Attributes:
        at: When.
        kind: ``"interaction"``, ``"stage_change"``, ``"case"`` (opened)
            or ``"campaign_response"``.
        subject_id: The record it belongs to (an interaction, lead, case …).
        item: The interaction, the StageChanged event, the case or the
            campaign member.
    """

    at: datetime
    kind: str
    subject_id: str
    item: Any


@attrs.frozen
class HandlerFailure:
    """A subscribed handler raised; the commit stands.

    Attributes:
        position: The event's position in the store's log.
        event: The event.
        handler: The handler's name.
        error: The exception it raised.
    """

    position: int
    event: Event
    handler: str
    error: BaseException


Handler = Callable[[EventRecord], None]


class Workspace:
    """A store, a clock, ids and the deciding configuration, behind one API.

    Args:
        store: Where data lives (an :class:`~salescore.storage.InMemoryStore`
            by default).
        clock: The time of every operation.
        ids: Makes the ids of new records.
        score_model: Scores captured leads (else read from the setting
            ``workspace.score_model``; none: no scoring).
        routing: Routes captured leads (else the setting ``workspace.routing``).
        framework: Qualifies leads (else the setting ``workspace.framework``).
        sla_policies: Chosen for new cases, in order.
        escalation_rules: Run by :meth:`run_escalations`.
        duplicates: A duplicate check of your own for captured leads; it
            replaces the built-in one (``on_duplicate``, ``match_rules``).
        on_duplicate: What to do with a captured lead that matches stored
            leads (:class:`OnDuplicate`; default: flag).
        match_rules: How alike leads must be (default: ``MatchRules()``).
        position: The event position after which subscribers start
            (default: the store's latest, so history is not replayed).

    A workspace is safe to share between threads.
    """

    def __init__(
        self,
        store: Store | None = None,
        *,
        clock: Clock | None = None,
        ids: IdFactory | None = None,
        score_model: ScoreModel | None = None,
        routing: RoutingTable | None = None,
        framework: Framework | None = None,
        sla_policies: Sequence[SlaPolicy] = (),
        escalation_rules: Sequence[EscalationRule] = (),
        duplicates: DuplicateCheck | None = None,
        on_duplicate: OnDuplicate | str = OnDuplicate.FLAG,
        match_rules: MatchRules | None = None,
        position: int | None = None,
    ) -> None:
        if on_duplicate not in set(OnDuplicate):
            fail("on_duplicate", on_duplicate, "must be one of 'flag', 'merge', 'create'")
        if match_rules is not None and not isinstance(match_rules, MatchRules):
            fail("match_rules", match_rules, "must be a MatchRules")
        self.store: Store = InMemoryStore() if store is None else store
        self.clock: Clock = SystemClock() if clock is None else clock
        self.ids: IdFactory = RandomIds() if ids is None else ids
        self._score_model = score_model
        self._routing = routing
        self._framework = framework
        self.sla_policies = tuple(sla_policies)
        self.escalation_rules = tuple(escalation_rules)
        self.duplicates = duplicates
        self.on_duplicate = OnDuplicate(on_duplicate)
        self.match_rules = MatchRules() if match_rules is None else match_rules
        self._handlers: list[tuple[tuple[type[Event], ...], Handler]] = []
        self._dispatch = threading.Lock()
        self.position = self.store.last_position() if position is None else position
        self.failures: list[HandlerFailure] = []

    def __repr__(self) -> str:
        return f"Workspace(store={self.store!r}, position={self.position})"

    # -- subscribers ----------------------------------------------------------------------

    def subscribe(self, handler: Handler, *event_types: type[Event]) -> None:
        """Call ``handler`` with each committed event of these types (all: none given).

        Handlers run after commit, in commit order, in the thread that
        committed (or that calls :meth:`publish`).

        Args:
            handler: Takes an :class:`~salescore.storage.EventRecord`.
            *event_types: Event classes (subclasses match too).
        """
        if not callable(handler):
            fail("handler", handler, "must be callable")
        for t in event_types:
            if not (isinstance(t, type) and issubclass(t, Event)):
                fail("event_types", t, "must be Event subclasses")
        self._handlers.append((tuple(event_types) or (Event,), handler))

    def publish(self) -> tuple[HandlerFailure, ...]:
        """Deliver every committed event after :attr:`position` to the handlers.

        Called after each operation; call it yourself after writing through
        :meth:`unit_of_work`, or to resume a consumer from a saved position.

        Returns:
            The failures of this delivery (also appended to :attr:`failures`).
        """
        failed: list[HandlerFailure] = []
        with self._dispatch:
            if not self._handlers:
                # Nothing to deliver: move past what is committed, as a delivery would.
                last = self.store.last_position()
                if last > self.position:
                    self.position = last
                return ()
            for record in self.store.events_since(self.position):
                for types, handler in self._handlers:
                    if isinstance(record.event, types):
                        try:
                            handler(record)
                        except Exception as exc:
                            name = getattr(handler, "__qualname__", repr(handler))
                            failed.append(HandlerFailure(record.position, record.event, name, exc))
                self.position = record.position
            self.failures.extend(failed)
        return tuple(failed)

    def unit_of_work(self) -> UnitOfWork:
        """A unit of work on the store, for what the operations do not cover."""
        return self.store.unit_of_work()

    def _run(self, work: Callable[[UnitOfWork], T]) -> T:
        with self.store.unit_of_work() as uow:
            result = work(uow)
        self.publish()
        return result

    # -- configuration ---------------------------------------------------------------------

    @staticmethod
    def _setting(uow: UnitOfWork, given: T | None, key: str, cls: type[T]) -> T | None:
        if given is not None:
            return given
        try:
            return uow.settings.get(key, cls)
        except NotFound:
            return None

    # -- leads ---------------------------------------------------------------------------

    def capture_lead(self, *, actor: str, **fields: Any) -> Captured:
        """Capture a lead: normalise, check for duplicates, score, route, store.

        The duplicate check reads the stored leads that share the new lead's
        e-mail address up to the case of its letters (``lower(email)``, as
        :func:`~salescore.outreach.find_duplicates` compares addresses: a
        stored ``John.Smith@example.com`` is found from
        ``john.smith@Example.com``), its phone number or its web domain, or
        whose web domain is its e-mail's domain (indexed lookups; converted
        leads and merge tombstones left out), and compares them with
        :func:`salescore.outreach.find_duplicates` under ``match_rules``.
        With matches, ``on_duplicate`` decides: ``"flag"`` stores the lead
        and reports them, ``"merge"`` merges the capture into the best match
        with :func:`salescore.outreach.merge_leads` (the stored lead
        survives and is neither scored nor routed again; the tombstone and
        the merge record are stored too). All of it is one unit of work.

        Args:
            actor: Who or what captured it (``"web-form"``).
            **fields: :meth:`Lead.new`'s fields (email, company, source …).

        Returns:
            The :class:`Captured` lead with its score, routing decision,
            duplicates and merge.

        Raises:
            ValidationError: bad fields (nothing is stored).
        """
        at = self.clock.now()

        def work(uow: UnitOfWork) -> Captured:
            lead: Lead | None = Lead.new(id=self.ids.new("lead"), at=at, actor=actor, **fields)
            matches: tuple[Match, ...] = ()
            if self.duplicates is not None and lead is not None:
                lead = self.duplicates(uow, lead)
            elif lead is not None and self.on_duplicate is not OnDuplicate.CREATE:
                matches, stored = self._duplicates(uow, lead)
                if matches and self.on_duplicate is OnDuplicate.MERGE:
                    return self._merge(uow, stored[matches[0].left], lead, matches, at, actor)
            if lead is None:
                return Captured(None)
            result = None
            model = self._setting(uow, self._score_model, SCORE_MODEL, ScoreModel)
            if model is not None:
                result = score(model, lead, at=at)
                lead = apply_score(lead, result, at=at, actor="scoring")
            decision = None
            table = self._setting(uow, self._routing, ROUTING, RoutingTable)
            if table is not None:
                lead, decision = self._route(uow, table, lead, at)
            uow.leads.add(lead)
            return Captured(lead, result, decision, matches)

        return self._run(work)

    def _duplicates(self, uow: UnitOfWork, lead: Lead) -> tuple[tuple[Match, ...], dict[str, Lead]]:
        """The stored leads ``lead`` matches, best first, and the candidates by id."""
        stored: dict[str, Lead] = {}
        keys = {("phone", lead.phone), ("domain", lead.domain)}
        if lead.email is not None:
            email = lead.email
            keys |= {("lower(email)", email.lower()), ("domain", email.rpartition("@")[2])}
        for name, value in sorted(k for k in keys if k[1] is not None):
            for other in uow.leads.find(_LOOKUPS[name] == value).items:
                if other.status != LeadStatus.CONVERTED and not _tombstone(other):
                    stored[other.id] = other
        if not stored:
            return (), stored
        report = find_duplicates([*stored.values(), lead], self.match_rules)
        # The new lead comes last, so it is always the right-hand record.
        found = [m for m in report.matches if m.right == lead.id]
        found.sort(key=lambda m: (-m.score, m.left))
        return tuple(found), stored

    def _merge(
        self,
        uow: UnitOfWork,
        into: Lead,
        lead: Lead,
        matches: tuple[Match, ...],
        at: datetime,
        actor: str,
    ) -> Captured:
        result = merge_leads(into, lead, at=at, actor=actor, ids=self.ids, policy=_first)
        uow.leads.save(result.survivor)
        uow.leads.add(result.tombstone)
        uow.merges.add(result.merge)
        return Captured(result.survivor, duplicates=matches, merge=result.merge)

    def _route(
        self, uow: UnitOfWork, table: RoutingTable, lead: Lead, at: datetime
    ) -> tuple[Lead, RoutingDecision]:
        stored = self._setting(uow, None, ROUTING_STATE, RoutingState)
        state = RoutingState() if stored is None else stored
        reps: list[Rep] = list(uow.reps.find().items)
        teams: list[Team] = list(uow.teams.find().items)
        decision = route(table, lead, state=state, at=at, reps=reps, teams=teams)
        if decision.owner_id is not None:
            lead = lead.assign(decision.owner_id, at=at, actor="routing", reason=decision.reason)
        if stored is not None:
            uow.settings.save(ROUTING_STATE, decision.state)
        else:
            uow.settings.add(ROUTING_STATE, decision.state)
        return lead, decision

    def log_interaction(self, interaction: Interaction) -> Interaction:
        """Record an interaction (build it with :class:`Interaction`'s constructors).

        Returns:
            The interaction.

        Raises:
            ConcurrencyError: one with this id exists.
        """

        def work(uow: UnitOfWork) -> Interaction:
            uow.interactions.append(interaction)
            return interaction

        return self._run(work)

    def qualify(
        self,
        lead_id: str,
        *,
        actor: str,
        answers: Iterable[RepAnswer] = (),
        framework: Framework | None = None,
    ) -> Qualification:
        """Assess a lead with the qualification framework and move it accordingly.

        A qualified verdict moves the lead to ``qualified``, a disqualified
        one to ``disqualified`` (the verdict's reasons as the reason); a
        verdict that needs information leaves it where it is.

        Raises:
            NotFound: no such lead.
            ValidationError: no framework is configured.
            TransitionError: the lead's status cannot move there.
        """
        at = self.clock.now()

        def work(uow: UnitOfWork) -> Qualification:
            chosen = self._setting(uow, framework or self._framework, FRAMEWORK, Framework)
            if chosen is None:
                fail("framework", None, "no qualification framework is configured")
            lead = uow.leads.get(lead_id)
            context = {"interactions": self._interactions(uow, lead.ref)}
            verdict = assess(chosen, lead, answers=answers, at=at, context=context)
            reason = "; ".join(verdict.reasons) or verdict.framework
            if verdict.verdict is Verdict.QUALIFIED and lead.status != "qualified":
                lead = lead.move_to("qualified", at=at, actor=actor, reason=reason)
            elif verdict.verdict is Verdict.DISQUALIFIED and lead.status != "disqualified":
                lead = lead.move_to("disqualified", at=at, actor=actor, reason=reason)
            uow.leads.save(lead)
            return Qualification(lead, verdict)

        return self._run(work)

    def convert(
        self,
        lead_id: str,
        *,
        actor: str,
        account_id: str | None = None,
        opportunity: OpportunitySpec | bool = True,
    ) -> Conversion:
        """Convert a qualified lead into an account, a contact and a deal.

        Args:
            lead_id: The lead.
            actor: Who converts it.
            account_id: An existing account to convert into (a new one otherwise).
            opportunity: As :func:`~salescore.convert_lead`.

        Returns:
            The :class:`~salescore.Conversion`; every record in it is stored.

        Raises:
            NotFound: no such lead or account.
            TransitionError: the lead is not qualified.
        """
        at = self.clock.now()

        def work(uow: UnitOfWork) -> Conversion:
            lead = uow.leads.get(lead_id)
            account = None if account_id is None else uow.accounts.get(account_id)
            members = self._memberships(uow, lead.ref)
            done = convert_lead(
                lead,
                at=at,
                actor=actor,
                ids=self.ids,
                account=account,
                opportunity=opportunity,
                memberships=members,
            )
            (uow.accounts.add if done.account_created else uow.accounts.save)(done.account)
            uow.contacts.add(done.contact)
            if done.opportunity is not None:
                uow.opportunities.add(done.opportunity)
            uow.leads.save(done.lead)
            for member in done.memberships:
                uow.campaign_members.save(member)
            return done

        return self._run(work)

    # -- opportunities ------------------------------------------------------------------------

    def move_opportunity(
        self, opportunity_id: str, stage: str, *, actor: str, reason: str | None = None
    ) -> Opportunity:
        """Move a deal to another stage of its pipeline.

        Raises:
            NotFound: no such deal.
            TransitionError: the pipeline refuses the move.
        """
        at = self.clock.now()

        def work(uow: UnitOfWork) -> Opportunity:
            deal = uow.opportunities.get(opportunity_id)
            deal = deal.move_to(stage, at=at, actor=actor, reason=reason)
            uow.opportunities.save(deal)
            return deal

        return self._run(work)

    def close_opportunity(
        self, opportunity_id: str, *, won: bool, actor: str, reason: str | None = None
    ) -> Opportunity:
        """Close a deal won or lost (a lost deal needs a ``reason``).

        Raises:
            NotFound: no such deal.
            TransitionError: it is closed already, or requirements are unmet.
            ValidationError: lost without a reason.
        """
        at = self.clock.now()

        def work(uow: UnitOfWork) -> Opportunity:
            deal = uow.opportunities.get(opportunity_id)
            if won:
                deal = deal.close_won(at=at, actor=actor, reason=reason)
            else:
                if reason is None:
                    fail("reason", None, "a lost deal needs a reason")
                deal = deal.close_lost(at=at, actor=actor, reason=reason)
            uow.opportunities.save(deal)
            return deal

        return self._run(work)

    # -- service --------------------------------------------------------------------------------

    def open_case(
        self, *, actor: str, requester_id: str, subject: str, **fields: Any
    ) -> ServiceCase:
        """Open a service case; the first matching SLA policy is applied.

        Args:
            actor: Who or what opened it.
            requester_id: The contact who asked.
            subject: One line on what it is about.
            **fields: :meth:`ServiceCase.open`'s other fields.

        Returns:
            The stored case.
        """
        at = self.clock.now()

        def work(uow: UnitOfWork) -> ServiceCase:
            case = ServiceCase.open(
                id=self.ids.new("case"),
                at=at,
                actor=actor,
                requester_id=requester_id,
                subject=subject,
                **fields,
            )
            if self.sla_policies and case.sla_policy is None:
                case = case.choose_sla_policy(self.sla_policies, at=at, actor="sla")
            uow.cases.add(case)
            return case

        return self._run(work)

    def answer_case(
        self,
        case_id: str,
        body: str,
        *,
        actor: str,
        public: bool = True,
        status: str | None = None,
    ) -> ServiceCase:
        """Reply to a case as an agent (optionally moving its status).

        Raises:
            NotFound: no such case.
            TransitionError: the case is closed or the status move is refused.
        """
        at = self.clock.now()

        def work(uow: UnitOfWork) -> ServiceCase:
            case = uow.cases.get(case_id)
            case = case.reply(body, at=at, actor=actor, public=public, status=status)
            uow.cases.save(case)
            return case

        return self._run(work)

    def solve_case(self, case_id: str, *, actor: str, reason: str | None = None) -> ServiceCase:
        """Mark a case solved.

        Raises:
            NotFound: no such case.
            TransitionError: the case cannot be solved from its status.
        """
        at = self.clock.now()

        def work(uow: UnitOfWork) -> ServiceCase:
            case = uow.cases.get(case_id).solve(at=at, actor=actor, reason=reason)
            uow.cases.save(case)
            return case

        return self._run(work)

    def run_escalations(self, at: datetime | None = None) -> tuple[Escalation, ...]:
        """Fire the escalation rules that are due on open cases at ``at``.

        Each escalation that fires for the first time (per rule, metric and
        cycle) is recorded on its case as an internal note by ``"sla"``.

        Args:
            at: The instant (the clock's now by default).

        Returns:
            The escalations that fired for the first time.
        """
        when = self.clock.now() if at is None else at

        def work(uow: UnitOfWork) -> tuple[Escalation, ...]:
            fired: list[Escalation] = []
            after = None
            while True:
                page = uow.cases.find(
                    "status not in ['solved', 'closed'] and sla_policy is not null",
                    limit=200,
                    after=after,
                )
                for case in page.items:
                    if when < case.updated_at:
                        continue
                    done = {n.body for n in case.history if isinstance(n, CaseNoteAdded)}
                    new = []
                    for e in evaluate_escalations(
                        case, case.sla_clocks(when), self.escalation_rules, when
                    ):
                        note = _escalation_note(e)
                        if note not in done:
                            new.append(e)
                            case = case.add_note(note, at=when, actor="sla")
                    if new:
                        uow.cases.save(case)
                        fired += new
                if page.cursor is None:
                    return tuple(fired)
                after = page.cursor

        return self._run(work)

    # -- timelines ----------------------------------------------------------------------------

    def timeline(self, party: PartyRef | str, id: str | None = None) -> tuple[TimelineEntry, ...]:
        """What happened to a lead, contact or account, oldest first.

        Interactions, stage changes, cases opened and campaign responses. A
        contact's timeline includes that of the lead it was converted from;
        an account's, its interactions, cases and its deals' stage changes.

        Args:
            party: A :class:`~salescore.PartyRef`, or ``"account"`` with ``id``.
            id: The account's id when ``party`` is ``"account"``.

        Returns:
            The entries, ordered by time, then kind, then subject id.

        Raises:
            NotFound: no such record.
        """
        with self.store.unit_of_work() as uow:
            if party == "account":
                entries = self._account_timeline(uow, str(id))
            elif isinstance(party, PartyRef):
                entries = self._party_timeline(uow, party)
            else:
                fail("party", party, "must be a PartyRef or 'account'")
        return tuple(sorted(entries, key=lambda e: (e.at, e.kind, e.subject_id)))

    def _party_timeline(self, uow: UnitOfWork, party: PartyRef) -> list[TimelineEntry]:
        records: list[Any] = []
        refs = [party]
        if party.kind is PartyKind.LEAD:
            records.append(uow.leads.get(party.id))
        else:
            records.append(uow.contacts.get(party.id))
            leads = uow.leads.find(field("converted_contact_id") == party.id).items
            records += leads
            refs += [lead.ref for lead in leads]
        entries = [e for r in records for e in _stage_entries(r)]
        for ref in refs:
            entries += [
                TimelineEntry(x.at, "interaction", x.id, x) for x in self._interactions(uow, ref)
            ]
            for m in self._memberships(uow, ref):
                if m.first_responded_at is not None:
                    entries.append(
                        TimelineEntry(m.first_responded_at, "campaign_response", m.id, m)
                    )
        if party.kind is PartyKind.CONTACT:
            for case in uow.cases.find(field("requester_id") == party.id).items:
                entries.append(TimelineEntry(case.created_at, "case", case.id, case))
        return entries

    def _account_timeline(self, uow: UnitOfWork, account_id: str) -> list[TimelineEntry]:
        uow.accounts.get(account_id)
        same = field("account_id") == account_id
        entries = [
            TimelineEntry(x.at, "interaction", x.id, x) for x in uow.interactions.find(same).items
        ]
        entries += [
            TimelineEntry(c.created_at, "case", c.id, c) for c in uow.cases.find(same).items
        ]
        for deal in uow.opportunities.find(same).items:
            entries += _stage_entries(deal)
        return entries

    @staticmethod
    def _interactions(uow: UnitOfWork, ref: PartyRef) -> tuple[Interaction, ...]:
        return _of_party(uow.interactions.find(_party_id == ref.id, order_by="at"), ref)

    @staticmethod
    def _memberships(uow: UnitOfWork, ref: PartyRef) -> tuple[CampaignMember, ...]:
        return _of_party(uow.campaign_members.find(_party_id == ref.id), ref)


_Held = TypeVar("_Held", Interaction, CampaignMember)

#: The party's id, a term built once: building one parses and checks its path.
_party_id = field("party.id")


def _of_party(found: Page[_Held], ref: PartyRef) -> tuple[_Held, ...]:
    """The items found for a party's id that belong to that party (not another kind's).

    One indexed test finds them; the kind is compared here, which costs less
    than building and checking a rule with both tests.
    """
    return tuple(x for x in found.items if x.party == ref)


def _first(a: Lead, b: Lead) -> Lead:
    """The survivor policy of a merge on capture: the stored lead."""
    return a


#: The indexed lookups of the duplicate check; ``lower(email)``: the address up to
#: case, as :func:`~salescore.outreach.find_duplicates` compares addresses.
_LOOKUPS: Final = {
    "domain": field("domain"),
    "lower(email)": field("email").lower(),
    "phone": field("phone"),
}


def _tombstone(lead: Lead) -> bool:
    return lead.status == LeadStatus.DISQUALIFIED and (lead.disqualify_reason or "").startswith(
        "merged into"
    )


def _stage_entries(record: Any) -> list[TimelineEntry]:
    return [
        TimelineEntry(e.at, "stage_change", record.id, e)
        for e in record.history
        if isinstance(e, StageChanged)
    ]


def _escalation_note(e: Escalation) -> str:
    return f"Escalation '{e.rule}' ({e.metric.value}, cycle {e.cycle}): " + "; ".join(e.reasons)
