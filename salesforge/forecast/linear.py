"""A global ridge regression on the lag model's features."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
import pandas as pd
from sklearn.linear_model import Ridge
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import StandardScaler

from salesforge.forecast.lag_model import GlobalLagForecaster, LagModelConfig
from salesforge.forecast.lag_target import forward

#: Above this many series the one-hot series terms (a dense column per series) are left
#: out: the per-series scaling alone carries each series' level.
MAX_SERIES_DUMMIES = 200


@dataclass
class LinearConfig(LagModelConfig):
    """Settings of the ``linear`` forecaster (``forecaster.linear.*``)."""

    #: Ridge penalty.
    alpha: float = 1.0
    #: log1p: a linear model of log sales (multiplicative effects, spikes damped).
    target_transform: str = "log1p"
    #: series: a linear recursion on ratios to a moving level (window) is unstable.
    normalize: str = "series"


@dataclass(eq=False)
class LinearForecaster(GlobalLagForecaster, LinearConfig):
    """Ridge regression on the standardised features of
    :class:`~salesforge.forecast.lag_model.GlobalLagForecaster`, encoded for a linear
    model: missing history values filled with the row's newest rolling mean (the series'
    level where it has none), day-of-week dummies (daily data), month dummies (a year or
    more of history: ``calendar_``), series dummies (up to :data:`MAX_SERIES_DUMMIES`
    series), the trend, holiday counts and covariates as they are; week and day of year
    are left out (the seasonal lags carry the season).

    One model for all series (global), each series scaled by its recent level.
    ``feature_importances_`` are the absolute standardised coefficients (summing to 1;
    averaged over the models of ``strategy=direct``). A linear recursion can diverge;
    the guard (``guard``) stops it (see ``clipped_`` and ``diverged_series_``).
    """

    search_space: ClassVar[dict[str, dict[str, Any]]] = {
        "alpha": {"type": "float", "low": 1e-3, "high": 100.0, "log": True},
    }

    def _regressor(self, n_rows: int = 0) -> Pipeline:
        return make_pipeline(StandardScaler(), Ridge(alpha=float(self.alpha)))

    def _fit(self, frame: pd.DataFrame) -> None:
        self.use_series_ = frame["series_id"].nunique() <= MAX_SERIES_DUMMIES
        super()._fit(frame)
        weights = np.mean([np.abs(model[-1].coef_) for model in self._models()], axis=0)
        total = weights.sum()
        self.feature_importances_ = pd.Series(weights / total if total > 0 else weights,
                                              index=self.feature_names_, name="importance")

    def _encoded_names(self, names: list[str]) -> list[str]:
        out = []
        for name in names:
            if name == "day_of_week":
                out += [f"day_of_week_{d}" for d in range(1, 7)]
            elif name == "month":
                out += [f"month_{m}" for m in range(2, 13)]
            elif name == "series":
                out += [f"series_{sid}" for sid in self.series_[1:]] if self.use_series_ \
                    else []
            elif name not in ("week_of_year", "day_of_year"):
                out.append(name)
        return out

    def _encode(self, design: np.ndarray) -> np.ndarray:
        names = self.raw_features()
        level = np.full(len(design), forward(np.ones(1), self.target_transform)[0],
                        dtype="float32")
        for w in sorted(self.windows_, reverse=True):  # the newest level known
            mean = design[:, names.index(f"mean_{w}")]
            level = np.where(np.isnan(mean), level, mean)
        parts = []
        for j, name in enumerate(names):
            column = design[:, j]
            if name.startswith(("lag_", "mean_", "season_mean")):
                parts.append(np.where(np.isnan(column), level, column)[:, None])
            elif name.startswith("std_"):
                parts.append(np.nan_to_num(column)[:, None])
            elif name == "day_of_week":
                parts.append(np.eye(7, dtype="float32")[column.astype(int)][:, 1:])
            elif name == "month":
                parts.append(np.eye(12, dtype="float32")[column.astype(int) - 1][:, 1:])
            elif name == "series":
                if self.use_series_:
                    eye = np.eye(len(self.series_), dtype="float32")
                    parts.append(eye[column.astype(int)][:, 1:])
            elif name not in ("week_of_year", "day_of_year"):
                parts.append(np.nan_to_num(column)[:, None])
        return np.hstack(parts)
