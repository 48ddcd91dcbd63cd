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
    #: Score (0..1) at or above which a row is flagged when ``contamination`` is ``None``.
    threshold: float = 0.999


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


class PyODDetector(ScoreThresholdDetector):
    """Any PyOD model by class name (ECOD, COPOD, HBOS, LOF, KNN, ...).

    Fits the named PyOD model; its ``decision_function`` (higher = more anomalous, the
    PyOD convention salesforge shares) is mapped onto 0..1 by the training scores' robust z."""

    def __init__(self, model: str = "ECOD", params: dict[str, Any] | None = None,
                 contamination: float | None = 0.02, threshold: float = 0.999,
                 labels: str | None = None) -> None:
        self.model = model
        self.params = params
        self.contamination = contamination
        self.threshold = threshold
        self.labels = labels

    def _fit(self, features: pd.DataFrame) -> None:
        cls = pyod_class(self.model)
        params = dict(self.params or {})
        if self.contamination is not None:
            params.setdefault("contamination", float(self.contamination))
        self.model_ = cls(**params).fit(features.to_numpy(np.float64))
        self.normaliser_ = RawScoreNormaliser().fit(self.model_.decision_scores_)

    def _score(self, features: pd.DataFrame) -> np.ndarray:
        raw = self.model_.decision_function(features.to_numpy(np.float64))
        return self.normaliser_.transform(np.nan_to_num(raw, nan=0.0))
