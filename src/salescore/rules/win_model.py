"""Moved to :mod:`salescore.decisions.win_model`; this path is kept for compatibility.

Importing it warns (``DeprecationWarning``) and offers every name of the new module.
"""

import warnings
from typing import Any

from salescore.decisions import win_model as _moved
from salescore.decisions.win_model import *  # noqa: F403

warnings.warn(
    "salescore.rules.win_model has moved: import salescore.decisions.win_model",
    DeprecationWarning,
    stacklevel=2,
)


def __getattr__(name: str) -> Any:
    return getattr(_moved, name)
