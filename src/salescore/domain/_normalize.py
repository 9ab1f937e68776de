"""Normalisation and validation of contact points: emails, phones, domains, countries.

Everything here is offline: no DNS or SMTP lookup ever happens. Each function
returns the normal form of a valid value and raises a
:class:`~salescore.errors.ValidationError` naming the field otherwise. Every
function is idempotent: normalising a normal value returns it unchanged (and
cheaply: the common, already-normal case is recognised by one regular
expression before any detailed work).
"""

from __future__ import annotations

import re
import zoneinfo
from typing import Any, Final

from salescore._iso3166 import COUNTRY_CODES
from salescore._validation import fail

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
_ATEXT_CHARS: Final = frozenset(
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&'*+/=?^_`{|}~-"
)
_LDH: Final = re.compile(r"[a-z0-9](?:[a-z0-9-]*[a-z0-9])?")
_E164: Final = re.compile(r"\+[1-9][0-9]{7,14}")
_SCHEME: Final = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*://")


def _domain_problem(domain: str) -> str | None:
    """Why an ASCII, lower-case domain is not a valid host name (``None`` if valid)."""
    if len(domain) > 253:
        return "domain is longer than 253 characters"
    labels = domain.split(".")
    if len(labels) < 2:
        return "domain needs at least two labels (such as 'example.com')"
    for label in labels:
        if not label:
            return "domain has an empty label (two dots in a row, or a leading dot)"
        if len(label) > 63:
            return f"domain label {label!r} is longer than 63 characters"
        if not _LDH.fullmatch(label):
            return f"domain label {label!r} may hold only letters, digits and inner hyphens"
    if labels[-1].isdigit():
        return "the top-level domain cannot be all digits"
    return None


def _to_ascii_domain(value: str) -> tuple[str | None, str | None]:
    """Lower-case and IDNA-encode a domain; return ``(domain, problem)``."""
    text = value.strip().rstrip(".").lower()
    if not text:
        return None, "domain is empty"
    if text.startswith("["):
        return None, "address literals ([1.2.3.4]) are not accepted"
    if not text.isascii():
        try:
            text = text.encode("idna").decode("ascii")
        except UnicodeError as exc:
            return None, f"domain cannot be encoded as an international name ({exc})"
    problem = _domain_problem(text)
    if problem:
        return None, problem
    return text, None


def _email(value: Any, path: str) -> str:
    if type(value) is str and len(value) <= _FAST_MAX and _NORMAL_EMAIL.fullmatch(value):
        return value
    if not isinstance(value, str):
        fail(path, value, "must be an email address (a string)")
    text = value.strip()
    if not text:
        fail(path, value, "must not be blank")
    if any(ch.isspace() for ch in text):
        fail(path, value, "must not contain spaces")
    local, at, domain = text.rpartition("@")
    if not at or not local:
        fail(path, value, "must look like local-part@domain")
    if '"' in local or "@" in local:
        fail(path, value, "quoted local parts and extra '@' signs are not accepted")
    if len(local) > 64:
        fail(path, value, "the part before '@' is longer than 64 characters")
    if local.startswith(".") or local.endswith(".") or ".." in local:
        fail(path, value, "the part before '@' cannot start or end with a dot or hold '..'")
    for ch in local:
        if ch != "." and ch not in _ATEXT_CHARS and (ch.isascii() or not ch.isprintable()):
            fail(path, value, f"the part before '@' cannot contain {ch!r}")
    ascii_domain, problem = _to_ascii_domain(domain)
    if problem or ascii_domain is None:
        fail(path, value, problem or "bad domain")
    result = f"{local}@{ascii_domain}"
    if len(result) > 254:
        fail(path, value, "is longer than 254 characters")
    return result


def normalize_email(value: str) -> str:
    """Validate an email address and return its normal form, without any network lookup.

    Surrounding spaces are dropped, the domain is lower-cased and an
    international domain is encoded to punycode (through the standard
    library's ``idna`` codec); the local part keeps its case (mail servers
    may treat it case-sensitively). Quoted local parts and address literals
    are refused. Idempotent.

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


def _domain(value: Any, path: str) -> str:
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

    A scheme, path, port and a leading ``www.`` are dropped; the rest is
    lower-cased and punycode-encoded. Idempotent.

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
    try:
        import phonenumbers
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
    region = default_region.upper() if isinstance(default_region, str) else None
    if region is None and not text.startswith("+"):
        fail(path, value, "is not in E.164 form and no default region was given to read it")
    try:
        parsed = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException as exc:
        fail(path, value, f"is not a phone number ({exc})")
    if not phonenumbers.is_valid_number(parsed):
        where = f" in region {region}" if region else ""
        fail(path, value, f"is not a valid phone number{where}")
    return str(phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164))


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
        ValidationError: the number is malformed or invalid (path ``phone``).
        ImportError: the number is not in E.164 form and the ``phone`` extra
            is not installed (the message names the extra).
    """
    return _phone(value, "phone", default_region)


def _country(value: Any, path: str) -> str:
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


def _time_zone(value: Any, path: str) -> str:
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
