"""Robust location/scale and the maps that turn raw scores into 0..1 anomaly scores."""

from __future__ import annotations

import numpy as np
from scipy.special import ndtr, ndtri

#: 1 / Phi^-1(3/4): makes the MAD estimate the standard deviation of normal data.
MAD_TO_SIGMA = 1.4826
#: sqrt(pi / 2): makes the mean absolute deviation estimate the standard deviation.
MEAN_AD_TO_SIGMA = 1.2533


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
    center = np.nanmedian(values, axis=0)
    deviation = np.abs(values - center)
    scale = MAD_TO_SIGMA * np.nanmedian(deviation, axis=0)
    if coverage > 0.5:
        wide = np.nanquantile(deviation, coverage, axis=0) / ndtri((1.0 + coverage) / 2.0)
        scale = np.maximum(scale, wide)
    scale = np.where(scale > 1e-12, scale, MEAN_AD_TO_SIGMA * np.nanmean(deviation, axis=0))
    scale = np.where(scale > 1e-12, scale, np.nanstd(values, axis=0))
    return center, np.where(scale > 1e-12, scale, 1.0)


def one_sided_unit(z: np.ndarray) -> np.ndarray:
    """P(Z < z): a signed score mapped onto (0, 1), monotone."""
    return ndtr(z)


class RawScoreNormaliser:
    """Map raw detector scores (higher = more anomalous, any range) onto [0, 1] with the
    training scores' robust z: ``Phi((raw - median) / robust_sd)``. Monotone, so ranks
    and ROC-AUC are kept; a fixed map, so new data is scored like the training data."""

    def fit(self, raw: np.ndarray) -> RawScoreNormaliser:
        self.center_, self.scale_ = robust_center_scale(np.asarray(raw, dtype="float64"))
        return self

    def transform(self, raw: np.ndarray) -> np.ndarray:
        z = (np.asarray(raw, dtype="float64") - self.center_) / self.scale_
        return np.clip(one_sided_unit(np.nan_to_num(z, nan=0.0)), 0.0, 1.0)
