"""Moved to :mod:`salescore.decisions.qualification`; this path is kept for compatibility.

Importing it warns (``DeprecationWarning``) and offers every name of the new module.
"""

from salescore._lazy import moved_module
from salescore.decisions.qualification import *  # noqa: F403

__getattr__ = moved_module(__name__, "salescore.decisions.qualification")
