"""Outreach: importing lead lists, and finding duplicates among many leads.

``python -m benchmarks outreach [--quick]``. In one run:

(a) ``import_leads`` over 100,000 messy rows (5,000 with ``--quick``): names
    with stray spaces, mixed-case e-mails, phone numbers in national and
    international formats, country names, head counts with thousands
    separators, revenues with currency symbols; against a hand-written loop
    that builds the same leads with the same parsers and normalisation but
    no mapping layer (goal ≤ 1.5×);
(b) the peak memory of the streaming form over 20,000 and 200,000 rows
    (2,000 and 20,000 with ``--quick``), consumed as they come: bounded
    memory means the two peaks are about equal;
(c) ``find_duplicates`` among 100,000 leads (10,000 with ``--quick``) of
    which 5% are generated duplicates of another lead (case changes, a typo
    in a name, a missing e-mail, the same phone): seconds, pairs compared
    (against all pairs), and precision and recall against the known
    duplicates (goal ≥ 0.95 each).
"""

from __future__ import annotations

import itertools
import random
import statistics
import string
import time
import tracemalloc
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from benchmarks._harness import compare
from salescore.domain.leads import Lead, LeadSource
from salescore.errors import FieldError, ValidationError
from salescore.ids import DeterministicIds
from salescore.outreach import (
    LeadMapping,
    RejectedRow,
    find_duplicates,
    import_leads,
    iter_import_leads,
    parse_country,
    parse_int,
    parse_money,
)

T0 = datetime(2026, 1, 5, 9, tzinfo=UTC)
SOURCE = LeadSource(channel="purchased_list", campaign_id="list-1")
MAPPING = LeadMapping(
    columns={
        "First": "first_name",
        "Last": "last_name",
        "Email": "email",
        "Phone": "phone",
        "Company": "company",
        "Country": "country",
        "Employees": "employees",
        "Revenue": "annual_revenue",
    },
    source=SOURCE,
)
PLACES = [
    ("Germany", "030 {a}{b}", "+4930{a}{b}"),
    ("DE", "+49 30 {a} {b}", ""),
    ("United Kingdom", "020 7{a3} {b4}", ""),
    ("USA", "(212) 5{a2}-{b4}", ""),
    ("France", "+33 1 42 {a2} {b2} {c2}", ""),
]


def messy_rows(n: int, seed: int = 5) -> Iterator[dict[str, str]]:
    """``n`` messy rows, about one in fifty bad."""
    rng = random.Random(seed)
    for i in range(n):
        country, fmt, _ = rng.choice(PLACES)
        phone = fmt.format(
            a=rng.randrange(100, 999),
            b=rng.randrange(1000, 9999),
            a2=rng.randrange(10, 99),
            a3=rng.randrange(100, 999),
            b2=rng.randrange(10, 99),
            b4=rng.randrange(1000, 9999),
            c2=rng.randrange(10, 99),
        )
        first = rng.choice(["Ana", "Ben", "Chloé", "Dmitri", "Eve"])
        row = {
            "First": f" {first} ",
            "Last": rng.choice(["Silva", "Smith", "Müller", "Tanaka"]),
            "Email": f"{first}.P{i}@Example{i % 97}.COM",
            "Phone": phone,
            "Company": rng.choice(["Acme", "Globex", "Initech", ""]),
            "Country": country,
            "Employees": rng.choice(["12", "1,200", "45", "3 400", ""]),
            "Revenue": rng.choice(["€ 1,500,000", "EUR 20000", "", "£ 90,000"]),
        }
        if i % 50 == 7:
            row["Email"] = "broken@"
        yield row


def hand_written(rows: list[dict[str, str]], ids: DeterministicIds) -> tuple[list[Lead], int]:
    """The same leads, the same parsers and normalisation, written out by hand."""
    created: list[Lead] = []
    rejected = 0
    for row in rows:
        problems: list[FieldError] = []
        values: dict[str, Any] = {}
        for column, field in (
            ("First", "first_name"),
            ("Last", "last_name"),
            ("Email", "email"),
            ("Phone", "phone"),
            ("Company", "company"),
        ):
            text = row.get(column, "").strip()
            if text:
                values[field] = text
        for column, field, parse in (
            ("Country", "country", parse_country),
            ("Employees", "employees", parse_int),
            ("Revenue", "annual_revenue", parse_money),
        ):
            text = row.get(column, "").strip()
            if text:
                try:
                    values[field] = parse(text, column)
                except ValidationError as exc:
                    problems.extend(exc.errors)
        try:
            lead = Lead.new(
                id=ids.new("lead"),
                at=T0,
                actor="import",
                source=SOURCE,
                default_region=values.get("country"),
                **values,
            )
        except ValidationError as exc:
            problems.extend(exc.errors)
        if problems:
            rejected += 1
        else:
            created.append(lead)
    return created, rejected


def _import_bench(quick: bool) -> dict[str, Any]:
    n = 1_000 if quick else 100_000
    rows = list(messy_rows(n))
    result = import_leads(
        rows, MAPPING, at=T0, actor="import", ids=DeterministicIds(namespace="b", seed=1)
    )
    by_hand, rejected = hand_written(rows, DeterministicIds(namespace="b", seed=1))
    assert result.created == tuple(by_hand), "the two contenders must build the same leads"
    assert len(result.rejected) == rejected
    print(f"\n{n:,} rows: {len(result.created):,} leads, {rejected:,} rejected")
    return compare(
        f"import {n:,} messy rows",
        {
            "hand-written loop": lambda: hand_written(
                rows, DeterministicIds(namespace="b", seed=1)
            ),
            "import_leads": lambda: import_leads(
                rows, MAPPING, at=T0, actor="import", ids=DeterministicIds(namespace="b", seed=1)
            ),
        },
        baseline="hand-written loop",
        number=1,
        repeats=3 if quick else 5,
        warmup=0 if quick else 1,
    )


def _stream_peak(n: int) -> int:
    tracemalloc.start()
    count = 0
    for item in iter_import_leads(
        messy_rows(n), MAPPING, at=T0, actor="i", ids=DeterministicIds(namespace="m", seed=1)
    ):
        count += isinstance(item, Lead | RejectedRow)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert count == n
    return peak


def _memory_bench(quick: bool) -> dict[str, Any]:
    small, large = (200, 2_000) if quick else (20_000, 200_000)
    _stream_peak(200)  # loads the phone metadata and fills the caches first
    peaks = {small: _stream_peak(small), large: _stream_peak(large)}
    print("\nstreaming import, peak traced memory (results consumed as they come)")
    for n, peak in peaks.items():
        print(f"  {n:>9,} rows: {peak / 1024:8.0f} KiB")
    return {"rows": list(peaks), "peak_bytes": list(peaks.values())}


# --- duplicates --------------------------------------------------------------------------


def _word(rng: random.Random, syllables: int) -> str:
    cons, vows = "bcdfghklmnprstvz", "aeiou"
    return "".join(rng.choice(cons) + rng.choice(vows) for _ in range(syllables)).capitalize()


def _typo(rng: random.Random, text: str) -> str:
    i = rng.randrange(1, len(text))
    return text[:i] + rng.choice(string.ascii_lowercase) + text[i + 1 :]


def duplicate_set(n: int, seed: int = 9) -> tuple[list[Lead], set[tuple[str, str]]]:
    """``n`` leads, 5% of them duplicates of another; the duplicate pairs."""
    rng = random.Random(seed)
    firsts = sorted({_word(rng, rng.choice((2, 3))) for _ in range(400)})
    lasts = sorted({_word(rng, rng.choice((2, 3, 4))) for _ in range(5000)})
    companies = sorted(
        {_word(rng, 3) + rng.choice(["", " Ltd", " GmbH", " Inc"]) for _ in range(8000)}
    )
    originals = int(n * 0.95)
    leads: list[Lead] = []
    for i in range(originals):
        first, last, company = rng.choice(firsts), rng.choice(lasts), rng.choice(companies)
        leads.append(
            Lead.new(
                id=f"lead-{i}",
                at=T0,
                actor="b",
                first_name=first,
                last_name=last,
                company=company,
                email=f"{first}.{last}{i}@{company.split()[0].lower()}.com".lower(),
                phone=f"+4930{rng.randrange(10**7, 10**8)}" if rng.random() < 0.7 else None,
            )
        )
    truth: set[tuple[str, str]] = set()
    sources = list(leads)
    for j in range(n - originals):
        src = sources[rng.randrange(originals)]
        kind = j % 4
        fields: dict[str, Any] = {
            "first_name": src.first_name,
            "last_name": src.last_name,
            "company": src.company,
        }
        if kind == 0:  # the same address in other case, a typo in the first name
            fields["email"] = src.email.upper() if src.email else None  # type: ignore[union-attr]
            fields["first_name"] = _typo(rng, src.first_name or "Xx")
        elif kind == 1:  # no e-mail, the same phone (or a typo in the last name)
            fields["phone"] = src.phone
            if src.phone is None:
                fields["last_name"] = _typo(rng, src.last_name or "Xx")
        elif kind == 2:  # another address, a typo in the last name, company suffix dropped
            fields["email"] = f"x{j}@mail.example"
            fields["last_name"] = _typo(rng, src.last_name or "Xx")
            fields["company"] = (src.company or "").split()[0]
        else:  # name written "Last First"
            fields["first_name"], fields["last_name"] = src.last_name, src.first_name
        dup = Lead.new(id=f"dup-{j}", at=T0, actor="b", **fields)
        # Position the duplicate at random among the leads.
        leads.insert(rng.randrange(len(leads) + 1), dup)
        truth.add((src.id, dup.id))
    # Two duplicates of one lead are duplicates of each other too.
    by_src: dict[str, list[str]] = {}
    for a, b in truth:
        by_src.setdefault(a, []).append(b)
    for dups in by_src.values():
        truth.update(itertools.combinations(sorted(dups), 2))
    return leads, {tuple(sorted(p)) for p in truth}  # type: ignore[misc]


def _duplicates_bench(quick: bool) -> dict[str, Any]:
    n = 10_000 if quick else 100_000
    leads, truth = duplicate_set(n)
    times = []
    report = None
    for _ in range(1 if quick else 3):
        t = time.perf_counter()
        report = find_duplicates(leads)
        times.append(time.perf_counter() - t)
    assert report is not None
    found = {tuple(sorted((m.left, m.right))) for m in report.matches}
    hits = len(found & truth)
    precision = hits / len(found) if found else 1.0
    recall = hits / len(truth) if truth else 1.0
    all_pairs = n * (n - 1) // 2
    seconds = statistics.median(times)
    print(f"\nduplicates among {n:,} leads ({len(truth):,} true duplicate pairs)")
    print(f"  time: {seconds:.2f} s (median of {len(times)})")
    print(
        f"  pairs compared: {report.pairs_compared:,} of {all_pairs:,} "
        f"({report.pairs_compared / all_pairs:.5%})"
    )
    print(f"  matches: {len(found):,}; precision {precision:.4f}; recall {recall:.4f}")
    return {
        "leads": n,
        "seconds": times,
        "pairs_compared": report.pairs_compared,
        "all_pairs": all_pairs,
        "true_pairs": len(truth),
        "matches": len(found),
        "precision": precision,
        "recall": recall,
    }


def run(quick: bool = False) -> dict[str, Any]:
    """Run the three measurements."""
    return {
        "import": _import_bench(quick),
        "streaming_memory": _memory_bench(quick),
        "duplicates": _duplicates_bench(quick),
    }
