"""Sphinx configuration for the salescore documentation."""

from __future__ import annotations

import salescore

project = "salescore"
author = "salescore developers"
copyright = "2026, salescore developers"
release = salescore.__version__
version = release

extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
    "sphinx.ext.viewcode",
    "sphinx.ext.intersphinx",
]
source_suffix = {".md": "markdown"}
root_doc = "index"
exclude_patterns = ["_build"]
myst_enable_extensions = ["colon_fence", "deflist"]
myst_heading_anchors = 3

autodoc_member_order = "bysource"
autodoc_typehints = "signature"
autodoc_preserve_defaults = True
autodoc_default_options = {"members": True, "show-inheritance": True}
napoleon_google_docstring = True
napoleon_numpy_docstring = False
napoleon_use_rtype = False

intersphinx_mapping: dict[str, tuple[str, None]] = {}
# Signatures mention the builtin ``type``; several classes have a ``type``
# field, which makes that cross-reference ambiguous.
suppress_warnings = ["myst.xref_missing", "ref.python"]

html_theme = "furo"
html_title = "salescore"
