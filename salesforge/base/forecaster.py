"""Forecasters learn from tidy series and predict the next ``horizon`` periods.

The tidy frame has one row per series and period: ``series_id`` (str), ``ds``
(timestamp at the series frequency) and ``y`` (float). Grouping, backtesting and
intervals belong to the forecast stage, not to models.
"""

from __future__ import annotations

from abc import abstractmethod
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from salesforge.base.component import Component

SERIES_COLUMNS = ("series_id", "ds", "y")


class Forecaster(Component):
    """Template: public :meth:`fit`/:meth:`predict` validate, subclasses write
    ``_fit(frame)`` and ``_predict(future) -> array``.

    Optional extras a subclass may provide:

    * ``search_space``: parameter -> Optuna distribution spec used by ``tuning.enabled``,
      ``{"type": "int"|"float", "low": a, "high": b, "log": bool}`` or
      ``{"type": "categorical", "choices": [...]}``;
    * ``feature_importances_`` (a Series by feature name) after fit;
    * ``_predict_interval(future, levels)`` for model-own prediction intervals (else the
      stage adds conformal intervals from backtest residuals);
    * ``native_attributes`` with ``_save_native``/``_load_native`` for fitted objects that
      have their own safe file format (XGBoost JSON, Prophet JSON); everything else is
      saved by :mod:`salesforge.forecast.persistence`;
    * ``fitted_attributes``: names of fitted attributes holding settings chosen from the
      data, reported in ``manifest.forecast.fitted``;
    * ``contract_settings``: dicts of non-default settings the contract suite
      (:mod:`salesforge.contract`) also checks the model with;
    * ``supports_exog = True`` when ``_fit``/``_predict`` use covariates: then every frame
      column beyond series_id, ds, y is a covariate (``exog_`` lists them after fit) and
      ``future`` carries their values; other models never see those columns.
    """

    search_space: ClassVar[dict[str, dict[str, Any]]] = {}
    native_attributes: ClassVar[tuple[str, ...]] = ()
    #: Fitted attributes holding settings the fit chose from the data (the window median's
    #: ``window_``); the forecast stage copies them into ``manifest.forecast.fitted``.
    fitted_attributes: ClassVar[tuple[str, ...]] = ()
    supports_exog: ClassVar[bool] = False
    #: True when each series is fitted alone (no state shared across series): the forecast
    #: stage may then fit groups of series in separate tasks and join the fitted parts.
    per_series: ClassVar[bool] = False

    def fit(self, frame: pd.DataFrame, freq: str) -> Forecaster:
        """Learn from ``frame`` (columns series_id, ds, y; no missing y) at ``freq``."""
        missing = [c for c in SERIES_COLUMNS if c not in frame.columns]
        if missing:
            raise ValueError(f"{type(self).__name__}.fit needs columns {missing}")
        if frame.empty:
            raise ValueError(f"{type(self).__name__}.fit got no rows")
        if frame["y"].isna().any():
            raise ValueError(f"{type(self).__name__}.fit got missing y values")
        extra = [c for c in frame.columns if c not in SERIES_COLUMNS]
        self.exog_ = extra if self.supports_exog else []
        if self.exog_ and frame[self.exog_].isna().any().any():
            raise ValueError(f"{type(self).__name__}.fit got missing covariate values")
        frame = frame[[*SERIES_COLUMNS, *self.exog_]]
        frame = frame.sort_values(["series_id", "ds"], kind="stable").reset_index(drop=True)
        self.freq_ = freq
        self.last_ds_ = frame.groupby("series_id", sort=True)["ds"].max()
        self._fit(frame)
        return self

    def predict(self, horizon: int, exog: pd.DataFrame | None = None) -> pd.DataFrame:
        """The next ``horizon`` periods of every fitted series: series_id, ds, y_pred.

        ``exog`` (series_id, ds and the covariates) gives their future values; a model
        fitted with covariates (``exog_``) needs it, others ignore it."""
        self._check_fitted()
        if int(horizon) < 1:
            raise ValueError(f"horizon must be at least 1, got {horizon}")
        future = self._future_with_exog(int(horizon), exog)
        y_pred = np.asarray(self._predict(future), dtype="float64")
        if y_pred.shape != (len(future),):
            raise ValueError(
                f"{type(self).__name__}._predict returned shape {y_pred.shape}, "
                f"expected ({len(future)},)"
            )
        return future.drop(columns=self._exog_names()).assign(y_pred=y_pred)

    def predict_interval(self, horizon: int, levels: list[float],
                         exog: pd.DataFrame | None = None) -> pd.DataFrame | None:
        """Like :meth:`predict` plus ``y_lo_<pct>``/``y_hi_<pct>`` per level in (0, 1), or
        ``None`` when the model has no intervals of its own."""
        self._check_fitted()
        future = self._future_with_exog(int(horizon), exog)
        bounds = self._predict_interval(future, list(levels))
        if bounds is None:
            return None
        y_pred = np.asarray(self._predict(future), dtype="float64")
        out = future.drop(columns=self._exog_names()).assign(y_pred=y_pred)
        for level, (lower, upper) in bounds.items():
            pct = round(level * 100)
            out[f"y_lo_{pct}"] = np.asarray(lower, dtype="float64")
            out[f"y_hi_{pct}"] = np.asarray(upper, dtype="float64")
        return out

    def _predict_interval(self, future: pd.DataFrame,
                          levels: list[float]) -> dict[float, tuple[np.ndarray, np.ndarray]] | None:
        """Model-own interval bounds per level; ``None`` (the default): no own intervals."""
        return None

    def _save_native(self, name: str, value: Any, folder: Path) -> str:
        """Save fitted attribute ``name`` in a native safe format; return the file name."""
        raise NotImplementedError(f"{type(self).__name__} cannot save {name}")

    def _load_native(self, name: str, folder: Path, file: str) -> Any:
        """Load the fitted attribute ``name`` written by :meth:`_save_native`."""
        raise NotImplementedError(f"{type(self).__name__} cannot load {name}")

    def _exog_names(self) -> list[str]:
        return list(getattr(self, "exog_", None) or [])

    def _future_with_exog(self, horizon: int, exog: pd.DataFrame | None) -> pd.DataFrame:
        """:meth:`future_frame` plus the covariates the model was fitted on, from ``exog``;
        ``ValueError`` naming the first missing covariate, series and period."""
        future = self.future_frame(horizon)
        names = self._exog_names()
        if not names:
            return future
        if exog is None:
            raise ValueError(f"{type(self).__name__} was fitted with covariates "
                             f"{', '.join(names)}; predict needs their future values (exog=)")
        lacking = [c for c in ("series_id", "ds", *names) if c not in exog.columns]
        if lacking:
            raise ValueError(f"the future covariates lack column {lacking[0]!r}")
        values = exog[["series_id", "ds", *names]].drop_duplicates(["series_id", "ds"])
        merged = future.merge(values.astype({"series_id": future["series_id"].dtype}),
                              on=["series_id", "ds"], how="left")
        gaps = merged[names].isna()
        if gaps.any().any():
            row = merged[gaps.any(axis=1)].iloc[0]
            column = next(c for c in names if pd.isna(row[c]))
            raise ValueError(f"no future value of covariate {column!r} for series "
                             f"{row['series_id']!r} in the period {row['ds'].date()}")
        return merged

    def future_frame(self, horizon: int) -> pd.DataFrame:
        """series_id, ds and step (1..horizon) for the periods after each series' end."""
        offset = pd.tseries.frequencies.to_offset(self.freq_)
        ends, which = np.unique(self.last_ds_.to_numpy(), return_inverse=True)
        dates = np.stack([pd.date_range(pd.Timestamp(end) + offset, periods=horizon,
                                        freq=offset).to_numpy() for end in ends])
        return pd.DataFrame({
            "series_id": np.repeat(self.last_ds_.index.to_numpy(dtype=object), horizon),
            "ds": dates[which.ravel()].ravel(),
            "step": np.tile(np.arange(1, horizon + 1), len(self.last_ds_)),
        })

    @abstractmethod
    def _fit(self, frame: pd.DataFrame) -> None:
        """Learn from the sorted, validated frame."""

    @abstractmethod
    def _predict(self, future: pd.DataFrame) -> np.ndarray:
        """Point forecasts for each row of ``future`` (series_id, ds, step)."""
