"""Moved to :mod:`salescore.decisions.qualification`; this path is kept for compatibility.

Importing it warns (``DeprecationWarning``) and offers every name of the new module.
"""

import warnings
from typing import Any

from salescore.decisions import qualification as _moved
from salescore.decisions.qualification import *  # noqa: F403

warnings.warn(
    "salescore.rules.qualification has moved: import salescore.decisions.qualification",
    DeprecationWarning,
    stacklevel=2,
)


def __getattr__(name: str) -> Any:
    return getattr(_moved, name)
