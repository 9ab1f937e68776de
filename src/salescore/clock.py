"""Time, passed in: the :class:`Clock` protocol and two clocks.

The core never reads the system time by itself. Operations take an explicit
``at=`` or a :class:`Clock`. :class:`SystemClock` reads the real time for
applications; :class:`ManualClock` is set and advanced by hand for tests and
simulations.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Protocol, runtime_checkable

from salescore._validation import ensure_aware, fail

__all__ = ["UTC", "Clock", "ManualClock", "SystemClock", "ensure_aware", "to_utc"]

UTC = UTC


@runtime_checkable
class Clock(Protocol):
    """Something that tells the current time as an aware datetime."""

    def now(self) -> datetime:
        """Return the current instant, timezone-aware."""
        ...


class SystemClock:
    """The real clock: :meth:`now` is the current time in UTC."""

    __slots__ = ()

    def now(self) -> datetime:
        """Return the current time in UTC."""
        return datetime.now(UTC)

    def __repr__(self) -> str:
        return "SystemClock()"


class ManualClock:
    """A clock that only moves when told to.

    Args:
        start: The initial time; must be timezone-aware.

    Raises:
        ValidationError: ``start`` is naive or not a datetime.

    Example:
        >>> from datetime import datetime, timedelta, timezone
        >>> clock = ManualClock(datetime(2026, 1, 5, 9, tzinfo=timezone.utc))
        >>> clock.advance(timedelta(hours=2)).hour
        11
    """

    __slots__ = ("_now",)

    def __init__(self, start: datetime) -> None:
        self._now = ensure_aware(start, "start")

    def now(self) -> datetime:
        """Return the clock's current time."""
        return self._now

    def set(self, at: datetime) -> datetime:
        """Move the clock to ``at`` (never backwards).

        Args:
            at: The new time, timezone-aware, not before the current time.

        Returns:
            The new current time.

        Raises:
            ValidationError: ``at`` is naive or earlier than now.
        """
        ensure_aware(at, "at")
        if at < self._now:
            fail("at", at, f"must not be before the clock's current time {self._now.isoformat()}")
        self._now = at
        return at

    def advance(self, delta: timedelta) -> datetime:
        """Move the clock forward by ``delta``.

        Args:
            delta: A non-negative duration.

        Returns:
            The new current time.

        Raises:
            ValidationError: ``delta`` is negative or not a timedelta.
        """
        if not isinstance(delta, timedelta) or delta < timedelta(0):
            fail("delta", delta, "must be a non-negative timedelta")
        self._now = self._now + delta
        return self._now

    def __repr__(self) -> str:
        return f"ManualClock({self._now.isoformat()!r})"


def to_utc(value: datetime, path: str = "at") -> datetime:
    """Return the same instant in UTC.

    Args:
        value: An aware datetime.
        path: Field name for the error.

    Returns:
        ``value`` converted to UTC.

    Raises:
        ValidationError: ``value`` is naive.
    """
    return ensure_aware(value, path).astimezone(UTC)
