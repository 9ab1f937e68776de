"""Rule evaluation: compiled salescore rules against hand-written Python and rule-engine.

The rule has four clauses over industry, employee count, country and score::

    industry in ['saas', 'fintech'] and employees >= 50 and country == 'DE' and score >= 40

It is evaluated over 200,000 leads (about one field in twenty is missing), once
as slotted attrs objects standing in for salescore leads and once as plain
dicts. The hand-written baselines have the same three-valued handling of
missing and null fields. ``rule-engine`` (if installed) evaluates the
equivalent rule, on dicts and (with its attribute resolver) on the objects; it
cannot compare a null with a number, so it gets leads with every field filled
in, and it is timed on a slice of them because it is slow.
"""

from __future__ import annotations

import random
from typing import Any

import attrs

from benchmarks._harness import compare
from salescore.rules import Truth, parse

RULE_TEXT = (
    "industry in ['saas', 'fintech'] and employees >= 50 and country == 'DE' and score >= 40"
)
ENGINE_TEXT = (
    'industry in ["saas", "fintech"] and employees >= 50 and country == "DE" and score >= 40'
)
INDUSTRIES = frozenset({"saas", "fintech"})


@attrs.frozen(kw_only=True)
class BenchLead:
    """A stand-in for a salescore lead: a slotted, frozen attrs class."""

    id: str
    email: str | None
    industry: str | None
    employees: int | None
    country: str | None
    score: float | None
    status: str = "new"


def make_leads(n: int, seed: int = 7, *, missing: float = 0.05) -> list[BenchLead]:
    """Make ``n`` leads with a fraction ``missing`` of null fields."""
    rng = random.Random(seed)

    def maybe(value: Any) -> Any:
        return None if rng.random() < missing else value

    return [
        BenchLead(
            id=f"lead-{i}",
            email=f"person{i}@example.com",
            industry=maybe(rng.choice(["saas", "fintech", "retail", "health", "media"])),
            employees=maybe(rng.randrange(1, 5000)),
            country=maybe(rng.choice(["DE", "FR", "US", "GB", "NL"])),
            score=maybe(round(rng.uniform(0, 100), 1)),
        )
        for i in range(n)
    ]


def hand_written(lead: Any) -> Truth:
    """The rule by hand, for objects, with three-valued handling of missing fields."""
    unknown = False
    v = getattr(lead, "industry", None)
    if v is None:
        unknown = True
    elif v not in INDUSTRIES:
        return Truth.FALSE
    v = getattr(lead, "employees", None)
    if v is None:
        unknown = True
    elif not v >= 50:
        return Truth.FALSE
    v = getattr(lead, "country", None)
    if v is None:
        unknown = True
    elif v != "DE":
        return Truth.FALSE
    v = getattr(lead, "score", None)
    if v is None:
        unknown = True
    elif not v >= 40:
        return Truth.FALSE
    return Truth.UNKNOWN if unknown else Truth.TRUE


def hand_written_dict(lead: dict[str, Any]) -> Truth:
    """The rule by hand, for dicts, with three-valued handling of missing fields."""
    unknown = False
    v = lead.get("industry")
    if v is None:
        unknown = True
    elif v not in INDUSTRIES:
        return Truth.FALSE
    v = lead.get("employees")
    if v is None:
        unknown = True
    elif not v >= 50:
        return Truth.FALSE
    v = lead.get("country")
    if v is None:
        unknown = True
    elif v != "DE":
        return Truth.FALSE
    v = lead.get("score")
    if v is None:
        unknown = True
    elif not v >= 40:
        return Truth.FALSE
    return Truth.UNKNOWN if unknown else Truth.TRUE


def run(quick: bool = False) -> dict[str, Any]:
    """Run the comparison; returns the harness results plus ns per evaluation."""
    n = 20_000 if quick else 200_000
    repeats = 3 if quick else 7
    leads = make_leads(n)
    dicts = [attrs.asdict(lead) for lead in leads]
    rule = parse(RULE_TEXT)
    fn = rule.compile()
    evaluate = rule.evaluate

    for lead, d in zip(leads, dicts, strict=True):
        assert evaluate(lead) is hand_written(lead) is evaluate(d) is hand_written_dict(d)

    results: dict[str, Any] = {"n": n}
    results["objects"] = compare(
        f"rule of four clauses over {n:,} slotted attrs leads (per sweep)",
        {
            "hand-written": lambda: [hand_written(x) for x in leads],
            "Rule.evaluate": lambda: [evaluate(x) for x in leads],
            "compiled fn": lambda: [fn(x) for x in leads],
        },
        baseline="hand-written",
        number=1,
        repeats=repeats,
    )
    results["dicts"] = compare(
        f"rule of four clauses over {n:,} dicts (per sweep)",
        {
            "hand-written": lambda: [hand_written_dict(x) for x in dicts],
            "Rule.evaluate": lambda: [evaluate(x) for x in dicts],
            "compiled fn": lambda: [fn(x) for x in dicts],
        },
        baseline="hand-written",
        number=1,
        repeats=repeats,
    )
    try:
        import rule_engine
    except ImportError:  # pragma: no cover - optional
        results["rule_engine"] = None
    else:
        full = make_leads(n, missing=0.0)
        full_dicts = [attrs.asdict(lead) for lead in full]
        engine = rule_engine.Rule(ENGINE_TEXT)
        sample = max(2_000, n // 20)  # rule-engine is slow: time a slice, report per evaluation
        part = full_dicts[:sample]
        for d in part[:500]:
            assert engine.matches(d) == (evaluate(d) is Truth.TRUE)
        results["rule_engine"] = compare(
            f"same rule, rule-engine vs salescore, {sample:,} complete dicts (per sweep)",
            {
                "hand-written": lambda: [hand_written_dict(x) for x in part],
                "Rule.evaluate": lambda: [evaluate(x) for x in part],
                "rule-engine": lambda: [engine.matches(x) for x in part],
            },
            baseline="Rule.evaluate",
            number=1,
            repeats=max(3, repeats // 2),
        )
        part_objects = full[:sample]
        by_attribute = rule_engine.Rule(
            ENGINE_TEXT, context=rule_engine.Context(resolver=rule_engine.resolve_attribute)
        )
        for lead in part_objects[:500]:
            assert by_attribute.matches(lead) == (evaluate(lead) is Truth.TRUE)
        results["rule_engine_objects"] = compare(
            f"same rule, rule-engine vs salescore, {sample:,} complete attrs leads (per sweep)",
            {
                "hand-written": lambda: [hand_written(x) for x in part_objects],
                "Rule.evaluate": lambda: [evaluate(x) for x in part_objects],
                "rule-engine": lambda: [by_attribute.matches(x) for x in part_objects],
            },
            baseline="Rule.evaluate",
            number=1,
            repeats=max(3, repeats // 2),
        )
        results["rule_engine_sample"] = sample
    per_eval: dict[str, dict[str, float]] = {}
    for key in ("objects", "dicts", "rule_engine", "rule_engine_objects"):
        block = results.get(key)
        if not block:
            continue
        size = n if key in ("objects", "dicts") else results["rule_engine_sample"]
        per_eval[key] = {name: c["median_ns"] / size for name, c in block["contenders"].items()}
    results["ns_per_evaluation"] = per_eval
    print("\nns per evaluation (medians):")
    for key, row in per_eval.items():
        print(f"  {key:<20} " + "  ".join(f"{k}: {v:,.1f}" for k, v in row.items()))
    return results
