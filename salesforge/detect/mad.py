"""The robust median/MAD detector: distance from the median in robust standard deviations."""

from __future__ import annotations

from dataclasses import dataclass

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


class RobustMADDetector(DeviationDetector):
    """Robust median/MAD z-scores, the default for per-product context features.

    Score = P(|Z| < max_j |z_j|).

    Per feature z = (x - median) / scale, the scale being the larger of 1.4826 MAD and the
    ``coverage`` quantile estimate (see :func:`robust_center_scale`).
    The anomalies themselves cannot inflate the median and MAD, unlike a mean and standard
    deviation; on per-product context features it compares every row with its product."""

    def __init__(self, threshold: float = 3.5, contamination: float | None = None,
                 coverage: float = 0.8,
                 labels: str | None = None) -> None:
        self.threshold = threshold
        self.contamination = contamination
        self.coverage = coverage
        self.labels = labels

    def _fit(self, features: pd.DataFrame) -> None:
        self.center_, self.scale_ = robust_center_scale(features.to_numpy(float),
                                                        float(self.coverage))
