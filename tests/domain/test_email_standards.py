"""Email addresses by the standards: email-validator, IDNA 2008, NFC, byte limits."""

from __future__ import annotations

import subprocess
import sys

import pytest
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

from salescore.domain._normalize import (
    _ascii_email,
    _email_text,
    _standard_email,
    normalize_domain,
    normalize_email,
    normalize_phone,
)
from salescore.errors import ValidationError


def refusal(raw: str) -> str:
    with pytest.raises(ValidationError) as info:
        normalize_email(raw)
    assert info.value.paths == ("email",)
    return info.value.errors[0].message


# --- the normal form --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "normal"),
    [
        # NFC: the same mailbox typed two ways is one address.
        ("s\u0323\u0307@nfc.tld", "\u1e69@nfc.tld"),
        ("s\u0307\u0323@nfc.tld", "\u1e69@nfc.tld"),
        ("Jose\u0301@Example.com", "Jos\u00e9@example.com"),
        # IDNA 2008, not Python's IDNA 2003 codec (which gives fass.de).
        ("jo@faß.de", "jo@xn--fa-hia.de"),
        ("jo@FASS.de", "jo@fass.de"),
        ("jo@Bücher.DE", "jo@xn--bcher-kva.de"),
        ("jo@xn--fa-hia.de", "jo@xn--fa-hia.de"),
        # The case of the local part is kept, also for role names.
        ("Postmaster@Example.com", "Postmaster@example.com"),
        # Documented differences from email-validator's defaults.
        ("a@b.test", "a@b.test"),
        ("A@B.INVALID", "A@b.invalid"),
        ("ü@bücher.test", "ü@xn--bcher-kva.test"),
        ("a@host.local", "a@host.local"),
        ("  a@example.com. ", "a@example.com"),
        ("é" * 32 + "@example.com", "é" * 32 + "@example.com"),
    ],
)
def test_normal_form(raw: str, normal: str) -> None:
    assert normalize_email(raw) == normal
    assert normalize_email(normal) == normal


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        # IDNA 2008 refuses what IDNA 2003 rewrote (to me@1.wouldbeinvalid.com).
        ("me@\u2488wouldbeinvalid.com", "invalid characters"),
        # A lone combining mark is neither a local part nor a label.
        ("\u0301@example.com", "unsafe characters"),
        ("a@\u0301.com", "unsafe characters"),
        ("a@x.\u0301.com", "combining"),
        ("a.\u0301b@example.com", "begins with a combining mark"),
        # Lengths are counted in UTF-8 bytes.
        ("é" * 64 + "@example.com", "longer than 64 bytes in UTF-8"),
        ("é" * 33 + "@example.com", "longer than 64 bytes in UTF-8"),
        ("a@" + ".".join(["ü" * 20] * 9) + ".de", "too long"),
        # Invisible characters are refused, never stripped.
        ("a@paypal.com\u200b", "ZERO WIDTH SPACE"),
        ("a\u200d@paypal.com", "ZERO WIDTH JOINER"),
        ("a@pay\u00adpal.com", "SOFT HYPHEN"),
        # Quoted local parts, domain literals and display names.
        ('"ana"@example.com', "quoted"),
        ('"ánä"@example.com', "not allowed"),
        ("a@[1.2.3.4]", "address literals"),
        ("Ana <ana@example.com>", "must not contain spaces"),
        ("Ánä<ana@example.com>", "display name"),
        ("a@xn--zz.com", "not valid IDNA"),
    ],
)
def test_refused_by_the_standards(raw: str, message: str) -> None:
    assert message in refusal(raw)


def test_email_validator_is_imported_only_when_needed() -> None:
    code = (
        "import sys, salescore.domain.parties as p;"
        "p.normalize_email('Ana@Acme.io');"
        "print('email_validator' in sys.modules, 'idna' in sys.modules);"
        "p.normalize_email('jo@faß.de');"
        "print('email_validator' in sys.modules, 'idna' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False", "True", "True"]


# --- the ASCII fast path decides exactly as email-validator --------------------------------

_ALPHABET = "aAzZ09._-+@\"'()[]<>!#~`{}|\\/=?^$%&*,;:x"
_LOCAL = st.text("abcXYZ019!#$%&'*+/=?^_`{|}~-.", min_size=0, max_size=70)
_LABEL = st.text("abcXYZ019-", min_size=0, max_size=66)
_TLD = st.sampled_from(["com", "io", "test", "invalid", "local", "onion", "arpa", "c1", "1", ""])


@st.composite
def ascii_addresses(draw: st.DrawFn) -> str:
    if draw(st.integers(0, 3)) == 0:
        return draw(st.text(_ALPHABET, max_size=30))
    labels = draw(st.lists(_LABEL, min_size=0, max_size=5))
    domain = ".".join([*labels, draw(_TLD)])
    if draw(st.integers(0, 5)) == 0:
        domain = domain.upper()
    local = draw(_LOCAL)
    if draw(st.integers(0, 9)) == 0:
        local = local * 4
    return f"{local}@{domain}"


def _outcome(check: object, text: str) -> str | None:
    assert callable(check)
    try:
        result = check(text, text, "email")
    except ValidationError:
        return None
    assert isinstance(result, str)
    return result


@settings(max_examples=800)
@given(ascii_addresses())
@example("a@b.test")
@example("a@" + "b" * 63 + ".com")
@example("a@" + "b" * 64 + ".com")
@example("a@ab--c.com")
@example("a@a---b.com")
@example("a" * 64 + "@example.com")
@example("a" * 65 + "@example.com")
@example("a@" + ".".join(["abcdefghi"] * 25) + ".com")
@example("a" * 64 + "@" + ".".join(["b" * 62] * 3) + ".com")
@example("Postmaster@X.COM")
@example("a@b.c1")
@example("a@b.1")
@example("a@b-.com")
@example(".a@b.com")
@example("a.@b.com")
@example("a@b")
@example("@b.com")
@example("a@")
def test_ascii_fast_path_agrees_with_email_validator(raw: str) -> None:
    try:
        text = _email_text(raw, "email")
    except ValidationError:
        return
    assume("xn--" not in text.lower())
    assert _outcome(_ascii_email, text) == _outcome(_standard_email, text)


# --- domains and phones: IDNA 2008, invisible characters, extensions -------------------------


@pytest.mark.parametrize(
    ("raw", "normal"),
    [("faß.de", "xn--fa-hia.de"), ("https://www.Bücher.de/x", "xn--bcher-kva.de")],
)
def test_web_domains_use_idna_2008(raw: str, normal: str) -> None:
    assert normalize_domain(raw) == normal


@pytest.mark.parametrize("raw", ["paypal.com\u200b", "\u2488acme.com", "\u0301.com", "xn--zz.com"])
def test_web_domains_refuse_invisible_and_invalid_characters(raw: str) -> None:
    with pytest.raises(ValidationError) as info:
        normalize_domain(raw)
    assert info.value.paths == ("domain",)


@pytest.mark.parametrize(
    "raw", ["+1 415 555 2671;ext=1", "+1 415-555-2671 x12", "+1 (415) 555-2671 ext. 7"]
)
def test_a_phone_extension_is_refused_not_dropped(raw: str) -> None:
    with pytest.raises(ValidationError) as info:
        normalize_phone(raw)
    assert info.value.paths == ("phone",)
    assert "has an extension" in info.value.errors[0].message


@pytest.mark.parametrize(
    "raw", ["+14155552671\u200b", "+1 415\u200b555 2671", "+1\u2060415 555 2671"]
)
def test_invisible_characters_in_a_phone_are_refused(raw: str) -> None:
    with pytest.raises(ValidationError) as info:
        normalize_phone(raw)
    assert "invisible or control character" in info.value.errors[0].message


def test_national_numbers_are_parsed_once_per_text_and_region() -> None:
    from salescore.domain._normalize import _parse_phone

    _parse_phone.cache_clear()
    assert normalize_phone("030 1234567", "DE") == "+49301234567"
    assert normalize_phone("030 1234567", "de") == "+49301234567"
    assert normalize_phone("020 7946 0958", "GB") == "+442079460958"
    info = _parse_phone.cache_info()
    assert (info.hits, info.misses) == (1, 2)
