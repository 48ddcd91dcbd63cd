"""Rolling-origin backtests, metrics from their errors and conformal intervals."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence

import numpy as np
import pandas as pd

from salesforge.base.forecaster import Forecaster
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


def window_scales(series: pd.DataFrame, points: Sequence[pd.Timestamp], freq: str,
                  horizon: int) -> pd.DataFrame:
    """The scales of every backtest window, from its *training* part (data up to the
    cutoff), indexed by ``(series_id, cutoff)``:

    * ``mase``: the in-sample MAE of the seasonal naive forecast (lag = one season of
      ``freq``), or of the naive one (lag 1) when the training part is not longer than a
      season (M4's MASE denominator);
    * ``rmsse``: the mean squared one-step naive difference from the series' first
      non-zero value on (M5's RMSSE denominator);
    * ``weight``: the sum of ``y`` over the last ``horizon`` periods before the cutoff,
      at least 0 (M5's WRMSSE weight before normalising).
    """
    m = season_length(freq)
    periods = np.sort(series["ds"].unique())
    frames = []
    for cutoff in points:
        train = series[series["ds"] <= cutoff].sort_values(["series_id", "ds"], kind="stable")
        ids = train["series_id"].to_numpy()
        y = train["y"].to_numpy("float64")
        grouped = train.groupby("series_id", sort=False)["y"]
        size = grouped.transform("size").to_numpy()
        lag1 = (train["y"] - grouped.shift(1)).to_numpy("float64")
        seasonal = (train["y"] - grouped.shift(m)).to_numpy("float64")
        naive = np.abs(np.where(size > m, seasonal, lag1))
        started = (train["y"] != 0).groupby(ids, sort=False).cummax()
        previous = started.groupby(ids, sort=False).shift(1, fill_value=False)
        squared = np.where(previous.to_numpy(bool), lag1 ** 2, np.nan)
        position = int(np.searchsorted(periods, np.datetime64(cutoff), side="right"))
        recent_from = periods[max(position - int(horizon), 0)]
        recent = np.where(train["ds"].to_numpy() >= recent_from, y, 0.0)
        part = pd.DataFrame({"mase": naive, "rmsse": squared, "weight": recent}).groupby(
            ids, sort=True).agg({"mase": "mean", "rmsse": "mean", "weight": "sum"})
        part["weight"] = part["weight"].clip(lower=0.0)
        part.index = pd.MultiIndex.from_arrays(
            [part.index, pd.DatetimeIndex([cutoff] * len(part))], names=["series_id", "cutoff"])
        frames.append(part)
    return pd.concat(frames)


def interval_halfwidth(scored: pd.DataFrame, level: float) -> pd.Series:
    """Per series, the ``level`` quantile of absolute backtest errors: a split-conformal
    interval half-width for forecasts of that series."""
    errors = (scored["y_true"] - scored["y_pred"]).abs()
    return errors.groupby(scored["series_id"]).quantile(level)


def score(scored: pd.DataFrame, scale: pd.Series | pd.DataFrame) -> dict[str, float]:
    """MAE, RMSE, R2, MAPE, sMAPE, bias, MASE (RMSSE and WRMSSE with window scales) and,
    when ``scored`` has ``y_lo``/``y_hi``, their coverage: see
    :func:`salesforge.forecast.evaluation.model_metrics`."""
    from salesforge.forecast.evaluation import model_metrics

    return model_metrics(scored, scale, [])
