"""The app's charts drawn on the server as SVG (vl-convert), once per run and view.

The browser receives a finished picture: it loads no Vega library and runs no chart
code, so the KPI cards and tab switches do not wait for charts being built on a
two-core machine (``benchmarks/app.py``). What a visitor loses against a live Vega view
is scroll-zoom. A chart of a few named things (segments' products, feature importance:
at most :data:`HOVER_MARKS` points, bars or cells) is put in the page as SVG, and
hovering one names it, through SVG ``<title>`` elements written from the chart's own
tooltip fields (:func:`hover_texts`) in the chart's language and number style. Every
other chart (lines, the anomaly timeline's days, the scatter's thousands of points) is
an image of its SVG (:attr:`DrawnChart.html`): thousands of SVG elements in the page
would each be styled and laid out by the browser (0.2-0.3 s for the Anomaly tab), an
image is drawn as one. Coordinates are written to a tenth of a pixel (:func:`fluid`).

Vega's SVG writer escapes every text and attribute it writes (a product named
``<script>`` is drawn as those characters), so the SVG is shown as it comes.
"""

from __future__ import annotations

import base64
import html
import json
import re
from dataclasses import dataclass
from typing import Any, Literal

import altair as alt

#: Width in CSS pixels of every app chart, axes and legend included; a narrower page
#: scales the picture down (``max-width: 100%``).
CHART_WIDTH = 960
#: Most marks a chart with hover texts may have (one ``<title>`` and one page element
#: each); a chart with more is shown as an image, without them.
HOVER_MARKS = 300
#: Marks drawn as one shape for many rows: no hover text (one text would stand for all).
WHOLE_SHAPE_MARKS = frozenset({"line", "area", "trail", "rule", "text", "geoshape"})
#: Tooltip fields a hover text can name (aggregated, binned or time-unit fields are renamed
#: in Vega's data: those layers get none).
DERIVED = ("aggregate", "bin", "timeUnit")
#: How the page sizes a chart: never wider than the page, proportions kept.
FLUID_STYLE = "max-width: 100%; height: auto; display: block"


@dataclass(frozen=True)
class DrawnChart:
    """A chart as the app shows it: its SVG, the HTML the page shows (the SVG itself when
    it has hover texts, else an image of it) and the rows of each dataset it drew."""

    svg: str
    html: str
    rows: dict[str, int]

    @property
    def inline(self) -> bool:
        """Whether the page holds the SVG itself (with hover texts), not an image of it."""
        return self.html == self.svg


def draw_svg(chart: alt.TopLevelMixin, theme: Literal["dark"] | None = None) -> DrawnChart:
    """``chart`` as SVG :data:`CHART_WIDTH` wide (a single or layered chart; others keep
    their own width), in vega-themes' ``theme``: with hover texts when it has at most
    :data:`HOVER_MARKS` marks that can carry them, else as an image."""
    import vl_convert

    if isinstance(chart, (alt.Chart, alt.LayerChart)):
        chart = chart.properties(width=CHART_WIDTH,
                                 autosize=alt.AutoSizeParams(type="fit-x", contains="padding"))
    with alt.data_transformers.disable_max_rows():
        spec = chart.to_dict()
    rows = {name: len(values) for name, values in (spec.get("datasets") or {}).items()}
    inline = 0 < hover_texts(spec, rows, write=False) <= HOVER_MARKS
    if inline:
        hover_texts(spec, rows)
    else:  # no descriptions: an image shows none
        _silence(spec.setdefault("config", {}))["aria"] = False
    svg = fluid(titled(vl_convert.vegalite_to_svg(spec, theme=theme)))
    return DrawnChart(svg=svg, html=svg if inline else image(svg, title_of(spec)), rows=rows)


def image(svg: str, title: str) -> str:
    """An ``<img>`` of ``svg`` (inline data), described by ``title``."""
    data = base64.b64encode(svg.encode("utf-8")).decode("ascii")
    return (f'<img src="data:image/svg+xml;base64,{data}" alt="{html.escape(title)}" '
            f'style="{FLUID_STYLE}">')


def title_of(spec: dict[str, Any]) -> str:
    """The title a Vega-Lite spec shows (text, or lines joined), or ``""``."""
    title = spec.get("title") or ""
    text = title.get("text", "") if isinstance(title, dict) else title
    return " ".join(text) if isinstance(text, list) else str(text)


def hover_texts(spec: dict[str, Any], sizes: dict[str, int], write: bool = True) -> int:
    """Give each layer of the Vega-Lite ``spec`` (changed in place) whose tooltip can be
    written as text a ``description`` naming its tooltip fields, formatted as the tooltip
    formats them (``title: value; ...``), and turn off the accessibility descriptions of
    every other part (axes, legends, titles, lines): Vega writes a mark's description as
    its ``aria-label``, which :func:`titled` turns into hover text. ``sizes`` gives the
    rows of each named dataset; returns how many marks got a description (with ``write``
    false, how many would, ``spec`` left as it was)."""
    if write:
        _silence(spec.setdefault("config", {}))
    return _describe(spec, spec.get("data"), sizes, write)


def _silence(config: dict[str, Any]) -> dict[str, Any]:
    """``config`` with no descriptions of axes, legends and titles (Vega writes them in
    English: "X-axis titled ...")."""
    for part in ("axis", "legend", "title"):
        config.setdefault(part, {})["aria"] = False
    return config


def _describe(unit: dict[str, Any], data: Any, sizes: dict[str, int], write: bool) -> int:
    data = unit.get("data", data)
    described = sum(_describe(child, data, sizes, write)
                    for key in ("layer", "hconcat", "vconcat", "concat")
                    for child in unit.get(key) or [])
    if "spec" in unit:
        described += _describe(unit["spec"], data, sizes, write)
    if "mark" not in unit:
        return described
    mark = unit["mark"] if isinstance(unit["mark"], dict) else {"type": unit["mark"]}
    text = _tooltip_text((unit.get("encoding") or {}).get("tooltip"))
    if text is None or mark.get("type") in WHOLE_SHAPE_MARKS:
        if write:
            unit["mark"] = {**mark, "aria": False}
        return described
    if write:
        unit.setdefault("encoding", {})["description"] = {"value": {"expr": text}}
    return described + (sizes.get(str(data.get("name")), 0) if isinstance(data, dict) else 0)


def _tooltip_text(tooltip: Any) -> str | None:
    """A Vega expression writing ``tooltip``'s fields as ``title: value; ...``; None when a
    field is derived or there is no tooltip."""
    items = tooltip if isinstance(tooltip, list) else [tooltip] if tooltip else []
    parts = []
    for item in items:
        if not isinstance(item, dict) or "field" not in item \
                or any(key in item for key in DERIVED):
            return None
        field = "datum[" + json.dumps(item["field"]) + "]"
        kind = item.get("type", "nominal")
        if kind == "quantitative":
            value = f"format({field}, {json.dumps(item.get('format') or ',')})"
        elif kind == "temporal":
            value = f"timeFormat(toDate({field}), {json.dumps(item.get('format') or '%d %b %Y')})"
        else:
            value = f"'' + {field}"
        title = str(item.get("title", item["field"])).strip()
        shown = f"(isValid({field}) ? {value} : '–')"
        parts.append(f"{json.dumps(title + ': ')} + {shown}" if title else shown)
    return " + '; ' + ".join(parts) if parts else None


#: A mark element Vega wrote with a description: ``<path ... aria-label="..." .../>``.
_LABELLED = re.compile(r'<(path|rect|circle|line|image)\b([^>]*?) aria-label="([^"]*)"([^>]*?)/>')


#: Vega's accessibility attributes: English words ("Title text 'Revenue'", "circle") and
#: the descriptions :func:`titled` has turned into titles.
_ARIA = re.compile(r' (?:aria-label|aria-roledescription|role)="[^"]*"')


def titled(svg: str) -> str:
    """Each described mark of ``svg`` with its description as a ``<title>`` (what the
    browser shows on hover; already escaped by Vega's writer), and no other accessibility
    words of Vega's (English whatever the chart's language)."""
    return _ARIA.sub("", _LABELLED.sub(r"<\1\2\4><title>\3</title></\1>", svg))


#: A shape's outline or position: ``d="M4.743,0A..."``, ``transform="translate(1.23456,7)"``.
_GEOMETRY = re.compile(r'\b(d|transform)="([^"]*)"')
_FINE = re.compile(r"(\d\.\d)\d+")


def _coarse(attribute: re.Match[str]) -> str:
    return attribute[1] + '="' + _FINE.sub(r"\1", attribute[2]) + '"'


def fluid(svg: str) -> str:
    """``svg`` shrinking with a page narrower than the chart (it keeps its proportions),
    its shapes' coordinates to a tenth of a pixel."""
    svg = _GEOMETRY.sub(_coarse, svg)
    return svg.replace("<svg ", f'<svg style="{FLUID_STYLE}" ', 1)
