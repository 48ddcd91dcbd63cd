"""What a segmentation looks like: a per-segment profile table and a 2-D projection."""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.decomposition import PCA
from sklearn.preprocessing import StandardScaler

from salesforge.segment.kmeans import signed_log


def segment_profile(table: pd.DataFrame, features: list[str]) -> pd.DataFrame:
    """One row per segment: ``segment_id``, ``segment_name``, ``entities``, ``share_of_entities``,
    ``revenue_share`` of the total (when ``revenue`` is a feature) and the median of every
    feature; ordered by revenue, best first."""
    grouped = table.groupby(["segment_id", "segment_name"], observed=True, sort=True)
    profile = grouped[features].median()
    profile.insert(0, "entities", grouped.size())
    profile.insert(1, "share_of_entities", profile["entities"] / len(table))
    if "revenue" in table.columns:
        total = table["revenue"].sum()
        profile.insert(2, "segment_revenue_share",
                       grouped["revenue"].sum() / total if total else 0.0)
        profile = profile.sort_values("segment_revenue_share", ascending=False, kind="stable")
    return profile.reset_index()


def projection(features: pd.DataFrame) -> pd.DataFrame:
    """A 2-D map of the entities for scatter charts: the first two principal components of
    the standardised signed-log features (columns ``x``, ``y``; one zero column when there
    is a single feature). Index as ``features``."""
    values = signed_log(features.to_numpy(float))
    scaled = StandardScaler().fit_transform(values)
    components = min(2, scaled.shape[1], scaled.shape[0])
    points = PCA(n_components=components, random_state=0).fit_transform(scaled) \
        if components else np.zeros((len(features), 0))
    points = np.pad(points, ((0, 0), (0, 2 - points.shape[1])))
    return pd.DataFrame(points, index=features.index, columns=["x", "y"])
