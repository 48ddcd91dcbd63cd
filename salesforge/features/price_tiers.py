"""Price tiers: each row's unit price placed among the price quantiles of its category."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from salesforge.base.feature_builder import FeatureBuilder
from salesforge.errors import ConfigError


@dataclass
class PriceTierFeaturesConfig:
    """Settings of the ``price_tiers`` feature builder (``features.price_tiers.*``)."""

    #: Number of quantile bins (tier 1 = cheapest).
    tiers: int = 4
    #: Column whose groups get their own quantiles; null = one set for all rows.
    by: str | None = "category"


@dataclass(eq=False)
class PriceTierFeatures(FeatureBuilder, PriceTierFeaturesConfig):
    """``price_tier``, from 1 (cheapest) to ``tiers``, by quantile edges of ``price`` learnt
    per group in ``fit``; groups unseen in fit use the edges of all rows."""

    def required_columns(self) -> list[str]:
        return ["price"] + ([self.by] if self.by else [])

    def columns_added(self) -> list[str]:
        return ["price_tier"]

    def _fit(self, frame: pd.DataFrame) -> None:
        if int(self.tiers) < 2:
            raise ConfigError(f"config key features.price_tiers.tiers={self.tiers!r} must be "
                              "at least 2.")
        levels = np.linspace(0, 1, int(self.tiers) + 1)[1:-1]
        prices = frame["price"].astype(float)
        self.overall_edges_ = np.nanquantile(prices, levels) if prices.notna().any() \
            else np.zeros(len(levels))
        self.edges_: dict[str, np.ndarray] = {}
        if self.by:
            quantiles = prices.groupby(frame[self.by].astype(object), observed=True).quantile(
                levels).unstack()
            self.edges_ = {str(k): row.to_numpy(float) for k, row in quantiles.iterrows()}

    def _transform(self, frame: pd.DataFrame) -> pd.DataFrame:
        prices = frame["price"].to_numpy(float, na_value=np.nan)
        tiers = np.zeros(len(frame), dtype="int8")
        if self.by:
            codes, groups = pd.factorize(frame[self.by].astype(object))
            for code, group in enumerate(groups):  # one pass per group, not per row
                rows = codes == code
                edges = self.edges_.get(str(group), self.overall_edges_)
                tiers[rows] = np.searchsorted(edges, prices[rows], side="right") + 1
            rest = codes < 0
            tiers[rest] = np.searchsorted(self.overall_edges_, prices[rest], side="right") + 1
        else:
            tiers[:] = np.searchsorted(self.overall_edges_, prices, side="right") + 1
        return pd.DataFrame({"price_tier": tiers}, index=frame.index)
