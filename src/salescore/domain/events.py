"""The event base class and the events every aggregate shares.

Every change to an aggregate is an event: frozen, with the aggregate's id
(``subject_id``), the instant it happened (``at``, timezone-aware) and who or
what caused it (``actor``, a person's id or a system name). Aggregate-specific
events (``LeadCreated``, ``OpportunityClosed``, …) live beside their
aggregates and subclass :class:`Event`; two kinds are shared by all:

* :class:`StageChanged`: a move in a funnel (also the entry into a funnel at
  creation, with ``from_stage=None``);
* :class:`FieldsChanged`: an edit that is not a stage move, mapping each field
  to its ``(old, new)`` pair.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

import attrs

from salescore._validation import Checker
from salescore.serialization import register_polymorphic, register_type

__all__ = ["Event", "FieldsChanged", "StageChanged"]


@register_polymorphic
@attrs.frozen(kw_only=True)
class Event:
    """Base of every event.

    Attributes:
        subject_id: The id of the aggregate the event belongs to.
        at: When it happened (timezone-aware).
        actor: Who or what caused it: a rep's id, a user, or a system name
            such as ``"web-form"``.
    """

    subject_id: str
    at: datetime
    actor: str

    def __attrs_post_init__(self) -> None:
        at = self.at
        if (
            type(self.subject_id) is str
            and self.subject_id
            and type(self.actor) is str
            and self.actor
            and isinstance(at, datetime)
            and at.tzinfo is not None
            and at.utcoffset() is not None
        ):
            self._check()
            return
        with Checker(type(self).__name__) as c:
            c.text(self.subject_id, "subject_id")
            c.text(self.actor, "actor")
            c.aware(self.at, "at")
            with c.nested(""):
                self._check()

    def _check(self) -> None:
        """Validate subclass fields; overridden by events that have some."""


@register_type
@attrs.frozen(kw_only=True)
class StageChanged(Event):
    """An item moved from one stage of a funnel to another.

    Attributes:
        funnel: The funnel's key (``"lead_status"``, ``"b2b_pipeline"``, …).
        from_stage: The stage left, or ``None`` when the item enters the
            funnel (at creation).
        to_stage: The stage entered.
        reason: Why, when the move needs or has one.
    """

    funnel: str
    from_stage: str | None
    to_stage: str
    reason: str | None = None

    def __attrs_post_init__(self) -> None:
        # The common case in one expression: stage moves are the most
        # frequent events, so they skip the general path when all is well.
        at = self.at
        if (
            type(self.subject_id) is str
            and self.subject_id
            and type(self.actor) is str
            and self.actor
            and type(self.funnel) is str
            and self.funnel
            and type(self.to_stage) is str
            and (self.from_stage is None or type(self.from_stage) is str)
            and (self.reason is None or type(self.reason) is str)
            and type(at) is datetime
            and at.utcoffset() is not None
        ):
            return
        super().__attrs_post_init__()

    def _check(self) -> None:
        if (
            type(self.funnel) is str
            and self.funnel
            and type(self.to_stage) is str
            and (self.from_stage is None or type(self.from_stage) is str)
            and (self.reason is None or type(self.reason) is str)
        ):
            return
        with Checker("StageChanged") as c:
            c.text(self.funnel, "funnel")
            c.text(self.from_stage, "from_stage", optional=True)
            c.text(self.to_stage, "to_stage")
            c.text(self.reason, "reason", optional=True, empty=True)


@register_type
@attrs.frozen(kw_only=True)
class FieldsChanged(Event):
    """Fields of an item were edited (anything that is not a stage move).

    Attributes:
        changes: Field name → ``(old value, new value)``.
        reason: Why, if given.
    """

    changes: Mapping[str, tuple[Any, Any]]
    reason: str | None = None

    def _check(self) -> None:
        with Checker("FieldsChanged") as c:
            if not isinstance(self.changes, Mapping) or not self.changes:
                c.add("changes", self.changes, "must be a non-empty mapping")
                return
            for name, pair in self.changes.items():
                c.check(
                    isinstance(name, str) and bool(name),
                    "changes",
                    name,
                    "field names must be non-empty strings",
                )
                c.check(
                    isinstance(pair, tuple) and len(pair) == 2,
                    f"changes.{name}",
                    pair,
                    "must be an (old, new) pair",
                )
