"""Explanations: a rule's result with every clause's result and the values it saw."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import attrs

from salescore.errors import NotFound
from salescore.rules._truth import Truth

if TYPE_CHECKING:
    from salescore.rules._nodes import Rule

__all__ = ["ClauseResult", "Explanation"]

_MARKS = {Truth.TRUE: "✓", Truth.FALSE: "✗", Truth.UNKNOWN: "?"}


@attrs.frozen(kw_only=True)
class ClauseResult:
    """The result of one node of a rule tree.

    Attributes:
        rule: The node (a comparison, or an ``and``/``or``/``not``).
        text: The node in the text syntax.
        result: What it evaluated to.
        depth: 0 for the whole rule, 1 for its direct parts, and so on.
        seen: ``(operand text, value)`` pairs for every operand that is not a
            literal (``None`` when the field was missing or null).
        missing: The field paths this clause found missing or null.
    """

    rule: Rule
    text: str
    result: Truth
    depth: int
    seen: tuple[tuple[str, Any], ...] = ()
    missing: tuple[str, ...] = ()

    def value(self, operand: str) -> Any:
        """Return the value the clause saw for an operand (by its text).

        Args:
            operand: For example ``"employees"`` or ``"count(interactions)"``.

        Returns:
            The value.

        Raises:
            NotFound: The clause has no such operand.
        """
        for text, value in self.seen:
            if text == operand:
                return value
        raise NotFound(f"the clause {self.text!r} saw no operand {operand!r}")

    def __str__(self) -> str:
        seen = ", ".join(f"{k} = {v!r}" for k, v in self.seen)
        tail = f"  [{seen}]" if seen else ""
        return f"{'  ' * self.depth}{_MARKS[self.result]} {self.text}{tail}"


@attrs.frozen(kw_only=True)
class Explanation:
    """Why a rule gave its answer for one subject.

    Attributes:
        rule: The rule.
        result: TRUE, FALSE or UNKNOWN.
        clauses: Every node of the rule in reading order (the whole rule
            first), each with its result and the values it saw.
        missing_fields: When the result is UNKNOWN, the missing or null
            fields it depends on — the questions to ask next — in order
            of first use; empty when the result is TRUE or FALSE.
    """

    rule: Rule
    result: Truth
    clauses: tuple[ClauseResult, ...]
    missing_fields: tuple[str, ...] = ()

    @property
    def met(self) -> bool:
        """Whether the rule held (TRUE); UNKNOWN counts as not met."""
        return self.result is Truth.TRUE

    def lines(self) -> list[str]:
        """Return one readable line per clause (``✓``, ``✗`` or ``?``, indented)."""
        return [str(c) for c in self.clauses]

    def __str__(self) -> str:
        text = "\n".join(self.lines())
        if self.missing_fields:
            text += "\nmissing: " + ", ".join(self.missing_fields)
        return text
