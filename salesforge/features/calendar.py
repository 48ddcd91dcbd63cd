"""Calendar features of each transaction's date."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from salesforge.base.feature_builder import FeatureBuilder

_NAMES = ("year", "quarter", "month", "week_of_year", "day_of_month", "day_of_year",
          "day_of_week", "is_weekend", "is_month_start", "is_month_end")


@dataclass
class CalendarFeaturesConfig:
    """Settings of the ``calendar`` feature builder (``features.calendar.*``)."""

    #: Prefix of the added column names.
    prefix: str = "cal_"


class CalendarFeatures(FeatureBuilder):
    """Year, quarter, month, ISO week, day of month/year/week, weekend, month start and
    month end, computed vectorised from ``date``."""

    def __init__(self, prefix: str = "cal_") -> None:
        self.prefix = prefix

    def columns_added(self) -> list[str]:
        return [f"{self.prefix}{name}" for name in _NAMES]

    def _transform(self, frame: pd.DataFrame) -> pd.DataFrame:
        dates = pd.DatetimeIndex(frame["date"])
        values = {
            "year": dates.year.astype("int16"),
            "quarter": dates.quarter.astype("int8"),
            "month": dates.month.astype("int8"),
            "week_of_year": dates.isocalendar().week.to_numpy().astype("int8"),
            "day_of_month": dates.day.astype("int8"),
            "day_of_year": dates.day_of_year.astype("int16"),
            "day_of_week": dates.day_of_week.astype("int8"),
            "is_weekend": (dates.day_of_week >= 5).astype("int8"),
            "is_month_start": dates.is_month_start.astype("int8"),
            "is_month_end": dates.is_month_end.astype("int8"),
        }
        return pd.DataFrame({f"{self.prefix}{k}": values[k] for k in _NAMES}, index=frame.index)
