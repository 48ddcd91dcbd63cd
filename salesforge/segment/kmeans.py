"""KMeans segments with names an analyst understands (Star, Premium, Volume, Low)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.cluster import KMeans
from sklearn.metrics import silhouette_score
from sklearn.preprocessing import StandardScaler

from salesforge.base.segmenter import Segmenter
from salesforge.segment.features import VALUE_FEATURES
from salesforge.segment.naming import NAMES, quadrant_names

__all__ = ["NAMES", "KMeansSegmenter", "KMeansSegmenterConfig", "signed_log"]


def signed_log(values: np.ndarray) -> np.ndarray:
    """sign(x) * log(1 + |x|): tames heavy-tailed revenue and counts before scaling."""
    return np.sign(values) * np.log1p(np.abs(values))


@dataclass
class KMeansSegmenterConfig:
    """Settings of the ``kmeans`` segmenter (``segmenter.*``)."""

    #: Number of segments; null = choose k in [k_min, k_max] by the best silhouette.
    n_clusters: int | None = 4
    k_min: int = 2
    k_max: int = 8
    #: Feature compared with its median to name segments "high/low revenue".
    revenue_feature: str = "revenue"
    #: Feature compared with its median to name segments "high/low frequency".
    frequency_feature: str = "transactions"
    #: Features clustered on; null = revenue, transactions, units, avg_price, growth,
    #: revenue_share and margin, those the table has.
    features: list[str] | None = None
    random_state: int = 0
    #: Fewest entities a segment may hold: a k that leaves a smaller segment is passed
    #: over for fewer segments (8 products never make 4 segments, one of a single product).
    min_segment_size: int = 2


@dataclass(eq=False)
class KMeansSegmenter(Segmenter, KMeansSegmenterConfig):
    """KMeans on standardised log features; each segment named from its centre's revenue
    and frequency against the medians, segments sharing a name told apart by the features
    that distinguish them ("Volume Products — more units, lower price"). The number of
    segments is ``n_clusters`` (or the best silhouette in [k_min, k_max]) at most, fewer
    where a segment would hold fewer than ``min_segment_size`` entities (``n_clusters_``)."""

    def _columns(self, features: pd.DataFrame) -> list[str]:
        if self.features is not None:
            wanted = list(self.features)
            missing = [c for c in wanted if c not in features.columns]
            if missing:
                raise ValueError(f"KMeansSegmenter features {missing} are not in the table "
                                 f"(columns: {list(features.columns)})")
            return wanted
        known = [c for c in (*VALUE_FEATURES, "margin") if c in features.columns]
        return list(dict.fromkeys([self.revenue_feature, self.frequency_feature, *known]))

    def _scaled(self, features: pd.DataFrame) -> np.ndarray:
        return self.scaler_.transform(signed_log(features[self.columns_].to_numpy(float)))

    def _fit(self, features: pd.DataFrame) -> None:
        for column in (self.revenue_feature, self.frequency_feature):
            if column not in features.columns:
                raise ValueError(f"KMeansSegmenter needs a {column!r} feature")
        self.columns_ = self._columns(features)
        self.scaler_ = StandardScaler().fit(signed_log(features[self.columns_].to_numpy(float)))
        scaled = self._scaled(features)
        self.silhouettes_: dict[int, float] = {}
        primary, fallback = self._candidate_ks(len(features))
        models: dict[int, KMeans] = {}
        for k in [*primary, *fallback]:
            if models and (self.n_clusters is not None or k in fallback):
                break  # the first k large enough, unless a silhouette chooses among them
            model = KMeans(n_clusters=k, n_init=10, random_state=self.random_state).fit(scaled)
            sizes = np.bincount(model.labels_, minlength=k)
            if k > 1 and sizes.min() < int(self.min_segment_size):
                continue
            models[k] = model
            self.silhouettes_[k] = (float(silhouette_score(scaled, model.labels_))
                                    if 1 < len(set(model.labels_)) < len(features)
                                    else float("nan"))
        scored = {k: s for k, s in self.silhouettes_.items() if s == s}
        k = max(scored, key=scored.__getitem__) if len(models) > 1 and scored else min(models)
        self.model_, self.silhouette_, self.n_clusters_ = models[k], self.silhouettes_[k], k
        self.labels_ = self.model_.labels_.astype(int)
        centres = pd.DataFrame(self.model_.cluster_centers_, columns=self.columns_)
        self.segment_names_ = quadrant_names(features[self.revenue_feature],
                                             features[self.frequency_feature], self.labels_,
                                             centres)

    def _candidate_ks(self, rows: int) -> tuple[list[int], list[int]]:
        """The ks to try and, should each leave a segment below ``min_segment_size``,
        the smaller ones to fall back on (largest first; 1 always qualifies)."""
        if int(self.min_segment_size) < 1:
            raise ValueError(f"min_segment_size must be at least 1, got "
                             f"{self.min_segment_size}")
        top = max(1, rows // int(self.min_segment_size))
        if self.n_clusters is not None:
            if int(self.n_clusters) < 1:
                raise ValueError(f"n_clusters must be at least 1, got {self.n_clusters}")
            k = min(int(self.n_clusters), top, max(1, rows - 1))
            return [k], list(range(k - 1, 0, -1))
        if not 2 <= int(self.k_min) <= int(self.k_max):
            raise ValueError(f"need 2 <= k_min <= k_max, got {self.k_min}, {self.k_max}")
        ks = [k for k in range(int(self.k_min), int(self.k_max) + 1) if k <= top]
        return ks, list(range(min([*ks, int(self.k_min)]) - 1, 0, -1))

    def _predict(self, features: pd.DataFrame) -> np.ndarray:
        return self.model_.predict(self._scaled(features))
