"""The z-score detector: how many standard deviations a row is from the mean."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.special import erf

from salesforge.base.detector import Detector, DetectorConfig


@dataclass
class ZScoreDetectorConfig(DetectorConfig):
    """Settings of the ``zscore`` detector (``detector.*``)."""

    #: Flag rows whose largest |z| reaches this, when ``contamination`` is not set.
    threshold: float = 3.0
    #: Flag this fraction of rows instead (e.g. 0.01); ``None`` uses ``threshold``.
    contamination: float | None = None


class DeviationDetector(Detector):
    """Scores rows by their largest per-feature deviation ``|x - center_| / scale_``
    (subclasses set both in ``_fit``): score = P(|Z| < max_j |z_j|) for a standard normal
    Z, and ``threshold`` is in those sigma units."""

    threshold: float = 3.0

    def _z(self, features: pd.DataFrame) -> np.ndarray:
        return np.nan_to_num(np.abs((features.to_numpy(float) - self.center_) / self.scale_))

    def _score(self, features: pd.DataFrame) -> np.ndarray:
        return erf(self._z(features).max(axis=1) / np.sqrt(2.0))

    def _default_threshold(self) -> float:
        if float(self.threshold) <= 0:
            raise ValueError(f"threshold must be positive, got {self.threshold}")
        return float(erf(float(self.threshold) / np.sqrt(2.0)))

    def contributions(self, features: pd.DataFrame) -> pd.DataFrame:
        self._check_fitted()
        return pd.DataFrame(self._z(features[self.feature_names_in_]),
                            index=features.index, columns=self.feature_names_in_)


class ZScoreDetector(DeviationDetector):
    """Score = P(|Z| < max_j |z_j|) for a standard normal Z: the largest per-feature
    z-score mapped into [0, 1]."""

    def __init__(self, threshold: float = 3.0, contamination: float | None = None,
                 labels: str | None = None) -> None:
        self.threshold = threshold
        self.contamination = contamination
        self.labels = labels

    def _fit(self, features: pd.DataFrame) -> None:
        values = features.to_numpy(float)
        self.center_ = np.nanmean(values, axis=0)
        std = np.nanstd(values, axis=0)
        self.scale_ = np.where(std > 0, std, 1.0)
