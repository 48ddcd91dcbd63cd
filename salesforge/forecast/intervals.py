"""Prediction intervals at several levels: split-conformal from backtest residuals.

Columns are ``y_lo_<pct>``/``y_hi_<pct>`` per level (``y_lo_80`` for 0.8); the stage
copies the primary level into ``y_lo``/``y_hi`` when it writes files.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd


def pct(level: float) -> int:
    """0.8 -> 80: the suffix of a level's columns."""
    return round(float(level) * 100)


def bound_columns(level: float) -> tuple[str, str]:
    """The lower and upper column names of ``level``."""
    return f"y_lo_{pct(level)}", f"y_hi_{pct(level)}"


def conformal_quantile(errors: np.ndarray, level: float) -> float:
    """The split-conformal half-width of absolute ``errors``: their
    ceil((n + 1) * level)-th smallest value (the largest when that exceeds n), so that a
    new exchangeable error falls within it with probability >= ``level``."""
    errors = np.sort(np.asarray(errors, dtype="float64")[~np.isnan(errors)])
    if errors.size == 0:
        return math.nan
    rank = min(math.ceil((errors.size + 1) * float(level)), errors.size)
    return float(errors[rank - 1])


def halfwidths(scored: pd.DataFrame, levels: Sequence[float]) -> pd.DataFrame:
    """Per series (index) and level (columns), the conformal half-width of the absolute
    backtest errors in ``scored`` (series_id, y_true, y_pred): :func:`conformal_quantile`
    of each series' errors, computed for the whole panel at once (one sort)."""
    errors = (scored["y_true"] - scored["y_pred"]).abs().to_numpy("float64")
    codes, ids = pd.factorize(scored["series_id"], sort=True)
    keep = ~np.isnan(errors) & (codes >= 0)
    codes, errors = codes[keep], errors[keep]
    order = np.lexsort((errors, codes))
    codes, errors = codes[order], errors[order]
    counts = np.bincount(codes, minlength=len(ids))
    starts = np.concatenate(([0], np.cumsum(counts)[:-1]))
    index = pd.Index(ids, name="series_id")
    out = {}
    for level in levels:
        ranks = np.minimum(np.ceil((counts + 1) * float(level)).astype("int64"), counts)
        width = np.full(len(ids), np.nan)
        has = counts > 0
        width[has] = errors[starts[has] + ranks[has] - 1]
        out[level] = width
    return pd.DataFrame(out, index=index)


def add_intervals(frame: pd.DataFrame, widths: pd.DataFrame) -> pd.DataFrame:
    """``frame`` (series_id, y_pred) with bound columns for every level of ``widths``;
    series without a width get NaN bounds."""
    out = frame.copy()
    for level in widths.columns:
        half = out["series_id"].map(widths[level]).to_numpy("float64")
        lower, upper = bound_columns(level)
        out[lower], out[upper] = out["y_pred"] - half, out["y_pred"] + half
    return out


def add_backtest_intervals(scored: pd.DataFrame, levels: Sequence[float]) -> pd.DataFrame:
    """Conformal bounds for backtest rows that lack them: each window's half-widths come
    from the residuals of the *other* windows (cross-conformal), so its reported
    coverage is out of sample; a single window can only use its own residuals."""
    missing = [lv for lv in levels if bound_columns(lv)[0] not in scored.columns]
    if not missing:
        return scored
    cutoffs = scored["cutoff"].unique()
    parts = []
    for cutoff in cutoffs:
        inside = scored["cutoff"] == cutoff
        calibration = scored[~inside] if len(cutoffs) > 1 else scored
        parts.append(add_intervals(scored[inside], halfwidths(calibration, missing)))
    return pd.concat(parts).loc[scored.index]



def clip_bounds(frame: pd.DataFrame, floor: float | None) -> pd.DataFrame:
    """Lower bounds raised to ``floor`` (e.g. 0 for series that are never negative);
    ``None`` leaves them as they are."""
    if floor is None:
        return frame
    out = frame.copy()
    for column in [c for c in out.columns if c.startswith("y_lo")]:
        out[column] = out[column].clip(lower=floor)
    return out
