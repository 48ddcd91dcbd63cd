"""Root causes of a time-series anomaly: which members of category / region / product
moved the period's value away from its expected value, and by how much money."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from salesforge.detect.series import seasonal_expected
from salesforge.forecast.series import build_series


def drill_down(rows: pd.DataFrame, periods: pd.DataFrame, target: str, freq: str,
               dimensions: list[str], season: int, cycles: int, top: int = 3) -> pd.DataFrame:
    """For each flagged period of one series (``periods``: ``ds`` and ``residual``, the
    series' deviation from expected) and each dimension column of ``rows`` (that series'
    transactions): the members whose own deviation (actual - expected, same baseline)
    pushed the same way, largest first, at most ``top`` per dimension.

    Columns: ds, dimension, member, actual, expected, delta, share (delta / the series'
    deviation; shares of one dimension add up to about 1 over all its members)."""
    found = []
    wanted = set(periods["ds"])
    for dimension in dimensions:
        if dimension not in rows.columns or rows[dimension].nunique() < 2:
            continue
        members = build_series(rows, target, freq, [dimension])
        members["expected"] = seasonal_expected(members, season, cycles, at=periods["ds"])
        members = members[members["ds"].isin(wanted)]
        members = members.merge(periods[["ds", "residual"]], on="ds")
        members["delta"] = members["y"] - members["expected"]
        same_way = np.sign(members["delta"]) == np.sign(members["residual"])
        members = members[same_way & (members["delta"] != 0)].copy()
        members["share"] = members["delta"] / members["residual"].where(members["residual"] != 0)
        members["size"] = members["delta"].abs()
        members = (members.sort_values(["ds", "size"], ascending=[True, False], kind="stable")
                   .groupby("ds", sort=False).head(top))
        found.append(pd.DataFrame({
            "ds": members["ds"], "dimension": dimension, "member": members["series_id"],
            "actual": members["y"], "expected": members["expected"],
            "delta": members["delta"], "share": members["share"],
        }))
    columns = ["ds", "dimension", "member", "actual", "expected", "delta", "share"]
    if not found:
        return pd.DataFrame(columns=columns)
    return pd.concat(found, ignore_index=True)[columns]


def describe(causes: pd.DataFrame, money: Callable[[float], str]) -> str:
    """One line per period: the biggest mover of each dimension, e.g.
    "category Laptops -12.3M (68%); region Jakarta -8.1M (45%)"."""
    if causes.empty:
        return ""
    best = causes.loc[causes["delta"].abs().groupby(causes["dimension"], sort=False).idxmax()]
    parts = []
    for row in best.itertuples():
        share = "" if pd.isna(row.share) else f" ({row.share:.0%})"
        parts.append(f"{row.dimension} {row.member} {money(row.delta)}{share}")
    return "; ".join(parts)
