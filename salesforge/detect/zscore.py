"""The z-score detector: how many standard deviations a row is from the mean."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.special import erf

from salesforge.base.detector import Detector


@dataclass
class ZScoreDetectorConfig:
    """Settings of the ``zscore`` detector (``detector.*``)."""

    #: Flag rows whose largest |z| reaches this, when ``contamination`` is not set.
    threshold: float = 3.0
    #: Flag this fraction of rows instead (e.g. 0.01); ``None`` uses ``threshold``.
    contamination: float | None = None


class ZScoreDetector(Detector):
    """Score = P(|Z| < max_j |z_j|) for a standard normal Z: the largest per-feature
    z-score mapped into [0, 1]."""

    def __init__(self, threshold: float = 3.0, contamination: float | None = None) -> None:
        self.threshold = threshold
        self.contamination = contamination

    def _fit(self, features: pd.DataFrame) -> None:
        values = features.to_numpy(float)
        self.mean_ = np.nanmean(values, axis=0)
        std = np.nanstd(values, axis=0)
        self.std_ = np.where(std > 0, std, 1.0)

    def _z(self, features: pd.DataFrame) -> np.ndarray:
        return np.nan_to_num(np.abs((features.to_numpy(float) - self.mean_) / self.std_))

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
