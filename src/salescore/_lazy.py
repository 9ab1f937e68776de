"""Lazy package façades (PEP 562): a name's module is imported on first use.

Each façade (``salescore``, ``salescore.domain``, ``salescore.rules``,
``salescore.decisions``) keeps a table of the names it offers and the module
that defines each, and gets its ``__getattr__`` and ``__dir__`` from
:func:`attach`. The policy is in ``docs/api.md``.
"""

from __future__ import annotations

import importlib
import warnings
from collections.abc import Callable, Mapping
from typing import Any

__all__ = ["attach", "exports"]


def exports(table: Mapping[str, tuple[str, ...]]) -> dict[str, str]:
    """Invert ``module → names`` into ``name → module``.

    Args:
        table: Module path → the names it defines that the façade offers.

    Returns:
        Name → module path.
    """
    return {name: module for module, names in table.items() for name in names}


def attach(
    package: str,
    names: Mapping[str, str],
    *,
    moved: Mapping[str, str] | None = None,
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """Build a package's ``__getattr__`` and ``__dir__``.

    Args:
        package: The façade's module name (``__name__``).
        names: Name → the module that defines it. A name whose module is
            ends in ``.name`` is a submodule and resolves to the module.
        moved: Name → its new module, for names kept at this path only for
            compatibility: each access warns with a ``DeprecationWarning``.

    Returns:
        ``(__getattr__, __dir__)`` for the package's namespace.
    """
    moved = dict(moved or {})

    def getattr_(name: str) -> Any:
        module_name = names.get(name)
        deprecated = module_name is None and name in moved
        if deprecated:
            module_name = moved[name]
            warnings.warn(
                f"{package}.{name} has moved: import it from {_public(module_name)}",
                DeprecationWarning,
                stacklevel=2,
            )
        if module_name is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        module = importlib.import_module(module_name)
        value = module if module_name.endswith(f".{name}") else getattr(module, name)
        if not deprecated:
            setattr(importlib.import_module(package), name, value)
        return value

    def dir_() -> list[str]:
        return sorted(set(vars(importlib.import_module(package))) | set(names))

    return getattr_, dir_


def _public(module_name: str) -> str:
    """The path to recommend: the module's package when the module is private."""
    parts = module_name.split(".")
    while parts[-1].startswith("_"):
        parts.pop()
    return ".".join(parts)
