"""How report values look: column kinds (money, percent, count), labels in en/id, and
the KPI list shown in every report."""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pandas as pd

from salesforge.analytics.formatting import format_money, format_number, format_percent
from salesforge.i18n import gettext
from salesforge.report.labels import column_label, shown_values

MONEY = re.compile(r"(revenue|sales|^price$|avg_price|order_value|^y_(pred|lo|hi|true)$"
                   r"|^(volume|mix|new|lost|change)$|^returns_value$|^average_day$)")
PERCENT = re.compile(r"_pct$")
#: A share of one (0.13 = 13 %): ``revenue_share``, ``share_of_entities``.
SHARE = re.compile(r"(^|_)share(_|$)")

#: KPI name -> (English label, Indonesian label, kind).
KPI_LABELS: dict[str, tuple[str, str, str]] = {
    "revenue": ("Revenue (net)", "Pendapatan (bersih)", "money"),
    "gross_sales": ("Gross sales", "Penjualan kotor", "money"),
    "orders": ("Orders", "Pesanan", "count"),
    "lines": ("Sales lines", "Baris penjualan", "count"),
    "units": ("Units", "Unit", "count"),
    "average_order_value": ("Average order value", "Rata-rata nilai pesanan", "money"),
    "products": ("Products", "Produk", "count"),
    "customers": ("Customers", "Pelanggan", "count"),
    "return_rate_pct": ("Return rate", "Tingkat retur", "percent"),
    "returns_value": ("Returns", "Nilai retur", "money"),
    "pareto_revenue_share_pct": ("Revenue from the top products",
                                 "Pendapatan dari produk teratas", "percent"),
    "date_min": ("First date", "Tanggal pertama", "text"),
    "date_max": ("Last date", "Tanggal terakhir", "text"),
}


def column_kind(name: str, series: pd.Series | None = None) -> str:
    """``money``, ``percent`` (in percent), ``share`` (of one), ``count``, ``number``,
    ``date`` or ``text`` for a column."""
    if series is not None and pd.api.types.is_datetime64_any_dtype(series):
        return "date"
    if series is not None and (pd.api.types.is_bool_dtype(series)
                               or not pd.api.types.is_numeric_dtype(series)):
        return "text"
    if PERCENT.search(name):
        return "percent"
    if SHARE.search(name):
        return "share"
    if MONEY.search(name):
        return "money"
    if series is not None and pd.api.types.is_integer_dtype(series):
        return "count"
    return "number"


def format_value(value: Any, kind: str, language: str, currency: str) -> str:
    """One cell as text in the report language."""
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
        return "–"
    if kind == "money":
        return format_money(float(value), currency, language)
    if kind == "percent":
        return format_percent(float(value), 1, language)
    if kind == "share":
        return format_percent(float(value) * 100.0, 1, language)
    if kind == "count":
        return format_number(float(value), 0, language)
    if kind == "number":
        number = float(value)
        whole = number.is_integer() or abs(number) >= 100
        return format_number(number, 0 if whole else 2, language)
    if kind == "date":
        return pd.Timestamp(value).strftime("%Y-%m-%d")
    if isinstance(value, bool | np.bool_):
        return gettext(language)("yes" if value else "no")
    return str(value)


def format_table(table: pd.DataFrame, language: str, currency: str) -> list[list[str]]:
    """Header plus rows of a table as formatted text."""
    table = shown_values(table, language)
    kinds = [column_kind(str(c), table[c]) for c in table.columns]
    columns = [table[c].tolist() for c in table.columns]
    rows = [[format_value(v, k, language, currency) for v, k in zip(values, kinds, strict=True)]
            for values in zip(*columns, strict=True)] if len(table) else []
    return [[column_label(c, language) for c in table.columns], *rows]


def kpi_rows(kpis: dict[str, Any], language: str, currency: str) -> list[tuple[str, str, Any, str]]:
    """The headline KPIs present in ``kpis``: (key, label, raw value, formatted value)."""
    index = 0 if language == "en" else 1
    out = []
    for key, labels in KPI_LABELS.items():
        value = kpis.get(key)
        if value is None:
            continue
        label = labels[index]
        if key == "pareto_revenue_share_pct" and kpis.get("pareto_top_products"):
            n = kpis["pareto_top_products"]
            label = (f"Revenue from the top {n} products" if language == "en"
                     else f"Pendapatan dari {n} produk teratas")
        out.append((key, label, value, format_value(value, labels[2], language,
                                                            currency)))
    known = set(KPI_LABELS) | {"transactions", "pareto_top_products", "return_lines"}
    for key, value in kpis.items():
        if key not in known and isinstance(value, int | float) and value is not None:
            kind = column_kind(key)
            out.append((key, key.replace("_", " "), value, format_value(
                value, "number" if kind == "text" else kind, language, currency)))
    return out


#: Columns a page-sized table (the PDF) leaves out; the workbook and CSVs keep them.
DETAIL_COLUMNS = frozenset({
    "start", "end", "days_in_period", "basis", "previous_month", "year_ago_month",
    "previous_quarter", "year_ago_quarter", "year_ago_year", "base_period", "period", "lines",
    "segment_id", "product_share_pct", "y_lo_95", "y_hi_95",
})


def compact(table: pd.DataFrame, max_columns: int = 9) -> pd.DataFrame:
    """The table without :data:`DETAIL_COLUMNS`, at most ``max_columns`` columns."""
    keep = [c for c in table.columns if str(c) not in DETAIL_COLUMNS]
    return table[keep[:max_columns]]



