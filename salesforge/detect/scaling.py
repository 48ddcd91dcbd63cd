"""Robust location/scale and the maps that turn raw scores into 0..1 anomaly scores.

The maps are strictly increasing and never reach 1 for a finite raw score (so, unlike a
normal CDF, they do not saturate: a 40-sigma row still scores above a 20-sigma one):

* :func:`positive_unit` for raw statistics >= 0 (robust sigmas): ``z / (z + s)``;
* :func:`signed_unit` for raw statistics on the whole line (robust z of a model's decision
  score): ``(1 + z / (|z| + s)) / 2``;

with the documented scale ``s = SIGMA_SCALE`` (3 robust sigmas score 0.5, respectively
0.75).
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor

import numpy as np
from scipy.special import ndtri

#: 1 / Phi^-1(3/4): makes the MAD estimate the standard deviation of normal data.
MAD_TO_SIGMA = 1.4826
#: sqrt(pi / 2): makes the mean absolute deviation estimate the standard deviation.
MEAN_AD_TO_SIGMA = 1.2533
#: Rows from which :func:`robust_center_scale` works on its columns in parallel threads.
PARALLEL_ROWS = 200_000
#: Robust sigmas at which :func:`positive_unit` gives 0.5.
SIGMA_SCALE = 3.0


def robust_center_scale(values: np.ndarray, coverage: float = 0.5
                        ) -> tuple[np.ndarray, np.ndarray]:
    """Per column (or for a 1-D array): the median and a robust standard deviation.

    The scale is the larger of 1.4826 x MAD and, when ``coverage`` > 0.5, the ``coverage``
    quantile of the absolute deviations divided by the normal quantile it would be for
    normal data (both estimate the standard deviation of normal data). The second guards
    against a MAD of 0 or near 0 (most quantities 1, most prices the list price) while
    staying robust to up to ``1 - coverage`` of anomalies. Falls back to 1.2533 x mean
    absolute deviation, the standard deviation, then 1 for (almost) constant columns.
    """
    if not 0.5 <= coverage < 1:
        raise ValueError(f"coverage must be in [0.5, 1), got {coverage}")
    values = np.asarray(values, dtype="float64")
    columns = [values] if values.ndim == 1 else [values[:, j] for j in range(values.shape[1])]
    if len(columns) > 1 and len(values) >= PARALLEL_ROWS:  # NumPy's sorts let go of the GIL
        with ThreadPoolExecutor(max_workers=min(len(columns), os.cpu_count() or 1)) as pool:
            pairs = list(pool.map(lambda column: _center_scale(column, coverage), columns))
    else:
        pairs = [_center_scale(column, coverage) for column in columns]
    found = np.array(pairs).reshape(-1, 2)
    center, scale = found[:, 0], found[:, 1]
    if values.ndim == 1:
        center, scale = center[0], scale[0]
    if not np.all(scale > 1e-12):  # (almost) constant columns: the fallbacks, on every row
        deviation = np.abs(values - center)
        scale = np.where(scale > 1e-12, scale, MEAN_AD_TO_SIGMA * np.nanmean(deviation, axis=0))
        scale = np.where(scale > 1e-12, scale, np.nanstd(values, axis=0))
    return center, np.where(scale > 1e-12, scale, 1.0)


def _center_scale(column: np.ndarray, coverage: float) -> tuple[float, float]:
    """The median and the MAD / quantile scale of one column, from its non-NaN values
    copied once into one contiguous array (``nanmedian`` along an axis copies and
    partitions each column three times); the values the ``nan*`` functions give. NaN for
    a column without values."""
    finite = column[~np.isnan(column)] if np.isnan(column).any() \
        else np.ascontiguousarray(column)
    if not len(finite):
        return np.nan, np.nan
    center = np.median(finite)
    deviation = np.abs(finite - center)
    scale = MAD_TO_SIGMA * np.median(deviation)
    if coverage > 0.5:
        scale = max(scale, np.quantile(deviation, coverage) / ndtri((1.0 + coverage) / 2.0))
    return center, scale


def positive_unit(raw: np.ndarray, scale: float = SIGMA_SCALE) -> np.ndarray:
    """``raw / (raw + scale)`` for raw >= 0 (negative values count as 0): [0, 1), strictly
    increasing, 0.5 at ``scale``; distinct raw scores up to ~1e15 x scale stay distinct."""
    raw = np.maximum(np.nan_to_num(np.asarray(raw, dtype="float64"), nan=0.0, posinf=1e300), 0)
    return raw / (raw + scale)


def signed_unit(z: np.ndarray, scale: float = SIGMA_SCALE) -> np.ndarray:
    """``(1 + z / (|z| + scale)) / 2``: the whole line onto (0, 1), strictly increasing,
    0.5 at 0; no saturation."""
    z = np.nan_to_num(np.asarray(z, dtype="float64"), nan=0.0, posinf=1e300, neginf=-1e300)
    return 0.5 * (1.0 + z / (np.abs(z) + scale))


def positive_unit_inverse(score: float, scale: float = SIGMA_SCALE) -> float:
    """The raw statistic whose :func:`positive_unit` score is ``score`` (in [0, 1))."""
    return float(score) * scale / (1.0 - float(score))


class RawScoreNormaliser:
    """Map raw detector scores (higher = more anomalous, any range) onto (0, 1) through the
    training scores' robust z: ``signed_unit((raw - median) / robust_sd)``. Strictly
    increasing without saturation, so ranks and ROC-AUC are kept and extreme rows keep
    their order; a fixed map, so new data is scored like the training data."""

    def fit(self, raw: np.ndarray) -> RawScoreNormaliser:
        self.center_, self.scale_ = robust_center_scale(np.asarray(raw, dtype="float64"))
        return self

    def z(self, raw: np.ndarray) -> np.ndarray:
        """The robust z of raw scores against the training scores."""
        return (np.asarray(raw, dtype="float64") - self.center_) / self.scale_

    def transform(self, raw: np.ndarray) -> np.ndarray:
        return signed_unit(self.z(raw))
