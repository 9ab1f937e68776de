"""Truth: Kleene's three-valued logic, exactly."""

from __future__ import annotations

import pytest
from hypothesis import given

from salescore.rules import Truth
from salescore.testing.strategies import truths

T, F, U = Truth.TRUE, Truth.FALSE, Truth.UNKNOWN

AND_TABLE = {
    (T, T): T, (T, F): F, (T, U): U,
    (F, T): F, (F, F): F, (F, U): F,
    (U, T): U, (U, F): F, (U, U): U,
}  # fmt: skip
OR_TABLE = {
    (T, T): T, (T, F): T, (T, U): T,
    (F, T): T, (F, F): F, (F, U): U,
    (U, T): T, (U, F): U, (U, U): U,
}  # fmt: skip


@pytest.mark.parametrize(("a", "b"), list(AND_TABLE))
def test_and_table(a: Truth, b: Truth) -> None:
    assert (a & b) is AND_TABLE[a, b]


@pytest.mark.parametrize(("a", "b"), list(OR_TABLE))
def test_or_table(a: Truth, b: Truth) -> None:
    assert (a | b) is OR_TABLE[a, b]


def test_not_table() -> None:
    assert (~T, ~F, ~U) == (F, T, U)


def test_bool_raises() -> None:
    for t in Truth:
        with pytest.raises(TypeError, match="not a bool"):
            bool(t)
    with pytest.raises(TypeError):
        assert not T


def test_operators_refuse_other_types() -> None:
    with pytest.raises(TypeError):
        T & True  # type: ignore[operator]
    with pytest.raises(TypeError):
        F | None  # type: ignore[operator]


def test_of_and_back() -> None:
    assert (Truth.of(True), Truth.of(False), Truth.of(None)) == (T, F, U)
    assert (T.as_optional(), F.as_optional(), U.as_optional()) == (True, False, None)
    assert (T.is_true, F.is_false, U.is_known, T.is_known) == (True, True, False, True)
    assert T.value == "true"
    with pytest.raises(TypeError):
        Truth.of(1)  # type: ignore[arg-type]


@given(truths(), truths(), truths())
def test_de_morgan_and_associativity(a: Truth, b: Truth, c: Truth) -> None:
    assert ~(a & b) is (~a | ~b)
    assert ~(a | b) is (~a & ~b)
    assert ((a & b) & c) is (a & (b & c))
    assert ((a | b) | c) is (a | (b | c))
    assert (a & (b | c)) is ((a & b) | (a & c))
