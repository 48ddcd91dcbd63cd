"""Tables for people in the app: headers from the catalog, money in the run's currency
without decimals, percentages with one decimal, shares of one as percentages, counts as
whole numbers, dates as dates. Values stay numbers (columns sort as numbers); Tabulator's
own formatters draw them, or :func:`~salesforge.app.html_table.cell_number` with the same
options in a table of one page. The CSV download keeps the machine names and full
precision."""

from __future__ import annotations

from typing import Any

import pandas as pd

from salesforge.analytics.formatting import CURRENCIES, separators
from salesforge.report.display import column_kind
from salesforge.report.labels import column_label


def _number(precision: int, thousand: str, decimal: str, symbol: str = "",
            after: bool = False) -> dict[str, Any]:
    return {"type": "money", "thousand": thousand, "decimal": decimal, "symbol": symbol,
            "symbolAfter": after, "precision": precision}


def people_view(frame: pd.DataFrame, currency: str = "IDR", language: str = "en"
                ) -> tuple[pd.DataFrame, dict[str, dict[str, Any]], dict[str, str]]:
    """``(shown, formatters, titles)`` for a Tabulator of ``frame``: ``shown`` is a copy
    with shares times 100 and dates as ``YYYY-MM-DD`` text, the rest unchanged."""
    shown = frame.copy()
    formatters: dict[str, dict[str, Any]] = {}
    titles: dict[str, str] = {}
    code = currency.upper()
    symbol, decimals = CURRENCIES.get(code, (code + " ", 2))
    money_symbol = f"{symbol} " if code == "IDR" else symbol
    for column in frame.columns:
        name, values = str(column), frame[column]
        titles[name] = column_label(name, language)
        kind = column_kind(name, values)
        thousand, decimal = separators(language)
        if kind == "date":
            shown[column] = pd.to_datetime(values).dt.strftime("%Y-%m-%d").fillna("")
        elif kind == "share":
            shown[column] = values * 100.0
            formatters[name] = _number(1, thousand, decimal, "%", after=True)
            titles[name] = f"{titles[name]} %" if not titles[name].endswith("%") \
                else titles[name]
        elif kind == "money":
            formatters[name] = _number(decimals, thousand, decimal, money_symbol)
        elif kind == "percent":
            formatters[name] = _number(1, thousand, decimal, "%", after=True)
        elif kind == "count":
            formatters[name] = _number(0, thousand, decimal)
        elif kind == "number":
            known = values.dropna().abs()
            whole = bool(((known % 1) == 0).all()) or bool(len(known) and known.median() >= 100)
            formatters[name] = _number(0 if whole else 2, thousand, decimal)
    return shown, formatters, titles
