"""The people and companies we sell to: accounts, contacts and party references.

* :class:`Account`: a company (or any organisation), possibly part of a
  hierarchy through ``parent_id``.
* :class:`Contact`: a person, usually at an account, with email addresses,
  phone numbers and a lifecycle stage moved through
  :data:`~salescore.funnels.LIFECYCLE`.
* :class:`PartyRef`: "a lead or a contact", wherever either may appear.

Both are event-sourced aggregates: ``new`` records the creation event (and,
for a contact, its entry into the lifecycle funnel); every edit is a
:class:`~salescore.domain.events.FieldsChanged`. Email addresses, phone
numbers, domains, countries and time zones are normalised on the way in
(:func:`normalize_email`, :func:`normalize_phone`, :func:`normalize_domain`,
:func:`normalize_country`, :func:`normalize_time_zone`).

Consent (per channel and purpose, with its source and time) is recorded by the
outreach part of salescore and is not part of these objects yet.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any, ClassVar, Final

import attrs

from salescore._validation import Checker, fail
from salescore.domain import _fields as fld
from salescore.domain import standard_funnels as funnels
from salescore.domain._normalize import (
    _FAST_MAX,
    _KNOWN_ZONES,
    _company_ok,
    _email_ok,
    _lines_ok,
    _phone_ok,
    normalize_country,
    normalize_domain,
    normalize_email,
    normalize_phone,
    normalize_time_zone,
)
from salescore.domain._rule_schemas import INTERACTION_RECORDS, RuleSchemaHook
from salescore.domain.aggregate import Aggregate, Fields, FieldSpec, _Copier
from salescore.domain.custom_fields import CustomFieldSchema
from salescore.domain.events import Event
from salescore.domain.stages import Funnel
from salescore.errors import ValidationError
from salescore.money import Money
from salescore.serialization import register_type

__all__ = [
    "Account",
    "AccountCreated",
    "Contact",
    "ContactCreated",
    "MergedInto",
    "PartyKind",
    "PartyRef",
    "account_ancestors",
    "normalize_country",
    "normalize_domain",
    "normalize_email",
    "normalize_phone",
    "normalize_time_zone",
]


class PartyKind(enum.StrEnum):
    """What a :class:`PartyRef` points to."""

    LEAD = "lead"
    CONTACT = "contact"


@register_type
@attrs.frozen
class PartyRef:
    """A reference to a lead or a contact.

    Attributes:
        kind: Lead or contact.
        id: The lead's or contact's id.

    Raises:
        ValidationError: an unknown kind or a blank id.

    Example:
        >>> PartyRef.contact("contact-1")
        PartyRef(kind=<PartyKind.CONTACT: 'contact'>, id='contact-1')
    """

    kind: PartyKind
    id: str

    def __attrs_post_init__(self) -> None:
        if type(self.kind) is PartyKind and type(self.id) is str and self.id:
            return
        with Checker("PartyRef") as c:
            try:
                object.__setattr__(self, "kind", PartyKind(self.kind))
            except ValueError:
                c.add("kind", self.kind, "must be 'lead' or 'contact'")
            c.text(self.id, "id")

    @classmethod
    def lead(cls, id: str) -> PartyRef:
        """A reference to the lead ``id``."""
        return cls(PartyKind.LEAD, id)

    @classmethod
    def contact(cls, id: str) -> PartyRef:
        """A reference to the contact ``id``."""
        return cls(PartyKind.CONTACT, id)

    def __str__(self) -> str:
        return f"{self.kind.value}:{self.id}"


@register_type
@attrs.frozen(kw_only=True)
class MergedInto(Event):
    """A contact or account was merged into another (or the merge was undone).

    The merged-away record stays as a tombstone: its ``merged_into`` names
    the survivor until the merge is undone (``into=None``).

    Attributes:
        into: The survivor's id, or ``None`` when the merge is undone.
    """

    into: str | None = None

    def _check(self) -> None:
        with Checker("MergedInto") as c:
            c.text(self.into, "into", optional=True)
            c.check(self.into != self.subject_id, "into", self.into, "cannot merge into itself")


def _tombstone(event: Event) -> dict[str, Any] | None:
    return {"merged_into": event.into} if isinstance(event, MergedInto) else None


# --- cheap checks of the common case ----------------------------------------------------


def _account_is_normal(s: Account) -> bool:
    """Every field of the account already valid and normal (``False``: check in detail)."""
    v: Any = s.name
    if not (type(v) is str and v and _lines_ok(v)):
        return False
    if not _company_ok(s.domain, s.employees, s.annual_revenue, s.country):
        return False
    v = s.custom
    if v or not isinstance(v, dict):
        return False
    v = s.tags
    if type(v) is not frozenset:
        return False
    for tag in v:
        if type(tag) is not str or not _lines_ok(tag):
            return False
    if not _lines_ok(s.industry, s.parent_id, s.owner_id, s.merged_into):
        return False
    # refused by the constructor: an account cannot be its own parent
    return s.parent_id is None or s.parent_id != s.id


def _contact_is_normal(s: Contact) -> bool:
    """Every field of the contact already valid and normal (``False``: check in detail)."""
    v: Any = s.emails
    if type(v) is not tuple:
        return False
    for e in v:
        if not (type(e) is str and len(e) <= _FAST_MAX and _email_ok(e)):
            return False
    if len(v) > 1 and len({e.lower() for e in v}) != len(v):
        return False
    v = s.phones
    if type(v) is not tuple:
        return False
    for e in v:
        if not (type(e) is str and _phone_ok(e)):
            return False
    if len(v) > 1 and len(set(v)) != len(v):
        return False
    v = s.time_zone
    if v is not None and (type(v) is not str or v not in _KNOWN_ZONES):
        return False
    v = s.custom
    if v or not isinstance(v, dict):
        return False
    v = s.lifecycle_stage
    if type(v) is not str or v not in funnels.LIFECYCLE:
        return False
    return _lines_ok(s.first_name, s.last_name, s.title, s.account_id, s.owner_id, s.merged_into)


# --- accounts ------------------------------------------------------------------

_MERGED_INTO = FieldSpec(fld.opt_id, refused="is set by merging: use merge()", initial=False)


@register_type
@attrs.frozen(kw_only=True)
class AccountCreated(Event):
    """An account was created; carries its initial fields (see :class:`Account`)."""

    name: str
    domain: str | None = None
    industry: str | None = None
    employees: int | None = None
    annual_revenue: Money | None = None
    country: str | None = None
    parent_id: str | None = None
    owner_id: str | None = None
    tags: frozenset[str] = frozenset()
    custom: Mapping[str, Any] = attrs.field(factory=dict)


@register_type
@attrs.frozen(kw_only=True)
class Account(Aggregate):
    """A company or other organisation we sell to or serve.

    Create with :meth:`new`; change with :meth:`update`, :meth:`assign`,
    :meth:`set_parent`, :meth:`add_tags` and :meth:`remove_tags`, each of
    which returns a new account with one more event.

    Attributes:
        name: The account's name.
        domain: Web domain, normalised (``'acme.io'``).
        industry: Industry, as your taxonomy names it (``'saas'``).
        employees: Head count.
        annual_revenue: Yearly revenue (non-negative Money).
        country: ISO 3166-1 alpha-2 code, upper-case (checked against the
            built-in list of assigned codes).
        parent_id: The parent account in a hierarchy (never the account itself).
        owner_id: The owning rep, team or queue.
        tags: Free labels.
        custom: Custom field values (``custom.<name>``).
        merged_into: The account this one was merged into (a tombstone), if any.

    Raises:
        ValidationError: every bad field at once.
    """

    __rule_schema__: ClassVar[RuleSchemaHook] = RuleSchemaHook(interactions=INTERACTION_RECORDS)
    field_table: ClassVar[Fields] = Fields(
        {
            "name": fld.req_text,
            "domain": fld.opt_domain,
            "industry": fld.opt_text,
            "employees": fld.opt_count,
            "annual_revenue": fld.opt_amount,
            "country": fld.opt_country,
            "parent_id": fld.opt_id,
            "owner_id": fld.opt_id,
            "tags": fld.tags,
            "custom": fld.custom,
            "merged_into": _MERGED_INTO,
        },
        created=AccountCreated,
        is_normal=_account_is_normal,
    )

    name: str
    domain: str | None = None
    industry: str | None = None
    employees: int | None = None
    annual_revenue: Money | None = None
    country: str | None = None
    parent_id: str | None = None
    owner_id: str | None = None
    tags: frozenset[str] = frozenset()
    custom: Mapping[str, Any] = attrs.field(factory=dict)
    merged_into: str | None = None

    def __attrs_post_init__(self) -> None:
        self.field_table.normalise_self(self)
        if self.parent_id is not None and self.parent_id == self.id:
            raise ValidationError.single(
                "parent_id", self.parent_id, "an account cannot be its own parent"
            )

    @classmethod
    def new(
        cls,
        *,
        id: str,
        at: datetime,
        actor: str,
        name: str,
        domain: str | None = None,
        industry: str | None = None,
        employees: int | None = None,
        annual_revenue: Money | None = None,
        country: str | None = None,
        parent_id: str | None = None,
        owner_id: str | None = None,
        tags: Iterable[str] = (),
        custom: Mapping[str, Any] | None = None,
        schema: CustomFieldSchema | None = None,
    ) -> Account:
        """Create an account, recording :class:`AccountCreated`.

        Args:
            id: The new account's id.
            at: When (timezone-aware).
            actor: Who or what created it.
            name: The name (required).
            domain: Web domain or address; normalised.
            industry: Industry.
            employees: Head count.
            annual_revenue: Yearly revenue.
            country: ISO 3166-1 alpha-2 code.
            parent_id: Parent account id.
            owner_id: Owner id.
            tags: Labels.
            custom: Custom field values.
            schema: Validate ``custom`` against this schema.

        Returns:
            The account, version 1.

        Raises:
            ValidationError: every bad field at once.
        """
        values = {
            "name": name,
            "domain": domain,
            "industry": industry,
            "employees": employees,
            "annual_revenue": annual_revenue,
            "country": country,
            "parent_id": parent_id,
            "owner_id": owner_id,
            "tags": _NO_TAGS if type(tags) is tuple and not tags else tags,  # as normalised
            "custom": {} if custom is None else custom,
        }
        return cls._create(values, id=id, at=at, actor=actor, schema=schema)

    @classmethod
    def _state_copier(cls) -> _Copier | None:
        # the cheap check covers the constructor's own check (not its own parent) too
        return _ACCOUNT_COPIER if cls is Account else None

    def _apply(self, event: Event) -> dict[str, Any]:
        return _tombstone(event) or super()._apply(event)

    def update(
        self,
        *,
        at: datetime,
        actor: str,
        reason: str | None = None,
        schema: CustomFieldSchema | None = None,
        **fields: Any,
    ) -> Account:
        """Edit fields, recording one :class:`FieldsChanged` (none if nothing differs).

        Args:
            at: When.
            actor: Who.
            reason: Why, if given.
            schema: Validate ``custom`` against this schema.
            **fields: Field name → new value (any field listed on the class).

        Returns:
            The updated account.

        Raises:
            ValidationError: every bad or unknown field at once; an account
                made its own parent.
        """
        return self._update(fields, at=at, actor=actor, reason=reason, schema=schema)

    def assign(
        self, owner_id: str, *, at: datetime, actor: str, reason: str | None = None
    ) -> Account:
        """Give the account to another owner (rep, team or queue id).

        Returns:
            The updated account.
        """
        return self.update(owner_id=owner_id, at=at, actor=actor, reason=reason)

    def set_parent(
        self, parent_id: str | None, *, at: datetime, actor: str, reason: str | None = None
    ) -> Account:
        """Place the account under ``parent_id`` (``None``: make it a top-level account).

        Raises:
            ValidationError: the account would be its own parent.
        """
        return self.update(parent_id=parent_id, at=at, actor=actor, reason=reason)

    def add_tags(self, *tags: str, at: datetime, actor: str) -> Account:
        """Add labels (existing ones are kept).

        Returns:
            The updated account.
        """
        return self.update(tags=self.tags | fld.tags(tags, "tags"), at=at, actor=actor)

    def remove_tags(self, *tags: str, at: datetime, actor: str) -> Account:
        """Remove labels (absent ones are ignored).

        Returns:
            The updated account.
        """
        return self.update(tags=self.tags - frozenset(tags), at=at, actor=actor)


_ACCOUNT_COPIER: Final = _Copier(Account, _Copier.slots_of(Account))
_NO_TAGS: Final[frozenset[str]] = frozenset()


def account_ancestors(account_id: str, parents: Mapping[str, str | None]) -> tuple[str, ...]:
    """The chain of parent accounts above ``account_id``, nearest first.

    Args:
        account_id: The account to start from.
        parents: Account id → its parent id (``None`` for a top-level
            account), for every account that may appear in the chain.

    Returns:
        The ancestor ids; empty for a top-level account.

    Raises:
        ValidationError: the hierarchy has a cycle.

    Example:
        >>> account_ancestors("a3", {"a1": None, "a2": "a1", "a3": "a2"})
        ('a2', 'a1')
    """
    chain: list[str] = []
    seen = {account_id}
    current = parents.get(account_id)
    while current is not None:
        if current in seen:
            raise ValidationError.single(
                "parent_id",
                current,
                f"the account hierarchy has a cycle: {' → '.join([account_id, *chain, current])}",
            )
        chain.append(current)
        seen.add(current)
        current = parents.get(current)
    return tuple(chain)


# --- contacts ------------------------------------------------------------------


def _lifecycle(value: Any, path: str, region: str | None = None) -> str:
    if type(value) is str and value in funnels.LIFECYCLE:
        return value
    fail(path, value, "is not a stage of the lifecycle funnel")


def _named(values: Mapping[str, Any]) -> None:
    if not (values["first_name"] or values["last_name"] or values["emails"]):
        fail("last_name", None, "a contact needs a name or an email address")


def _personal(normalise: fld.Normaliser, erased: Any = None) -> FieldSpec:
    return FieldSpec(normalise, personal=True, erased=erased)


@register_type
@attrs.frozen(kw_only=True)
class ContactCreated(Event):
    """A contact was created; carries its initial fields (see :class:`Contact`)."""

    first_name: str | None = None
    last_name: str | None = None
    emails: tuple[str, ...] = ()
    phones: tuple[str, ...] = ()
    title: str | None = None
    account_id: str | None = None
    time_zone: str | None = None
    owner_id: str | None = None
    custom: Mapping[str, Any] = attrs.field(factory=dict)


@register_type
@attrs.frozen(kw_only=True)
class Contact(Aggregate):
    """A person we sell to or serve, usually at an account.

    Create with :meth:`new`; change with :meth:`update`, :meth:`assign`,
    :meth:`add_email`, :meth:`remove_email` and :meth:`set_lifecycle_stage`.

    Attributes:
        first_name: Given name.
        last_name: Family name.
        emails: Normalised addresses, distinct; the first is the primary one.
        phones: E.164 numbers, distinct; the first is the primary one.
        title: Job title.
        account_id: The account the person works for.
        time_zone: IANA time-zone name (checked through :mod:`zoneinfo`).
        owner_id: The owning rep, team or queue.
        lifecycle_stage: Stage in :data:`~salescore.funnels.LIFECYCLE`.
        custom: Custom field values (``custom.<name>``).
        merged_into: The contact this one was merged into (a tombstone), if any.

    Raises:
        ValidationError: every bad field at once.
    """

    __rule_schema__: ClassVar[RuleSchemaHook] = RuleSchemaHook(interactions=INTERACTION_RECORDS)
    stage_fields: ClassVar[Mapping[str, str]] = {"lifecycle": "lifecycle_stage"}
    stage_funnels: ClassVar[Mapping[str, Funnel]] = {"lifecycle": funnels.LIFECYCLE}
    field_table: ClassVar[Fields] = Fields(
        {
            "first_name": _personal(fld.opt_text),
            "last_name": _personal(fld.opt_text),
            "emails": _personal(fld.emails, ()),
            "phones": _personal(fld.phones, ()),
            "title": _personal(fld.opt_text),
            "account_id": fld.opt_id,
            "time_zone": fld.opt_time_zone,
            "owner_id": fld.opt_id,
            "custom": _personal(fld.custom, {}),
            "lifecycle_stage": FieldSpec(
                _lifecycle,
                refused="moves through the lifecycle funnel: use set_lifecycle_stage()",
                initial=False,
            ),
            "merged_into": _MERGED_INTO,
        },
        created=ContactCreated,
        is_normal=_contact_is_normal,
    )

    first_name: str | None = None
    last_name: str | None = None
    emails: tuple[str, ...] = ()
    phones: tuple[str, ...] = ()
    title: str | None = None
    account_id: str | None = None
    time_zone: str | None = None
    owner_id: str | None = None
    lifecycle_stage: str = "lead"
    custom: Mapping[str, Any] = attrs.field(factory=dict)
    merged_into: str | None = None

    @property
    def ref(self) -> PartyRef:
        """A :class:`PartyRef` to this contact."""
        return PartyRef(PartyKind.CONTACT, self.id)

    @property
    def email(self) -> str | None:
        """The primary email address (the first), if any."""
        return self.emails[0] if self.emails else None

    @property
    def phone(self) -> str | None:
        """The primary phone number (the first), if any."""
        return self.phones[0] if self.phones else None

    @property
    def name(self) -> str:
        """First and last name joined (empty if neither is known)."""
        return " ".join(n for n in (self.first_name, self.last_name) if n)

    @classmethod
    def new(
        cls,
        *,
        id: str,
        at: datetime,
        actor: str,
        first_name: str | None = None,
        last_name: str | None = None,
        emails: Iterable[str] = (),
        phones: Iterable[str] = (),
        title: str | None = None,
        account_id: str | None = None,
        time_zone: str | None = None,
        owner_id: str | None = None,
        lifecycle_stage: str = "lead",
        custom: Mapping[str, Any] | None = None,
        schema: CustomFieldSchema | None = None,
        default_region: str | None = None,
    ) -> Contact:
        """Create a contact: :class:`ContactCreated` and its entry into the lifecycle funnel.

        Args:
            id: The new contact's id.
            at: When (timezone-aware).
            actor: Who or what created it.
            first_name: Given name.
            last_name: Family name.
            emails: Addresses, primary first; normalised.
            phones: Numbers, primary first; normalised to E.164.
            title: Job title.
            account_id: The account.
            time_zone: IANA time-zone name.
            owner_id: Owner id.
            lifecycle_stage: The lifecycle stage to start in (``"lead"``).
            custom: Custom field values.
            schema: Validate ``custom`` against this schema.
            default_region: Country to read national phone numbers in.

        Returns:
            The contact, version 2.

        Raises:
            ValidationError: every bad field at once; a contact needs a
                name or an email address.
            TransitionError: ``lifecycle_stage`` is not a lifecycle stage.
        """
        values = {
            "first_name": first_name,
            "last_name": last_name,
            "emails": emails,
            "phones": phones,
            "title": title,
            "account_id": account_id,
            "time_zone": time_zone,
            "owner_id": owner_id,
            "custom": {} if custom is None else custom,
        }
        return cls._create(
            values,
            id=id,
            at=at,
            actor=actor,
            entries=[(funnels.LIFECYCLE, lifecycle_stage)],
            region=default_region,
            schema=schema,
            check=_named,
        )

    def _apply(self, event: Event) -> dict[str, Any]:
        return _tombstone(event) or super()._apply(event)

    def update(
        self,
        *,
        at: datetime,
        actor: str,
        reason: str | None = None,
        schema: CustomFieldSchema | None = None,
        default_region: str | None = None,
        **fields: Any,
    ) -> Contact:
        """Edit fields, recording one :class:`FieldsChanged` (none if nothing differs).

        Args:
            at: When.
            actor: Who.
            reason: Why, if given.
            schema: Validate ``custom`` against this schema.
            default_region: Country to read national phone numbers in.
            **fields: Field name → new value.

        Returns:
            The updated contact.

        Raises:
            ValidationError: every bad, unknown or refused field at once
                (``lifecycle_stage`` moves only through :meth:`set_lifecycle_stage`).
        """
        return self._update(
            fields, at=at, actor=actor, reason=reason, region=default_region, schema=schema
        )

    def assign(
        self, owner_id: str, *, at: datetime, actor: str, reason: str | None = None
    ) -> Contact:
        """Give the contact to another owner.

        Returns:
            The updated contact.
        """
        return self.update(owner_id=owner_id, at=at, actor=actor, reason=reason)

    def add_email(self, email: str, *, at: datetime, actor: str, primary: bool = False) -> Contact:
        """Add an address (last, or first when ``primary``).

        Raises:
            ValidationError: malformed, or already one of the contact's addresses.
        """
        address = normalize_email(email)
        emails = (address, *self.emails) if primary else (*self.emails, address)
        return self.update(emails=emails, at=at, actor=actor)

    def remove_email(self, email: str, *, at: datetime, actor: str) -> Contact:
        """Remove an address (the next one becomes primary if it was the first).

        Raises:
            ValidationError: not one of the contact's addresses.
        """
        address = normalize_email(email)
        if address not in self.emails:
            raise ValidationError.single("emails", email, "is not one of the contact's addresses")
        return self.update(emails=tuple(e for e in self.emails if e != address), at=at, actor=actor)

    def set_lifecycle_stage(
        self, stage: str, *, at: datetime, actor: str, reason: str | None = None
    ) -> Contact:
        """Move the contact in the lifecycle funnel (forward only).

        Raises:
            TransitionError: the funnel does not allow the move.
        """
        return self._move("lifecycle", str(stage), at=at, actor=actor, reason=reason)
