"""The z-score detector: how many standard deviations a row is from the mean."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from salesforge.base.detector import Detector, DetectorConfig
from salesforge.detect.scaling import positive_unit

#: Weight of the other features' |z| in the raw statistic: breaks ties between rows with the
#: same largest |z|, never moves a row past another by more than that.
TIE_BREAK = 1e-6


@dataclass
class ZScoreDetectorConfig(DetectorConfig):
    """Settings of the ``zscore`` detector (``detector.*``)."""

    #: Flag rows whose largest |z| reaches this, when ``contamination`` is not set.
    threshold: float = 3.0
    #: Flag this fraction of rows instead (e.g. 0.01); ``None`` uses ``threshold``.
    contamination: float | None = None


class DeviationDetector(Detector):
    """Scores rows by their largest per-feature deviation ``|x - center_| / scale_``
    (subclasses set both in ``_fit``).

    Raw statistic: the largest |z| plus 1e-6 x the sum of the other features' |z| (a tie
    break). Score: ``raw / (raw + 3)`` (:func:`positive_unit`), strictly increasing, 0.5 at
    3 sigmas, never 1. ``threshold`` is in sigmas (a row is flagged when raw >= threshold).
    """

    threshold: float = 3.0
    #: Set by a subclass's ``_fit``: the centre and scale of each feature.
    center_: np.ndarray
    scale_: np.ndarray

    def _z(self, features: pd.DataFrame) -> np.ndarray:
        return np.nan_to_num(np.abs((features.to_numpy(float) - self.center_) / self.scale_))

    def _raw(self, features: pd.DataFrame) -> np.ndarray:
        z = self._z(features)
        top = z.max(axis=1)
        return top + TIE_BREAK * (z.sum(axis=1) - top)

    def _unit(self, raw: np.ndarray) -> np.ndarray:
        return positive_unit(raw)

    def _default_threshold(self) -> float:
        if float(self.threshold) <= 0:
            raise ValueError(f"threshold must be positive, got {self.threshold}")
        return float(positive_unit(np.array([float(self.threshold)]))[0])

    def contributions(self, features: pd.DataFrame) -> pd.DataFrame:
        self._check_fitted()
        return pd.DataFrame(self._z(features[self.feature_names_in_]),
                            index=features.index, columns=self.feature_names_in_)


@dataclass(eq=False)
class ZScoreDetector(DeviationDetector, ZScoreDetectorConfig):
    """Per feature z = (x - mean) / standard deviation; the largest |z| is the raw
    statistic (see :class:`DeviationDetector`)."""

    raw_name = "z"

    def _fit(self, features: pd.DataFrame) -> None:
        values = features.to_numpy(float)
        self.center_ = np.nanmean(values, axis=0)
        std = np.nanstd(values, axis=0)
        self.scale_ = np.where(std > 0, std, 1.0)
