"""What every report shares: plain rows, a DataFrame, and small statistics.

Reports are frozen ``attrs`` classes. Each one turns into plain rows (a
list of dicts, one per line of the report) with :meth:`Report.to_rows`, and
into a pandas ``DataFrame`` with :meth:`Report.to_pandas` when pandas is
installed (it is imported only then).
"""

from __future__ import annotations

import importlib
import statistics
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from datetime import timedelta
from typing import Any, Generic, Protocol, TypeVar

import attrs

from salescore._validation import check_collection, check_mapping
from salescore.errors import NotFound, ValidationError

__all__ = [
    "GroupedReport",
    "Report",
    "check_collection",
    "check_mapping",
    "find",
    "grouping",
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
