"""Merging duplicate leads, contacts or accounts, and undoing a merge exactly.

One mechanism serves all three (:func:`merge_leads`, :func:`merge_contacts`,
:func:`merge_accounts`): a survivor is picked by a policy (most complete,
oldest, most advanced, or a function of your own); every field is resolved
(the survivor's value unless it is blank, lists and tags united, custom values
filled in; overridable per field) and recorded on the survivor as one
``FieldsChanged``; the other record becomes a tombstone pointing at the
survivor; and its children are re-pointed to the survivor, each by an event of
its own aggregate:

* a lead's tombstone moves to ``disqualified`` with the reason ``"merged into
  <survivor id>"``; a contact's or account's records :class:`MergedInto`
  (its ``merged_into`` names the survivor);
* a lead's or contact's campaign memberships (``MemberRepointed``),
  enrollments (``EnrollmentRepointed``), tasks (a ``FieldsChanged`` of the
  subject) and interactions (new values with the survivor as ``party``); a
  contact's opportunities (primary contact and contact roles, roles of both
  united) and cases (``CaseRepointed`` of the requester);
* an account's contacts, opportunities (their ``account_id``), cases
  (``CaseRepointed``), child accounts (their ``parent_id``) and interactions
  (new values with the survivor as ``account_id``).

A :class:`Merge` aggregate records every change with its value before, so
:func:`unmerge` can put both records and every child back exactly as they were
(with events: history is never rewritten).

Converted leads are not merged (merge the contacts they became instead), nor
are tombstones, nor an account with its own parent or child.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from typing import Any, ClassVar, Final, Generic, TypeAlias, TypeVar

import attrs

from salescore._validation import Checker, fail
from salescore.domain import normalisers as fld
from salescore.domain._fields import checked_opt_text, checked_text
from salescore.domain.aggregate import Aggregate, Fields, FieldSpec
from salescore.domain.campaigns import CampaignMember
from salescore.domain.events import Event, StageChanged
from salescore.domain.interactions import Interaction
from salescore.domain.leads import Lead, LeadStatus
from salescore.domain.opportunities import Opportunity
from salescore.domain.parties import Account, Contact, MergedInto, PartyKind, PartyRef
from salescore.domain.service import ServiceCase
from salescore.domain.standard_funnels import LIFECYCLE
from salescore.domain.tasks import Task, TaskSubject
from salescore.errors import TransitionError
from salescore.ids import IdFactory
from salescore.outreach.cadences import Enrollment
from salescore.serialization import register_type

__all__ = [
    "ACCOUNT_MERGE_FIELDS",
    "CONTACT_MERGE_FIELDS",
    "MERGE_FIELDS",
    "Merge",
    "MergeKind",
    "MergeResult",
    "MergeUndone",
    "RecordsMerged",
    "SurvivorPolicy",
    "Take",
    "UnmergeResult",
    "merge_accounts",
    "merge_contacts",
    "merge_leads",
    "unmerge",
]

#: The lead fields a merge resolves.
MERGE_FIELDS: Final = (
    "first_name",
    "last_name",
    "email",
    "phone",
    "title",
    "company",
    "domain",
    "industry",
    "employees",
    "annual_revenue",
    "country",
    "time_zone",
    "owner_id",
    "latest_source",
    "custom",
)

#: The contact fields a merge resolves: every editable one.
CONTACT_MERGE_FIELDS: Final = tuple(Contact.field_table.editable)

#: The account fields a merge resolves: every editable one.
ACCOUNT_MERGE_FIELDS: Final = tuple(Account.field_table.editable)

_RANK: Final = {
    LeadStatus.DISQUALIFIED: 0,
    LeadStatus.NEW: 1,
    LeadStatus.NURTURING: 2,
    LeadStatus.WORKING: 3,
    LeadStatus.QUALIFIED: 4,
}

Child: TypeAlias = (
    CampaignMember | Enrollment | Task | Opportunity | ServiceCase | Contact | Account
)
R = TypeVar("R", Lead, Contact, Account)


class MergeKind(enum.StrEnum):
    """What a merge merged."""

    LEAD = "lead"
    CONTACT = "contact"
    ACCOUNT = "account"


_FIELDS: Final[Mapping[MergeKind, tuple[str, ...]]] = {
    MergeKind.LEAD: MERGE_FIELDS,
    MergeKind.CONTACT: CONTACT_MERGE_FIELDS,
    MergeKind.ACCOUNT: ACCOUNT_MERGE_FIELDS,
}


class SurvivorPolicy(enum.StrEnum):
    """Which of two records survives a merge."""

    MOST_COMPLETE = "most_complete"
    OLDEST = "oldest"
    MOST_ADVANCED = "most_advanced"


class Take(enum.StrEnum):
    """Whose value a field keeps."""

    SURVIVOR = "survivor"
    MERGED = "merged"


#: A field's resolution: whose value, or ``(survivor value, merged value) -> value``.
Resolution = Take | Callable[[Any, Any], Any]


@register_type
@attrs.frozen(kw_only=True)
class RecordsMerged(Event):
    """Two records were merged (the event of a :class:`Merge`).

    Attributes:
        kind: Leads, contacts or accounts.
        survivor: The id of the record that remains.
        merged: The id of the record that became a tombstone.
        fields: Survivor field → ``(old, new)`` as resolved.
        merged_status: A merged lead's status before the merge.
        merged_reason: Its disqualification reason before, if any.
        repointed: Re-pointed child id → field → ``(old, new)``.
        interactions: Ids of the interactions re-pointed to the survivor.
    """

    kind: MergeKind
    survivor: str
    merged: str
    fields: Mapping[str, tuple[Any, Any]]
    merged_status: str | None = None
    merged_reason: str | None = None
    repointed: Mapping[str, Mapping[str, tuple[Any, Any]]] = attrs.field(factory=dict)
    interactions: tuple[str, ...] = ()


@register_type
@attrs.frozen(kw_only=True)
class MergeUndone(Event):
    """A merge was undone."""


_KEPT: Final = "is what the merge did, kept to undo it"
_UNDONE: Final = "changes with unmerge()"


@register_type
@attrs.frozen(kw_only=True)
class Merge(Aggregate):
    """The record of one merge, enough to undo it.

    Attributes:
        kind: Leads, contacts or accounts.
        survivor: The surviving record's id.
        merged: The merged-away record's id (the tombstone).
        fields: Survivor field → ``(old, new)``.
        merged_status: A merged lead's status before the merge.
        merged_reason: Its disqualification reason before, if any.
        repointed: Re-pointed child id → field → ``(old, new)``.
        interactions: Ids of the re-pointed interactions.
        undone: Whether the merge has been undone.
    """

    field_table: ClassVar[Fields] = Fields(
        {
            "kind": FieldSpec(fld.member(MergeKind), refused=_KEPT),
            "survivor": FieldSpec(checked_text, refused=_KEPT),
            "merged": FieldSpec(checked_text, refused=_KEPT),
            "fields": FieldSpec(fld.instance(Mapping), refused=_KEPT),
            "merged_status": FieldSpec(checked_opt_text, refused=_KEPT),
            "merged_reason": FieldSpec(checked_opt_text, refused=_KEPT),
            "repointed": FieldSpec(fld.instance(Mapping), refused=_KEPT),
            "interactions": FieldSpec(fld.instance(tuple), refused=_KEPT),
            "undone": FieldSpec(
                fld.instance(bool), refused="changes with unmerge()", initial=False
            ),
        },
        created=RecordsMerged,
    )

    kind: MergeKind
    survivor: str
    merged: str
    fields: Mapping[str, tuple[Any, Any]] = attrs.field(factory=dict)
    merged_status: str | None = None
    merged_reason: str | None = None
    repointed: Mapping[str, Mapping[str, tuple[Any, Any]]] = attrs.field(factory=dict)
    interactions: tuple[str, ...] = ()
    undone: bool = False

    @property
    def children(self) -> tuple[str, ...]:
        """Ids of the re-pointed children."""
        return tuple(self.repointed)

    def _apply(self, event: Event) -> dict[str, Any]:
        if type(event) is MergeUndone:
            return {"undone": True}
        return super()._apply(event)


@attrs.frozen(kw_only=True)
class MergeResult(Generic[R]):
    """Everything a merge changed; store it as one unit.

    Attributes:
        merge: The merge record.
        survivor: The surviving record.
        tombstone: The merged-away record, pointing at the survivor.
        children: Every child given, re-pointed where it was the tombstone's.
        interactions: Every interaction given, re-pointed likewise.
    """

    merge: Merge
    survivor: R
    tombstone: R
    children: tuple[Child, ...]
    interactions: tuple[Interaction, ...]


@attrs.frozen(kw_only=True)
class UnmergeResult(Generic[R]):
    """Everything an unmerge changed.

    Attributes:
        merge: The merge record, marked undone.
        survivor: The survivor, with its fields as before the merge.
        merged: The record restored from its tombstone.
        children: The children, pointing where they pointed before.
        interactions: The interactions, likewise.
    """

    merge: Merge
    survivor: R
    merged: R
    children: tuple[Child, ...]
    interactions: tuple[Interaction, ...]


def _kind(record: Lead | Contact | Account) -> MergeKind:
    if isinstance(record, Lead):
        return MergeKind.LEAD
    return MergeKind.CONTACT if isinstance(record, Contact) else MergeKind.ACCOUNT


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str | tuple | frozenset | Mapping) and not value)


def _completeness(record: Lead | Contact | Account) -> int:
    return sum(1 for f in _FIELDS[_kind(record)] if not _blank(getattr(record, f)))


def _rank(record: Lead | Contact | Account) -> int:
    if isinstance(record, Lead):
        return _RANK.get(record.status, 0)
    if isinstance(record, Contact) and record.lifecycle_stage in LIFECYCLE.keys:
        return LIFECYCLE.keys.index(record.lifecycle_stage)
    return 0


def _choose(a: R, b: R, policy: SurvivorPolicy | Callable[[R, R], R]) -> R:
    if callable(policy) and not isinstance(policy, SurvivorPolicy):
        chosen = policy(a, b)
        if chosen is not a and chosen is not b:
            fail("policy", chosen, "must return one of the two records")
        return chosen
    p = SurvivorPolicy(policy)
    if p is SurvivorPolicy.OLDEST:
        return b if b.created_at < a.created_at else a
    if p is SurvivorPolicy.MOST_ADVANCED:
        ra, rb = _rank(a), _rank(b)
        if ra != rb:
            return a if ra > rb else b
    ca, cb = _completeness(a), _completeness(b)
    if ca != cb:
        return a if ca > cb else b
    return b if b.created_at < a.created_at else a


def _default(mine: Any, theirs: Any) -> Any:
    if isinstance(mine, Mapping):
        return {**theirs, **mine}
    if isinstance(mine, tuple):
        return (*mine, *(x for x in theirs if x not in mine))
    if isinstance(mine, frozenset):
        return mine | theirs
    return theirs if mine is None else mine


def _moves(child: Child, kind: MergeKind, gone: str, kept: str) -> dict[str, tuple[Any, Any]]:
    """The fields of ``child`` that point at ``gone``, with their values pointing at ``kept``."""
    if kind is MergeKind.ACCOUNT:
        if isinstance(child, Account):
            return {"parent_id": (gone, kept)} if child.parent_id == gone else {}
        if isinstance(child, Contact | Opportunity | ServiceCase) and child.account_id == gone:
            return {"account_id": (gone, kept)}
        return {}
    old, new = PartyRef(PartyKind(kind.value), gone), PartyRef(PartyKind(kind.value), kept)
    if isinstance(child, CampaignMember | Enrollment):
        return {"party": (old, new)} if child.party == old else {}
    if isinstance(child, Task):
        if child.subject.party != old:
            return {}
        return {"subject": (child.subject, TaskSubject.of(new))}
    if kind is not MergeKind.CONTACT:
        return {}
    if isinstance(child, ServiceCase):
        return {"requester_id": (gone, kept)} if child.requester_id == gone else {}
    repointed: dict[str, tuple[Any, Any]] = {}
    if isinstance(child, Opportunity):
        if child.primary_contact_id == gone:
            repointed["primary_contact_id"] = (gone, kept)
        if gone in child.contact_roles:
            roles = dict(child.contact_roles)
            roles[kept] = roles.get(kept, frozenset()) | roles.pop(gone)
            repointed["contact_roles"] = (child.contact_roles, roles)
    return repointed


def _set(child: Child, values: dict[str, Any], *, at: datetime, actor: str, reason: str) -> Child:
    """Re-point ``child`` through its own aggregate's transition."""
    if not values:
        return child
    if isinstance(child, CampaignMember):
        return child.repoint(values["party"], at=at, actor=actor, reason=reason)
    if isinstance(child, Enrollment):
        return child.repoint(values["party"], at=at, actor=actor)
    if isinstance(child, Task):
        return child._edit(values, at=at, actor=actor, reason=reason)
    if isinstance(child, ServiceCase):
        return child.repoint(at=at, actor=actor, reason=reason, **values)
    return child.update(at=at, actor=actor, reason=reason, **values)


def _check_children(kind: MergeKind, children: list[Child]) -> None:
    allowed: tuple[type, ...] = (
        (Contact, Opportunity, ServiceCase, Account)
        if kind is MergeKind.ACCOUNT
        else (CampaignMember, Enrollment, Task, Opportunity, ServiceCase)
        if kind is MergeKind.CONTACT
        else (CampaignMember, Enrollment, Task)
    )
    with Checker("merge") as c:
        for n, child in enumerate(children):
            c.check(
                isinstance(child, allowed),
                f"children[{n}]",
                type(child).__name__,
                "must be one of " + ", ".join(t.__name__ for t in allowed),
            )


def _interaction_link(kind: MergeKind, gone: str, kept: str) -> tuple[str, Any, Any]:
    """The interaction field a merge re-points, with its values before and after."""
    if kind is MergeKind.ACCOUNT:
        return "account_id", gone, kept
    party = PartyKind(kind.value)
    return "party", PartyRef(party, gone), PartyRef(party, kept)


def _refusals(a: R, b: R) -> list[str]:
    if a.id == b.id:
        return ["a record cannot be merged with itself"]
    reasons: list[str] = []
    for record in (a, b):
        if isinstance(record, Lead) and record.is_converted:
            reasons.append(f"{record.id} is converted")
        if not isinstance(record, Lead) and record.merged_into is not None:
            reasons.append(f"{record.id} is merged into {record.merged_into} already")
    if isinstance(a, Account) and isinstance(b, Account) and b.id == a.parent_id:
        reasons.append(f"{b.id} is the parent of {a.id}")
    if isinstance(a, Account) and isinstance(b, Account) and a.id == b.parent_id:
        reasons.append(f"{a.id} is the parent of {b.id}")
    return reasons


def _merge(
    a: R,
    b: R,
    at: datetime,
    actor: str,
    ids: IdFactory,
    policy: SurvivorPolicy | Callable[[R, R], R],
    resolve: Mapping[str, Resolution] | None,
    children: Iterable[Child],
    interactions: Iterable[Interaction],
) -> MergeResult[R]:
    if type(a) is not type(b):
        fail("b", type(b).__name__, f"must be a {type(a).__name__} like a")
    kind = _kind(a)
    reasons = _refusals(a, b)
    if reasons:
        status = a.status.value if isinstance(a, Lead) else "active"
        raise TransitionError(a.id, status, "merged", reasons)
    resolve = dict(resolve or {})
    children = list(children)
    _check_children(kind, children)
    with Checker(f"merge_{kind.value}s") as c:
        for name in resolve:
            c.check(
                name in _FIELDS[kind], f"resolve.{name}", name, "is not a field a merge resolves"
            )
    survivor = _choose(a, b, policy)
    merged = b if survivor is a else a
    reason = f"merged into {survivor.id}"
    changes: dict[str, Any] = {}
    for name in _FIELDS[kind]:
        mine, theirs = getattr(survivor, name), getattr(merged, name)
        how = resolve.get(name)
        if how is None:
            value = _default(mine, theirs)
        elif how == Take.SURVIVOR:
            value = mine
        elif how == Take.MERGED:
            value = theirs
        else:
            value = how(mine, theirs)
        if value != mine:
            changes[name] = value
    new_survivor = survivor.update(at=at, actor=actor, reason=reason, **changes)
    fields = {
        name: pair
        for event in new_survivor.history[survivor.version :]
        for name, pair in getattr(event, "changes", {}).items()
    }
    tombstone: Event
    if isinstance(merged, Lead):
        tombstone = merged._event(
            StageChanged,
            at=at,
            actor=actor,
            funnel="lead_status",
            from_stage=merged.status.value,
            to_stage=LeadStatus.DISQUALIFIED.value,
            reason=reason,
        )
    else:
        tombstone = merged._event(MergedInto, at=at, actor=actor, into=survivor.id)
    new_children: list[Child] = []
    repointed: dict[str, Mapping[str, tuple[Any, Any]]] = {}
    for child in children:
        move = _moves(child, kind, merged.id, survivor.id)
        if move:
            values = {f: new for f, (_, new) in move.items()}
            child = _set(child, values, at=at, actor=actor, reason=reason)
            repointed[child.id] = move
        new_children.append(child)
    name, gone, kept = _interaction_link(kind, merged.id, survivor.id)
    new_interactions: list[Interaction] = []
    moved_interactions: list[str] = []
    for i in interactions:
        if getattr(i, name) == gone:
            i = attrs.evolve(i, **{name: kept})
            moved_interactions.append(i.id)
        new_interactions.append(i)
    merge = Merge._create(
        {
            "kind": kind,
            "survivor": survivor.id,
            "merged": merged.id,
            "fields": fields,
            "merged_status": merged.status.value if isinstance(merged, Lead) else None,
            "merged_reason": merged.disqualify_reason if isinstance(merged, Lead) else None,
            "repointed": repointed,
            "interactions": tuple(moved_interactions),
        },
        id=ids.new("merge"),
        at=at,
        actor=actor,
    )
    return MergeResult(
        merge=merge,
        survivor=new_survivor,
        tombstone=merged._record(tombstone),
        children=tuple(new_children),
        interactions=tuple(new_interactions),
    )


_ARGS = """
    Args:
        a: One record.
        b: The other.
        at: When.
        actor: Who.
        ids: Makes the merge record's id (``ids.new("merge")``).
        policy: Which record survives: most complete (ties: the older), the
            oldest, the most advanced (lead status, contact lifecycle stage;
            ties: the more complete), or ``(a, b) -> survivor``.
        resolve: Per field (see {fields}): :class:`Take` or
            ``(survivor value, merged value) -> value``. Unlisted fields keep
            the survivor's value, or the merged record's where the survivor's
            is blank (lists and tags: the survivor's, then the merged record's
            others; custom values: the survivor's win, the merged record's
            fill the gaps).
        children: {children}; those of the merged record are re-pointed to
            the survivor, the rest are returned unchanged.
        interactions: Interactions; likewise (their {interactions}).

    Returns:
        The merge record, survivor, tombstone, children and interactions.

    Raises:
        TransitionError: {refused}, or both are the same record.
        ValidationError: an unknown field in ``resolve``, a child of another
            kind, a value the survivor or a child refuses, or an ``at``
            before a record's last event. Nothing is changed then.
"""


def merge_leads(
    a: Lead,
    b: Lead,
    *,
    at: datetime,
    actor: str,
    ids: IdFactory,
    policy: SurvivorPolicy | Callable[[Lead, Lead], Lead] = SurvivorPolicy.MOST_COMPLETE,
    resolve: Mapping[str, Resolution] | None = None,
    children: Iterable[CampaignMember | Enrollment | Task] = (),
    interactions: Iterable[Interaction] = (),
) -> MergeResult[Lead]:
    return _merge(a, b, at, actor, ids, policy, resolve, children, interactions)


def merge_contacts(
    a: Contact,
    b: Contact,
    *,
    at: datetime,
    actor: str,
    ids: IdFactory,
    policy: SurvivorPolicy | Callable[[Contact, Contact], Contact] = SurvivorPolicy.MOST_COMPLETE,
    resolve: Mapping[str, Resolution] | None = None,
    children: Iterable[CampaignMember | Enrollment | Task | Opportunity | ServiceCase] = (),
    interactions: Iterable[Interaction] = (),
) -> MergeResult[Contact]:
    return _merge(a, b, at, actor, ids, policy, resolve, children, interactions)


def merge_accounts(
    a: Account,
    b: Account,
    *,
    at: datetime,
    actor: str,
    ids: IdFactory,
    policy: SurvivorPolicy | Callable[[Account, Account], Account] = SurvivorPolicy.MOST_COMPLETE,
    resolve: Mapping[str, Resolution] | None = None,
    children: Iterable[Contact | Opportunity | ServiceCase | Account] = (),
    interactions: Iterable[Interaction] = (),
) -> MergeResult[Account]:
    return _merge(a, b, at, actor, ids, policy, resolve, children, interactions)


merge_leads.__doc__ = "Merge two leads into one; the other becomes a disqualified tombstone.\n" + (
    _ARGS.format(
        fields=":data:`MERGE_FIELDS`",
        children="Campaign members, enrollments and tasks",
        interactions="``party``",
        refused="a lead is converted",
    )
)
merge_contacts.__doc__ = (
    "Merge two contacts into one; the other records :class:`MergedInto`.\n"
    + _ARGS.format(
        fields=":data:`CONTACT_MERGE_FIELDS`",
        children="Campaign members, enrollments, tasks, opportunities (primary contact "
        "and roles; roles of both are united) and cases (requester)",
        interactions="``party``",
        refused="a contact is a tombstone already",
    )
)
merge_accounts.__doc__ = (
    "Merge two accounts into one; the other records :class:`MergedInto`.\n"
    + _ARGS.format(
        fields=":data:`ACCOUNT_MERGE_FIELDS`",
        children="Contacts, opportunities, cases (their ``account_id``) and child "
        "accounts (their ``parent_id``)",
        interactions="``account_id``",
        refused="an account is a tombstone already or one is the other's parent",
    )
)


def unmerge(
    merge: Merge,
    survivor: R,
    tombstone: R,
    *,
    at: datetime,
    actor: str,
    children: Iterable[Child] = (),
    interactions: Iterable[Interaction] = (),
) -> UnmergeResult[R]:
    """Undo a merge: both records and every re-pointed child as they were.

    The survivor's merged fields get their values from before the merge back
    (one ``FieldsChanged``; a later edit of those fields is undone too), the
    tombstone is restored (a lead moves back to its former status and
    disqualification reason; a contact or account records ``MergedInto``
    with ``into=None``), and every field of a child the merge re-pointed gets
    its value from before, through the child's own transition, if it still
    holds the value the merge gave it.

    Args:
        merge: The merge record.
        survivor: The survivor now.
        tombstone: The merged-away record now.
        at: When.
        actor: Who.
        children: The children (those the merge moved are moved back).
        interactions: The interactions (likewise).

    Returns:
        The merge marked undone, both records, children and interactions.

    Raises:
        ValidationError: the merge was undone already, or the records are not
            the merge's. Nothing is changed then.
    """
    with Checker("unmerge") as c:
        c.check(not merge.undone, "merge", merge.id, "is undone already")
        for name, record, want in (
            ("survivor", survivor, merge.survivor),
            ("tombstone", tombstone, merge.merged),
        ):
            c.check(
                record.id == want and _kind(record) is merge.kind,
                name,
                record.id,
                f"is not the merge's {name} ({merge.kind.value} {want})",
            )
    reason = f"merge {merge.id} undone"
    restored = survivor._edit(
        {name: old for name, (old, _) in merge.fields.items()}, at=at, actor=actor, reason=reason
    )
    events: list[Event] = []
    if isinstance(tombstone, Lead):
        if (tombstone.status.value, tombstone.disqualify_reason) != (
            merge.merged_status,
            merge.merged_reason,
        ):
            events.append(
                tombstone._event(
                    StageChanged,
                    at=at,
                    actor=actor,
                    funnel="lead_status",
                    from_stage=tombstone.status.value,
                    to_stage=str(merge.merged_status),
                    reason=merge.merged_reason if merge.merged_reason is not None else reason,
                )
            )
    elif tombstone.merged_into is not None:
        events.append(tombstone._event(MergedInto, at=at, actor=actor, into=None))
    back = tombstone._record(*events)
    new_children = tuple(
        _set(
            ch,
            {f: old for f, (old, new) in merge.repointed[ch.id].items() if getattr(ch, f) == new},
            at=at,
            actor=actor,
            reason=reason,
        )
        if ch.id in merge.repointed
        else ch
        for ch in children
    )
    name, gone, kept = _interaction_link(merge.kind, merge.merged, merge.survivor)
    moved_i = frozenset(merge.interactions)
    new_interactions = tuple(
        attrs.evolve(i, **{name: gone}) if i.id in moved_i and getattr(i, name) == kept else i
        for i in interactions
    )
    done = merge._emit(MergeUndone, at=at, actor=actor)
    return UnmergeResult(
        merge=done,
        survivor=restored,
        merged=back,
        children=new_children,
        interactions=new_interactions,
    )
