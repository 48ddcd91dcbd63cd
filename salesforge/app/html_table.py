"""A table that fits on one page, drawn on the server as plain HTML.

The browser builds a Tabulator in about 0.15 s (its redraws measure the page again each
time Panel relays it out: ``benchmarks/app.py --profile``); a table of a few rows needs no
pager or sorting widget, so :func:`~salesforge.app.tables.table` draws it with
:func:`html_table` instead: the same headers, and each value written as the Tabulator
formatter of :func:`~salesforge.app.people.people_view` would draw it. Every cell and
header is HTML-escaped."""

from __future__ import annotations

import html
import math
from typing import Any

import pandas as pd


def format_number(value: Any, spec: dict[str, Any]) -> str:
    """``value`` as Tabulator's ``money`` formatter draws it with the options ``spec``
    (``precision``, ``thousand``, ``decimal``, ``symbol``, ``symbolAfter``): the sign first,
    then the symbol before or after the digits. Missing values are empty."""
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return ""
    number, precision = float(value), int(spec.get("precision", 2))
    size = round(abs(number), precision)
    thousand, decimal = spec.get("thousand", ","), spec.get("decimal", ".")
    digits = f"{size:,.{precision}f}".replace(",", "\0").replace(".", decimal)
    digits = digits.replace("\0", thousand)
    sign = "-" if number < 0 and size else ""  # no "-0"
    symbol = str(spec.get("symbol") or "")
    return f"{sign}{digits}{symbol}" if spec.get("symbolAfter") else f"{sign}{symbol}{digits}"


def _text(value: Any) -> str:
    """A cell that is not a number as text (missing: empty; a list or dict as written)."""
    missing = value is None or (pd.api.types.is_scalar(value) and pd.isna(value))
    return "" if missing else str(value)


def html_table(shown: pd.DataFrame, formatters: dict[str, dict[str, Any]],
               titles: dict[str, str]) -> str:
    """``shown`` as an HTML ``<table class="sf-table">``: headers from ``titles``, numbers
    written with ``formatters`` and aligned right (the frame, formatters and titles of
    :func:`~salesforge.app.people.people_view`), other values as text."""
    columns = [str(c) for c in shown.columns]
    head = "".join(f'<th class="{"num" if c in formatters else "text"}">'
                   f"{html.escape(titles.get(c, c))}</th>" for c in columns)
    cells = []
    for column, name in zip(shown.columns, columns, strict=True):
        spec = formatters.get(name)
        values = shown[column].tolist()
        cells.append([html.escape(format_number(v, spec) if spec else _text(v))
                      for v in values])
    kinds = ["num" if c in formatters else "text" for c in columns]
    body = "".join(
        "<tr>" + "".join(f'<td class="{kind}">{column[row]}</td>'
                         for kind, column in zip(kinds, cells, strict=True)) + "</tr>"
        for row in range(len(shown)))
    return (f'<div class="sf-table-wrap"><table class="sf-table"><thead><tr>{head}</tr>'
            f"</thead><tbody>{body}</tbody></table></div>")
