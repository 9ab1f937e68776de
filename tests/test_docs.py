"""Every ``python`` code block in ``docs/`` and the README runs, and shows what it prints.

Blocks of one page run in order in one namespace, so a page reads like a
session. A failing block names the page and the line where it starts.

Shown outputs are checked, doctest-style, in two forms:

* a statement followed by ``# -> TEXT`` on its last line: for a ``print(...)``
  call, ``TEXT`` is what it prints; for any other expression, its ``repr``;
* an ``output`` block right after a ``python`` block (only blank lines
  between): exactly what the ``python`` block printed (trailing spaces
  ignored).
"""

from __future__ import annotations

import ast
import contextlib
import io
import re
import sys
import types
from pathlib import Path
from typing import NamedTuple

import pytest

ROOT = Path(__file__).resolve().parent.parent
PAGES = [*sorted((ROOT / "docs").glob("*.md")), ROOT / "README.md"]
FENCE = re.compile(r"^```([\w-]*)[ \t]*\n(.*?)^```[ \t]*$", re.MULTILINE | re.DOTALL)
SHOWN = re.compile(r"#\s*->\s?(.*)$")


class Block(NamedTuple):
    lang: str
    line: int  # the page line of the block's first code line
    code: str
    output: str | None  # the ``output`` block that follows it, if any


def blocks(text: str) -> list[Block]:
    """The fenced blocks of a page, each ``python`` one with the output shown after it."""
    found = list(FENCE.finditer(text))
    out = []
    for i, m in enumerate(found):
        shown = None
        if i + 1 < len(found):
            after = found[i + 1]
            if after.group(1) == "output" and not text[m.end() : after.start()].strip():
                shown = after.group(2)
        out.append(Block(m.group(1), text.count("\n", 0, m.start()) + 2, m.group(2), shown))
    return out


def _lines(text: str) -> list[str]:
    return [line.rstrip() for line in text.rstrip().splitlines()]


def _shown(source: list[str], index: int) -> tuple[int, str] | None:
    """The ``# ->`` text on line ``index`` or, alone, on the line after it."""
    for i in (index, index + 1):
        if i >= len(source):
            return None
        line = source[i]
        if i > index and not line.lstrip().startswith("#"):
            return None
        found = SHOWN.search(line) if "#" in line else None
        if found:
            return i, found.group(1).rstrip()
    return None


def run_block(block: Block, name: str, namespace: dict[str, object]) -> None:
    """Run one block statement by statement, checking every output it shows."""
    tree = ast.parse(block.code, filename=name)
    ast.increment_lineno(tree, block.line - 1)
    source = block.code.splitlines()
    marks = {i for i, line in enumerate(source) if SHOWN.search(line)}
    printed = io.StringIO()
    for stmt in tree.body:
        assert stmt.end_lineno is not None
        shown = _shown(source, stmt.end_lineno - block.line)
        where = f"{name}:{stmt.lineno}"
        if shown is None:
            with contextlib.redirect_stdout(printed):
                exec(compile(ast.Module([stmt], []), name, "exec"), namespace)
            continue
        marks.discard(shown[0])
        want = shown[1]
        assert isinstance(stmt, ast.Expr), f"{where}: '# ->' must follow an expression"
        call = stmt.value
        func = call.func if isinstance(call, ast.Call) else None
        if isinstance(func, ast.Name) and func.id == "print":
            mine = io.StringIO()
            with contextlib.redirect_stdout(mine):
                exec(compile(ast.Module([stmt], []), name, "exec"), namespace)
            printed.write(mine.getvalue())
            got = mine.getvalue().rstrip("\n")
        else:
            got = repr(eval(compile(ast.Expression(call), name, "eval"), namespace))
        assert got == want, f"{where}: shows {want!r} but gives {got!r}"
    assert not marks, f"{name}:{block.line + min(marks, default=0)}: '# ->' follows no statement"
    if block.output is not None:
        want_lines, got_lines = _lines(block.output), _lines(printed.getvalue())
        assert got_lines == want_lines, (
            f"{name}:{block.line}: the output shown after this block differs from what it "
            f"prints:\n--- shown\n{chr(10).join(want_lines)}\n--- printed\n"
            f"{chr(10).join(got_lines)}"
        )


def test_there_are_pages_with_code() -> None:
    assert sum(len(blocks(p.read_text(encoding="utf-8"))) for p in PAGES) >= 5


@pytest.mark.parametrize("page", PAGES, ids=[p.name for p in PAGES])
def test_code_blocks_run_and_show_what_they_print(page: Path) -> None:
    # A page runs as a module of its own, as a user's code would, so that what
    # it defines (annotations included) resolves in its module.
    module = types.ModuleType(f"docs_{page.stem}")
    sys.modules[module.__name__] = module
    namespace: dict[str, object] = module.__dict__
    for block in blocks(page.read_text(encoding="utf-8")):
        if block.lang == "python":
            run_block(block, page.name, namespace)


def test_every_output_block_follows_a_python_block() -> None:
    for page in PAGES:
        found = blocks(page.read_text(encoding="utf-8"))
        shown = sum(b.output is not None for b in found)
        assert shown == sum(b.lang == "output" for b in found), page.name


def test_readme_and_docs_show_checked_outputs() -> None:
    texts = [p.read_text(encoding="utf-8") for p in PAGES]
    marks = sum(len(SHOWN.findall(b.code)) for t in texts for b in blocks(t) if b.lang == "python")
    outputs = sum(b.lang == "output" for t in texts for b in blocks(t))
    readme = blocks((ROOT / "README.md").read_text(encoding="utf-8"))
    assert marks >= 10
    assert outputs >= 5
    assert any(SHOWN.search(b.code) for b in readme)


# --- the checker itself ----------------------------------------------------------------------

PAGE = """
Text.

```python
x = 6 * 7
x  # -> 42
print("a", x)  # -> a 42
print("hidden")
```

```output
a 42
hidden
```
"""


def _run(page: str) -> None:
    namespace: dict[str, object] = {}
    for block in blocks(page):
        if block.lang == "python":
            run_block(block, "page.md", namespace)


def test_the_checker_accepts_a_page_that_shows_the_truth() -> None:
    found = blocks(PAGE)
    assert [(b.lang, b.line) for b in found] == [("python", 5), ("output", 12)]
    assert found[0].output == "a 42\nhidden\n"
    _run(PAGE)


@pytest.mark.parametrize(
    ("wrong", "message"),
    [
        (PAGE.replace("x  # -> 42", "x  # -> 41"), "page.md:6: shows '41' but gives '42'"),
        (PAGE.replace("x)  # -> a 42", "x)  # -> a42"), "page.md:7: shows 'a42'"),
        (PAGE.replace("hidden\n```\n", "shown\n```\n"), "page.md:5: the output shown"),
        (PAGE.replace("x = 6 * 7", "x = 6 * 7  # -> 42"), "'# ->' must follow an expression"),
        (PAGE.replace("x  # -> 42", "x\n# -> 41"), "page.md:6: shows '41' but gives '42'"),
        (PAGE.replace("x  # -> 42", "x\n\n# -> 42"), "page.md:8: '# ->' follows no statement"),
    ],
)
def test_the_checker_refuses_a_page_that_shows_something_else(wrong: str, message: str) -> None:
    with pytest.raises(AssertionError, match=re.escape(message)):
        _run(wrong)
