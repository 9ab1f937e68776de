"""Rule evaluation: compiled salescore rules against hand-written Python and rule-engine.

The rule has four clauses over industry, employee count, country and score::

    industry in ['saas', 'fintech'] and employees >= 50 and country == 'DE' and score >= 40

It is evaluated over 200,000 leads (about one field in twenty is missing), once
as slotted attrs objects standing in for salescore leads and once as plain
dicts, with the score held three ways: a float, a ``Decimal`` and a ``Money``
amount (the hand-written baseline for money compares ``score.amount``). The
hand-written baselines have the same three-valued handling of missing and null
fields. ``rule-engine`` (if installed) evaluates the equivalent rule, on dicts
(float and Decimal scores) and (with its attribute resolver) on the objects;
it cannot compare a null with a number, so it gets leads with every field
filled in, and it is timed on a slice of them because it is slow.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import attrs

from benchmarks._harness import compare
from salescore.money import Money
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
    score: float | Decimal | Money | None
    status: str = "new"


#: How the score is held: float, Decimal or Money.
SCORES: dict[str, Callable[[float], Any]] = {
    "float": lambda x: x,
    "Decimal": lambda x: Decimal(str(x)),
    "Money": lambda x: Money(str(x), "EUR"),
}


def make_leads(
    n: int, seed: int = 7, *, missing: float = 0.05, score: str = "float"
) -> list[BenchLead]:
    """Make ``n`` leads with a fraction ``missing`` of null fields."""
    rng = random.Random(seed)
    as_score = SCORES[score]

    def maybe(value: Any) -> Any:
        return None if rng.random() < missing else value

    return [
        BenchLead(
            id=f"lead-{i}",
            email=f"person{i}@example.com",
            industry=maybe(rng.choice(["saas", "fintech", "retail", "health", "media"])),
            employees=maybe(rng.randrange(1, 5000)),
            country=maybe(rng.choice(["DE", "FR", "US", "GB", "NL"])),
            score=maybe(as_score(round(rng.uniform(0, 100), 1))),
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


def hand_written_money(lead: Any) -> Truth:
    """The rule by hand, for objects whose score is Money (compared by amount)."""
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
    elif not v.amount >= 40:
        return Truth.FALSE
    return Truth.UNKNOWN if unknown else Truth.TRUE


def hand_written_money_dict(lead: dict[str, Any]) -> Truth:
    """The rule by hand, for dicts whose score is Money (compared by amount)."""
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
    elif not v.amount >= 40:
        return Truth.FALSE
    return Truth.UNKNOWN if unknown else Truth.TRUE


def _numeric_scores(n: int, repeats: int, evaluate: Callable[..., Truth]) -> dict[str, Any]:
    """Objects and dicts whose score is a Decimal, then Money, against hand-written code."""
    out: dict[str, Any] = {}
    for kind in ("Decimal", "Money"):
        leads = make_leads(n, score=kind)
        dicts = [{f: getattr(x, f) for f in attrs.fields_dict(BenchLead)} for x in leads]
        by_hand = hand_written_money if kind == "Money" else hand_written
        by_hand_dict = hand_written_money_dict if kind == "Money" else hand_written_dict
        for lead, d in zip(leads, dicts, strict=True):
            assert evaluate(lead) is by_hand(lead) is evaluate(d) is by_hand_dict(d)
        out[f"objects_{kind}"] = compare(
            f"{kind} score: rule of four clauses over {n:,} slotted attrs leads (per sweep)",
            {
                "hand-written": lambda leads=leads, f=by_hand: [f(x) for x in leads],
                "Rule.evaluate": lambda leads=leads: [evaluate(x) for x in leads],
            },
            baseline="hand-written",
            number=1,
            repeats=repeats,
        )
        out[f"dicts_{kind}"] = compare(
            f"{kind} score: rule of four clauses over {n:,} dicts (per sweep)",
            {
                "hand-written": lambda dicts=dicts, f=by_hand_dict: [f(x) for x in dicts],
                "Rule.evaluate": lambda dicts=dicts: [evaluate(x) for x in dicts],
            },
            baseline="hand-written",
            number=1,
            repeats=repeats,
        )
    return out


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
    results.update(_numeric_scores(n, repeats, evaluate))
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
        decimal_part = [attrs.asdict(x) for x in make_leads(sample, missing=0.0, score="Decimal")]
        for d in decimal_part[:500]:
            assert engine.matches(d) == (evaluate(d) is Truth.TRUE)
        results["rule_engine_Decimal"] = compare(
            f"Decimal score, rule-engine vs salescore, {sample:,} complete dicts (per sweep)",
            {
                "hand-written": lambda: [hand_written_dict(x) for x in decimal_part],
                "Rule.evaluate": lambda: [evaluate(x) for x in decimal_part],
                "rule-engine": lambda: [engine.matches(x) for x in decimal_part],
            },
            baseline="Rule.evaluate",
            number=1,
            repeats=max(3, repeats // 2),
        )
        results["rule_engine_sample"] = sample
    per_eval: dict[str, dict[str, float]] = {}
    keys = [
        "objects",
        "dicts",
        *(f"{w}_{k}" for k in ("Decimal", "Money") for w in ("objects", "dicts")),
    ]
    for key in (*keys, "rule_engine", "rule_engine_objects", "rule_engine_Decimal"):
        block = results.get(key)
        if not block:
            continue
        size = n if key in keys else results["rule_engine_sample"]
        per_eval[key] = {name: c["median_ns"] / size for name, c in block["contenders"].items()}
    results["ns_per_evaluation"] = per_eval
    print("\nns per evaluation (medians):")
    for key, row in per_eval.items():
        print(f"  {key:<20} " + "  ".join(f"{k}: {v:,.1f}" for k, v in row.items()))
    return results
