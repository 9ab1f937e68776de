"""Everything a store holds about one person: access (export) and erasure (forget)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

import attrs

from salescore._validation import fail
from salescore.domain.parties import PartyKind, PartyRef
from salescore.errors import NotFound
from salescore.outreach.erasure import ERASURE_REASON, ErasureReceipt, erase_person, named_after
from salescore.outreach.merges import MergeKind
from salescore.rules import all_of, any_of, field
from salescore.serialization import to_json

__all__ = ["PersonRequests", "forget_person", "person_documents"]


def _everything(repo: Any, rule: Any) -> list[Any]:
    return list(repo.find(rule).items)


def _among(prefix: str, groups: Mapping[str, list[str]]) -> Any:
    """``prefix.kind`` is one of the kinds and ``prefix.id`` one of its ids, or ``None``."""
    rules = [
        all_of(field(f"{prefix}.kind") == kind, field(f"{prefix}.id").is_in(ids))
        for kind, ids in groups.items()
        if ids
    ]
    return any_of(*rules) if rules else None


def _where(repo: Any, rule: Any) -> list[Any]:
    return [] if rule is None else _everything(repo, rule)


@attrs.frozen(kw_only=True)
class _Person:
    """Every record a store holds about one person (see :func:`person_documents`)."""

    leads: list[Any]
    contacts: list[Any]
    merges: list[Any]
    cases: list[Any]
    interactions: list[Any]
    campaign_members: list[Any]
    tasks: list[Any]
    enrollments: list[Any]
    consent_records: list[Any]
    accounts: list[Any]
    opportunities: list[Any]


def _grow(found: dict[str, Any], repo: Any, rule: Any) -> bool:
    """Add the items of ``repo`` matching ``rule`` to ``found``; whether any was new."""
    new = [x for x in _everything(repo, rule) if x.id not in found]
    found.update((x.id, x) for x in new)
    return bool(new)


def _fetch(found: dict[str, Any], repo: Any, ids: Iterable[str | None]) -> bool:
    """Add the items of ``repo`` with these ids to ``found``; whether any was new."""
    new = False
    for key in ids:
        if key is not None and key not in found:
            try:
                found[key] = repo.get(key)
            except NotFound:  # a reference to a record that is gone: nothing to erase
                continue
            new = True
    return new


def _merged(
    uow: Any, merges: dict[str, Any], kind: MergeKind, found: dict[str, Any], repo: Any
) -> bool:
    """Add the merges of ``kind`` of the records ``found`` and their other records.

    Returns:
        Whether a record was new.
    """
    if not found:
        return False
    ids = list(found)
    either = any_of(field("survivor").is_in(ids), field("merged").is_in(ids))
    _grow(merges, uow.merges, all_of(field("kind") == kind.value, either))
    sides = [i for m in merges.values() if m.kind is kind for i in (m.survivor, m.merged)]
    return _fetch(found, repo, sides)


def _person(uow: Any, party: PartyRef) -> _Person:
    """The records about ``party``: the same person through conversions and merges."""
    if not isinstance(party, PartyRef):
        fail("party", party, "must be a PartyRef")
    leads: dict[str, Any] = {}
    contacts: dict[str, Any] = {}
    merges: dict[str, Any] = {}
    if party.kind is PartyKind.LEAD:
        leads[party.id] = uow.leads.get(party.id)
    else:
        contacts[party.id] = uow.contacts.get(party.id)
    grown = True
    while grown:  # until no conversion or merge names a record not found yet
        grown = _fetch(contacts, uow.contacts, [x.converted_contact_id for x in leads.values()])
        if contacts:
            grown |= _grow(leads, uow.leads, field("converted_contact_id").is_in(list(contacts)))
        grown |= _merged(uow, merges, MergeKind.LEAD, leads, uow.leads)
        grown |= _merged(uow, merges, MergeKind.CONTACT, contacts, uow.contacts)
    # The accounts and deals their conversions created, and those merged with
    # the accounts (only an account holding the name can pass it on in a
    # merge): those named after the person are theirs.
    accounts: dict[str, Any] = {}
    deals: dict[str, Any] = {}
    account_merges: dict[str, Any] = {}
    _fetch(accounts, uow.accounts, [x.converted_account_id for x in leads.values()])
    _fetch(deals, uow.opportunities, [x.converted_opportunity_id for x in leads.values()])
    if named_after(leads.values(), accounts.values()):
        while _merged(uow, account_merges, MergeKind.ACCOUNT, accounts, uow.accounts):
            pass
    cases = _where(uow.cases, field("requester_id").is_in(list(contacts)) if contacts else None)
    parties = {"lead": list(leads), "contact": list(contacts)}
    same = _among("party", parties)
    return _Person(
        leads=list(leads.values()),
        contacts=list(contacts.values()),
        merges=[*merges.values(), *named_after(leads.values(), account_merges.values())],
        cases=cases,
        interactions=_where(uow.interactions, same),
        campaign_members=_where(uow.campaign_members, same),
        tasks=_where(uow.tasks, _among("subject", {**parties, "case": [c.id for c in cases]})),
        enrollments=_where(uow.enrollments, same),
        consent_records=_where(uow.consent_records, same),
        accounts=named_after(leads.values(), accounts.values()),
        opportunities=named_after(leads.values(), deals.values()),
    )


def person_documents(uow: Any, party: PartyRef) -> dict[str, tuple[str, ...]]:
    """The JSON documents about ``party``, by repository.

    The person is the lead or contact named and every record that is the
    same person: the contact a lead was converted into, the leads converted
    into a contact, and the other record of each merge of those leads or
    contacts, followed until nothing new is found. Their documents: those
    leads and contacts, the merges, the cases the contacts opened, the
    interactions with them, their campaign memberships, the tasks about
    them or their cases, their enrollments and consent records, and the
    account and deal a conversion of their leads named after them (a lead
    without a company; see :func:`salescore.outreach.named_after`). Every
    repository name is present (with ``()`` when nothing is held).

    Raises:
        NotFound: there is no such lead or contact.
        ValidationError: ``party`` is not a PartyRef.
    """
    person = _person(uow, party)
    return {
        name: tuple(to_json(x) for x in getattr(person, name))
        for name in attrs.fields_dict(_Person)
    }


def forget_person(
    uow: Any, party: PartyRef, *, at: datetime, actor: str, reason: str
) -> ErasureReceipt:
    """Erase a person in one unit of work (see ``forget`` on the stores).

    The person's records are those :func:`person_documents` exports. Their
    leads, contacts, interactions, the cases they opened, the tasks about
    them or their cases, their campaign memberships, enrollments and the
    merges of their leads and contacts, and the accounts and deals named
    after them go through :func:`salescore.outreach.erase_person`; the
    erased aggregates are saved and their logged events rewritten in place;
    interactions are replaced.
    Consent records are left as they are.

    Raises:
        NotFound: there is no such lead or contact.
        ValidationError: bad arguments, or ``at`` before a record's last event.
    """
    person = _person(uow, party)
    erasure = erase_person(
        party,
        at=at,
        actor=actor,
        reason=reason,
        leads=person.leads,
        contacts=person.contacts,
        interactions=person.interactions,
        cases=person.cases,
        members=person.campaign_members,
        enrollments=person.enrollments,
        merges=person.merges,
        tasks=person.tasks,
        accounts=person.accounts,
        opportunities=person.opportunities,
    )
    for repo, before, after in (
        (uow.leads, person.leads, erasure.leads),
        (uow.contacts, person.contacts, erasure.contacts),
        (uow.cases, person.cases, erasure.cases),
        (uow.tasks, person.tasks, erasure.tasks),
        (uow.accounts, person.accounts, erasure.accounts),
        (uow.opportunities, person.opportunities, erasure.opportunities),
    ):
        for old, new in zip(before, after, strict=True):
            repo.save(new)
            uow._rewrite_history(repo._spec, new, old.version)
    for old, new in zip(person.merges, erasure.merges, strict=True):
        uow._replace(uow.merges._spec, new, new.id)
        uow._rewrite_history(uow.merges._spec, new, old.version)
    for interaction in erasure.interactions:
        uow._replace(uow.interactions._spec, interaction, interaction.id)
    return erasure.receipt


class PersonRequests:
    """Access and erasure requests, the same for every store (a mixin).

    The class using it provides ``unit_of_work()``.
    """

    def unit_of_work(self) -> Any:
        """A unit of work (provided by the store)."""
        raise NotImplementedError

    def export_person(self, party: PartyRef) -> Mapping[str, tuple[str, ...]]:
        """Everything held about a person, as JSON documents by repository.

        The records are those :func:`person_documents` finds: the lead or
        contact and every record of the same person through conversions and
        merges, with their merges, cases, interactions, campaign
        memberships, tasks, enrollments and consent records, and the
        account and deal their conversion named after them (a lead converted
        without a company: see :func:`salescore.outreach.named_after`).

        Args:
            party: The lead or contact.

        Returns:
            Repository name → the JSON documents (``salescore.to_json``).

        Raises:
            NotFound: there is no such lead or contact.
        """
        with self.unit_of_work() as uow:
            return person_documents(uow, party)

    def forget(
        self, party: PartyRef, *, at: datetime, actor: str, reason: str = ERASURE_REASON
    ) -> ErasureReceipt:
        """Erase a person's personal data everywhere, history included, in one transaction.

        The records erased are those :meth:`export_person` shows (the same
        person through conversions and merges), consent records excepted:
        the leads and contacts, the interactions with them, the cases they
        opened, the tasks about them or their cases, their campaign
        memberships and enrollments, the merges of their leads and
        contacts, and the name of the account and deal their conversion
        named after them (a name given since, or a company's, stays). They go
        through :func:`salescore.outreach.erase_person`; their logged events
        are rewritten in place (the one sanctioned rewrite of history) and
        each erased lead, contact, case, task, account and deal gets one more
        event recording the erasure. Ids, counts, stages, statuses,
        amounts and times stay. Consent records are kept as they are: an
        objection must outlive the erasure. If one record refuses, nothing
        is changed.

        Args:
            party: The lead or contact.
            at: When (not before any of the records' last event).
            actor: Who erases.
            reason: Why (a request reference, the legal ground).

        Returns:
            The receipt: who, when, by whom, why and which records.

        Raises:
            NotFound: there is no such lead or contact.
            ValidationError: bad arguments; nothing is changed.
            ConcurrencyError: another unit changed one of the records meanwhile;
                nothing is changed.
        """
        with self.unit_of_work() as uow:
            return forget_person(uow, party, at=at, actor=actor, reason=reason)
