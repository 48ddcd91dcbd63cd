"""Headline KPIs and per-dimension summary tables of clean transactions.

Counting is named for what it counts: ``lines`` are sales rows, ``orders`` are distinct
``order_id`` values (only when the data has order ids). ``transactions`` is kept as the
headline count for compatibility: orders when order ids exist, lines otherwise.
Returns (rows with ``is_return`` true, negative quantity) are netted into revenue and
units, excluded from line/order counts, and measured by ``return_rate_pct``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd


def sales_mask(clean: pd.DataFrame) -> pd.Series:
    """True for sales rows, False for returns (all True when there is no ``is_return``)."""
    if "is_return" not in clean.columns:
        return pd.Series(True, index=clean.index)
    return ~clean["is_return"].fillna(False).astype(bool)


def headline_kpis(clean: pd.DataFrame) -> dict[str, Any]:
    """Revenue (net of returns), gross sales, orders, lines, units, AOV (per order when
    ``order_id`` exists, else per line), products, customers, return rate, date range."""
    sales = sales_mask(clean)
    sold = clean.loc[sales]
    lines = int(sales.sum())
    orders = int(sold["order_id"].nunique()) if "order_id" in clean.columns else None
    gross = float(sold["revenue"].sum())
    has_returns = "is_return" in clean.columns
    returned = 0.0 - float(clean.loc[~sales, "revenue"].sum()) if has_returns else None
    transactions = orders if orders is not None else lines
    return {
        "revenue": float(clean["revenue"].sum()),
        "gross_sales": gross,
        "transactions": transactions,
        "orders": orders,
        "lines": lines,
        "units": float(clean["quantity"].sum()),
        "average_order_value": gross / transactions if transactions else float("nan"),
        "products": int(clean["product"].nunique()),
        "customers": (int(clean["customer_id"].nunique())
                      if "customer_id" in clean.columns else None),
        "return_lines": int((~sales).sum()) if has_returns else None,
        "returns_value": returned,
        "return_rate_pct": (returned / gross * 100 if has_returns and gross else None),
        "date_min": clean["date"].min().date().isoformat(),
        "date_max": clean["date"].max().date().isoformat(),
    }


def summarise(clean: pd.DataFrame, keys: Any) -> pd.DataFrame:
    """Per group of ``keys`` (column names or Series): revenue, units, lines and, when the
    data has order ids, orders; returns netted into revenue and units."""
    sales = sales_mask(clean)
    frame = clean.assign(_line=sales.astype("int64"))
    aggs = {"revenue": ("revenue", "sum"), "units": ("quantity", "sum"),
            "lines": ("_line", "sum")}
    table = frame.groupby(keys, observed=True, sort=True).agg(**aggs)
    if "order_id" in clean.columns:
        orders = clean["order_id"].where(sales)
        table["orders"] = orders.groupby(_aligned(keys, clean), observed=True,
                                         sort=True).nunique()
    return table


def _aligned(keys: Any, clean: pd.DataFrame) -> Any:
    if isinstance(keys, str):
        return clean[keys]
    if isinstance(keys, list):
        return [clean[k] if isinstance(k, str) else k for k in keys]
    return keys


def breakdown(clean: pd.DataFrame, column: str) -> pd.DataFrame:
    """Revenue, units, lines (orders) and revenue share per value of ``column``, largest
    revenue first (ties by name)."""
    table = summarise(clean, column)
    table["share_pct"] = table["revenue"] / table["revenue"].sum() * 100
    table = table.sort_index(kind="stable").sort_values("revenue", ascending=False,
                                                         kind="stable")
    table.index = table.index.astype("string")
    return table.rename_axis(column).reset_index()


def monthly(clean: pd.DataFrame) -> pd.DataFrame:
    """One row per calendar month (``YYYY-MM``) with revenue, units, lines (orders) and
    the plain month-over-month revenue change ``growth_pct`` (see ``growth`` tables for
    partial-month handling)."""
    table = summarise(clean, clean["date"].dt.to_period("M").rename("month"))
    table["growth_pct"] = table["revenue"].pct_change() * 100
    table.index = table.index.astype(str)
    return table.reset_index()


def finite(value: Any) -> bool:
    """True for a real, finite number."""
    return value is not None and bool(np.isfinite(value))
