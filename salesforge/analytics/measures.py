"""Headline KPIs and per-dimension summary tables of clean transactions.

Counting is named for what it counts: ``lines`` are sales rows, ``orders`` are distinct
``order_id`` values (only when the data has order ids). ``transactions`` is kept as the
headline count for compatibility: orders when order ids exist, lines otherwise.
Returns (rows with ``is_return`` true, negative quantity) are netted into revenue and
units, excluded from line/order counts, and measured by ``return_rate_pct``.
"""

from __future__ import annotations

from typing import Any, TypeGuard

import numpy as np
import pandas as pd

from salesforge.analytics.facts import MONTH, Facts, sales_mask

__all__ = ["Facts", "breakdown", "finite", "headline_kpis", "monthly", "sales_mask",
           "summarise"]


def headline_kpis(clean: pd.DataFrame | Facts) -> dict[str, Any]:
    """Revenue (net of returns), gross sales, orders, lines, units, AOV (per order when
    ``order_id`` exists, else per line), products, customers, return rate, date range."""
    facts = Facts.of(clean)
    frame, sales = facts.clean, facts.sales
    lines = int(sales.sum())
    orders = facts.orders() if "order_id" in frame.columns else None
    gross = float(frame["revenue"][sales].sum())
    has_returns = "is_return" in frame.columns
    returned = 0.0 - float(frame["revenue"][~sales].sum()) if has_returns else None
    transactions = orders if orders is not None else lines
    return {
        "revenue": float(frame["revenue"].sum()),
        "gross_sales": gross,
        "transactions": transactions,
        "orders": orders,
        "lines": lines,
        "units": float(frame["quantity"].sum()),
        "average_order_value": gross / transactions if transactions else float("nan"),
        "products": facts.distinct("product"),
        "customers": (facts.distinct("customer_id")
                      if "customer_id" in frame.columns else None),
        "return_lines": int((~sales).sum()) if has_returns else None,
        "returns_value": returned,
        "return_rate_pct": (returned / gross * 100 if returned is not None and gross else None),
        "date_min": frame["date"].min().date().isoformat(),
        "date_max": frame["date"].max().date().isoformat(),
    }


def summarise(clean: pd.DataFrame | Facts, keys: Any) -> pd.DataFrame:
    """Per group of ``keys`` (column names or Series): revenue, units, lines and, when the
    data has order ids, orders; returns netted into revenue and units."""
    facts = Facts.of(clean)
    if isinstance(keys, str):
        return facts.summary(keys).copy()
    frame = facts.clean
    aggs = {"revenue": ("revenue", "sum"), "units": ("quantity", "sum"),
            "lines": ("_line", "sum")}
    grouped = frame.assign(_line=facts.sales.astype("int64")).groupby(
        keys, observed=True, sort=True)
    table = grouped.agg(**aggs)
    if "order_id" in frame.columns:
        groups = grouped.ngroup().to_numpy(dtype=float, na_value=np.nan)
        codes = np.where(np.isnan(groups), -1, groups).astype(np.int64)
        table["orders"] = facts.orders_by(codes, len(table))
    return table


def breakdown(clean: pd.DataFrame | Facts, column: str) -> pd.DataFrame:
    """Revenue, units, lines (orders) and revenue share per value of ``column``, largest
    revenue first (ties by name)."""
    table = Facts.of(clean).summary(column).copy()
    table["share_pct"] = table["revenue"] / table["revenue"].sum() * 100
    table = table.sort_index(kind="stable").sort_values("revenue", ascending=False,
                                                         kind="stable")
    table.index = table.index.astype("string")
    return table.rename_axis(column).reset_index()


def monthly(clean: pd.DataFrame | Facts) -> pd.DataFrame:
    """One row per calendar month (``YYYY-MM``) with revenue, units, lines (orders) and
    the plain month-over-month revenue change ``growth_pct`` (see ``growth`` tables for
    partial-month handling)."""
    table = Facts.of(clean).summary(MONTH).copy()
    table["growth_pct"] = table["revenue"].pct_change() * 100
    table.index = table.index.astype(str)
    return table.reset_index()


def finite(value: Any) -> TypeGuard[float]:
    """True for a real, finite number."""
    return value is not None and bool(np.isfinite(value))
