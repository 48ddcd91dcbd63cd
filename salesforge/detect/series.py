"""Time-series level: each period's value against its expected value from a seasonal
baseline (the median of the same season position in the cycles around it)."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from salesforge.detect.scaling import robust_center_scale
from salesforge.forecast.seasonality import season_length

#: Frequencies whose season is short enough for a same-position baseline.
SHORT_SEASONS = frozenset({"D", "B", "H", "MIN", "T"})


def default_season(freq: str) -> int:
    """Season for the baseline: a week for daily data, a day for hourly; otherwise 1
    (the neighbouring periods), as a yearly season rarely repeats often enough."""
    code = pd.tseries.frequencies.to_offset(freq).rule_code.split("-")[0].upper()
    return season_length(freq) if code in SHORT_SEASONS else 1


def seasonal_expected(series: pd.DataFrame, season: int, cycles: int = 4,
                      at: pd.Index | None = None) -> np.ndarray:
    """Expected ``y`` of each row of tidy ``series`` (series_id, ds, y on a regular grid):
    the median of the values ``k * season`` periods before and after it, k = 1..cycles
    (the row itself excluded, so a spike cannot hide itself). Same row order as ``series``;
    with ``at`` (periods), only rows of those periods are computed, the others are NaN."""
    if season < 1 or cycles < 1:
        raise ValueError(f"season and cycles must be at least 1, got {season}, {cycles}")
    wide = series.pivot(index="ds", columns="series_id", values="y").sort_index()
    values = wide.to_numpy(float)
    rows = (np.arange(len(wide)) if at is None
            else np.flatnonzero(wide.index.isin(at)))
    lagged = []
    for k in range(1, cycles + 1):
        for shift in (k * season, -k * season):
            source = rows - shift
            inside = (source >= 0) & (source < len(values))
            picked = np.full((len(rows), values.shape[1]), np.nan)
            picked[inside] = values[source[inside]]
            lagged.append(picked)
    with warnings.catch_warnings():  # all-NaN slices: short series have no neighbours there
        warnings.simplefilter("ignore", RuntimeWarning)
        expected = np.nanmedian(np.stack(lagged), axis=0)
    expected = np.where(np.isnan(expected), values[rows], expected)
    frame = pd.DataFrame(expected, index=wide.index[rows], columns=wide.columns)
    long = frame.stack().rename("expected")
    keys = pd.MultiIndex.from_arrays([series["ds"], series["series_id"]])
    return long.reindex(keys).to_numpy(float)


def deviations(series: pd.DataFrame, expected: np.ndarray) -> pd.DataFrame:
    """``series`` plus ``expected``, ``residual`` (y - expected) and ``sigma``: the residual
    in robust standard deviations of its own series' residuals (median/MAD, trimmed floor)."""
    out = series.assign(expected=expected, residual=series["y"].to_numpy(float) - expected)
    sigma = np.zeros(len(out))
    for _, index in out.groupby("series_id", sort=False).indices.items():
        center, scale = robust_center_scale(out["residual"].to_numpy()[index], coverage=0.8)
        sigma[index] = (out["residual"].to_numpy()[index] - center) / scale
    out["sigma"] = sigma
    return out


def series_reasons(flagged: pd.DataFrame, target: str) -> list[str]:
    """"revenue 4.1 sigma below expected" per flagged period."""
    sigma = flagged["sigma"].to_numpy(float)
    return [f"{target} {abs(s):.1f} sigma {'above' if s > 0 else 'below'} expected"
            for s in sigma]
