"""Moved to :mod:`salescore.domain.service`; this path is kept for compatibility.

Importing it warns (``DeprecationWarning``) and offers every name of the
package, among them all that this module offered before.
"""

import warnings

from salescore.domain.service import *  # noqa: F403

warnings.warn(
    "salescore.domain.sla has moved: import salescore.domain.service",
    DeprecationWarning,
    stacklevel=2,
)
