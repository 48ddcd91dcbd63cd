"""Frequency encoding: how common each product (or other column value) is."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from salesforge.base.feature_builder import FeatureBuilder


@dataclass
class FrequencyFeaturesConfig:
    """Settings of the ``frequency`` feature builder (``features.frequency.*``)."""

    #: Column whose values are encoded.
    column: str = "product"


@dataclass(eq=False)
class FrequencyFeatures(FeatureBuilder, FrequencyFeaturesConfig):
    """``<column>_frequency``: the share of fit rows with the row's value (0 for values
    unseen in ``fit``)."""

    def required_columns(self) -> list[str]:
        return [self.column]

    def columns_added(self) -> list[str]:
        return [f"{self.column}_frequency"]

    def _fit(self, frame: pd.DataFrame) -> None:
        shares = frame[self.column].astype(object).value_counts(normalize=True, dropna=False)
        self.frequencies_ = shares

    def _transform(self, frame: pd.DataFrame) -> pd.DataFrame:
        values = frame[self.column].astype(object).map(self.frequencies_)
        return pd.DataFrame({self.columns_added()[0]: values.fillna(0.0).astype(float)},
                            index=frame.index)
