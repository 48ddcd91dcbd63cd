"""The served page's scripts: only those the app uses.

Panel's server page links every BokehJS bundle, and MathJax's (1.8 MB) whenever the page
holds an HTML or Markdown pane, which is always. The app draws no WebGL plot and no TeX,
so :func:`install` drops ``bokeh-gl`` and ``bokeh-mathjax`` from the page: a first visit
with an empty browser cache reads 2 MB less script (first KPI card about 0.2 s sooner on
the 2-core machine, ``benchmarks/app.py``). It also drops the ES-module shim Panel links
for custom ESM components (its import-map polyfill; Chromium, Firefox and Safari load the
template's module natively). The page links no chart library at all: its charts arrive
drawn (:mod:`salesforge.app.drawn_charts`).
"""

from __future__ import annotations

from functools import wraps
from typing import Any

import panel.io.server as panel_server

#: BokehJS bundles the app's page never needs.
UNUSED_BUNDLES = ("bokeh-gl", "bokeh-mathjax")
#: Other scripts it never needs (parts of their addresses).
UNUSED_SCRIPTS = ("/es-module-shims",)


def lean(bundle_resources: Any) -> Any:
    """``bundle_resources`` without :data:`UNUSED_BUNDLES` (MathJax off) and
    :data:`UNUSED_SCRIPTS`."""

    @wraps(bundle_resources)
    def lean_bundle(roots: Any, resources: Any, *args: Any, **kwargs: Any) -> Any:
        if resources is not None:
            resources = resources.clone(components=[c for c in resources.components
                                                    if c not in UNUSED_BUNDLES])
        kwargs["enable_mathjax"] = False
        bundle = bundle_resources(roots, resources, *args, **kwargs)
        bundle.js_files = [f for f in bundle.js_files
                           if not any(name in str(f) for name in UNUSED_SCRIPTS)]
        return bundle

    lean_bundle.salesforge_lean = True  # type: ignore[attr-defined]
    return lean_bundle


def install() -> None:
    """Serve pages with the lean bundle (once per process; a second call changes nothing)."""
    current = panel_server.bundle_resources
    if not getattr(current, "salesforge_lean", False):
        panel_server.bundle_resources = lean(current)
