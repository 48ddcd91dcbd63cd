"""Forecast accuracy metrics; zero-safe where the textbook formula divides by y."""

from __future__ import annotations

import numpy as np


def mae(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    return float(np.mean(np.abs(y_true - y_pred)))


def rmse(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    return float(np.sqrt(np.mean((y_true - y_pred) ** 2)))


def r2(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    total = float(np.sum((y_true - np.mean(y_true)) ** 2))
    if total == 0:
        return float("nan")
    return 1.0 - float(np.sum((y_true - y_pred) ** 2)) / total


def mape(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    """Mean absolute percentage error (%), over periods where ``y_true != 0``."""
    nonzero = y_true != 0
    if not nonzero.any():
        return float("nan")
    return float(np.mean(np.abs((y_true[nonzero] - y_pred[nonzero]) / y_true[nonzero])) * 100)


def smape(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    """Symmetric MAPE (%) in [0, 200]; a period where both are 0 counts as 0 error."""
    denominator = np.abs(y_true) + np.abs(y_pred)
    ratio = np.divide(2 * np.abs(y_true - y_pred), denominator,
                      out=np.zeros_like(denominator, dtype="float64"), where=denominator != 0)
    return float(np.mean(ratio) * 100)


def mase(y_true: np.ndarray, y_pred: np.ndarray, scale: float | np.ndarray) -> float:
    """Mean absolute scaled error: errors divided by the in-sample seasonal-naive MAE
    (``scale``, a number or one per row)."""
    scale = np.asarray(scale, dtype="float64")
    errors = np.abs(y_true - y_pred)
    valid = np.broadcast_to(scale > 0, errors.shape)
    if not valid.any():
        return float("nan")
    return float(np.mean((errors / np.where(scale > 0, scale, np.nan))[valid]))


def rmsse(y_true: np.ndarray, y_pred: np.ndarray, scale: float) -> float:
    """Root mean squared scaled error of one forecast window (M5): the root of the mean
    squared error over ``scale``, the mean squared one-step naive difference of the
    window's training part; NaN when ``scale`` is not positive."""
    if not np.isfinite(scale) or scale <= 0:
        return float("nan")
    return float(np.sqrt(np.mean((y_true - y_pred) ** 2) / scale))


def pinball(y_true: np.ndarray, quantile: np.ndarray, tau: float) -> np.ndarray:
    """Pinball (quantile) loss of each row: ``tau * (y - q)`` when the actual is above
    the quantile forecast ``q``, ``(1 - tau) * (q - y)`` when below."""
    diff = y_true - quantile
    return np.maximum(tau * diff, (tau - 1.0) * diff)


def interval_pinball(y_true: np.ndarray, lower: np.ndarray, upper: np.ndarray,
                     level: float) -> np.ndarray:
    """Per row, the mean pinball loss of an interval's bounds read as the quantiles
    ``(1 - level) / 2`` (lower) and ``(1 + level) / 2`` (upper); NaN where a bound is."""
    low, high = (1.0 - float(level)) / 2.0, (1.0 + float(level)) / 2.0
    return (pinball(y_true, lower, low) + pinball(y_true, upper, high)) / 2.0


def bias(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    """Mean error (forecast minus actual): positive means over-forecasting."""
    return float(np.mean(y_pred - y_true))


def coverage(y_true: np.ndarray, lower: np.ndarray, upper: np.ndarray) -> float:
    """Share of actuals inside [lower, upper]; NaN bounds are left out."""
    known = ~(np.isnan(lower) | np.isnan(upper))
    if not known.any():
        return float("nan")
    inside = (y_true[known] >= lower[known]) & (y_true[known] <= upper[known])
    return float(np.mean(inside))


POINT_METRICS = {"mae": mae, "rmse": rmse, "r2": r2, "mape": mape, "smape": smape,
                 "bias": bias}
