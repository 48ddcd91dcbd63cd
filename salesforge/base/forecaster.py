"""Forecasters learn from tidy series and predict the next ``horizon`` periods.

The tidy frame has one row per series and period: ``series_id`` (str), ``ds``
(timestamp at the series frequency) and ``y`` (float). Grouping, backtesting and
intervals belong to the forecast stage, not to models.
"""

from __future__ import annotations

from abc import abstractmethod

import numpy as np
import pandas as pd

from salesforge.base.component import Component

SERIES_COLUMNS = ("series_id", "ds", "y")


class Forecaster(Component):
    """Template: public :meth:`fit`/:meth:`predict` validate, subclasses write
    ``_fit(frame)`` and ``_predict(future) -> array``."""

    def fit(self, frame: pd.DataFrame, freq: str) -> Forecaster:
        """Learn from ``frame`` (columns series_id, ds, y; no missing y) at ``freq``."""
        missing = [c for c in SERIES_COLUMNS if c not in frame.columns]
        if missing:
            raise ValueError(f"{type(self).__name__}.fit needs columns {missing}")
        if frame.empty:
            raise ValueError(f"{type(self).__name__}.fit got no rows")
        if frame["y"].isna().any():
            raise ValueError(f"{type(self).__name__}.fit got missing y values")
        frame = frame.sort_values(["series_id", "ds"], kind="stable").reset_index(drop=True)
        self.freq_ = freq
        self.last_ds_ = frame.groupby("series_id", sort=True)["ds"].max()
        self._fit(frame)
        return self

    def predict(self, horizon: int) -> pd.DataFrame:
        """The next ``horizon`` periods of every fitted series: series_id, ds, y_pred."""
        self._check_fitted()
        if int(horizon) < 1:
            raise ValueError(f"horizon must be at least 1, got {horizon}")
        future = self.future_frame(int(horizon))
        y_pred = np.asarray(self._predict(future), dtype="float64")
        if y_pred.shape != (len(future),):
            raise ValueError(
                f"{type(self).__name__}._predict returned shape {y_pred.shape}, "
                f"expected ({len(future)},)"
            )
        return future.assign(y_pred=y_pred)

    def future_frame(self, horizon: int) -> pd.DataFrame:
        """series_id, ds and step (1..horizon) for the periods after each series' end."""
        offset = pd.tseries.frequencies.to_offset(self.freq_)
        parts = [
            pd.DataFrame({
                "series_id": sid,
                "ds": pd.date_range(last + offset, periods=horizon, freq=offset),
                "step": np.arange(1, horizon + 1),
            })
            for sid, last in self.last_ds_.items()
        ]
        return pd.concat(parts, ignore_index=True)

    @abstractmethod
    def _fit(self, frame: pd.DataFrame) -> None:
        """Learn from the sorted, validated frame."""

    @abstractmethod
    def _predict(self, future: pd.DataFrame) -> np.ndarray:
        """Point forecasts for each row of ``future`` (series_id, ds, step)."""
