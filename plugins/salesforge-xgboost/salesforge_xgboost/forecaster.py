"""A global gradient-boosted model on lags and calendar terms, forecasting recursively."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from xgboost import XGBRegressor

from salesforge.base.forecaster import Forecaster
from salesforge.forecast.seasonality import season_length

#: Absolute error: the trees fit the median, which the spikes of sales data (promotions,
#: bulk orders) barely move, and which is what MAE and MASE reward. Squared error let a
#: single recent spike leak into every later forecast through the trend and lag splits.
OBJECTIVE = "reg:absoluteerror"
#: Under absolute error each row has hessian 1, so a leaf holds at least this many rows:
#: its value is a median of several residuals, never one memorised spike.
MIN_CHILD_WEIGHT = 5
#: Features after the lags, in design-matrix order.
CALENDAR = ("day_of_week", "month", "day_of_year", "trend", "series")


@dataclass
class XGBoostConfig:
    """Settings of the ``xgboost`` forecaster (``forecaster.xgboost.*``)."""

    #: Boosting rounds (trees).
    n_estimators: int = 300
    #: Maximum depth of each tree.
    max_depth: int = 6
    #: Shrinkage applied to each tree.
    learning_rate: float = 0.05
    #: Share of training rows sampled for each tree.
    subsample: float = 0.9
    #: Share of features sampled for each tree.
    colsample_bytree: float = 0.9
    #: Lags of y used as features; empty takes 1, 2, 7 and one season of the frequency.
    lags: list[int] = field(default_factory=list)
    #: Seed of the row and column sampling: the same seed and data give the same forecast.
    random_state: int = 0
    #: Threads XGBoost may use.
    n_jobs: int = 1


class XGBoostForecaster(Forecaster):
    """XGBoost on lags of y, day of week, month, day of year, a trend and the series' code.

    One model for all series (global); each series is scaled by its mean so large and
    small series share trees; the trees fit absolute error (:data:`OBJECTIVE`). Multi-step
    forecasts are recursive: step h feeds on the forecasts of steps < h, never on actuals
    from the forecast window. Deterministic for a fixed ``random_state``
    (``tree_method="hist"``). After fit, ``feature_importances_`` is a Series of gain
    importances (summing to 1) by feature name: lag_<k>, ..., day_of_week, ..., series.
    """

    def __init__(
        self,
        n_estimators: int = 300,
        max_depth: int = 6,
        learning_rate: float = 0.05,
        subsample: float = 0.9,
        colsample_bytree: float = 0.9,
        lags: list[int] | None = None,
        random_state: int = 0,
        n_jobs: int = 1,
    ) -> None:
        self.n_estimators = n_estimators
        self.max_depth = max_depth
        self.learning_rate = learning_rate
        self.subsample = subsample
        self.colsample_bytree = colsample_bytree
        self.lags = lags
        self.random_state = random_state
        self.n_jobs = n_jobs

    def _fit(self, frame: pd.DataFrame) -> None:
        lags = [int(lag) for lag in (self.lags or [1, 2, 7, season_length(self.freq_)])]
        if min(lags) < 1:
            raise ValueError(f"lags must be at least 1, got {sorted(lags)}")
        self.lags_ = sorted(set(lags))
        self.series_ = pd.Index(sorted(frame["series_id"].unique()), name="series_id")
        self.scale_ = frame.groupby("series_id")["y"].mean().abs().replace(0.0, 1.0)
        self.origin_ = pd.Timestamp(frame["ds"].min())
        design = self.features(frame)
        scaled = self._scaled(frame)
        self.model_ = XGBRegressor(
            n_estimators=int(self.n_estimators), max_depth=int(self.max_depth),
            learning_rate=float(self.learning_rate), subsample=float(self.subsample),
            colsample_bytree=float(self.colsample_bytree), random_state=int(self.random_state),
            n_jobs=int(self.n_jobs), tree_method="hist", objective=OBJECTIVE,
            min_child_weight=MIN_CHILD_WEIGHT,
        ).fit(design.to_numpy("float32"), scaled.to_numpy("float32"))
        self.feature_names_ = list(design.columns)
        self.feature_importances_ = pd.Series(
            self.model_.feature_importances_.astype("float64"), index=self.feature_names_,
            name="importance")
        # The last max(lags) scaled values of each series, left-padded with NaN (missing).
        depth = max(self.lags_)
        from_end = frame.groupby("series_id").cumcount(ascending=False).to_numpy()
        keep = from_end < depth
        self.history_ = np.full((len(self.series_), depth), np.nan)
        rows = self.series_.get_indexer(frame["series_id"][keep])
        self.history_[rows, depth - 1 - from_end[keep]] = scaled.to_numpy()[keep]

    def _scaled(self, frame: pd.DataFrame) -> pd.Series:
        """``y`` divided by its series' training mean (index kept)."""
        return frame["y"] / frame["series_id"].map(self.scale_).astype("float64")

    def _calendar(self, series_id: pd.Series, ds: pd.Series) -> pd.DataFrame:
        """The non-lag features (:data:`CALENDAR`) of rows given by series id and date."""
        ds = pd.to_datetime(ds)
        return pd.DataFrame({
            "day_of_week": ds.dt.day_of_week, "month": ds.dt.month,
            "day_of_year": ds.dt.day_of_year,
            "trend": (ds - self.origin_) / pd.Timedelta(days=365.25),
            "series": pd.Categorical(series_id, categories=self.series_).codes,
        }, index=series_id.index).astype("float64")

    def features(self, frame: pd.DataFrame) -> pd.DataFrame:
        """The design matrix of a tidy frame of fitted series, one row per row of ``frame``
        (same unique index): lags ``lag_<k>`` of the mean-scaled y within each series (NaN where
        the series has no value k rows earlier; XGBoost treats it as missing), then
        :data:`CALENDAR`. Uses only the rows given; scales come from fit."""
        order = frame.sort_values(["series_id", "ds"], kind="stable")
        grouped = self._scaled(order).groupby(order["series_id"], sort=False)
        lagged = pd.DataFrame({f"lag_{lag}": grouped.shift(lag) for lag in self.lags_})
        design = pd.concat([lagged, self._calendar(order["series_id"], order["ds"])], axis=1)
        return design.loc[frame.index]

    def _predict(self, future: pd.DataFrame) -> np.ndarray:
        """Recursive forecasts: each step's lags are read from a per-series buffer that
        holds the training tail followed by the forecasts of the earlier steps."""
        depth = max(self.lags_)
        steps = future["step"].to_numpy()
        rows = self.series_.get_indexer(future["series_id"])
        history = np.full((len(self.series_), depth + int(steps.max())), np.nan)
        history[:, :depth] = self.history_
        calendar = self._calendar(future["series_id"], future["ds"]).to_numpy()
        scaled = np.empty(len(future))
        for step in range(1, int(steps.max()) + 1):
            at = np.flatnonzero(steps == step)
            column = depth + step - 1  # where this step's forecast goes in the buffer
            lagged = history[rows[at][:, None], column - np.asarray(self.lags_)]
            design = np.hstack([lagged, calendar[at]]).astype("float32")
            forecast = self.model_.predict(design)
            history[rows[at], column] = forecast
            scaled[at] = forecast
        return scaled * future["series_id"].map(self.scale_).to_numpy("float64")
