"""The baseline: repeat the last observed season."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np
import pandas as pd

from salesforge.base.forecaster import Forecaster
from salesforge.forecast.seasonality import season_length


@dataclass
class SeasonalNaiveConfig:
    """Settings of the ``seasonal_naive`` forecaster (``forecaster.seasonal_naive.*``)."""

    #: Periods per season; ``None`` takes it from the frequency (D -> 7, MS -> 12, ...).
    season_length: int | None = None


@dataclass(eq=False)
class SeasonalNaiveForecaster(Forecaster, SeasonalNaiveConfig):
    """y(T + h) = y(T + h - m·k), the value one season earlier; series shorter than a
    season repeat their last value."""

    per_series: ClassVar[bool] = True

    def _fit(self, frame: pd.DataFrame) -> None:
        m = season_length(self.freq_) if self.season_length is None else int(self.season_length)
        if m < 1:
            raise ValueError(f"season_length must be at least 1, got {m}")
        self.season_length_ = m
        self.last_season_ = {
            sid: values[-m:] if len(values) >= m else values[-1:]
            for sid, values in ((s, g.to_numpy()) for s, g in frame.groupby("series_id")["y"])
        }

    def _predict(self, future: pd.DataFrame) -> np.ndarray:
        out = np.empty(len(future))
        for sid, rows in future.groupby("series_id", sort=False).indices.items():
            season = self.last_season_[sid]
            steps = future["step"].to_numpy()[rows] - 1
            out[rows] = season[steps % len(season)]
        return out
