"""Importing lead lists: rows of text in, validated leads and rejected rows out.

:func:`import_leads` reads any iterable of mappings (a :class:`csv.DictReader`
is one; reading the file stays with the caller) through a mapping of column →
lead field, and returns every lead it could build and every row it could not,
with every problem of that row. :func:`iter_import_leads` does the same one
row at a time, so a list of any length imports in bounded memory.

Nothing is guessed: a cell is parsed by the parser of its field's type, a
normalised value (an e-mail's domain in lower case, a national phone number
in E.164, ``"Germany"`` as ``"DE"``) is not a change, and a value that cannot
be read without guessing rejects its row. A blank cell leaves its field unset.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import datetime
from typing import Any, Final

import attrs

from salescore._validation import Checker, fail
from salescore.domain._normalize import _time_zone
from salescore.domain.custom_fields import CustomFieldSchema, FieldType
from salescore.domain.leads import Lead, LeadSource
from salescore.errors import FieldError, TransitionError, ValidationError
from salescore.ids import IdFactory
from salescore.outreach._parsers import (
    parse_bool,
    parse_country,
    parse_date,
    parse_datetime,
    parse_decimal,
    parse_int,
    parse_money,
)

__all__ = [
    "LEAD_FIELDS",
    "Column",
    "ImportResult",
    "LeadMapping",
    "RejectedRow",
    "import_leads",
    "iter_import_leads",
]

#: ``(text, path) -> value``: a cell parser. ``text`` is stripped and not blank.
CellParser = Callable[[str, str], Any]

#: Every lead field a column can fill: the editable ones but the source and
#: ``custom`` (a column fills one custom field, ``custom.<name>``), and the
#: lifecycle stage.
LEAD_FIELDS: Final = frozenset(
    {*Lead.field_table.editable, "lifecycle_stage"} - {"latest_source", "custom"}
)


@attrs.frozen(kw_only=True)
class Column:
    """How one column is read.

    Attributes:
        field: The lead field it fills (``"email"``, ``"employees"``…) or a
            custom field (``"custom.<name>"``).
        parser: ``(text, path) -> value`` to use instead of the field type's
            parser; ``text`` is stripped and never blank. It refuses a cell by
            raising a :class:`~salescore.errors.ValidationError` or a
            :class:`ValueError` (which rejects the row, naming the column).
        currency: For money: the currency of amounts that name none.
        dayfirst: For dates: read ``01/02/2026`` as 1 February.
        decimal_comma: For numbers: ``,`` is the decimal separator and ``.``
            groups thousands.

    Raises:
        ValidationError: ``field`` is not a lead field or ``custom.<name>``.
    """

    field: str
    parser: CellParser | None = attrs.field(default=None, eq=False)
    currency: str | None = None
    dayfirst: bool = False
    decimal_comma: bool = False

    def __attrs_post_init__(self) -> None:
        f = self.field
        if not isinstance(f, str) or not (
            f in LEAD_FIELDS or (f.startswith("custom.") and len(f) > len("custom."))
        ):
            fail(
                "field",
                f,
                "is not a lead field that can be imported "
                f"({', '.join(sorted(LEAD_FIELDS))}, or custom.<name>)",
            )


def _columns(value: Any) -> tuple[tuple[str, Column], ...]:
    pairs = value.items() if isinstance(value, Mapping) else value
    if isinstance(pairs, str) or not isinstance(pairs, Iterable):
        fail("columns", value, "must map column names to fields")
    out = []
    for pair in pairs:
        if not (isinstance(pair, tuple) and len(pair) == 2):
            fail("columns", pair, "must be a (column name, Column) pair")
        name, col = pair
        out.append((name, col if isinstance(col, Column) else Column(field=col)))
    return tuple(out)


@attrs.frozen(kw_only=True)
class LeadMapping:
    """A declared mapping of columns to lead fields, and values for every lead.

    Attributes:
        columns: ``(column name, Column)`` pairs; a mapping of column name →
            :class:`Column` or field name is accepted (a field name becomes
            ``Column(field=...)``).
        source: Where every imported lead came from (a channel and campaign).
        owner_id: The owner of every lead whose row names none.

    Raises:
        ValidationError: two columns fill the same field, or a bad column.
    """

    columns: tuple[tuple[str, Column], ...] = attrs.field(converter=_columns)
    source: LeadSource | None = None
    owner_id: str | None = None

    def __attrs_post_init__(self) -> None:
        with Checker("LeadMapping") as c:
            seen: dict[str, str] = {}
            for name, col in self.columns:
                c.text(name, "columns")
                if col.field in seen:
                    c.add(
                        f"columns[{name}]",
                        col.field,
                        f"fills the same field as column {seen[col.field]!r}",
                    )
                seen[col.field] = name
            c.instance(self.source, LeadSource, "source", optional=True)
            c.text(self.owner_id, "owner_id", optional=True)


@attrs.frozen
class RejectedRow:
    """A row that did not become a lead.

    Attributes:
        row: Its 1-based position in the rows given.
        data: The row exactly as given.
        problems: Every problem, each with the column's name in its path (or
            the field's, for a problem no single column caused).
    """

    row: int
    data: Mapping[str, Any]
    problems: tuple[FieldError, ...]


@attrs.frozen
class ImportResult:
    """What an import produced.

    Attributes:
        created: The new leads, in row order.
        rejected: The rows that did not become leads, in row order.
    """

    created: tuple[Lead, ...]
    rejected: tuple[RejectedRow, ...]

    @property
    def rows(self) -> int:
        """How many rows were read (``len(created) + len(rejected)``)."""
        return len(self.created) + len(self.rejected)


def _field_parser(
    col: Column, schema: CustomFieldSchema | None, tz: str | None
) -> CellParser | None:
    """The parser for a column (``None``: the text goes to the lead as it is)."""
    if col.parser is not None:
        return col.parser
    f = col.field
    if f == "employees":
        return parse_int
    if f == "score":
        return lambda text, path: float(parse_decimal(text, path, decimal_comma=col.decimal_comma))
    if f == "annual_revenue":
        return lambda text, path: parse_money(
            text, path, currency=col.currency, decimal_comma=col.decimal_comma
        )
    if f == "country":
        return parse_country
    if f in LEAD_FIELDS:
        return None
    name = f.removeprefix("custom.")
    if schema is None or name not in schema:
        return None
    t = schema.field(name).type
    if t == FieldType.NUMBER:
        return lambda text, path: parse_decimal(text, path, decimal_comma=col.decimal_comma)
    if t == FieldType.MONEY:
        cur = col.currency or schema.field(name).currency
        return lambda text, path: parse_money(
            text, path, currency=cur, decimal_comma=col.decimal_comma
        )
    if t == FieldType.DATE:
        return lambda text, path: parse_date(text, path, dayfirst=col.dayfirst)
    if t == FieldType.DATETIME:
        return lambda text, path: parse_datetime(text, path, tz=tz, dayfirst=col.dayfirst)
    if t == FieldType.FLAG:
        return parse_bool
    if t == FieldType.MULTI_CHOICE:
        return lambda text, path: frozenset(p.strip() for p in text.split(";") if p.strip())
    return None


def _compile(
    mapping: Mapping[str, str] | LeadMapping, schema: CustomFieldSchema | None, tz: str | None
) -> tuple[LeadMapping, tuple[tuple[str, str, CellParser | None], ...]]:
    if not isinstance(mapping, LeadMapping):
        if not isinstance(mapping, Mapping):
            fail("mapping", mapping, "must be a dict of column → field or a LeadMapping")
        mapping = LeadMapping(columns=mapping)
    plan = tuple((name, col.field, _field_parser(col, schema, tz)) for name, col in mapping.columns)
    return mapping, plan


def iter_import_leads(
    rows: Iterable[Mapping[str, Any]],
    mapping: Mapping[str, str] | LeadMapping,
    *,
    at: datetime,
    actor: str,
    ids: IdFactory,
    schema: CustomFieldSchema | None = None,
    default_region: str | None = None,
    tz: str | None = None,
) -> Iterator[Lead | RejectedRow]:
    """Import leads one row at a time: yields a lead or a rejected row per row.

    Takes the arguments of :func:`import_leads`. Holds nothing but the row at
    hand, so any number of rows imports in bounded memory when the caller
    consumes the results as they come. The mapping is checked before the
    first row is read.

    Yields:
        For each row, in order, the new :class:`~salescore.domain.leads.Lead`
        or its :class:`RejectedRow`.

    Raises:
        ValidationError: a bad mapping, ``default_region`` or ``tz`` (before
            any row is read).
    """
    decl, plan = _compile(mapping, schema, tz)
    with Checker("import_leads") as c:
        if default_region is not None:
            try:
                default_region = parse_country(str(default_region), "default_region")
            except ValidationError as exc:
                c.errors.extend(exc.errors)
        if tz is not None:
            try:
                _time_zone(tz, "tz")
            except ValidationError as exc:
                c.errors.extend(exc.errors)
        c.aware(at, "at")
        c.text(actor, "actor")
    return _rows(rows, decl, plan, at, actor, ids, schema, default_region)


def _rows(
    rows: Iterable[Mapping[str, Any]],
    decl: LeadMapping,
    plan: tuple[tuple[str, str, CellParser | None], ...],
    at: datetime,
    actor: str,
    ids: IdFactory,
    schema: CustomFieldSchema | None,
    default_region: str | None,
) -> Iterator[Lead | RejectedRow]:
    column_of = {f: name for name, f, _ in plan}
    source = decl.source
    owner = decl.owner_id
    new = Lead.new
    for number, row in enumerate(rows, start=1):
        values: dict[str, Any] = {}
        custom: dict[str, Any] = {}
        problems: list[FieldError] = []
        if not isinstance(row, Mapping):
            problems.append(FieldError("row", row, "must be a mapping of column → cell"))
            yield RejectedRow(number, row, tuple(problems))
            continue
        for column, field, parse in plan:
            cell = row.get(column)
            if cell is None:
                continue
            if type(cell) is not str:
                cell = str(cell)
            text = cell.strip()
            if not text:
                continue
            if parse is not None:
                try:
                    value = parse(text, column)
                except ValidationError as exc:
                    problems.extend(exc.errors)
                    continue
                except ValueError as exc:  # a parser of your own may raise a plain one
                    problems.append(FieldError(column, text, str(exc) or "cannot be read"))
                    continue
            else:
                value = text
            if field[0] == "c" and field.startswith("custom."):
                custom[field[7:]] = value
            else:
                values[field] = value
        if custom:
            values["custom"] = custom
        if owner is not None and "owner_id" not in values:
            values["owner_id"] = owner
        try:
            lead = new(
                id=ids.new("lead"),
                at=at,
                actor=actor,
                source=source,
                schema=schema,
                default_region=values.get("country", default_region),
                **values,
            )
        except ValidationError as exc:
            # Every problem of the row: the cells that did not parse, then the
            # lead's own (a lead without identity is only news if all parsed).
            problems.extend(
                _to_column(e, column_of)
                for e in exc.errors
                if not (problems and e.value is None and e.path == "email")
            )
        except TransitionError as exc:
            problems.append(
                FieldError(
                    column_of.get("lifecycle_stage", "lifecycle_stage"),
                    exc.to_state,
                    "; ".join(exc.reasons),
                )
            )
        if problems:
            yield RejectedRow(number, row, tuple(problems))
        else:
            yield lead


def _to_column(error: FieldError, column_of: Mapping[str, str]) -> FieldError:
    """Name the column a lead field's problem came from in the problem's path."""
    path = error.path
    column = column_of.get(path)
    if column is None and path.startswith("custom."):
        column = column_of.get(path.split("[", 1)[0])
    if column is None:
        return error
    return FieldError(column, error.value, error.message)


def import_leads(
    rows: Iterable[Mapping[str, Any]],
    mapping: Mapping[str, str] | LeadMapping,
    *,
    at: datetime,
    actor: str,
    ids: IdFactory,
    schema: CustomFieldSchema | None = None,
    default_region: str | None = None,
    tz: str | None = None,
) -> ImportResult:
    """Import a lead list.

    A bad row never stops the good ones; ``len(created) + len(rejected)``
    is the number of rows read.

    Args:
        rows: Any iterable of mappings of column name → cell text (a
            :class:`csv.DictReader`, a list of dicts). Non-string cells are
            read through ``str``.
        mapping: Column → lead field name (each field's type picks its
            parser), or a :class:`LeadMapping` with per-column parsers and a
            source, campaign and owner for every lead. Columns not in the
            mapping are ignored.
        at: When the leads are created.
        actor: Who imports (recorded on every lead).
        ids: Makes each lead's id (``ids.new("lead")``).
        schema: Custom fields are validated against it and parsed by their type.
        default_region: The country to read national phone numbers in when
            the row has no country.
        tz: The zone of dates and times given without an offset.

    Returns:
        The leads created and the rows rejected, in row order.

    Raises:
        ValidationError: a bad mapping, ``default_region`` or ``tz`` (nothing
            is imported then).
    """
    created: list[Lead] = []
    rejected: list[RejectedRow] = []
    for item in iter_import_leads(
        rows,
        mapping,
        at=at,
        actor=actor,
        ids=ids,
        schema=schema,
        default_region=default_region,
        tz=tz,
    ):
        if type(item) is RejectedRow:
            rejected.append(item)
        else:
            created.append(item)  # type: ignore[arg-type]
    return ImportResult(tuple(created), tuple(rejected))
