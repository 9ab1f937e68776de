"""Type guards on the rule tree's node tags, for the modules below the tree.

The forms, the compiler, the interpreter and the schema checker dispatch on a
node's ``tag`` instead of importing the node classes, which keeps the rule
language free of import cycles; these guards give them the node's type back.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeGuard

if TYPE_CHECKING:
    from salescore.rules._nodes import (
        And,
        Between,
        Call,
        Compare,
        Constant,
        Count,
        Field,
        In,
        IsNull,
        Match,
        Not,
        Now,
        Or,
        Value,
    )

__all__ = [
    "is_and",
    "is_between",
    "is_call",
    "is_compare",
    "is_constant",
    "is_count",
    "is_field",
    "is_is_null",
    "is_junction",
    "is_match",
    "is_membership",
    "is_not",
    "is_now",
    "is_or",
    "is_value",
]


def is_field(node: object) -> TypeGuard[Field]:
    """Whether ``node`` is a field."""
    return getattr(node, "tag", None) == "field"


def is_value(node: object) -> TypeGuard[Value]:
    """Whether ``node`` is a literal."""
    return getattr(node, "tag", None) == "value"


def is_now(node: object) -> TypeGuard[Now]:
    """Whether ``node`` is ``now``."""
    return getattr(node, "tag", None) == "now"


def is_count(node: object) -> TypeGuard[Count]:
    """Whether ``node`` is a count."""
    return getattr(node, "tag", None) == "count"


def is_call(node: object) -> TypeGuard[Call]:
    """Whether ``node`` is a function call."""
    return getattr(node, "tag", None) == "call"


def is_compare(node: object) -> TypeGuard[Compare]:
    """Whether ``node`` is a comparison."""
    return getattr(node, "tag", None) == "compare"


def is_match(node: object) -> TypeGuard[Match]:
    """Whether ``node`` is a text test."""
    return getattr(node, "tag", None) == "match"


def is_membership(node: object) -> TypeGuard[In]:
    """Whether ``node`` is an ``in`` test."""
    return getattr(node, "tag", None) == "in"


def is_between(node: object) -> TypeGuard[Between]:
    """Whether ``node`` is a ``between`` test."""
    return getattr(node, "tag", None) == "between"


def is_is_null(node: object) -> TypeGuard[IsNull]:
    """Whether ``node`` is an ``is null`` test."""
    return getattr(node, "tag", None) == "is_null"


def is_and(node: object) -> TypeGuard[And]:
    """Whether ``node`` is an ``and``."""
    return getattr(node, "tag", None) == "and"


def is_or(node: object) -> TypeGuard[Or]:
    """Whether ``node`` is an ``or``."""
    return getattr(node, "tag", None) == "or"


def is_junction(node: object) -> TypeGuard[And | Or]:
    """Whether ``node`` is an ``and`` or an ``or``."""
    return getattr(node, "tag", None) in ("and", "or")


def is_not(node: object) -> TypeGuard[Not]:
    """Whether ``node`` is a ``not``."""
    return getattr(node, "tag", None) == "not"


def is_constant(node: object) -> TypeGuard[Constant]:
    """Whether ``node`` is ``true`` or ``false``."""
    return getattr(node, "tag", None) == "constant"
