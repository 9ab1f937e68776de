"""``parse``: the text form of a rule read into the rule tree (grammar in ``_text``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from salescore.rules._nodes import NODES, Rule
from salescore.rules._text import MAX_LENGTH, read_text

if TYPE_CHECKING:
    from salescore.rules._schema import RuleSchema, SchemaSource

__all__ = ["MAX_LENGTH", "parse"]


def parse(text: str, *, schema: RuleSchema | SchemaSource | type | None = None) -> Rule:
    """Parse the text form of a rule.

    Args:
        text: For example ``"industry in ['saas', 'fintech'] and employees >= 50"``.
        schema: When given, the rule is checked against it (see
            :meth:`~salescore.rules.Rule.check`): a schema mapping, or a
            class or object with ``__rule_schema__()`` such as ``Lead``.

    Returns:
        The rule.

    Raises:
        RuleSyntaxError: The text is not a rule; the error has the 1-based
            ``line`` and ``column`` and what was ``expected``.
        ValidationError: With ``schema``: an unknown field (with the nearest
            spelling) or a comparison with a value of the wrong kind.
    """
    rule = read_text(text, NODES)
    if schema is not None:
        rule.check(schema)
    return rule
