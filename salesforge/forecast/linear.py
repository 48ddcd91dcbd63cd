"""A global ridge regression on lags and calendar terms, forecasting recursively."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np
import pandas as pd
from sklearn.linear_model import Ridge
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from salesforge.base.forecaster import Forecaster
from salesforge.forecast.seasonality import season_length

#: Above this many series the one-hot series terms (a dense column per series) are left
#: out: the per-series mean scaling alone carries each series' level.
MAX_SERIES_DUMMIES = 200


@dataclass
class LinearConfig:
    """Settings of the ``linear`` forecaster (``forecaster.linear.*``)."""

    #: Ridge penalty.
    alpha: float = 1.0
    #: Lags of y used as features; empty takes 1, 2 and one season.
    lags: list[int] = field(default_factory=list)


class LinearForecaster(Forecaster):
    """Ridge on standardised lags of y, a trend, day-of-week dummies (daily data), month
    dummies (a year or more of history), the series' id and the covariates of
    ``forecast.exog`` (``exog_<name>``), every column standardised.

    One model for all series (global); each series is scaled by its mean so large and
    small series share coefficients (series dummies up to :data:`MAX_SERIES_DUMMIES`
    series). Multi-step forecasts are recursive: step h uses the
    forecasts of steps < h, never actuals from the forecast window.
    """

    search_space: ClassVar[dict[str, dict[str, Any]]] = {
        "alpha": {"type": "float", "low": 1e-3, "high": 100.0, "log": True},
    }
    supports_exog: ClassVar[bool] = True

    def __init__(self, alpha: float = 1.0, lags: list[int] | None = None) -> None:
        self.alpha = alpha
        self.lags = lags

    def _fit(self, frame: pd.DataFrame) -> None:
        m = season_length(self.freq_)
        self.lags_ = sorted({int(lag) for lag in (self.lags or [1, 2, m]) if int(lag) >= 1})
        self.series_ = sorted(frame["series_id"].unique())
        self.scale_ = frame.groupby("series_id")["y"].mean().replace(0.0, 1.0).abs()
        self.origin_ = frame["ds"].min()
        span_days = (frame["ds"].max() - self.origin_).days
        self.use_weekday_ = m in (5, 7)  # daily data: a day-of-week effect
        self.use_month_ = span_days >= 365  # a month effect needs every month in training
        self.use_series_ = len(self.series_) <= MAX_SERIES_DUMMIES
        scaled = frame["y"] / frame["series_id"].map(self.scale_).to_numpy()
        grouped = scaled.groupby(frame["series_id"])
        lagged = np.column_stack([grouped.shift(lag).to_numpy() for lag in self.lags_])
        design = np.hstack([lagged, self._exogenous(frame["series_id"], frame["ds"]),
                            frame[self.exog_].to_numpy("float64")])
        usable = ~np.isnan(lagged).any(axis=1)
        if usable.sum() < 2:
            usable = np.ones(len(frame), bool)
            design = np.nan_to_num(design)
        self.model_ = make_pipeline(StandardScaler(), Ridge(alpha=float(self.alpha)))
        self.model_.fit(design[usable], scaled[usable])
        self.feature_names_ = self.expected_features()
        weights = np.abs(self.model_[-1].coef_)
        self.feature_importances_ = pd.Series(
            weights / weights.sum() if weights.sum() > 0 else weights,
            index=self.feature_names_, name="importance")
        depth = max(self.lags_)
        self.history_ = {sid: g.to_numpy()[-depth:] for sid, g in grouped}

    def expected_features(self) -> list[str]:
        """Design column names: lags, trend, weekday and month dummies, series dummies;
        importances are the absolute standardised coefficients."""
        names = [f"lag_{lag}" for lag in self.lags_] + ["trend"]
        if self.use_weekday_:
            names += [f"day_of_week_{d}" for d in range(1, 7)]
        if self.use_month_:
            names += [f"month_{m}" for m in range(2, 13)]
        if self.use_series_:
            names += [f"series_{sid}" for sid in self.series_[1:]]
        return names + [f"exog_{name}" for name in getattr(self, "exog_", None) or []]

    def _exogenous(self, series_id: pd.Series, ds: pd.Series) -> np.ndarray:
        ds = pd.DatetimeIndex(ds)
        parts = [((ds - self.origin_).days / 365.25).to_numpy()[:, None]]  # trend in years
        if self.use_weekday_:
            parts.append(np.eye(7)[ds.day_of_week][:, 1:])
        if self.use_month_:
            parts.append(np.eye(12)[ds.month - 1][:, 1:])
        if self.use_series_:
            codes = pd.Categorical(series_id, categories=self.series_).codes
            parts.append(np.eye(len(self.series_))[codes][:, 1:])
        return np.hstack(parts)

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
                                self._exogenous(rows["series_id"], rows["ds"]),
                                rows[self._exog_names()].to_numpy("float64")])
            step_pred = self.model_.predict(design)
            scaled.loc[rows.index] = step_pred
            for sid, value in zip(rows["series_id"], step_pred, strict=True):
                history[sid].append(value)
        out = np.empty(len(future))
        out[future.index.to_numpy()] = scaled.to_numpy() * future["series_id"].map(
            self.scale_).to_numpy()
        return out
