"""Consent and contactability: who may be contacted, on which channel, for what, and when.

* A :class:`ConsentRecord` (an aggregate, one per person) holds the consent
  per channel and purpose (granted, withdrawn or unknown) with when, how and
  from where it was given, and an objection to direct marketing (GDPR
  art. 21), which is absolute and immediate: no consent outweighs it.
* A :class:`DoNotContactList` is the company's own do-not-call and
  do-not-email list; :class:`RegistryCheck` records when a number was last
  checked against an external do-not-call registry.
* :func:`can_contact` weighs all of it, and the calling hours in the
  person's own time zone, into a :class:`Decision` that lists every reason.
* :func:`apply_interaction` turns a "do not call" disposition, a "not
  interested" and an unsubscribe into consent changes at once.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable, Mapping
from datetime import datetime, time, timedelta
from functools import lru_cache
from typing import Any, ClassVar, Final
from zoneinfo import ZoneInfo

import attrs

from salescore._validation import Checker, fail
from salescore.domain import normalisers as fld
from salescore.domain.aggregate import Aggregate, Fields, FieldSpec
from salescore.domain.events import Event
from salescore.domain.interactions import CallDisposition, Channel, EmailEventKind, Interaction
from salescore.domain.leads import Lead
from salescore.domain.parties import Contact, PartyRef
from salescore.serialization import register_type

__all__ = [
    "DIRECT_MARKETING",
    "ConsentChanged",
    "ConsentCreated",
    "ConsentEntry",
    "ConsentRecord",
    "ConsentStatus",
    "ContactPolicy",
    "Decision",
    "DoNotContactList",
    "ObjectionRecorded",
    "Purpose",
    "RegistryCheck",
    "apply_interaction",
    "can_contact",
    "carry_restrictions",
    "person_zone",
]


_E164: Final = re.compile(r"\+[1-9][0-9]{7,14}").fullmatch


class ConsentStatus(enum.StrEnum):
    """Whether a person agreed to be contacted on a channel for a purpose."""

    GRANTED = "granted"
    WITHDRAWN = "withdrawn"
    UNKNOWN = "unknown"


class Purpose(enum.StrEnum):
    """Why we would contact someone."""

    MARKETING = "marketing"
    SALES = "sales"
    SERVICE = "service"


#: The purposes that are direct marketing (an art. 21 objection stops them all).
DIRECT_MARKETING: Final = frozenset({Purpose.MARKETING, Purpose.SALES})


@register_type
@attrs.frozen(kw_only=True)
class ConsentEntry:
    """The latest consent for one channel and purpose.

    Attributes:
        channel: The channel.
        purpose: The purpose.
        status: Granted, withdrawn or unknown.
        at: When it was given or withdrawn.
        method: How (``"web_form"``, ``"call_disposition"``, ``"unsubscribe_link"``…).
        source: Where it is documented (a form id, an interaction id…), if known.
    """

    channel: Channel
    purpose: Purpose
    status: ConsentStatus
    at: datetime
    method: str
    source: str | None = None


@register_type
@attrs.frozen(kw_only=True)
class ConsentCreated(Event):
    """A consent record was opened for a person.

    Attributes:
        party: The lead or contact it belongs to.
    """

    party: PartyRef


@register_type
@attrs.frozen(kw_only=True)
class ConsentChanged(Event):
    """Consent for a channel and purpose was given, withdrawn or reset.

    Attributes:
        channel: The channel.
        purpose: The purpose.
        status: The new status.
        method: How it was expressed.
        source: Where it is documented, if known.
    """

    channel: Channel
    purpose: Purpose
    status: ConsentStatus
    method: str
    source: str | None = None

    def _check(self) -> None:
        with Checker("ConsentChanged") as c:
            c.instance(self.channel, Channel, "channel")
            c.instance(self.purpose, Purpose, "purpose")
            c.instance(self.status, ConsentStatus, "status")
            c.text(self.method, "method")
            c.text(self.source, "source", optional=True)


@register_type
@attrs.frozen(kw_only=True)
class ObjectionRecorded(Event):
    """The person objected to direct marketing (GDPR art. 21): absolute and immediate.

    Attributes:
        method: How it was expressed.
        source: Where it is documented, if known.
    """

    method: str
    source: str | None = None


@register_type
@attrs.frozen(kw_only=True)
class ConsentRecord(Aggregate):
    """One person's consents and objection, kept as events.

    Create with :meth:`new`; change with :meth:`grant`, :meth:`withdraw`,
    :meth:`record` and :meth:`object_to_direct_marketing`.

    Attributes:
        party: The lead or contact.
        entries: The latest entry per channel and purpose, sorted by channel
            and purpose.
        objected_at: When the person objected to direct marketing, if they did.
    """

    field_table: ClassVar[Fields] = Fields(
        {
            "party": FieldSpec(
                fld.instance(PartyRef), refused="is fixed when the record is opened"
            ),
            "entries": FieldSpec(
                fld.instance(tuple),
                refused="change with record(), grant() or withdraw()",
                initial=False,
            ),
            "objected_at": FieldSpec(
                fld.opt_aware, refused="is set by object_to_direct_marketing()", initial=False
            ),
        },
        created=ConsentCreated,
    )

    party: PartyRef
    entries: tuple[ConsentEntry, ...] = ()
    objected_at: datetime | None = None

    @classmethod
    def new(cls, *, id: str, at: datetime, actor: str, party: PartyRef) -> ConsentRecord:
        """Open an empty consent record (every status unknown).

        Returns:
            The record, version 1.

        Raises:
            ValidationError: bad values.
        """
        return cls._create({"party": party}, id=id, at=at, actor=actor)

    def _apply(self, event: Event) -> dict[str, Any]:
        if type(event) is ConsentChanged:
            entry = ConsentEntry(
                channel=event.channel,
                purpose=event.purpose,
                status=event.status,
                at=event.at,
                method=event.method,
                source=event.source,
            )
            kept = [
                e for e in self.entries if (e.channel, e.purpose) != (event.channel, event.purpose)
            ]
            kept.append(entry)
            kept.sort(key=lambda e: (e.channel.value, e.purpose.value))
            return {"entries": tuple(kept)}
        if type(event) is ObjectionRecorded:
            return {"objected_at": self.objected_at or event.at}
        return super()._apply(event)

    # --- queries ------------------------------------------------------------------

    def entry(self, channel: Channel | str, purpose: Purpose | str) -> ConsentEntry | None:
        """The latest entry for ``channel`` and ``purpose`` (``None``: never recorded)."""
        for e in self.entries:
            if e.channel == channel and e.purpose == purpose:
                return e
        return None

    def status(self, channel: Channel | str, purpose: Purpose | str) -> ConsentStatus:
        """The consent status for ``channel`` and ``purpose`` (unknown if never recorded)."""
        e = self.entry(channel, purpose)
        return ConsentStatus.UNKNOWN if e is None else e.status

    @property
    def objected(self) -> bool:
        """Whether the person objected to direct marketing."""
        return self.objected_at is not None

    # --- transitions --------------------------------------------------------------

    def record(
        self,
        channel: Channel | str,
        purpose: Purpose | str,
        status: ConsentStatus | str,
        *,
        at: datetime,
        actor: str,
        method: str,
        source: str | None = None,
    ) -> ConsentRecord:
        """Record a consent status for a channel and purpose.

        Args:
            channel: The channel.
            purpose: The purpose.
            status: Granted, withdrawn or unknown.
            at: When it was expressed.
            actor: Who recorded it.
            method: How it was expressed.
            source: Where it is documented.

        Returns:
            The record with one :class:`ConsentChanged` more (unchanged if
            the same status, method and source are already recorded).

        Raises:
            ValidationError: every bad value at once.
        """
        with Checker("ConsentRecord") as c:
            ch = c.member(Channel, channel, "channel", default=channel)
            pu = c.member(Purpose, purpose, "purpose", default=purpose)
            st = c.member(ConsentStatus, status, "status", default=status)
        current = self.entry(ch, pu)
        if current is not None and (current.status, current.method, current.source) == (
            st,
            method,
            source,
        ):
            return self
        return self._emit(
            ConsentChanged,
            at=at,
            actor=actor,
            channel=ch,
            purpose=pu,
            status=st,
            method=method,
            source=source,
        )

    def grant(
        self,
        channel: Channel | str,
        purpose: Purpose | str,
        *,
        at: datetime,
        actor: str,
        method: str,
        source: str | None = None,
    ) -> ConsentRecord:
        """Record that consent was given (see :meth:`record`)."""
        return self.record(
            channel,
            purpose,
            ConsentStatus.GRANTED,
            at=at,
            actor=actor,
            method=method,
            source=source,
        )

    def withdraw(
        self,
        channel: Channel | str,
        purpose: Purpose | str,
        *,
        at: datetime,
        actor: str,
        method: str,
        source: str | None = None,
    ) -> ConsentRecord:
        """Record that consent was withdrawn (see :meth:`record`)."""
        return self.record(
            channel,
            purpose,
            ConsentStatus.WITHDRAWN,
            at=at,
            actor=actor,
            method=method,
            source=source,
        )

    def object_to_direct_marketing(
        self, *, at: datetime, actor: str, method: str, source: str | None = None
    ) -> ConsentRecord:
        """Record an objection to direct marketing (GDPR art. 21).

        From ``at`` on, :func:`can_contact` refuses every direct-marketing
        purpose on every channel, whatever consent was given.

        Returns:
            The record with one :class:`ObjectionRecorded` more.
        """
        return self._emit(ObjectionRecorded, at=at, actor=actor, method=method, source=source)


def _strings(values: Iterable[str]) -> frozenset[str]:
    return frozenset(v.strip() for v in values)


def _lower_strings(values: Iterable[str]) -> frozenset[str]:
    return frozenset(v.strip().lower() for v in values)


@register_type
@attrs.frozen(kw_only=True)
class DoNotContactList:
    """The company's own do-not-call and do-not-email list.

    Attributes:
        phones: Numbers in E.164.
        emails: Addresses, compared without regard to case.
        domains: Whole e-mail domains nobody at which is e-mailed.
    """

    phones: frozenset[str] = attrs.field(default=frozenset(), converter=_strings)
    emails: frozenset[str] = attrs.field(default=frozenset(), converter=_lower_strings)
    domains: frozenset[str] = attrs.field(default=frozenset(), converter=_lower_strings)

    def __attrs_post_init__(self) -> None:
        with Checker("DoNotContactList") as c:
            for p in sorted(self.phones):
                c.check(bool(_E164(p)), "phones", p, "must be in E.164 form ('+4930901820')")
            for e in sorted(self.emails):
                c.check("@" in e, "emails", e, "must be an e-mail address")
            for d in sorted(self.domains):
                c.check("." in d and "@" not in d, "domains", d, "must be a domain ('acme.io')")

    def with_phone(self, phone: str) -> DoNotContactList:
        """The list with ``phone`` (E.164) added."""
        return attrs.evolve(self, phones=self.phones | {phone})

    def with_email(self, email: str) -> DoNotContactList:
        """The list with ``email`` added."""
        return attrs.evolve(self, emails=self.emails | {email})

    def blocks_phone(self, phone: str) -> bool:
        """Whether ``phone`` is on the list."""
        return phone in self.phones

    def blocks_email(self, email: str) -> bool:
        """Whether ``email`` (or its domain) is on the list."""
        low = email.lower()
        return low in self.emails or low.rpartition("@")[2] in self.domains


@register_type
@attrs.frozen(kw_only=True)
class RegistryCheck:
    """The latest check of a number against an external do-not-call registry.

    Attributes:
        phone: The number, in E.164.
        checked_at: When it was checked.
        listed: Whether the registry lists it (then it must not be called).
        registry: Which registry (``"national"``, ``"TPS"``, ``"Robinson"``…).
    """

    phone: str
    checked_at: datetime
    listed: bool
    registry: str = "national"

    def __attrs_post_init__(self) -> None:
        with Checker("RegistryCheck") as c:
            c.check(
                isinstance(self.phone, str) and bool(_E164(self.phone)),
                "phone",
                self.phone,
                "must be in E.164 form ('+4930901820')",
            )
            c.aware(self.checked_at, "checked_at")
            c.instance(self.listed, bool, "listed")
            c.text(self.registry, "registry")


@register_type
@attrs.frozen(kw_only=True)
class ContactPolicy:
    """The company's rules for contacting people.

    Attributes:
        calling_hours: Local ``(start, end)`` in the person's zone in which
            calls and text messages are allowed (08:00–21:00 by default).
        opt_in_channels: Channels that need granted consent; on the others
            an unknown consent is enough (a withdrawn one never is).
        registry_max_age: How old a registry check of a number may be before
            the number must not be called; ``None`` needs no check.
    """

    calling_hours: tuple[time, time] = (time(8), time(21))
    opt_in_channels: frozenset[Channel] = frozenset({Channel.EMAIL, Channel.SMS})
    registry_max_age: timedelta | None = timedelta(days=31)

    def __attrs_post_init__(self) -> None:
        with Checker("ContactPolicy") as c:
            h = self.calling_hours
            c.check(
                isinstance(h, tuple)
                and len(h) == 2
                and all(isinstance(t, time) and t.tzinfo is None for t in h)
                and h[0] < h[1],
                "calling_hours",
                h,
                "must be a (start, end) pair of local times, start before end",
            )
            c.check(
                isinstance(self.opt_in_channels, frozenset)
                and all(isinstance(ch, Channel) for ch in self.opt_in_channels),
                "opt_in_channels",
                self.opt_in_channels,
                "must be a frozenset of Channel",
            )
            age = self.registry_max_age
            c.check(
                age is None or (isinstance(age, timedelta) and age > timedelta(0)),
                "registry_max_age",
                age,
                "must be a positive timedelta or None",
            )


@attrs.frozen
class Decision:
    """Whether a person may be contacted, and why.

    Attributes:
        allowed: Whether the contact may happen.
        reasons: Every reason, for and against, in the order checked.
        refusals: The reasons against (empty when allowed).
    """

    allowed: bool
    reasons: tuple[str, ...]
    refusals: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        raise TypeError("use Decision.allowed, not the Decision itself, as a truth value")


_TIMED: Final = frozenset({Channel.PHONE, Channel.SMS})


@lru_cache(maxsize=4096)
def _zones_for_number(phone: str) -> tuple[str, ...]:
    try:
        import phonenumbers
        from phonenumbers import timezone as pn_timezone
    except ImportError:
        raise ImportError(
            "finding a number's time zone needs the optional 'phonenumbers' package: "
            "pip install 'salescore[phone]'"
        ) from None
    try:
        parsed = phonenumbers.parse(phone, None)
    except phonenumbers.NumberParseException:
        return ()
    return tuple(z for z in pn_timezone.time_zones_for_number(parsed) if z != "Etc/Unknown")


def person_zone(party: Lead | Contact) -> tuple[str | None, str]:
    """The person's time zone and where it came from.

    The record's ``time_zone`` if it has one; else the zone of its phone
    number's region when ``phonenumbers``' time-zone data gives exactly one.

    Returns:
        ``(zone, explanation)``; the zone is ``None`` when it is unknown.
    """
    if party.time_zone is not None:
        return party.time_zone, f"time zone {party.time_zone} from the record"
    phone = party.phone
    if phone is None:
        return None, "time zone unknown: no zone on the record and no phone number"
    zones = _zones_for_number(phone)
    if len(zones) == 1:
        return zones[0], f"time zone {zones[0]} from the phone number {phone}"
    if not zones:
        return None, f"time zone unknown: the number {phone} gives no zone"
    return None, (
        f"time zone unknown: the number {phone} spans {len(zones)} zones "
        f"({', '.join(zones[:3])}{'…' if len(zones) > 3 else ''})"
    )


def can_contact(
    party: Lead | Contact,
    channel: Channel | str,
    *,
    at: datetime,
    purpose: Purpose | str = Purpose.SALES,
    consent: ConsentRecord | None = None,
    lists: DoNotContactList | None = None,
    registry: Mapping[str, RegistryCheck] | None = None,
    policy: ContactPolicy | None = None,
) -> Decision:
    """Decide whether ``party`` may be contacted on ``channel`` at ``at``.

    Checked, every one, in this order: an objection to direct marketing; the
    consent for the channel and purpose (withdrawn refuses; unknown refuses
    on an opt-in channel); an address or number to use; the company's
    do-not-contact list; for calls, the registry check and its age; for calls
    and text messages, the local time in the person's zone against the
    calling hours (a zone that is unknown refuses).

    Args:
        party: The lead or contact.
        channel: The channel (phone, email, sms, social…).
        at: The instant of the contact.
        purpose: Why (sales by default).
        consent: The person's consent record, if any.
        lists: The company's do-not-contact list.
        registry: Phone number → its latest registry check.
        policy: The rules; :class:`ContactPolicy` defaults if ``None``.

    Returns:
        The decision with every reason.

    Raises:
        ValidationError: a bad channel, purpose or ``at``.
    """
    with Checker("can_contact") as c:
        ch = c.member(Channel, channel, "channel", default=channel)
        pu = c.member(Purpose, purpose, "purpose", default=purpose)
        c.aware(at, "at")
        c.check(isinstance(party, Lead | Contact), "party", party, "must be a Lead or a Contact")
    pol = policy or ContactPolicy()
    reasons: list[str] = []
    refusals: list[str] = []

    def no(why: str) -> None:
        reasons.append(why)
        refusals.append(why)

    if consent is not None and consent.party != party.ref:
        fail("consent", consent.party, f"belongs to another person, not {party.ref}")
    # 1. The objection to direct marketing outweighs everything.
    if pu in DIRECT_MARKETING:
        if consent is not None and consent.objected_at is not None and consent.objected_at <= at:
            no(f"objected to direct marketing (GDPR art. 21) on {consent.objected_at.isoformat()}")
        else:
            reasons.append("no objection to direct marketing")
    # 2. Consent for the channel and purpose.
    entry = consent.entry(ch, pu) if consent is not None else None
    if entry is not None and entry.at > at:
        entry = None
    status = ConsentStatus.UNKNOWN if entry is None else entry.status
    if status is ConsentStatus.WITHDRAWN:
        assert entry is not None
        when = entry.at.isoformat()
        no(f"{ch.value} consent for {pu.value} withdrawn on {when} ({entry.method})")
    elif status is ConsentStatus.GRANTED:
        assert entry is not None
        reasons.append(
            f"{ch.value} consent for {pu.value} granted on {entry.at.isoformat()} ({entry.method})"
        )
    elif ch in pol.opt_in_channels:
        no(f"{ch.value} needs consent for {pu.value} and none is recorded")
    else:
        reasons.append(f"no {ch.value} consent recorded for {pu.value}; {ch.value} is not opt-in")
    # 3. An address or number, and the company's own list.
    if ch == Channel.EMAIL:
        email = party.email
        if email is None:
            no("no e-mail address")
        elif lists is not None and lists.blocks_email(email):
            no(f"{email} is on the do-not-email list")
        else:
            reasons.append(f"{email} is not on the do-not-email list")
    elif ch in _TIMED:
        phone = party.phone
        if phone is None:
            no("no phone number")
        else:
            if lists is not None and lists.blocks_phone(phone):
                no(f"{phone} is on the do-not-call list")
            else:
                reasons.append(f"{phone} is not on the do-not-call list")
            if ch == Channel.PHONE and pol.registry_max_age is not None:
                check = (registry or {}).get(phone)
                if check is None or check.checked_at > at:
                    no(f"{phone} was never checked against a do-not-call registry")
                elif at - check.checked_at > pol.registry_max_age:
                    no(
                        f"{phone} was last checked against the {check.registry} registry on "
                        f"{check.checked_at.date().isoformat()}, more than "
                        f"{pol.registry_max_age.days} days ago"
                    )
                elif check.listed:
                    no(f"{phone} is listed in the {check.registry} do-not-call registry")
                else:
                    reasons.append(
                        f"{phone} is not in the {check.registry} registry "
                        f"(checked {check.checked_at.date().isoformat()})"
                    )
        # 4. Calling hours in the person's zone.
        zone, how = person_zone(party)
        if zone is None:
            no(how)
        else:
            local = at.astimezone(ZoneInfo(zone))
            start, end = pol.calling_hours
            hours = f"{start.strftime('%H:%M')}–{end.strftime('%H:%M')}"
            if start <= local.time().replace(tzinfo=None) < end:
                reasons.append(f"{local.strftime('%H:%M')} local is within {hours} ({how})")
            else:
                no(f"{local.strftime('%H:%M')} local is outside {hours} ({how})")
    return Decision(not refusals, tuple(reasons), tuple(refusals))


def apply_interaction(
    consent: ConsentRecord, interaction: Interaction, *, actor: str | None = None
) -> ConsentRecord:
    """Update consent from what a person said or did, at once.

    * a call with disposition ``do_not_call``: phone consent withdrawn for
      every direct-marketing purpose;
    * a call with disposition ``not_interested``: phone consent for sales withdrawn;
    * an e-mail event ``unsubscribed``: e-mail consent withdrawn for every
      direct-marketing purpose.

    Args:
        consent: The person's consent record.
        interaction: The interaction (with this person).
        actor: Who records the change (the interaction's actor by default).

    Returns:
        The updated record (unchanged for any other interaction).

    Raises:
        ValidationError: the interaction is with someone else.
    """
    if interaction.party is not None and interaction.party != consent.party:
        fail("interaction.party", interaction.party, f"is not {consent.party}")
    who = actor or interaction.actor
    changes: list[tuple[Channel, Purpose, str]] = []
    kind = interaction.kind
    if interaction.channel == Channel.PHONE and kind == CallDisposition.DO_NOT_CALL:
        changes = [(Channel.PHONE, p, "call_disposition") for p in sorted(DIRECT_MARKETING)]
    elif interaction.channel == Channel.PHONE and kind == CallDisposition.NOT_INTERESTED:
        changes = [(Channel.PHONE, Purpose.SALES, "call_disposition")]
    elif interaction.channel == Channel.EMAIL and kind == EmailEventKind.UNSUBSCRIBED:
        changes = [(Channel.EMAIL, p, "unsubscribe") for p in sorted(DIRECT_MARKETING)]
    for ch, pu, method in changes:
        consent = consent.withdraw(
            ch, pu, at=interaction.at, actor=who, method=method, source=interaction.id
        )
    return consent


def carry_restrictions(
    into: ConsentRecord, source: ConsentRecord, *, at: datetime, actor: str
) -> ConsentRecord:
    """Copy another record's withdrawals and objection onto ``into`` (for merges).

    When two records turn out to be one person, whatever that person refused
    through either record must hold for the survivor: every withdrawn
    consent and the objection to direct marketing of ``source`` are recorded
    on ``into`` (method ``"merge"``, source ``source``'s party id) unless
    ``into`` already has them. Grants are never copied: consent given
    through one record does not authorise contact through another. Undoing
    a merge leaves these restrictions in place, which errs on the side of
    not contacting.

    Args:
        into: The survivor's consent record.
        source: The merged-away record's consent record.
        at: When.
        actor: Who.

    Returns:
        ``into`` with the restrictions it lacked.
    """
    result = into
    for e in source.entries:
        if e.status is ConsentStatus.WITHDRAWN and into.status(e.channel, e.purpose) is not (
            ConsentStatus.WITHDRAWN
        ):
            result = result.withdraw(
                e.channel, e.purpose, at=at, actor=actor, method="merge", source=source.party.id
            )
    if source.objected and not into.objected:
        result = result.object_to_direct_marketing(
            at=at, actor=actor, method="merge", source=source.party.id
        )
    return result
