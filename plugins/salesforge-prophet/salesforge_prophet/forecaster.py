"""Prophet per series, with a country's holidays, its own prediction intervals and JSON
persistence."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from salesforge.base.forecaster import Forecaster

#: Prophet components whose spread over the training history measures their importance.
COMPONENTS = ("trend", "weekly", "yearly", "holidays")


def _quiet() -> None:
    """Keep Stan's per-fit INFO lines and prophet's plotly notice out of the run log."""
    for name in ("cmdstanpy", "prophet", "prophet.plot"):
        logging.getLogger(name).setLevel(logging.WARNING)
    try:  # cmdstanpy resets its logger to DEBUG the first time it is asked for it
        from cmdstanpy.utils import get_logger
    except ImportError:
        return
    get_logger().setLevel(logging.WARNING)


@dataclass
class ProphetConfig:
    """Settings of the ``prophet`` forecaster (``forecaster.prophet.*``)."""

    #: Country whose public holidays become effects (holidays package code, e.g. ID, US);
    #: null = no holidays.
    country_holidays: str | None = "ID"
    #: additive or multiplicative seasonality.
    seasonality_mode: str = "additive"
    #: Flexibility of the trend: larger follows changes faster.
    changepoint_prior_scale: float = 0.05
    #: Strength of the seasonal components.
    seasonality_prior_scale: float = 10.0
    #: Strength of the holiday effects.
    holidays_prior_scale: float = 10.0
    #: Samples drawn for the prediction intervals (more = smoother bounds, slower).
    uncertainty_samples: int = 300
    #: Seed of the interval sampling: the same seed and data give the same bounds.
    random_state: int = 0


@dataclass(eq=False)
class ProphetForecaster(Forecaster, ProphetConfig):
    """One Prophet model per series (trend, weekly and yearly seasonality, the holidays of
    ``country_holidays``), with Prophet's own prediction intervals; the covariates of
    ``forecast.exog`` enter as extra regressors (``add_regressor``, standardised by Prophet).

    Unlike the global models it is local: each series is fitted alone. Forecasts never see
    actuals after the training end. ``feature_importances_`` is the share of each
    component's spread (standard deviation over the training history), averaged across
    series. Fitted models are saved with Prophet's JSON serialisation.
    """

    search_space: ClassVar[dict[str, dict[str, Any]]] = {
        "changepoint_prior_scale": {"type": "float", "low": 0.001, "high": 0.5, "log": True},
        "seasonality_prior_scale": {"type": "float", "low": 0.01, "high": 10.0, "log": True},
        "holidays_prior_scale": {"type": "float", "low": 0.01, "high": 10.0, "log": True},
        "seasonality_mode": {"type": "categorical", "choices": ["additive", "multiplicative"]},
    }
    native_attributes: ClassVar[tuple[str, ...]] = ("models_",)
    supports_exog: ClassVar[bool] = True
    per_series: ClassVar[bool] = True  # one Prophet model per series

    def _prophet(self) -> Any:
        _quiet()  # before the import too: prophet.plot logs an error when plotly is absent
        from prophet import Prophet

        _quiet()  # after the import: cmdstanpy sets its logger up when imported
        if self.seasonality_mode not in ("additive", "multiplicative"):
            raise ValueError(f"seasonality_mode must be additive or multiplicative, "
                             f"not {self.seasonality_mode!r}")
        model = Prophet(
            seasonality_mode=self.seasonality_mode,
            changepoint_prior_scale=float(self.changepoint_prior_scale),
            seasonality_prior_scale=float(self.seasonality_prior_scale),
            holidays_prior_scale=float(self.holidays_prior_scale),
            uncertainty_samples=int(self.uncertainty_samples), daily_seasonality=False)
        if self.country_holidays:
            model.add_country_holidays(country_name=str(self.country_holidays))
        for name in self._exog_names():
            model.add_regressor(name)
        return model

    def _fit(self, frame: pd.DataFrame) -> None:
        self.models_: dict[str, Any] = {}
        spreads = []
        names = self._exog_names()
        for sid, rows in frame.groupby("series_id", sort=True):
            model = self._prophet().fit(rows[["ds", "y", *names]].reset_index(drop=True))
            self.models_[str(sid)] = model
            fitted = self._point(model, rows[["ds", *names]].reset_index(drop=True))
            spreads.append(pd.Series({c: float(fitted[c].std()) for c in COMPONENTS
                                      if c in fitted}))
            if names:  # the covariates' joint effect
                spreads[-1]["exogenous"] = float(fitted[list(names)].to_numpy().sum(axis=1).std())
        spread = pd.concat(spreads, axis=1).mean(axis=1).fillna(0.0)
        total = spread.sum()
        self.feature_importances_ = (spread / total if total > 0 else spread).rename(
            "importance")

    @staticmethod
    def _point(model: Any, dates: pd.DataFrame) -> pd.DataFrame:
        """Prophet's prediction frame without the (slow) uncertainty sampling."""
        samples, model.uncertainty_samples = model.uncertainty_samples, 0
        try:
            return model.predict(dates)
        finally:
            model.uncertainty_samples = samples

    def _dates(self, future: pd.DataFrame, rows: np.ndarray) -> pd.DataFrame:
        """Prophet's future frame: ``ds`` and the covariates of the given rows."""
        columns = ["ds", *self._exog_names()]
        return pd.DataFrame({c: future[c].to_numpy()[rows] for c in columns})

    def _predict(self, future: pd.DataFrame) -> np.ndarray:
        out = np.empty(len(future))
        for sid, rows in future.groupby("series_id", sort=False).indices.items():
            dates = self._dates(future, rows)
            out[rows] = self._point(self.models_[str(sid)], dates)["yhat"].to_numpy()
        return out

    def _predict_interval(self, future: pd.DataFrame, levels: list[float]
                          ) -> dict[float, tuple[np.ndarray, np.ndarray]] | None:
        """Quantiles of Prophet's predictive samples (trend changes and noise)."""
        if int(self.uncertainty_samples) < 1:
            return None
        bounds = {level: (np.empty(len(future)), np.empty(len(future))) for level in levels}
        for sid, rows in future.groupby("series_id", sort=False).indices.items():
            dates = self._dates(future, rows)
            state = np.random.get_state()
            np.random.seed(int(self.random_state))
            try:
                samples = self.models_[str(sid)].predictive_samples(dates)["yhat"]
            finally:
                np.random.set_state(state)
            for level, (lower, upper) in bounds.items():
                lower[rows] = np.quantile(samples, (1 - level) / 2, axis=1)
                upper[rows] = np.quantile(samples, (1 + level) / 2, axis=1)
        return bounds

    def _save_native(self, name: str, value: Any, folder: Path) -> str:
        """Every series' model with Prophet's JSON serialisation."""
        from prophet.serialize import model_to_json

        file = "prophet_models.json"
        (folder / file).write_text(json.dumps({sid: model_to_json(m) for sid, m in value.items()}),
                                   encoding="utf-8")
        return file

    def _load_native(self, name: str, folder: Path, file: str) -> Any:
        from prophet.serialize import model_from_json

        stored = json.loads((folder / file).read_text(encoding="utf-8"))
        return {sid: model_from_json(text) for sid, text in stored.items()}
