"""Customer RFM segments: recency, frequency and monetary scores 1-5 mapped to names."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from salesforge.base.segmenter import Segmenter

#: Segment id -> name (every id is named even when no customer falls in it).
RFM_NAMES = {0: "Champions", 1: "Loyal", 2: "Promising", 3: "Needs Attention",
             4: "At Risk", 5: "Hibernating", 6: "Lost"}


@dataclass
class RFMSegmenterConfig:
    """Settings of the ``rfm`` segmenter (``segmenter.*``)."""

    recency_feature: str = "recency_days"
    frequency_feature: str = "transactions"
    monetary_feature: str = "revenue"


@dataclass(eq=False)
class RFMSegmenter(Segmenter, RFMSegmenterConfig):
    """Customer RFM segments (Champions, Loyal, At Risk, Lost, ...).

    Quintile scores (5 = best: recent, frequent, big spender); R and the mean of F and M
    pick the segment: Champions (R>=4, FM>=4), Loyal (R>=3, FM>=3), Promising (R>=4),
    Needs Attention (R=3), At Risk (R<=2, FM>=3), Hibernating (R=2), Lost (R=1)."""

    default_entity = "customer_id"

    def _columns(self) -> list[str]:
        return [self.recency_feature, self.frequency_feature, self.monetary_feature]

    def _fit(self, features: pd.DataFrame) -> None:
        missing = [c for c in self._columns() if c not in features.columns]
        if missing:
            raise ValueError(f"RFMSegmenter needs features {missing}")
        self.edges_ = {c: np.quantile(features[c].to_numpy(float), [0.2, 0.4, 0.6, 0.8])
                       for c in self._columns()}
        self.segment_names_ = dict(RFM_NAMES)
        self.labels_ = self._predict(features)

    def scores(self, features: pd.DataFrame) -> pd.DataFrame:
        """R, F and M scores (1-5) of each row, from the training quintiles."""
        self._check_fitted()
        out = {}
        for letter, column in zip("RFM", self._columns(), strict=True):
            bins = np.searchsorted(self.edges_[column], features[column].to_numpy(float),
                                   side="left")
            out[letter] = 5 - bins if letter == "R" else 1 + bins
        return pd.DataFrame(out, index=features.index)

    def _predict(self, features: pd.DataFrame) -> np.ndarray:
        scores = self.scores(features)
        r = scores["R"].to_numpy()
        fm = (scores["F"].to_numpy() + scores["M"].to_numpy()) / 2.0
        conditions = [
            (r >= 4) & (fm >= 4), (r >= 3) & (fm >= 3), r >= 4, r == 3, fm >= 3, r == 2,
        ]
        return np.select(conditions, [0, 1, 2, 3, 4, 5], default=6).astype(int)
