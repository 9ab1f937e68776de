"""Everything a store holds about one person: access (export) and erasure (forget)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from salescore._validation import fail
from salescore.domain.parties import PartyKind, PartyRef
from salescore.outreach.erasure import ERASURE_REASON, ErasureReceipt, erase_person
from salescore.outreach.merges import MergeKind
from salescore.rules import all_of, any_of, field
from salescore.serialization import to_json

__all__ = ["PersonRequests", "forget_person", "person_documents"]


def _everything(repo: Any, rule: Any) -> list[Any]:
    return list(repo.find(rule).items)


def _same(prefix: str, refs: list[PartyRef]) -> Any:
    return any_of(
        *(
            all_of(field(f"{prefix}.kind") == r.kind.value, field(f"{prefix}.id") == r.id)
            for r in refs
        )
    )


def person_documents(uow: Any, party: PartyRef) -> dict[str, tuple[str, ...]]:
    """The JSON documents about ``party``, by repository.

    A lead's: the lead, its interactions, campaign memberships and tasks. A
    contact's: the contact, the leads converted into it, and the
    interactions, memberships and tasks of both, and the cases it opened.

    Raises:
        NotFound: there is no such lead or contact.
        ValidationError: ``party`` is not a PartyRef.
    """
    if not isinstance(party, PartyRef):
        fail("party", party, "must be a PartyRef")
    refs = [party]
    out: dict[str, list[Any]] = {}
    if party.kind is PartyKind.LEAD:
        out["leads"] = [uow.leads.get(party.id)]
    else:
        out["contacts"] = [uow.contacts.get(party.id)]
        leads = _everything(uow.leads, field("converted_contact_id") == party.id)
        out["leads"] = leads
        refs += [PartyRef(PartyKind.LEAD, lead.id) for lead in leads]
        out["cases"] = _everything(uow.cases, field("requester_id") == party.id)
    for ref in refs:
        same_party = all_of(field("party.kind") == ref.kind.value, field("party.id") == ref.id)
        subject = all_of(field("subject.kind") == ref.kind.value, field("subject.id") == ref.id)
        out.setdefault("interactions", []).extend(_everything(uow.interactions, same_party))
        out.setdefault("campaign_members", []).extend(_everything(uow.campaign_members, same_party))
        out.setdefault("tasks", []).extend(_everything(uow.tasks, subject))
        out.setdefault("enrollments", []).extend(_everything(uow.enrollments, same_party))
        out.setdefault("consent_records", []).extend(_everything(uow.consent_records, same_party))
    return {name: tuple(to_json(x) for x in items) for name, items in out.items()}


def _merges(uow: Any, leads: list[Any]) -> list[Any]:
    """The merges of ``leads``; the other lead of each joins ``leads`` (the same person)."""
    found: dict[str, Any] = {}
    for side in ("survivor", "merged"):
        if leads:
            ids = [x.id for x in leads]
            rule = all_of(field("kind") == MergeKind.LEAD.value, field(side).is_in(ids))
            found.update((m.id, m) for m in _everything(uow.merges, rule))
    have = {x.id for x in leads}
    for merge in found.values():
        for lead_id in (merge.survivor, merge.merged):
            if lead_id not in have:
                have.add(lead_id)
                leads.append(uow.leads.get(lead_id))
    return list(found.values())


def forget_person(
    uow: Any, party: PartyRef, *, at: datetime, actor: str, reason: str
) -> ErasureReceipt:
    """Erase a person in one unit of work (see ``forget`` on the stores).

    The person is the lead or contact named and, for a converted lead, the
    contact it became (for a contact, the leads converted into it), and the
    leads merged with those leads: the same person. The merges keep no lead
    values afterwards. Their leads, contacts, interactions, the cases they opened,
    their campaign memberships and enrollments go through
    :func:`salescore.outreach.erase_person`; the erased aggregates are saved
    and their logged events rewritten in place; interactions are replaced.

    Raises:
        NotFound: there is no such lead or contact.
        ValidationError: bad arguments, or ``at`` before a record's last event.
    """
    if not isinstance(party, PartyRef):
        fail("party", party, "must be a PartyRef")
    if party.kind is PartyKind.LEAD:
        leads = [uow.leads.get(party.id)]
        contact_id = leads[0].converted_contact_id
        contacts = (
            [] if contact_id is None else _everything(uow.contacts, field("id") == contact_id)
        )
    else:
        contacts = [uow.contacts.get(party.id)]
    if contacts:
        leads = _everything(uow.leads, field("converted_contact_id") == contacts[0].id)
    merges = _merges(uow, leads)
    refs = [x.ref for x in leads + contacts]
    cases = [
        case for c in contacts for case in _everything(uow.cases, field("requester_id") == c.id)
    ]
    erasure = erase_person(
        party,
        at=at,
        actor=actor,
        reason=reason,
        leads=leads,
        contacts=contacts,
        interactions=_everything(uow.interactions, _same("party", refs)),
        cases=cases,
        members=_everything(uow.campaign_members, _same("party", refs)),
        enrollments=_everything(uow.enrollments, _same("party", refs)),
        merges=merges,
    )
    for repo, before, after in (
        (uow.leads, leads, erasure.leads),
        (uow.contacts, contacts, erasure.contacts),
        (uow.cases, cases, erasure.cases),
    ):
        for old, new in zip(before, after, strict=True):
            repo.save(new)
            uow._rewrite_history(repo._spec, new, old.version)
    for old, new in zip(merges, erasure.merges, strict=True):
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

        The lead or contact, the contact a lead became (or the leads a
        contact came from), the leads merged with those, their interactions,
        the cases they opened, campaign memberships, enrollments and merges
        are erased with
        :func:`salescore.outreach.erase_person`; their logged events are
        rewritten in place (the one sanctioned rewrite of history) and each
        erased aggregate gets one more event recording the erasure. Ids,
        counts, stages, amounts and times stay. Consent records are kept as
        they are: an objection must outlive the erasure.

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
