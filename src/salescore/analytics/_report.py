"""What every report shares: plain rows, a DataFrame, and small statistics.

Reports are frozen ``attrs`` classes. Each one turns into plain rows (a
list of dicts, one per line of the report) with :meth:`Report.to_rows`, and
into a pandas ``DataFrame`` with :meth:`Report.to_pandas` when pandas is
installed (it is imported only then).
"""

from __future__ import annotations

import functools
import importlib
import inspect
import statistics
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from datetime import timedelta
from typing import Any, Generic, ParamSpec, Protocol, TypeVar

import attrs

from salescore._validation import check_collection, check_mapping
from salescore.errors import NotFound, SalescoreError, ValidationError

__all__ = [
    "GroupedReport",
    "Report",
    "check_collection",
    "check_mapping",
    "find",
    "grouping",
    "items",
    "ratio",
    "seconds_median",
    "seconds_p90",
]


class Report:
    """Base of the report objects: conversion to rows and to a DataFrame."""

    def to_rows(self) -> list[dict[str, Any]]:
        """The report as plain rows, one dict per line, in the report's order."""
        raise NotImplementedError

    def to_pandas(self) -> Any:
        """The rows of :meth:`to_rows` as a ``pandas.DataFrame``.

        Raises:
            ImportError: pandas is not installed.
        """
        try:
            pd = importlib.import_module("pandas")
        except ImportError as exc:
            raise ImportError(
                "to_pandas() needs pandas: pip install pandas (or use to_rows())"
            ) from exc
        return pd.DataFrame(self.to_rows())


T = TypeVar("T")


class _Group(attrs.AttrsInstance, Protocol):
    @property
    def key(self) -> Hashable: ...


G = TypeVar("G", bound=_Group)


class GroupedReport(Report, Generic[G]):
    """Base of the reports of metrics per group (``groups``, each with a ``key``)."""

    groups: tuple[G, ...]

    def group(self, key: Hashable = None) -> G:
        """The metrics of one group (of everything when not grouped).

        Raises:
            NotFound: no such group.
        """
        return find(
            self.groups, lambda g: g.key == key, "group", key, "is not a group of this report"
        )

    def to_rows(self) -> list[dict[str, Any]]:
        """One row per group."""
        return [attrs.asdict(g) for g in self.groups]


def find(items: Iterable[T], match: Callable[[T], bool], what: str, value: Any, message: str) -> T:
    """The first item that matches, or :class:`~salescore.errors.NotFound` naming ``value``."""
    for item in items:
        if match(item):
            return item
    raise NotFound(f"{value!r} {message} (no such {what})")


def grouping(
    by: str | Callable[[T], Hashable] | None, named: Mapping[str, Callable[[T], Hashable]]
) -> tuple[Callable[[T], Hashable], str | None]:
    """How a report groups its items: the key function and the grouping's name.

    Args:
        by: ``None`` (one group, keyed ``None``), a key function (named after
            it), or the name of one of ``named``.
        named: The groupings offered by name.

    Raises:
        ValidationError: ``by`` is an unknown name.
    """
    if by is None:
        return (lambda item: None), None
    if callable(by):
        return by, getattr(by, "__name__", "custom")
    if isinstance(by, str) and by in named:
        return named[by], by
    raise ValidationError.single("by", by, f"must be {', '.join(named)} or a function")


def ratio(part: float, whole: float) -> float | None:
    """``part / whole``, or ``None`` when ``whole`` is zero."""
    return part / whole if whole else None


def seconds_median(values: Sequence[float]) -> timedelta | None:
    """The median of durations given in seconds, as ``statistics.median`` computes it."""
    if not values:
        return None
    return timedelta(seconds=statistics.median(values))


def seconds_p90(values: Sequence[float]) -> timedelta | None:
    """The 90th percentile of durations in seconds (inclusive method).

    ``statistics.quantiles(values, n=10, method="inclusive")[-1]``; the
    single value when there is one; ``None`` when there is none.
    """
    if not values:
        return None
    if len(values) == 1:
        return timedelta(seconds=values[0])
    return timedelta(seconds=statistics.quantiles(values, n=10, method="inclusive")[-1])


def check_positive(value: Any, path: str, *, zero: bool = False) -> None:
    """Refuse a duration or number that is not positive (or non-negative with ``zero``)."""
    bad = value < type(value)(0) if zero else value <= type(value)(0)
    if bad:
        raise ValidationError.single(path, value, "must be positive" + (" or zero" if zero else ""))


def lookup(mapping: Mapping[str, Any] | Callable[[str], Any], key: str) -> Any:
    """``mapping[key]`` (``None`` if absent) or ``mapping(key)`` for a function."""
    if callable(mapping):
        return mapping(key)
    return mapping.get(key)


@attrs.frozen
class Items:
    """What the items of a collection argument must be, to name a wrong one.

    Attributes:
        what: The item as the error message names it (``"a Journey"``).
        kind: The type (or types) an item must be, if any.
        has: The attributes an item must have.
        fits: A test of an item, instead of ``kind`` and ``has``.
    """

    what: str
    kind: type | tuple[type, ...] | None = None
    has: tuple[str, ...] = ()
    fits: Callable[[Any], bool] | None = None

    def accepts(self, item: Any) -> bool:
        """Whether ``item`` is of the kind the argument needs."""
        if self.fits is not None:
            return self.fits(item)
        if self.kind is not None and not isinstance(item, self.kind):
            return False
        return all(hasattr(item, name) for name in self.has)


P = ParamSpec("P")
R = TypeVar("R")

# What a computation raises when an item is not of the kind it reads.
_RAW = (TypeError, AttributeError, KeyError, IndexError)


def items(**wanted: Items) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Name the wrong item of a collection argument when a computation fails on it.

    The decorated function runs as it is (no item is checked beforehand, so
    the check costs nothing when the items are right). If it raises a
    ``TypeError``, ``AttributeError``, ``KeyError`` or ``IndexError``, the
    collection arguments named in ``wanted`` are searched, in order, for the
    first item that is not of the wanted kind; that one is refused with a
    :class:`~salescore.errors.ValidationError` at ``name[index]``, raised
    from the original error. Without such an item (or when the argument
    was an iterator, which cannot be read again) the original error
    propagates unchanged.

    Args:
        wanted: Parameter name → what its items must be.

    Returns:
        The decorator.
    """

    def decorate(fn: Callable[P, R]) -> Callable[P, R]:
        signature = inspect.signature(fn)

        @functools.wraps(fn)
        def run(*args: P.args, **kwargs: P.kwargs) -> R:
            try:
                return fn(*args, **kwargs)
            except _RAW as exc:
                if isinstance(exc, SalescoreError):
                    raise
                wrong = _wrong_item(signature, args, kwargs, wanted)
                if wrong is None:
                    raise
                raise wrong from exc

        return run

    return decorate


def _wrong_item(
    signature: inspect.Signature,
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
    wanted: Mapping[str, Items],
) -> ValidationError | None:
    """The refusal of the first item of a wanted kind's argument that is not of it."""
    try:
        bound = signature.bind(*args, **kwargs)
    except TypeError:  # pragma: no cover - the call itself was refused
        return None
    for name, need in wanted.items():
        value = bound.arguments.get(name)
        if value is None or isinstance(value, str | bytes | Mapping):
            continue
        try:
            if iter(value) is value:  # an iterator: read already, not to be read again
                continue
            for i, item in enumerate(value):
                if not need.accepts(item):
                    return ValidationError.single(f"{name}[{i}]", item, f"must be {need.what}")
        except TypeError:
            continue
    return None
