"""The app's charts drawn on the server (vl-convert), once per run and view, and sent
finished.

The browser receives a picture: it loads no Vega library and runs no chart code, so the
KPI cards and tab switches do not wait for charts being built on a two-core machine
(``benchmarks/app.py``). What a visitor loses against a live Vega view is scroll-zoom.
How a chart is sent depends on what it draws (:func:`draw_chart`):

- a few named things (the segment scatter's products, feature importance's bars: at most
  :data:`MAX_SVG_MARKS` points, bars or cells) as SVG in the page: hovering one names it,
  through SVG ``<title>`` elements written from the chart's own tooltip fields
  (:func:`hover_texts`) in the chart's language and number style;
- lines and areas (a few shapes however many rows), and up to :data:`MAX_IMAGE_MARKS`
  marks (the anomaly timeline's days), as an image of their SVG: no hover texts, and
  the page's stylesheets do not reach inside an image;
- more marks (the anomaly scatter's points) as a PNG: the browser styles and lays out
  every element of an SVG, in the page or in an image of it (the Anomaly tab's 2,000
  marks as SVG took it 0.1-0.3 s in one task), while it decodes a PNG off its main
  thread. (A PNG of a few hundred thin bars is larger than their SVG: the timeline's 425
  are 60 KB as SVG, 320 KB as PNG.)

Vega's SVG writer escapes every text and attribute it writes (a product named
``<script>`` is drawn as those characters), so the SVG is shown as it comes.
"""

from __future__ import annotations

import base64
import html
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Literal

import altair as alt

#: Width in CSS pixels of every app chart, axes and legend included; a narrower page
#: scales the picture down (``max-width: 100%``).
CHART_WIDTH = 960
#: Most separate marks (points, bars, cells: one page element each) a chart is put in
#: the page as SVG with, named on hover.
MAX_SVG_MARKS = 300
#: Most separate marks a chart is sent as an image of its SVG with; one with more is a PNG.
MAX_IMAGE_MARKS = 1000
#: Device pixels per CSS pixel of a PNG chart (sharp on high-density screens).
PNG_SCALE = 2
#: Marks drawn as one shape for many rows: no hover text (one text would stand for all).
WHOLE_SHAPE_MARKS = frozenset({"line", "area", "trail", "rule", "text", "geoshape"})
#: Tooltip fields a hover text can name (aggregated, binned or time-unit fields are renamed
#: in Vega's data: those layers get none).
DERIVED = ("aggregate", "bin", "timeUnit")
#: How the page sizes a chart: never wider than the page, proportions kept.
FLUID_STYLE = "max-width: 100%; height: auto; display: block"
#: How a chart is sent: SVG in the page, an image of its SVG, or a PNG.
Form = Literal["svg", "svg image", "png"]


@dataclass(frozen=True)
class DrawnChart:
    """A chart as the app shows it: the HTML the page shows, how (:data:`Form`), the
    Vega-Lite spec it was drawn from (JSON text: a cache of many charts holds no
    per-row objects for the garbage collector to walk), the SVG drawn (None for a PNG)
    and the rows of each dataset it drew."""

    html: str
    form: Form
    spec: str
    svg: str | None
    rows: dict[str, int]


def draw_chart(chart: alt.TopLevelMixin, theme: Literal["dark"] | None = None
               ) -> DrawnChart:
    """``chart`` drawn :data:`CHART_WIDTH` wide (a single or layered chart; others keep
    their own width) in vega-themes' ``theme``, in the form its marks call for."""
    import vl_convert

    if isinstance(chart, (alt.Chart, alt.LayerChart)):
        chart = chart.properties(width=CHART_WIDTH,
                                 autosize=alt.AutoSizeParams(type="fit-x", contains="padding"))
    with alt.data_transformers.disable_max_rows():
        spec = chart.to_dict()
    rows = {name: len(values) for name, values in (spec.get("datasets") or {}).items()}
    marks = separate_marks(spec, rows)
    form: Form
    if marks > MAX_IMAGE_MARKS:
        form = "png"
    elif marks <= MAX_SVG_MARKS and hover_texts(spec, rows):
        form = "svg"
    else:
        form = "svg image"
    if form != "svg":  # a picture shows no descriptions
        _silence(spec.setdefault("config", {}))["aria"] = False
    svg = None
    if form == "png":
        html = image(vl_convert.vegalite_to_png(spec, scale=PNG_SCALE, theme=theme),
                     "image/png", title_of(spec))
    else:
        svg = fluid(titled(vl_convert.vegalite_to_svg(spec, theme=theme)))
        html = svg if form == "svg" else image(svg.encode("utf-8"), "image/svg+xml",
                                               title_of(spec))
    return DrawnChart(html=html, form=form, spec=json.dumps(spec), svg=svg, rows=rows)


def image(data: bytes, kind: str, title: str) -> str:
    """An ``<img>`` of ``data`` (inline, of MIME type ``kind``), :data:`CHART_WIDTH` wide
    at most, described by ``title``."""
    encoded = base64.b64encode(data).decode("ascii")
    return (f'<img src="data:{kind};base64,{encoded}" alt="{html.escape(title)}" '
            f'width="{CHART_WIDTH}" style="{FLUID_STYLE}">')


def title_of(spec: dict[str, Any]) -> str:
    """The title a Vega-Lite spec shows (text, or lines joined), or ``""``."""
    title = spec.get("title") or ""
    text = title.get("text", "") if isinstance(title, dict) else title
    return " ".join(text) if isinstance(text, list) else str(text)


def hover_texts(spec: dict[str, Any], sizes: dict[str, int]) -> int:
    """Give each layer of the Vega-Lite ``spec`` (changed in place) whose tooltip can be
    written as text a ``description`` naming its tooltip fields, formatted as the tooltip
    formats them (``title: value; ...``), and turn off the accessibility descriptions of
    every other part (axes, legends, titles, lines): Vega writes a mark's description as
    its ``aria-label``, which :func:`titled` turns into hover text. ``sizes`` gives the
    rows of each named dataset; returns how many marks got a description."""
    _silence(spec.setdefault("config", {}))
    described = 0
    for unit, data in _units(spec, spec.get("data")):
        mark = _mark(unit)
        text = None if mark["type"] in WHOLE_SHAPE_MARKS else _tooltip_text(
            (unit.get("encoding") or {}).get("tooltip"))
        if text is None:
            unit["mark"] = {**mark, "aria": False}
        else:
            unit.setdefault("encoding", {})["description"] = {"value": {"expr": text}}
            described += _rows(data, sizes)
    return described


def _silence(config: dict[str, Any]) -> dict[str, Any]:
    """``config`` with no descriptions of axes, legends and titles (Vega writes them in
    English: "X-axis titled ...")."""
    for part in ("axis", "legend", "title"):
        config.setdefault(part, {})["aria"] = False
    return config


def separate_marks(spec: dict[str, Any], sizes: dict[str, int]) -> int:
    """How many separate marks (points, bars, cells: one element each in an SVG) the
    Vega-Lite ``spec`` draws; lines and areas count none. ``sizes``: rows per dataset."""
    return sum(_rows(data, sizes) for unit, data in _units(spec, spec.get("data"))
               if _mark(unit)["type"] not in WHOLE_SHAPE_MARKS)


def _units(spec: dict[str, Any], data: Any) -> Iterator[tuple[dict[str, Any], Any]]:
    """Each single-mark part of ``spec`` (its layers, concatenated or faceted charts) with
    the data it draws (its own, else the nearest enclosing one)."""
    data = spec.get("data", data)
    for key in ("layer", "hconcat", "vconcat", "concat"):
        for child in spec.get(key) or []:
            yield from _units(child, data)
    if "spec" in spec:
        yield from _units(spec["spec"], data)
    if "mark" in spec:
        yield spec, data


def _mark(unit: dict[str, Any]) -> dict[str, Any]:
    return unit["mark"] if isinstance(unit["mark"], dict) else {"type": unit["mark"]}


def _rows(data: Any, sizes: dict[str, int]) -> int:
    return sizes.get(str(data.get("name")), 0) if isinstance(data, dict) else 0


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
