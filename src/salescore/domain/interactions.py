"""Interactions: immutable records of every touch with a lead, contact or account.

An :class:`Interaction` is a fact, not an aggregate: it never changes, so it
has no history, only its own ``id``, ``at`` and ``actor``. It says which
channel and direction, when and for how long, who (a
:class:`~salescore.domain.parties.PartyRef`) and what it was about (account,
opportunity, case and campaign ids), which rep, and what came of it:

* ``kind``: one word, always present, that rules filter on — for an email
  the :class:`EmailEventKind` (``"sent"``, ``"opened"``, ``"clicked"``…),
  for a call its :class:`CallDisposition`, for a meeting its
  :class:`MeetingStatus`, for a web visit ``"visit"``, otherwise ``"touch"``;
* ``outcome``: the typed details — a :class:`CallOutcome` (disposition and,
  separately, :class:`Sentiment`) or a :class:`MeetingOutcome`.

Email engagement is a series of records sharing a ``message_id``, one per
event (sent, delivered, opened, clicked, replied, bounced, unsubscribed), so
"3 clicks in 14 days" is a count over records::

    count_interactions(xs, channel="email", kind="clicked", since=at - timedelta(days=14))
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar, Final

import attrs

from salescore._codegen import slot_builder
from salescore._validation import Checker, is_aware, to_member
from salescore.domain._rule_schemas import RuleSchemaHook
from salescore.domain.parties import PartyRef
from salescore.serialization import register_polymorphic, register_type

__all__ = [
    "CallDisposition",
    "CallOutcome",
    "Channel",
    "Direction",
    "EmailEventKind",
    "Interaction",
    "MeetingOutcome",
    "MeetingStatus",
    "Outcome",
    "Sentiment",
    "count_interactions",
    "filter_interactions",
    "timeline",
]


class Channel(enum.StrEnum):
    """How a touch happened."""

    PHONE = "phone"
    EMAIL = "email"
    MEETING = "meeting"
    VIDEO = "video"
    CHAT = "chat"
    SMS = "sms"
    SOCIAL = "social"
    WEB_VISIT = "web_visit"
    EVENT = "event"
    AD = "ad"
    DIRECT_MAIL = "direct_mail"


class Direction(enum.StrEnum):
    """Who started it: the party (inbound) or we (outbound)."""

    INBOUND = "inbound"
    OUTBOUND = "outbound"


class CallDisposition(enum.StrEnum):
    """What happened on a call."""

    NO_ANSWER = "no_answer"
    BUSY = "busy"
    VOICEMAIL_LEFT = "voicemail_left"
    WRONG_NUMBER = "wrong_number"
    GATEKEEPER = "gatekeeper"
    CONNECTED = "connected"
    CALLBACK_REQUESTED = "callback_requested"
    MEETING_BOOKED = "meeting_booked"
    NOT_INTERESTED = "not_interested"
    DO_NOT_CALL = "do_not_call"


#: Dispositions in which we spoke to the person.
CONVERSATIONS: Final = frozenset(
    {
        CallDisposition.CONNECTED,
        CallDisposition.CALLBACK_REQUESTED,
        CallDisposition.MEETING_BOOKED,
        CallDisposition.NOT_INTERESTED,
        CallDisposition.DO_NOT_CALL,
    }
)


class Sentiment(enum.StrEnum):
    """How the person came across, on a five-point scale.

    :attr:`score` maps it to -2 … +2 for analytics.
    """

    VERY_NEGATIVE = "very_negative"
    NEGATIVE = "negative"
    NEUTRAL = "neutral"
    POSITIVE = "positive"
    VERY_POSITIVE = "very_positive"

    @property
    def score(self) -> int:
        """-2 (very negative) to +2 (very positive)."""
        return _SENTIMENT_SCORES[self]


_SENTIMENT_SCORES: Final = {s: i - 2 for i, s in enumerate(Sentiment)}


class EmailEventKind(enum.StrEnum):
    """One event in an email's life."""

    SENT = "sent"
    DELIVERED = "delivered"
    OPENED = "opened"
    CLICKED = "clicked"
    REPLIED = "replied"
    BOUNCED = "bounced"
    UNSUBSCRIBED = "unsubscribed"


class MeetingStatus(enum.StrEnum):
    """What became of a meeting."""

    SCHEDULED = "scheduled"
    HELD = "held"
    NO_SHOW = "no_show"
    RESCHEDULED = "rescheduled"
    CANCELLED = "cancelled"


@register_polymorphic
@attrs.frozen(kw_only=True)
class Outcome:
    """Base of the typed outcomes of an interaction."""


@register_type
@attrs.frozen(kw_only=True)
class CallOutcome(Outcome):
    """The outcome of a call.

    Attributes:
        disposition: What happened.
        sentiment: How the person came across, if we spoke.

    Raises:
        ValidationError: a bad disposition or sentiment.
    """

    disposition: CallDisposition
    sentiment: Sentiment | None = None

    def __attrs_post_init__(self) -> None:
        if type(self.disposition) is CallDisposition and (
            self.sentiment is None or type(self.sentiment) is Sentiment
        ):
            return  # the common case: nothing the checks below could refuse
        with Checker("CallOutcome") as c:
            c.instance(self.disposition, CallDisposition, "disposition")
            c.instance(self.sentiment, Sentiment, "sentiment", optional=True)

    @property
    def reached(self) -> bool:
        """Whether we spoke to the person."""
        return self.disposition in CONVERSATIONS


@register_type
@attrs.frozen(kw_only=True)
class MeetingOutcome(Outcome):
    """The outcome of a meeting (in person or video).

    Attributes:
        status: Scheduled, held, no-show, rescheduled or cancelled.
        sentiment: How it went, if it was held.
        rescheduled_to: The new time, when rescheduled.

    Raises:
        ValidationError: bad values, or ``rescheduled_to`` without
            ``status == rescheduled``.
    """

    status: MeetingStatus
    sentiment: Sentiment | None = None
    rescheduled_to: datetime | None = None

    def __attrs_post_init__(self) -> None:
        with Checker("MeetingOutcome") as c:
            c.instance(self.status, MeetingStatus, "status")
            c.instance(self.sentiment, Sentiment, "sentiment", optional=True)
            c.aware(self.rescheduled_to, "rescheduled_to", optional=True)
            if self.rescheduled_to is not None:
                c.check(
                    self.status == MeetingStatus.RESCHEDULED,
                    "rescheduled_to",
                    self.rescheduled_to,
                    "only a rescheduled meeting has a new time",
                )


_EMAIL_KINDS: Final = frozenset(k.value for k in EmailEventKind)
_EMAIL_DIRECTIONS: Final = {
    EmailEventKind.REPLIED: Direction.INBOUND,
    EmailEventKind.UNSUBSCRIBED: Direction.INBOUND,
}


@register_type
@attrs.frozen(kw_only=True)
class Interaction:
    """An immutable record of one touchpoint.

    Build one with the constructors :meth:`call`, :meth:`email`,
    :meth:`meeting`, :meth:`web_visit` and :meth:`touch`, or directly.

    Attributes:
        id: The interaction's id.
        at: When it started (timezone-aware).
        actor: Who or what recorded it (a rep, a system name).
        channel: How.
        direction: Inbound or outbound.
        kind: The one-word result rules filter on (see the module docs).
        duration: How long, if it lasted.
        party: The lead or contact it was with.
        account_id: The account it concerned.
        opportunity_id: The deal it concerned.
        case_id: The service case it concerned.
        campaign_id: The campaign it belongs to.
        rep_id: The rep who had it.
        subject: A subject line or title.
        notes: Free text.
        message_id: The email's message id (all events of one email share it).
        url: The page visited or the link clicked.
        outcome: The typed outcome (calls and meetings).

    Raises:
        ValidationError: every bad field at once; also an outcome that does
            not fit the channel, an email without ``message_id`` or with a
            ``kind`` that is not an :class:`EmailEventKind`, and a call
            whose ``kind`` differs from its disposition.
    """

    __rule_schema__: ClassVar[RuleSchemaHook] = RuleSchemaHook()

    id: str
    at: datetime
    actor: str
    channel: Channel
    direction: Direction
    kind: str
    duration: timedelta | None = None
    party: PartyRef | None = None
    account_id: str | None = None
    opportunity_id: str | None = None
    case_id: str | None = None
    campaign_id: str | None = None
    rep_id: str | None = None
    subject: str | None = None
    notes: str | None = None
    message_id: str | None = None
    url: str | None = None
    outcome: Outcome | None = None

    def __attrs_post_init__(self) -> None:
        if isinstance(self.kind, enum.Enum):
            object.__setattr__(self, "kind", self.kind.value)
        if _is_plain(self):
            return
        with Checker("Interaction") as c:
            c.text(self.id, "id")
            c.aware(self.at, "at")
            c.text(self.actor, "actor")
            c.instance(self.channel, Channel, "channel")
            c.instance(self.direction, Direction, "direction")
            c.text(self.kind, "kind")
            c.duration(self.duration, "duration", optional=True)
            c.instance(self.party, PartyRef, "party", optional=True)
            for name in (
                "account_id",
                "opportunity_id",
                "case_id",
                "campaign_id",
                "rep_id",
                "message_id",
            ):
                c.text(getattr(self, name), name, optional=True)
            for name in ("subject", "notes", "url"):
                c.text(getattr(self, name), name, optional=True, empty=True)
            c.instance(self.outcome, Outcome, "outcome", optional=True)
            ch = self.channel
            if ch == Channel.EMAIL:
                c.check(
                    self.message_id is not None,
                    "message_id",
                    None,
                    "an email interaction needs the message id",
                )
                c.check(
                    self.kind in _EMAIL_KINDS,
                    "kind",
                    self.kind,
                    "an email's kind is an EmailEventKind "
                    f"({', '.join(k.value for k in EmailEventKind)})",
                )
            if isinstance(self.outcome, CallOutcome):
                c.check(
                    ch == Channel.PHONE,
                    "outcome",
                    self.outcome,
                    "a call outcome belongs to a phone interaction",
                )
                c.check(
                    self.kind == self.outcome.disposition.value,
                    "kind",
                    self.kind,
                    f"a call's kind is its disposition ({self.outcome.disposition.value})",
                )
            if isinstance(self.outcome, MeetingOutcome):
                c.check(
                    ch in (Channel.MEETING, Channel.VIDEO),
                    "outcome",
                    self.outcome,
                    "a meeting outcome belongs to a meeting or video interaction",
                )
                c.check(
                    self.kind == self.outcome.status.value,
                    "kind",
                    self.kind,
                    f"a meeting's kind is its status ({self.outcome.status.value})",
                )

    # --- constructors -------------------------------------------------------------

    @classmethod
    def call(
        cls,
        *,
        id: str,
        at: datetime,
        actor: str,
        disposition: CallDisposition | str,
        sentiment: Sentiment | str | None = None,
        direction: Direction | str = Direction.OUTBOUND,
        duration: timedelta | None = None,
        **about: Any,
    ) -> Interaction:
        """Record a phone call.

        Args:
            id: The interaction's id.
            at: When the call started.
            actor: Who recorded it.
            disposition: What happened (``"connected"``, ``"voicemail_left"``…).
            sentiment: How the person came across.
            direction: Outbound (default) or inbound.
            duration: How long it lasted.
            **about: Any other field: ``party``, ``account_id``, ``rep_id``,
                ``notes``…

        Returns:
            The interaction; its ``kind`` is the disposition.

        Raises:
            ValidationError: bad values.
        """
        # Members (or their exact values) and plain fields: built at once, when the
        # result is what the constructor would make; anything else is checked in full.
        if (
            cls is Interaction
            and type(direction) is Direction
            and (sentiment is None or type(sentiment) is Sentiment)
            and _CALL_EXTRAS.issuperset(about)
        ):
            member = _DISPOSITIONS.get(disposition) if type(disposition) in _CALL_TEXT else None
            if member is not None and _plain_given(id, actor, at, duration, about):
                return _build(
                    id=id,
                    at=at,
                    actor=actor,
                    channel=Channel.PHONE,
                    direction=direction,
                    kind=member.value,
                    duration=duration,
                    outcome=_call_outcome(member, sentiment),
                    **about,
                )
        return cls._checked_call(
            id=id,
            at=at,
            actor=actor,
            disposition=disposition,
            sentiment=sentiment,
            direction=direction,
            duration=duration,
            **about,
        )

    @classmethod
    def _checked_call(
        cls,
        *,
        id: str,
        at: datetime,
        actor: str,
        disposition: CallDisposition | str,
        sentiment: Sentiment | str | None,
        direction: Direction | str,
        duration: timedelta | None,
        **about: Any,
    ) -> Interaction:
        """:meth:`call` through the constructor and all its checks."""
        outcome = _call_outcome(
            _enum(CallDisposition, disposition, "disposition"),
            _enum(Sentiment, sentiment, "sentiment"),
        )
        return cls(
            id=id,
            at=at,
            actor=actor,
            channel=Channel.PHONE,
            direction=_enum(Direction, direction, "direction"),
            kind=outcome.disposition.value,
            duration=duration,
            outcome=outcome,
            **about,
        )

    @classmethod
    def email(
        cls,
        *,
        id: str,
        at: datetime,
        actor: str,
        message_id: str,
        kind: EmailEventKind | str = EmailEventKind.SENT,
        direction: Direction | str | None = None,
        **about: Any,
    ) -> Interaction:
        """Record one event of an email (sent, opened, clicked, replied…).

        Args:
            id: The interaction's id.
            at: When the event happened.
            actor: Who or what recorded it (often the email system).
            message_id: The email's message id, shared by all its events.
            kind: Which event.
            direction: Defaults to inbound for replies and unsubscribes,
                outbound otherwise.
            **about: Any other field: ``party``, ``campaign_id``, ``url`` (of
                a clicked link), ``subject``…

        Returns:
            The interaction.

        Raises:
            ValidationError: bad values.
        """
        if (
            cls is Interaction
            and (direction is None or type(direction) is Direction)
            and _EMAIL_EXTRAS.issuperset(about)
        ):
            member = _EMAIL_EVENTS.get(kind) if type(kind) in _EMAIL_TEXT else None
            if (
                member is not None
                and type(message_id) is str
                and message_id.isprintable()
                and message_id
                and not message_id.isspace()
                and _plain_given(id, actor, at, None, about)
            ):
                return _build(
                    id=id,
                    at=at,
                    actor=actor,
                    channel=Channel.EMAIL,
                    direction=(
                        _EMAIL_DIRECTIONS.get(member, Direction.OUTBOUND)
                        if direction is None
                        else direction
                    ),
                    kind=member.value,
                    message_id=message_id,
                    **about,
                )
        return cls._checked_email(
            id=id,
            at=at,
            actor=actor,
            message_id=message_id,
            kind=kind,
            direction=direction,
            **about,
        )

    @classmethod
    def _checked_email(
        cls,
        *,
        id: str,
        at: datetime,
        actor: str,
        message_id: str,
        kind: EmailEventKind | str,
        direction: Direction | str | None,
        **about: Any,
    ) -> Interaction:
        """:meth:`email` through the constructor and all its checks."""
        k = _enum(EmailEventKind, kind, "kind")
        if direction is None:
            d = _EMAIL_DIRECTIONS.get(k, Direction.OUTBOUND)
        else:
            d = _enum(Direction, direction, "direction")
        return cls(
            id=id,
            at=at,
            actor=actor,
            channel=Channel.EMAIL,
            direction=d,
            kind=k.value,
            message_id=message_id,
            **about,
        )

    @classmethod
    def meeting(
        cls,
        *,
        id: str,
        at: datetime,
        actor: str,
        status: MeetingStatus | str = MeetingStatus.HELD,
        sentiment: Sentiment | str | None = None,
        video: bool = False,
        duration: timedelta | None = None,
        rescheduled_to: datetime | None = None,
        direction: Direction | str = Direction.OUTBOUND,
        **about: Any,
    ) -> Interaction:
        """Record a meeting (``video=True`` for a video call).

        Args:
            id: The interaction's id.
            at: When it was (or was to be) held.
            actor: Who recorded it.
            status: Held, no-show, rescheduled…
            sentiment: How it went.
            video: A video meeting rather than in person.
            duration: How long it lasted.
            rescheduled_to: The new time, when rescheduled.
            direction: Who asked for it.
            **about: Any other field.

        Returns:
            The interaction; its ``kind`` is the status.

        Raises:
            ValidationError: bad values.
        """
        # As for calls: members (or their exact values) and plain fields are built at
        # once, when the result is what the constructor would make.
        if (
            cls is Interaction
            and rescheduled_to is None
            and type(direction) is Direction
            and (sentiment is None or type(sentiment) is Sentiment)
            and _MEETING_EXTRAS.issuperset(about)
        ):
            member = _MEETING_STATUSES.get(status) if type(status) in _MEETING_TEXT else None
            if member is not None and _plain_given(id, actor, at, duration, about):
                return _build(
                    id=id,
                    at=at,
                    actor=actor,
                    channel=Channel.VIDEO if video else Channel.MEETING,
                    direction=direction,
                    kind=member.value,
                    duration=duration,
                    outcome=_meeting_outcome(member, sentiment),
                    **about,
                )
        return cls._checked_meeting(
            id=id,
            at=at,
            actor=actor,
            status=status,
            sentiment=sentiment,
            video=video,
            duration=duration,
            rescheduled_to=rescheduled_to,
            direction=direction,
            **about,
        )

    @classmethod
    def _checked_meeting(
        cls,
        *,
        id: str,
        at: datetime,
        actor: str,
        status: MeetingStatus | str,
        sentiment: Sentiment | str | None,
        video: bool,
        duration: timedelta | None,
        rescheduled_to: datetime | None,
        direction: Direction | str,
        **about: Any,
    ) -> Interaction:
        """:meth:`meeting` through the constructor and all its checks."""
        held: MeetingStatus = _enum(MeetingStatus, status, "status")
        felt: Sentiment | None = _enum(Sentiment, sentiment, "sentiment")
        if rescheduled_to is None:
            outcome = _meeting_outcome(held, felt)
        else:
            outcome = MeetingOutcome(status=held, sentiment=felt, rescheduled_to=rescheduled_to)
        return cls(
            id=id,
            at=at,
            actor=actor,
            channel=Channel.VIDEO if video else Channel.MEETING,
            direction=_enum(Direction, direction, "direction"),
            kind=outcome.status.value,
            duration=duration,
            outcome=outcome,
            **about,
        )

    @classmethod
    def web_visit(cls, *, id: str, at: datetime, actor: str, url: str, **about: Any) -> Interaction:
        """Record a visit to a web page (inbound; ``kind`` is ``"visit"``).

        Returns:
            The interaction.
        """
        return cls(
            id=id,
            at=at,
            actor=actor,
            channel=Channel.WEB_VISIT,
            direction=Direction.INBOUND,
            kind="visit",
            url=url,
            **about,
        )

    @classmethod
    def touch(
        cls,
        *,
        id: str,
        at: datetime,
        actor: str,
        channel: Channel | str,
        direction: Direction | str,
        kind: str = "touch",
        **about: Any,
    ) -> Interaction:
        """Record any other touch (chat, SMS, social, event, ad, direct mail…).

        Returns:
            The interaction.
        """
        return cls(
            id=id,
            at=at,
            actor=actor,
            channel=_enum(Channel, channel, "channel"),
            direction=_enum(Direction, direction, "direction"),
            kind=kind,
            **about,
        )

    # --- queries -------------------------------------------------------------------

    @property
    def email_event(self) -> EmailEventKind | None:
        """The email event, for an email interaction."""
        return EmailEventKind(self.kind) if self.channel == Channel.EMAIL else None

    @property
    def ended_at(self) -> datetime:
        """When it ended (``at`` plus the duration, if any)."""
        return self.at + self.duration if self.duration is not None else self.at


def _enum(cls: type[Any], value: Any, path: str) -> Any:
    return value if value is None else to_member(cls, value, path)


_ZERO: Final = timedelta(0)
_CALL_OUTCOMES: Final[dict[tuple[Any, Any], CallOutcome]] = {}


def _call_outcome(disposition: Any, sentiment: Any) -> CallOutcome:
    """``CallOutcome(disposition=…, sentiment=…)``, one shared value per pair of members.

    An outcome is an immutable value, so calls with the same disposition and
    sentiment can hold the same one (fewer objects for the garbage collector
    to visit); anything else is built, and checked, afresh.
    """
    key = (disposition, sentiment)
    if type(disposition) is CallDisposition and (sentiment is None or type(sentiment) is Sentiment):
        found = _CALL_OUTCOMES.get(key)
        if found is None:
            found = _CALL_OUTCOMES[key] = CallOutcome(disposition=disposition, sentiment=sentiment)
        return found
    return CallOutcome(disposition=disposition, sentiment=sentiment)


_MEETING_OUTCOMES: Final[dict[tuple[Any, Any], MeetingOutcome]] = {}


def _meeting_outcome(status: Any, sentiment: Any) -> MeetingOutcome:
    """``MeetingOutcome(status=…, sentiment=…)``, one shared value per pair of members.

    As for calls (:func:`_call_outcome`): an outcome without a new time is
    an immutable value that meetings can share; anything else is built,
    and checked, afresh.
    """
    if type(status) is MeetingStatus and (sentiment is None or type(sentiment) is Sentiment):
        key = (status, sentiment)
        found = _MEETING_OUTCOMES.get(key)
        if found is None:
            found = _MEETING_OUTCOMES[key] = MeetingOutcome(status=status, sentiment=sentiment)
        return found
    return MeetingOutcome(status=status, sentiment=sentiment)


def _is_plain(i: Interaction) -> bool:
    """The cheap check of the common case: every field valid as it is, and nothing to seal.

    Stricter than the detailed checks of ``Interaction.__attrs_post_init__``
    (an empty subject, or text that is not printable, say, is left to them):
    ``True`` only when they would find nothing wrong. A printable string
    holds no control character or lone surrogate, so it is good one-line
    text unless it is empty or blank (as :func:`~salescore._validation.line_ok`
    decides it).
    """
    at, kind, channel, outcome, duration = i.at, i.kind, i.channel, i.outcome, i.duration
    for word in (i.id, i.actor, kind):
        if not (type(word) is str and word.isprintable() and word and not word.isspace()):
            return False
    if not (
        type(at) is datetime
        and (at.tzinfo is UTC or (at.tzinfo is not None and is_aware(at)))
        and type(channel) is Channel
        and type(i.direction) is Direction
        and (duration is None or (type(duration) is timedelta and duration >= _ZERO))
        and (i.party is None or type(i.party) is PartyRef)
    ):
        return False
    for text in (
        i.account_id,
        i.opportunity_id,
        i.case_id,
        i.campaign_id,
        i.rep_id,
        i.message_id,
        i.subject,
        i.notes,
        i.url,
    ):
        if text is not None and not (
            type(text) is str and text.isprintable() and text and not text.isspace()
        ):
            return False
    if channel is Channel.EMAIL and (i.message_id is None or kind not in _EMAIL_KINDS):
        return False
    if outcome is None:
        return True
    if type(outcome) is CallOutcome:
        return channel is Channel.PHONE and kind == outcome.disposition.value
    if type(outcome) is MeetingOutcome:
        return channel in (Channel.MEETING, Channel.VIDEO) and kind == outcome.status.value
    return False


def _plain_given(id: Any, actor: Any, at: Any, duration: Any, about: dict[str, Any]) -> bool:
    """:func:`_is_plain` of what a fast constructor builds from these, with ``at`` in UTC.

    The fast paths of :meth:`Interaction.call`, :meth:`Interaction.email` and
    :meth:`Interaction.meeting` make the channel, the direction, the kind and the
    outcome themselves, as members that fit together (and an email's message id,
    which the caller of this checks); what is left to look at is what the caller
    gave: ``id`` and ``actor`` (one-line words), ``at`` (a datetime in UTC), the
    ``duration`` and the optional fields in ``about``, each ``None`` or a valid
    value of its field (no outcome: those of the fast paths are their own).
    """
    for word in (id, actor):
        if not (type(word) is str and word.isprintable() and word and not word.isspace()):
            return False
    if not (type(at) is datetime and at.tzinfo is UTC):
        return False
    if duration is not None and not (type(duration) is timedelta and duration >= _ZERO):
        return False
    for name, value in about.items():
        if value is None:
            continue
        if name == "party":
            if type(value) is not PartyRef:
                return False
        elif name == "duration":
            if not (type(value) is timedelta and value >= _ZERO):
                return False
        elif name == "outcome" or not (
            type(value) is str and value.isprintable() and value and not value.isspace()
        ):
            return False
    return True


#: ``build(**fields)``: an :class:`Interaction` made without its constructor, the
#: fields set as they are (the defaults as the class's): what the constructor would
#: make from them only when :func:`_is_plain` accepts the result and ``at`` is in UTC
#: (which :func:`_plain_given` tells from the parts, for the fast constructors).
_build: Final = slot_builder(Interaction, defaults=True)
_CALL_TEXT: Final = frozenset({str, CallDisposition})
_EMAIL_TEXT: Final = frozenset({str, EmailEventKind})
#: The members by value and by themselves (what ``to_member`` finds for an exact str or member).
_DISPOSITIONS: Final[dict[Any, CallDisposition]] = {
    **{m.value: m for m in CallDisposition},
    **{m: m for m in CallDisposition},
}
_EMAIL_EVENTS: Final[dict[Any, EmailEventKind]] = {
    **{m.value: m for m in EmailEventKind},
    **{m: m for m in EmailEventKind},
}
_MEETING_TEXT: Final = frozenset({str, MeetingStatus})
_MEETING_STATUSES: Final[dict[Any, MeetingStatus]] = {
    **{m.value: m for m in MeetingStatus},
    **{m: m for m in MeetingStatus},
}
#: The fields ``**about`` may give :meth:`Interaction.call` and :meth:`Interaction.email`
#: on their fast paths (any other name takes the constructor, which refuses or accepts it).
_OPTIONAL: Final = frozenset(
    f.name for f in attrs.fields(Interaction) if f.default is not attrs.NOTHING
)
_CALL_EXTRAS: Final = _OPTIONAL - {"duration", "outcome"}
_EMAIL_EXTRAS: Final = _OPTIONAL - {"message_id"}
_MEETING_EXTRAS: Final = _OPTIONAL - {"duration", "outcome"}


def filter_interactions(
    interactions: Iterable[Interaction],
    *,
    channel: Channel | str | None = None,
    kind: str | Iterable[str] | None = None,
    direction: Direction | str | None = None,
    party: PartyRef | None = None,
    message_id: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> tuple[Interaction, ...]:
    """The interactions matching every criterion given, in their original order.

    Args:
        interactions: Any interactions.
        channel: Only this channel.
        kind: Only this kind (or any of these kinds).
        direction: Only this direction.
        party: Only with this lead or contact.
        message_id: Only the events of this email.
        since: Only at or after this instant.
        until: Only before this instant.

    Returns:
        The matches.
    """
    kinds: frozenset[str] | None = None
    if kind is not None:
        kinds = frozenset((kind,)) if isinstance(kind, str) else frozenset(kind)
    out = []
    for x in interactions:
        if channel is not None and x.channel != channel:
            continue
        if kinds is not None and x.kind not in kinds:
            continue
        if direction is not None and x.direction != direction:
            continue
        if party is not None and x.party != party:
            continue
        if message_id is not None and x.message_id != message_id:
            continue
        if since is not None and x.at < since:
            continue
        if until is not None and x.at >= until:
            continue
        out.append(x)
    return tuple(out)


def count_interactions(
    interactions: Iterable[Interaction],
    *,
    channel: Channel | str | None = None,
    kind: str | Iterable[str] | None = None,
    direction: Direction | str | None = None,
    party: PartyRef | None = None,
    message_id: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> int:
    """How many interactions match every criterion given.

    The arguments are those of :func:`filter_interactions`.

    Returns:
        The count.

    Example:
        "Three clicks in the last 14 days"::

            count_interactions(xs, channel="email", kind="clicked",
                               since=now - timedelta(days=14)) >= 3
    """
    return len(
        filter_interactions(
            interactions,
            channel=channel,
            kind=kind,
            direction=direction,
            party=party,
            message_id=message_id,
            since=since,
            until=until,
        )
    )


def timeline(
    interactions: Iterable[Interaction],
    parties: Iterable[PartyRef] | PartyRef | None = None,
) -> tuple[Interaction, ...]:
    """A party's interactions in time order (ties broken by id).

    Args:
        interactions: Any interactions.
        parties: Keep only those with this party, or any of these parties
            (pass a converted lead's ref and its contact's ref together to
            see the whole story); all when ``None``.

    Returns:
        The interactions, oldest first.
    """
    xs: Iterable[Interaction] = interactions
    if parties is not None:
        wanted = {parties} if isinstance(parties, PartyRef) else set(parties)
        xs = (x for x in interactions if x.party in wanted)
    return tuple(sorted(xs, key=lambda x: (x.at, x.id)))
