"""Calendar features of each transaction's date."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from salesforge.base.feature_builder import FeatureBuilder
from salesforge.data.dates import day_range

_NAMES = ("year", "quarter", "month", "week_of_year", "day_of_month", "day_of_year",
          "day_of_week", "is_weekend", "is_month_start", "is_month_end")


@dataclass
class CalendarFeaturesConfig:
    """Settings of the ``calendar`` feature builder (``features.calendar.*``)."""

    #: Prefix of the added column names.
    prefix: str = "cal_"


@dataclass(eq=False)
class CalendarFeatures(FeatureBuilder, CalendarFeaturesConfig):
    """Year, quarter, month, ISO week, day of month/year/week, weekend, month start and
    month end, computed vectorised from ``date``."""

    def columns_added(self) -> list[str]:
        return [f"{self.prefix}{name}" for name in _NAMES]

    def _transform(self, frame: pd.DataFrame) -> pd.DataFrame:
        stamps = frame["date"].to_numpy("datetime64[ns]")
        by_day = day_range(stamps)
        if by_day is None:
            values = _calendar(pd.DatetimeIndex(stamps))
        else:  # each day once, then taken by row
            days, row_day = by_day
            values = {name: column[row_day] for name, column in _calendar(days).items()}
        out = pd.DataFrame(index=frame.index)
        for name in _NAMES:  # one block per column: no consolidating copy
            out[f"{self.prefix}{name}"] = values[name]
        return out


def _calendar(dates: pd.DatetimeIndex) -> dict[str, np.ndarray]:
    return {
        "year": np.asarray(dates.year, dtype="int16"),
        "quarter": np.asarray(dates.quarter, dtype="int8"),
        "month": np.asarray(dates.month, dtype="int8"),
        "week_of_year": dates.isocalendar().week.to_numpy().astype("int8"),
        "day_of_month": np.asarray(dates.day, dtype="int8"),
        "day_of_year": np.asarray(dates.day_of_year, dtype="int16"),
        "day_of_week": np.asarray(dates.day_of_week, dtype="int8"),
        "is_weekend": np.asarray(dates.day_of_week >= 5, dtype="int8"),
        "is_month_start": np.asarray(dates.is_month_start, dtype="int8"),
        "is_month_end": np.asarray(dates.is_month_end, dtype="int8"),
    }
