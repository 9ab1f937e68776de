"""Lead conversion: a qualified lead becomes a contact, an account and maybe a deal.

:func:`convert_lead` is pure and all-or-nothing: it returns one
:class:`Conversion` with every new or changed aggregate and their new events.
Guide: :doc:`/conversion`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import Any, Final

import attrs

from salescore._validation import Checker, fail
from salescore.domain import standard_funnels as funnels
from salescore.domain.aggregate import Aggregate
from salescore.domain.campaigns import CampaignMember
from salescore.domain.custom_fields import CustomFieldSchema
from salescore.domain.events import Event
from salescore.domain.leads import Lead, LeadStatus
from salescore.domain.opportunities import ContactRole, Opportunity, OpportunityType
from salescore.domain.parties import Account, Contact
from salescore.domain.products import LineItem
from salescore.domain.stages import Funnel
from salescore.errors import TransitionError
from salescore.ids import IdFactory
from salescore.money import Money
from salescore.serialization import register_type

__all__ = ["Conversion", "OpportunitySpec", "convert_lead"]


def _personal_account_name(lead: Lead) -> str | None:
    """The person's name, or else e-mail, that converting ``lead`` names a new account after.

    ``None`` when the lead has a company (the account takes the company's
    name) or neither a name nor an e-mail (it takes the lead's id): the
    only account names a conversion takes from the person.
    """
    return None if lead.company else lead.name or lead.email


#: Lead field → account field, merged per ``fill_only_empty``.
_ACCOUNT_FROM_LEAD: Final = {
    "domain": "domain",
    "industry": "industry",
    "employees": "employees",
    "annual_revenue": "annual_revenue",
    "country": "country",
}
#: Lead field → contact field, merged per ``fill_only_empty``.
_CONTACT_FROM_LEAD: Final = {
    "first_name": "first_name",
    "last_name": "last_name",
    "title": "title",
    "time_zone": "time_zone",
}


@register_type
@attrs.frozen(kw_only=True)
class OpportunitySpec:
    """How to shape the deal a conversion creates.

    Attributes:
        name: The deal's name; the account's name by default.
        pipeline: The pipeline.
        stage: The open stage to start in (the pipeline's initial by default).
        type: What kind of business.
        amount: The value.
        line_items: The products sold (then the amount is their total).
        recurring: Recurring revenue per month.
        term_months: Subscription term.
        close_date: Expected close date.
        owner_id: The owner; the lead's owner by default.
        team_id: The owning team.
        contact_roles: The roles of the converted contact in the deal.
        custom: Custom values for the deal (on top of the mapped lead values).
    """

    name: str | None = None
    pipeline: Funnel = funnels.B2B_PIPELINE
    stage: str | None = None
    type: OpportunityType = OpportunityType.NEW_BUSINESS
    amount: Money | None = None
    line_items: tuple[LineItem, ...] = ()
    recurring: Money | None = None
    term_months: int | None = None
    close_date: date | None = None
    owner_id: str | None = None
    team_id: str | None = None
    contact_roles: tuple[ContactRole, ...] = ()
    custom: Mapping[str, Any] = attrs.field(factory=dict)


@register_type
@attrs.frozen(kw_only=True)
class Conversion:
    """Everything a lead conversion produced, as one unit.

    Attributes:
        lead: The converted lead (status ``converted``).
        account: The new or updated account.
        contact: The new or updated contact.
        opportunity: The new deal, or ``None``.
        memberships: The lead's campaign memberships, re-pointed to the contact.
        events: Every new event, in order: account, contact, deal,
            memberships, lead.
        account_created: Whether the account is new.
        contact_created: Whether the contact is new.
        unmapped_custom: Lead custom fields that went to no record.
    """

    lead: Lead
    account: Account
    contact: Contact
    opportunity: Opportunity | None
    memberships: tuple[CampaignMember, ...]
    events: tuple[Event, ...]
    account_created: bool
    contact_created: bool
    unmapped_custom: tuple[str, ...] = ()

    @property
    def aggregates(self) -> tuple[Aggregate, ...]:
        """Every new or changed aggregate (deal only if one was created)."""
        deal: tuple[Aggregate, ...] = () if self.opportunity is None else (self.opportunity,)
        return (self.account, self.contact, *deal, *self.memberships, self.lead)


def _compatible(schema: CustomFieldSchema, name: str, value: Any) -> tuple[bool, Any]:
    """Whether ``schema`` has a field ``name`` that accepts ``value``; its normal form."""
    if name not in schema:
        return False, value
    checker = Checker()
    normal = schema.field(name).check(value, checker, f"custom.{name}")
    return not checker.errors, normal


def _map_custom(
    lead_custom: Mapping[str, Any], schema: CustomFieldSchema | None, *, take_all: bool
) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for name, value in lead_custom.items():
        if schema is None:
            if take_all:
                result[name] = value
            continue
        ok, normal = _compatible(schema, name, value)
        if ok:
            result[name] = normal
    return result


def _merge(
    current: Mapping[str, Any], incoming: Mapping[str, Any], *, fill_only_empty: bool
) -> dict[str, Any]:
    """The field changes that merge ``incoming`` into ``current``."""
    changes: dict[str, Any] = {}
    for name, value in incoming.items():
        if value is None:
            continue
        old = current.get(name)
        empty = old is None or old == "" or old == ()
        if empty or (not fill_only_empty and old != value):
            changes[name] = value
    return changes


def _merge_custom(
    current: Mapping[str, Any], incoming: Mapping[str, Any], *, fill_only_empty: bool
) -> Mapping[str, Any] | None:
    merged = dict(current)
    for name, value in incoming.items():
        if name not in merged or not fill_only_empty:
            merged[name] = value
    return None if merged == dict(current) else merged


def _primary(current: tuple[str, ...], value: str | None, *, fill_only_empty: bool) -> Any:
    if value is None:
        return None
    if not current:
        return (value,)
    if fill_only_empty or current[0] == value:
        return None
    return (value, *(v for v in current if v != value))


#: What ``opportunity=True`` shapes the deal with.
_DEFAULT_SPEC: Final = OpportunitySpec()
#: The kinds of ``opportunity`` accepted as they are.
_CHOICES: Final = frozenset({bool, OpportunitySpec})


def _new_events(before: Aggregate | None, after: Aggregate) -> tuple[Event, ...]:
    return after.history[0 if before is None else before.version :]


def _check_parts(
    lead: Lead,
    account: Any,
    contact: Any,
    opportunity: Any,
    members: tuple[Any, ...],
) -> None:
    """Check what a conversion is given besides the lead, reporting every problem at once."""
    with Checker("conversion") as c:
        types_ok = c.instance(account, Account, "account", optional=True)
        types_ok = c.instance(contact, Contact, "contact", optional=True) and types_ok
        owner = None if contact is None or not types_ok else contact.account_id
        if contact is not None and owner is not None:
            if account is None:
                c.add(
                    "account",
                    None,
                    f"the contact {contact.id!r} belongs to account {owner!r}: pass that account",
                )
            elif owner != account.id:
                c.add(
                    "contact.account_id",
                    owner,
                    f"the contact {contact.id!r} belongs to another account, not {account.id!r}",
                )
        c.check(
            isinstance(opportunity, OpportunitySpec | bool),
            "opportunity",
            opportunity,
            "must be True, False or an OpportunitySpec",
        )
        for i, member in enumerate(members):
            if c.instance(member, CampaignMember, f"memberships[{i}]"):
                c.check(
                    member.party == lead.ref,
                    f"memberships[{i}].party",
                    member.party,
                    f"is not the lead being converted ({lead.ref})",
                )


def convert_lead(
    lead: Lead,
    *,
    at: datetime,
    actor: str,
    ids: IdFactory,
    account: Account | None = None,
    contact: Contact | None = None,
    opportunity: OpportunitySpec | bool = True,
    memberships: Iterable[CampaignMember] = (),
    fill_only_empty: bool = True,
    account_schema: CustomFieldSchema | None = None,
    contact_schema: CustomFieldSchema | None = None,
    opportunity_schema: CustomFieldSchema | None = None,
    reason: str | None = None,
) -> Conversion:
    """Convert a qualified lead (see the module docs for every step).

    Args:
        lead: The lead; it must be qualified.
        at: When (not before the last event of any record touched).
        actor: Who converts it.
        ids: Makes the ids of the new records (kinds ``"account"``,
            ``"contact"``, ``"opportunity"``); asked only after every check
            that needs no new record has passed.
        account: An existing account to convert into; a new one otherwise.
        contact: An existing contact to convert into (it must belong to
            ``account``, or to no account); a new one otherwise.
        opportunity: ``True`` (the default) creates a deal with default
            settings, an :class:`OpportunitySpec` one shaped by it, ``False``
            none.
        memberships: The lead's campaign memberships, re-pointed to the contact.
        fill_only_empty: When merging into existing records, fill only their
            empty fields (``True``) or let the lead's values overwrite.
        account_schema: The accounts' custom field schema (decides which lead
            custom values go to the account).
        contact_schema: The contacts' custom field schema.
        opportunity_schema: The deals' custom field schema.
        reason: Recorded on the lead's move to ``converted``.

    Returns:
        The :class:`Conversion`.

    Raises:
        TransitionError: the lead is not qualified (nothing is produced).
        ValidationError: a contact of another account, an existing contact
            without its account, memberships of another party, or any bad
            value met while building the records (every problem found
            before building is listed at once; nothing is produced).
    """
    if not isinstance(lead, Lead):
        fail("lead", lead, "must be a Lead")
    if lead.status is not LeadStatus.QUALIFIED:
        raise TransitionError(
            lead.id,
            lead.status.value,
            LeadStatus.CONVERTED.value,
            [f"only a qualified lead can be converted (it is {lead.status.value})"],
        )
    members = tuple(memberships)
    if account is None and contact is None and not members and opportunity.__class__ in _CHOICES:
        pass  # nothing below could be wrong
    else:
        _check_parts(lead, account, contact, opportunity, members)

    # -- account ----------------------------------------------------------------
    if lead.custom:
        lead_custom = dict(lead.custom)
        account_custom = _map_custom(lead_custom, account_schema, take_all=False)
        contact_custom = _map_custom(lead_custom, contact_schema, take_all=True)
        deal_custom = _map_custom(lead_custom, opportunity_schema, take_all=False)
        mapped = set(account_custom) | set(contact_custom)
        if opportunity is not False:
            mapped |= set(deal_custom)
        unmapped = tuple(sorted(n for n in lead_custom if n not in mapped))
    else:  # what the mapping makes of no custom values
        account_custom, contact_custom, deal_custom, unmapped = {}, {}, {}, ()
    spec = opportunity if isinstance(opportunity, OpportunitySpec) else _DEFAULT_SPEC
    from_lead = {a: getattr(lead, f) for f, a in _ACCOUNT_FROM_LEAD.items()}
    if account is None:
        name = _personal_account_name(lead) or lead.company or lead.id
        new_account = Account.new(
            id=ids.new("account"),
            at=at,
            actor=actor,
            name=name,
            owner_id=lead.owner_id,
            custom=account_custom,
            **from_lead,
        )
    else:
        current = {n: getattr(account, n) for n in from_lead}
        changes = _merge(current, from_lead, fill_only_empty=fill_only_empty)
        if account.owner_id is None and lead.owner_id is not None:
            changes["owner_id"] = lead.owner_id
        custom = _merge_custom(account.custom, account_custom, fill_only_empty=fill_only_empty)
        if custom is not None:
            changes["custom"] = custom
        new_account = account.update(at=at, actor=actor, reason="lead converted", **changes)

    # -- contact ----------------------------------------------------------------
    person = {target: getattr(lead, f) for f, target in _CONTACT_FROM_LEAD.items()}
    if contact is None:
        new_contact = Contact.new(
            id=ids.new("contact"),
            at=at,
            actor=actor,
            emails=() if lead.email is None else (lead.email,),
            phones=() if lead.phone is None else (lead.phone,),
            account_id=new_account.id,
            owner_id=lead.owner_id,
            lifecycle_stage=lead.lifecycle_stage,
            custom=contact_custom,
            **person,
        )
    else:
        current = {n: getattr(contact, n) for n in person}
        changes = _merge(current, person, fill_only_empty=fill_only_empty)
        if contact.account_id is None:
            changes["account_id"] = new_account.id
        if contact.owner_id is None and lead.owner_id is not None:
            changes["owner_id"] = lead.owner_id
        emails = _primary(contact.emails, lead.email, fill_only_empty=fill_only_empty)
        if emails is not None:
            changes["emails"] = emails
        phones = _primary(contact.phones, lead.phone, fill_only_empty=fill_only_empty)
        if phones is not None:
            changes["phones"] = phones
        custom = _merge_custom(contact.custom, contact_custom, fill_only_empty=fill_only_empty)
        if custom is not None:
            changes["custom"] = custom
        new_contact = contact.update(at=at, actor=actor, reason="lead converted", **changes)
        lifecycle = funnels.LIFECYCLE
        if lifecycle.position(lead.lifecycle_stage) > lifecycle.position(
            new_contact.lifecycle_stage
        ):  # forward to the lead's stage, never back
            new_contact = new_contact.set_lifecycle_stage(
                lead.lifecycle_stage, at=at, actor=actor, reason="lead converted"
            )

    # -- opportunity ----------------------------------------------------------------
    deal: Opportunity | None = None
    if opportunity is not False:
        roles = {new_contact.id: spec.contact_roles} if spec.contact_roles else {}
        deal = Opportunity.new(
            id=ids.new("opportunity"),
            at=at,
            actor=actor,
            name=spec.name or new_account.name,
            pipeline=spec.pipeline,
            stage=spec.stage,
            account_id=new_account.id,
            primary_contact_id=new_contact.id,
            contact_roles=roles,
            owner_id=spec.owner_id or lead.owner_id,
            team_id=spec.team_id,
            type=spec.type,
            amount=spec.amount,
            line_items=spec.line_items,
            recurring=spec.recurring,
            term_months=spec.term_months,
            close_date=spec.close_date,
            source=lead.original_source or lead.latest_source,
            custom={**deal_custom, **spec.custom},
            schema=opportunity_schema,
        )

    # -- memberships and the lead ------------------------------------------------------
    repointed = tuple(
        m.repoint(new_contact.ref, at=at, actor=actor, reason=f"lead {lead.id} converted")
        for m in members
    )
    converted = lead._record_conversion(
        at=at,
        actor=actor,
        contact_id=new_contact.id,
        account_id=new_account.id,
        opportunity_id=None if deal is None else deal.id,
        reason=reason,
    )

    events: list[Event] = [
        *_new_events(account, new_account),
        *_new_events(contact, new_contact),
    ]
    if deal is not None:
        events.extend(deal.history)
    for before, after in zip(members, repointed, strict=True):
        events.extend(_new_events(before, after))
    events.extend(_new_events(lead, converted))
    return Conversion(
        lead=converted,
        account=new_account,
        contact=new_contact,
        opportunity=deal,
        memberships=repointed,
        events=tuple(events),
        account_created=account is None,
        contact_created=contact is None,
        unmapped_custom=unmapped,
    )
