"""Reporting periods: weeks, months, fiscal quarters and years in a time zone.

Cohorts and close periods are counted in the caller's reporting time zone
with the caller's fiscal-year start. A fiscal year is named after the
calendar year in which it *starts*: with ``fiscal_year_start=4`` the year
from April 2026 to March 2027 is ``"FY2026"`` and its first quarter
``"FY2026-Q1"``. With the default January start, quarters read
``"2026-Q1"`` and years ``"2026"``.
"""

from __future__ import annotations

import enum
from datetime import UTC, date, datetime, tzinfo
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import attrs

from salescore.errors import ValidationError

__all__ = ["Period", "ReportingCalendar"]


class Period(enum.StrEnum):
    """A length of reporting period."""

    WEEK = "week"
    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"


def to_period(value: Period | str) -> Period:
    try:
        return Period(value)
    except ValueError:
        raise ValidationError.single(
            "period", value, "must be one of week, month, quarter, year"
        ) from None


def as_zone(value: Any, path: str = "zone") -> tzinfo:
    """A reporting zone: a ``tzinfo``, or an IANA name such as ``"Asia/Tokyo"``.

    Raises:
        ValidationError: an unknown name, or neither a tzinfo nor a name.
    """
    if isinstance(value, tzinfo):
        return value
    if isinstance(value, str):
        try:
            return ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValidationError.single(path, value, "is not an IANA time zone") from None
    raise ValidationError.single(path, value, "must be a tzinfo or an IANA zone name")


@attrs.frozen
class ReportingCalendar:
    """The time zone and fiscal-year start that periods are counted in.

    Attributes:
        zone: The reporting time zone (default UTC): a ``tzinfo`` or an IANA
            name such as ``"Asia/Tokyo"``.
        fiscal_year_start: The month (1–12) the fiscal year starts in.
    """

    zone: tzinfo = attrs.field(default=UTC, converter=as_zone)
    fiscal_year_start: int = 1

    def __attrs_post_init__(self) -> None:
        start = self.fiscal_year_start
        if type(start) is not int or not 1 <= start <= 12:
            raise ValidationError.single("fiscal_year_start", start, "must be a month, 1 to 12")

    def local_date(self, at: datetime | date) -> date:
        """The date of ``at`` in the reporting zone (a ``date`` is taken as it is)."""
        if isinstance(at, datetime):
            if at.utcoffset() is None:
                raise ValidationError.single("at", at, "must be timezone-aware")
            return at.astimezone(self.zone).date()
        return at

    def fiscal_year(self, at: datetime | date) -> int:
        """The fiscal year of ``at``, named after the calendar year it starts in."""
        d = self.local_date(at)
        return d.year if d.month >= self.fiscal_year_start else d.year - 1

    def label(self, at: datetime | date, period: Period | str) -> str:
        """The label of the period that contains ``at``.

        Args:
            at: An aware datetime or a date.
            period: ``"week"`` (ISO week, ``"2026-W45"``), ``"month"``
                (``"2026-11"``), ``"quarter"`` (fiscal, ``"2026-Q4"``) or
                ``"year"`` (fiscal, ``"2026"``).

        Returns:
            The label; labels of one kind sort in time order.
        """
        kind = to_period(period)
        d = self.local_date(at)
        if kind is Period.WEEK:
            year, week, _ = d.isocalendar()
            return f"{year}-W{week:02d}"
        if kind is Period.MONTH:
            return f"{d.year}-{d.month:02d}"
        fy = self.fiscal_year(d)
        prefix = "" if self.fiscal_year_start == 1 else "FY"
        if kind is Period.YEAR:
            return f"{prefix}{fy}"
        quarter = (d.month - self.fiscal_year_start) % 12 // 3 + 1
        return f"{prefix}{fy}-Q{quarter}"

    def index(self, at: datetime | date, period: Period | str) -> int:
        """A running number of the period containing ``at``: consecutive periods differ by 1."""
        kind = to_period(period)
        d = self.local_date(at)
        if kind is Period.WEEK:
            return (d.toordinal() - 1) // 7  # 0001-01-01 was a Monday
        if kind is Period.MONTH:
            return d.year * 12 + d.month - 1
        months = (d.year * 12 + d.month - 1) - (self.fiscal_year_start - 1)
        return months // 3 if kind is Period.QUARTER else months // 12
