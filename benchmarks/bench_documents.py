"""Documents: round trips against pydantic v2, document sizes, replay scaling.

``python -m benchmarks documents [--quick]``. In one run:

(a) ``to_dict`` + ``from_dict`` of a lead with its history against the pydantic
    v2 twin of ``bench_leads`` (``model_dump`` + ``model_validate``);
    target: at most pydantic's time;
(b) ``to_json`` + ``from_json`` against pydantic's JSON round trip; target: at
    most pydantic's time;
(c) document sizes: a lead with 3 events against the JSON of its history alone
    (target ≤ 1.5×), and a deal with 20 events against its events plus one
    pipeline (target ≤ 1×);
(d) replay (``from_events``) of 1,000 and 10,000 events: µs per event and the
    ratio of the two times (target ≤ 12×, i.e. linear).
"""

from __future__ import annotations

import gc
import itertools
import statistics
import sys
import time
from datetime import UTC, date, datetime, timedelta
from typing import Any

import orjson

from benchmarks._harness import compare
from benchmarks.bench_leads import PLead, lead_rows, pydantic_lead
from salescore.domain.events import Event, FieldsChanged
from salescore.domain.leads import Lead
from salescore.domain.opportunities import Opportunity
from salescore.funnels import B2B_PIPELINE
from salescore.money import Money
from salescore.serialization import from_dict, from_json, to_dict, to_json

T0 = datetime(2026, 1, 5, 9, tzinfo=UTC)


def _cycle(items: list[Any]) -> Any:
    return itertools.cycle(items).__next__


def history_json(obj: Any) -> bytes:
    """The JSON of an aggregate's events alone (a list of event documents)."""
    return orjson.dumps([to_dict(e) for e in obj.history], option=orjson.OPT_SORT_KEYS)


def deal_with_events(n: int) -> Opportunity:
    """A deal with ``n`` events: creation, entry, then moves and amount edits."""
    deal = Opportunity.new(
        id="deal-1",
        at=T0,
        actor="rep-1",
        name="Acme CRM",
        amount=Money("5", "EUR"),
        close_date=date(2026, 6, 30),
    )
    stages = ["qualification", "discovery", "proposal", "negotiation"]
    i = 0
    at = T0
    while deal.version < n:
        at += timedelta(hours=1)
        if i % 2 == 0:
            deal = deal.set_amount(Money(1000 + i, "EUR"), at=at, actor="rep-1")
        else:
            target = stages[(i // 2) % len(stages)]
            if deal.stage != target:
                deal = deal.move_to(target, at=at, actor="rep-1", context={})
            else:
                deal = deal.set_amount(Money(2000 + i, "EUR"), at=at, actor="rep-1")
        i += 1
    return deal


def replay_history(n: int) -> tuple[Event, ...]:
    """A lead's history of ``n`` events (creation, two entries, score edits)."""
    lead = Lead.new(id="lead-1", at=T0, actor="web", email="ana@acme.io")
    events: list[Event] = list(lead.history)
    for i in range(n - len(events)):
        events.append(
            FieldsChanged(
                subject_id="lead-1",
                at=T0 + timedelta(seconds=i),
                actor="scorer",
                changes={"score": (float(i), float(i + 1))},
            )
        )
    return tuple(events)


def _replay_seconds(events: tuple[Event, ...], repeats: int) -> float:
    """Median seconds of one replay; the collector is paused while timing, as in ``compare``."""
    samples = []
    for _ in range(repeats):
        gc.collect()
        gc.disable()
        try:
            start = time.perf_counter()
            Lead.from_events(events)
            samples.append(time.perf_counter() - start)
        finally:
            gc.enable()
    return statistics.median(samples)


def run(quick: bool = False) -> dict[str, Any]:
    """Run every measure; return the results."""
    n = 2_000 if quick else 20_000
    repeats = 5 if quick else 7
    results: dict[str, Any] = {}
    sample = [Lead.new(**r) for r in lead_rows(n)]
    # Both contenders cycle over the same 2,000 leads (each in its own form),
    # so that neither works on a larger set of objects than the other.
    models = [pydantic_lead(x) for x in sample[:2000]]
    lead_at, model_at = _cycle(sample[:2000]), _cycle(models)
    results["dict_round_trip"] = compare(
        "(a) to_dict + from_dict vs pydantic model_dump + model_validate",
        {
            "pydantic v2": lambda: PLead.model_validate(model_at().model_dump()),
            "salescore": lambda: from_dict(Lead, to_dict(lead_at())),
        },
        baseline="pydantic v2",
        number=n,
        repeats=repeats,
    )
    results["json_round_trip"] = compare(
        "(b) to_json + from_json vs pydantic JSON round trip",
        {
            "pydantic v2": lambda: PLead.model_validate_json(model_at().model_dump_json()),
            "salescore": lambda: from_json(Lead, to_json(lead_at())),
        },
        baseline="pydantic v2",
        number=n,
        repeats=repeats,
    )

    lead = sample[0]
    lead_doc, lead_hist = len(to_json(lead).encode()), len(history_json(lead))
    deal = deal_with_events(20)
    deal_doc, deal_hist = len(to_json(deal).encode()), len(history_json(deal))
    pipeline = len(orjson.dumps(to_dict(B2B_PIPELINE), option=orjson.OPT_SORT_KEYS))
    print("\n(c) document sizes (bytes of JSON)")
    print(
        f"  lead, 3 events: document {lead_doc}, history alone {lead_hist}: "
        f"×{lead_doc / lead_hist:.3f} (target ≤ 1.5)"
    )
    print(
        f"  deal, {deal.version} events: document {deal_doc}, events alone {deal_hist}"
        f" (which hold the pipeline once, {pipeline} bytes): ×{deal_doc / deal_hist:.3f}"
        f" (target ≤ 1 × events + one pipeline)"
    )
    results["sizes"] = {
        "lead_document": lead_doc,
        "lead_history": lead_hist,
        "deal_events": deal.version,
        "deal_document": deal_doc,
        "deal_history": deal_hist,
        "pipeline": pipeline,
        "pipelines_in_deal_document": to_json(deal).count('"key":"b2b_pipeline"'),
    }

    small, big = replay_history(1_000), replay_history(10_000)
    r = 3 if quick else 7
    t_small, t_big = _replay_seconds(small, r), _replay_seconds(big, r)
    print("\n(d) replay (from_events), medians")
    print(f"  1,000 events: {t_small * 1e3:.2f} ms ({t_small / 1_000 * 1e6:.2f} µs/event)")
    print(f"  10,000 events: {t_big * 1e3:.2f} ms ({t_big / 10_000 * 1e6:.2f} µs/event)")
    print(f"  ratio ×{t_big / t_small:.2f} (target ≤ 12)")
    results["replay"] = {
        "seconds_1000": t_small,
        "seconds_10000": t_big,
        "us_per_event_1000": t_small / 1_000 * 1e6,
        "us_per_event_10000": t_big / 10_000 * 1e6,
        "ratio": t_big / t_small,
    }
    return results


if __name__ == "__main__":
    run(quick="--quick" in sys.argv)
