"""Each package façade offers exactly the names it offered before its tables were compacted."""

from __future__ import annotations

import importlib
from collections import defaultdict
from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parent / "data" / "facade_names.txt"


def _expected() -> dict[str, list[str]]:
    names: dict[str, list[str]] = defaultdict(list)
    for line in DATA.read_text().splitlines():
        if line and not line.startswith("#"):
            package, name = line.split()
            names[package].append(name)
    return names


EXPECTED = _expected()
PACKAGES = (
    "salescore",
    "salescore.analytics",
    "salescore.decisions",
    "salescore.domain",
    "salescore.domain.campaigns",
    "salescore.domain.opportunities",
    "salescore.domain.service",
    "salescore.outreach",
    "salescore.rules",
    "salescore.simulation",
    "salescore.storage",
)


@pytest.mark.parametrize("package", PACKAGES)
def test_facade_offers_the_same_names(package: str) -> None:
    module = importlib.import_module(package)
    assert sorted(module.__all__) == EXPECTED[package]
    assert len(set(module.__all__)) == len(module.__all__)


@pytest.mark.parametrize("package", PACKAGES)
def test_every_name_of_a_facade_imports(package: str) -> None:
    module = importlib.import_module(package)
    for name in module.__all__:
        exec(f"from {package} import {name}", {})
