"""Saving charts: interactive HTML that works offline, PNG through vl-convert.

Vega, Vega-Lite and vega-embed come from vl-convert's bundled copy, never a CDN: the
per-chart HTML files share one ``vega-embed.js`` next to them, and
:func:`inline_html` puts the bundle once into a self-contained page.
"""

from __future__ import annotations

import html
import json
import os
from functools import cache
from pathlib import Path

import altair as alt

BUNDLE = "vega-embed.js"


@cache
def vega_bundle() -> str:
    """The vega-embed JavaScript bundle (Vega + Vega-Lite + embed) as one script.

    vl-convert builds it in a few seconds, so it is kept in the user cache folder
    (``$XDG_CACHE_HOME/salesforge``, else ``~/.cache/salesforge``) keyed by the
    vl-convert version; an unwritable cache just means building it every process."""
    import vl_convert

    version = getattr(vl_convert, "__version__", "unknown")
    root = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "salesforge"
    cached = root / f"vega-embed-{version}.js"
    try:
        return cached.read_text(encoding="utf-8")
    except OSError:
        pass
    # the stubs make snippet required; at run time it defaults to None (the default snippet)
    bundle = vl_convert.javascript_bundle()  # type: ignore[call-arg]
    try:
        root.mkdir(parents=True, exist_ok=True)
        partial = cached.with_suffix(f".{os.getpid()}.tmp")
        partial.write_text(bundle, encoding="utf-8")
        partial.replace(cached)
    except OSError:
        pass
    return bundle


def chart_json(chart: alt.TopLevelMixin | str) -> str:
    """The chart's Vega-Lite spec as JSON (a string passes through unchanged).

    Altair refuses frames over 5,000 rows by default; the builders keep their data small
    (aggregated or capped), so the limit is lifted here rather than failing a long run."""
    if isinstance(chart, str):
        return chart
    with alt.data_transformers.disable_max_rows():
        return chart.to_json(indent=None)


def png_bytes(chart: alt.TopLevelMixin | str, scale: float = 1.5) -> bytes:
    """The chart (or its JSON spec) rendered to PNG."""
    import vl_convert

    return vl_convert.vegalite_to_png(chart_json(chart), scale=scale)


def embed_script(chart: alt.TopLevelMixin | str, element_id: str) -> str:
    """A ``<script>`` that draws ``chart`` (or its JSON spec) into ``element_id``."""
    spec = chart_json(chart).replace("</", "<\\/")
    return (f"<script>vegaEmbed({json.dumps('#' + element_id)}, {spec}, "
            '{"mode": "vega-lite", "renderer": "svg", "actions": {"export": true, "source": false, '
            '"compiled": false, "editor": false}}).catch(console.error);</script>')


def chart_page(chart: alt.TopLevelMixin | str, title: str, script: str) -> str:
    """A one-chart HTML page; ``script`` is a ``<script>`` tag that loads vega-embed."""
    return (f"<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>{html.escape(title)}"
            f"</title>{script}</head><body><div id=\"chart\"></div>"
            f"{embed_script(chart, 'chart')}</body></html>\n")


def inline_html() -> str:
    """The vega-embed bundle as an inline ``<script>`` tag."""
    return "<script>" + vega_bundle().replace("</script", "<\\/script") + "</script>"


def save_chart(chart: alt.TopLevelMixin | str, folder: Path, name: str,
               png: bool = True) -> dict[str, Path]:
    """Write ``<name>.html`` (interactive, offline via ``vega-embed.js`` in the same
    folder) and ``<name>.png`` into ``folder``; returns ``{"html": path, "png": path}``.
    ``chart`` may be an Altair chart or its JSON spec."""
    folder.mkdir(parents=True, exist_ok=True)
    bundle = folder / BUNDLE
    if not bundle.exists():
        bundle.write_text(vega_bundle(), encoding="utf-8")
    spec = chart_json(chart)
    out = {"html": folder / f"{name}.html"}
    out["html"].write_text(chart_page(spec, name, f'<script src="{BUNDLE}"></script>'),
                           encoding="utf-8")
    if png:
        out["png"] = folder / f"{name}.png"
        out["png"].write_bytes(png_bytes(spec))
    return out
