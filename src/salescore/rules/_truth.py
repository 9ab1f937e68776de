"""Three-valued truth: :class:`Truth` with Kleene's ``&``, ``|`` and ``~``."""

from __future__ import annotations

import enum
from typing import Final, NoReturn

__all__ = ["Truth"]


class Truth(enum.Enum):
    """The answer of a rule: true, false or unknown.

    ``&``, ``|`` and ``~`` follow Kleene's strong three-valued logic: FALSE and
    anything is FALSE, TRUE or anything is TRUE, and UNKNOWN otherwise stays
    UNKNOWN (``~UNKNOWN`` is UNKNOWN). ``bool(truth)`` raises :class:`TypeError`
    so that ``if rule.evaluate(x):`` cannot silently treat UNKNOWN as true;
    ask ``truth is Truth.TRUE`` (or :attr:`is_true`) instead.

    Example:
        >>> Truth.FALSE & Truth.UNKNOWN
        <Truth.FALSE: 'false'>
        >>> Truth.TRUE | Truth.UNKNOWN
        <Truth.TRUE: 'true'>
        >>> ~Truth.UNKNOWN
        <Truth.UNKNOWN: 'unknown'>
    """

    TRUE = "true"
    FALSE = "false"
    UNKNOWN = "unknown"

    @classmethod
    def of(cls, value: bool | None) -> Truth:
        """Map ``True``/``False``/``None`` to TRUE/FALSE/UNKNOWN.

        Args:
            value: A boolean, or ``None`` for unknown.

        Returns:
            The corresponding :class:`Truth`.

        Raises:
            TypeError: ``value`` is neither a bool nor ``None``.
        """
        if value is True:
            return cls.TRUE
        if value is False:
            return cls.FALSE
        if value is None:
            return cls.UNKNOWN
        raise TypeError(f"Truth.of() takes True, False or None, not {value!r}")

    @property
    def is_true(self) -> bool:
        """Whether this is TRUE (UNKNOWN is not)."""
        return self is Truth.TRUE

    @property
    def is_false(self) -> bool:
        """Whether this is FALSE (UNKNOWN is not)."""
        return self is Truth.FALSE

    @property
    def is_known(self) -> bool:
        """Whether this is TRUE or FALSE."""
        return self is not Truth.UNKNOWN

    def as_optional(self) -> bool | None:
        """Return ``True``, ``False`` or ``None`` (for UNKNOWN)."""
        if self is Truth.TRUE:
            return True
        if self is Truth.FALSE:
            return False
        return None

    def __and__(self, other: object) -> Truth:
        if not isinstance(other, Truth):
            return NotImplemented
        return min(self, other, key=_RANK.__getitem__)

    def __or__(self, other: object) -> Truth:
        if not isinstance(other, Truth):
            return NotImplemented
        return max(self, other, key=_RANK.__getitem__)

    def __invert__(self) -> Truth:
        return _NEGATION[self]

    def __bool__(self) -> NoReturn:
        raise TypeError(
            "a Truth is not a bool (it may be UNKNOWN); compare it instead, "
            "e.g. `truth is Truth.TRUE`"
        )


#: Kleene's order, FALSE < UNKNOWN < TRUE: ``&`` is the lesser, ``|`` the greater.
_RANK: Final = {Truth.FALSE: 0, Truth.UNKNOWN: 1, Truth.TRUE: 2}
_NEGATION: Final = {Truth.FALSE: Truth.TRUE, Truth.UNKNOWN: Truth.UNKNOWN, Truth.TRUE: Truth.FALSE}
