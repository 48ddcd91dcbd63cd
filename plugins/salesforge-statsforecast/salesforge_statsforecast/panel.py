"""The base of every statsforecast forecaster: the whole panel in one ``StatsForecast`` call.

statsforecast fits each series alone but takes the panel as one frame and runs its
compiled models over it (in ``n_jobs`` processes); salesforge's tidy frame is handed over
once, never series by series in a Python loop. statsforecast is imported the first time a
model is fitted, never when salesforge discovers the plugin.

Saving: statsforecast's fitted models are Python objects that only pickle could store, and
salesforge never pickles. A saved model therefore holds what the fit is a deterministic
function of: the settings and the training values (``y_``, written as a ``.npy`` file with
``allow_pickle=False``; the file's SHA-256 is checked by salesforge before loading). The first
forecast of a loaded model refits statsforecast on them, which gives the same forecasts as
before saving; the statsforecast version must then match the one it was fitted with.
"""

from __future__ import annotations

import multiprocessing
import os
from abc import abstractmethod
from importlib.metadata import version
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from salesforge.base.forecaster import Forecaster
from salesforge.errors import ConfigError
from salesforge.forecast.seasonality import season_length

#: The column statsforecast names after the model (its ``alias``).
ALIAS = "model"
__all__ = ["ALIAS", "StatsForecastForecaster"]


def _minor(text: str) -> tuple[str, ...]:
    return tuple(text.split(".")[:2])


class StatsForecastForecaster(Forecaster):
    """One statsforecast model fitted to every series of the panel at once.

    Subclasses write :meth:`_model` (a fresh statsforecast model for a season length) and
    set ``own_intervals`` when the model has prediction intervals of its own (the forecast
    stage then reports those; otherwise it calibrates intervals from backtest residuals).
    A series the model cannot fit (AutoETS, AutoTheta and MSTL refuse a handful of values)
    is forecast by its last value (statsforecast's ``Naive`` as the fallback model), with
    Naive's intervals.
    Settings every subclass has: ``season_length`` (0 = one season of the frequency, e.g.
    52 for weekly data) where the model is seasonal, and ``n_jobs`` (processes for
    statsforecast; -1 = every core, 1 in a daemonic worker process that may not start any).
    """

    #: The model gives its own prediction intervals (``StatsForecast.predict(level=...)``).
    own_intervals: ClassVar[bool] = False
    native_attributes: ClassVar[tuple[str, ...]] = ("y_",)

    @abstractmethod
    def _model(self, season_length: int) -> Any:
        """A fresh, unfitted statsforecast model with ``alias=ALIAS``."""

    # fitting ----------------------------------------------------------------------------

    def _fit(self, frame: pd.DataFrame) -> None:
        self.series_ = pd.Index(self.last_ds_.index, name="series_id")  # sorted, as frame
        self.sizes_ = frame.groupby("series_id", sort=True)["y"].size().to_numpy("int64")
        self.y_ = frame["y"].to_numpy("float64")
        self.season_length_ = self._season_length()
        self.statsforecast_version_ = version("statsforecast")
        self._refit()

    def _season_length(self) -> int:
        """The ``season_length`` setting, or one season of the frequency when it is 0."""
        setting = int(getattr(self, "season_length", 0) or 0)
        if setting < 0:
            raise ValueError(f"season_length must be 0 (from the frequency) or more, "
                             f"got {setting}")
        return setting or season_length(self.freq_)

    def _jobs(self) -> int:
        """Processes statsforecast may start: ``n_jobs`` (-1 = every core), but 1 inside a
        daemonic process (a Dask or multiprocessing worker), which may not have children."""
        n_jobs = int(getattr(self, "n_jobs", 1))
        if n_jobs == 0 or n_jobs < -1:
            raise ValueError(f"n_jobs must be -1 (every core) or at least 1, got {n_jobs}")
        if multiprocessing.current_process().daemon:
            return 1
        wanted = (os.cpu_count() or 1) if n_jobs == -1 else n_jobs
        return max(1, min(wanted, len(self.sizes_)))

    def _panel(self) -> pd.DataFrame:
        """The training values as statsforecast's long frame: ``unique_id`` the series'
        position in ``series_`` and ``ds`` the period's position in its series (integer
        time, ``freq=1``: the models use the order of values, never the dates)."""
        codes = np.repeat(np.arange(len(self.sizes_)), self.sizes_)
        starts = np.repeat(np.cumsum(self.sizes_) - self.sizes_, self.sizes_)
        return pd.DataFrame({"unique_id": codes, "ds": np.arange(len(codes)) - starts,
                             "y": self.y_})

    def _refit(self) -> None:
        """Fit statsforecast on ``y_`` (after ``fit``, or on the first forecast of a loaded
        model); the forecast cache is emptied."""
        installed = version("statsforecast")
        if _minor(installed) != _minor(self.statsforecast_version_):
            raise ConfigError(
                f"this {type(self).__name__} was fitted with statsforecast "
                f"{self.statsforecast_version_} but this environment has {installed}; "
                f"install statsforecast=={self.statsforecast_version_} or retrain with "
                "salesforge run.")
        from statsforecast import StatsForecast
        from statsforecast.models import Naive

        fitted = StatsForecast(models=[self._model(self.season_length_)], freq=1,
                               n_jobs=self._jobs(), fallback_model=Naive(alias=ALIAS))
        self._statsforecast = fitted.fit(self._panel())
        # The fitted models are all in this process now: forecasting them is cheap, and
        # in-process it spares a pool of processes and shipping the models to it.
        self._statsforecast.n_jobs = 1
        self._forecasts: dict[tuple[int, tuple[int, ...]], pd.DataFrame] = {}

    # forecasting ------------------------------------------------------------------------

    def _forecast(self, horizon: int, percents: tuple[int, ...]) -> pd.DataFrame:
        """statsforecast's forecast of ``horizon`` steps (and bounds at ``percents``),
        ``n_series * horizon`` rows in ``series_`` then step order; cached per call."""
        if getattr(self, "_statsforecast", None) is None:
            self._refit()
        key = (horizon, percents)
        if key not in self._forecasts:
            out = self._statsforecast.predict(h=horizon, level=list(percents) or None)
            out = out.sort_values(["unique_id", "ds"], kind="stable").reset_index(drop=True)
            expected = np.repeat(np.arange(len(self.sizes_)), horizon)
            if not np.array_equal(out["unique_id"].to_numpy(), expected):
                raise RuntimeError("statsforecast returned forecasts for other series than "
                                   "it was fitted on")
            self._forecasts = {key: out}  # only the latest: predict_interval then predict
        return self._forecasts[key]

    def _cells(self, future: pd.DataFrame) -> np.ndarray:
        """Row of each ``future`` row (series_id, step) in a :meth:`_forecast` frame."""
        horizon = int(future["step"].max())
        rows = self.series_.get_indexer(future["series_id"])
        return rows * horizon + future["step"].to_numpy("int64") - 1

    def _predict(self, future: pd.DataFrame) -> np.ndarray:
        horizon = int(future["step"].max())
        cached = [key for key in getattr(self, "_forecasts", {}) if key[0] == horizon]
        out = self._forecast(horizon, cached[0][1] if cached else ())
        return out[ALIAS].to_numpy("float64")[self._cells(future)]

    def _predict_interval(self, future: pd.DataFrame, levels: list[float]
                          ) -> dict[float, tuple[np.ndarray, np.ndarray]] | None:
        if not self.own_intervals or not levels:
            return None
        percents = tuple(sorted({round(float(level) * 100) for level in levels}))
        out = self._forecast(int(future["step"].max()), percents)
        cells = self._cells(future)
        bounds = {}
        for level in levels:
            pct = round(float(level) * 100)
            bounds[level] = (out[f"{ALIAS}-lo-{pct}"].to_numpy("float64")[cells],
                             out[f"{ALIAS}-hi-{pct}"].to_numpy("float64")[cells])
        return bounds

    # saving -----------------------------------------------------------------------------

    def _save_native(self, name: str, value: Any, folder: Path) -> str:
        """The training values as a ``.npy`` array (``allow_pickle=False``)."""
        file = f"{name.rstrip('_')}.npy"
        np.save(folder / file, np.asarray(value, dtype="float64"), allow_pickle=False)
        return file

    def _load_native(self, name: str, folder: Path, file: str) -> Any:
        return np.load(folder / file, allow_pickle=False)
