"""Rolling-origin backtests, metrics from their errors and conformal intervals."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence

import numpy as np
import pandas as pd

from salesforge.base.forecaster import Forecaster
from salesforge.forecast import metrics
from salesforge.forecast.seasonality import season_length


def cutoffs(series: pd.DataFrame, horizon: int, windows: int, step: int) -> list[pd.Timestamp]:
    """Last training period of each backtest window, oldest first.

    Window k (0-based, oldest first) trains on periods up to the cutoff and is scored on
    the ``horizon`` periods after it; consecutive cutoffs are ``step`` periods apart. Raises
    ``ValueError`` when the series is too short for even one window with some history.
    """
    periods = np.sort(series["ds"].unique())
    needed = horizon + (windows - 1) * step
    if len(periods) - needed < 2:
        raise ValueError(
            f"the series has {len(periods)} periods; a backtest of {windows} window(s) of "
            f"{horizon} periods needs at least {needed + 2}"
        )
    return [pd.Timestamp(periods[len(periods) - needed - 1 + k * step]) for k in range(windows)]


def backtest_windows(make_model: Callable[[], Forecaster], series: pd.DataFrame, freq: str,
                     horizon: int, points: Sequence[pd.Timestamp],
                     levels: Sequence[float] = ()) -> Iterator[pd.DataFrame]:
    """Per cutoff (oldest first), fit a fresh model on data up to it and score the next
    ``horizon`` periods: series_id, cutoff, ds, y_true, y_pred, plus ``y_lo_<pct>`` /
    ``y_hi_<pct>`` per level when the model has intervals of its own. The model never
    sees actuals after the cutoff; covariates (columns beyond series_id, ds, y) after the
    cutoff are the observed ones, being known in advance by assumption."""
    covariates = [c for c in series.columns if c not in ("series_id", "ds", "y")]
    for cutoff in points:
        train = series[series["ds"] <= cutoff]
        model = make_model().fit(train, freq)
        actual = series[series["ds"] > cutoff]
        exog = actual[["series_id", "ds", *covariates]] if covariates else None
        predicted = model.predict_interval(horizon, list(levels), exog=exog) if levels \
            else None
        if predicted is None:
            predicted = model.predict(horizon, exog=exog)
        predicted = predicted.drop(columns="step")
        actual = actual[["series_id", "ds", "y"]]
        scored = predicted.merge(actual.rename(columns={"y": "y_true"}),
                                 on=["series_id", "ds"], how="inner")
        extra = [c for c in scored.columns if c.startswith(("y_lo_", "y_hi_"))]
        yield scored.assign(cutoff=cutoff)[
            ["series_id", "cutoff", "ds", "y_true", "y_pred", *extra]]


def backtest(make_model: Callable[[], Forecaster], series: pd.DataFrame, freq: str,
             horizon: int, windows: int = 1, step: int | None = None,
             levels: Sequence[float] = ()) -> pd.DataFrame:
    """Fit a fresh model per window on data up to the cutoff, forecast ``horizon`` periods.

    Returns series_id, cutoff, ds, y_true, y_pred (and model-own interval columns when
    ``levels`` are given); the model never sees actuals after the cutoff.
    """
    points = cutoffs(series, horizon, windows, step or horizon)
    frames = list(backtest_windows(make_model, series, freq, horizon, points, levels))
    return pd.concat(frames, ignore_index=True)


def naive_scale(series: pd.DataFrame, before: pd.Timestamp, freq: str) -> pd.Series:
    """Per series, the in-sample MAE of the seasonal naive forecast on data up to
    ``before``: the MASE denominator (falls back to lag-1 for short series)."""
    m = season_length(freq)
    train = series[series["ds"] <= before].sort_values(["series_id", "ds"])
    grouped = train.groupby("series_id")["y"]

    def scale(y: pd.Series) -> float:
        values = y.to_numpy()
        lag = m if len(values) > m else 1
        if len(values) <= lag:
            return float("nan")
        return float(np.mean(np.abs(values[lag:] - values[:-lag])))

    return grouped.agg(scale)


def interval_halfwidth(scored: pd.DataFrame, level: float) -> pd.Series:
    """Per series, the ``level`` quantile of absolute backtest errors: a split-conformal
    interval half-width for forecasts of that series."""
    errors = (scored["y_true"] - scored["y_pred"]).abs()
    return errors.groupby(scored["series_id"]).quantile(level)


def score(scored: pd.DataFrame, scale: pd.Series) -> dict[str, float]:
    """MAE, RMSE, R2, MAPE, sMAPE, bias, MASE and interval coverage of backtest rows."""
    y_true = scored["y_true"].to_numpy(float)
    y_pred = scored["y_pred"].to_numpy(float)
    result = {name: fn(y_true, y_pred) for name, fn in metrics.POINT_METRICS.items()}
    result["mase"] = metrics.mase(y_true, y_pred, scored["series_id"].map(scale).to_numpy(float))
    if {"y_lo", "y_hi"} <= set(scored.columns):
        result["coverage"] = metrics.coverage(y_true, scored["y_lo"].to_numpy(float),
                                              scored["y_hi"].to_numpy(float))
    return result
