"""The ``salescore`` command: demo, simulate and report, and its refusals."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from salescore.cli import main
from salescore.simulation import B2B_QUARTER

SMALL = B2B_QUARTER.replace("days = 91", "days = 6").replace(
    "existing_customers = 150", "existing_customers = 20"
)


@pytest.fixture
def scenario(tmp_path: Path) -> Path:
    path = tmp_path / "small.toml"
    path.write_text(SMALL, encoding="utf-8")
    return path


def test_demo_writes_charts_and_report_into_a_new_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "salescore-demo-1").mkdir()  # taken: the demo picks the next name
    assert main(["demo"]) == 0
    out = tmp_path / "salescore-demo-2"
    assert sorted(p.name for p in out.iterdir()) == [
        "attribution.png",
        "forecast.png",
        "funnel.png",
        "outreach.png",
        "pipeline.png",
        "report.html",
        "sla.png",
        "summary.json",
    ]
    printed = capsys.readouterr().out
    for title in ("Funnel", "Open pipeline", "Attribution of won revenue", "Service"):
        assert title in printed
    data = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    metrics = dict(data["shards"][0]["summary"]["metrics"])
    assert metrics["leads"] > 1000  # a few thousand leads in a quarter
    assert "data:image/png;base64," in (out / "report.html").read_text(encoding="utf-8")


def test_simulate_writes_the_same_bytes_with_any_number_of_workers(
    scenario: Path, tmp_path: Path
) -> None:
    args = ["simulate", str(scenario), "--seed", "3", "--replications", "2"]
    args += ["--variant", "more_sdrs", "--variant", "higher_mql"]
    assert main([*args, "--out", str(tmp_path / "one")]) == 0
    assert main([*args, "--workers", "2", "--out", str(tmp_path / "two")]) == 0
    one = (tmp_path / "one" / "summary.json").read_bytes()
    assert one == (tmp_path / "two" / "summary.json").read_bytes()
    for name in ("funnel.png", "variants_revenue.png"):
        assert (tmp_path / "one" / name).read_bytes() == (tmp_path / "two" / name).read_bytes()
    text = one.decode()
    assert str(tmp_path) not in text
    assert "small.toml" not in text
    assert "worker" not in text
    assert "time" not in text.replace("time_decay", "")
    data = json.loads(text)
    assert data["variants"] == ["baseline", "more_sdrs", "higher_mql"]
    assert len(data["shards"]) == 6
    assert {c["variant"] for c in data["comparisons"]} == {"more_sdrs", "higher_mql"}


def test_a_bad_scenario_file_is_refused_with_status_2_and_nothing_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text(SMALL.replace("rate = 22.0", "rate = -1"), encoding="utf-8")
    out = tmp_path / "out"
    assert main(["simulate", str(bad), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert f"{bad}: sources[0].rate: must be >= 0" in err
    assert not out.exists()
    assert main(["simulate", str(tmp_path / "missing.toml")]) == 2
    assert "missing.toml: cannot read" in capsys.readouterr().err
    syntax = tmp_path / "syntax.toml"
    syntax.write_text("name = ", encoding="utf-8")
    assert main(["simulate", str(syntax), "--out", str(out)]) == 2
    assert f"{syntax}: toml: is not valid TOML" in capsys.readouterr().err
    assert main(["simulate", str(bad.with_name("x.toml")), "--variant", "nope"]) == 2
    assert not out.exists()


def test_bad_options_are_refused(scenario: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["simulate", str(scenario), "--variant", "nope"]) == 2
    assert "is not a variant" in capsys.readouterr().err
    assert main(["simulate", str(scenario), "--replications", "0"]) == 2
    assert main(["simulate", str(scenario), "--store", "postgres:x"]) == 2
    assert "must be sqlite:PATH" in capsys.readouterr().err


def test_simulate_into_a_store_then_report_from_it(
    scenario: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "run.db"
    assert main(["simulate", str(scenario), "--store", f"sqlite:{db}"]) == 0
    simulated = capsys.readouterr().out
    assert main(["report", "--store", f"sqlite:{db}", "--out", str(tmp_path / "r")]) == 0
    reported = capsys.readouterr().out
    # The same funnel: the report reads what the run stored.
    assert simulated.split("Open pipeline")[0].strip() == reported.split("Open pipeline")[0].strip()
    assert (tmp_path / "r" / "report.html").exists()
    assert main(["simulate", str(scenario), "--store", f"sqlite:{db}"]) == 2
    assert "not empty" in capsys.readouterr().err
    assert main(["report", "--store", f"sqlite:{tmp_path / 'empty.db'}"]) == 2


def test_python_dash_m_salescore_runs_the_command() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "salescore", "--help"], capture_output=True, text=True, check=True
    )
    assert "demo" in done.stdout
    assert "simulate" in done.stdout
    assert "report" in done.stdout


def test_the_command_is_installed_by_the_cli_extra_and_is_the_readme_main_job() -> None:
    import tomllib

    root = Path(__file__).resolve().parents[1]
    project = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["scripts"] == {"salescore": "salescore.cli:main"}
    assert {d.split(">")[0] for d in project["optional-dependencies"]["cli"]} == {
        "rich",
        "matplotlib",
    }
    assert project["optional-dependencies"]["plot"] == ["matplotlib>=3.8"]
    readme = (root / "README.md").read_text(encoding="utf-8")
    assert "pip install -e '.[cli]' && salescore demo" in readme


REGIONS = (Path(__file__).parents[1] / "examples" / "scenarios" / "regions.toml").read_text(
    encoding="utf-8"
)


def test_a_scenario_with_parts_gives_the_same_bytes_with_any_number_of_workers(
    tmp_path: Path,
) -> None:
    path = tmp_path / "regions.toml"
    path.write_text(REGIONS.replace("days = 91", "days = 5"), encoding="utf-8")
    args = ["simulate", str(path), "--seed", "4", "--variant", "more_emea_sdrs"]
    assert main([*args, "--out", str(tmp_path / "one")]) == 0
    assert main([*args, "--workers", "2", "--out", str(tmp_path / "two")]) == 0
    one = (tmp_path / "one" / "summary.json").read_bytes()
    assert one == (tmp_path / "two" / "summary.json").read_bytes()
    data = json.loads(one)
    parts = data["shards"][0]["parts"]
    assert [p["part"] for p in parts] == ["emea", "americas", "apac", "nordics"]
    assert "worker" not in one.decode()


def test_bad_parts_are_refused_with_status_2_and_nothing_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "regions.toml"
    text = REGIONS.replace('sources = ["nordics_events"]', 'sources = ["apac_partners"]')
    bad.write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    assert main(["simulate", str(bad), "--workers", "2", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert (
        f"{bad}: parts[3].sources[0]: source 'apac_partners' is already in part 'apac'; "
        "sources[4].key: source 'nordics_events' is in no part"
    ) in err
    assert not out.exists()
    good = tmp_path / "good.toml"
    good.write_text(REGIONS, encoding="utf-8")
    db = tmp_path / "run.db"
    assert main(["simulate", str(good), "--store", f"sqlite:{db}"]) == 2
    assert "has parts, which run as separate shards" in capsys.readouterr().err
    assert not db.exists()


def test_report_reads_the_currency_from_the_store_written_by_another_process(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "gbp.toml"
    path.write_text(SMALL.replace('currency = "EUR"', 'currency = "GBP"'), encoding="utf-8")
    db = tmp_path / "run.db"
    simulate = [sys.executable, "-m", "salescore", "simulate", str(path)]
    done = subprocess.run(
        [*simulate, "--store", f"sqlite:{db}", "--out", str(tmp_path / "s")],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    assert main(["report", "--store", f"sqlite:{db}", "--out", str(tmp_path / "r")]) == 0
    capsys.readouterr()
    ran, reported = (
        json.loads((tmp_path / d / "summary.json").read_text(encoding="utf-8"))["shards"][0]
        for d in ("s", "r")
    )
    # The same funnel and campaign costs (in GBP) as the run that wrote the store.
    for key in ("funnel", "campaigns"):
        assert reported["summary"][key] == ran["summary"][key]
    assert reported["summary"]["campaigns"][0][1] > 0
    # A currency the store does not hold is refused by name, with nothing written.
    out = tmp_path / "eur"
    args = ["report", "--store", f"sqlite:{db}", "--currency", "EUR", "--out", str(out)]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert err.startswith("salescore: error: --currency EUR: invalid input (1 problem): ")
    assert err.endswith("'GBP'))\n")
    assert not out.exists()


def test_report_refuses_a_missing_store_without_creating_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "nothing.db"
    assert main(["report", "--store", f"sqlite:{db}"]) == 2
    assert capsys.readouterr().err == f"salescore: error: --store sqlite:{db}: no such file\n"
    assert not db.exists()


def test_an_out_path_that_is_a_file_is_refused_before_the_run(
    scenario: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    taken = tmp_path / "taken"
    taken.write_text("mine", encoding="utf-8")
    for args in (["simulate", str(scenario)], ["demo"]):
        assert main([*args, "--out", str(taken)]) == 2
        err = capsys.readouterr().err
        assert err == f"salescore: error: --out {taken}: is a file, not a folder\n"
    assert taken.read_text(encoding="utf-8") == "mine"


def test_the_headline_shows_a_rate_of_nothing_as_a_dash_not_zero(
    scenario: Path, tmp_path: Path
) -> None:
    quiet = tmp_path / "quiet.toml"
    text = SMALL.replace("existing_customers = 20", "")
    for rate in ("22.0", "9.0", "4.0"):
        text = text.replace(f"rate = {rate}", "rate = 0.0")
    quiet.write_text(text, encoding="utf-8")
    assert main(["simulate", str(quiet), "--out", str(tmp_path / "q")]) == 0
    page = (tmp_path / "q" / "report.html").read_text(encoding="utf-8")
    for label in ("win rate", "SLA attainment", "cost per lead"):
        assert f"<b>–</b><span>{label}</span>" in page
    assert "<b>0</b><span>leads</span>" in page
    # With cases, attainment is a percentage.
    assert main(["simulate", str(scenario), "--out", str(tmp_path / "s")]) == 0
    page = (tmp_path / "s" / "report.html").read_text(encoding="utf-8")
    assert re.search(r"<b>\d+\.\d%</b><span>SLA attainment</span>", page)


def test_report_asks_for_a_currency_when_the_store_holds_several(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from datetime import UTC, datetime

    from salescore.domain.campaigns import Campaign
    from salescore.money import Money
    from salescore.storage import SQLiteStore

    db = tmp_path / "two.db"
    store = SQLiteStore(db)
    store.migrate()
    t0 = datetime(2026, 3, 2, 9, tzinfo=UTC)
    with store.unit_of_work() as uow:
        for id, currency in (("gb", "GBP"), ("us", "USD")):
            campaign = Campaign.new(id=id, at=t0, actor="mkt", name=id)
            uow.campaigns.add(campaign.record_cost(Money("10", currency), at=t0, actor="mkt"))
    assert main(["report", "--store", f"sqlite:{db}"]) == 2
    assert capsys.readouterr().err == (
        f"salescore: error: --store sqlite:{db}: holds amounts in GBP, USD: "
        "choose one with --currency\n"
    )
