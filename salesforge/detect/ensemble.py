"""An ensemble of registered detectors: their 0..1 scores combined by mean or max."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache

import numpy as np
import pandas as pd

from salesforge.base.detector import DetectorConfig, ScoreThresholdDetector
from salesforge.registry import Registry


@cache
def _registry() -> Registry:
    from salesforge.plugin.manager import build_plugin_manager

    return build_plugin_manager().registry


@dataclass
class EnsembleDetectorConfig(DetectorConfig):
    """Settings of the ``ensemble`` detector (``detector.*``)."""

    #: Names of registered detectors (their default settings), e.g. [mad, isolation_forest].
    members: list[str] = field(default_factory=lambda: ["mad", "isolation_forest"])
    #: How member scores combine: mean | max.
    combine: str = "mean"
    #: Fraction of rows to flag; ``None`` flags scores at or above ``threshold``.
    contamination: float | None = 0.02
    #: Combined score (0..1) at or above which a row is flagged without contamination.
    threshold: float = 0.99


class EnsembleDetector(ScoreThresholdDetector):
    """An ensemble of registered detectors, their 0..1 scores combined by mean or max.

    Every member is fitted on the same features; reasons come from the first member that
    can attribute its score."""

    def __init__(self, members: list[str] | None = None, combine: str = "mean",
                 contamination: float | None = 0.02, threshold: float = 0.99,
                 labels: str | None = None) -> None:
        self.members = members
        self.combine = combine
        self.contamination = contamination
        self.threshold = threshold
        self.labels = labels

    def _fit(self, features: pd.DataFrame) -> None:
        if self.combine not in ("mean", "max"):
            raise ValueError(f"combine must be mean or max, got {self.combine!r}")
        names = list(self.members or ["mad", "isolation_forest"])
        if not names or "ensemble" in names:
            raise ValueError(f"members must name other detectors, got {names}")
        registry = _registry()
        self.members_ = [registry.create("detector", name, {}, key=f"detector.members.{name}")
                         .fit(features) for name in names]

    def _score(self, features: pd.DataFrame) -> np.ndarray:
        scores = np.column_stack([m.score_samples(features) for m in self.members_])
        return scores.mean(axis=1) if self.combine == "mean" else scores.max(axis=1)

    def contributions(self, features: pd.DataFrame) -> pd.DataFrame | None:
        self._check_fitted()
        for member in self.members_:
            found = member.contributions(features)
            if found is not None:
                return found
        return None
