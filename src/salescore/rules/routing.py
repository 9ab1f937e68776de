"""Moved to :mod:`salescore.decisions.routing`; this path is kept for compatibility.

Importing it warns (``DeprecationWarning``) and offers every name of the new module.
"""

import warnings
from typing import Any

from salescore.decisions import routing as _moved
from salescore.decisions.routing import *  # noqa: F403

warnings.warn(
    "salescore.rules.routing has moved: import salescore.decisions.routing",
    DeprecationWarning,
    stacklevel=2,
)


def __getattr__(name: str) -> Any:
    return getattr(_moved, name)
