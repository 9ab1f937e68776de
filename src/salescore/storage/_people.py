"""Everything a store holds about one person (access and portability requests)."""

from __future__ import annotations

from typing import Any

from salescore._validation import fail
from salescore.domain.parties import PartyKind, PartyRef
from salescore.rules import all_of, field
from salescore.serialization import to_json

__all__ = ["person_documents"]


def _everything(repo: Any, rule: Any) -> list[Any]:
    return list(repo.find(rule).items)


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
    return {name: tuple(to_json(x) for x in items) for name, items in out.items()}
