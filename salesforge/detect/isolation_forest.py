"""Isolation Forest: rows that random splits isolate quickly are anomalous."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.ensemble import IsolationForest

from salesforge.base.detector import DetectorConfig, ScoreThresholdDetector
from salesforge.detect.scaling import RawScoreNormaliser


@dataclass
class IsolationForestDetectorConfig(DetectorConfig):
    """Settings of the ``isolation_forest`` detector (``detector.*``)."""

    #: Fraction of rows to flag; ``None`` flags scores at or above ``threshold``.
    contamination: float | None = 0.02
    #: Score (0..1) at or above which a row is flagged when ``contamination`` is ``None``
    #: (0.75: the raw score 3 robust sigmas above the training rows' median).
    threshold: float = 0.75
    n_estimators: int = 100
    #: Rows drawn to grow each tree (scikit-learn's default is 256).
    max_samples: int = 256
    random_state: int = 0


@dataclass(eq=False)
class IsolationForestDetector(ScoreThresholdDetector, IsolationForestDetectorConfig):
    """Isolation Forest (scikit-learn) with scores normalised onto 0..1.

    Raw statistic: minus scikit-learn's ``score_samples`` (higher = isolated sooner); the
    score is its robust z against the training rows mapped by :func:`signed_unit` (see
    :class:`RawScoreNormaliser`)."""

    raw_name = "isolation score"

    def _fit(self, features: pd.DataFrame) -> None:
        values = features.to_numpy(np.float32)
        self.model_ = IsolationForest(
            n_estimators=int(self.n_estimators), max_samples=min(int(self.max_samples),
                                                                 len(values)),
            random_state=self.random_state).fit(values)

    def _fit_unit(self, raw: np.ndarray) -> None:
        self.normaliser_ = RawScoreNormaliser().fit(raw)

    def _raw(self, features: pd.DataFrame) -> np.ndarray:
        return -self.model_.score_samples(features.to_numpy(np.float32))

    def _unit(self, raw: np.ndarray) -> np.ndarray:
        return self.normaliser_.transform(raw)
