"""A global ridge regression on lags and calendar terms, forecasting recursively."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from sklearn.linear_model import Ridge

from salesforge.base.forecaster import Forecaster
from salesforge.forecast.seasonality import season_length


@dataclass
class LinearConfig:
    """Settings of the ``linear`` forecaster (``forecaster.linear.*``)."""

    #: Ridge penalty.
    alpha: float = 1.0
    #: Lags of y used as features; empty takes 1, 2 and one season.
    lags: list[int] = field(default_factory=list)


class LinearForecaster(Forecaster):
    """Ridge on lags of y, day-of-week and month dummies, a trend and the series' id.

    One model for all series (global); each series is scaled by its mean so large and
    small series share coefficients. Multi-step forecasts are recursive: step h uses the
    forecasts of steps < h, never actuals from the forecast window.
    """

    def __init__(self, alpha: float = 1.0, lags: list[int] | None = None) -> None:
        self.alpha = alpha
        self.lags = lags

    def _fit(self, frame: pd.DataFrame) -> None:
        m = season_length(self.freq_)
        self.lags_ = sorted({int(lag) for lag in (self.lags or [1, 2, m]) if int(lag) >= 1})
        self.series_ = sorted(frame["series_id"].unique())
        self.scale_ = frame.groupby("series_id")["y"].mean().replace(0.0, 1.0).abs()
        self.origin_ = frame["ds"].min()
        scaled = frame["y"] / frame["series_id"].map(self.scale_).to_numpy()
        grouped = scaled.groupby(frame["series_id"])
        lagged = np.column_stack([grouped.shift(lag).to_numpy() for lag in self.lags_])
        design = np.hstack([lagged, self._exogenous(frame["series_id"], frame["ds"])])
        usable = ~np.isnan(lagged).any(axis=1)
        if usable.sum() < 2:
            usable = np.ones(len(frame), bool)
            design = np.nan_to_num(design)
        self.model_ = Ridge(alpha=float(self.alpha)).fit(design[usable], scaled[usable])
        depth = max(self.lags_)
        self.history_ = {sid: g.to_numpy()[-depth:] for sid, g in grouped}

    def _exogenous(self, series_id: pd.Series, ds: pd.Series) -> np.ndarray:
        ds = pd.DatetimeIndex(ds)
        weekday = np.eye(7)[ds.day_of_week][:, 1:]
        month = np.eye(12)[ds.month - 1][:, 1:]
        trend = ((ds - self.origin_).days / 365.25).to_numpy()[:, None]
        codes = pd.Categorical(series_id, categories=self.series_).codes
        series = np.eye(len(self.series_))[codes][:, 1:]
        return np.hstack([weekday, month, trend, series])

    def _predict(self, future: pd.DataFrame) -> np.ndarray:
        future = future.sort_values(["step", "series_id"], kind="stable")
        depth = max(self.lags_)
        history = {sid: list(np.pad(h, (max(0, depth - len(h)), 0), constant_values=np.nan))
                   for sid, h in self.history_.items()}
        scaled = pd.Series(np.nan, index=future.index)
        for _, rows in future.groupby("step", sort=True):
            lagged = np.array([[history[sid][-lag] for lag in self.lags_]
                               for sid in rows["series_id"]])
            design = np.hstack([np.nan_to_num(lagged, nan=1.0),  # 1.0 = the series mean
                                self._exogenous(rows["series_id"], rows["ds"])])
            step_pred = self.model_.predict(design)
            scaled.loc[rows.index] = step_pred
            for sid, value in zip(rows["series_id"], step_pred, strict=True):
                history[sid].append(value)
        out = np.empty(len(future))
        out[future.index.to_numpy()] = scaled.to_numpy() * future["series_id"].map(
            self.scale_).to_numpy()
        return out
