"""Hypothesis strategies for parties, leads, interactions, tasks, teams and custom fields."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any, TypeVar

from hypothesis import strategies as st

from salescore.domain.custom_fields import CustomField, CustomFieldSchema, FieldType
from salescore.domain.interactions import (
    CallDisposition,
    Channel,
    Direction,
    EmailEventKind,
    Interaction,
    MeetingStatus,
    Sentiment,
)
from salescore.domain.leads import Lead, LeadSource
from salescore.domain.parties import Account, Contact, PartyKind, PartyRef
from salescore.domain.tasks import Task, TaskKind, TaskPriority, TaskSubject, TaskSubjectKind
from salescore.domain.team import Queue, QueuePurpose, Rep, RepRole, Team
from salescore.money import Money
from salescore.testing._foundation import texts

__all__ = [
    "accounts",
    "contacts",
    "custom_field_schemas",
    "custom_fields_with_values",
    "emails",
    "interactions",
    "lead_sources",
    "leads",
    "party_refs",
    "phone_numbers",
    "queues",
    "reps",
    "task_subjects",
    "tasks",
    "teams",
]

T = TypeVar("T")

_LOCAL_CHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&'*+/=?^_`{|}~-"
_NAMES = ("Ana", "Ben", "Chloé", "Dmitri", "Eve", "Fatima", "Gao", "Hiro", "Ines", "José")
_COMPANIES = ("Acme", "Globex", "Initech", "Umbrella", "Hooli", "Stark Industries")
_INDUSTRIES = ("saas", "fintech", "retail", "manufacturing", "healthcare", "education")
_COUNTRIES = ("DE", "GB", "US", "FR", "ES", "NL", "JP", "BR")
_ZONES = ("Europe/Berlin", "Europe/London", "America/New_York", "Asia/Tokyo", "UTC")
_CUSTOM_SAMPLES: tuple[dict[str, Any], ...] = (
    {},
    {"budget": Decimal("12000")},
    {"newsletter": True},
)
_PHONES = ("+14155552671", "+442079460958", "+4930901820", "+33142685300", "+81312345678")


def _ids(prefix: str) -> st.SearchStrategy[str]:
    return st.integers(1, 10**6).map(lambda n: f"{prefix}-{n}")


def _instants() -> st.SearchStrategy[datetime]:
    return st.datetimes(
        min_value=datetime(2020, 1, 1),
        max_value=datetime(2030, 12, 31),
        timezones=st.sampled_from([UTC, timezone(timedelta(hours=2))]),
    )


@st.composite
def _domain_names(draw: st.DrawFn) -> str:
    label = st.from_regex(r"[a-z0-9](?:[a-z0-9-]{0,8}[a-z0-9])?", fullmatch=True).filter(
        lambda text: text[2:4] != "--"  # RFC 5890 keeps "ab--" for punycode labels
    )
    labels = draw(st.lists(label, min_size=1, max_size=3))
    tld = draw(st.sampled_from(["com", "io", "de", "co.uk", "xn--p1ai", "org"]))
    return ".".join([*labels, tld])


@st.composite
def emails(draw: st.DrawFn, *, messy: bool = False) -> str:
    """Generate valid email addresses.

    Args:
        messy: Also produce addresses that are valid but not normal: upper-case
            and international domains, surrounding spaces.

    Returns:
        A strategy of addresses that :func:`~salescore.domain.parties.normalize_email`
        accepts (and, unless ``messy``, returns unchanged).
    """
    atom = st.text(_LOCAL_CHARS, min_size=1, max_size=10)
    local = ".".join(draw(st.lists(atom, min_size=1, max_size=3)))
    domain = draw(_domain_names())
    if messy:
        if draw(st.booleans()):
            domain = domain.upper()
        if draw(st.booleans()):
            domain = draw(st.sampled_from(["bücher.de", "müller.example", "exämple.com"]))
        if draw(st.booleans()):
            return f"  {local}@{domain} "
    return f"{local}@{domain}"


def phone_numbers() -> st.SearchStrategy[str]:
    """Generate phone numbers in E.164 form (``+`` then 8 to 15 digits)."""
    return st.one_of(
        st.sampled_from(_PHONES),
        st.from_regex(r"\+[1-9][0-9]{7,14}", fullmatch=True),
    )


def party_refs() -> st.SearchStrategy[PartyRef]:
    """Generate references to leads and contacts."""
    return st.builds(
        lambda kind, n: PartyRef(kind, f"{kind.value}-{n}"),
        st.sampled_from(PartyKind),
        st.integers(1, 10**6),
    )


def lead_sources() -> st.SearchStrategy[LeadSource]:
    """Generate lead sources with some UTM fields."""
    opt = st.none() | st.sampled_from(["google", "cpc", "spring-2026", "crm", "banner-a"])
    return st.builds(
        LeadSource,
        channel=st.sampled_from(["paid_search", "organic", "webinar", "referral", "event"]),
        campaign_id=st.none() | _ids("campaign"),
        utm_source=opt,
        utm_medium=opt,
        utm_campaign=opt,
        utm_term=opt,
        utm_content=opt,
        referrer=st.none() | st.just("https://news.example.com/"),
    )


def _opt(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.none() | strategy


def _revenues() -> st.SearchStrategy[Money]:
    return st.builds(Money, st.integers(0, 10**9).map(Decimal), st.sampled_from(["EUR", "USD"]))


@st.composite
def custom_field_schemas(draw: st.DrawFn) -> CustomFieldSchema:
    """Generate custom field schemas with one to six fields of every type."""
    types = draw(st.lists(st.sampled_from(FieldType), min_size=1, max_size=6))
    fields = []
    for i, t in enumerate(types):
        choices: tuple[str, ...] = ()
        if t in (FieldType.CHOICE, FieldType.MULTI_CHOICE):
            choices = tuple(
                draw(
                    st.lists(
                        st.sampled_from(["a", "b", "c", "d"]), min_size=1, max_size=4, unique=True
                    )
                )
            )
        currency = draw(st.none() | st.just("EUR")) if t == FieldType.MONEY else None
        fields.append(
            CustomField(
                name=f"{t.value}_{i}",
                type=t,
                required=draw(st.booleans()),
                choices=choices,
                currency=currency,
            )
        )
    return CustomFieldSchema(tuple(fields))


def _value_for(field: CustomField) -> st.SearchStrategy[Any]:
    t = field.type
    if t == FieldType.TEXT:
        return texts(max_size=20, multiline=True)
    if t == FieldType.NUMBER:
        return (
            st.integers(-(10**6), 10**6)
            | st.decimals(min_value=-(10**6), max_value=10**6, places=2)
            | st.floats(-1e6, 1e6, allow_nan=False)
        )
    if t == FieldType.MONEY:
        currency = field.currency or "USD"
        return st.integers(0, 10**6).map(lambda n: Money(Decimal(n) / 100, currency))
    if t == FieldType.DATE:
        return st.dates(min_value=date(2000, 1, 1), max_value=date(2040, 1, 1))
    if t == FieldType.DATETIME:
        return _instants()
    if t == FieldType.CHOICE:
        return st.sampled_from(field.choices)
    if t == FieldType.MULTI_CHOICE:
        return st.frozensets(st.sampled_from(field.choices))
    return st.booleans()


@st.composite
def custom_fields_with_values(
    draw: st.DrawFn,
) -> tuple[CustomFieldSchema, dict[str, Any]]:
    """Generate a schema and values that satisfy it."""
    schema = draw(custom_field_schemas())
    values: dict[str, Any] = {}
    for f in schema.fields:
        if f.required or draw(st.booleans()):
            values[f.name] = draw(_value_for(f))
    return schema, values


@st.composite
def leads(draw: st.DrawFn, *, moves: bool = True) -> Lead:
    """Generate leads, optionally with a few status moves and edits in their history."""
    at = draw(_instants())
    lead = Lead.new(
        id=draw(_ids("lead")),
        at=at,
        actor=draw(st.sampled_from(["web-form", "rep-1", "import"])),
        first_name=draw(_opt(st.sampled_from(_NAMES))),
        last_name=draw(_opt(st.sampled_from(["Silva", "Smith", "Müller", "Tanaka"]))),
        email=draw(emails()),
        phone=draw(_opt(phone_numbers())),
        title=draw(_opt(st.sampled_from(["CTO", "VP Sales", "Engineer"]))),
        company=draw(_opt(st.sampled_from(_COMPANIES))),
        domain=draw(_opt(_domain_names())),
        industry=draw(_opt(st.sampled_from(_INDUSTRIES))),
        employees=draw(_opt(st.integers(0, 100_000))),
        annual_revenue=draw(_opt(_revenues())),
        country=draw(_opt(st.sampled_from(_COUNTRIES))),
        time_zone=draw(_opt(st.sampled_from(_ZONES))),
        source=draw(_opt(lead_sources())),
        owner_id=draw(_opt(_ids("rep"))),
        score=draw(st.integers(0, 100)),
        custom=draw(st.sampled_from(_CUSTOM_SAMPLES)),
    )
    if not moves:
        return lead
    for _ in range(draw(st.integers(0, 4))):
        at = at + draw(st.timedeltas(timedelta(0), timedelta(days=30)))
        allowed = sorted(lead.funnel("lead_status").allowed_moves(lead.status) - {"converted"})
        if not allowed:
            break
        lead = lead.move_to(draw(st.sampled_from(allowed)), at=at, actor="rep-1", reason="because")
    return lead


def _imported(new: Callable[..., T], kind: str, **fields: Any) -> st.SearchStrategy[T]:
    """``new(id=..., at=..., actor="import", **fields)``, with an id of ``kind``."""
    return st.builds(new, id=_ids(kind), at=_instants(), actor=st.just("import"), **fields)


def accounts() -> st.SearchStrategy[Account]:
    """Generate accounts (with their creation event)."""
    return _imported(
        Account.new,
        "account",
        name=st.sampled_from(_COMPANIES),
        domain=_opt(_domain_names()),
        industry=_opt(st.sampled_from(_INDUSTRIES)),
        employees=_opt(st.integers(0, 10**5)),
        annual_revenue=_opt(_revenues()),
        country=_opt(st.sampled_from(_COUNTRIES)),
        tags=st.frozensets(st.sampled_from(["vip", "partner", "churn-risk"])),
    )


def contacts() -> st.SearchStrategy[Contact]:
    """Generate contacts (created, in the lifecycle funnel)."""
    return _imported(
        Contact.new,
        "contact",
        first_name=st.sampled_from(_NAMES),
        last_name=_opt(st.just("Silva")),
        emails=st.lists(emails(), max_size=3, unique_by=str.lower),
        phones=st.lists(phone_numbers(), max_size=2, unique=True),
        time_zone=_opt(st.sampled_from(_ZONES)),
        account_id=_opt(_ids("account")),
    )


@st.composite
def interactions(draw: st.DrawFn) -> Interaction:
    """Generate interactions of every channel, with typed outcomes where they have one."""
    common = {
        "id": draw(_ids("interaction")),
        "at": draw(_instants()),
        "actor": draw(st.sampled_from(["rep-1", "esp", "web"])),
        "party": draw(_opt(party_refs())),
        "account_id": draw(_opt(_ids("account"))),
        "campaign_id": draw(_opt(_ids("campaign"))),
    }
    kind = draw(st.sampled_from(["call", "email", "meeting", "web", "other"]))
    if kind == "call":
        return Interaction.call(
            disposition=draw(st.sampled_from(CallDisposition)),
            sentiment=draw(_opt(st.sampled_from(Sentiment))),
            duration=draw(_opt(st.timedeltas(timedelta(0), timedelta(hours=1)))),
            rep_id=draw(_opt(_ids("rep"))),
            **common,
        )
    if kind == "email":
        return Interaction.email(
            message_id=draw(_ids("msg")), kind=draw(st.sampled_from(EmailEventKind)), **common
        )
    if kind == "meeting":
        status = draw(st.sampled_from(MeetingStatus))
        return Interaction.meeting(
            status=status,
            video=draw(st.booleans()),
            rescheduled_to=common["at"] + timedelta(days=1)
            if status == MeetingStatus.RESCHEDULED
            else None,
            **common,
        )
    if kind == "web":
        return Interaction.web_visit(url="https://acme.io/pricing", **common)
    return Interaction.touch(
        channel=draw(
            st.sampled_from(
                [
                    Channel.CHAT,
                    Channel.SMS,
                    Channel.SOCIAL,
                    Channel.EVENT,
                    Channel.AD,
                    Channel.DIRECT_MAIL,
                ]
            )
        ),
        direction=draw(st.sampled_from(Direction)),
        notes=draw(_opt(texts(max_size=30, multiline=True))),
        **common,
    )


def task_subjects() -> st.SearchStrategy[TaskSubject]:
    """Generate task subjects of every kind."""
    return st.builds(
        lambda k, n: TaskSubject(k, f"{k.value}-{n}"),
        st.sampled_from(TaskSubjectKind),
        st.integers(1, 10**6),
    )


@st.composite
def tasks(draw: st.DrawFn) -> Task:
    """Generate tasks, some rescheduled, completed or cancelled."""
    at = draw(_instants())
    task = Task.new(
        id=draw(_ids("task")),
        at=at,
        actor="rep-1",
        subject=draw(task_subjects()),
        title=draw(st.sampled_from(["Call back", "Send proposal", "Follow up"])),
        due_at=at + draw(st.timedeltas(timedelta(hours=1), timedelta(days=14))),
        assignee_id=draw(_opt(_ids("rep"))),
        priority=draw(st.sampled_from(TaskPriority)),
        kind=draw(st.sampled_from(TaskKind)),
    )
    step = draw(st.sampled_from(["none", "reschedule", "complete", "cancel"]))
    later = at + timedelta(hours=1)
    if step == "reschedule":
        task = task.reschedule(task.due_at + timedelta(days=1), at=later, actor="rep-1")
    elif step == "complete":
        task = task.complete(at=later, actor="rep-1")
    elif step == "cancel":
        task = task.cancel(at=later, actor="rep-1", reason="no longer needed")
    return task


def reps() -> st.SearchStrategy[Rep]:
    """Generate reps with roles and capacities (without calendars)."""
    return st.builds(
        Rep,
        id=_ids("rep"),
        name=st.sampled_from(_NAMES),
        role=st.sampled_from(RepRole),
        email=_opt(emails()),
        capacities=st.dictionaries(
            st.sampled_from(["calls_per_day", "open_cases"]), st.integers(0, 200), max_size=2
        ),
        active=st.booleans(),
        team_id=_opt(_ids("team")),
    )


def teams() -> st.SearchStrategy[Team]:
    """Generate teams of distinct reps."""
    return st.builds(
        Team,
        id=_ids("team"),
        name=st.sampled_from(["EMEA SDR", "US AE", "Support"]),
        rep_ids=st.lists(_ids("rep"), max_size=5, unique=True).map(tuple),
        manager_id=_opt(_ids("rep")),
        queue_id=_opt(_ids("queue")),
    )


def queues() -> st.SearchStrategy[Queue]:
    """Generate queues."""
    return st.builds(
        Queue,
        id=_ids("queue"),
        name=st.sampled_from(["Inbound", "Tier 1"]),
        purpose=st.sampled_from(QueuePurpose),
        team_id=_opt(_ids("team")),
    )
