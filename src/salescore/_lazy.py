"""Lazy package façades (PEP 562): a name's module is imported on first use.

Each façade (``salescore``, ``salescore.domain``, ``salescore.rules``,
``salescore.decisions`` …) keeps one table of the names it offers and the
module that defines each, and gets its ``__getattr__`` and ``__dir__`` from
:func:`attach` and its ``__all__`` from :func:`star`. The policy is in
``docs/api.md``.
"""

from __future__ import annotations

import importlib
import warnings
from collections.abc import Callable, Iterator, Mapping
from typing import Any

__all__ = ["FacadeTable", "attach", "exports", "moved_module", "star"]


def exports(table: Mapping[str, str | tuple[str, ...]]) -> dict[str, str]:
    """Invert ``module → names`` into ``name → module``.

    Args:
        table: Module path → the names it defines that the façade offers,
            as a tuple or as one space-separated string.

    Returns:
        Name → module path.
    """
    return {
        name: module
        for module, names in table.items()
        for name in (names.split() if isinstance(names, str) else names)
    }


def star(names: Mapping[str, str]) -> list[str]:
    """A subpackage's ``__all__``: the names of its table but its submodules.

    Args:
        names: Name → the module that defines it (from :func:`exports`).

    Returns:
        The names, sorted.
    """
    return sorted(name for name, module in names.items() if not _is_submodule(name, module))


class FacadeTable(Mapping[str, str]):
    """Another façade's table (name → module), read when first looked into.

    For names a package keeps offering after they moved to a package in a
    higher layer, which it must not import when it is itself imported.

    Args:
        package: The façade whose ``_EXPORTS`` to read.
    """

    def __init__(self, package: str) -> None:
        self._package = package

    def _table(self) -> Mapping[str, str]:
        table: Mapping[str, str] = importlib.import_module(self._package)._EXPORTS
        return table

    def __getitem__(self, name: str) -> str:
        return self._table()[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._table())

    def __len__(self) -> int:
        return len(self._table())


def _is_submodule(name: str, module_name: str) -> bool:
    return module_name.endswith(f".{name}")


def attach(
    package: str,
    names: Mapping[str, str],
    *,
    moved: Mapping[str, str] | None = None,
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """Build a package's ``__getattr__`` and ``__dir__``.

    Args:
        package: The façade's module name (``__name__``).
        names: Name → the module that defines it. A name whose module
            ends in ``.name`` is a submodule and resolves to the module.
        moved: Name → its new module, for names kept at this path only for
            compatibility: each access warns with a ``DeprecationWarning``.

    Returns:
        ``(__getattr__, __dir__)`` for the package's namespace.
    """
    moved = {} if moved is None else moved

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
        value = module if _is_submodule(name, module_name) else getattr(module, name)
        if not deprecated:
            setattr(importlib.import_module(package), name, value)
        return value

    def dir_() -> list[str]:
        return sorted(set(vars(importlib.import_module(package))) | set(names))

    return getattr_, dir_


def moved_module(old: str, new: str) -> Callable[[str], Any]:
    """Keep a module at its old path: warn that it moved, offer the new one's names.

    Called at the old module's top level (which star-imports the new one):
    the importer gets a ``DeprecationWarning``.

    Args:
        old: The old module's name (``__name__``).
        new: The module that replaces it.

    Returns:
        The old module's ``__getattr__``: any other name of the new module.
    """
    warnings.warn(f"{old} has moved: import {new}", DeprecationWarning, stacklevel=3)
    module = importlib.import_module(new)

    def getattr_(name: str) -> Any:
        return getattr(module, name)

    return getattr_


def _public(module_name: str) -> str:
    """The path to recommend: the module's package when the module is private."""
    parts = module_name.split(".")
    while parts[-1].startswith("_"):
        parts.pop()
    return ".".join(parts)
