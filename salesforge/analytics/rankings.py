"""Rankings and calendar patterns: top/bottom products, Pareto, weekday and month of year."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from salesforge.analytics.facts import Facts
from salesforge.analytics.growth import daily_matrix


def top_bottom(products: pd.DataFrame, n: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The ``n`` best and ``n`` worst rows of a breakdown table sorted by revenue
    (largest first); the bottom table lists the worst first."""
    ranked = products.assign(rank=np.arange(1, len(products) + 1))
    return ranked.head(n).reset_index(drop=True), ranked.tail(n).iloc[::-1].reset_index(drop=True)


def pareto(products: pd.DataFrame, share: float = 0.2) -> tuple[pd.DataFrame, dict]:
    """Cumulative revenue share by product rank, and the share of revenue that the top
    ``share`` of products (rounded up, at least one) bring."""
    table = products[["product", "revenue"]].copy()
    total = table["revenue"].sum()
    table.insert(0, "rank", np.arange(1, len(table) + 1))
    table["share_pct"] = table["revenue"] / total * 100
    table["cumulative_share_pct"] = table["share_pct"].cumsum()
    table["product_share_pct"] = table["rank"] / len(table) * 100
    top = max(1, math.ceil(len(table) * share))
    summary = {"top_products": top, "products": len(table), "top_share_pct": share * 100,
               "revenue_share_pct": float(table["cumulative_share_pct"].iloc[top - 1])}
    return table, summary


def weekday(clean: pd.DataFrame | Facts) -> pd.DataFrame:
    """Revenue per day of week (0 = Monday): total, share, and average per calendar day
    of that weekday in the covered date range (days without sales count as zero)."""
    daily = daily_matrix(clean)["revenue"]
    table = daily.groupby(daily.index.day_of_week).agg(revenue="sum", days="size",
                                                     average_day="mean")
    table = table.reindex(range(7), fill_value=0)
    table["share_pct"] = table["revenue"] / table["revenue"].sum() * 100
    return table.rename_axis("weekday").reset_index()


def weekday_by_month(clean: pd.DataFrame | Facts) -> pd.DataFrame:
    """Average revenue per calendar day for each (month, weekday): the heatmap's cells."""
    daily = daily_matrix(clean)["revenue"]
    keys = [daily.index.to_period("M").astype(str).rename("month"),
            daily.index.day_of_week.rename("weekday")]
    return daily.groupby(keys).mean().rename("average_day").reset_index()


def month_of_year(monthly_growth: pd.DataFrame) -> pd.DataFrame:
    """Average revenue per calendar month (1-12) over the complete months only."""
    full = monthly_growth[monthly_growth["complete"]]
    month = full["month"].str[-2:].astype(int).rename("month_of_year")
    table = full.groupby(month)["revenue"].agg(average_revenue="mean", years="size")
    return table.reset_index()
