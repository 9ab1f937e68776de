"""The rule language's own modules import one way: no cycle, lazy imports included."""

from __future__ import annotations

import ast
from pathlib import Path

import salescore.rules

RULES = Path(salescore.rules.__file__).parent
PRIVATE = sorted(RULES.glob("_*.py"))


def _imports(path: Path) -> set[str]:
    """Every module a file imports, at any depth, except under ``if TYPE_CHECKING:``."""
    found: set[str] = set()

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(ast.parse(path.read_text(encoding="utf-8")))
    return found


GRAPH = {
    f"salescore.rules.{p.stem}": {
        m for m in _imports(p) if m.startswith("salescore.rules._") and m.count(".") == 2
    }
    for p in PRIVATE
    if p.stem != "__init__"
}


def _cycle(graph: dict[str, set[str]]) -> list[str]:
    state: dict[str, int] = {}
    stack: list[str] = []

    def walk(node: str) -> list[str]:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return [*stack[stack.index(nxt) :], nxt]
            if nxt not in state and (found := walk(nxt)):
                return found
        stack.pop()
        state[node] = 2
        return []

    for node in sorted(graph):
        if node not in state and (found := walk(node)):
            return found
    return []


def test_the_scan_sees_the_tree_and_its_uses() -> None:
    assert {
        "salescore.rules._compile",
        "salescore.rules._interpret",
        "salescore.rules._json",
        "salescore.rules._schema",
        "salescore.rules._text",
    } <= GRAPH["salescore.rules._nodes"]
    assert "salescore.rules._nodes" in GRAPH["salescore.rules._parser"]


def test_no_import_cycle_inside_the_rule_language() -> None:
    assert _cycle(GRAPH) == []


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]


def test_the_language_does_not_import_the_domain_or_the_decisions() -> None:
    above = {
        p.name: sorted(
            m for m in _imports(p) if m.startswith(("salescore.domain", "salescore.decisions"))
        )
        for p in PRIVATE
    }
    assert {k: v for k, v in above.items() if v} == {}


def test_each_form_sits_beside_its_reader() -> None:
    from salescore.rules import _json, _text
    from salescore.rules._nodes import NODES

    rule = salescore.rules.parse("lower(email) ends with '@acme.io' and count(xs within 2d) > 1")
    assert _text.read_text(_text.rule_text(rule), NODES) == rule
    assert _json.read_dict(_json.write_dict(rule), NODES) == rule
