"""Satisfaction surveys: CSAT, NPS and CES answers. Guide: :doc:`/service-cases`."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import ClassVar

import attrs

from salescore._validation import Checker
from salescore.serialization import register_polymorphic, register_type

__all__ = [
    "CesResponse",
    "CsatResponse",
    "NpsCategory",
    "NpsResponse",
    "SatisfactionResponse",
]


class NpsCategory(enum.StrEnum):
    """Net Promoter groups: 0–6 detractors, 7–8 passives, 9–10 promoters."""

    DETRACTOR = "detractor"
    PASSIVE = "passive"
    PROMOTER = "promoter"


@register_polymorphic
@attrs.frozen(kw_only=True)
class SatisfactionResponse:
    """Base of survey answers: a score on the survey's scale.

    Attributes:
        score: The answer, an integer on the survey's scale.
        at: When it was given (aware).
        case_id: The case it is about, if any.
        respondent_id: Who answered (a contact id), if known.
        comment: Free text, if any.

    Raises:
        ValidationError: Listing every bad field (a score off the scale…).
    """

    scale: ClassVar[tuple[int, int]] = (0, 10)

    score: int
    at: datetime
    case_id: str | None = None
    respondent_id: str | None = None
    comment: str | None = None

    def __attrs_post_init__(self) -> None:
        low, high = self.scale
        with Checker(type(self).__name__) as c:
            c.number(self.score, "score", integer=True, minimum=low, maximum=high)
            c.aware(self.at, "at")
            c.text(self.case_id, "case_id", optional=True)
            c.text(self.respondent_id, "respondent_id", optional=True)
            c.text(self.comment, "comment", optional=True, empty=True)


@register_type
@attrs.frozen(kw_only=True)
class CsatResponse(SatisfactionResponse):
    """Customer satisfaction, 1 (very unsatisfied) to 5 (very satisfied)."""

    scale: ClassVar[tuple[int, int]] = (1, 5)

    @property
    def satisfied(self) -> bool:
        """Whether the answer is 4 or 5 (the usual CSAT "satisfied" share)."""
        return self.score >= 4


@register_type
@attrs.frozen(kw_only=True)
class NpsResponse(SatisfactionResponse):
    """Net Promoter answer: how likely to recommend, 0 to 10."""

    scale: ClassVar[tuple[int, int]] = (0, 10)

    @property
    def category(self) -> NpsCategory:
        """Detractor (0–6), passive (7–8) or promoter (9–10)."""
        if self.score >= 9:
            return NpsCategory.PROMOTER
        if self.score >= 7:
            return NpsCategory.PASSIVE
        return NpsCategory.DETRACTOR


@register_type
@attrs.frozen(kw_only=True)
class CesResponse(SatisfactionResponse):
    """Customer effort: "it was easy to get my issue resolved", 1 (disagree) to 7 (agree)."""

    scale: ClassVar[tuple[int, int]] = (1, 7)

    @property
    def low_effort(self) -> bool:
        """Whether the answer is 5 or more (agreement that it was easy)."""
        return self.score >= 5
