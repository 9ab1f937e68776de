"""The storage port: what every store, unit of work and repository offers.

These protocols are the contract that :class:`~salescore.storage.InMemoryStore`,
:class:`~salescore.storage.SQLiteStore` and
:class:`~salescore.storage.PostgresStore` implement, and that the conformance
kit (:mod:`salescore.testing.storage`) checks. Application code types its
parameters with them (``def handle(store: Store) -> None``).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import datetime
from types import TracebackType
from typing import Any, Generic, NamedTuple, Protocol, TypeVar, runtime_checkable

import attrs

from salescore.domain.campaigns import Campaign, CampaignMember
from salescore.domain.events import Event
from salescore.domain.interactions import Interaction
from salescore.domain.leads import Lead
from salescore.domain.opportunities import Opportunity
from salescore.domain.parties import Account, Contact, PartyRef
from salescore.domain.products import PriceBook, Product
from salescore.domain.service import ServiceCase
from salescore.domain.tasks import Task
from salescore.domain.team import Queue, Rep, Team
from salescore.outreach.cadences import Enrollment
from salescore.outreach.consent import ConsentRecord
from salescore.outreach.erasure import ErasureReceipt
from salescore.outreach.merges import Merge
from salescore.rules import Rule

__all__ = [
    "AggregateRepository",
    "DocumentRepository",
    "EventRecord",
    "InteractionLog",
    "Page",
    "Settings",
    "Store",
    "UnitOfWork",
]

T = TypeVar("T")
T_co = TypeVar("T_co", covariant=True)


@attrs.frozen
class Page(Generic[T]):
    """One page of a :meth:`find` answer.

    Attributes:
        items: The items of this page, in the requested order.
        cursor: Pass it as ``after`` to get the next page; ``None`` on the
            last page. Opaque: do not build or parse it.
    """

    items: tuple[T, ...]
    cursor: str | None = None


class EventRecord(NamedTuple):
    """A committed event and its place in the store's event log.

    Attributes:
        position: Its position in the log: 1 for the first event, strictly
            increasing in commit order.
        event: The event.
    """

    position: int
    event: Event


class _Finder(Protocol[T]):
    def find(
        self,
        where: str | Rule | None = None,
        *,
        order_by: str = "id",
        limit: int | None = None,
        after: str | None = None,
        at: datetime | None = None,
    ) -> Page[T]:
        """Items for which ``where`` is TRUE, in order, one page at a time.

        Args:
            where: Rule text or a :class:`~salescore.rules.Rule` over the
                item's fields; ``None`` matches everything. Exactly
                :meth:`Rule.evaluate`'s semantics: only TRUE matches.
            order_by: An indexed field (or ``id``), ``-`` in front for
                descending; ties by id, nulls last in both directions.
            limit: The page size; ``None`` for everything.
            after: The ``cursor`` of the previous page.
            at: The evaluation time for rules that use ``now``.

        Returns:
            The page.

        Raises:
            ValidationError: an unknown field, a field that cannot be
                ordered by, a bad limit or cursor.
        """
        ...


@runtime_checkable
class AggregateRepository(_Finder[T], Protocol[T]):
    """Event-sourced aggregates of one kind (``uow.leads``, ``uow.cases`` …)."""

    def add(self, item: T) -> None:
        """Store a new aggregate and its whole history.

        Raises:
            ConcurrencyError: an item with this id exists.
        """
        ...

    def get(self, id: str) -> T:
        """The aggregate with this id.

        Raises:
            NotFound: there is none.
        """
        ...

    def save(self, item: T, expected_version: int | None = None) -> None:
        """Store a changed aggregate: its events after ``expected_version``.

        Args:
            item: The aggregate.
            expected_version: The version the stored aggregate must have;
                by default the version at which this unit of work read it.

        Raises:
            ConcurrencyError: the stored version differs (at commit at the
                latest); nothing of the unit of work is written.
            ValidationError: the item was not read in this unit of work and
                no ``expected_version`` was given.
        """
        ...


@runtime_checkable
class DocumentRepository(_Finder[T], Protocol[T]):
    """Records without a history (reps, teams, queues, products, price books).

    They are versioned documents, replaced whole: the store numbers their
    versions from 1 and checks them as it checks an aggregate's.
    """

    def add(self, item: T) -> None:
        """Store a new record at version 1.

        Raises:
            ConcurrencyError: a record with this key exists.
        """
        ...

    def get(self, key: str) -> T:
        """The record with this key (a product's ``code``, else its ``id``).

        Raises:
            NotFound: there is none.
        """
        ...

    def version(self, key: str) -> int:
        """The stored version of a record (and remember it for :meth:`save`).

        Raises:
            NotFound: there is none.
        """
        ...

    def save(self, item: T, expected_version: int | None = None) -> None:
        """Replace a record whole; its version goes up by one.

        Raises:
            ConcurrencyError: the stored version differs.
            ValidationError: not read in this unit and no ``expected_version``.
        """
        ...


@runtime_checkable
class InteractionLog(_Finder[Interaction], Protocol):
    """Interactions: append-only."""

    def append(self, interaction: Interaction) -> None:
        """Record an interaction.

        Raises:
            ConcurrencyError: one with this id exists.
        """
        ...

    def get(self, id: str) -> Interaction:
        """The interaction with this id.

        Raises:
            NotFound: there is none.
        """
        ...


@runtime_checkable
class Settings(Protocol):
    """Versioned configuration documents by key (funnels, score models …)."""

    def add(self, key: str, value: Any) -> None:
        """Store a new setting at version 1.

        Raises:
            ConcurrencyError: the key exists.
        """
        ...

    def get(self, key: str, cls: type[T]) -> T:
        """The setting under ``key``, read as a ``cls``.

        Raises:
            NotFound: there is none.
        """
        ...

    def version(self, key: str) -> int:
        """The stored version of a setting.

        Raises:
            NotFound: there is none.
        """
        ...

    def save(self, key: str, value: Any, expected_version: int | None = None) -> None:
        """Replace a setting whole; its version goes up by one.

        Raises:
            ConcurrencyError: the stored version differs.
        """
        ...

    def keys(self) -> tuple[str, ...]:
        """Every key, in code-point order."""
        ...


@runtime_checkable
class UnitOfWork(Protocol):
    """One transaction: reads, then writes that commit together or not at all."""

    @property
    def leads(self) -> AggregateRepository[Lead]:
        """The leads."""
        ...

    @property
    def contacts(self) -> AggregateRepository[Contact]:
        """The contacts."""
        ...

    @property
    def accounts(self) -> AggregateRepository[Account]:
        """The accounts."""
        ...

    @property
    def opportunities(self) -> AggregateRepository[Opportunity]:
        """The opportunities."""
        ...

    @property
    def campaigns(self) -> AggregateRepository[Campaign]:
        """The campaigns."""
        ...

    @property
    def campaign_members(self) -> AggregateRepository[CampaignMember]:
        """The campaign members."""
        ...

    @property
    def cases(self) -> AggregateRepository[ServiceCase]:
        """The service cases."""
        ...

    @property
    def tasks(self) -> AggregateRepository[Task]:
        """The tasks."""
        ...

    @property
    def products(self) -> DocumentRepository[Product]:
        """The products, by code."""
        ...

    @property
    def price_books(self) -> DocumentRepository[PriceBook]:
        """The price books."""
        ...

    @property
    def reps(self) -> DocumentRepository[Rep]:
        """The reps."""
        ...

    @property
    def teams(self) -> DocumentRepository[Team]:
        """The teams."""
        ...

    @property
    def queues(self) -> DocumentRepository[Queue]:
        """The queues."""
        ...

    @property
    def interactions(self) -> InteractionLog:
        """The interactions (append-only)."""
        ...

    @property
    def enrollments(self) -> AggregateRepository[Enrollment]:
        """The cadence enrollments."""
        ...

    @property
    def consent_records(self) -> AggregateRepository[ConsentRecord]:
        """The consent records."""
        ...

    @property
    def merges(self) -> AggregateRepository[Merge]:
        """The merges of duplicate records."""
        ...

    @property
    def settings(self) -> Settings:
        """Configuration documents by key."""
        ...

    def commit(self) -> tuple[EventRecord, ...]:
        """Write everything; return the new events with their positions.

        Raises:
            ConcurrencyError: a version check failed; nothing was written.
            StorageError: the backend failed; nothing was written.
        """
        ...

    def rollback(self) -> None:
        """Forget every write of this unit."""
        ...

    def __enter__(self) -> UnitOfWork: ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...


@runtime_checkable
class Store(Protocol):
    """A place that keeps salescore's data."""

    def migrate(self) -> None:
        """Create or upgrade the schema (idempotent)."""
        ...

    def unit_of_work(self) -> UnitOfWork:
        """A unit of work: commits on normal exit, rolls back on an exception."""
        ...

    def events_since(self, position: int, *, limit: int | None = None) -> Iterator[EventRecord]:
        """Committed events with a position greater than ``position``, in order."""
        ...

    def last_position(self) -> int:
        """The position of the latest committed event (0 when there is none)."""
        ...

    def export_person(self, party: PartyRef) -> Mapping[str, tuple[str, ...]]:
        """Everything held about a person, as JSON documents by repository."""
        ...

    def forget(
        self, party: PartyRef, *, at: datetime, actor: str, reason: str = ...
    ) -> ErasureReceipt:
        """Erase a person's personal data everywhere, history included, in one transaction."""
        ...

    def close(self) -> None:
        """Release connections (the store cannot be used afterwards)."""
        ...
