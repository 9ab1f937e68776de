"""Campaign hierarchies: the chain of parents, and the check that keeps it a tree.

Guide: :doc:`/campaigns`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from salescore._validation import fail
from salescore.errors import NotFound

if TYPE_CHECKING:
    from salescore.domain.campaigns.campaign import Campaign

__all__ = ["campaign_ancestors", "check_campaign_parent"]


def campaign_ancestors(campaign_id: str, campaigns: Mapping[str, Campaign]) -> tuple[str, ...]:
    """The chain of parent campaigns above ``campaign_id``, nearest first.

    Args:
        campaign_id: The campaign to start from.
        campaigns: Campaign id → campaign, for every campaign in the chain
            (a parent missing from it ends the chain).

    Returns:
        The ancestor ids.

    Raises:
        ValidationError: the hierarchy has a cycle.
    """
    chain: list[str] = []
    seen = {campaign_id}
    start = campaigns.get(campaign_id)
    current = start.parent_id if start is not None else None
    while current is not None:
        if current in seen:
            fail(
                "parent_id",
                current,
                f"the campaign hierarchy has a cycle: {' → '.join([campaign_id, *chain, current])}",
            )
        chain.append(current)
        seen.add(current)
        parent = campaigns.get(current)
        current = parent.parent_id if parent is not None else None
    return tuple(chain)


def check_campaign_parent(
    campaign_id: str, parent_id: str | None, campaigns: Mapping[str, Campaign]
) -> None:
    """Check that ``parent_id`` may become the parent of ``campaign_id``.

    A campaign cannot be its own parent, nor the parent of any of its
    ancestors: ``parent_id`` and its ancestors must not include ``campaign_id``.

    Args:
        campaign_id: The child.
        parent_id: The proposed parent (``None`` is always fine).
        campaigns: Campaign id → campaign; must hold the parent and its ancestors.

    Raises:
        NotFound: the parent is not in ``campaigns``.
        ValidationError: the move would make a cycle (the error shows it).
    """
    if parent_id is None:
        return
    if parent_id == campaign_id:
        fail("parent_id", parent_id, "a campaign cannot be its own parent")
    if parent_id not in campaigns:
        raise NotFound(f"parent campaign {parent_id!r} is not among the campaigns given")
    chain = campaign_ancestors(parent_id, campaigns)
    if campaign_id in chain:
        path = " → ".join([parent_id, *chain[: chain.index(campaign_id) + 1]])
        fail(
            "parent_id",
            parent_id,
            f"would make {campaign_id!r} its own ancestor ({path})",
        )
