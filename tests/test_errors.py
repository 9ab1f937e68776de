"""The error tree: builtin bases, structured fields, pickling."""

from __future__ import annotations

import pickle

import pytest

from salescore.errors import (
    ConcurrencyError,
    FieldError,
    NotFound,
    RuleSyntaxError,
    SalescoreError,
    StorageError,
    TransitionError,
    ValidationError,
)


@pytest.mark.parametrize(
    ("cls", "builtin"),
    [
        (ValidationError, ValueError),
        (TransitionError, ValueError),
        (NotFound, LookupError),
        (ConcurrencyError, RuntimeError),
        (StorageError, RuntimeError),
        (RuleSyntaxError, ValidationError),
    ],
)
def test_each_error_subclasses_the_builtin_it_resembles(cls: type, builtin: type) -> None:
    assert issubclass(cls, SalescoreError)
    assert issubclass(cls, builtin)


def test_validation_error_lists_every_problem() -> None:
    err = ValidationError(
        [FieldError("emails[0]", "x@", "is not an email"), FieldError("employees", -1, "neg")],
        "Lead",
    )
    assert err.paths == ("emails[0]", "employees")
    assert str(err) == (
        "invalid Lead (2 problems): emails[0]: is not an email (got 'x@'); employees: neg (got -1)"
    )
    assert err.prefixed("lead").paths == ("lead.emails[0]", "lead.employees")
    assert FieldError("[2]", 1, "m").prefixed("items").path == "items[2]"


def test_validation_error_needs_a_problem() -> None:
    with pytest.raises(ValueError):
        ValidationError([])


def test_transition_error_fields_and_message() -> None:
    err = TransitionError("lead-1", "working", "converted", ["only conversion reaches it"])
    assert (err.subject_id, err.from_state, err.to_state) == ("lead-1", "working", "converted")
    assert err.reasons == ("only conversion reaches it",)
    assert str(err) == "cannot move lead-1 working → converted: only conversion reaches it"


def test_rule_syntax_error_fields() -> None:
    err = RuleSyntaxError(
        "unexpected '=='", text="x == null", line=1, column=3, expected=("is null",)
    )
    assert (err.line, err.column, err.expected) == (1, 3, ("is null",))
    assert err.errors[0].path == "rule"
    assert "expected is null" in str(err)


@pytest.mark.parametrize(
    "err",
    [
        ValidationError.single("a", 1, "bad"),
        TransitionError("x", None, "y", "no"),
        RuleSyntaxError("m", text="t", line=2, column=5, expected=("a",)),
    ],
)
def test_errors_pickle(err: Exception) -> None:
    back = pickle.loads(pickle.dumps(err))
    assert type(back) is type(err)
    assert str(back) == str(err)
