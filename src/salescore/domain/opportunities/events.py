"""The events of a deal's history: creation, closing, reopening, overrides and lines.

Guide: :doc:`/opportunities`.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

import attrs

from salescore.domain.events import Event
from salescore.domain.leads import LeadSource
from salescore.domain.opportunities.fields import ContactRole, OpportunityType
from salescore.domain.products import LineItem
from salescore.domain.stages import ForecastCategory, Funnel
from salescore.money import Money
from salescore.serialization import register_type

__all__ = [
    "ForecastCategoryOverridden",
    "LineItemAdded",
    "LineItemRemoved",
    "LineItemsReplaced",
    "OpportunityClosed",
    "OpportunityCreated",
    "OpportunityReopened",
    "ProbabilityOverridden",
]


@register_type
@attrs.frozen(kw_only=True)
class OpportunityCreated(Event):
    """A deal was opened; carries its pipeline and initial fields (see :class:`Opportunity`)."""

    name: str
    pipeline: Funnel
    account_id: str | None = None
    primary_contact_id: str | None = None
    contact_roles: Mapping[str, frozenset[ContactRole]] = attrs.field(factory=dict)
    owner_id: str | None = None
    team_id: str | None = None
    type: OpportunityType = OpportunityType.NEW_BUSINESS
    amount: Money | None = None
    line_items: tuple[LineItem, ...] = ()
    recurring: Money | None = None
    term_months: int | None = None
    close_date: date | None = None
    competitors: tuple[str, ...] = ()
    next_step: str | None = None
    source: LeadSource | None = None
    campaign_id: str | None = None
    custom: Mapping[str, Any] = attrs.field(factory=dict)


@register_type
@attrs.frozen(kw_only=True)
class OpportunityClosed(Event):
    """A deal was closed won or lost (followed by its move to the closing stage).

    Attributes:
        won: Whether it was won.
        reason: The won or lost reason.
    """

    won: bool
    reason: str | None = None


@register_type
@attrs.frozen(kw_only=True)
class OpportunityReopened(Event):
    """A closed deal was reopened (followed by its move to an open stage).

    Attributes:
        from_stage: The closed stage it left.
        reason: Why it was reopened.
    """

    from_stage: str
    reason: str


@register_type
@attrs.frozen(kw_only=True)
class ProbabilityOverridden(Event):
    """A rep set the deal's probability by hand (``None``: back to the stage default).

    Attributes:
        probability: The new probability in [0, 1], or ``None``.
        reason: Why, if given.
    """

    probability: float | None
    reason: str | None = None


@register_type
@attrs.frozen(kw_only=True)
class ForecastCategoryOverridden(Event):
    """A rep set the deal's forecast category by hand (``None``: back to the stage default).

    Attributes:
        category: The new category, or ``None``.
        reason: Why, if given.
    """

    category: ForecastCategory | None
    reason: str | None = None


@register_type
@attrs.frozen(kw_only=True)
class LineItemAdded(Event):
    """A line was added at the end of the deal's lines.

    Attributes:
        item: The line.
    """

    item: LineItem


@register_type
@attrs.frozen(kw_only=True)
class LineItemRemoved(Event):
    """A line was removed.

    Attributes:
        position: Its position (0-based) among the lines.
        item: The line removed (for the record).
    """

    position: int
    item: LineItem


@register_type
@attrs.frozen(kw_only=True)
class LineItemsReplaced(Event):
    """Every line was replaced at once.

    Attributes:
        items: The new lines (possibly none).
    """

    items: tuple[LineItem, ...]
