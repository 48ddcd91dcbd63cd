"""Per-entity features for segmenting: one row per product (or customer, region, ...)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from salesforge.errors import ConfigError

#: Features the KMeans segmenter uses by default (``margin`` joins when cost exists).
VALUE_FEATURES: tuple[str, ...] = (
    "revenue", "transactions", "units", "avg_price", "growth", "revenue_share",
)


def entity_features(clean: pd.DataFrame, entity: str, freq: str = "W") -> pd.DataFrame:
    """One row per ``entity`` value (index, string), numeric columns only:

    ``revenue``, ``transactions`` (rows), ``units`` (quantity), ``avg_price``
    (revenue / units), ``revenue_share`` (of the total), ``growth`` (second half of the
    date range against the first: (late - early) / (late + early), in -1..1),
    ``recency_days`` (days from the entity's last sale to the data's last date),
    ``demand_cv`` (coefficient of variation of units per ``freq`` period, zeros included)
    and ``margin`` (1 - cost x quantity / revenue) when a ``cost`` column has values.
    Only canonical columns are read; pass-through columns never become features.
    """
    keys = clean[entity].astype("string").fillna("Unknown")
    dates = clean["date"]
    middle = dates.min() + (dates.max() - dates.min()) / 2
    late = clean["revenue"].where(dates > middle, 0.0)
    frame = pd.DataFrame({"key": keys, "revenue": clean["revenue"], "units": clean["quantity"],
                          "late": late, "date": dates})
    grouped = frame.groupby("key", observed=True, sort=True)
    table = grouped.agg(revenue=("revenue", "sum"), transactions=("revenue", "size"),
                        units=("units", "sum"), late=("late", "sum"), last=("date", "max"))
    table["avg_price"] = table["revenue"] / table["units"].where(table["units"] != 0, 1.0)
    total = table["revenue"].sum()
    table["revenue_share"] = table["revenue"] / total if total else 0.0
    early = table["revenue"] - table["late"]
    span = (table["late"] + early).where(lambda s: s != 0)
    table["growth"] = ((table["late"] - early) / span).fillna(0.0).clip(-1, 1)
    table["recency_days"] = (dates.max() - table["last"]).dt.total_seconds() / 86400.0
    table["demand_cv"] = _demand_cv(frame, freq).reindex(table.index).fillna(0.0)
    if "cost" in clean.columns and clean["cost"].notna().any():
        cost = (clean["cost"] * clean["quantity"]).groupby(keys, observed=True).sum()
        revenue = table["revenue"].where(table["revenue"] != 0)
        table["margin"] = (1.0 - cost.reindex(table.index) / revenue).fillna(0.0)
    table = table.drop(columns=["late", "last"])
    table.index = table.index.astype("string").rename(entity)
    return table.astype("float64")


def _demand_cv(frame: pd.DataFrame, freq: str) -> pd.Series:
    """Std / mean of units per period and entity over the whole date range (zeros count)."""
    periods = _periods(frame["date"], freq)
    units = frame.groupby(["key", periods], observed=True)["units"].sum()
    n_periods = max(1, int((periods.max() - periods.min()).n) + 1)
    total = units.groupby(level=0).sum()
    squares = (units ** 2).groupby(level=0).sum()
    mean = total / n_periods
    variance = (squares / n_periods - mean ** 2).clip(lower=0)
    return (np.sqrt(variance) / mean.where(mean > 0)).fillna(0.0)


def _periods(dates: pd.Series, freq: str) -> pd.Series:
    """Dates as periods of ``freq``; start-anchored codes (MS, QS, YS) mean their period."""
    for candidate in (freq, freq[:-1] if freq.upper().endswith("S") else None):
        if candidate:
            try:
                return dates.dt.to_period(candidate)
            except (ValueError, TypeError):
                continue
    raise ConfigError(f"config key segment.freq={freq!r} is not a pandas period frequency "
                      "(e.g. D, W, M, MS, Q).")
