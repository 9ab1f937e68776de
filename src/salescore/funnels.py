"""Ready-made funnels: the public path of :mod:`salescore.domain.standard_funnels`.

Guide: :doc:`/concepts`.
"""

from __future__ import annotations

from salescore.domain.standard_funnels import *  # noqa: F403
from salescore.domain.standard_funnels import __all__ as __all__
