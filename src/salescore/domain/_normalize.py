"""Normalisation and validation of contact points: emails, phones, domains, countries.

Everything here is offline: no DNS or SMTP lookup ever happens. Each function
returns the normal form of a valid value and raises a
:class:`~salescore.errors.ValidationError` naming the field otherwise. Every
function is idempotent: normalising a normal value returns it unchanged (and
cheaply: the common, already-normal case is recognised by one regular
expression before any detailed work).
"""

from __future__ import annotations

import functools
import re
import unicodedata
import zoneinfo
from typing import Any, Final

from salescore._iso3166 import COUNTRY_CODES
from salescore._validation import fail, line_ok
from salescore.money import Money

__all__ = [
    "COUNTRY_CODES",
    "normalize_country",
    "normalize_domain",
    "normalize_email",
    "normalize_phone",
    "normalize_time_zone",
]

# The fast paths: an address or domain that is certainly normal already.
# Stricter than the rules (no "--" in a label, a letters-only top-level
# domain) and only used on values of at most 64 characters, which bounds the
# local part and every label; anything else takes the detailed path, which
# returns a normal value unchanged too. Possessive quantifiers: no backtracking.
_FAST_MAX: Final = 64
_ATEXT = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]"
_NORMAL_DOMAIN: Final = re.compile(r"(?:[a-z0-9]++(?:-[a-z0-9]++)*+\.)++[a-z]++")
_NORMAL_EMAIL: Final = re.compile(rf"{_ATEXT}++(?:\.{_ATEXT}++)*+@{_NORMAL_DOMAIN.pattern}")
_DOT_ATOM: Final = re.compile(rf"{_ATEXT}+(?:\.{_ATEXT}+)*")
_R_LDH: Final = re.compile(r"(?!xn)..--")  # RFC 5890: "ab--" starts only a punycode label
_LDH: Final = re.compile(r"[a-z0-9](?:[a-z0-9-]*[a-z0-9])?")
_E164: Final = re.compile(r"\+[1-9][0-9]{7,14}")
_SCHEME: Final = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*://")
_LOCAL_MAX_BYTES: Final = 64

# The cheap "already normal" checks of the aggregates' fast paths.
_email_ok: Final = _NORMAL_EMAIL.fullmatch
_domain_ok: Final = _NORMAL_DOMAIN.fullmatch
_phone_ok: Final = _E164.fullmatch


def _lines_ok(*values: Any) -> bool:
    """Each value is ``None`` or one line of text without surrounding spaces."""
    for v in values:
        if v is not None and (type(v) is not str or v.strip() is not v or not line_ok(v)):
            return False
    return True


def _company_ok(domain: Any, employees: Any, annual_revenue: Any, country: Any) -> bool:
    """A company's web domain, head count, revenue and country each ``None`` or normal."""
    return (
        (
            domain is None
            or (
                type(domain) is str
                and len(domain) <= _FAST_MAX
                and not domain.startswith("www.")
                and _domain_ok(domain) is not None
            )
        )
        and (employees is None or (type(employees) is int and employees >= 0))
        and (
            annual_revenue is None or (type(annual_revenue) is Money and annual_revenue.amount >= 0)
        )
        and (country is None or (type(country) is str and country in COUNTRY_CODES))
    )


_EMAIL_MAX_BYTES: Final = 254
_DOMAIN_MAX: Final = 253
_LABEL_MAX: Final = 63


def _invisible(text: str, *, spaces: bool = False) -> str | None:
    """The first invisible or control character of ``text`` (``None``: there is none).

    Format characters (zero-width spaces and joiners, direction marks, soft
    hyphens), control characters, separators, private-use and unassigned
    code points are refused rather than silently dropped: ``"a@paypal.com\\u200b"``
    is not ``"a@paypal.com"``. With ``spaces``, ordinary spaces are allowed.
    """
    for ch in text:
        category = unicodedata.category(ch)
        if category[0] == "C" or (category[0] == "Z" and not (spaces and category == "Zs")):
            return f"U+{ord(ch):04X} {unicodedata.name(ch, 'unnamed')}"
    return None


def _domain_problem(domain: str) -> str | None:
    """Why an ASCII, lower-case domain is not a valid host name (``None`` if valid)."""
    if len(domain) > _DOMAIN_MAX:
        return "domain is longer than 253 characters"
    labels = domain.split(".")
    if len(labels) < 2:
        return "domain needs at least two labels (such as 'example.com')"
    for label in labels:
        if not label:
            return "domain has an empty label (two dots in a row, or a leading dot)"
        if len(label) > _LABEL_MAX:
            return f"domain label {label!r} is longer than 63 characters"
        if not _LDH.fullmatch(label):
            return f"domain label {label!r} may hold only letters, digits and inner hyphens"
    if labels[-1].isdigit():
        return "the top-level domain cannot be all digits"
    return None


def _to_ascii_domain(value: str) -> tuple[str | None, str | None]:
    """Lower-case and IDNA 2008-encode a domain; return ``(domain, problem)``."""
    text = value.strip()
    if text.endswith("."):
        text = text[:-1]  # the root
    if not text:
        return None, "domain is empty"
    if text.startswith("["):
        return None, "address literals ([1.2.3.4]) are not accepted"
    text = text.lower() if text.isascii() else text
    if not text.isascii() or "xn--" in text:
        hidden = _invisible(text)
        if hidden:
            return None, f"domain contains an invisible or control character ({hidden})"
        import idna  # IDNA 2008 with the UTS 46 mapping; the stdlib codec is IDNA 2003

        try:
            text = idna.encode(text, uts46=True, std3_rules=True, transitional=False).decode()
        except (idna.IDNAError, UnicodeError) as exc:
            return None, f"domain is not a valid international name (IDNA 2008: {exc})"
    problem = _domain_problem(text)
    if problem:
        return None, problem
    return text, None


def _email_text(value: Any, path: str) -> str:
    """The address with surrounding whitespace and a trailing root dot dropped."""
    if not isinstance(value, str):
        fail(path, value, "must be an email address (a string)")
    text = value.strip()
    if not text:
        fail(path, value, "must not be blank")
    if any(ch.isspace() for ch in text):
        fail(path, value, "must not contain spaces")
    if text.endswith(".") and "@" in text:
        text = text[:-1]
    return text


def _ascii_email(text: str, value: Any, path: str) -> str:
    """Validate and normalise an ASCII address without punycode labels.

    The fast path: it decides exactly as :func:`_standard_email` does (the
    tests hold the two to that), without importing email-validator.
    """
    local, at, domain = text.rpartition("@")
    if not at or not local:
        fail(path, value, "must look like local-part@domain")
    if not _DOT_ATOM.fullmatch(local):
        fail(
            path,
            value,
            "the part before '@' may hold only letters, digits and !#$%&'*+/=?^_`{|}~- "
            "between single dots (quoted local parts and display names are not accepted)",
        )
    if len(local) > _LOCAL_MAX_BYTES:
        fail(path, value, "the part before '@' is longer than 64 bytes")
    if not domain:
        fail(path, value, "there must be something after the '@'")
    if len(domain) > _DOMAIN_MAX:
        fail(path, value, "the domain is longer than 253 characters")
    domain = domain.lower()
    labels = domain.split(".")
    for label in labels:
        if not _LDH.fullmatch(label):
            if label.startswith("["):
                fail(path, value, "address literals ([1.2.3.4]) are not accepted")
            fail(
                path,
                value,
                f"domain label {label!r} may hold only letters, digits and inner hyphens",
            )
        if len(label) > _LABEL_MAX:
            fail(path, value, f"domain label {label!r} is longer than 63 characters")
        if _R_LDH.match(label):
            fail(path, value, f"domain label {label!r} has '--' in third and fourth place")
    if len(labels) < 2 or not domain[-1].isalpha():
        fail(path, value, "the domain must have a dot and end in a top-level domain")
    if len(text) > _EMAIL_MAX_BYTES:
        fail(path, value, "is longer than 254 characters")
    return f"{local}@{domain}"


def _standard_email(text: str, value: Any, path: str) -> str:
    """Validate and normalise any address with ``email-validator`` (syntax only).

    Its defaults differ from salescore's in three ways, which this bridges:
    special-use domains (``.test``, ``.invalid`` …) are accepted here (they
    are swapped for a placeholder of the same length while validating); the
    local part keeps its case (email-validator lower-cases role names such
    as ``Postmaster``); and lengths are counted in UTF-8 bytes (64 for the
    local part, 254 for the whole address).
    """
    import email_validator
    import idna

    local, at, domain = text.rpartition("@")
    special = ""
    if at:
        try:
            mapped = idna.uts46_remap(domain, std3_rules=False, transitional=False)
        except (idna.IDNAError, UnicodeError):
            mapped = ""  # email-validator says what is wrong
        for name in email_validator.SPECIAL_USE_DOMAIN_NAMES:
            if mapped == name or mapped.endswith("." + name):
                special = name
                placeholder = re.sub(r"[^.]", "a", name)
                text = f"{local}@{mapped[: -len(name)]}{placeholder}"
                break
    try:
        found = email_validator.validate_email(
            text,
            check_deliverability=False,
            allow_smtputf8=True,
            allow_empty_local=False,
            allow_quoted_local=False,
            allow_domain_literal=False,
            allow_display_name=False,
            strict=True,
            globally_deliverable=True,
            test_environment=False,
        )
    except email_validator.EmailNotValidError as exc:
        fail(path, value, str(exc))
    ascii_domain = found.ascii_domain
    if special:
        ascii_domain = ascii_domain[: -len(special)] + special
    local = unicodedata.normalize("NFC", local)
    for atom in local.split("."):
        if unicodedata.category(atom[0])[0] == "M":
            fail(path, value, "a part of the local part begins with a combining mark")
    if len(local.encode()) > _LOCAL_MAX_BYTES:
        fail(path, value, "the part before '@' is longer than 64 bytes in UTF-8")
    result = f"{local}@{ascii_domain}"
    if len(result.encode()) > _EMAIL_MAX_BYTES:
        fail(path, value, "is longer than 254 bytes in UTF-8")
    return result


def _email(value: Any, path: str, region: str | None = None) -> str:
    if type(value) is str and len(value) <= _FAST_MAX and _NORMAL_EMAIL.fullmatch(value):
        return value
    text = _email_text(value, path)
    if text.isascii() and "xn--" not in text.lower():
        return _ascii_email(text, value, path)
    return _standard_email(text, value, path)


def normalize_email(value: str) -> str:
    """Validate an email address and return its normal form, without any network lookup.

    Addresses are checked by the standards through
    `email-validator <https://pypi.org/project/email-validator/>`_ (syntax
    only: no DNS lookup ever happens), imported only for addresses that are
    not plain ASCII; plain ASCII addresses take a fast path that decides
    exactly as email-validator does.

    The normal form is the local part in Unicode NFC with its case kept
    (mail servers may treat it case-sensitively), ``@``, and the domain as
    lower-case IDNA 2008 A-labels (punycode): ``jo@faß.de`` becomes
    ``jo@xn--fa-hia.de`` (Python's own ``idna`` codec implements IDNA 2003,
    which would give the different domain ``fass.de``). Idempotent.

    Where salescore differs from email-validator's defaults:

    * special-use domains (``.test``, ``.invalid``, ``.local`` …) are
      accepted, as the offline check it is;
    * surrounding whitespace and a trailing root dot (``a@b.com.``) are
      dropped;
    * quoted local parts, domain literals (``a@[1.2.3.4]``) and display
      names (``Ana <a@b.com>``) are refused;
    * the local part is limited to 64 bytes and the address to 254 bytes of
      UTF-8 (``"é" * 64`` is 128 bytes), and a dot-separated part of the local
      part cannot begin with a combining mark.

    Invisible characters (``"a@paypal.com\\u200b"``, a zero-width space) are
    refused, never stripped.

    Args:
        value: The address as entered.

    Returns:
        The normal form, e.g. ``'Ana.Silva@acme.io'`` for ``' Ana.Silva@Acme.io '``.

    Raises:
        ValidationError: the address is malformed (path ``email``).

    Example:
        >>> normalize_email("Ana.Silva@Acme.io")
        'Ana.Silva@acme.io'
        >>> normalize_email("jo@bücher.de")
        'jo@xn--bcher-kva.de'
    """
    return _email(value, "email")


def _domain(value: Any, path: str, region: str | None = None) -> str:
    if (
        type(value) is str
        and len(value) <= _FAST_MAX
        and not value.startswith("www.")
        and _NORMAL_DOMAIN.fullmatch(value)
    ):
        return value
    if not isinstance(value, str):
        fail(path, value, "must be a web domain (a string such as 'acme.io')")
    text = _SCHEME.sub("", value.strip())
    text = text.split("/", 1)[0].split("?", 1)[0].split("#", 1)[0]
    if "@" in text:
        fail(path, value, "must be a web domain, not an email address")
    if ":" in text:
        text = text.split(":", 1)[0]
    while text.lower().startswith("www.") and text.count(".") >= 2:
        text = text[4:]
    result, problem = _to_ascii_domain(text)
    if problem or result is None:
        fail(path, value, problem or "bad domain")
    return result


def normalize_domain(value: str) -> str:
    """Validate a web domain and return its normal form.

    A scheme, path, port, a leading ``www.`` and a trailing root dot are
    dropped; the rest is lower-cased and encoded to IDNA 2008 A-labels
    (punycode, with the UTS 46 mapping: ``faß.de`` is ``xn--fa-hia.de``).
    Invisible characters (a zero-width space) are refused, never stripped.
    Idempotent.

    Args:
        value: A domain or a web address (``'https://www.Acme.io/pricing'``).

    Returns:
        The bare domain (``'acme.io'``).

    Raises:
        ValidationError: not a valid host name (path ``domain``).
    """
    return _domain(value, "domain")


def _phone(value: Any, path: str, default_region: str | None) -> str:
    if type(value) is str and _E164.fullmatch(value):
        return value
    if not isinstance(value, str):
        fail(path, value, "must be a phone number (a string)")
    text = value.strip()
    if not text:
        fail(path, value, "must not be blank")
    if _E164.fullmatch(text):
        return text
    region = default_region.upper() if isinstance(default_region, str) else None
    if region is None and not text.startswith("+"):
        fail(path, value, "is not in E.164 form and no default region was given to read it")
    try:
        import phonenumbers  # noqa: F401  (the optional extra)
    except ImportError:
        if text.startswith("+"):
            fail(
                path,
                value,
                "must be in E.164 form ('+' then 8 to 15 digits, no spaces); install "
                "the optional extra salescore[phone] to accept other formats",
            )
        raise ImportError(
            f"normalising the phone number {value!r} with a default region needs the "
            "optional 'phonenumbers' package: pip install 'salescore[phone]' (or pass "
            "numbers in E.164 form, such as '+14155552671')"
        ) from None
    number, problem = _parse_phone(text, region)
    if problem is not None:
        fail(path, value, problem)
    assert number is not None
    return number


@functools.lru_cache(maxsize=8192)
def _parse_phone(text: str, region: str | None) -> tuple[str | None, str | None]:
    """Parse a number with ``phonenumbers``: ``(E.164 form, None)`` or ``(None, problem)``.

    Cached per (text, region): parsing a national number is the slow part of
    creating a lead, and the same numbers (a switchboard, a re-import) recur.
    """
    import phonenumbers

    hidden = _invisible(text, spaces=True)
    if hidden:
        return None, f"contains an invisible or control character ({hidden})"
    try:
        parsed = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException as exc:
        return None, f"is not a phone number ({exc})"
    if parsed.extension:
        return None, (
            f"has an extension ({parsed.extension}), which an E.164 number cannot hold: "
            "store the number without it and keep the extension apart"
        )
    if not phonenumbers.is_valid_number(parsed):
        where = f" in region {region}" if region else ""
        return None, f"is not a valid phone number{where}"
    return str(phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)), None


def normalize_phone(value: str, default_region: str | None = None) -> str:
    """Validate a phone number and return it in E.164 form (``'+14155552671'``).

    A number already in E.164 form is checked for its shape (``+``, then 8 to
    15 digits, the first not 0) and returned as it is. Any other format is
    parsed with the `phonenumbers <https://pypi.org/project/phonenumbers/>`_
    library (Google's libphonenumber), the optional extra ``salescore[phone]``,
    imported only when needed; national formats need ``default_region`` (an
    ISO 3166 country code such as ``"GB"``). Idempotent.

    Args:
        value: The number as entered.
        default_region: The country to read a national number in.

    Returns:
        The E.164 form.

    Raises:
        ValidationError: the number is malformed or invalid, holds an invisible
            or control character (refused, never stripped), or has an
            extension (``"+1 415 555 2671;ext=12"``, ``"… x12"``): E.164 has
            no extensions, so one is refused rather than silently dropped
            (path ``phone``).
        ImportError: the number is not in E.164 form and the ``phone`` extra
            is not installed (the message names the extra).
    """
    return _phone(value, "phone", default_region)


def _country(value: Any, path: str, region: str | None = None) -> str:
    if type(value) is str and value in COUNTRY_CODES:
        return value
    if not isinstance(value, str):
        fail(path, value, "must be an ISO 3166-1 alpha-2 country code (a string)")
    code = value.strip().upper()
    if code in COUNTRY_CODES:
        return code
    hint = "; did you mean 'GB'?" if code == "UK" else ""
    fail(path, value, f"is not an ISO 3166-1 alpha-2 country code (such as 'DE'){hint}")


def normalize_country(value: str) -> str:
    """Validate an ISO 3166-1 alpha-2 country code and return it upper-case.

    The code is checked against the built-in list of the 249 officially
    assigned codes (``salescore._iso3166``).

    Args:
        value: A two-letter code in any case (``'de'``).

    Returns:
        The upper-case code (``'DE'``).

    Raises:
        ValidationError: not an assigned code (path ``country``).
    """
    return _country(value, "country")


#: Names already found in the time-zone database (a cache; the database is
#: read through :mod:`zoneinfo`, which caches zones itself).
_KNOWN_ZONES: Final[set[str]] = set()


def _known_zone(name: str) -> bool:
    if name in _KNOWN_ZONES:
        return True
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
        return False
    if len(_KNOWN_ZONES) < 4096:
        _KNOWN_ZONES.add(name)
    return True


def _time_zone(value: Any, path: str, region: str | None = None) -> str:
    if type(value) is str and value in _KNOWN_ZONES:
        return value
    if not isinstance(value, str) or not value.strip():
        fail(path, value, "must be an IANA time-zone name such as 'Europe/Berlin'")
    name = value.strip()
    if not _known_zone(name):
        fail(path, value, "is not a known IANA time-zone name (such as 'Europe/Berlin')")
    return name


def normalize_time_zone(value: str) -> str:
    """Check an IANA time-zone name through :mod:`zoneinfo` and return it.

    Args:
        value: A name such as ``'America/New_York'``.

    Returns:
        The name, stripped of surrounding spaces.

    Raises:
        ValidationError: the time-zone database does not know it (path ``time_zone``).
    """
    return _time_zone(value, "time_zone")
