"""Backtest, tune, fit and forecast one model: the per-model work of the forecast stage."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from salesforge.base.executor import Executor, Progress
from salesforge.base.forecaster import Forecaster
from salesforge.forecast.backtest import backtest_windows
from salesforge.forecast.combination import (
    CombinationForecaster,
    combined_backtest,
    combined_forecast,
    member_weights,
)
from salesforge.forecast.evaluation import model_metrics
from salesforge.forecast.intervals import (
    add_backtest_intervals,
    add_intervals,
    clip_bounds,
    halfwidths,
)


@dataclass
class Plan:
    """What every model is evaluated on."""

    series: pd.DataFrame          # the series long enough to backtest
    freq: str
    horizon: int
    cutoffs: list[pd.Timestamp]
    levels: list[float]           # interval levels, primary first
    #: the metrics' scales: per (series_id, cutoff) from each window's training part
    #: (:func:`~salesforge.forecast.backtest.window_scales`), or one per series_id
    scale: pd.Series | pd.DataFrame
    metric: str                   # selection / tuning metric
    exog_future: pd.DataFrame | None = None  # series_id, ds, covariates after the data

    @property
    def floor(self) -> float | None:
        """0 when no series ever goes below zero (interval bounds stop there), else None."""
        return 0.0 if bool((self.series["y"] >= 0).all()) else None


@dataclass
class ModelOutcome:
    """One model's backtest rows, future forecast, fitted model and findings."""

    name: str
    settings: dict[str, Any]
    backtest: pd.DataFrame
    forecast: pd.DataFrame
    model: Forecaster
    widths: pd.DataFrame
    importance: pd.Series | None = None
    tuning: Any = None
    extra: dict[str, Any] = field(default_factory=dict)


def split_short(series: pd.DataFrame, first_cutoff: pd.Timestamp,
                horizon: int) -> tuple[pd.DataFrame, list[str], int]:
    """``(long, short_ids, min_history)``: a series is too short when it has fewer than
    max(horizon, 2) observations up to the first backtest cutoff; short series are
    forecast by the baseline only."""
    min_history = max(int(horizon), 2)
    history = series[series["ds"] <= first_cutoff].groupby("series_id")["y"].count()
    history = history.reindex(series["series_id"].unique(), fill_value=0)
    short = sorted(history.index[history < min_history].astype(str))
    return series[~series["series_id"].isin(short)], short, min_history


def running_metric(make: Callable[[], Forecaster], plan: Plan) -> Iterator[float]:
    """The plan's metric over the backtest windows so far, after each window."""
    seen: list[pd.DataFrame] = []
    for scored in backtest_windows(make, plan.series, plan.freq, plan.horizon, plan.cutoffs):
        seen.append(scored)
        value = model_metrics(pd.concat(seen, ignore_index=True), plan.scale, [])
        yield float(value.get(plan.metric, math.nan))


def evaluate(name: str, make: Callable[[], Forecaster], plan: Plan) -> ModelOutcome:
    """Backtest ``make()`` on the plan, add intervals (the model's own, else conformal
    from backtest residuals), then fit on all of ``plan.series`` and forecast; in this
    process (see :func:`evaluate_models` for several models through an executor)."""
    return evaluate_models({name: make()}, plan)[0]


def evaluate_models(models: Mapping[str, Forecaster], plan: Plan,
                    executor: Executor | None = None,
                    progress: Progress | None = None) -> list[ModelOutcome]:
    """:func:`evaluate` for every unfitted model of ``models`` (name -> forecaster), as one
    flat list of backtest-window and final-fit tasks run by ``executor`` (``None`` = in
    this process); outcomes in ``models`` order, equal whichever executor ran them."""
    from salesforge.forecast.tasks import run_models

    return [finish_outcome(name, windows, model, future, own, plan)
            for name, (windows, model, future, own) in run_models(models, plan, executor,
                                                                   progress).items()]


def finish_outcome(name: str, windows: Sequence[pd.DataFrame], model: Forecaster,
                   future: pd.DataFrame, own: bool, plan: Plan) -> ModelOutcome:
    """A model's outcome from its scored backtest windows and future forecast: conformal
    intervals where it has none of its own (cross-conformal in the backtest), bounds
    clipped at the plan's floor."""
    scored = pd.concat(windows, ignore_index=True).assign(model=name)
    scored = clip_bounds(add_backtest_intervals(scored, plan.levels), plan.floor)
    widths = halfwidths(scored, plan.levels)
    if not own:
        future = add_intervals(future, widths)
    future = clip_bounds(future.drop(columns="step", errors="ignore").assign(model=name),
                         plan.floor)
    importance = getattr(model, "feature_importances_", None)
    return ModelOutcome(name=name, settings={}, backtest=scored, forecast=future,
                        model=model, widths=widths, importance=importance)


def combination_outcome(name: str, model: CombinationForecaster,
                        members: Sequence[ModelOutcome], plan: Plan,
                        window_values: pd.Series) -> ModelOutcome:
    """The outcome of a ``combination`` of ``members`` (already evaluated on ``plan``),
    without a refit: its backtest combines theirs window by window, its forecast theirs;
    ``window_values`` is the weighting metric per model, series and window."""
    names = [m.name for m in members]
    model.check_method()
    model.set_members(names, member_weights(window_values, names) if model.method == "weighted"
                      else {n: 1.0 / len(names) for n in names})
    first = members[0].model
    model.freq_, model.last_ds_, model.exog_ = plan.freq, first.last_ds_, []
    windows = combined_backtest(model, [m.backtest for m in members], window_values)
    future = combined_forecast(model, [m.forecast for m in members])
    return finish_outcome(name, windows, model, future, False, plan)


def fallback_forecast(make_baseline: Callable[[], Forecaster], short: pd.DataFrame,
                      freq: str, horizon: int, name: str,
                      levels: Sequence[float]) -> pd.DataFrame:
    """Baseline forecasts of series too short to backtest; no interval (NaN bounds)."""
    future = make_baseline().fit(short, freq).predict(horizon).drop(columns="step")
    future = future.assign(model=name)
    widths = pd.DataFrame({level: pd.Series(dtype="float64") for level in levels})
    return add_intervals(future, widths)


def importance_table(outcomes: Sequence[ModelOutcome]) -> pd.DataFrame:
    """``model, feature, importance`` of every model that reports importances."""
    rows = [pd.DataFrame({"model": o.name, "feature": o.importance.index,
                          "importance": np.asarray(o.importance, dtype="float64")})
            for o in outcomes if o.importance is not None and len(o.importance)]
    if not rows:
        return pd.DataFrame(columns=["model", "feature", "importance"])
    return pd.concat(rows, ignore_index=True)
