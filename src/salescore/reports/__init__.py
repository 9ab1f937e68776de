"""Reports people can look at: terminal tables, charts and an HTML page.

Outside the core: :mod:`salescore.reports.tables` needs rich and
:mod:`salescore.reports.charts` needs matplotlib (``pip install
'salescore[cli]'`` brings both; ``salescore[plot]`` only matplotlib); each is
imported when used. :func:`~salescore.reports.html.html_report` writes a
self-contained page with the charts embedded.
"""

from __future__ import annotations
