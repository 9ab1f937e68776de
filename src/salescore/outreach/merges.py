"""Merging duplicate leads, and undoing a merge exactly.

:func:`merge_leads` picks a survivor by a policy (most complete, oldest,
most advanced status, or a function of your own), resolves every field (the
survivor's value unless it is blank, overridable per field), records the
resolution on the survivor as one ``FieldsChanged``, turns the other lead into
a tombstone (moved to ``disqualified`` with the reason ``"merged into
<survivor id>"``), and re-points its children — campaign memberships
(``MemberRepointed``), enrollments (``EnrollmentRepointed``), tasks (a
``FieldsChanged`` of the subject) and interactions (new values with the
survivor as party) — to the survivor. A :class:`Merge` aggregate records all
of it, so :func:`unmerge` can put both leads and every child back exactly as
they were (with events: history is never rewritten).

Converted leads are not merged (merge the contacts they became instead).
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from typing import Any, Final, Self

import attrs

from salescore._validation import Checker, fail
from salescore.domain.aggregate import Aggregate
from salescore.domain.campaigns import CampaignMember
from salescore.domain.events import Event, StageChanged
from salescore.domain.interactions import Interaction
from salescore.domain.leads import Lead, LeadStatus
from salescore.domain.parties import PartyRef
from salescore.domain.tasks import Task, TaskSubject
from salescore.errors import TransitionError
from salescore.ids import IdFactory
from salescore.outreach.cadences import Enrollment
from salescore.serialization import register_type

__all__ = [
    "MERGE_FIELDS",
    "Merge",
    "MergeResult",
    "MergeUndone",
    "RecordsMerged",
    "SurvivorPolicy",
    "Take",
    "UnmergeResult",
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

_RANK: Final = {
    LeadStatus.DISQUALIFIED: 0,
    LeadStatus.NEW: 1,
    LeadStatus.NURTURING: 2,
    LeadStatus.WORKING: 3,
    LeadStatus.QUALIFIED: 4,
}

Child = CampaignMember | Enrollment | Task


class SurvivorPolicy(enum.StrEnum):
    """Which of two leads survives a merge."""

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
    """Two leads were merged (the event of a :class:`Merge`).

    Attributes:
        survivor: The lead that remains.
        merged: The lead that became a tombstone.
        fields: Survivor field → ``(old, new)`` as resolved.
        merged_status: The merged lead's status before the merge.
        merged_reason: Its disqualification reason before, if any.
        children: Ids of the aggregates re-pointed to the survivor.
        interactions: Ids of the interactions re-pointed to the survivor.
    """

    survivor: PartyRef
    merged: PartyRef
    fields: Mapping[str, tuple[Any, Any]]
    merged_status: str
    merged_reason: str | None = None
    children: tuple[str, ...] = ()
    interactions: tuple[str, ...] = ()


@register_type
@attrs.frozen(kw_only=True)
class MergeUndone(Event):
    """A merge was undone."""


@register_type
@attrs.frozen(kw_only=True)
class Merge(Aggregate):
    """The record of one merge, enough to undo it.

    Attributes:
        survivor: The surviving lead.
        merged: The merged-away lead (the tombstone).
        fields: Survivor field → ``(old, new)``.
        merged_status: The tombstone's status before the merge.
        merged_reason: Its disqualification reason before, if any.
        children: Ids of the re-pointed aggregates.
        interactions: Ids of the re-pointed interactions.
        undone: Whether the merge has been undone.
    """

    survivor: PartyRef
    merged: PartyRef
    fields: Mapping[str, tuple[Any, Any]] = attrs.field(factory=dict)
    merged_status: str = LeadStatus.NEW.value
    merged_reason: str | None = None
    children: tuple[str, ...] = ()
    interactions: tuple[str, ...] = ()
    undone: bool = False

    @classmethod
    def _created(cls, event: Event) -> Self:
        if type(event) is not RecordsMerged:
            fail("history[0]", type(event).__name__, "a merge starts with RecordsMerged")
        return cls(
            id=event.subject_id,
            survivor=event.survivor,
            merged=event.merged,
            fields=event.fields,
            merged_status=event.merged_status,
            merged_reason=event.merged_reason,
            children=event.children,
            interactions=event.interactions,
        )

    def _apply(self, event: Event) -> dict[str, Any]:
        if type(event) is MergeUndone:
            return {"undone": True}
        return super()._apply(event)


@attrs.frozen(kw_only=True)
class MergeResult:
    """Everything a merge changed; store it as one unit.

    Attributes:
        merge: The merge record.
        survivor: The surviving lead.
        tombstone: The merged-away lead, pointing at the survivor.
        children: Every child given, re-pointed where it was the tombstone's.
        interactions: Every interaction given, re-pointed likewise.
    """

    merge: Merge
    survivor: Lead
    tombstone: Lead
    children: tuple[Child, ...]
    interactions: tuple[Interaction, ...]


@attrs.frozen(kw_only=True)
class UnmergeResult:
    """Everything an unmerge changed.

    Attributes:
        merge: The merge record, marked undone.
        survivor: The survivor, with its fields as before the merge.
        merged: The lead restored from its tombstone.
        children: The children, pointing where they pointed before.
        interactions: The interactions, likewise.
    """

    merge: Merge
    survivor: Lead
    merged: Lead
    children: tuple[Child, ...]
    interactions: tuple[Interaction, ...]


def _completeness(lead: Lead) -> int:
    return sum(1 for f in MERGE_FIELDS if getattr(lead, f) not in (None, {}, ""))


def _choose(a: Lead, b: Lead, policy: SurvivorPolicy | Callable[[Lead, Lead], Lead]) -> Lead:
    if callable(policy) and not isinstance(policy, SurvivorPolicy):
        chosen = policy(a, b)
        if chosen is not a and chosen is not b:
            fail("policy", chosen, "must return one of the two leads")
        return chosen
    p = SurvivorPolicy(policy)
    if p is SurvivorPolicy.OLDEST:
        return b if b.created_at < a.created_at else a
    if p is SurvivorPolicy.MOST_ADVANCED:
        ra, rb = _RANK.get(a.status, 0), _RANK.get(b.status, 0)
        if ra != rb:
            return a if ra > rb else b
    ca, cb = _completeness(a), _completeness(b)
    if ca != cb:
        return a if ca > cb else b
    return b if b.created_at < a.created_at else a


def _child_party(child: Child) -> PartyRef | None:
    if isinstance(child, Task):
        return child.subject.party
    return child.party


def _repoint(child: Child, to: PartyRef, *, at: datetime, actor: str, reason: str) -> Child:
    if isinstance(child, CampaignMember):
        return child.repoint(to, at=at, actor=actor, reason=reason)
    if isinstance(child, Enrollment):
        return child.repoint(to, at=at, actor=actor)
    if isinstance(child, Task):
        return child._edit({"subject": TaskSubject.of(to)}, at=at, actor=actor, reason=reason)
    fail("children", type(child).__name__, "must be campaign members, enrollments or tasks")


def merge_leads(
    a: Lead,
    b: Lead,
    *,
    at: datetime,
    actor: str,
    ids: IdFactory,
    policy: SurvivorPolicy | Callable[[Lead, Lead], Lead] = SurvivorPolicy.MOST_COMPLETE,
    resolve: Mapping[str, Resolution] | None = None,
    children: Iterable[Child] = (),
    interactions: Iterable[Interaction] = (),
) -> MergeResult:
    """Merge two leads into one.

    Args:
        a: One lead.
        b: The other.
        at: When.
        actor: Who.
        ids: Makes the merge record's id (``ids.new("merge")``).
        policy: Which lead survives: most complete (ties: the older), the
            oldest, the most advanced status (ties: the more complete), or
            ``(a, b) -> survivor``.
        resolve: Per field (see :data:`MERGE_FIELDS`): :class:`Take` or
            ``(survivor value, merged value) -> value``. Unlisted fields keep
            the survivor's value, or the merged lead's where the survivor's
            is blank (custom values: the survivor's win, the merged lead's
            fill the gaps).
        children: Campaign members, enrollments and tasks; those of the
            merged lead are re-pointed to the survivor, the rest are
            returned unchanged.
        interactions: Interactions; likewise.

    Returns:
        The merge record, survivor, tombstone, children and interactions.

    Raises:
        TransitionError: a lead is converted, or both are the same lead.
        ValidationError: an unknown field in ``resolve``, a value the survivor
            refuses, or an ``at`` before a record's last event. Nothing is
            changed then.
    """
    if a.id == b.id:
        raise TransitionError(
            a.id, a.status.value, "merged", ["a lead cannot be merged with itself"]
        )
    for lead in (a, b):
        if lead.is_converted:
            raise TransitionError(
                lead.id, lead.status.value, "merged", ["a converted lead cannot be merged"]
            )
    resolve = dict(resolve or {})
    with Checker("merge_leads") as c:
        for name in resolve:
            c.check(
                name in MERGE_FIELDS, f"resolve.{name}", name, "is not a field a merge resolves"
            )
    survivor = _choose(a, b, policy)
    merged = b if survivor is a else a
    reason = f"merged into {survivor.id}"
    changes: dict[str, Any] = {}
    for name in MERGE_FIELDS:
        mine, theirs = getattr(survivor, name), getattr(merged, name)
        how = resolve.get(name)
        if how is None:
            value = {**theirs, **mine} if name == "custom" else (theirs if mine is None else mine)
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
    tombstone = merged._record(
        StageChanged(
            subject_id=merged.id,
            at=at,
            actor=actor,
            funnel="lead_status",
            from_stage=merged.status.value,
            to_stage=LeadStatus.DISQUALIFIED.value,
            reason=reason,
        )
    )
    new_children: list[Child] = []
    moved: list[str] = []
    for child in children:
        if _child_party(child) == merged.ref:
            child = _repoint(child, survivor.ref, at=at, actor=actor, reason=reason)
            moved.append(child.id)
        new_children.append(child)
    new_interactions: list[Interaction] = []
    moved_interactions: list[str] = []
    for i in interactions:
        if i.party == merged.ref:
            i = attrs.evolve(i, party=survivor.ref)
            moved_interactions.append(i.id)
        new_interactions.append(i)
    merge = Merge._new(
        RecordsMerged(
            subject_id=ids.new("merge"),
            at=at,
            actor=actor,
            survivor=survivor.ref,
            merged=merged.ref,
            fields=fields,
            merged_status=merged.status.value,
            merged_reason=merged.disqualify_reason,
            children=tuple(moved),
            interactions=tuple(moved_interactions),
        )
    )
    return MergeResult(
        merge=merge,
        survivor=new_survivor,
        tombstone=tombstone,
        children=tuple(new_children),
        interactions=tuple(new_interactions),
    )


def unmerge(
    merge: Merge,
    survivor: Lead,
    tombstone: Lead,
    *,
    at: datetime,
    actor: str,
    children: Iterable[Child] = (),
    interactions: Iterable[Interaction] = (),
) -> UnmergeResult:
    """Undo a merge: both leads and every re-pointed child as they were.

    The survivor's merged fields get their values from before the merge back
    (one ``FieldsChanged``; a later edit of those fields is undone too), the
    tombstone moves back to its former status (and disqualification reason),
    and the children and interactions the merge re-pointed point at it again.

    Args:
        merge: The merge record.
        survivor: The survivor now.
        tombstone: The merged-away lead now.
        at: When.
        actor: Who.
        children: The children (those the merge moved are moved back).
        interactions: The interactions (likewise).

    Returns:
        The merge marked undone, both leads, children and interactions.

    Raises:
        ValidationError: the merge was undone already, or the leads are not
            the merge's. Nothing is changed then.
    """
    with Checker("unmerge") as c:
        c.check(not merge.undone, "merge", merge.id, "is undone already")
        c.check(survivor.ref == merge.survivor, "survivor", survivor.id, "is not the survivor")
        c.check(tombstone.ref == merge.merged, "tombstone", tombstone.id, "is not the merged lead")
    reason = f"merge {merge.id} undone"
    restored = survivor._edit(
        {name: old for name, (old, _) in merge.fields.items()}, at=at, actor=actor, reason=reason
    )
    events: list[Event] = []
    if (tombstone.status.value, tombstone.disqualify_reason) != (
        merge.merged_status,
        merge.merged_reason,
    ):
        events.append(
            StageChanged(
                subject_id=tombstone.id,
                at=at,
                actor=actor,
                funnel="lead_status",
                from_stage=tombstone.status.value,
                to_stage=merge.merged_status,
                reason=merge.merged_reason if merge.merged_reason is not None else reason,
            )
        )
    back = tombstone._record(*events)
    moved = frozenset(merge.children)
    new_children = tuple(
        _repoint(ch, merge.merged, at=at, actor=actor, reason=reason)
        if ch.id in moved and _child_party(ch) == merge.survivor
        else ch
        for ch in children
    )
    moved_i = frozenset(merge.interactions)
    new_interactions = tuple(
        attrs.evolve(i, party=merge.merged) if i.id in moved_i and i.party == merge.survivor else i
        for i in interactions
    )
    done = merge._record(MergeUndone(subject_id=merge.id, at=at, actor=actor))
    return UnmergeResult(
        merge=done,
        survivor=restored,
        merged=back,
        children=new_children,
        interactions=new_interactions,
    )
