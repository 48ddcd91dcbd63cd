"""Detectors score rows; a higher score always means more anomalous (PyOD's convention)."""

from __future__ import annotations

from abc import abstractmethod
from dataclasses import dataclass

import numpy as np
import pandas as pd

from salesforge.base.component import Component


@dataclass
class DetectorConfig:
    """Settings every detector has; detector config dataclasses subclass this."""

    #: CSV of labelled anomalies (an id column such as order_id, and optionally a label
    #: column); the detect stage scores this detector's flags against it.
    labels: str | None = None


class Detector(Component):
    """Template: :meth:`fit` learns normal behaviour and a threshold, :meth:`score_samples`
    gives scores in [0, 1], :meth:`predict` flags scores at or above ``threshold_``.

    Subclasses write ``_fit(X)``, ``_score(X) -> array in [0, 1]`` and set
    ``contamination`` (fraction flagged on the training data, or ``None``) and, when
    contamination is ``None``, ``_default_threshold()``.
    """

    contamination: float | None = None

    def fit(self, features: pd.DataFrame) -> Detector:
        self.fit_score(features)
        return self

    def fit_score(self, features: pd.DataFrame) -> np.ndarray:
        """Fit, and return the training rows' scores (computed once, as ``fit`` needs them
        for the threshold)."""
        self._check_features(features)
        self.feature_names_in_ = list(features.columns)
        self._fit(features)
        scores = self._checked_scores(features)
        if self.contamination is not None:
            if not 0 < float(self.contamination) < 0.5:
                raise ValueError(f"contamination must be in (0, 0.5), got {self.contamination}")
            self.threshold_ = float(np.quantile(scores, 1.0 - float(self.contamination)))
        else:
            self.threshold_ = float(self._default_threshold())
        return scores

    def score_samples(self, features: pd.DataFrame) -> np.ndarray:
        """Anomaly scores in [0, 1]; higher means more anomalous."""
        self._check_fitted()
        self._check_features(features)
        return self._checked_scores(features[self.feature_names_in_])

    def predict(self, features: pd.DataFrame) -> np.ndarray:
        """Boolean flags: score >= ``threshold_``."""
        return self.score_samples(features) >= self.threshold_

    def contributions(self, features: pd.DataFrame) -> pd.DataFrame | None:
        """Per-feature contribution to each row's score (same shape as ``features``), or
        ``None`` when the detector cannot attribute its score; used to write reasons."""
        return None

    def _checked_scores(self, features: pd.DataFrame) -> np.ndarray:
        scores = np.asarray(self._score(features), dtype="float64")
        if scores.shape != (len(features),):
            raise ValueError(f"{type(self).__name__}._score returned shape {scores.shape}")
        if len(scores) and (np.nanmin(scores) < 0 or np.nanmax(scores) > 1):
            raise ValueError(f"{type(self).__name__}._score must return scores in [0, 1]")
        return scores

    def _check_features(self, features: pd.DataFrame) -> None:
        if features.empty:
            raise ValueError(f"{type(self).__name__} got no rows")
        non_numeric = [c for c in features.columns
                       if not pd.api.types.is_numeric_dtype(features[c])]
        if non_numeric:
            raise ValueError(f"{type(self).__name__} got non-numeric features {non_numeric}")

    def _default_threshold(self) -> float:
        raise ValueError(f"{type(self).__name__} needs a contamination")

    @abstractmethod
    def _fit(self, features: pd.DataFrame) -> None:
        """Learn what normal looks like."""

    @abstractmethod
    def _score(self, features: pd.DataFrame) -> np.ndarray:
        """Scores in [0, 1] for each row."""


class ScoreThresholdDetector(Detector):
    """A detector whose ``threshold`` setting is a 0..1 score (used when ``contamination``
    is ``None``), for models whose raw scores have no natural unit (forests, PyOD models)."""

    threshold: float = 0.99

    def _default_threshold(self) -> float:
        if not 0 < float(self.threshold) <= 1:
            raise ValueError(f"threshold must be in (0, 1], got {self.threshold}")
        return float(self.threshold)
