"""The robust median/MAD detector: distance from the median in robust standard deviations."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from salesforge.base.detector import DetectorConfig
from salesforge.detect.scaling import robust_center_scale
from salesforge.detect.zscore import DeviationDetector


@dataclass
class RobustMADDetectorConfig(DetectorConfig):
    """Settings of the ``mad`` detector (``detector.*``)."""

    #: Flag rows whose largest robust |z| reaches this, when ``contamination`` is not set.
    threshold: float = 3.5
    #: Flag this fraction of rows instead (e.g. 0.01); ``None`` uses ``threshold``.
    contamination: float | None = None
    #: Quantile of absolute deviations that also estimates the scale (the larger wins):
    #: 0.5 is the plain MAD; 0.8 copes with a MAD of 0 and stays robust to 20 % anomalies.
    coverage: float = 0.8
    #: Smallest scale of a feature. The transaction context features are robust z already
    #: (most rows sit exactly on their baseline, so their own MAD is about 0): 1 keeps
    #: their sigmas; use 0 for raw features in small units.
    min_scale: float = 1.0


@dataclass(eq=False)
class RobustMADDetector(DeviationDetector, RobustMADDetectorConfig):
    """Robust median/MAD z-scores, the default for per-product context features.

    Per feature z = (x - median) / scale, the scale being the larger of 1.4826 MAD, the
    ``coverage`` quantile estimate (see :func:`robust_center_scale`) and ``min_scale``.
    Raw statistic: the largest |z| (robust sigmas, ties broken by the others); score
    ``raw / (raw + 3)``. The anomalies themselves cannot inflate the median and MAD, unlike
    a mean and standard deviation."""

    raw_name = "robust z"

    def _fit(self, features: pd.DataFrame) -> None:
        if float(self.min_scale) < 0:
            raise ValueError(f"min_scale must be >= 0, got {self.min_scale}")
        center, scale = robust_center_scale(features.to_numpy(float), float(self.coverage))
        self.center_, self.scale_ = center, np.maximum(scale, float(self.min_scale))
