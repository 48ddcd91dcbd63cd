"""Segmenters group entities (products, customers) described by numeric features."""

from __future__ import annotations

from abc import abstractmethod

import numpy as np
import pandas as pd

from salesforge.base.component import Component


class Segmenter(Component):
    """``fit(X)`` on one row per entity (index = entity) sets ``labels_`` and
    ``segment_names_`` (segment id -> human name); ``predict(X)`` assigns new entities.

    ``default_entity`` is the column segmented when ``segment.entity`` is null.
    """

    default_entity: str = "product"
    #: Learnt by ``fit`` (``_fit`` sets them; declared here, not set).
    labels_: np.ndarray
    segment_names_: dict[int, str]

    def fit(self, features: pd.DataFrame) -> Segmenter:
        self._check_features(features, minimum_rows=2)
        self.feature_names_in_ = list(features.columns)
        self._fit(features)
        return self

    def predict(self, features: pd.DataFrame) -> np.ndarray:
        self._check_fitted()
        self._check_features(features, minimum_rows=1)
        missing = [c for c in self.feature_names_in_ if c not in features.columns]
        if missing:
            raise ValueError(f"{type(self).__name__}.predict is missing features {missing}")
        return np.asarray(self._predict(features[self.feature_names_in_]))

    def predict_names(self, features: pd.DataFrame) -> list[str]:
        """The segment name of each row of ``features`` (e.g. a new product's stats)."""
        return [self.segment_names_[int(label)] for label in self.predict(features)]

    def _check_features(self, features: pd.DataFrame, minimum_rows: int) -> None:
        if len(features) < minimum_rows:
            raise ValueError(f"{type(self).__name__} needs at least {minimum_rows} entities")
        non_numeric = [c for c in features.columns
                       if not pd.api.types.is_numeric_dtype(features[c])]
        if non_numeric:
            raise ValueError(f"{type(self).__name__} got non-numeric features {non_numeric}")
        if features.isna().to_numpy().any():
            raise ValueError(f"{type(self).__name__} got missing feature values")

    @abstractmethod
    def _fit(self, features: pd.DataFrame) -> None:
        """Set ``labels_`` (one int per row) and ``segment_names_``."""

    @abstractmethod
    def _predict(self, features: pd.DataFrame) -> np.ndarray:
        """Segment ids for new rows."""
