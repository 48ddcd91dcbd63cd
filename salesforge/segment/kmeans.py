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

__all__ = ["NAMES", "SILHOUETTE_SAMPLE", "KMeansSegmenter", "KMeansSegmenterConfig",
           "signed_log"]

#: Most entities a silhouette is computed on; larger tables are scored on a sample of
#: this many (drawn with ``random_state``), which keeps choosing k quick on 100k products.
SILHOUETTE_SAMPLE = 5000


def signed_log(values: np.ndarray) -> np.ndarray:
    """sign(x) * log(1 + |x|): tames heavy-tailed revenue and counts before scaling."""
    return np.sign(values) * np.log1p(np.abs(values))


@dataclass
class KMeansSegmenterConfig:
    """Settings of the ``kmeans`` segmenter (``segmenter.*``)."""

    #: Number of segments; null = choose k in [k_min, k_max] by the best silhouette.
    n_clusters: int | None = None
    #: Fewest segments the silhouette search tries (n_clusters: null); at least 2.
    k_min: int = 2
    #: Most segments the silhouette search tries; never more than entities /
    #: min_segment_size.
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
    segments is the k in [k_min, k_max] with the best silhouette (ties: the fewer segments)
    among those leaving no segment below ``min_segment_size`` entities, or ``n_clusters``
    when set, fewer where a segment would hold fewer than ``min_segment_size`` entities
    (``n_clusters_``). ``silhouettes_`` holds the silhouette of each k tried,
    ``passed_over_`` the ks that left a segment too small, ``k_note_`` why fewer segments
    were made than asked for (or ``None``)."""

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
        self.passed_over_: list[int] = []
        primary, fallback = self._candidate_ks(len(features))
        models: dict[int, KMeans] = {}
        for k in [*primary, *fallback]:
            if models and (self.n_clusters is not None or k in fallback):
                break  # the first k large enough, unless a silhouette chooses among them
            model = KMeans(n_clusters=k, n_init=10, random_state=self.random_state).fit(scaled)
            sizes = np.bincount(model.labels_, minlength=k)
            if k > 1 and sizes.min() < int(self.min_segment_size):
                self.passed_over_.append(k)
                continue
            models[k] = model
            self.silhouettes_[k] = self._silhouette(scaled, model.labels_)
        scored = {k: s for k, s in self.silhouettes_.items() if s == s}
        if len(models) > 1 and scored:  # the best silhouette; a tie goes to fewer segments
            best = max(scored.values())
            k = min(k for k, s in scored.items() if s >= best - 1e-12)
        else:
            k = min(models)
        self.model_, self.silhouette_, self.n_clusters_ = models[k], self.silhouettes_[k], k
        self.k_note_ = self._note(len(features), k)
        self.labels_ = self.model_.labels_.astype(int)
        centres = pd.DataFrame(self.model_.cluster_centers_, columns=self.columns_)
        self.segment_names_ = quadrant_names(features[self.revenue_feature],
                                             features[self.frequency_feature], self.labels_,
                                             centres)

    def _silhouette(self, scaled: np.ndarray, labels: np.ndarray) -> float:
        """The silhouette of ``labels`` (NaN where undefined: one segment, or one per
        entity), on a sample of :data:`SILHOUETTE_SAMPLE` entities for larger tables."""
        if not 1 < len(set(labels)) < len(labels):
            return float("nan")
        sample = SILHOUETTE_SAMPLE if len(labels) > SILHOUETTE_SAMPLE else None
        return float(silhouette_score(scaled, labels, sample_size=sample,
                                      random_state=self.random_state))

    def _note(self, rows: int, k: int) -> str | None:
        """Why fewer segments were made than ``n_clusters`` or ``k_min`` asked for."""
        wanted = int(self.k_min) if self.n_clusters is None else int(self.n_clusters)
        if k >= wanted:
            return None
        why = (f"more would leave a segment of fewer than {int(self.min_segment_size)} "
               "(min_segment_size)" if int(self.min_segment_size) > 1
               else "too few entities for more")
        return f"{rows} entities make {k} segment{'s' if k != 1 else ''}, not {wanted}: {why}"

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
