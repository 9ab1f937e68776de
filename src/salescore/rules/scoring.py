"""Moved to :mod:`salescore.decisions.scoring`; this path is kept for compatibility.

Importing it warns (``DeprecationWarning``) and offers every name of the new module.
"""

import warnings
from typing import Any

from salescore.decisions import scoring as _moved
from salescore.decisions.scoring import *  # noqa: F403

warnings.warn(
    "salescore.rules.scoring has moved: import salescore.decisions.scoring",
    DeprecationWarning,
    stacklevel=2,
)


def __getattr__(name: str) -> Any:
    return getattr(_moved, name)
