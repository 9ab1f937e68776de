"""The values of a deal's fields: contact roles, deal types and their normalisers.

Guide: :doc:`/opportunities`.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from salescore._validation import Checker, fail, is_aware, to_member
from salescore.domain.leads import LeadSource
from salescore.domain.stages import ForecastCategory

__all__ = ["ContactRole", "OpportunityType"]


class ContactRole(enum.StrEnum):
    """The part a contact plays in a deal."""

    DECISION_MAKER = "decision_maker"
    ECONOMIC_BUYER = "economic_buyer"
    CHAMPION = "champion"
    INFLUENCER = "influencer"
    EVALUATOR = "evaluator"
    USER = "user"
    OTHER = "other"


class OpportunityType(enum.StrEnum):
    """What kind of business a deal is."""

    NEW_BUSINESS = "new_business"
    RENEWAL = "renewal"
    UPSELL = "upsell"
    EXPANSION = "expansion"


# --- field normalisers ---------------------------------------------------------------
# Each takes (value, path) and returns the normal form or raises ValidationError.
# Shared by the deal's creation, edits and state checks.


def _opt_months(value: Any, path: str, region: str | None = None) -> int | None:
    if value is None or (type(value) is int and value >= 1):
        return value
    fail(path, value, "must be a whole number of months (at least 1) or None")


def _opt_aware(value: Any, path: str, region: str | None = None) -> datetime | None:
    if value is None or (is_aware(value)):
        return value
    fail(path, value, "must be a timezone-aware datetime or None")


def _type(value: Any, path: str, region: str | None = None) -> OpportunityType:
    return to_member(OpportunityType, value, path, "an opportunity type")


def _category(value: Any, path: str, region: str | None = None) -> ForecastCategory:
    return to_member(ForecastCategory, value, path, "a forecast category")


def _competitors(value: Any, path: str, region: str | None = None) -> tuple[str, ...]:
    if (
        type(value) is tuple
        and all(type(v) is str and v and v.strip() == v for v in value)
        and len(set(value)) == len(value)
    ):
        return value
    if isinstance(value, str) or not isinstance(value, Iterable):
        fail(path, value, "must be a sequence of competitor names")
    result: list[str] = []
    c = Checker()
    for i, name in enumerate(value):
        if not isinstance(name, str) or not name.strip():
            c.add(f"{path}[{i}]", name, "must be a non-blank string")
        elif name.strip() not in result:
            result.append(name.strip())
    c.raise_if_any()
    return tuple(result)


def _roles(
    value: Any, path: str, region: str | None = None
) -> Mapping[str, frozenset[ContactRole]]:
    if not isinstance(value, Mapping):
        fail(path, value, "must map contact ids to sets of contact roles")
    c = Checker()
    result: dict[str, frozenset[ContactRole]] = {}
    for contact_id, roles in value.items():
        where = f"{path}.{contact_id}"
        if not isinstance(contact_id, str) or not contact_id or contact_id.strip() != contact_id:
            c.add(path, contact_id, "contact ids must be non-blank strings")
            continue
        if isinstance(roles, str) or not isinstance(roles, Iterable):
            c.add(where, roles, "must be a set of contact roles")
            continue
        normal: set[ContactRole] = set()
        for role in roles:
            try:
                normal.add(ContactRole(role))
            except ValueError:
                allowed = ", ".join(r.value for r in ContactRole)
                c.add(where, role, f"is not a contact role ({allowed})")
        if normal:
            result[contact_id] = frozenset(normal)
    c.raise_if_any()
    if (
        isinstance(value, dict)
        and value == result
        and all(
            type(v) is frozenset and all(type(r) is ContactRole for r in v) for v in value.values()
        )
    ):
        return value
    return result


def _source(value: Any, path: str, region: str | None = None) -> LeadSource | None:
    if value is None or type(value) is LeadSource:
        return value
    fail(path, value, "must be a LeadSource or None")


def _probability(value: Any, path: str, region: str | None = None) -> float:
    if (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and math.isfinite(value)
        and 0 <= value <= 1
    ):
        return float(value)
    fail(path, value, "must be a probability: a number in [0, 1]")


def _flag(value: Any, path: str, region: str | None = None) -> bool:
    if type(value) is bool:
        return value
    fail(path, value, "must be True or False")


_Normaliser = Any  # Callable[[Any, str], Any]; kept loose for the table below
