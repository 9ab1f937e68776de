"""The optional and the tuple normalisers: blanks, repeats and messages, exactly."""

from __future__ import annotations

import pytest

from salescore.domain.normalisers import (
    emails,
    opt_country,
    opt_domain,
    opt_email,
    opt_phone,
    opt_time_zone,
    phones,
)
from salescore.errors import ValidationError

OPTIONAL = [
    (opt_email, "ana@acme.io", "Ana@ACME.io", "Ana@acme.io"),
    (opt_phone, "+4915112345678", "+49 151 12345678", "+4915112345678"),
    (opt_domain, "acme.io", "www.Acme.IO", "acme.io"),
    (opt_country, "DE", " de ", "DE"),
    (opt_time_zone, "Europe/Berlin", " Europe/Berlin ", "Europe/Berlin"),
]


@pytest.mark.parametrize(("normalise", "normal", "given", "expected"), OPTIONAL)
def test_an_optional_normaliser_blanks_to_none_and_keeps_a_normal_value(
    normalise: object, normal: str, given: str, expected: str
) -> None:
    assert callable(normalise)
    assert normalise(None, "f", "DE") is None
    assert normalise("", "f", "DE") is None
    assert normalise(" \t ", "f", "DE") is None
    assert normalise(normal, "f", "DE") is normal
    assert normalise(given, "f", "DE") == expected


def test_an_optional_normaliser_names_the_path_and_keeps_its_names() -> None:
    with pytest.raises(ValidationError) as exc:
        opt_country("Germany", "account.country")
    assert [e.path for e in exc.value.errors] == ["account.country"]
    assert exc.value.errors[0].value == "Germany"
    assert [f.__name__ for f, *_ in OPTIONAL] == [
        "opt_email",
        "opt_phone",
        "opt_domain",
        "opt_country",
        "opt_time_zone",
    ]
    assert opt_email.__doc__ == "An optional email address, normalised."


def test_emails_are_distinct_regardless_of_case_and_each_problem_is_at_its_index() -> None:
    normal = ("ana@acme.io", "bo@acme.io")
    assert emails(normal, "emails", None) is normal
    assert emails(["Ana@ACME.io", "bo@acme.io"], "emails", None) == ("Ana@acme.io", "bo@acme.io")
    with pytest.raises(ValidationError) as exc:
        emails(["ana@acme.io", "ANA@acme.io", "nope"], "emails", None)
    assert [(e.path, e.value) for e in exc.value.errors] == [
        ("emails[1]", "ANA@acme.io"),
        ("emails[2]", "nope"),
    ]
    assert exc.value.errors[0].message == "repeats an address already given"
    with pytest.raises(ValidationError) as exc:
        emails("ana@acme.io", "emails", None)
    assert [(e.path, e.message) for e in exc.value.errors] == [
        ("emails", "must be a sequence of email addresses")
    ]


def test_phones_are_distinct_after_normalising_and_read_in_the_region() -> None:
    normal = ("+4915112345678",)
    assert phones(normal, "phones", "DE") is normal
    with pytest.raises(ValidationError) as exc:
        phones(["0151 12345678", "+49 151 12345678"], "phones", "DE")
    assert [(e.path, e.value, e.message) for e in exc.value.errors] == [
        ("phones[1]", "+49 151 12345678", "repeats a number already given")
    ]
    with pytest.raises(ValidationError) as exc:
        phones(5, "phones", None)
    assert [(e.path, e.message) for e in exc.value.errors] == [
        ("phones", "must be a sequence of phone numbers")
    ]
