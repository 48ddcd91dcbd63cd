"""Spreadsheet formula injection (CSV injection) defused, by OWASP's rule.

A text cell that begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a
leading single quote, so Excel, LibreOffice and Google Sheets show it as text instead of
running it (``=HYPERLINK(...)``, ``=cmd|' /C calc'!A0``). Numbers, dates and booleans are
never touched; text that merely looks like a number, such as ``"-5"``, is text and IS
escaped. Every spreadsheet-bound output uses this: the Excel report, the CSV report bundle
and the app's table downloads. The machine-readable run-directory files
(``forecast/*.csv``, ``anomalies/anomalies.csv``, ``segments/segments.csv``,
``data/rejected.csv``, ``data/clean.parquet``) stay raw on purpose, because programs, not
spreadsheets, read them and need the values exactly as they are.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

#: First characters that make a spreadsheet treat a cell as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def escape_cell(value: Any) -> Any:
    """``value`` with a leading ``'`` when it is text starting with one of
    :data:`FORMULA_STARTS`; any other value (numbers, dates, None) unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _escape_series(series: pd.Series) -> pd.Series:
    if isinstance(series.dtype, pd.CategoricalDtype):
        series = series.astype(object)
    if not (pd.api.types.is_object_dtype(series) or pd.api.types.is_string_dtype(series)):
        return series
    try:
        starts = series.str.startswith(FORMULA_STARTS, na=False).astype(bool)
    except AttributeError:  # an object column holding no text at all
        return series
    if not starts.any():
        return series
    out = series.copy()
    out[starts] = "'" + series[starts]
    return out


def escape_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` with :func:`escape_cell` applied to every text value and to the
    column names; numeric, boolean and datetime columns are left as they are (the index,
    which the outputs do not write, too)."""
    out = frame.copy()
    for position in range(out.shape[1]):
        out.isetitem(position, _escape_series(out.iloc[:, position]))
    out.columns = [escape_cell(c) for c in out.columns]
    return out
