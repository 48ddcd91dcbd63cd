"""ABC x XYZ classes: Pareto revenue share (A/B/C) crossed with demand variability (X/Y/Z)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from salesforge.base.segmenter import Segmenter

ABC_TEXT = {"A": "top revenue", "B": "middle revenue", "C": "tail revenue"}
XYZ_TEXT = {"X": "steady demand", "Y": "variable demand", "Z": "erratic demand"}
#: Segment id -> name, id = 3 * ABC index + XYZ index ("AX" = 0, ..., "CZ" = 8).
CLASS_NAMES = {3 * i + j: f"{a}{x}: {ABC_TEXT[a]}, {XYZ_TEXT[x]}"
               for i, a in enumerate(ABC_TEXT) for j, x in enumerate(XYZ_TEXT)}


@dataclass
class ABCXYZSegmenterConfig:
    """Settings of the ``abc_xyz`` segmenter (``segmenter.*``)."""

    #: Cumulative revenue share closing class A (entities by descending revenue).
    a_share: float = 0.8
    #: Cumulative revenue share closing class B; the rest is C.
    b_share: float = 0.95
    #: Demand coefficient of variation up to which demand is steady (X) ...
    x_cv: float = 0.5
    #: ... and up to which it is variable (Y); above it is erratic (Z).
    y_cv: float = 1.0
    revenue_feature: str = "revenue"
    variability_feature: str = "demand_cv"


@dataclass(eq=False)
class ABCXYZSegmenter(Segmenter, ABCXYZSegmenterConfig):
    """ABC x XYZ classes: Pareto revenue share crossed with demand variability.

    A = entities making the first ``a_share`` of revenue, B up to ``b_share``, C the tail;
    X/Y/Z by the coefficient of variation of periodic demand (``x_cv``, ``y_cv``)."""

    def _fit(self, features: pd.DataFrame) -> None:
        for column in (self.revenue_feature, self.variability_feature):
            if column not in features.columns:
                raise ValueError(f"ABCXYZSegmenter needs a {column!r} feature")
        if not 0 < float(self.a_share) < float(self.b_share) <= 1:
            raise ValueError(f"need 0 < a_share < b_share <= 1, got {self.a_share}, "
                             f"{self.b_share}")
        if not 0 < float(self.x_cv) < float(self.y_cv):
            raise ValueError(f"need 0 < x_cv < y_cv, got {self.x_cv}, {self.y_cv}")
        revenue = features[self.revenue_feature].to_numpy(float)
        order = np.argsort(-revenue, kind="stable")
        total = revenue.sum()
        before = np.concatenate([[0.0], np.cumsum(revenue[order])[:-1]]) / (total or 1.0)
        abc = np.empty(len(revenue), dtype=int)
        abc[order] = np.where(before < float(self.a_share), 0,
                              np.where(before < float(self.b_share), 1, 2))
        # revenue floors of A and B, so new entities are classed like the training ones
        self.revenue_floors_ = [float(revenue[abc == c].min()) if (abc == c).any() else np.inf
                                for c in (0, 1)]
        self.labels_ = self._classes(features, abc)
        self.segment_names_ = dict(CLASS_NAMES)

    def _classes(self, features: pd.DataFrame, abc: np.ndarray) -> np.ndarray:
        cv = features[self.variability_feature].to_numpy(float)
        xyz = np.where(cv <= float(self.x_cv), 0, np.where(cv <= float(self.y_cv), 1, 2))
        return (3 * abc + xyz).astype(int)

    def _predict(self, features: pd.DataFrame) -> np.ndarray:
        revenue = features[self.revenue_feature].to_numpy(float)
        a_floor, b_floor = self.revenue_floors_
        abc = np.where(revenue >= a_floor, 0, np.where(revenue >= b_floor, 1, 2))
        return self._classes(features, abc)
