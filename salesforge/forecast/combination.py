"""The ``combination`` forecaster: the median, or a mean weighted by inverse backtest
metric, of the forecasts of the run's other forecasters.

It is never fitted on data: the forecast stage builds it from its members' backtest
predictions (window by window, so it is scored on exactly the same windows without a
refit) and from their future forecasts. Weights of backtest window k come from the
members' metric on the *other* windows (out of sample, like the cross-conformal
intervals); the future forecast's weights from every window.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import ClassVar

import numpy as np
import pandas as pd

from salesforge.base.forecaster import Forecaster

METHODS = ("median", "weighted")
#: Metrics below this are treated as this when inverted (a perfect member does not take
#: every weight through a division by zero).
SMALLEST_METRIC = 1e-9


@dataclass
class CombinationConfig:
    """Settings of the ``combination`` forecaster (``forecaster.combination.*``)."""

    #: ``median`` of the members' forecasts, or ``weighted``: their mean weighted by the
    #: inverse of each member's backtest metric.
    method: str = "median"
    #: Forecasters combined; empty = every other selected forecaster of the run.
    members: list[str] = field(default_factory=list)
    #: Metric whose inverse weights the members (``weighted``); null = forecast.metric.
    metric: str | None = None


@dataclass(eq=False)
class CombinationForecaster(Forecaster, CombinationConfig):
    """The median or inverse-metric weighted mean of other forecasters' forecasts.

    Fitted attributes, set through :meth:`set_members` by the forecast stage's
    ``combination_outcome``: ``members_`` (names), ``weights_`` (name -> weight of the
    future forecast; equal for ``median``).
    """

    #: Built from other forecasters' forecasts by the forecast stage, never fitted on data.
    combines_forecasts: ClassVar[bool] = True

    def set_members(self, names: list[str], weights: dict[str, float]) -> None:
        """Fit from the members' outcomes: their names and the weight of each."""
        self.members_ = list(names)
        self.weights_ = dict(weights)

    def _fit(self, frame: pd.DataFrame) -> None:
        raise ValueError("the combination forecaster combines the forecasts of the run's "
                         "other forecasters; select it with them, e.g. "
                         "forecaster=[seasonal_naive,linear,combination]")

    def _predict(self, future: pd.DataFrame) -> np.ndarray:
        raise ValueError("the combination forecaster predicts by combining its members' "
                         "forecasts (see CombinationForecaster.combine)")

    def check_method(self) -> str:
        """``method``, checked."""
        if self.method not in METHODS:
            raise ValueError(f"method must be one of {', '.join(METHODS)}, not {self.method!r}")
        return str(self.method)

    def combine(self, forecasts: pd.DataFrame, keys: Sequence[str],
                weights: Mapping[str, float] | None = None) -> pd.DataFrame:
        """``keys`` + ``y_pred``: per key, the median (``method="median"``) or the
        ``weights``-weighted mean (``"weighted"``) of the ``y_pred`` of every model in
        ``forecasts`` (long: ``keys``, ``model``, ``y_pred``); keys some member lacks are
        left out."""
        method = self.check_method()
        wide = forecasts.set_index([*keys, "model"])["y_pred"].unstack("model").dropna()
        if method == "median":
            values = np.median(wide.to_numpy("float64"), axis=1)
        else:
            w = np.array([float((weights or {}).get(m, 0.0)) for m in wide.columns])
            w = np.ones_like(w) if not np.isfinite(w).all() or w.sum() <= 0 else w
            values = wide.to_numpy("float64") @ (w / w.sum())
        return wide.index.to_frame(index=False).assign(y_pred=values)


def member_weights(window_values: pd.Series, members: Sequence[str],
                   skip: pd.Timestamp | None = None) -> dict[str, float]:
    """Per member, the inverse of its mean metric over the backtest windows (all but
    ``skip``), normalised to sum to 1; ``window_values`` is the metric per ``model,
    series_id, cutoff``. Members without a finite metric get 0; equal weights when none
    has one."""
    values = window_values[window_values.index.get_level_values("model").isin(members)]
    if skip is not None:
        values = values[values.index.get_level_values("cutoff") != skip]
    mean = values.replace([np.inf, -np.inf], np.nan).groupby(level="model").mean()
    inverse = {m: 1.0 / max(float(mean.get(m, math.nan)), SMALLEST_METRIC)
               if math.isfinite(float(mean.get(m, math.nan))) else 0.0 for m in members}
    total = sum(inverse.values())
    if total <= 0:
        return {m: 1.0 / len(members) for m in members}
    return {m: w / total for m, w in inverse.items()}


def combined_backtest(model: CombinationForecaster, backtests: Sequence[pd.DataFrame],
                      window_values: pd.Series) -> list[pd.DataFrame]:
    """The combination's scored backtest windows (series_id, cutoff, ds, y_true, y_pred),
    oldest first, from the members' scored backtests; window k weighted by the members'
    metric on the other windows (on its own when there is one window)."""
    rows = pd.concat([b[["series_id", "cutoff", "ds", "model", "y_true", "y_pred"]]
                      for b in backtests], ignore_index=True)
    members = list(model.members_)
    truth = rows.drop_duplicates(["series_id", "cutoff", "ds"])[
        ["series_id", "cutoff", "ds", "y_true"]]
    windows = []
    cutoffs = sorted(rows["cutoff"].unique())
    for cutoff in cutoffs:
        part = rows[rows["cutoff"] == cutoff]
        weights = member_weights(window_values, members,
                                 skip=cutoff if len(cutoffs) > 1 else None)
        combined = model.combine(part, ["series_id", "cutoff", "ds"], weights)
        windows.append(combined.merge(truth, on=["series_id", "cutoff", "ds"], how="left")[
            ["series_id", "cutoff", "ds", "y_true", "y_pred"]])
    return windows


def combined_forecast(model: CombinationForecaster,
                      forecasts: Sequence[pd.DataFrame]) -> pd.DataFrame:
    """series_id, ds, y_pred: the members' future forecasts combined with
    ``model.weights_``."""
    rows = pd.concat([f[["series_id", "ds", "model", "y_pred"]] for f in forecasts],
                     ignore_index=True)
    return model.combine(rows, ["series_id", "ds"], model.weights_)
