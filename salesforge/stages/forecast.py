"""Stage ``forecast``: aggregate series, tune and backtest every model, reconcile, pick the
best against the baseline, forecast, and save the fitted models."""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from salesforge.config import choices
from salesforge.errors import ConfigError, DataError
from salesforge.forecast import exog as covariates
from salesforge.forecast import reconcile as rec
from salesforge.forecast.backtest import cutoffs, naive_scale
from salesforge.forecast.engine import (
    ModelOutcome,
    Plan,
    evaluate_models,
    fallback_forecast,
    importance_table,
    split_short,
)
from salesforge.forecast.evaluation import (
    SELECTION_METRICS,
    model_metrics,
    select_best,
    series_metrics,
    value_added,
)
from salesforge.forecast.intervals import bound_columns, pct
from salesforge.forecast.series import build_series
from salesforge.forecast.tuning import tune_selected
from salesforge.schema import RunContext

BACKTEST = "forecast/backtest.csv"
FORECAST = "forecast/forecast.csv"
LEADERBOARD = "forecast/leaderboard.csv"
SERIES_METRICS = "forecast/metrics_by_series.csv"
VALUE_ADDED = "forecast/value_added.csv"
IMPORTANCE = "forecast/importance.csv"
MODELS = "models"


def _positive_int(value: Any, key: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ConfigError(f"config key {key} must be a whole number of at least 1, not {value!r}.")
    return value


def interval_levels(cfg: Any) -> list[float]:
    """``forecast.interval_level`` (the primary level) then ``forecast.interval_levels``,
    without repeats; each must lie strictly between 0 and 1."""
    keyed = [("forecast.interval_level", cfg.interval_level)]
    keyed += [("forecast.interval_levels", v) for v in list(cfg.get("interval_levels") or [])]
    out: list[float] = []
    for key, value in keyed:
        level = float(value)
        if not 0 < level < 1:
            raise ConfigError(f"config key {key} must be between 0 and 1, not {level}.")
        if pct(level) not in {pct(x) for x in out}:
            out.append(level)
    return out


def _with_primary(frame: pd.DataFrame, key: list[str], levels: list[float]) -> pd.DataFrame:
    """Primary level as y_lo/y_hi, further levels as y_lo_<pct>/y_hi_<pct>, after ``key``."""
    lower, upper = bound_columns(levels[0])
    frame = frame.rename(columns={lower: "y_lo", upper: "y_hi"})
    extra = [c for level in levels[1:] for c in bound_columns(level)]
    return frame[[*key, "y_lo", "y_hi", *extra]]


def _reconcile(outcomes: list[ModelOutcome], keys: dict, method: str) -> None:
    """Reconcile every model's backtest (per cutoff) and forecast in place."""
    S, ids, _ = rec.summing_matrix(keys)
    for outcome in outcomes:
        residuals = rec.residual_matrix(outcome.backtest, ids)
        matrix = rec.projection(S, method, residuals)
        outcome.backtest = rec.reconcile_frame(outcome.backtest, ids, matrix, ["cutoff", "ds"])
        outcome.forecast = rec.reconcile_frame(outcome.forecast, ids, matrix, ["ds"])


def _selection_metric(value: object, key: str) -> str:
    metric = str(value)
    if metric not in SELECTION_METRICS:
        raise ConfigError(f"config key {key} must be one of {', '.join(SELECTION_METRICS)} "
                          f"(lower is better), not {metric!r}.")
    return metric


def run_forecast(ctx: RunContext) -> None:
    cfg = ctx.config.forecast
    horizon = _positive_int(cfg.horizon, "forecast.horizon")
    windows = _positive_int(ctx.config.backtest.windows, "backtest.windows")
    step = _positive_int(ctx.config.backtest.step or horizon, "backtest.step")
    levels = interval_levels(cfg)
    by = list(cfg.by or [])
    freq, target = str(cfg.freq), str(cfg.target)
    metric = _selection_metric(cfg.metric, "forecast.metric")
    tuning_metric = _selection_metric(ctx.config.get("tuning", {}).get("metric") or metric,
                                      "tuning.metric")
    method = str(cfg.get("reconcile") or "none")
    if method not in rec.METHODS:
        raise ConfigError(f"config key forecast.reconcile must be one of "
                          f"{', '.join(rec.METHODS)}, not {method!r}.")
    keys: dict = {}
    if method != "none":
        if not by:
            raise ConfigError("config key forecast.reconcile needs forecast.by to name the "
                              "hierarchy, e.g. forecast.by=[category,product].")
        if str(cfg.fill) != "zero":
            raise ConfigError("config key forecast.reconcile needs forecast.fill=zero: every "
                              "level must share the same periods to add up.")
        series, keys = rec.hierarchy_series(ctx.clean, target, freq, by)
    else:
        series = build_series(ctx.clean, target, freq, by, str(cfg.fill))
    if keys and covariates.exog_columns(cfg.get("exog")):
        raise ConfigError("config key forecast.exog cannot be combined with "
                          "forecast.reconcile yet; set one of them.")
    series, exog_future, exog = covariates.prepare(ctx, series, by, freq, horizon)

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
    long, short, min_history = split_short(series, points[0], horizon)
    if long.empty:
        raise DataError(f"cannot backtest: every series has fewer than {min_history} periods "
                        "before the first backtest cutoff; lower forecast.horizon or "
                        "backtest.windows, or use a finer forecast.freq.")
    plan = Plan(series=long, freq=freq, horizon=horizon, cutoffs=points, levels=levels,
                scale=naive_scale(long, points[0], freq),
                metric=tuning_metric, exog_future=exog_future)
    tuned = tune_selected(ctx, selected, baseline, plan)
    chosen = {name: tuned[name].best_params if name in tuned else settings
              for name, settings in selected.items()}
    outcomes = evaluate_models(  # unfitted copies travel to the executor's workers
        {name: ctx.plugins.create("forecaster", name, settings)
         for name, settings in chosen.items()}, plan, ctx.executor(),
        lambda done, total: ctx.report_progress("forecast", "backtest", done, total))
    for outcome in outcomes:
        outcome.settings, outcome.tuning = chosen[outcome.name], tuned.get(outcome.name)
    if keys:
        _reconcile(outcomes, keys, method)
    scored = pd.concat([o.backtest for o in outcomes], ignore_index=True)
    metrics = {o.name: model_metrics(o.backtest, plan.scale, levels) for o in outcomes}
    by_series = series_metrics(scored, plan.scale, levels)
    fva = value_added(by_series, metrics, baseline, metric)
    forecasts = [o.forecast for o in outcomes]
    if short:
        short_rows = series[series["series_id"].isin(short)][["series_id", "ds", "y"]]
        forecasts.append(fallback_forecast(
            lambda: ctx.plugins.create("forecaster", baseline, selected[baseline]),
            short_rows, freq, horizon, baseline, levels))
    backtests = _with_primary(scored, ["series_id", "cutoff", "ds", "model", "y_true",
                                       "y_pred"], levels)
    future = _with_primary(pd.concat(forecasts, ignore_index=True),
                           ["series_id", "ds", "model", "y_pred"], levels)
    overall = fva[fva["series_id"] == "all"]
    leaderboard = pd.concat([
        pd.DataFrame([{"model": name, "metric": m, "value": v}
                      for name, values in metrics.items() for m, v in values.items()]),
        pd.DataFrame({"model": overall["model"], "metric": "fva_pct",
                      "value": overall["fva_pct"]})], ignore_index=True)
    best, reason = select_best(metrics, baseline, metric)
    files = {"backtest": (BACKTEST, backtests), "forecast": (FORECAST, future),
             "leaderboard": (LEADERBOARD, leaderboard),
             "metrics_by_series": (SERIES_METRICS, by_series),
             "value_added": (VALUE_ADDED, fva),
             "importance": (IMPORTANCE, importance_table(outcomes))}
    for key, (path, frame) in files.items():
        frame.to_csv(ctx.path(path), index=False)
        ctx.record_artifact(key, path)
    saved = _save_models(ctx, outcomes, plan, target, by) if cfg.get("save_models", True) else {}
    ctx.results["forecast"] = {"backtest": backtests, "forecast": future,
                               "leaderboard": leaderboard, "best": best,
                               "metrics_by_series": by_series, "value_added": fva,
                               "best_reason": reason}
    ctx.manifest["forecast"] = {
        "target": target, "freq": freq, "horizon": horizon, "by": by,
        "series": int(series["series_id"].nunique()), "backtest_windows": windows,
        "cutoffs": [p.isoformat() for p in points], "interval_level": levels[0],
        "interval_levels": levels, "selection_metric": metric, "models": metrics,
        "best": best, "baseline": baseline, "best_reason": reason,
        "value_added_pct": {r.model: r.fva_pct for r in overall.itertuples()},
        "fallback": {"series": short[:100], "count": len(short), "model": baseline,
                     "reason": f"fewer than {min_history} periods before the first backtest "
                               "cutoff"},
        "reconcile": {"method": method, "levels": len(by) + 1 if keys else None,
                      "coherent": bool(rec.is_coherent(future[future["model"] == best], keys))
                      if keys else None},
        "settings": {o.name: o.settings for o in outcomes},
        "tuning": {name: result.summary() for name, result in tuned.items()},
        "saved_models": saved,
        "exog": {**exog.summary(), **covariates.exog_users(outcomes)} if exog.columns else None,
    }


def _save_models(ctx: RunContext, outcomes: list[ModelOutcome], plan: Plan, target: str,
                 by: list[str]) -> dict[str, str]:
    """Each fitted model in ``models/<name>/``; returns name -> run-dir relative path."""
    from salesforge.forecast.persistence import save_model

    saved = {}
    for outcome in outcomes:
        widths = outcome.widths.rename(columns=pct)
        metadata = {
            "target": target, "freq": plan.freq, "horizon": plan.horizon, "by": by,
            "floor": plan.floor, "config_hash": ctx.manifest.get("config_hash"),
            "exog": covariates.saved_spec(outcome.model, ctx),
            "training": {"start": plan.series["ds"].min().isoformat(),
                         "end": plan.series["ds"].max().isoformat(),
                         "series": int(plan.series["series_id"].nunique()),
                         "rows": len(plan.series)},
            "intervals": {"levels": plan.levels, "halfwidths": {
                str(sid): {str(k): (None if not math.isfinite(v) else float(v))
                           for k, v in row.items()} for sid, row in widths.iterrows()}},
        }
        folder = ctx.folder(f"{MODELS}/{outcome.name}")
        save_model(outcome.model, outcome.name, folder, metadata)
        saved[outcome.name] = f"{MODELS}/{outcome.name}/model.json"
        ctx.record_artifact(f"model_{outcome.name}", saved[outcome.name])
    return saved
