"""Every ``python`` code block in ``docs/`` and the README runs.

Blocks of one page run in order in one namespace, so a page reads like a
session. A failing block names the page and the line where it starts.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PAGES = [*sorted((ROOT / "docs").glob("*.md")), ROOT / "README.md"]
FENCE = re.compile(r"^```python[ \t]*\n(.*?)^```", re.MULTILINE | re.DOTALL)


def _blocks(page: Path) -> list[tuple[int, str]]:
    text = page.read_text(encoding="utf-8")
    return [(text.count("\n", 0, m.start()) + 2, m.group(1)) for m in FENCE.finditer(text)]


def test_there_are_pages_with_code() -> None:
    assert sum(len(_blocks(p)) for p in PAGES) >= 5


@pytest.mark.parametrize("page", PAGES, ids=[p.name for p in PAGES])
def test_code_blocks_run(page: Path) -> None:
    namespace: dict[str, object] = {"__name__": f"docs_{page.stem}"}
    for line, code in _blocks(page):
        compiled = compile(code, f"{page.name}:{line}", "exec")
        exec(compiled, namespace)
