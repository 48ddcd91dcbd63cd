"""A global model on lags and calendar terms that forecasts recursively.

Subclasses only choose the regressor (:meth:`GlobalLagForecaster._regressor`); the
design matrix, the per-series scaling and the recursive multi-step loop live here.
"""

from __future__ import annotations

from abc import abstractmethod
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from salesforge.base.forecaster import Forecaster
from salesforge.forecast.seasonality import season_length

#: Features after the lags, in design-matrix order.
CALENDAR = ("day_of_week", "month", "day_of_year", "trend", "series")


def default_lags(freq: str) -> list[int]:
    """1, 2, 7 and one season of ``freq`` (7 only for daily-like data)."""
    m = season_length(freq)
    return sorted({1, 2, m} | ({7} if m in (5, 7) else set()))


class GlobalLagForecaster(Forecaster):
    """One regressor for all series (series code as a feature) on mean-scaled lags of y,
    day of week, month, day of year, a trend in years and the covariates of
    ``forecast.exog`` (``exog_<name>``, as given); the regressor must accept NaN (a lag
    before the series' start).

    Each series is divided by its training mean so large and small series share the
    model. Forecasts are recursive: step h reads lags from a buffer holding the training
    tail and the forecasts of steps < h, never actuals from the forecast window. After
    fit, ``feature_names_`` lists the design columns and ``feature_importances_`` is a
    Series by name (summing to 1) when the regressor has native importances.
    """

    supports_exog: ClassVar[bool] = True

    @abstractmethod
    def _regressor(self, n_rows: int = 0) -> Any:
        """A fresh unfitted scikit-learn style regressor for ``n_rows`` training rows."""

    def _fit(self, frame: pd.DataFrame) -> None:
        lags = [int(lag) for lag in (self.lags or self._default_lags())]
        if min(lags) < 1:
            raise ValueError(f"lags must be at least 1, got {sorted(lags)}")
        self.lags_ = sorted(set(lags))
        self.series_ = pd.Index(sorted(frame["series_id"].unique()), name="series_id")
        self.scale_ = frame.groupby("series_id")["y"].mean().abs().replace(0.0, 1.0)
        self.origin_ = pd.Timestamp(frame["ds"].min())
        design = self.features(frame)
        scaled = self._scaled(frame)
        self.model_ = self._regressor(len(design)).fit(design.to_numpy("float32"),
                                            scaled.to_numpy("float32"))
        self.feature_names_ = list(design.columns)
        native = getattr(self.model_, "feature_importances_", None)
        if native is not None:
            values = np.asarray(native, dtype="float64")
            total = values.sum()
            self.feature_importances_ = pd.Series(
                values / total if total > 0 else values, index=self.feature_names_,
                name="importance")
        # The last max(lags) scaled values of each series, left-padded with NaN (missing).
        depth = max(self.lags_)
        from_end = frame.groupby("series_id").cumcount(ascending=False).to_numpy()
        keep = from_end < depth
        self.history_ = np.full((len(self.series_), depth), np.nan)
        rows = self.series_.get_indexer(frame["series_id"][keep])
        self.history_[rows, depth - 1 - from_end[keep]] = scaled.to_numpy()[keep]

    def expected_features(self) -> list[str]:
        """The design columns this code builds for the fitted lags."""
        return [f"lag_{lag}" for lag in self.lags_] + list(CALENDAR) + [
            f"exog_{name}" for name in self._exog_names()]

    def _default_lags(self) -> list[int]:
        """Lags used when the ``lags`` setting is empty."""
        return default_lags(self.freq_)

    def _scaled(self, frame: pd.DataFrame) -> pd.Series:
        """``y`` divided by its series' training mean (index kept)."""
        return frame["y"] / frame["series_id"].map(self.scale_).astype("float64")

    def _covariates(self, rows: pd.DataFrame) -> pd.DataFrame:
        """:data:`CALENDAR` then ``exog_<name>`` of rows with series_id, ds and covariates."""
        calendar = self._calendar(rows["series_id"], rows["ds"])
        names = self._exog_names()
        if not names:
            return calendar
        exog = rows[names].astype("float64").rename(columns=lambda c: f"exog_{c}")
        return pd.concat([calendar, exog], axis=1)

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
        (same unique index): lags ``lag_<k>`` of the mean-scaled y within each series (NaN
        where the series has no value k rows earlier), then :data:`CALENDAR`. Uses only
        the rows given; scales come from fit. Covariates (``exog_``) follow the calendar."""
        order = frame.sort_values(["series_id", "ds"], kind="stable")
        grouped = self._scaled(order).groupby(order["series_id"], sort=False)
        lagged = pd.DataFrame({f"lag_{lag}": grouped.shift(lag) for lag in self.lags_})
        design = pd.concat([lagged, self._covariates(order)], axis=1)
        return design.loc[frame.index]

    def _predict(self, future: pd.DataFrame) -> np.ndarray:
        """Recursive forecasts: each step's lags are read from a per-series buffer that
        holds the training tail followed by the forecasts of the earlier steps."""
        depth = max(self.lags_)
        steps = future["step"].to_numpy()
        rows = self.series_.get_indexer(future["series_id"])
        history = np.full((len(self.series_), depth + int(steps.max())), np.nan)
        history[:, :depth] = self.history_
        calendar = self._covariates(future).to_numpy()
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
