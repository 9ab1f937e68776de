"""The lead-scoring example runs and prints the hand-off, explanations and BANT verdict."""

from __future__ import annotations

import runpy
from pathlib import Path

import pytest

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "lead_scoring.py"


def test_example_runs(capsys: pytest.CaptureFixture[str]) -> None:
    runpy.run_path(str(EXAMPLE), run_name="__main__")
    out = capsys.readouterr().out
    assert out.startswith("300 leads scored with 'B2B SaaS inbound'\n")
    assert "  lifecycle: 225 lead, 65 mql, 10 sql\n" in out
    assert "reached 'sql' (70) in score model 'b2b-saas'" in out
    assert out.count("unknown (ask about):") == 3
    assert "BANT for lead-scoring-1-257:\n  bant-custom: needs information\n" in out
    assert "    ask: Is there a budget for this, and how much?\n" in out
