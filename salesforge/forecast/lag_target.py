"""The target of a global lag model: per-series level, transforms and the guard band.

Every series is divided by its *recent* level (the mean absolute value of its last few
observations before the cutoff), so that large and small series share one model and a
level shift years ago does not distort today's scale. The scaled values may then be
transformed (``log1p``) and the model may learn differences (``diff``) instead of levels.
The divergence guard checks each forecast against a band around the series' recent range.
All functions work on whole panels (series x periods) at once.
"""

from __future__ import annotations

import numpy as np

#: ``target_transform`` values: none (scaled level), log1p (sign(x)·log1p(|x|) of the
#: scaled level; forecasts are expm1 back, a median-like forecast that spikes move less)
#: and diff (the model learns the change from the newest usable value).
TRANSFORMS = ("none", "log1p", "diff")
#: Floor of the recent level, as a share of the series' mean absolute value over its
#: whole history: a series that stopped selling keeps a usable scale.
LEVEL_FLOOR = 0.1


def _last_values(values: np.ndarray, count: int) -> np.ndarray:
    """``values`` with all but each row's last ``count`` non-missing entries set to NaN."""
    known = ~np.isnan(values)
    from_end = np.cumsum(known[:, ::-1], axis=1)[:, ::-1]
    return np.where(known & (from_end <= count), values, np.nan)


def recent_level(values: np.ndarray, window: int) -> np.ndarray:
    """Per row of ``values`` (NaN = missing): the mean absolute value of its last
    ``window`` observations, at least :data:`LEVEL_FLOOR` times the mean absolute value of
    the whole row; 1.0 where both are 0 or the row is empty."""
    magnitude = np.abs(values)
    known = ~np.isnan(values)
    with np.errstate(invalid="ignore", divide="ignore"):
        recent = np.nanmean(_last_values(magnitude, window), axis=1) if known.any() else \
            np.full(len(values), np.nan)
        overall = np.where(known, magnitude, 0.0).sum(axis=1) / known.sum(axis=1)
    level = np.fmax(np.nan_to_num(recent), LEVEL_FLOOR * np.nan_to_num(overall))
    return np.where(level > 0, level, 1.0)


def recent_mean(values: np.ndarray, window: int) -> np.ndarray:
    """Per row: the mean of its last ``window`` observations (0 for an empty row)."""
    recent = _last_values(values, window)
    known = ~np.isnan(recent)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(known, recent, 0.0).sum(axis=1) / known.sum(axis=1)
    return np.nan_to_num(mean)


def forward(scaled: np.ndarray, transform: str) -> np.ndarray:
    """Scaled values -> the model's working space."""
    if transform == "log1p":
        return np.sign(scaled) * np.log1p(np.abs(scaled))
    return scaled


def inverse(working: np.ndarray, transform: str) -> np.ndarray:
    """The model's working space -> scaled values."""
    if transform == "log1p":
        return np.sign(working) * np.expm1(np.abs(working))
    return working


def guard_band(scaled: np.ndarray, window: int, multiple: float) -> np.ndarray:
    """Per row of ``scaled`` values: ``[low, high]`` = the range of its last ``window``
    observations widened by ``multiple`` times that range on each side (by ``multiple``
    times 1, the scaled level, when the range is 0). Shape (rows, 2)."""
    recent = _last_values(scaled, window)
    recent = np.where(np.isnan(recent).all(axis=1)[:, None], 0.0, recent)
    low, high = np.nanmin(recent, axis=1), np.nanmax(recent, axis=1)
    span = np.where(high > low, high - low, 1.0)
    return np.column_stack([low - multiple * span, high + multiple * span])


def never_negative(values: np.ndarray) -> np.ndarray:
    """Per row: True when no observed value is below 0 (its forecasts stop at 0)."""
    return ~(np.nan_to_num(values, nan=0.0) < 0).any(axis=1)
