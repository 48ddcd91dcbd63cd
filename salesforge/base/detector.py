"""Detectors score rows; a higher score always means more anomalous (PyOD's convention).

Every detector has a raw statistic (``raw_score_samples``: robust sigmas, a forest's path
length, a PyOD decision score; higher = more anomalous) and a 0..1 score strictly
increasing in it that never saturates (``score_samples``), so flagged rows keep their order.
Rows are flagged in one of two modes (:class:`Cut`): ``contamination`` flags that share of
the rows (``round(c x rows)``, plus rows tied at the cut), ``threshold`` flags scores at or
above the detector's threshold.
"""

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


@dataclass(frozen=True)
class Cut:
    """Where rows are flagged: ``mode`` (contamination | threshold), the 0..1 score at or
    above which a row is flagged (``value``), and what that flags on the scored rows."""

    mode: str
    value: float
    flagged: int
    share: float

    def flags(self, scores: np.ndarray) -> np.ndarray:
        return np.asarray(scores) >= self.value


def rate_cut(scores: np.ndarray, rate: float) -> float:
    """The score of the ``round(rate x rows)``-th highest row: flagging scores at or above it
    flags that many rows, plus any tied with it (above every score when that is 0 rows)."""
    scores = np.asarray(scores, dtype="float64")
    count = round(float(rate) * len(scores))
    if count <= 0 or not len(scores):
        return float(np.nextafter(np.max(scores, initial=1.0), np.inf))
    return float(np.partition(scores, len(scores) - count)[len(scores) - count])


def check_contamination(value: float | None) -> float | None:
    """``value`` as a float in (0, 0.5), or ``None``; ``ValueError`` naming the setting."""
    if value is None:
        return None
    if not 0 < float(value) < 0.5:
        raise ValueError(f"contamination must be in (0, 0.5), got {value}")
    return float(value)


class Detector(Component):
    """Template: :meth:`fit` learns normal behaviour and where to cut, :meth:`score_samples`
    gives 0..1 scores, :meth:`predict` flags scores at or above ``threshold_``.

    Subclasses write ``_fit(X)`` and either ``_raw(X)`` (the raw statistic, higher = more
    anomalous) with ``_unit(raw)`` (a strictly increasing map onto [0, 1)), or only
    ``_score(X)`` (0..1 scores, then also the raw statistic). They set ``contamination``
    (share flagged, or ``None``) and, for the threshold mode, ``_default_threshold()``.
    """

    contamination: float | None = None
    #: What the raw statistic is called in reasons ("robust z", "isolation score", ...).
    raw_name: str = "raw score"

    def fit(self, features: pd.DataFrame) -> Detector:
        self.fit_score(features)
        return self

    def fit_score(self, features: pd.DataFrame) -> np.ndarray:
        """Fit, and return the training rows' scores (computed once, as ``fit`` needs them
        for the cut)."""
        return self.fit_score_raw(features)[0]

    def fit_score_raw(self, features: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
        """Fit, and return the training rows' ``(scores, raw statistics)``."""
        self._check_features(features)
        self.feature_names_in_ = list(features.columns)
        contamination = check_contamination(self.contamination)
        self._fit(features)
        raw = np.asarray(self._raw(features), dtype="float64")
        self._fit_unit(raw)
        scores = self._checked(self._unit(raw), len(features))
        if contamination is not None:
            self.threshold_ = rate_cut(scores, contamination)
        else:
            self.threshold_ = float(self._default_threshold())
        return scores, raw

    def cut(self, scores: np.ndarray) -> Cut:
        """The cut for ``scores`` of the rows being flagged: with ``contamination``, the
        rate is taken on these rows (``round(c x len(scores))`` flagged, plus ties at the
        cut), otherwise the fitted threshold."""
        self._check_fitted()
        scores = np.asarray(scores, dtype="float64")
        if self.contamination is not None:
            mode, value = "contamination", rate_cut(scores, float(self.contamination))
        else:
            mode, value = "threshold", float(self.threshold_)
        flagged = int((scores >= value).sum())
        return Cut(mode, value, flagged, flagged / len(scores) if len(scores) else 0.0)

    def score_samples(self, features: pd.DataFrame) -> np.ndarray:
        """Anomaly scores in [0, 1]; higher means more anomalous."""
        self._check_fitted()
        self._check_features(features)
        return self._checked_scores(features[self.feature_names_in_])

    def raw_score_samples(self, features: pd.DataFrame) -> np.ndarray:
        """The raw statistic each score is a strictly increasing function of."""
        self._check_fitted()
        self._check_features(features)
        return np.asarray(self._raw(features[self.feature_names_in_]), dtype="float64")

    def scores_and_raw(self, features: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
        """``(score_samples, raw_score_samples)`` computed once."""
        self._check_fitted()
        self._check_features(features)
        raw = np.asarray(self._raw(features[self.feature_names_in_]), dtype="float64")
        return self._checked(self._unit(raw), len(features)), raw

    def predict(self, features: pd.DataFrame) -> np.ndarray:
        """Boolean flags: score >= ``threshold_``."""
        return self.score_samples(features) >= self.threshold_

    def contributions(self, features: pd.DataFrame) -> pd.DataFrame | None:
        """Per-feature contribution to each row's score (same shape as ``features``), or
        ``None`` when the detector cannot attribute its score; used to write reasons."""
        return None

    def _checked_scores(self, features: pd.DataFrame) -> np.ndarray:
        return self._checked(self._score(features), len(features))

    def _checked(self, scores: np.ndarray, rows: int) -> np.ndarray:
        scores = np.asarray(scores, dtype="float64")
        if scores.shape != (rows,):
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

    def _raw(self, features: pd.DataFrame) -> np.ndarray:
        """The raw statistic; by default the 0..1 score itself (detectors writing only
        ``_score``)."""
        if type(self)._score is Detector._score:
            raise NotImplementedError(f"{type(self).__name__} must write _raw or _score")
        return self._score(features)

    def _fit_unit(self, raw: np.ndarray) -> None:
        """Learn the map from raw statistic to score from the training rows' raw
        statistics (computed once, by :meth:`fit_score`); nothing by default."""

    def _unit(self, raw: np.ndarray) -> np.ndarray:
        """The 0..1 score of a raw statistic (the identity for detectors writing
        ``_score``)."""
        return np.asarray(raw, dtype="float64")

    def _score(self, features: pd.DataFrame) -> np.ndarray:
        """Scores in [0, 1] for each row: ``_unit(_raw(features))``."""
        return self._unit(self._raw(features))


class ScoreThresholdDetector(Detector):
    """A detector whose ``threshold`` setting is a 0..1 score (used when ``contamination``
    is ``None``), for models whose raw scores have no natural unit (forests, PyOD models)."""

    threshold: float = 0.99

    def _default_threshold(self) -> float:
        if not 0 < float(self.threshold) <= 1:
            raise ValueError(f"threshold must be in (0, 1], got {self.threshold}")
        return float(self.threshold)
