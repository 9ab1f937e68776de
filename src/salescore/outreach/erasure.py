"""Erasure of a person's data (GDPR art. 17): pure functions over the records that hold it.

:func:`erase_person` forgets one person in every record given: their leads,
contacts, interactions, service cases, tasks, campaign memberships,
enrollments, merges, and the accounts and deals their conversion named after
them. Personal values are removed from the state **and from every event of
the history** (the one sanctioned rewrite of history); each lead, contact,
case, task, account and deal whose data was erased gets a ``FieldsChanged``
whose reason says that an erasure happened and whose values hold only the
erased placeholders (or a name given since), so nothing of what was erased
survives and replay still works. Ids, counts, stages, amounts and times
stay, so analytics totals do not change.

What is personal (and what it becomes):

* leads: names, e-mail, phone, title, custom values → ``None`` / ``{}``;
* contacts: names, title, e-mail addresses, phone numbers, custom values;
* interactions: subject, notes, URL → ``None``;
* service cases: subject → ``"[erased]"``, description → ``""``, the text of
  replies and notes → ``"[erased]"``, satisfaction comments → ``None``;
* tasks: title → ``"[erased]"``, notes → ``None`` (what a task is about,
  its due time, assignee, priority, kind and status stay);
* merges of leads or contacts: the values of those fields that their
  events and state kept to undo the merge → the placeholders above, history
  rewritten in place, version unchanged (a merge records no erasure event
  of its own);
* accounts and deals: a lead converted without a company names its new
  account (and the deal, unless given a name) after the person's name or,
  without one, their e-mail address (:func:`~salescore.convert_lead`); that
  name → ``"[erased]"`` wherever the account's or deal's state or history
  holds it, or a merge of accounts kept it to be undone (see
  :func:`named_after`); a name given since, and an account named after a
  company, stay; a merge of accounts keeps no other personal value;
* campaign memberships and enrollments hold only references: they are
  returned unchanged and counted in the receipt.

The returned :class:`ErasureReceipt` is the record that the erasure
happened: who was erased, when, by whom, why, and which records were
touched — never a value that was erased.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any, Final, TypeVar

import attrs

from salescore._validation import Checker
from salescore.domain.aggregate import Aggregate
from salescore.domain.campaigns import CampaignMember
from salescore.domain.conversion import _personal_account_name
from salescore.domain.events import FieldsChanged
from salescore.domain.interactions import Interaction
from salescore.domain.leads import Lead, LeadConverted
from salescore.domain.opportunities import Opportunity, OpportunityCreated
from salescore.domain.parties import Account, AccountCreated, Contact, PartyRef
from salescore.domain.service import ServiceCase
from salescore.domain.tasks import Task
from salescore.outreach.cadences import Enrollment
from salescore.outreach.merges import Merge, MergeKind, RecordsMerged
from salescore.serialization import register_type

__all__ = [
    "ERASED",
    "ERASURE_REASON",
    "Erasure",
    "ErasureReceipt",
    "erase_aggregate",
    "erase_person",
    "named_after",
]

#: The placeholder of erased required text.
ERASED: Final = "[erased]"
#: The reason recorded on the erasure's ``FieldsChanged``.
ERASURE_REASON: Final = "personal data erased (GDPR art. 17)"

# The personal fields of leads, contacts, tasks and cases (and what they become)
# are in their field tables; a case's events also carry reply bodies and comments.
_LEAD: Final = Lead.field_table.personal
_CONTACT: Final = Contact.field_table.personal
_INTERACTION: Final[Mapping[str, Any]] = {"subject": None, "notes": None, "url": None}
_PERSONAL: Final[Mapping[type, Mapping[str, Any]]] = {
    Lead: _LEAD,
    Contact: _CONTACT,
    Task: Task.field_table.personal,
    ServiceCase: {**ServiceCase.field_table.personal, "body": ERASED, "comment": None},
}
#: The personal fields of the records a merge kept values of, by kind.
_MERGED: Final[Mapping[MergeKind, Mapping[str, Any]]] = {
    MergeKind.LEAD: _LEAD,
    MergeKind.CONTACT: _CONTACT,
}

A = TypeVar("A", bound=Aggregate)
N = TypeVar("N", Account, Opportunity, Merge)


def _scrub(obj: Any, personal: Mapping[str, Any]) -> Any:
    """``obj`` with its personal fields replaced, recursing into nested values."""
    if isinstance(obj, FieldsChanged):
        changes = {
            name: (personal[name], personal[name]) if name in personal else pair
            for name, pair in obj.changes.items()
        }
        return attrs.evolve(obj, changes=changes)
    if isinstance(obj, tuple):
        return tuple(_scrub(x, personal) for x in obj)
    if not attrs.has(type(obj)) or isinstance(obj, PartyRef):
        return obj
    updates: dict[str, Any] = {}
    for f in attrs.fields(type(obj)):
        if not f.init:
            continue
        value = getattr(obj, f.name)
        if f.name in personal:
            if value != personal[f.name]:
                updates[f.name] = personal[f.name]
        elif isinstance(value, tuple) or (attrs.has(type(value)) and f.name != "history"):
            new = _scrub(value, personal)
            if new is not value and new != value:
                updates[f.name] = new
    return attrs.evolve(obj, **updates) if updates else obj


def erase_aggregate(record: A, *, at: datetime, actor: str) -> A:
    """Erase the personal data of one lead, contact, service case or task.

    Returns:
        The record rebuilt from its scrubbed history, with one
        ``FieldsChanged`` more recording the erasure (values: the placeholders).
        Any other aggregate is returned unchanged.

    Raises:
        ValidationError: ``at`` is before the record's last event.
    """
    personal = _PERSONAL.get(type(record))
    if personal is None:
        return record
    events = tuple(_scrub(e, personal) for e in record.history)
    rebuilt = type(record).from_events(events)
    return rebuilt._emit(
        FieldsChanged,
        at=at,
        actor=actor,
        changes={name: (v, v) for name, v in type(record).field_table.personal.items()},
        reason=ERASURE_REASON,
    )


def _erase_merge(merge: Merge, names: frozenset[str]) -> Merge:
    """Erase the personal values a merge kept (to be undone), in its state and history.

    A merge of leads or contacts keeps their personal fields; a merge of
    accounts keeps only names, erased when in ``names`` (see :func:`named_after`).

    Returns:
        The merge rebuilt from its scrubbed history, at the same version
        (unchanged when it keeps nothing to erase).
    """
    personal = _MERGED.get(merge.kind)
    if personal is None:
        events = tuple(_unname(e, names) for e in merge.history)
    else:
        events = tuple(
            attrs.evolve(
                e,
                fields={
                    n: (personal[n], personal[n]) if n in personal else p
                    for n, p in e.fields.items()
                },
            )
            if isinstance(e, RecordsMerged)
            else e
            for e in merge.history
        )
    return merge if events == merge.history else Merge.from_events(events)


def _conversion_name(lead: Lead) -> str | None:
    """The person's name or e-mail address that the lead's conversion named a new account after.

    ``None`` when the lead was not converted, or its conversion named the
    account after its company (or its id, which is not personal).
    """
    for i, event in enumerate(lead.history):
        if isinstance(event, LeadConverted):
            return _personal_account_name(Lead.from_events(lead.history[:i]))  # as converted
    return None


def _unname(event: Any, names: frozenset[str]) -> Any:
    """``event`` with every account or deal name in ``names`` replaced by :data:`ERASED`.

    The names an account or deal was created with or changed to, and those
    a merge of accounts kept to be undone.
    """
    if isinstance(event, AccountCreated | OpportunityCreated) and event.name in names:
        return attrs.evolve(event, name=ERASED)
    if isinstance(event, FieldsChanged) and set(event.changes.get("name", ())) & names:
        return attrs.evolve(event, changes={**event.changes, "name": _pair(event.changes, names)})
    if isinstance(event, RecordsMerged) and set(event.fields.get("name", ())) & names:
        return attrs.evolve(event, fields={**event.fields, "name": _pair(event.fields, names)})
    return event


def _pair(changes: Mapping[str, tuple[Any, Any]], names: frozenset[str]) -> tuple[Any, Any]:
    old, new = (ERASED if v in names else v for v in changes["name"])
    return old, new


def _names(leads: Iterable[Lead]) -> frozenset[str]:
    return frozenset(n for n in map(_conversion_name, leads) if n)


def named_after(leads: Iterable[Lead], records: Iterable[N]) -> list[N]:
    """The accounts, deals and account merges among ``records`` named after the person of ``leads``.

    A lead converted without a company gives its new account, and the deal
    it opens, the person's name or (without one) e-mail address, as it was
    at the conversion (:func:`~salescore.convert_lead`). These are the
    records whose state or history holds one of those names (a merge of
    accounts: among the names it kept to be undone): the ones
    :func:`erase_person` erases names in.

    Args:
        leads: The person's leads (not yet erased).
        records: Accounts and deals, typically those the leads were converted
            into, and merges of those accounts.

    Returns:
        Those holding a name to erase, in the order given.
    """
    names = _names(leads)
    return [x for x in records if names and any(_unname(e, names) is not e for e in x.history)]


def _erase_name(record: A, names: frozenset[str], *, at: datetime, actor: str) -> A:
    """``record`` with ``names`` erased from its state and history, and one erasure event.

    The event sets the name it has after the erasure (``"[erased]"``, or a
    name given since); a record holding none of ``names`` comes back unchanged.
    """
    events = tuple(_unname(e, names) for e in record.history)
    if events == record.history:
        return record
    rebuilt = type(record).from_events(events)
    name = rebuilt.name  # type: ignore[attr-defined]
    return rebuilt._emit(
        FieldsChanged, at=at, actor=actor, changes={"name": (name, name)}, reason=ERASURE_REASON
    )


@register_type
@attrs.frozen(kw_only=True)
class ErasureReceipt:
    """The record that a person's data was erased (and nothing of that data).

    Attributes:
        party: The person erased (a reference: ids are not personal values here).
        at: When.
        actor: Who erased it.
        reason: Why (a request reference, the legal ground).
        records: ``(kind, id)`` of every record touched, in the order given.
    """

    party: PartyRef
    at: datetime
    actor: str
    reason: str
    records: tuple[tuple[str, str], ...]


@attrs.frozen(kw_only=True)
class Erasure:
    """The erased records and the receipt; store them as one unit.

    Attributes:
        leads: The leads, erased.
        contacts: The contacts, erased.
        interactions: The interactions, erased.
        cases: The service cases, erased.
        members: The campaign memberships (unchanged: they hold only references).
        enrollments: The enrollments (unchanged likewise).
        receipt: The record that the erasure happened.
        merges: The merges of their leads and contacts (and of accounts named
            after them), erased.
        tasks: The tasks about them, erased.
        accounts: The accounts, the name taken from the person erased (an
            account without it unchanged).
        opportunities: The deals, likewise.
    """

    leads: tuple[Lead, ...]
    contacts: tuple[Contact, ...]
    interactions: tuple[Interaction, ...]
    cases: tuple[ServiceCase, ...]
    members: tuple[CampaignMember, ...]
    enrollments: tuple[Enrollment, ...]
    receipt: ErasureReceipt
    merges: tuple[Merge, ...] = ()
    tasks: tuple[Task, ...] = ()
    accounts: tuple[Account, ...] = ()
    opportunities: tuple[Opportunity, ...] = ()


def erase_person(
    party: PartyRef,
    *,
    at: datetime,
    actor: str,
    reason: str,
    leads: Iterable[Lead] = (),
    contacts: Iterable[Contact] = (),
    interactions: Iterable[Interaction] = (),
    cases: Iterable[ServiceCase] = (),
    members: Iterable[CampaignMember] = (),
    enrollments: Iterable[Enrollment] = (),
    merges: Iterable[Merge] = (),
    tasks: Iterable[Task] = (),
    accounts: Iterable[Account] = (),
    opportunities: Iterable[Opportunity] = (),
) -> Erasure:
    """Forget a person in every record given that holds their data.

    Pass the person's lead(s) and contact(s) (a converted lead and its
    contact are the same person, and so are two merged records), the
    interactions with them, the cases they opened, the tasks about them or
    their cases, their campaign memberships and enrollments, the merges
    of their leads and contacts, and the accounts and deals their leads were
    converted into (a name the conversion took from the person, not from a
    company, is erased in them; see :func:`named_after`).

    Args:
        party: The person (the reference the receipt names).
        at: When.
        actor: Who erases.
        reason: Why (a request id, the legal ground).
        leads: Their leads.
        contacts: Their contacts.
        interactions: Interactions with them.
        cases: Cases they opened.
        members: Their campaign memberships.
        enrollments: Their enrollments.
        merges: The merges of their leads and contacts, and of the
            accounts their leads were converted into.
        tasks: The tasks about them.
        accounts: The accounts their leads were converted into.
        opportunities: The deals their leads' conversions opened.

    Returns:
        The erased records and the receipt.

    Raises:
        ValidationError: bad arguments, or ``at`` before a record's last
            event (then nothing is returned half-done).
    """
    with Checker("erase_person") as c:
        c.instance(party, PartyRef, "party")
        c.aware(at, "at")
        c.text(actor, "actor")
        c.text(reason, "reason")
    leads = tuple(leads)
    new_leads = tuple(erase_aggregate(x, at=at, actor=actor) for x in leads)
    new_contacts = tuple(erase_aggregate(x, at=at, actor=actor) for x in contacts)
    new_interactions = tuple(_scrub(i, _INTERACTION) for i in interactions)
    new_cases = tuple(erase_aggregate(x, at=at, actor=actor) for x in cases)
    kept_members = tuple(members)
    kept_enrollments = tuple(enrollments)
    new_tasks = tuple(erase_aggregate(x, at=at, actor=actor) for x in tasks)
    names = _names(leads)
    new_merges = tuple(_erase_merge(m, names) for m in merges)
    new_accounts = tuple(_erase_name(x, names, at=at, actor=actor) for x in accounts)
    new_deals = tuple(_erase_name(x, names, at=at, actor=actor) for x in opportunities)
    touched: list[tuple[str, str]] = []
    for kind, items in (
        ("lead", new_leads),
        ("contact", new_contacts),
        ("interaction", new_interactions),
        ("case", new_cases),
        ("campaign_member", kept_members),
        ("enrollment", kept_enrollments),
        ("merge", new_merges),
        ("task", new_tasks),
        ("account", new_accounts),
        ("opportunity", new_deals),
    ):
        touched.extend((kind, x.id) for x in items)
    receipt = ErasureReceipt(party=party, at=at, actor=actor, reason=reason, records=tuple(touched))
    return Erasure(
        leads=new_leads,
        contacts=new_contacts,
        interactions=new_interactions,
        cases=new_cases,
        members=kept_members,
        enrollments=kept_enrollments,
        receipt=receipt,
        merges=new_merges,
        tasks=new_tasks,
        accounts=new_accounts,
        opportunities=new_deals,
    )
