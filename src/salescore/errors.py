"""The salescore error tree.

Every exception raised on purpose by salescore derives from
:class:`SalescoreError` and also from the builtin exception it resembles, so
callers may catch either ``salescore.errors.ValidationError`` or plain
``ValueError``.

A :class:`ValidationError` carries every problem it found at once, each as a
:class:`FieldError` naming the path of the field (``emails[0]``,
``account.industry``, ``custom.budget``), the offending value and a message.
"""

from __future__ import annotations

import reprlib
from collections.abc import Iterable, Sequence
from typing import Any

import attrs

__all__ = [
    "ConcurrencyError",
    "FieldError",
    "NotFound",
    "RuleSyntaxError",
    "SalescoreError",
    "StorageError",
    "TransitionError",
    "ValidationError",
]


@attrs.frozen
class FieldError:
    """One problem with one field.

    Attributes:
        path: Where the bad value sits, for example ``emails[0]`` or
            ``account.industry``. Empty for a problem with the whole object.
        value: The value that was refused.
        message: What is wrong with it, in words.
    """

    path: str
    value: Any
    message: str

    def prefixed(self, prefix: str) -> FieldError:
        """Return this error with ``prefix`` put in front of its path.

        Args:
            prefix: The outer path, such as ``history[3]``.

        Returns:
            A new :class:`FieldError` whose path is ``prefix.path`` (or
            ``prefix[0]`` style when the path starts with an index).
        """
        if not prefix:
            return self
        if not self.path:
            path = prefix
        elif self.path.startswith("["):
            path = prefix + self.path
        else:
            path = f"{prefix}.{self.path}"
        return FieldError(path, self.value, self.message)

    def __str__(self) -> str:
        where = self.path or "<object>"
        return f"{where}: {self.message} (got {shown(self.value)})"


_REPR = reprlib.Repr()
_REPR.maxlevel = 3
_REPR.maxstring = 80
_REPR.maxother = 80
_REPR.maxlong = 40
_REPR.maxlist = _REPR.maxtuple = _REPR.maxset = _REPR.maxfrozenset = _REPR.maxdict = 6


def shown(value: Any) -> str:
    """``repr(value)`` shortened for a message (about 80 characters at most).

    Never fails: a huge integer, a deeply nested list or an object whose
    ``repr`` raises are shown by their type.
    """
    if type(value) is int and value.bit_length() > 128:
        return f"<int of {value.bit_length()} bits>"
    try:
        text = _REPR.repr(value)
    except Exception:
        return f"<{type(value).__name__}>"
    return text if len(text) <= 160 else text[:157] + "..."


class SalescoreError(Exception):
    """Root of every error that salescore raises on purpose."""


class ValidationError(SalescoreError, ValueError):
    """One or more input values were refused.

    Args:
        errors: Every problem found, or a single one.
        subject: An optional name for what was being validated (a class
            name, for instance), used in the message.

    Attributes:
        errors: Every problem, as :class:`FieldError` values.
    """

    errors: tuple[FieldError, ...]

    def __init__(self, errors: FieldError | Iterable[FieldError], subject: str = "") -> None:
        errs = (errors,) if isinstance(errors, FieldError) else tuple(errors)
        if not errs:
            raise ValueError("a ValidationError needs at least one FieldError")
        self.errors = errs
        self.subject = subject
        head = f"invalid {subject}" if subject else "invalid input"
        noun = "problem" if len(errs) == 1 else "problems"
        lines = "; ".join(str(e) for e in errs)
        super().__init__(f"{head} ({len(errs)} {noun}): {lines}")

    @classmethod
    def single(cls, path: str, value: Any, message: str) -> ValidationError:
        """Build a validation error with one problem.

        Args:
            path: The field's path.
            value: The refused value.
            message: What is wrong.

        Returns:
            The error (not raised).
        """
        return cls((FieldError(path, value, message),))

    @property
    def paths(self) -> tuple[str, ...]:
        """The paths of every problem, in order."""
        return tuple(e.path for e in self.errors)

    def prefixed(self, prefix: str) -> ValidationError:
        """Return the same error with ``prefix`` put in front of every path.

        Args:
            prefix: The outer path.

        Returns:
            A new :class:`ValidationError`.
        """
        return ValidationError([e.prefixed(prefix) for e in self.errors], self.subject)

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.errors, self.subject))


class TransitionError(SalescoreError, ValueError):
    """A state change was refused; nothing was changed.

    Args:
        subject_id: The id of the item that was to change.
        from_state: Where it is.
        to_state: Where it was asked to go.
        reasons: Every reason the move was refused.

    Attributes:
        subject_id: The id of the item.
        from_state: The state it is in.
        to_state: The refused target state.
        reasons: Why, one sentence each.
    """

    def __init__(
        self,
        subject_id: str,
        from_state: str | None,
        to_state: str,
        reasons: Sequence[str] | str,
    ) -> None:
        self.subject_id = subject_id
        self.from_state = from_state
        self.to_state = to_state
        self.reasons: tuple[str, ...] = (reasons,) if isinstance(reasons, str) else tuple(reasons)
        arrow = f"{from_state} → {to_state}"
        why = "; ".join(self.reasons) if self.reasons else "not allowed"
        super().__init__(f"cannot move {subject_id} {arrow}: {why}")

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.subject_id, self.from_state, self.to_state, self.reasons))


class NotFound(SalescoreError, LookupError):
    """Something asked for by id does not exist."""


class ConcurrencyError(SalescoreError, RuntimeError):
    """Another writer changed the same item first (optimistic concurrency)."""


class StorageError(SalescoreError, RuntimeError):
    """A storage backend failed; the driver's error is the ``__cause__``."""


class RuleSyntaxError(ValidationError):
    """A rule's text could not be parsed.

    Args:
        message: What went wrong.
        text: The rule text.
        line: 1-based line of the problem.
        column: 1-based column of the problem.
        expected: What the parser expected there.

    Attributes:
        line: 1-based line.
        column: 1-based column.
        expected: What would have been accepted, in words.
    """

    def __init__(
        self,
        message: str,
        *,
        text: str,
        line: int,
        column: int,
        expected: Sequence[str] = (),
    ) -> None:
        self.line = line
        self.column = column
        self.expected: tuple[str, ...] = tuple(expected)
        self.text = text
        wanted = f"; expected {', '.join(self.expected)}" if self.expected else ""
        super().__init__(
            (FieldError("rule", text, f"line {line}, column {column}: {message}{wanted}"),),
            "rule",
        )

    def __reduce__(self) -> tuple[Any, ...]:
        return (
            _rebuild_rule_syntax_error,
            (self.errors[0].message, self.text, self.line, self.column, self.expected),
        )


def _rebuild_rule_syntax_error(
    message: str, text: str, line: int, column: int, expected: tuple[str, ...]
) -> RuleSyntaxError:
    err = RuleSyntaxError.__new__(RuleSyntaxError)
    ValidationError.__init__(err, (FieldError("rule", text, message),), "rule")
    err.line, err.column, err.expected, err.text = line, column, expected, text
    return err
