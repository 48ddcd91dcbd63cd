"""The served page links only the scripts the app uses (no MathJax, no WebGL, no chart
library: charts arrive drawn, no ES-module shim)."""

from __future__ import annotations

import altair as alt
import pandas as pd
import panel as pn
import panel.io.server as panel_server
import pytest
from bokeh.resources import Resources

from salesforge.app import page_scripts


def script_names(bundle) -> list[str]:
    return [str(url).rsplit("/", 1)[-1].split("?")[0] for url in bundle.js_files]


@pytest.fixture
def original_bundle(monkeypatch):
    """Panel's own function during the test (another test of the session may have served
    the app, which installs the lean one), and whatever was there after it."""
    current = panel_server.bundle_resources
    original = current.__wrapped__ if getattr(current, "salesforge_lean", False) else current
    monkeypatch.setattr(panel_server, "bundle_resources", original)
    return original


def test_the_page_drops_mathjax_and_webgl_but_keeps_bokeh_and_widgets(original_bundle):
    roots = [pn.pane.HTML("<b>Rp 1.234</b>").get_root(), pn.widgets.Select().get_root()]
    plain = script_names(original_bundle(roots, Resources(mode="server")))
    assert "bokeh-mathjax.min.js" in plain and "bokeh-gl.min.js" in plain  # Panel's default

    page_scripts.install()
    lean = script_names(panel_server.bundle_resources(roots, Resources(mode="server")))
    assert "bokeh-mathjax.min.js" not in lean and "bokeh-gl.min.js" not in lean
    assert {"bokeh.min.js", "bokeh-widgets.min.js", "bokeh-tables.min.js",
            "panel.min.js"} <= set(lean)
    assert set(lean) == {name for name in plain if name not in (
        "bokeh-mathjax.min.js", "bokeh-gl.min.js", "es-module-shims.min.js")}


def test_the_app_s_page_links_no_chart_library_and_no_module_shim(original_bundle):
    import salesforge.app.main  # noqa: F401  (the app's Panel extensions)
    from salesforge.app.tables import chart

    bars = alt.Chart(pd.DataFrame({"x": [1, 2]})).mark_bar().encode(x="x:Q")
    roots = [chart(bars).get_root()]
    plain = script_names(original_bundle(roots, Resources(mode="server")))
    assert "es-module-shims.min.js" in plain  # Panel's default
    page_scripts.install()
    lean = script_names(panel_server.bundle_resources(roots, Resources(mode="server")))
    assert set(lean) == set(plain) - {"bokeh-mathjax.min.js", "bokeh-gl.min.js",
                                      "es-module-shims.min.js"}
    assert "panel.min.js" in lean and not [n for n in lean if n.startswith("vega")]


def test_installing_twice_wraps_once(original_bundle):
    page_scripts.install()
    first = panel_server.bundle_resources
    page_scripts.install()
    assert panel_server.bundle_resources is first
    assert first.__wrapped__ is original_bundle
