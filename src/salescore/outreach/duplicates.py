"""Finding duplicate leads, contacts and accounts, with the rules that fired and a score.

Records are first grouped into blocks by normalised keys (e-mail address,
E.164 phone, web domain, and short keys built from the names), and only
records that share a block are compared: finding the duplicates among
100,000 leads compares a few hundred thousand pairs, never all five
billion. A compared pair is a match when any of these fire:

* ``email``: the same address up to case (both in lower case,
  ``str.lower()`` as the rules' ``lower()``: ``John.Smith@example.com`` is
  ``john.smith@example.com``, though a mail server may tell them apart;
  not a Unicode case fold, so ``straße`` is not ``STRASSE``);
* ``phone``: the same number (E.164);
* ``name`` together with ``company`` or ``domain``: person names at least
  :attr:`MatchRules.name_threshold` similar (``rapidfuzz``'s token-sort
  ratio, so "Silva, Ana" is "Ana Silva") at a company at least
  :attr:`MatchRules.company_threshold` similar or with the same web domain.
  A name alone never makes a match.

For accounts: the same ``domain``, or a ``company`` name at least
``company_threshold`` similar (accounts in different countries never match
on the name alone).

Blank values never match anything (two leads without an e-mail address are
not alike in their address). The score is the strongest rule's: 1.0 for an
e-mail, 0.95 for a phone, and for names the lower of the two similarities
(over 100) times 0.9.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence
from typing import Any, Final

import attrs

from salescore._validation import Checker
from salescore.domain.leads import Lead
from salescore.domain.parties import Account, Contact
from salescore.serialization import register_type

__all__ = ["DuplicateReport", "Match", "MatchRules", "duplicate_groups", "find_duplicates"]


@register_type
@attrs.frozen(kw_only=True)
class MatchRules:
    """How alike two records must be to be duplicates.

    Attributes:
        name_threshold: Least similarity (0–100) of two person names.
        company_threshold: Least similarity (0–100) of two company names.
        use_email: Match on the e-mail address.
        use_phone: Match on the phone number.
        use_names: Match on names (with the company or domain).
        max_block: Blocks with more records than this are not searched
            (a key everyone shares says nothing); their size is reported.

    Raises:
        ValidationError: a threshold outside 0–100 or a block size below 2.
    """

    name_threshold: float = 88.0
    company_threshold: float = 85.0
    use_email: bool = True
    use_phone: bool = True
    use_names: bool = True
    max_block: int = 500

    def __attrs_post_init__(self) -> None:
        with Checker("MatchRules") as c:
            for name in ("name_threshold", "company_threshold"):
                v = getattr(self, name)
                c.check(
                    isinstance(v, int | float) and 0 <= v <= 100, name, v, "must be within 0–100"
                )
            c.check(
                type(self.max_block) is int and self.max_block >= 2,
                "max_block",
                self.max_block,
                "must be a whole number of at least 2",
            )


@attrs.frozen
class Match:
    """Two records that look like the same person or company.

    Attributes:
        left: The id of the record that came first in the input.
        right: The id of the other one.
        score: How sure, in [0, 1].
        rules: The rules that fired (``"email"``, ``"phone"``, ``"name"``,
            ``"company"``, ``"domain"``), in that order.
    """

    left: str
    right: str
    score: float
    rules: tuple[str, ...]


@attrs.frozen
class DuplicateReport:
    """The result of a search for duplicates.

    Attributes:
        matches: Every matching pair, in input order of their left record.
        pairs_compared: How many pairs were compared.
        records: How many records were searched.
        oversized_blocks: Sizes of the blocks not searched (over ``max_block``).
    """

    matches: tuple[Match, ...]
    pairs_compared: int
    records: int
    oversized_blocks: tuple[int, ...] = ()


_PUNCT: Final = str.maketrans(dict.fromkeys(".,;:-_/\\'\"()&+!?@#*", " "))
_COMPANY_NOISE: Final = frozenset(
    {"inc", "llc", "ltd", "gmbh", "ag", "sa", "sas", "bv", "plc", "co", "corp", "the", "limited"}
)


def _fold(text: str | None) -> str:
    """Lower case, accents dropped, punctuation to spaces, spaces collapsed."""
    if not text:
        return ""
    plain = text.casefold()
    if not plain.isascii():
        decomposed = unicodedata.normalize("NFKD", plain)
        plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(plain.translate(_PUNCT).split())


def _company(text: str | None) -> str:
    return " ".join(w for w in _fold(text).split() if w not in _COMPANY_NOISE)


@attrs.frozen
class _Keys:
    id: str
    emails: tuple[str, ...]
    phones: tuple[str, ...]
    domain: str | None
    name: str
    first: str
    last: str
    company: str
    country: str | None


def _keys(record: Any) -> _Keys:
    if isinstance(record, Lead):
        first, last = _fold(record.first_name), _fold(record.last_name)
        return _Keys(
            record.id,
            (record.email.lower(),) if record.email else (),
            (record.phone,) if record.phone else (),
            record.domain,
            f"{first} {last}".strip(),
            first,
            last,
            _company(record.company),
            record.country,
        )
    if isinstance(record, Contact):
        first, last = _fold(record.first_name), _fold(record.last_name)
        return _Keys(
            record.id,
            tuple(e.lower() for e in record.emails),
            record.phones,
            None,
            f"{first} {last}".strip(),
            first,
            last,
            record.account_id or "",
            None,
        )
    if isinstance(record, Account):
        return _Keys(
            record.id, (), (), record.domain, "", "", "", _company(record.name), record.country
        )
    raise TypeError(f"cannot look for duplicates of {type(record).__name__}")


def _block_keys(k: _Keys, rules: MatchRules, accounts: bool) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    if rules.use_email:
        out.extend(("e", e) for e in k.emails)
    if rules.use_phone:
        out.extend(("p", p) for p in k.phones)
    if accounts:
        if k.domain:
            out.append(("d", k.domain))
        if k.company:
            out.append(("c", k.company[:4]))
        return out
    if rules.use_names and k.name:
        # A typo hits one name, so each key pairs a prefix of one name with a
        # prefix of the other (or of the company). Both orders share one tag,
        # so "Silva Ana" meets "Ana Silva".
        first, last, company = k.first, k.last, k.company[:4]
        if first and last:
            out.append(("n", f"{last[:3]}|{first[:2]}"))
            out.append(("n", f"{first[:3]}|{last[:2]}"))
        if company:
            out.extend(("c", f"{company}|{name[:2]}") for name in (first, last) if name)
        if k.domain:
            out.append(("d", f"{k.domain}|{last[:1]}"))
    return out


def _compare(a: _Keys, b: _Keys, rules: MatchRules, ratio: Any, accounts: bool) -> Match | None:
    fired: list[str] = []
    score = 0.0
    if rules.use_email and a.emails and b.emails and not set(a.emails).isdisjoint(b.emails):
        fired.append("email")
        score = 1.0
    if rules.use_phone and a.phones and b.phones and not set(a.phones).isdisjoint(b.phones):
        fired.append("phone")
        score = max(score, 0.95)
    if accounts:
        if a.domain and a.domain == b.domain:
            fired.append("domain")
            score = max(score, 0.95)
        if a.company and b.company and (a.country == b.country or not a.country or not b.country):
            sim = ratio(a.company, b.company)
            if sim >= rules.company_threshold:
                fired.append("company")
                score = max(score, 0.9 * sim / 100)
        return Match(a.id, b.id, round(score, 4), tuple(fired)) if fired else None
    if rules.use_names and a.name and b.name:
        name_sim = ratio(a.name, b.name)
        if name_sim >= rules.name_threshold:
            same_domain = bool(a.domain) and a.domain == b.domain
            company_sim = ratio(a.company, b.company) if a.company and b.company else 0.0
            if company_sim >= rules.company_threshold or same_domain:
                fired.append("name")
                if company_sim >= rules.company_threshold:
                    fired.append("company")
                if same_domain:
                    fired.append("domain")
                best = 100.0 if same_domain else company_sim
                score = max(score, 0.9 * min(name_sim, best) / 100)
    return Match(a.id, b.id, round(score, 4), tuple(fired)) if fired else None


def _rapidfuzz() -> Any:
    try:
        from rapidfuzz import fuzz
    except ImportError:
        raise ImportError(
            "finding duplicates needs the optional 'rapidfuzz' package: "
            "pip install 'salescore[outreach]'"
        ) from None
    return fuzz.token_sort_ratio


def find_duplicates(
    records: Iterable[Lead | Contact | Account], rules: MatchRules | None = None
) -> DuplicateReport:
    """Find the pairs of records that look like the same person (or company).

    Records of one kind are expected (leads with leads, accounts with
    accounts); leads and contacts may be mixed.

    Args:
        records: The records.
        rules: Thresholds and which rules to use; defaults if ``None``.

    Returns:
        Every match with its rules and score, and how many pairs were compared.

    Raises:
        TypeError: a record that is not a lead, contact or account.
        ImportError: ``rapidfuzz`` is not installed.
    """
    r = rules or MatchRules()
    ratio = _rapidfuzz()
    recs = list(records)
    accounts = any(isinstance(x, Account) for x in recs)
    if accounts and not all(isinstance(x, Account) for x in recs):
        raise TypeError("accounts are compared only with accounts, not with leads or contacts")
    keys = [_keys(x) for x in recs]
    blocks: dict[tuple[str, str], list[int]] = {}
    for i, k in enumerate(keys):
        for bk in _block_keys(k, r, accounts):
            blocks.setdefault(bk, []).append(i)
    seen: set[int] = set()
    oversized: list[int] = []
    found: list[tuple[int, int, Match]] = []
    n_keys = len(keys)
    for members in blocks.values():
        size = len(members)
        if size < 2:
            continue
        if size > r.max_block:
            oversized.append(size)
            continue
        for x in range(size):
            i = members[x]
            for y in range(x + 1, size):
                j = members[y]
                if i == j:
                    continue
                pair = i * n_keys + j if i < j else j * n_keys + i
                if pair in seen:
                    continue
                seen.add(pair)
                a, b = (i, j) if i < j else (j, i)
                m = _compare(keys[a], keys[b], r, ratio, accounts)
                if m is not None:
                    found.append((a, b, m))
    found.sort(key=lambda t: (t[0], t[1]))
    matches = [m for _, _, m in found]
    return DuplicateReport(tuple(matches), len(seen), len(keys), tuple(sorted(oversized)))


def duplicate_groups(matches: Sequence[Match]) -> tuple[tuple[str, ...], ...]:
    """Group matched ids into clusters (a match of a with b and of b with c joins all three).

    Returns:
        The clusters of two or more ids, each in order of first appearance,
        in order of their first id's appearance.
    """
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    order: dict[str, int] = {}
    for m in matches:
        for x in (m.left, m.right):
            order.setdefault(x, len(order))
        a, b = find(m.left), find(m.right)
        if a != b:
            if order[a] < order[b]:
                parent[b] = a
            else:
                parent[a] = b
    groups: dict[str, list[str]] = {}
    for x in sorted(order, key=order.__getitem__):
        groups.setdefault(find(x), []).append(x)
    return tuple(tuple(g) for g in groups.values() if len(g) > 1)
