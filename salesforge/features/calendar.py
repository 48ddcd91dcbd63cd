"""Calendar features of each transaction's date."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from salesforge.base.feature_builder import FeatureBuilder


@dataclass
class CalendarFeaturesConfig:
    """Settings of the ``calendar`` feature builder (``features.calendar.*``)."""

    #: Prefix of the added column names.
    prefix: str = "cal_"


class CalendarFeatures(FeatureBuilder):
    """Day of week, weekend flag, day of month and year, ISO week, month, quarter and
    month-end flag, computed vectorised from ``date``."""

    def __init__(self, prefix: str = "cal_") -> None:
        self.prefix = prefix

    def _transform(self, frame: pd.DataFrame) -> pd.DataFrame:
        dates = pd.DatetimeIndex(frame["date"])
        p = self.prefix
        return pd.DataFrame(
            {
                f"{p}day_of_week": dates.day_of_week.astype("int8"),
                f"{p}is_weekend": (dates.day_of_week >= 5).astype("int8"),
                f"{p}day_of_month": dates.day.astype("int8"),
                f"{p}day_of_year": dates.day_of_year.astype("int16"),
                f"{p}week_of_year": dates.isocalendar().week.to_numpy().astype("int8"),
                f"{p}month": dates.month.astype("int8"),
                f"{p}quarter": dates.quarter.astype("int8"),
                f"{p}is_month_end": dates.is_month_end.astype("int8"),
            },
            index=frame.index,
        )
