"""The layers of DESIGN.md hold: imports point one way and close no cycle.

Foundation (errors, money, clock, ids, calendar, serialization, the rule
language) ← domain ← decisions and outreach ← analytics ← storage and
workspace ← simulation ← reports and CLI. A static scan reads every import
in ``src/`` (inside functions too; ``if TYPE_CHECKING:`` blocks are not run
and do not count) and checks the direction and that no cycle exists. Every
module also imports first, on its own, in a fresh interpreter.
"""

from __future__ import annotations

import ast
import importlib
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

import salescore

SRC = Path(salescore.__file__).resolve().parent

# Kept only so that old imports keep working; nothing in the package imports them.
DEPRECATED_ALIASES = frozenset(
    f"salescore.rules.{name}" for name in ("qualification", "routing", "scoring", "win_model")
) | {"salescore.domain.sla"}

# (prefix, layer): the longest matching prefix decides. Higher layers may
# import lower ones, never the reverse.
LAYERS: tuple[tuple[str, int], ...] = (
    ("salescore.errors", 0),
    ("salescore.money", 0),
    ("salescore.clock", 0),
    ("salescore.ids", 0),
    ("salescore.calendar", 0),
    ("salescore.serialization", 0),
    ("salescore.frozen", 0),
    ("salescore._", 0),  # private foundation helpers (_validation, _iso4217, _lazy …)
    ("salescore.rules", 0),
    ("salescore.domain", 1),
    ("salescore.funnels", 1),
    ("salescore.decisions", 2),
    ("salescore.outreach", 2),
    ("salescore.analytics", 3),
    ("salescore.storage", 4),
    ("salescore.workspace", 4),
    ("salescore.simulation", 5),
    ("salescore.reports", 6),
    ("salescore.cli", 6),
    ("salescore.__main__", 6),
    ("salescore.testing", 7),  # the public test kit may use anything
    ("salescore", 8),  # the top-level façade offers names of every layer
)


def _module_names() -> dict[str, Path]:
    out = {}
    for path in sorted(SRC.rglob("*.py")):
        parts = ["salescore", *path.relative_to(SRC).with_suffix("").parts]
        if parts[-1] == "__init__":
            parts.pop()
        out[".".join(parts)] = path
    return out


MODULES = _module_names()


def layer(module: str) -> int:
    """The layer of a module (longest matching prefix of :data:`LAYERS`)."""
    best: tuple[int, int] | None = None
    for prefix, number in LAYERS:
        start = prefix if prefix.endswith("_") else prefix + "."
        matches = module == prefix or module.startswith(start)
        if matches and (best is None or len(prefix) > best[0]):
            best = (len(prefix), number)
    if best is None:
        raise AssertionError(f"{module} is in no layer: add it to LAYERS")
    return best[1]


def _runtime_nodes(tree: ast.AST) -> Iterator[ast.Import | ast.ImportFrom]:
    """Every import statement except those under ``if TYPE_CHECKING:``."""
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for other in node.orelse:
                yield from _runtime_nodes(other)
            continue
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node
        yield from _runtime_nodes(node)


def _lazy_table(package: str) -> dict[str, str]:
    """The names a lazy façade offers → their modules (deprecated ones included)."""
    if package not in MODULES or MODULES[package].name != "__init__.py":
        return {}
    module = importlib.import_module(package)
    return {**getattr(module, "_MOVED", {}), **getattr(module, "_EXPORTS", {})}


def _targets(importer: str, node: ast.Import | ast.ImportFrom) -> set[str]:
    if isinstance(node, ast.Import):
        return {a.name for a in node.names if a.name.split(".")[0] == "salescore"}
    if node.level:
        base = importer.split(".")
        if MODULES[importer].name != "__init__.py":
            base.pop()
        base = base[: len(base) - node.level + 1]
        source = ".".join([*base, *([node.module] if node.module else [])])
    else:
        source = node.module or ""
    if source.split(".")[0] != "salescore":
        return set()
    # The package runs its own (eager) imports; a name it offers lazily
    # imports the module its table names.
    out = {source}
    table = _lazy_table(source)
    for alias in node.names:
        sub = f"{source}.{alias.name}"
        if sub in MODULES:
            out.add(sub)
        elif alias.name in table:
            out.add(table[alias.name])
    return out


def import_graph() -> dict[str, set[str]]:
    """Module → the salescore modules it may import when it runs."""
    graph: dict[str, set[str]] = {}
    for name, path in MODULES.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        edges: set[str] = set()
        for node in _runtime_nodes(tree):
            edges |= _targets(name, node)
        edges.discard(name)
        graph[name] = {e for e in edges if e in MODULES}
    return graph


GRAPH = import_graph()


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[list[str]] = []
    counter = 0

    def visit(v: str) -> None:
        nonlocal counter
        index[v] = low[v] = counter
        counter += 1
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                out.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def _without_aliases(graph: dict[str, set[str]]) -> dict[str, set[str]]:
    return {k: v - DEPRECATED_ALIASES for k, v in graph.items() if k not in DEPRECATED_ALIASES}


def test_scan_sees_the_package() -> None:
    assert {"salescore.domain.leads", "salescore.decisions.scoring", "salescore.rules"} <= set(
        GRAPH
    )
    # function-level imports are seen too
    assert "salescore.rules._compile" in GRAPH["salescore.rules._nodes"]
    # a lazy name resolves to its module
    assert "salescore.rules._nodes" in GRAPH["salescore.domain.stages"]


def test_every_module_has_a_layer() -> None:
    assert {m: layer(m) for m in MODULES}  # raises naming a module without a layer


def test_imports_point_down_the_layers() -> None:
    upward = sorted(
        f"{a} (layer {layer(a)}) imports {b} (layer {layer(b)})"
        for a, targets in _without_aliases(GRAPH).items()
        for b in targets
        if layer(b) > layer(a)
    )
    assert upward == []


def test_facades_offer_only_their_layer_and_below() -> None:
    for name in (
        "salescore.domain",
        "salescore.rules",
        "salescore.decisions",
        "salescore.analytics",
        "salescore.outreach",
    ):
        targets = set(importlib.import_module(name)._EXPORTS.values())
        assert {t for t in targets if layer(t) > layer(name)} == set(), name


def test_layer_check_catches_an_upward_import() -> None:
    graph = {"salescore.money": {"salescore.domain.leads"}, "salescore.domain.leads": set()}
    bad = [(a, b) for a, t in graph.items() for b in t if layer(b) > layer(a)]
    assert bad == [("salescore.money", "salescore.domain.leads")]


def test_nothing_imports_the_deprecated_aliases() -> None:
    users = sorted(a for a, targets in GRAPH.items() if targets & DEPRECATED_ALIASES)
    assert users == []


def test_no_import_cycle() -> None:
    assert _cycles(_without_aliases(GRAPH)) == []


def test_cycle_finder_finds_a_function_level_cycle() -> None:
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


_CHILD = """
import importlib, os, sys, warnings
import attrs, cattrs, dateutil.rrule, hypothesis  # third-party, loaded once before forking
failed = []
for name in sys.argv[1:]:
    pid = os.fork()
    if pid == 0:
        code = 0
        try:
            with warnings.catch_warnings():
                warnings.filterwarnings("error", message="salescore", category=DeprecationWarning)
                importlib.import_module(name)
        except BaseException as exc:
            print(f"{name}: {type(exc).__name__}: {exc}", flush=True)
            code = 1
        os._exit(code)
    _, status = os.waitpid(pid, 0)
    if status:
        failed.append(name)
sys.exit(1 if failed else 0)
"""


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
def test_every_module_imports_first_in_a_fresh_interpreter() -> None:
    names = sorted(set(MODULES) - DEPRECATED_ALIASES - {"salescore.__main__"})
    env = {**os.environ, "PYTHONPATH": str(SRC.parent)}
    result = subprocess.run(
        [sys.executable, "-c", _CHILD, *names],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )
    assert result.stdout + result.stderr == ""
    assert result.returncode == 0


def test_deprecated_aliases_import_first_and_warn() -> None:
    code = (
        "import warnings, importlib\n"
        f"for name in {sorted(DEPRECATED_ALIASES)!r}:\n"
        "    with warnings.catch_warnings(record=True) as caught:\n"
        "        warnings.simplefilter('always')\n"
        "        importlib.import_module(name)\n"
        "    assert any(issubclass(w.category, DeprecationWarning) for w in caught), name\n"
    )
    env = {**os.environ, "PYTHONPATH": str(SRC.parent)}
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=False
    )
    assert result.returncode == 0, result.stderr


def test_tests_use_the_public_strategies() -> None:
    tests = Path(__file__).resolve().parent
    private = sorted(
        str(path.relative_to(tests))
        for path in tests.rglob("*.py")
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.ImportFrom)
        and (node.module or "").startswith("salescore.testing._")
    )
    assert private == []
