"""An app table drawn on the server as plain HTML.

The browser built a Tabulator in about 0.15 s (its redraws measure the page again each
time Panel relays it out: ``benchmarks/app.py --profile``), so every table of the app is
HTML written here: the same headers, and each value written as the Tabulator formatter of
:func:`~salesforge.app.people.people_view` would draw it. A table longer than a page comes
a page at a time (:mod:`salesforge.app.paged_table`). Every cell and header is
HTML-escaped."""

from __future__ import annotations

import html
from typing import Any

import numpy as np
import pandas as pd

from salesforge.analytics.formatting import format_number
from salesforge.i18n import gettext


def _missing(value: Any) -> bool:
    return value is None or (pd.api.types.is_scalar(value) and bool(pd.isna(value)))


def cell_number(value: Any, spec: dict[str, Any], language: str = "en") -> str:
    """``value`` as Tabulator's ``money`` formatter draws it with the options ``spec``
    (``precision``, ``symbol``, ``symbolAfter``; the separators are ``language``'s, as
    :func:`~salesforge.analytics.formatting.separators` gives them to Tabulator): the sign first,
    then the symbol before or after the digits. Missing values are empty."""
    if _missing(value):
        return ""
    number, precision = float(value), int(spec.get("precision", 2))
    sign = "-" if round(number, precision) < 0 else ""  # no "-0"
    digits = format_number(abs(number), precision, language)
    symbol = str(spec.get("symbol") or "")
    return f"{sign}{digits}{symbol}" if spec.get("symbolAfter") else f"{sign}{symbol}{digits}"


def cell_text(value: Any, language: str = "en") -> str:
    """A value that is not a number as text: yes or no in ``language`` for a boolean (as
    the reports write it), empty when missing."""
    if isinstance(value, bool | np.bool_):
        return gettext(language)("yes" if value else "no")
    return "" if _missing(value) else str(value)


def html_table(shown: pd.DataFrame, formatters: dict[str, dict[str, Any]],
               titles: dict[str, str], language: str = "en") -> str:
    """``shown`` as an HTML ``<table class="sf-table">``: headers from ``titles``, numbers
    written with ``formatters`` in ``language`` and aligned right (the frame, formatters
    and titles of :func:`~salesforge.app.people.people_view`), other values as text
    (:func:`cell_text`)."""
    names = [str(c) for c in shown.columns]
    kinds = ["num" if name in formatters else "text" for name in names]
    head = "".join(f'<th class="{kind}">{html.escape(titles.get(name, name))}</th>'
                   for name, kind in zip(names, kinds, strict=True))
    columns = []
    for column, name in zip(shown.columns, names, strict=True):
        spec = formatters.get(name)
        columns.append([html.escape(cell_number(v, spec, language) if spec
                                    else cell_text(v, language))
                        for v in shown[column].tolist()])
    body = "".join("<tr>" + "".join(f'<td class="{kind}">{cells[row]}</td>'
                                    for kind, cells in zip(kinds, columns, strict=True))
                   + "</tr>" for row in range(len(shown)))
    return (f'<div class="sf-table-wrap"><table class="sf-table"><thead><tr>{head}</tr>'
            f"</thead><tbody>{body}</tbody></table></div>")
