"""Ready-made field normalisers for :class:`~salescore.domain.aggregate.Fields` tables.

A normaliser takes ``(value, path, region)`` and returns the value's normal
form, or raises a :class:`~salescore.errors.ValidationError` naming ``path``;
``region`` is the default phone region (only phone normalisers use it). Each
returns its argument itself when it is already normal. Guide: :doc:`/aggregates`.
"""

from __future__ import annotations

from salescore.domain._fields import (
    aware,
    checked,
    custom,
    emails,
    instance,
    member,
    opt_amount,
    opt_aware,
    opt_count,
    opt_country,
    opt_date,
    opt_domain,
    opt_email,
    opt_id,
    opt_phone,
    opt_text,
    opt_time_zone,
    phones,
    req_text,
    score,
    tags,
)

__all__ = [
    "aware",
    "checked",
    "custom",
    "emails",
    "instance",
    "member",
    "opt_amount",
    "opt_aware",
    "opt_count",
    "opt_country",
    "opt_date",
    "opt_domain",
    "opt_email",
    "opt_id",
    "opt_phone",
    "opt_text",
    "opt_time_zone",
    "phones",
    "req_text",
    "score",
    "tags",
]
