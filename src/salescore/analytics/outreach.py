"""Outreach metrics from calls: dials, connects, conversations, meetings booked.

A *dial* is an outbound phone interaction; a *connect* is a dial in which
the person was reached (its call outcome says so); a *conversation* is a
connect that lasted at least ``conversation_after`` (two minutes by
default; a connect without a duration does not count); a *meeting booked* is
a dial whose disposition is ``meeting_booked``. Metrics can be split by rep,
by the hour of the local day the call started, and by cadence step through a
key function the caller gives.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Mapping
from datetime import UTC, timedelta, tzinfo
from typing import Any

import attrs

from salescore.analytics._report import (
    GroupedReport,
    Items,
    check_collection,
    grouping,
    items,
    ratio,
)
from salescore.analytics.periods import as_zone
from salescore.domain.interactions import CallDisposition, CallOutcome, Channel, Direction
from salescore.errors import ValidationError

__all__ = ["OutreachMetrics", "OutreachReport", "outreach_report"]


@attrs.frozen(kw_only=True)
class OutreachMetrics:
    """Calling results of one group.

    Attributes:
        key: The group (``None`` for all dials, or dials without the field).
        dials: Outbound calls.
        connects: Dials that reached the person.
        connect_rate: ``connects / dials``.
        conversations: Connects that lasted at least the conversation length.
        meetings_booked: Dials that booked a meeting.
        meetings_per_100_dials: ``100 × meetings_booked / dials``.
    """

    key: Hashable
    dials: int
    connects: int
    connect_rate: float | None
    conversations: int
    meetings_booked: int
    meetings_per_100_dials: float | None


@attrs.frozen
class OutreachReport(GroupedReport[OutreachMetrics]):
    """Calling results per group.

    Attributes:
        by: What the groups are (``None`` for one group of all dials).
        groups: Sorted by key (``None`` first).
    """

    by: str | None
    groups: tuple[OutreachMetrics, ...]


@items(interactions=Items("an interaction", has=("channel", "direction", "outcome")))
def outreach_report(
    interactions: Iterable[Any],
    *,
    by: str | Callable[[Any], Hashable] | None = None,
    zone: tzinfo | str | Mapping[str, tzinfo | str] | None = None,
    conversation_after: timedelta = timedelta(minutes=2),
) -> OutreachReport:
    """Dials, connects, conversations and meetings, overall or per group.

    Args:
        interactions: Interactions (read once); only outbound phone calls count.
        by: ``"rep"`` (``rep_id``, else ``actor``), ``"hour"`` (hour 0–23 of
            the local day), or a function of the interaction (a cadence step,
            for instance).
        zone: The zone of the local day for ``by="hour"``: one zone, or
            rep id → zone (reps not in it: UTC), each a ``tzinfo`` or an IANA
            name such as ``"Europe/Berlin"``. Default UTC.
        conversation_after: The shortest connect that counts as a conversation.

    Returns:
        The report.

    Raises:
        ValidationError: ``by`` is unknown, ``conversation_after`` is
            negative, or a zone is neither a tzinfo nor a known IANA name.
    """
    check_collection(interactions, "interactions", "interactions")
    if not isinstance(conversation_after, timedelta) or conversation_after < timedelta(0):
        raise ValidationError.single(
            "conversation_after", conversation_after, "must be a timedelta ≥ 0"
        )

    zones: tzinfo | dict[str, tzinfo] | None = None
    if isinstance(zone, Mapping):
        zones = {rep: as_zone(z, f"zone.{rep}") for rep, z in zone.items()}
    elif zone is not None:
        zones = as_zone(zone)

    def hour(i: Any) -> Hashable:
        rep = i.rep_id or i.actor
        local = zones.get(rep) if isinstance(zones, dict) else zones
        return int(i.at.astimezone(local or UTC).hour)

    key_of, name = grouping(by, {"rep": lambda i: i.rep_id or i.actor, "hour": hour})
    counts: dict[Hashable, list[int]] = {}
    for i in interactions:
        if i.channel is not Channel.PHONE or i.direction is not Direction.OUTBOUND:
            continue
        outcome = i.outcome
        row = counts.setdefault(key_of(i), [0, 0, 0, 0])
        row[0] += 1
        if isinstance(outcome, CallOutcome):
            if outcome.reached:
                row[1] += 1
                if i.duration is not None and i.duration >= conversation_after:
                    row[2] += 1
            if outcome.disposition is CallDisposition.MEETING_BOOKED:
                row[3] += 1
    groups = []
    for key in sorted(counts, key=lambda k: (k is not None, type(k).__name__, k)):
        dials, connects, conversations, meetings = counts[key]
        per_dial = ratio(meetings, dials)
        groups.append(
            OutreachMetrics(
                key=key,
                dials=dials,
                connects=connects,
                connect_rate=ratio(connects, dials),
                conversations=conversations,
                meetings_booked=meetings,
                meetings_per_100_dials=None if per_dial is None else 100 * per_dial,
            )
        )
    return OutreachReport(name, tuple(groups))
