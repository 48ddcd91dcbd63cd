"""A table longer than a page: the server writes the page on screen as HTML
(:func:`~salesforge.app.html_table.html_table`), with page buttons and a sort choice.

The app's tables were Tabulators; the browser spent about 0.15 s of script on each one
(more on every relayout Panel started: ``benchmarks/app.py --profile``), and a page
holding one loaded Tabulator's 0.5 MB of script besides. Here a page turn or a new sort
order sends the browser one page of HTML (15 rows), every cell and header escaped."""

from __future__ import annotations

import math
from functools import partial
from typing import Any

import pandas as pd
import panel as pn

from salesforge.analytics.formatting import format_number
from salesforge.app.html_table import html_table
from salesforge.i18n import N_, gettext

#: The sort choice that keeps the rows in the order the run listed them.
AS_LISTED = ""
#: The page buttons and their labels.
PAGER = {"first": N_("First"), "prev": N_("Prev"), "next": N_("Next"), "last": N_("Last")}


def sort_options(titles: dict[str, str], columns: list[str], language: str = "en"
                 ) -> dict[str, str]:
    """The sort choice's labels -> values: the run's order first, then each column largest
    first (``-name``, "Revenue ↓") and smallest first (``+name``, "Revenue ↑")."""
    _ = gettext(language)
    options = {_("As listed"): AS_LISTED}
    for name in columns:
        title = titles.get(name, name)
        options[f"{title} ↓"] = f"-{name}"
        options[f"{title} ↑"] = f"+{name}"
    return options


def sort_key(values: pd.Series) -> pd.Series:
    """What a column sorts by: numbers and booleans as they are, anything else as its
    text, ignoring case (categories by name, not by their code)."""
    if pd.api.types.is_bool_dtype(values) or (
            pd.api.types.is_numeric_dtype(values)
            and not isinstance(values.dtype, pd.CategoricalDtype)):
        return values
    return values.astype("string").str.casefold()


class PagedTable:
    """``shown`` (a :func:`~salesforge.app.people.people_view` frame) in pages of
    ``page_size`` rows, with its ``formatters`` and ``titles``, in ``language``.

    ``layout`` holds the sort choice, the page buttons with "page 2 of 44", and the page;
    :meth:`go` and the ``sort`` widget change what it shows."""

    def __init__(self, shown: pd.DataFrame, formatters: dict[str, dict[str, Any]],
                 titles: dict[str, str], language: str = "en", page_size: int = 15) -> None:
        self._ = _ = gettext(language)
        self.shown = shown.reset_index(drop=True)
        self.rows = self.shown
        self.formatters, self.titles, self.language = formatters, titles, language
        self.page_size = page_size
        self.pages = max(1, math.ceil(len(self.shown) / page_size))
        self.page = 0
        names = [str(c) for c in self.shown.columns]
        self.sort = pn.widgets.Select(label=_("Sort by"),
                                      options=sort_options(titles, names, language),
                                      value=AS_LISTED, width=240)
        self.sort.param.watch(lambda event: self.sort_by(event.new), "value")
        self.buttons = {key: pn.widgets.Button(label=_(word), width=100, align="end")
                        for key, word in PAGER.items()}
        for key, button in self.buttons.items():
            button.on_click(partial(self._pressed, key))
        self.position = pn.pane.HTML("", align="end", margin=(5, 10, 12, 10))
        self.body = pn.pane.HTML("", sizing_mode="stretch_width")
        buttons = self.buttons
        self.layout = pn.Column(
            pn.Row(self.sort, pn.layout.HSpacer(), buttons["first"], buttons["prev"],
                   self.position, buttons["next"], buttons["last"],
                   sizing_mode="stretch_width"),
            self.body, sizing_mode="stretch_width")
        self.go(0)

    def go(self, page: int) -> None:
        """Show page ``page`` (counted from 0; kept inside the table)."""
        self.page = min(max(page, 0), self.pages - 1)
        start = self.page * self.page_size
        self.body.object = html_table(self.rows.iloc[start:start + self.page_size],
                                      self.formatters, self.titles, self.language)
        count = partial(format_number, decimals=0, language=self.language)
        self.position.object = self._("Page {page} of {pages} ({rows} rows)").format(
            page=count(self.page + 1), pages=count(self.pages), rows=count(len(self.rows)))
        for key in ("first", "prev"):
            self.buttons[key].disabled = self.page == 0
        for key in ("next", "last"):
            self.buttons[key].disabled = self.page == self.pages - 1

    def turn(self, button: str) -> None:
        """What page button ``button`` (``first``, ``prev``, ``next``, ``last``) does."""
        self.go({"first": 0, "prev": self.page - 1, "next": self.page + 1,
                 "last": self.pages - 1}[button])

    def _pressed(self, button: str, _event: object) -> None:
        self.turn(button)

    def sort_by(self, choice: str) -> None:
        """Order the rows by ``choice`` (a value of :func:`sort_options`; missing values
        last, ties in the run's order) and show the first page."""
        if choice == AS_LISTED:
            self.rows = self.shown
        else:
            column = self.shown.columns[[str(c) for c in self.shown.columns].index(choice[1:])]
            self.rows = self.shown.sort_values(column, ascending=choice[0] == "+",
                                               kind="stable", na_position="last", key=sort_key)
        self.go(0)
