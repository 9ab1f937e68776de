"""Leads: unqualified prospects, their status, lifecycle stage, source and conversion.

A :class:`Lead` holds a person's and a company's details inline until it is
converted into a contact (and an account, and maybe an opportunity). Its
status moves through :data:`~salescore.funnels.LEAD_STATUS`:

=============  ==================================================
from           allowed to
=============  ==================================================
new            working, nurturing, qualified, disqualified
working        nurturing, qualified, disqualified
nurturing      working, qualified, disqualified
qualified      working, disqualified, converted (by conversion only)
disqualified   working, nurturing (recycling, with a reason)
converted      nothing: it is final
=============  ==================================================

Disqualifying needs a reason, and so does recycling a disqualified lead.
``converted`` is reached only through conversion (:meth:`Lead._record_conversion`,
called by the conversion code); :meth:`Lead.move_to` refuses it.
Its lifecycle stage moves separately through :data:`~salescore.funnels.LIFECYCLE`.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from datetime import UTC, datetime
from math import isfinite
from typing import Any, ClassVar, Final

import attrs

from salescore._codegen import slot_builder, slot_copier, slot_setters
from salescore._validation import Checker, line_ok
from salescore.domain import _fields as fld
from salescore.domain import standard_funnels as funnels
from salescore.domain._normalize import (
    _FAST_MAX,
    _KNOWN_ZONES,
    _company_ok,
    _email_ok,
    _lines_ok,
    _phone_ok,
)
from salescore.domain._rule_schemas import INTERACTION_RECORDS, RuleSchemaHook
from salescore.domain.aggregate import Aggregate, Fields, FieldSpec
from salescore.domain.custom_fields import CustomFieldSchema
from salescore.domain.events import Event, FieldsChanged, StageChanged, _prechecked
from salescore.domain.parties import PartyKind, PartyRef
from salescore.domain.stages import Funnel
from salescore.errors import FieldError, TransitionError, ValidationError
from salescore.frozen import EMPTY, FrozenDict
from salescore.money import Money
from salescore.serialization import register_type

__all__ = ["Lead", "LeadConverted", "LeadCreated", "LeadSource", "LeadStatus"]


class LeadStatus(enum.StrEnum):
    """A lead's working status (the stages of :data:`~salescore.funnels.LEAD_STATUS`)."""

    NEW = "new"
    WORKING = "working"
    NURTURING = "nurturing"
    QUALIFIED = "qualified"
    DISQUALIFIED = "disqualified"
    CONVERTED = "converted"


_SOURCE_TEXT: Final = (
    "campaign_id",
    "utm_source",
    "utm_medium",
    "utm_campaign",
    "utm_term",
    "utm_content",
    "referrer",
)


@register_type
@attrs.frozen(kw_only=True)
class LeadSource:
    """Where a lead came from: a channel, a campaign and the UTM parameters.

    Attributes:
        channel: The marketing channel, in your own words
            (``"paid_search"``, ``"webinar"``, ``"referral"``…).
        campaign_id: The campaign, if known.
        utm_source: ``utm_source`` (``"google"``).
        utm_medium: ``utm_medium`` (``"cpc"``).
        utm_campaign: ``utm_campaign``.
        utm_term: ``utm_term``.
        utm_content: ``utm_content``.
        referrer: The referring page or person.

    Raises:
        ValidationError: a blank channel or a non-string value.
    """

    channel: str
    campaign_id: str | None = None
    utm_source: str | None = None
    utm_medium: str | None = None
    utm_campaign: str | None = None
    utm_term: str | None = None
    utm_content: str | None = None
    referrer: str | None = None

    def __attrs_post_init__(self) -> None:
        v: str | None = self.channel
        if type(v) is str and v and v.strip() is v:
            for v in (
                self.campaign_id,
                self.utm_source,
                self.utm_medium,
                self.utm_campaign,
                self.utm_term,
                self.utm_content,
                self.referrer,
            ):
                if v is not None and (type(v) is not str or not v or v.strip() is not v):
                    break
            else:
                return
        fld.normalise_self(self, _SOURCE_FIELDS, None)


_SOURCE_FIELDS: Final[dict[str, fld.Normaliser]] = {
    "channel": fld.req_text,
    **dict.fromkeys(_SOURCE_TEXT, fld.opt_text),
}


def _opt_source(value: Any, path: str, region: str | None = None) -> LeadSource | None:
    if value is None or type(value) is LeadSource:
        return value
    raise ValidationError.single(path, value, "must be a LeadSource or None")


_status: Final = fld.member(LeadStatus, message="is not a lead status")


def _lifecycle(value: Any, path: str, region: str | None = None) -> str:
    if type(value) is str and value in funnels.LIFECYCLE:
        return value
    raise ValidationError.single(path, value, "is not a stage of the lifecycle funnel")


_LIFECYCLE_KEYS: Final = frozenset(funnels.LIFECYCLE.keys)
_BY_CONVERSION: Final = "is set only by converting the lead"


def _personal(normalise: fld.Normaliser, erased: Any = None) -> FieldSpec:
    return FieldSpec(normalise, personal=True, erased=erased)


def _state(normalise: fld.Normaliser, why: str) -> FieldSpec:
    return FieldSpec(normalise, refused=why, initial=False)


def _is_normal(s: Lead) -> bool:
    """The cheap check of the common case: every field already valid and normal.

    ``False`` sends the lead through the detailed check (a disqualified or
    converted lead always goes there).
    """
    v: Any = s.email
    if v is not None and not (type(v) is str and len(v) <= _FAST_MAX and _email_ok(v)):
        return False
    v = s.phone
    if v is not None and not (type(v) is str and _phone_ok(v)):
        return False
    if not _company_ok(s.domain, s.employees, s.annual_revenue, s.country):
        return False
    v = s.time_zone
    if v is not None and (type(v) is not str or v not in _KNOWN_ZONES):
        return False
    v = s.score
    if type(v) is not float or v - v != 0.0:
        return False
    v = s.custom
    if v or not isinstance(v, dict):
        return False
    v = s.original_source
    if v is not None and type(v) is not LeadSource:
        return False
    v = s.latest_source
    if v is not None and type(v) is not LeadSource:
        return False
    if type(s.status) is not LeadStatus or s.disqualify_reason is not None:
        return False
    v = s.lifecycle_stage
    if type(v) is not str or v not in _LIFECYCLE_KEYS:
        return False
    if s.converted_at is not None or s.converted_contact_id is not None:
        return False
    return _lines_ok(s.first_name, s.last_name, s.title, s.company, s.industry, s.owner_id)


@register_type
@attrs.frozen(kw_only=True)
class LeadCreated(Event):
    """A lead was captured; carries its initial fields (see :class:`Lead`).

    The values are normal already; they are validated again when a lead is
    built from the event.
    """

    first_name: str | None = None
    last_name: str | None = None
    email: str | None = None
    phone: str | None = None
    title: str | None = None
    company: str | None = None
    domain: str | None = None
    industry: str | None = None
    employees: int | None = None
    annual_revenue: Money | None = None
    country: str | None = None
    time_zone: str | None = None
    original_source: LeadSource | None = None
    latest_source: LeadSource | None = None
    owner_id: str | None = None
    score: float = 0.0
    custom: Mapping[str, Any] = attrs.field(factory=dict)


@register_type
@attrs.frozen(kw_only=True)
class LeadConverted(Event):
    """A lead was converted: the records it became.

    Recorded by :meth:`Lead._record_conversion`, immediately followed by the
    lead's :class:`~salescore.domain.events.StageChanged` to ``converted``.
    This event is the lead → contact link that timelines and attribution follow.

    Attributes:
        contact_id: The contact the lead became (new or existing).
        account_id: The contact's account (new or existing).
        opportunity_id: The opportunity created, if any.
    """

    contact_id: str
    account_id: str
    opportunity_id: str | None = None

    def _check(self) -> None:
        with Checker("LeadConverted") as c:
            for name in ("contact_id", "account_id"):
                c.text(getattr(self, name), name)
            c.text(self.opportunity_id, "opportunity_id", optional=True)


@register_type
@attrs.frozen(kw_only=True)
class Lead(Aggregate):
    """An unqualified prospect: a person and a company, inline until converted.

    Create with :meth:`new`; change with :meth:`move_to`,
    :meth:`set_lifecycle_stage`, :meth:`update`, :meth:`assign`,
    :meth:`set_score` and :meth:`set_latest_source`. Every change returns a
    new lead with its events appended to ``history``.

    Attributes:
        first_name: Given name.
        last_name: Family name.
        email: Email address, normalised (domain lower-case, local part as given).
        phone: Phone number in E.164.
        title: Job title.
        company: Company name.
        domain: The company's web domain, normalised.
        industry: Industry, in your taxonomy's words.
        employees: Company head count.
        annual_revenue: Company revenue per year.
        country: ISO 3166-1 alpha-2 code, upper-case; also the default
            region for reading national phone numbers.
        time_zone: IANA time-zone name.
        original_source: Where the lead first came from (set at creation).
        latest_source: Where it came from most recently.
        owner_id: The owning rep, team or queue.
        score: The lead score (0 until a score model sets it).
        custom: Custom field values (``custom.<name>``).
        status: The lead status (:data:`~salescore.funnels.LEAD_STATUS`).
        lifecycle_stage: The lifecycle stage (:data:`~salescore.funnels.LIFECYCLE`).
        disqualify_reason: Why it is disqualified (``None`` unless it is).
        converted_contact_id: The contact it became.
        converted_account_id: The account of that contact.
        converted_opportunity_id: The opportunity created at conversion, if any.
        converted_at: When it was converted.

    Raises:
        ValidationError: every bad field at once.
    """

    __rule_schema__: ClassVar[RuleSchemaHook] = RuleSchemaHook(interactions=INTERACTION_RECORDS)
    stage_fields: ClassVar[Mapping[str, str]] = {
        "lead_status": "status",
        "lifecycle": "lifecycle_stage",
    }
    stage_funnels: ClassVar[Mapping[str, Funnel]] = {
        "lead_status": funnels.LEAD_STATUS,
        "lifecycle": funnels.LIFECYCLE,
    }
    field_table: ClassVar[Fields] = Fields(
        {
            "first_name": _personal(fld.opt_text),
            "last_name": _personal(fld.opt_text),
            "email": _personal(fld.opt_email),
            "phone": _personal(fld.opt_phone),
            "title": _personal(fld.opt_text),
            "company": fld.opt_text,
            "domain": fld.opt_domain,
            "industry": fld.opt_text,
            "employees": fld.opt_count,
            "annual_revenue": fld.opt_amount,
            "country": fld.opt_country,
            "time_zone": fld.opt_time_zone,
            "original_source": FieldSpec(
                _opt_source, refused="is set once, when the lead is created"
            ),
            "latest_source": _opt_source,
            "owner_id": fld.opt_id,
            "score": fld.score,
            "custom": _personal(fld.custom, {}),
            "status": _state(_status, "moves through the lead status funnel: use move_to()"),
            "lifecycle_stage": _state(
                _lifecycle, "moves through the lifecycle funnel: use set_lifecycle_stage()"
            ),
            "disqualify_reason": _state(
                fld.opt_text, "is set by disqualifying: move_to('disqualified', reason=...)"
            ),
            "converted_contact_id": _state(fld.opt_id, _BY_CONVERSION),
            "converted_account_id": _state(fld.opt_id, _BY_CONVERSION),
            "converted_opportunity_id": _state(fld.opt_id, _BY_CONVERSION),
            "converted_at": _state(fld.opt_aware, _BY_CONVERSION),
        },
        created=LeadCreated,
        region="country",
        is_normal=_is_normal,
    )

    first_name: str | None = None
    last_name: str | None = None
    email: str | None = None
    phone: str | None = None
    title: str | None = None
    company: str | None = None
    domain: str | None = None
    industry: str | None = None
    employees: int | None = None
    annual_revenue: Money | None = None
    country: str | None = None
    time_zone: str | None = None
    original_source: LeadSource | None = None
    latest_source: LeadSource | None = None
    owner_id: str | None = None
    score: float = 0.0
    custom: Mapping[str, Any] = attrs.field(factory=dict)
    status: LeadStatus = LeadStatus.NEW
    lifecycle_stage: str = "lead"
    disqualify_reason: str | None = None
    converted_contact_id: str | None = None
    converted_account_id: str | None = None
    converted_opportunity_id: str | None = None
    converted_at: datetime | None = None

    @classmethod
    def _fixed_fields(cls) -> frozenset[str]:
        return frozenset(cls.field_table.refusals)  # the original source included

    # --- creation and replay ----------------------------------------------------------

    @classmethod
    def new(
        cls,
        *,
        id: str,
        at: datetime,
        actor: str,
        first_name: str | None = None,
        last_name: str | None = None,
        email: str | None = None,
        phone: str | None = None,
        title: str | None = None,
        company: str | None = None,
        domain: str | None = None,
        industry: str | None = None,
        employees: int | None = None,
        annual_revenue: Money | None = None,
        country: str | None = None,
        time_zone: str | None = None,
        source: LeadSource | None = None,
        owner_id: str | None = None,
        score: float = 0.0,
        custom: Mapping[str, Any] | None = None,
        lifecycle_stage: str = "lead",
        schema: CustomFieldSchema | None = None,
        default_region: str | None = None,
    ) -> Lead:
        """Capture a lead.

        The history is exactly :class:`LeadCreated`, then the entries into
        the lead status funnel (``new``) and the lifecycle funnel, so a new
        lead has version 3.

        Args:
            id: The new lead's id.
            at: When (timezone-aware).
            actor: Who or what captured it (``"web-form"``, a rep's id).
            first_name: Given name.
            last_name: Family name.
            email: Email address; normalised.
            phone: Phone number; normalised to E.164 (see ``default_region``).
            title: Job title.
            company: Company name.
            domain: Company web domain or address; normalised.
            industry: Industry.
            employees: Head count.
            annual_revenue: Yearly revenue.
            country: ISO 3166-1 alpha-2 code.
            time_zone: IANA time-zone name.
            source: Where it came from: both the original and the latest source.
            owner_id: Owner id.
            score: Initial score.
            custom: Custom field values.
            lifecycle_stage: Lifecycle stage to start in (``"lead"``).
            schema: Validate ``custom`` against this schema.
            default_region: Country to read a national phone number in;
                defaults to ``country``.

        Returns:
            The lead, version 3, status ``new``.

        Raises:
            ValidationError: every bad field at once; a lead needs at least
                an email, a phone, a name or a company.
            TransitionError: ``lifecycle_stage`` is not a lifecycle stage.
        """
        values = (
            first_name,
            last_name,
            email,
            phone,
            title,
            company,
            domain,
            industry,
            employees,
            annual_revenue,
            country,
            time_zone,
            source,
            source,
            owner_id,
            score,
            EMPTY if custom is None or (type(custom) is dict and not custom) else custom,
        )
        if (
            schema is None
            and default_region is None
            and type(at) is datetime
            and at.tzinfo is UTC
            and type(id) is str
            and line_ok(id)
            and type(actor) is str
            and line_ok(actor)
        ):
            # The common case, every value valid and normal already: build the
            # lead and its events directly, then check the lead as its own
            # constructor would (the events' checks are no stricter).
            stage = lifecycle_stage
            lead = _new_lead(id, 3, (), *values, LeadStatus.NEW, stage, *_NOT_CONVERTED)
            if _is_normal(lead) and (email or phone or first_name or last_name or company):
                object.__setattr__(
                    lead,
                    "history",
                    (
                        _new_created(id, at, actor, *values),
                        _new_stage(id, at, actor, "lead_status", None, "new", None),
                        _new_stage(id, at, actor, "lifecycle", None, stage, None),
                    ),
                )
                return lead
        errors: list[FieldError] = []
        fields: dict[str, Any] = dict(zip(_INITIAL, values, strict=True))
        if default_region is not None and phone is not None:
            try:
                fields["phone"] = fld.opt_phone(phone, "phone", default_region)
            except ValidationError as exc:
                errors.extend(exc.errors)
                fields["phone"] = None
        if schema is not None:
            c = Checker("Lead")
            fields["custom"] = schema.check({} if custom is None else custom, c)
            errors.extend(c.errors)
        try:
            # Validates and normalises every field at once.
            lead = cls(id=id, lifecycle_stage=lifecycle_stage, **fields)
        except ValidationError as exc:
            errors.extend(e for e in exc.errors if e.path != "lifecycle_stage")
            if not any(e.path == "lifecycle_stage" for e in exc.errors) or errors:
                raise ValidationError(errors, "Lead") from None
            raise TransitionError(
                id,
                None,
                str(lifecycle_stage),
                funnels.LIFECYCLE.refusals(None, None, str(lifecycle_stage)),
            ) from None
        if not (lead.email or lead.phone or lead.first_name or lead.last_name or lead.company):
            errors.append(
                FieldError("email", None, "a lead needs an email, a phone, a name or a company")
            )
        if errors:
            raise ValidationError(errors, "Lead")
        created = LeadCreated(
            subject_id=id, at=at, actor=actor, **{n: getattr(lead, n) for n in _INITIAL}
        )
        return cls._new(
            created, [(funnels.LEAD_STATUS, "new"), (funnels.LIFECYCLE, lead.lifecycle_stage)]
        )

    def _apply(self, event: Event) -> dict[str, Any]:
        if type(event) is StageChanged and event.funnel == "lead_status":
            to = _status(event.to_stage, "to_stage", None)
            if to is LeadStatus.DISQUALIFIED:
                return {"status": to, "disqualify_reason": event.reason}
            if self.disqualify_reason is not None:
                return {"status": to, "disqualify_reason": None}
            return {"status": to}
        if type(event) is LeadConverted:
            return {
                "converted_contact_id": event.contact_id,
                "converted_account_id": event.account_id,
                "converted_opportunity_id": event.opportunity_id,
                "converted_at": event.at,
            }
        return super()._apply(event)

    # --- queries -------------------------------------------------------------------

    @property
    def ref(self) -> PartyRef:
        """A :class:`~salescore.domain.parties.PartyRef` to this lead."""
        return PartyRef(PartyKind.LEAD, self.id)

    @property
    def name(self) -> str:
        """First and last name joined (empty if neither is known)."""
        return " ".join(n for n in (self.first_name, self.last_name) if n)

    @property
    def is_converted(self) -> bool:
        """Whether the lead has been converted."""
        return self.status is LeadStatus.CONVERTED

    # --- transitions -----------------------------------------------------------------

    def move_to(
        self,
        status: LeadStatus | str,
        *,
        at: datetime,
        actor: str,
        reason: str | None = None,
    ) -> Lead:
        """Move the lead to another status, per the table in this module's docs.

        Args:
            status: The target status.
            at: When (not before the lead's last event).
            actor: Who.
            reason: Why; required to disqualify, and to recycle a
                disqualified lead.

        Returns:
            The lead with one more event (a ``StageChanged``).

        Raises:
            TransitionError: the table does not allow the move, a required
                reason is missing, or the target is ``converted`` (only
                conversion reaches it); every reason is listed.
            ValidationError: a bad ``at`` or ``actor``.
        """
        target = str(status)
        current = self.status
        has_reason = isinstance(reason, str) and bool(reason.strip())
        reasons: list[str] = []
        if target == LeadStatus.CONVERTED:
            reasons.append("only conversion reaches 'converted'")
        if target == LeadStatus.DISQUALIFIED and not has_reason:
            reasons.append("a reason is required to disqualify a lead")
        if (
            current is LeadStatus.DISQUALIFIED
            and target in (LeadStatus.WORKING, LeadStatus.NURTURING)
            and not has_reason
        ):
            reasons.append("a reason is required to recycle a disqualified lead")
        if reasons:
            for why in funnels.LEAD_STATUS.refusals(self, current, target):
                if why not in reasons:
                    reasons.append(why)
            raise TransitionError(self.id, current.value, target, reasons)
        return self._moved("lead_status", target, at, actor, reason)

    def set_lifecycle_stage(
        self, stage: str, *, at: datetime, actor: str, reason: str | None = None
    ) -> Lead:
        """Move the lead in the lifecycle funnel (forward only, skipping allowed).

        Raises:
            TransitionError: the funnel does not allow the move.
        """
        return self._moved("lifecycle", str(stage), at, actor, reason)

    def update(
        self,
        *,
        at: datetime,
        actor: str,
        reason: str | None = None,
        schema: CustomFieldSchema | None = None,
        default_region: str | None = None,
        **fields: Any,
    ) -> Lead:
        """Edit fields, recording one ``FieldsChanged`` (nothing if no value differs).

        Values are normalised as in :meth:`new`. Stage fields, the
        conversion references, ``disqualify_reason`` and ``original_source``
        cannot be edited this way.

        Args:
            at: When.
            actor: Who.
            reason: Why, if given.
            schema: Validate ``custom`` against this schema.
            default_region: Country to read a national phone number in;
                defaults to the (new) ``country``.
            **fields: Field name → new value.

        Returns:
            The updated lead.

        Raises:
            ValidationError: every bad, unknown or refused field at once.
        """
        return self._update(
            fields, at=at, actor=actor, reason=reason, region=default_region, schema=schema
        )

    def assign(self, owner_id: str, *, at: datetime, actor: str, reason: str | None = None) -> Lead:
        """Give the lead to another owner (rep, team or queue id).

        Returns:
            The updated lead.
        """
        if owner_id is None or (
            type(owner_id) is str and line_ok(owner_id) and owner_id.strip() is owner_id
        ):
            return self._edited("owner_id", owner_id, at, actor, reason)
        return self.update(owner_id=owner_id, at=at, actor=actor, reason=reason)

    def set_score(
        self, score: float, *, at: datetime, actor: str, reason: str | None = None
    ) -> Lead:
        """Record a new score (a ``FieldsChanged`` of ``score``).

        Returns:
            The updated lead (unchanged if the score is the same).
        """
        if type(score) is float and isfinite(score):
            return self._edited("score", score, at, actor, reason)
        return self.update(score=score, at=at, actor=actor, reason=reason)

    # --- the fast paths of the common transitions --------------------------------------
    #
    # A stage move the funnel allows freely, or an edit of one field to a value
    # already normal, with an ``at`` in UTC not before the last event and a
    # plain actor and reason, records exactly what the general path would:
    # the event is built without checking it again and the state copied with
    # only the changed fields normalised. Anything else takes the general path,
    # which refuses bad input as before.

    def _moved(self, funnel_key: str, to_stage: str, at: Any, actor: Any, reason: Any) -> Lead:
        """``_move(funnel_key, to_stage, …)``, through the fast path when it applies."""
        current = str(getattr(self, self.stage_fields[funnel_key]))
        if _plain(self.history, at, actor, reason) and self.funnel(funnel_key).allows_freely(
            current, to_stage
        ):
            event = _new_stage(self.id, at, actor, funnel_key, current, to_stage, reason)
            return self._appended(event, self._apply(event))
        return self._move(funnel_key, to_stage, at=at, actor=actor, reason=reason)

    def _edited(self, name: str, value: Any, at: Any, actor: Any, reason: Any) -> Lead:
        """``update(name=value, …)`` for a value in normal form, through the fast path."""
        old = getattr(self, name)
        if old != value and _plain(self.history, at, actor, reason):
            change = (old, value)
            # Scalars are frozen already: the mapping is built as it is.
            if type(old) in _SCALARS and type(value) in _SCALARS:
                changes = fld.frozen({name: change})
            else:
                changes = FrozenDict({name: change})
            event = _new_fields(self.id, at, actor, changes, reason)
            return self._appended(event, {name: value})
        return self.update(**{name: value}, at=at, actor=actor, reason=reason)

    def _appended(self, event: Event, changes: dict[str, Any]) -> Lead:
        """This lead with ``event`` (valid, and valid here) recorded and ``changes`` made.

        The changed fields go through the table's normalisers, as in
        ``_evolved``; should one refuse its value, ``_evolved`` reports it.
        """
        new = self._copied((event,), changes)
        return self._evolved(changes) if new is None else new

    def _copied(self, events: tuple[Event, ...], changes: dict[str, Any]) -> Lead | None:
        """A copy of this lead with ``events`` recorded and ``changes`` made, normalised.

        ``None`` when a normaliser refuses a value of ``changes``.
        """
        region = self.country if type(self.country) is str else None
        try:
            normal = [(n, _NORMALISERS[n](v, n, region)) for n, v in changes.items()]
        except ValidationError:
            return None
        history = self.history
        new = _copy_lead(self)
        for name, value in normal:
            _SETTERS[name](new, value)
        _SETTERS["history"](new, (*history, *events))
        _SETTERS["version"](new, len(history) + len(events))
        return new

    def _scored(
        self, score: float, stage: str, *, at: datetime, actor: str, reason: str, why: str
    ) -> Lead:
        """``set_score(score, reason=reason)``, then ``set_lifecycle_stage(stage, reason=why)``.

        When both take their fast paths, the lead is copied once for the two.
        """
        current = self.lifecycle_stage
        if (
            type(score) is float
            and isfinite(score)
            and type(self.score) is float
            and score != self.score
            and type(stage) is str
            and type(current) is str
            and _plain(self.history, at, actor, reason)
            and type(why) is str
            and line_ok(why)
            and self.funnel("lifecycle").allows_freely(current, stage)
        ):
            changes = fld.frozen({"score": (self.score, score)})
            moved = _new_stage(self.id, at, actor, "lifecycle", current, stage, why)
            new = self._copied(
                (_new_fields(self.id, at, actor, changes, reason), moved),
                {"score": score, **self._apply(moved)},
            )
            if new is not None:
                return new
        scored = self.set_score(score, at=at, actor=actor, reason=reason)
        return scored.set_lifecycle_stage(stage, at=at, actor=actor, reason=why)

    def set_latest_source(self, source: LeadSource, *, at: datetime, actor: str) -> Lead:
        """Record where the lead came from most recently (a new form fill, a new campaign).

        Returns:
            The updated lead.
        """
        return self.update(latest_source=source, at=at, actor=actor)

    # --- the conversion hook ---------------------------------------------------------

    def _record_conversion(
        self,
        *,
        at: datetime,
        actor: str,
        contact_id: str,
        account_id: str,
        opportunity_id: str | None = None,
        reason: str | None = None,
    ) -> Lead:
        """Record the lead's conversion; for the conversion code only.

        Appends :class:`LeadConverted` (with the contact, account and
        optional opportunity ids) and then ``StageChanged(lead_status:
        qualified → converted)``; version advances by 2. The lifecycle
        stage is left as it is.

        Args:
            at: When.
            actor: Who.
            contact_id: The contact the lead became.
            account_id: That contact's account.
            opportunity_id: The opportunity created, if any.
            reason: Recorded on the status change.

        Returns:
            The converted lead.

        Raises:
            TransitionError: the lead is not qualified.
            ValidationError: bad ids, ``at`` or ``actor``.
        """
        if self.status is not LeadStatus.QUALIFIED:
            raise TransitionError(
                self.id,
                self.status.value,
                LeadStatus.CONVERTED.value,
                [f"only a qualified lead can be converted (it is {self.status.value})"],
            )
        converted = self._event(
            LeadConverted,
            at=at,
            actor=actor,
            contact_id=contact_id,
            account_id=account_id,
            opportunity_id=opportunity_id,
        )
        return self._move(
            "lead_status",
            LeadStatus.CONVERTED.value,
            at=at,
            actor=actor,
            reason=reason,
            before=(converted,),
        )


_INITIAL: Final = Lead.field_table.initial
_NOT_CONVERTED: Final = (None, None, None, None, None)
_SCALARS: Final = frozenset({str, float, int, type(None)})
_new_lead: Final = slot_builder(Lead)
_new_created: Final = _prechecked(LeadCreated)
#: The events a lead records, built slot by slot from values already checked.
_new_fields: Final = _prechecked(FieldsChanged)
_new_stage: Final = _prechecked(StageChanged)
_NORMALISERS: Final = Lead.field_table.normalisers
#: Field name → the setter of its slot (a frozen class refuses ``setattr``).
_SETTERS: Final = slot_setters(Lead)
_copy_lead: Final = slot_copier(Lead)


def _plain(history: tuple[Event, ...], at: Any, actor: Any, reason: Any) -> bool:
    """Whether an event at ``at`` by ``actor`` for ``reason`` is valid, normal and in order.

    ``at`` in UTC and not before the last event, ``actor`` and ``reason``
    (or ``None``) one line of text: what every event accepts as it is.
    """
    return bool(
        type(at) is datetime
        and at.tzinfo is UTC
        and history
        and at >= history[-1].at
        and type(actor) is str
        and line_ok(actor)
        and (reason is None or (type(reason) is str and line_ok(reason)))
    )


# The fast path of Lead.new passes the fields in order: they must line up.
if tuple(f.name for f in attrs.fields(LeadCreated))[3:] != _INITIAL or tuple(
    f.name for f in attrs.fields(Lead)
) != (
    "id",
    "version",
    "history",
    *_INITIAL,
    "status",
    "lifecycle_stage",
    "disqualify_reason",
    "converted_contact_id",
    "converted_account_id",
    "converted_opportunity_id",
    "converted_at",
):
    raise TypeError("Lead and LeadCreated must list the table's fields in its order")
