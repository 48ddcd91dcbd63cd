"""Tables with a CSV download button, and chart panes sized for the layout."""

from __future__ import annotations

import io
from collections.abc import Callable, Hashable
from typing import Any, Literal

import altair as alt
import pandas as pd
import panel as pn

from salesforge.app.cache import SharedCache
from salesforge.app.html_table import html_table
from salesforge.app.paged_table import PagedTable
from salesforge.app.people import people_view
from salesforge.i18n import gettext
from salesforge.report.escape import escape_frame
from salesforge.report.labels import shown_values

PAGE_SIZE = 15


def table(frame: pd.DataFrame, name: str, page_size: int = PAGE_SIZE, currency: str = "IDR",
          language: str = "en") -> pn.Column:
    """``frame`` for people (:func:`people_view`: labelled headers, money in ``currency``,
    percentages, dates) as HTML written here (:func:`~salesforge.app.html_table.html_table`),
    and a button downloading ``frame`` itself as ``<name>.csv`` (machine names, full
    precision). A frame of more than ``page_size`` rows is shown a page at a time, with
    page buttons and a sort choice (:class:`~salesforge.app.paged_table.PagedTable`)."""
    frame = frame.reset_index(drop=True)
    shown, formatters, titles = people_view(shown_values(frame, language), currency, language)
    widget: pn.viewable.Viewable
    if len(shown) <= page_size:
        widget = pn.pane.HTML(html_table(shown, formatters, titles, language),
                              sizing_mode="stretch_width")
    else:
        widget = PagedTable(shown, formatters, titles, language, page_size).layout

    def csv() -> io.BytesIO:
        return io.BytesIO(escape_frame(frame).to_csv(index=False).encode("utf-8"))

    download = pn.widgets.FileDownload(callback=csv, filename=f"{name}.csv",
                                       label=gettext(language)("Download {file}").format(
                                           file=f"{name}.csv"), color="light",
                                       width=260)
    return pn.Column(widget, download, sizing_mode="stretch_width")


#: How many drawn charts the server keeps (a chart is a Vega spec with its aggregated
#: data: tens of kilobytes).
CHART_CACHE_SIZE = 256


def chart_theme() -> Literal["dark"] | None:
    """The vega-themes theme of this page's charts: ``"dark"`` in Panel's dark theme."""
    return "dark" if pn.config.theme == "dark" else None


def vega_spec(spec: alt.TopLevelMixin, theme: Literal["dark"] | None = None) -> dict[str, Any]:
    """The Vega spec of an Altair chart as the app shows it: stretched to the page width,
    scroll-zoomable, with tooltips. Compiled from Vega-Lite here, on the server (10 ms a
    chart, once: :data:`CHARTS` keeps it), so the browser starts at Vega and does not
    compile each chart again in every page (a small gain: 0.07 s less script in a first
    visit, ``benchmarks/app.py --profile``).
    vl-convert's compiler writes Vega 6, the major version Panel's bundled vega-embed
    runs. ``theme`` (:func:`chart_theme`) is compiled in: its background, which a Vega
    spec sets itself, included."""
    import vl_convert

    interactive = spec.interactive(bind_y=False) if isinstance(spec, alt.Chart) else spec
    with alt.data_transformers.disable_max_rows():
        lite = interactive.properties(width="container").to_dict()
    return vl_convert.vegalite_to_vega(lite, theme=theme)


def spec_datasets(spec: dict[str, Any]) -> dict[str, list]:
    """The rows of each named dataset of a Vega spec (those given inline)."""
    return {d["name"]: d["values"] for d in spec.get("data") or [] if "values" in d}


class ChartCache(SharedCache[dict[str, Any]]):
    """Charts drawn once and kept for every session of the server, newest used last.

    A key names everything a chart shows (the run, the view, the filters, the language),
    so a tab switch or a second visitor reuses the spec instead of aggregating the rows
    and converting the chart again."""

    def __init__(self, size: int = CHART_CACHE_SIZE) -> None:
        super().__init__(size)

    def spec(self, key: Hashable, build: Callable[[], alt.TopLevelMixin]) -> dict[str, Any]:
        """The Vega spec of the chart ``build`` draws, kept under ``key``."""
        return self.get(key, lambda: vega_spec(build(), chart_theme()))


#: The server's charts (one cache per process, shared by every browser session).
CHARTS = ChartCache()


def chart(spec: alt.TopLevelMixin | dict[str, Any], height: int | None = None) -> pn.pane.Vega:
    """A chart (Altair, or a spec from :func:`vega_spec`) stretched to the page width,
    scroll-zoomable and with tooltips."""
    theme = chart_theme()
    if not isinstance(spec, dict):
        spec = vega_spec(spec, theme)
    # the pane moves each dataset's rows into a data source: it gets its own entries
    spec = {**spec, "data": [dict(d) for d in spec.get("data") or []]}
    return pn.pane.Vega(spec, sizing_mode="stretch_width", height=height or 320,
                        **({"theme": theme} if theme else {}))


def heading(text: str) -> pn.pane.Markdown:
    """A section heading (Markdown ``###``)."""
    return pn.pane.Markdown(f"### {text}", sizing_mode="stretch_width")


def note(text: str) -> pn.pane.Alert:
    """A grey notice saying why a section is empty."""
    return pn.pane.Alert(text, alert_type="light", sizing_mode="stretch_width")


def after_load(build: Callable[[], list]) -> pn.Column:
    """A column that ``build`` fills once the browser has drawn the page (at once when the
    page is already up, or outside a served page), so what a visitor sees first, the KPI
    cards, is not held up by the charts and tables below it."""
    column = pn.Column(sizing_mode="stretch_width")

    def fill() -> None:
        column.objects = build()

    pn.state.onload(fill)
    return column
