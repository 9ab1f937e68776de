"""What is stored where: every repository, its class, key and indexed columns.

One table drives every adapter: the in-memory store orders by the same
column values that the SQL stores index, so the answers cannot drift apart.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Any, Final, Literal

import attrs

from salescore.domain.campaigns import Campaign, CampaignMember
from salescore.domain.interactions import Interaction
from salescore.domain.leads import Lead
from salescore.domain.opportunities import Opportunity
from salescore.domain.parties import Account, Contact
from salescore.domain.products import PriceBook, Product
from salescore.domain.service import ServiceCase
from salescore.domain.tasks import Task
from salescore.domain.team import Queue, Rep, Team
from salescore.outreach.cadences import Enrollment
from salescore.outreach.consent import ConsentRecord
from salescore.outreach.merges import Merge
from salescore.rules import Call, Field, Operand
from salescore.rules._values import apply_function

__all__ = [
    "REPOSITORIES",
    "Column",
    "ColumnType",
    "Kind",
    "Spec",
    "column_for",
    "column_value",
    "datetime_text",
    "key_of",
    "plain",
]

ColumnType = Literal["text", "int", "real", "bool", "datetime", "date"]
Kind = Literal["aggregate", "document", "log"]


@attrs.frozen
class Column:
    """An indexed column: what a rule names, and its SQL type.

    ``path`` is a field path (``"owner_id"``, ``"party.id"``) or a function
    of one (``"lower(email)"``): such a column holds exactly what a rule's
    ``lower(email)`` gives, so that a rule comparing it with a value is
    answered from the index.
    """

    path: str
    type: ColumnType
    #: The field path the column reads (``path`` without its function).
    field: str = attrs.field(init=False)
    #: ``"lower"`` or ``"upper"`` for a column of a function, else ``None``.
    function: str | None = attrs.field(init=False)
    #: The column's name in SQL: dots become ``__``, ``lower(email)`` is ``email_lower``.
    name: str = attrs.field(init=False)
    #: The attribute names along ``field``.
    steps: tuple[str, ...] = attrs.field(init=False, repr=False)

    def __attrs_post_init__(self) -> None:
        function, call, rest = self.path.partition("(")
        path = rest.removesuffix(")") if call else self.path
        name = path.replace(".", "__")
        object.__setattr__(self, "field", path)
        object.__setattr__(self, "function", function if call else None)
        object.__setattr__(self, "name", f"{name}_{function}" if call else name)
        object.__setattr__(self, "steps", tuple(path.split(".")))


def _cols(**types: ColumnType) -> tuple[Column, ...]:
    return tuple(Column(name.replace("__", "."), t) for name, t in types.items())


def _path_of(operand: Operand) -> str | None:
    if isinstance(operand, Field):
        return operand.path
    if isinstance(operand, Call) and isinstance(operand.operand, Field):
        return f"{operand.function}({operand.operand.path})"
    return None


@attrs.frozen
class Spec:
    """One repository: its attribute name, class, kind, key and columns."""

    name: str
    cls: type
    kind: Kind
    columns: tuple[Column, ...]
    key: str = "id"

    @property
    def by_path(self) -> Mapping[str, Column]:
        """The columns by field path (``id`` included, as text)."""
        return _BY_PATH[self.name]


_STAMPS = _cols(created_at="datetime", updated_at="datetime")

REPOSITORIES: Final[Mapping[str, Spec]] = {
    s.name: s
    for s in (
        Spec(
            "leads",
            Lead,
            "aggregate",
            _cols(
                status="text",
                lifecycle_stage="text",
                owner_id="text",
                email="text",
                phone="text",
                company="text",
                industry="text",
                country="text",
                employees="int",
                score="real",
                converted_contact_id="text",
            )
            + _STAMPS
            + _cols(domain="text")  # schema version 2
            # Schema version 3: the address in lower case, for the duplicate check.
            + (Column("lower(email)", "text"),),
        ),
        Spec(
            "contacts",
            Contact,
            "aggregate",
            _cols(lifecycle_stage="text", owner_id="text", account_id="text", last_name="text")
            + _STAMPS,
        ),
        Spec(
            "accounts",
            Account,
            "aggregate",
            _cols(name="text", domain="text", industry="text", owner_id="text", parent_id="text")
            + _STAMPS,
        ),
        Spec(
            "opportunities",
            Opportunity,
            "aggregate",
            _cols(
                stage="text",
                owner_id="text",
                account_id="text",
                primary_contact_id="text",
                forecast_category="text",
                close_date="date",
                probability="real",
                closed_at="datetime",
            )
            + _STAMPS,
        ),
        Spec(
            "campaigns",
            Campaign,
            "aggregate",
            _cols(status="text", type="text", owner_id="text", parent_id="text", start_date="date")
            + _STAMPS,
        ),
        Spec(
            "campaign_members",
            CampaignMember,
            "aggregate",
            _cols(
                campaign_id="text",
                status="text",
                responded="bool",
                party__kind="text",
                party__id="text",
            )
            + _STAMPS,
        ),
        Spec(
            "cases",
            ServiceCase,
            "aggregate",
            _cols(
                status="text",
                priority="text",
                assignee_id="text",
                account_id="text",
                requester_id="text",
                category="text",
                solved_at="datetime",
            )
            + _STAMPS,
        ),
        Spec(
            "tasks",
            Task,
            "aggregate",
            _cols(
                status="text",
                assignee_id="text",
                priority="text",
                due_at="datetime",
                subject__kind="text",
                subject__id="text",
            )
            + _STAMPS,
        ),
        Spec(
            "products",
            Product,
            "document",
            _cols(name="text", family="text", active="bool"),
            key="code",
        ),
        Spec("price_books", PriceBook, "document", _cols(name="text", active="bool")),
        Spec("reps", Rep, "document", _cols(name="text", email="text", team_id="text")),
        Spec("teams", Team, "document", _cols(name="text", manager_id="text")),
        Spec("queues", Queue, "document", _cols(name="text", team_id="text")),
        Spec(
            "interactions",
            Interaction,
            "log",
            _cols(
                at="datetime",
                channel="text",
                direction="text",
                kind="text",
                party__kind="text",
                party__id="text",
                account_id="text",
                opportunity_id="text",
                case_id="text",
                campaign_id="text",
                rep_id="text",
            ),
        ),
        # Schema version 2: the outreach aggregates.
        Spec(
            "enrollments",
            Enrollment,
            "aggregate",
            _cols(
                cadence_id="text",
                owner_id="text",
                status="text",
                party__kind="text",
                party__id="text",
            )
            + _STAMPS,
        ),
        Spec(
            "consent_records",
            ConsentRecord,
            "aggregate",
            _cols(party__kind="text", party__id="text") + _STAMPS,
        ),
        Spec(
            "merges",
            Merge,
            "aggregate",
            _cols(
                kind="text",
                survivor="text",
                merged="text",
                undone="bool",
            )
            + _STAMPS,
        ),
    )
}

_BY_PATH: Final[dict[str, dict[str, Column]]] = {
    s.name: {s.key: Column(s.key, "text"), **{c.path: c for c in s.columns}}
    for s in REPOSITORIES.values()
}


def datetime_text(value: datetime) -> str:
    """A UTC instant as fixed-width text whose code-point order is time order."""
    return value.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="microseconds")


def column_value(obj: Any, column: Column) -> Any:
    """The value an object holds for an indexed column, as stored in SQL.

    Enum members become their value, instants fixed-width UTC text, dates
    ISO text, flags ``bool``; a null on the way is ``None``. A column of a
    function holds the function of the field's value, as rules compute it.
    """
    value = obj
    for name in column.steps:
        value = getattr(value, name, None)
        if value is None:
            return None
    if column.function is not None:
        return apply_function(column.function, value)
    return plain(value)


def column_for(spec: Spec, operand: Operand) -> Column | None:
    """The indexed column that holds what a rule's ``operand`` reads, if any.

    A field (``owner_id``) or a function of a field (``lower(email)``) that
    the catalog indexes; ``None`` for anything else.
    """
    path = _path_of(operand)
    return None if path is None else spec.by_path.get(path)


def plain(value: Any) -> Any:
    """A field value as it is stored in an indexed column (see :func:`column_value`)."""
    if isinstance(value, enum.Enum):
        value = value.value
    if isinstance(value, datetime):
        return datetime_text(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def key_of(spec: Spec, obj: Any) -> str:
    """The key of a stored object (``id``, or a product's ``code``)."""
    return str(getattr(obj, spec.key))
