"""Tables with a CSV download button, and chart panes as wide as the page."""

from __future__ import annotations

import io
from collections.abc import Callable, Hashable
from typing import Literal

import altair as alt
import pandas as pd
import panel as pn

from salesforge.app.cache import SharedCache
from salesforge.app.drawn_charts import DrawnChart, draw_chart
from salesforge.app.html_table import html_table
from salesforge.app.paged_table import PagedTable
from salesforge.app.people import people_view
from salesforge.i18n import gettext
from salesforge.report.escape import escape_frame
from salesforge.report.labels import shown_values

PAGE_SIZE = 15
#: The CSS class of the app's chart panes.
CHART_CLASS = "sf-chart"


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


#: How many drawn charts the server keeps (tens of kilobytes each; the anomaly scatter's
#: PNG a few hundred, with the spec it was drawn from).
CHART_CACHE_SIZE = 256


def chart_theme() -> Literal["dark"] | None:
    """The vega-themes theme of this page's charts: ``"dark"`` in Panel's dark theme."""
    return "dark" if pn.config.theme == "dark" else None


class ChartCache(SharedCache[DrawnChart]):
    """Charts drawn once and kept for every session of the server, newest used last.

    A key names everything a chart shows (the run, the view, the filters, the language,
    the theme), so a tab switch or a second visitor reuses the drawing instead of
    aggregating the rows and drawing the chart again."""

    def __init__(self, size: int = CHART_CACHE_SIZE) -> None:
        super().__init__(size)

    def drawn(self, key: Hashable, build: Callable[[], alt.TopLevelMixin]) -> DrawnChart:
        """The chart ``build`` makes, drawn (:func:`~salesforge.app.drawn_charts.draw_chart`)
        and kept under ``key``."""
        return self.get(key, lambda: draw_chart(build(), chart_theme()))


#: The server's charts (one cache per process, shared by every browser session).
CHARTS = ChartCache()


def chart(drawing: alt.TopLevelMixin | DrawnChart) -> pn.pane.HTML:
    """A chart (Altair, drawn here, or one drawn already) as the page shows it: a picture
    as wide as the page allows (:mod:`salesforge.app.drawn_charts`)."""
    if not isinstance(drawing, DrawnChart):
        drawing = draw_chart(drawing, chart_theme())
    return pn.pane.HTML(drawing.html, sizing_mode="stretch_width", css_classes=[CHART_CLASS])


def chart_panes(layout: pn.layout.Panel) -> list[pn.pane.HTML]:
    """The charts (:func:`chart`) inside ``layout``."""
    return [pane for pane in layout.select(pn.pane.HTML) if CHART_CLASS in pane.css_classes]


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
