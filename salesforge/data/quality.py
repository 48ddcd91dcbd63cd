"""The data-quality section of the manifest: nulls and parse failures per column,
outliers, duplicates, returns, revenue that disagrees with quantity x price, date gaps."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

#: Tukey fences at this many interquartile ranges flag a measure as an outlier.
OUTLIER_IQR = 3.0
_DAY = 86_400_000_000_000  # nanoseconds
_SAMPLE = 1_000_000  # quantiles from an evenly spaced subsample of at most this many rows


def null_counts(raw: pd.DataFrame) -> dict[str, int]:
    """Missing cells per input column."""
    return {str(c): int(raw[c].isna().sum()) for c in raw.columns}


def outliers(clean: pd.DataFrame, measures: tuple[str, ...]) -> dict[str, int]:
    """Rows outside the Tukey fences (quartiles -/+ ``OUTLIER_IQR`` x IQR) per measure."""
    counts = {}
    for measure in measures:
        values = clean[measure].to_numpy(float, na_value=np.nan)
        step = max(1, len(values) // _SAMPLE)
        sample = values[::step]
        sample = sample[np.isfinite(sample)]
        if not len(sample):
            continue
        q1, q3 = np.quantile(sample, [0.25, 0.75])
        low, high = q1 - OUTLIER_IQR * (q3 - q1), q3 + OUTLIER_IQR * (q3 - q1)
        centre, half = (low + high) / 2, (high - low) / 2
        counts[measure] = int(np.count_nonzero(np.abs(values - centre) > half))
    return counts


def date_gaps(dates: pd.Series) -> dict[str, Any]:
    """Distinct days, the typical spacing between them, and gaps longer than 1.5x that
    spacing (e.g. missing days in daily data, missing months in monthly data)."""
    sorted_dates = dates.is_monotonic_increasing
    if dates.hasnans:
        dates, sorted_dates = dates.dropna(), False
    stamps = dates.to_numpy("datetime64[ns]").view("int64")
    if not len(stamps):
        return {"distinct_days": 0}
    first, last = int(stamps.min()) // _DAY, int(stamps.max()) // _DAY
    if sorted_dates:  # one binary search per calendar day instead of a pass per row
        edges = np.arange(first, last + 2, dtype=np.int64) * _DAY
        counts = np.diff(np.searchsorted(stamps, edges))
        present = np.flatnonzero(counts) + first
    else:
        present = np.flatnonzero(np.bincount(stamps // _DAY - first)) + first
    if len(present) < 2:
        return {"distinct_days": len(present)}
    spacing = np.diff(present)
    typical = float(np.median(spacing))
    long = spacing > 1.5 * typical
    out: dict[str, Any] = {"distinct_days": len(present), "typical_spacing_days": typical,
                           "gaps": int(long.sum()), "longest_gap_days": int(spacing.max())}
    if long.any():
        at = int(spacing.argmax())
        out["longest_gap"] = [str(np.datetime64(int(present[at]), "D")),
                              str(np.datetime64(int(present[at + 1]), "D"))]
    return out


def revenue_mismatch(quantity: pd.Series, price: pd.Series, revenue: pd.Series,
                     tolerance: float) -> np.ndarray:
    """True where a given revenue differs from quantity x price by more than
    ``tolerance`` (relative, with a cent of slack for rounding)."""
    expected = quantity.to_numpy(float) * price.to_numpy(float)
    with np.errstate(invalid="ignore"):
        gap = np.subtract(revenue.to_numpy(float), expected)
        np.abs(gap, out=gap)
        np.abs(expected, out=expected)
        expected *= tolerance
        np.maximum(expected, 0.01, out=expected)
        return gap > expected
