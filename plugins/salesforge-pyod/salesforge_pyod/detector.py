"""A salesforge detector wrapping any PyOD model, chosen by its class name."""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from salesforge.base.detector import DetectorConfig, ScoreThresholdDetector
from salesforge.detect.scaling import RawScoreNormaliser


@dataclass
class PyODDetectorConfig(DetectorConfig):
    """Settings of the ``pyod`` detector (``detector.*``)."""

    #: PyOD class name: ECOD, COPOD, HBOS, LOF, KNN, IForest, PCA, OCSVM, ...
    model: str = "ECOD"
    #: Keyword arguments of that class, e.g. {n_neighbors: 30} for LOF.
    params: dict[str, Any] = field(default_factory=dict)
    #: Fraction of rows to flag; ``None`` flags scores at or above ``threshold``.
    contamination: float | None = 0.02
    #: Score (0..1) at or above which a row is flagged when ``contamination`` is ``None``
    #: (0.75: 3 robust sigmas above the training rows' median decision score).
    threshold: float = 0.75


def pyod_class(name: str) -> type:
    """The PyOD detector class called ``name`` (case-insensitive), from
    ``pyod.models.<name lowercased>``; ``ValueError`` naming the setting otherwise."""
    module_name = f"pyod.models.{str(name).lower()}"
    try:
        module = importlib.import_module(module_name)
    except ImportError:
        raise ValueError(f"detector.model={name!r} is not a PyOD model (no module "
                         f"{module_name}); try ECOD, COPOD, HBOS, LOF, KNN or IForest") from None
    for attribute in dir(module):
        found = getattr(module, attribute)
        if attribute.lower() == str(name).lower() and isinstance(found, type):
            return found
    raise ValueError(f"detector.model={name!r}: {module_name} has no class of that name")


@dataclass(eq=False)
class PyODDetector(ScoreThresholdDetector, PyODDetectorConfig):
    """Any PyOD model by class name (ECOD, COPOD, HBOS, LOF, KNN, ...).

    Fits the named PyOD model; its ``decision_function`` (higher = more anomalous, the
    PyOD convention salesforge shares) is the raw statistic, mapped onto 0..1 through the
    training scores' robust z without saturation (:class:`RawScoreNormaliser`)."""

    raw_name = "PyOD score"

    def _fit(self, features: pd.DataFrame) -> None:
        cls = pyod_class(self.model)
        params = dict(self.params or {})
        if self.contamination is not None:
            params.setdefault("contamination", float(self.contamination))
        self.model_ = cls(**params).fit(features.to_numpy(np.float64))
        self._training_scores_pending = True

    def _raw(self, features: pd.DataFrame) -> np.ndarray:
        if getattr(self, "_training_scores_pending", False):  # fit_score's training rows:
            self._training_scores_pending = False  # PyOD keeps their scores
            raw = np.asarray(self.model_.decision_scores_, dtype="float64")
        else:
            raw = self.model_.decision_function(features.to_numpy(np.float64))
        return np.nan_to_num(np.asarray(raw, dtype="float64"), nan=0.0)

    def _fit_unit(self, raw: np.ndarray) -> None:
        self.normaliser_ = RawScoreNormaliser().fit(raw)

    def _unit(self, raw: np.ndarray) -> np.ndarray:
        return self.normaliser_.transform(raw)
