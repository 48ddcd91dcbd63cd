"""KMeans segments with names an analyst understands (Star, Premium, Volume, Low)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.cluster import KMeans
from sklearn.metrics import silhouette_score
from sklearn.preprocessing import StandardScaler

from salesforge.base.segmenter import Segmenter

#: (high revenue, high frequency) -> segment name.
NAMES = {
    (True, True): "Star Products",
    (True, False): "Premium Products",
    (False, True): "Volume Products",
    (False, False): "Low Performers",
}


@dataclass
class KMeansSegmenterConfig:
    """Settings of the ``kmeans`` segmenter (``segmenter.*``)."""

    #: Number of segments (fewer when there are fewer entities).
    n_clusters: int = 4
    #: Feature compared with its median to name segments "high/low revenue".
    revenue_feature: str = "revenue"
    #: Feature compared with its median to name segments "high/low frequency".
    frequency_feature: str = "transactions"
    random_state: int = 0


class KMeansSegmenter(Segmenter):
    """KMeans on standardised log features; each segment named from its centre's revenue
    and frequency against the medians, names made unique by rank ("— top", "— 2")."""

    def __init__(self, n_clusters: int = 4, revenue_feature: str = "revenue",
                 frequency_feature: str = "transactions", random_state: int = 0) -> None:
        self.n_clusters = n_clusters
        self.revenue_feature = revenue_feature
        self.frequency_feature = frequency_feature
        self.random_state = random_state

    def _transform(self, features: pd.DataFrame) -> np.ndarray:
        values = features.to_numpy(float)
        return np.sign(values) * np.log1p(np.abs(values))

    def _fit(self, features: pd.DataFrame) -> None:
        for column in (self.revenue_feature, self.frequency_feature):
            if column not in features.columns:
                raise ValueError(f"KMeansSegmenter needs a {column!r} feature")
        k = max(1, min(int(self.n_clusters), len(features) - 1))
        self.scaler_ = StandardScaler().fit(self._transform(features))
        scaled = self.scaler_.transform(self._transform(features))
        self.model_ = KMeans(n_clusters=k, n_init=10, random_state=self.random_state).fit(scaled)
        self.labels_ = self.model_.labels_.astype(int)
        self.silhouette_ = (float(silhouette_score(scaled, self.labels_))
                            if 1 < k < len(features) else float("nan"))
        self.segment_names_ = self._name_segments(features, self.labels_)

    def _name_segments(self, features: pd.DataFrame, labels: np.ndarray) -> dict[int, str]:
        revenue = features[self.revenue_feature]
        frequency = features[self.frequency_feature]
        centres = pd.DataFrame({"revenue": revenue, "frequency": frequency}).groupby(labels).mean()
        base = {
            segment: NAMES[(row.revenue >= revenue.median(), row.frequency >= frequency.median())]
            for segment, row in centres.iterrows()
        }
        names: dict[int, str] = {}
        for name in dict.fromkeys(base.values()):
            members = centres.loc[[s for s, n in base.items() if n == name]]
            ranked = members.sort_values("revenue", ascending=False).index
            for rank, segment in enumerate(ranked, start=1):
                if len(ranked) == 1:
                    names[int(segment)] = name
                else:
                    names[int(segment)] = f"{name} — {'top' if rank == 1 else rank}"
        return names

    def _predict(self, features: pd.DataFrame) -> np.ndarray:
        return self.model_.predict(self.scaler_.transform(self._transform(features)))
