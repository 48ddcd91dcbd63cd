"""Sortable tables with a CSV download button, and chart panes sized for the layout."""

from __future__ import annotations

import io

import altair as alt
import pandas as pd
import panel as pn

from salesforge.app.people import people_view
from salesforge.report.escape import escape_frame

PAGE_SIZE = 15


def table(frame: pd.DataFrame, name: str, page_size: int = PAGE_SIZE, currency: str = "IDR",
          language: str = "en") -> pn.Column:
    """A sortable, paginated Tabulator of ``frame`` for people (:func:`people_view`:
    labelled headers, money in ``currency``, percentages, dates) and a button downloading
    ``frame`` itself as ``<name>.csv`` (machine names, full precision)."""
    frame = frame.reset_index(drop=True)
    shown, formatters, titles = people_view(frame, currency, language)
    widget = pn.widgets.Tabulator(shown, show_index=False, formatters=formatters,
                                  titles=titles, pagination="remote", page_size=page_size,
                                  disabled=True, sizing_mode="stretch_width")

    def csv() -> io.BytesIO:
        return io.BytesIO(escape_frame(frame).to_csv(index=False).encode("utf-8"))

    download = pn.widgets.FileDownload(callback=csv, filename=f"{name}.csv",
                                       label=f"Download {name}.csv", color="light",
                                       width=260)
    return pn.Column(widget, download, sizing_mode="stretch_width")


def chart(spec: alt.TopLevelMixin, height: int | None = None) -> pn.pane.Vega:
    """An Altair chart stretched to the page width, scroll-zoomable and with tooltips."""
    interactive = spec.interactive(bind_y=False) if isinstance(spec, alt.Chart) else spec
    theme = {"theme": "dark"} if pn.config.theme == "dark" else {}
    with alt.data_transformers.disable_max_rows():
        return pn.pane.Vega(interactive.properties(width="container"),
                            sizing_mode="stretch_width", height=height or 320, **theme)


def note(text: str) -> pn.pane.Alert:
    """A grey notice saying why a section is empty."""
    return pn.pane.Alert(text, alert_type="light", sizing_mode="stretch_width")
