"""Rule queries: what translates to SQL, and how exactly."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from salescore.errors import ValidationError
from salescore.rules import parse
from salescore.storage._catalog import REPOSITORIES
from salescore.storage._query import Sql, build_query, is_after, order_rows

LEADS = REPOSITORIES["leads"]
AT = datetime(2026, 3, 2, 9, tzinfo=UTC)


def _sql(text: str) -> Sql | None:
    q = build_query(LEADS, text, order_by="id", limit=None, after=None, at=AT)
    return q.prefilter


def test_indexed_comparisons_translate_exactly() -> None:
    got = _sql("status == 'qualified' and score >= 40 and not (industry in ['saas'])")
    assert got == Sql(
        "(status = ?) AND (score >= ?) AND (NOT (industry IN (?)))",
        ("qualified", 40.0, "saas"),
        True,
    )


def test_unindexed_parts_are_left_to_python() -> None:
    # ``and`` keeps what translates (a weaker filter); the result is marked inexact.
    assert _sql("status == 'new' and custom.budget > 5") == Sql("status = ?", ("new",), False)
    # ``or`` and ``not`` need every part.
    assert _sql("status == 'new' or custom.budget > 5") is None
    assert _sql("not (status == 'new' and title == 'CTO')") is None


def test_values_of_another_kind_are_left_to_python() -> None:
    # Python answers FALSE/TRUE for mixed kinds where SQL would compare: not translated.
    assert _sql("status == 5") is None
    assert _sql("employees == '5'") is None
    assert _sql("created_at >= date('2026-01-01')") is None
    assert _sql("employees > 2.5") == Sql("employees > ?", (2.5,), True)
    assert _sql("employees > decimal('2.1')") is None  # not exact as a float
    assert _sql(f"employees < {2**70}") is None


def test_now_becomes_a_bound_instant() -> None:
    assert _sql("created_at >= now - 1d") == Sql(
        "created_at >= ?", ("2026-03-01T09:00:00.000000",), True
    )


def test_between_in_and_null() -> None:
    assert _sql("score between 10 and 20") == Sql(
        "(score >= ?) AND (score <= ?)", (10.0, 20.0), True
    )
    assert _sql("owner_id is null") == Sql("owner_id IS NULL", (), True)
    assert _sql("industry not in ['a', 3]") == Sql("industry NOT IN (?)", ("a",), True)


def test_order_rows_nulls_last_ties_by_key() -> None:
    rows = [("d", None), ("b", 2), ("a", 2), ("c", 1), ("e", None)]
    asc = order_rows(rows, lambda r: r[1], lambda r: r[0], False)
    desc = order_rows(rows, lambda r: r[1], lambda r: r[0], True)
    assert [r[0] for r in asc] == ["c", "a", "b", "d", "e"]
    assert [r[0] for r in desc] == ["a", "b", "c", "d", "e"]
    assert is_after(None, "e", (None, "d"), False)
    assert not is_after(None, "c", (None, "d"), False)
    assert is_after(None, "a", (5, "z"), True)


def test_bad_arguments_name_the_field() -> None:
    cases = {
        "order_by": {"order_by": "nope"},
        "limit": {"limit": -1},
        "at": {"at": datetime(2026, 1, 1)},
        "after": {"after": "%%%"},
    }
    for path, kwargs in cases.items():
        args = {"order_by": "id", "limit": None, "after": None, "at": None, **kwargs}
        with pytest.raises(ValidationError) as info:
            build_query(LEADS, None, **args)  # type: ignore[arg-type]
        assert info.value.paths == (path,)
    with pytest.raises(ValidationError) as info:
        build_query(LEADS, 42, order_by="id", limit=None, after=None, at=None)  # type: ignore[arg-type]
    assert info.value.paths == ("where",)


def test_date_literals_bind_as_text() -> None:
    opps = REPOSITORIES["opportunities"]
    q = build_query(
        opps, parse("close_date <= date('2026-06-30')"), order_by="id", limit=None,
        after=None, at=None,
    )  # fmt: skip
    assert q.prefilter == Sql("close_date <= ?", (date(2026, 6, 30).isoformat(),), True)
