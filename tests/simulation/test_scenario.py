"""Scenarios: reading TOML and mappings, every problem named by its key, variants."""

from __future__ import annotations

import json
import tomllib
from datetime import date, time
from pathlib import Path

import pytest

from salescore.errors import ValidationError
from salescore.simulation import B2B_QUARTER, Scenario, b2b_quarter

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "scenarios"


def base() -> dict[str, object]:
    return tomllib.loads(B2B_QUARTER)


def paths(exc: pytest.ExceptionInfo[ValidationError]) -> list[str]:
    return [e.path for e in exc.value.errors]


def test_the_built_in_quarter_reads_as_written() -> None:
    s = b2b_quarter()
    assert (s.name, s.start, s.days, s.timezone, s.currency) == (
        "B2B quarter",
        date(2026, 1, 5),
        91,
        "Europe/Berlin",
        "EUR",
    )
    assert [src.key for src in s.sources] == ["paid_search", "webinar", "referral"]
    assert s.sources[0].rate == 22.0
    assert s.sources[0].cost == "45000"
    assert dict(s.sources[0].attributes)["employees"][0] == ("15", 4.0)
    assert [t.key for t in s.teams] == ["sdr", "enterprise_sdr", "ae", "support"]
    assert s.teams[0].hours == (time(8, 30), time(17, 30))
    assert s.teams[2].meetings_per_day == 4
    assert [c.kind for c in s.cadence] == ["call", "email", "call", "email", "call"]
    assert s.pipeline.stages[1].when[0].advance == 0.55
    assert s.service is not None
    assert s.service.sla[3].priority == "urgent"
    assert [name for name, _ in s.variants] == ["higher_mql", "more_sdrs", "no_paid_search"]


def test_the_example_file_is_the_built_in_text() -> None:
    assert (EXAMPLES / "b2b_quarter.toml").read_text(encoding="utf-8") == B2B_QUARTER


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.toml")), ids=lambda p: p.name)
def test_every_example_scenario_reads(path: Path) -> None:
    scenario = Scenario.from_toml(path.read_text(encoding="utf-8"))
    for name, _ in scenario.variants:
        assert scenario.variant(name) != scenario


def test_from_dict_and_from_toml_agree() -> None:
    assert Scenario.from_dict(base()) == b2b_quarter()
    data = json.loads(json.dumps(base(), default=str))  # dates as strings, as JSON gives them
    assert Scenario.from_dict(data) == b2b_quarter()


def test_every_problem_is_named_by_its_key_at_once() -> None:
    data = base()
    data["sources"][0]["rate"] = -2  # type: ignore[index]
    data["sources"][1]["attributes"]["shoe_size"] = {"42": 1}  # type: ignore[index]
    data["pipeline"]["stages"][1]["key"] = "demo"  # type: ignore[index]
    data["cadence"][0]["meeting"] = 1.5  # type: ignore[index]
    data["cadence"][1]["reply"] = 0.99  # type: ignore[index]
    data["scoring"]["criteria"][0]["rule"] = "industry in ["  # type: ignore[index]
    data["timezone"] = "Mars/Olympus"
    data["colour"] = "blue"
    with pytest.raises(ValidationError) as exc:
        Scenario.from_dict(data)
    assert paths(exc) == [
        "colour",
        "timezone",
        "sources[0].rate",
        "sources[1].attributes.shoe_size",
        "cadence[0].meeting",
        "cadence[1]",
        "scoring.criteria[0].rule",
        "pipeline.stages[1].key",
    ]
    assert exc.value.errors[2].value == -2
    assert "must be >= 0" in exc.value.errors[2].message
    assert "sources[0].rate" in str(exc.value)


def test_missing_keys_and_bad_team_references() -> None:
    data = base()
    del data["days"]
    data["routing"]["default_team"] = "nobody"  # type: ignore[index]
    data["service"]["team"] = "sdr"  # type: ignore[index]
    data["teams"][0]["reps"] = 0  # type: ignore[index]
    with pytest.raises(ValidationError) as exc:
        Scenario.from_dict(data)
    assert paths(exc) == ["days", "teams[0].reps", "routing.default_team", "service.team"]
    assert exc.value.errors[3].message == "must name a team of role 'support_agent'"


def test_toml_syntax_errors_are_validation_errors() -> None:
    with pytest.raises(ValidationError) as exc:
        Scenario.from_toml("name = ")
    assert paths(exc) == ["toml"]


def test_variants_override_by_dotted_key() -> None:
    s = b2b_quarter()
    assert s.variant("more_sdrs").teams[0].reps == 7
    assert s.variant("higher_mql").mql == 40
    assert s.with_overrides({"pipeline.amount": "30000"}).pipeline.amount == "30000"
    # A variant keeps the others, so it can be compared and varied again.
    assert s.variant("higher_mql").variants == s.variants


def test_a_bad_variant_is_named() -> None:
    s = b2b_quarter()
    with pytest.raises(ValidationError) as exc:
        s.variant("fewer_sdrs")
    assert paths(exc) == ["variant"]
    assert "higher_mql, more_sdrs, no_paid_search" in str(exc.value)
    with pytest.raises(ValidationError) as exc:
        s.with_overrides({"teams.marketing.reps": 3, "scoring.mql": 10})
    assert paths(exc) == ["overrides.teams.marketing.reps"]
    data = base()
    data["variants"]["broken"] = {"teams.sdr.reps": -1}  # type: ignore[index]
    with pytest.raises(ValidationError) as exc:
        Scenario.from_dict(data)
    assert paths(exc) == ["variants.broken.teams[0].reps"]


def test_the_order_keys_are_written_in_changes_nothing() -> None:
    data = base()
    source = data["sources"][0]  # type: ignore[index]
    source["attributes"] = dict(reversed(list(source["attributes"].items())))
    source["attributes"]["industry"] = dict(
        reversed(list(source["attributes"]["industry"].items()))
    )
    assert Scenario.from_dict(data) == b2b_quarter()
    # A variant goes through JSON with sorted keys: its leads are drawn the same way.
    assert b2b_quarter().variant("more_sdrs").sources == b2b_quarter().sources


def _keys(data: object) -> set[str]:
    out: set[str] = set()
    if isinstance(data, dict):
        for key, value in data.items():
            if not (key[0].isdigit() or "." in key):  # weights and overrides are data
                out.add(key)
            out |= _keys(value)
    elif isinstance(data, list):
        for item in data:
            out |= _keys(item)
    return out


def test_the_reference_documents_every_key_the_examples_use() -> None:
    reference = (EXAMPLES.parents[1] / "docs" / "scenario-format.md").read_text(encoding="utf-8")
    used: set[str] = set()
    for path in EXAMPLES.glob("*.toml"):
        used |= _keys(tomllib.loads(path.read_text(encoding="utf-8")))
    used -= {"saas", "fintech", "retail", "manufacturing", "low", "normal", "high", "urgent"}
    used -= {"DE", "AT", "CH", "FR", "GB", "more_sdrs", "higher_mql", "no_paid_search"}
    used -= {"three_sdrs", "higher_threshold", "more_emea_sdrs"}
    assert {"name", "rate", "calls_per_day", "first_reply_hours", "when"} <= used
    import re

    def documented(key: str) -> bool:  # as `key`, or as a [table] / [[list]] heading
        return f"`{key}`" in reference or re.search(rf"\[\[?{key}[\].]", reference) is not None

    assert sorted(k for k in used if not documented(k)) == []


def test_what_the_engine_could_not_run_is_refused_by_key() -> None:
    data = base()
    data["sources"][1]["key"] = "paid_search"  # type: ignore[index]
    data["teams"][1]["calls_per_day"] = 0  # type: ignore[index]
    data["teams"][2]["meetings_per_day"] = 0  # type: ignore[index]
    data["teams"][3]["cases_at_once"] = 0  # type: ignore[index]
    data["routing"]["rules"][0]["team"] = "ae"  # type: ignore[index]
    data["scoring"]["criteria"][1]["key"] = data["scoring"]["criteria"][0]["key"]  # type: ignore[index]
    data["qualification"]["items"][1]["key"] = data["qualification"]["items"][0]["key"]  # type: ignore[index]
    data["days"] = 2.5
    with pytest.raises(ValidationError) as exc:
        Scenario.from_dict(data)
    assert [(e.path, e.value, e.message) for e in exc.value.errors] == [
        ("days", 2.5, "must be a whole number >= 1"),
        ("teams[1].calls_per_day", 0, "must be a whole number >= 1"),
        ("teams[2].meetings_per_day", 0, "must be a whole number >= 1"),
        ("teams[3].cases_at_once", 0, "must be a whole number >= 1"),
        ("sources[1].key", "paid_search", "is used twice"),
        ("scoring.criteria[1].key", "target_industry", "is used twice"),
        ("qualification.items[1].key", "size", "is used twice"),
        ("routing.rules[0].team", "ae", "must name a team of role 'sdr'"),
    ]


def test_a_misspelled_lead_field_in_any_rule_is_refused_with_the_nearest_spelling() -> None:
    data = base()
    data["scoring"]["criteria"][0]["rule"] = "industy == 'saas'"  # type: ignore[index]
    data["routing"]["rules"][0]["rule"] = "employes >= 1000"  # type: ignore[index]
    data["qualification"]["items"][0]["rule"] = "employes >= 1"  # type: ignore[index]
    data["pipeline"]["stages"][1]["when"][0]["rule"] = "contry == 'DE'"  # type: ignore[index]
    with pytest.raises(ValidationError) as exc:
        Scenario.from_dict(data)
    near = "is not a field of the schema; did you mean"
    assert [(e.path, e.message) for e in exc.value.errors] == [
        ("scoring.criteria[0].rule.industy", f"{near} 'industry'?"),
        ("qualification.items[0].rule.employes", f"{near} 'employees'?"),
        ("routing.rules[0].rule.employes", f"{near} 'employees'?"),
        ("pipeline.stages[1].when[0].rule.contry", f"{near} 'country'?"),
    ]


def test_a_scenario_without_a_qualification_item_or_pipeline_stages_is_refused() -> None:
    data = base()
    del data["qualification"]
    del data["pipeline"]["stages"]  # type: ignore[attr-defined]
    with pytest.raises(ValidationError) as exc:
        Scenario.from_dict(data)
    assert [(e.path, e.message) for e in exc.value.errors] == [
        ("qualification.items", "is required"),
        ("pipeline.stages", "is required"),
    ]
    data = base()
    data["qualification"]["items"] = []  # type: ignore[index]
    with pytest.raises(ValidationError) as exc:
        Scenario.from_dict(data)
    assert [(e.path, e.message) for e in exc.value.errors] == [
        ("qualification.items", "must have at least one item")
    ]


def test_input_that_is_not_a_table_or_text_is_one_problem() -> None:
    for data in ([1], None, "name = 'x'"):
        with pytest.raises(ValidationError) as exc:
            Scenario.from_dict(data)  # type: ignore[arg-type]
        assert [(e.path, e.value, e.message) for e in exc.value.errors] == [
            ("<object>", data, "must be a table")
        ]
    for text in (b"name = 'x'", None):
        with pytest.raises(ValidationError) as exc:
            Scenario.from_toml(text)  # type: ignore[arg-type]
        assert [(e.path, e.value, e.message) for e in exc.value.errors] == [
            ("toml", text, "must be TOML text (a str)")
        ]


def test_bad_dates_and_times_of_day_are_named_with_what_they_must_be() -> None:
    data = base()
    data["start"] = "2026-13-01"
    data["teams"][0]["hours"] = ["8h", 9]  # type: ignore[index]
    with pytest.raises(ValidationError) as exc:
        Scenario.from_dict(data)
    assert [(e.path, e.value, e.message) for e in exc.value.errors] == [
        ("teams[0].hours[0]", "8h", "must be a time of day (HH:MM)"),
        ("teams[0].hours[1]", 9, "must be a time of day (HH:MM)"),
        ("start", "2026-13-01", "must be a date (YYYY-MM-DD)"),
    ]
