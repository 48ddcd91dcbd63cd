"""Stage ``forecast``: aggregate series, backtest every model, pick the best, forecast."""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from salesforge.config import choice, choices
from salesforge.errors import ConfigError, DataError
from salesforge.forecast.backtest import backtest, cutoffs, interval_halfwidth, naive_scale, score
from salesforge.forecast.series import build_series
from salesforge.schema import RunContext

BACKTEST = "forecast/backtest.csv"
FORECAST = "forecast/forecast.csv"
LEADERBOARD = "forecast/leaderboard.csv"


def _positive_int(value: Any, key: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ConfigError(f"config key {key} must be a whole number of at least 1, not {value!r}.")
    return value


def select_best(models: dict[str, dict[str, float]], baseline: str, metric: str) -> str:
    """The model with the lowest ``metric`` if it beats the baseline, else the baseline."""
    reference = models[baseline].get(metric)
    if reference is None or not math.isfinite(reference):
        return baseline
    better = {name: m[metric] for name, m in models.items()
              if name != baseline and math.isfinite(m.get(metric, math.nan))
              and m[metric] < reference}
    return min(better, key=better.get) if better else baseline


def run_forecast(ctx: RunContext) -> None:
    cfg = ctx.config.forecast
    horizon = _positive_int(cfg.horizon, "forecast.horizon")
    windows = _positive_int(ctx.config.backtest.windows, "backtest.windows")
    step = _positive_int(ctx.config.backtest.step or horizon, "backtest.step")
    level = float(cfg.interval_level)
    if not 0 < level < 1:
        raise ConfigError(f"config key forecast.interval_level must be between 0 and 1, "
                          f"not {level}.")
    by = list(cfg.by or [])
    series = build_series(ctx.clean, str(cfg.target), str(cfg.freq), by, str(cfg.fill))

    selected = dict(choices(ctx.config, "forecaster"))
    if not selected:
        raise ConfigError("config key forecaster selects no model; choose at least one, e.g. "
                          "forecaster=[seasonal_naive].")
    baseline = str(cfg.baseline)
    selected.setdefault(baseline, {})
    for name, settings in selected.items():  # fail fast on bad settings
        ctx.create("forecaster", name, settings, key=f"forecaster.{name}")
    try:
        points = cutoffs(series, horizon, windows, step)
    except ValueError as exc:
        raise DataError(f"cannot backtest: {exc}; lower forecast.horizon or backtest.windows, "
                        "or use a finer forecast.freq.") from None
    scale = naive_scale(series, points[0], str(cfg.freq))
    executor_name, executor_settings = choice(ctx.config, "executor")
    executor = ctx.create("executor", executor_name, executor_settings, key="executor")

    def evaluate(item: tuple[str, dict]) -> tuple[str, pd.DataFrame, pd.DataFrame, dict]:
        name, settings = item

        def make():
            return ctx.plugins.create("forecaster", name, settings)

        scored = backtest(make, series, str(cfg.freq), horizon, windows, step)
        half = scored["series_id"].map(interval_halfwidth(scored, level)).to_numpy()
        scored = scored.assign(model=name, y_lo=scored["y_pred"] - half,
                               y_hi=scored["y_pred"] + half)
        future = make().fit(series, str(cfg.freq)).predict(horizon)
        half = future["series_id"].map(interval_halfwidth(scored, level)).to_numpy()
        future = future.assign(model=name, y_lo=future["y_pred"] - half,
                               y_hi=future["y_pred"] + half)
        return name, scored, future, score(scored, scale)

    outcomes = executor.map(evaluate, list(selected.items()))
    metrics = {name: m for name, _, _, m in outcomes}
    backtests = pd.concat([b for _, b, _, _ in outcomes], ignore_index=True)[
        ["series_id", "cutoff", "ds", "model", "y_true", "y_pred", "y_lo", "y_hi"]]
    forecasts = pd.concat([f for _, _, f, _ in outcomes], ignore_index=True)[
        ["series_id", "ds", "model", "y_pred", "y_lo", "y_hi"]]
    leaderboard = pd.DataFrame(
        [{"model": name, "metric": metric, "value": value}
         for name, values in metrics.items() for metric, value in values.items()])
    backtests.to_csv(ctx.path(BACKTEST), index=False)
    forecasts.to_csv(ctx.path(FORECAST), index=False)
    leaderboard.to_csv(ctx.path(LEADERBOARD), index=False)
    for key, path in (("backtest", BACKTEST), ("forecast", FORECAST),
                      ("leaderboard", LEADERBOARD)):
        ctx.record_artifact(key, path)
    metric = str(cfg.metric)
    best = select_best(metrics, baseline, metric)
    ctx.results["forecast"] = {"backtest": backtests, "forecast": forecasts,
                               "leaderboard": leaderboard, "best": best}
    ctx.manifest["forecast"] = {
        "target": str(cfg.target), "freq": str(cfg.freq), "horizon": horizon, "by": by,
        "series": int(series["series_id"].nunique()), "backtest_windows": windows,
        "cutoffs": [p.isoformat() for p in points], "interval_level": level,
        "selection_metric": metric, "models": metrics, "best": best, "baseline": baseline,
    }
