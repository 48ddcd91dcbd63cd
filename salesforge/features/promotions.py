"""Promotion flags: from the discount column when the data has one, otherwise from price
cuts against the product's usual (median) price."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from salesforge.base.feature_builder import FeatureBuilder


@dataclass
class PromotionFeaturesConfig:
    """Settings of the ``promotions`` feature builder (``features.promotions.*``)."""

    #: A discount (or price cut) above this share of the price counts as a promotion.
    threshold: float = 0.05


@dataclass(eq=False)
class PromotionFeatures(FeatureBuilder, PromotionFeaturesConfig):
    """``promo_discount`` (share off the price, 0..1) and ``promo_flag`` (discount above
    ``threshold``). With a ``discount`` column the discount is read from it (percent values
    above 1 are divided by 100); without one it is the cut from the product's median price
    learnt in ``fit``."""

    requires = ("price", "product")

    def columns_added(self) -> list[str]:
        return ["promo_discount", "promo_flag"]

    def _fit(self, frame: pd.DataFrame) -> None:
        self.uses_discount_column_ = "discount" in frame.columns
        self.median_price_ = frame.groupby(frame["product"].astype(object))["price"].median()

    def _transform(self, frame: pd.DataFrame) -> pd.DataFrame:
        if self.uses_discount_column_ and "discount" in frame.columns:
            discount = frame["discount"].to_numpy(float, na_value=0.0)
            discount = np.where(discount > 1, discount / 100.0, discount)
        else:
            usual = frame["product"].astype(object).map(self.median_price_).to_numpy(float)
            price = frame["price"].to_numpy(float, na_value=np.nan)
            with np.errstate(invalid="ignore", divide="ignore"):
                discount = np.where(usual > 0, 1.0 - price / usual, 0.0)
        discount = np.nan_to_num(np.clip(discount, 0.0, 1.0))
        return pd.DataFrame({"promo_discount": discount,
                             "promo_flag": (discount > float(self.threshold)).astype("int8")},
                            index=frame.index)
