"""How urgent a service case is. Guide: :doc:`/service-cases`."""

from __future__ import annotations

import enum

__all__ = ["Priority"]


class Priority(enum.StrEnum):
    """How urgent a case is, from most to least."""

    URGENT = "urgent"
    HIGH = "high"
    NORMAL = "normal"
    LOW = "low"
