"""The core does no I/O (DESIGN.md, principle 1).

A static scan of the core's own imports finds no I/O module, and importing
salescore in a fresh interpreter loads no database driver or network client.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import salescore

SRC = Path(salescore.__file__).resolve().parent
OUTSIDE_CORE = (
    "storage/sqlite.py",
    "storage/postgres.py",
    "reports",
    "cli.py",
    "__main__.py",
    "testing",
    "simulation/runner.py",
)
FORBIDDEN = {
    "sqlite3",
    "psycopg",
    "psycopg2",
    "socket",
    "ssl",
    "http",
    "urllib",
    "subprocess",
    "asyncio",
    "requests",
    "httpx",
    "aiohttp",
    "smtplib",
    "ftplib",
    "shutil",
    "tempfile",
    "multiprocessing",
    "selectors",
    "io",
    "os",
    "pathlib",
    "glob",
    "sys",
}
CORE_ALLOWED_THIRD_PARTY = {
    "attrs",
    "attr",
    "cattrs",
    "dateutil",
    "email_validator",
    "idna",
    "orjson",
}


def _core_files() -> list[Path]:
    files = []
    for path in SRC.rglob("*.py"):
        rel = path.relative_to(SRC).as_posix()
        if not rel.startswith(OUTSIDE_CORE):
            files.append(path)
    return files


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


def test_scan_finds_core_modules() -> None:
    rels = {p.relative_to(SRC).as_posix() for p in _core_files()}
    assert {"errors.py", "money.py", "clock.py", "ids.py", "serialization.py"} <= rels
    assert "domain/stages.py" in rels


def test_core_imports_no_io_module() -> None:
    offenders = {
        p.relative_to(SRC).as_posix(): sorted(_imports(p) & FORBIDDEN) for p in _core_files()
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def test_core_imports_only_stdlib_and_allowed_packages() -> None:
    stdlib = set(sys.stdlib_module_names)
    bad = {}
    for p in _core_files():
        extra = _imports(p) - stdlib - CORE_ALLOWED_THIRD_PARTY - {"salescore", "__future__"}
        if extra:
            bad[p.relative_to(SRC).as_posix()] = sorted(extra)
    # optional extras are imported lazily inside functions; they would show here
    # only if imported at module level.
    lazy_ok = {"phonenumbers", "pycountry", "rapidfuzz"}
    assert {k: v for k, v in bad.items() if set(v) - lazy_ok} == {}


def test_importing_salescore_loads_no_driver_or_network_client() -> None:
    code = (
        "import sys, json, salescore, salescore.rules, salescore.domain;"
        "print(json.dumps(sorted(sys.modules)))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    loaded = set(json.loads(out.stdout))
    for name in (
        "sqlite3",
        "_sqlite3",
        "psycopg",
        "psycopg2",
        "http.client",
        "urllib.request",
        "ssl",
        "_ssl",
        "asyncio",
        "requests",
        "httpx",
    ):
        assert name not in loaded, name


def test_every_public_module_imports_first_in_a_fresh_interpreter() -> None:
    modules = [
        "salescore.funnels",
        "salescore.domain.leads",
        "salescore.domain.stages",
        "salescore.rules",
        "salescore.serialization",
        "salescore.testing.strategies",
    ]
    for name in modules:
        done = subprocess.run(
            [sys.executable, "-c", f"import {name}"], capture_output=True, text=True, check=False
        )
        assert done.returncode == 0, (name, done.stderr[-500:])
