"""Ready-made funnels: the public path of :mod:`salescore.domain.standard_funnels`.

Guide: :doc:`/concepts`.
"""

from __future__ import annotations

from salescore.domain.standard_funnels import (
    B2B_PIPELINE,
    CAMPAIGN_STATUS,
    CASE_STATUS,
    LEAD_STATUS,
    LIFECYCLE,
    MARKETING,
    TASK_STATUS,
)

__all__ = [
    "B2B_PIPELINE",
    "CAMPAIGN_STATUS",
    "CASE_STATUS",
    "LEAD_STATUS",
    "LIFECYCLE",
    "MARKETING",
    "TASK_STATUS",
]
