"""Stage ``forecast``: aggregate series, tune and backtest every model, combine, reconcile,
pick the model of every series against the baseline, forecast, and save the fitted
models."""

from __future__ import annotations

import math
from dataclasses import replace
from typing import Any

import numpy as np
import pandas as pd

from salesforge.config import choices
from salesforge.errors import ConfigError, DataError
from salesforge.forecast import exog as covariates
from salesforge.forecast import reconcile as rec
from salesforge.forecast.backtest import cutoffs, window_scales
from salesforge.forecast.combination import METHODS
from salesforge.forecast.engine import (
    ModelOutcome,
    Plan,
    combination_outcome,
    evaluate_models,
    fallback_forecast,
    importance_table,
    split_short,
)
from salesforge.forecast.evaluation import (
    SELECTION_METRICS,
    metric_tables,
    model_metrics,
    series_metrics,
    value_added,
    window_metric,
)
from salesforge.forecast.frequency import resolve_freq
from salesforge.forecast.intermittent import (
    ROUTED,
    classify,
    intermittent_summary,
    routing_methods,
)
from salesforge.forecast.intervals import bound_columns, pct
from salesforge.forecast.model_files import MODEL_FILE
from salesforge.forecast.realized import realize
from salesforge.forecast.selection import (
    SELECTION,
    choose,
    select_mode,
    selection_summary,
    selection_table,
)
from salesforge.forecast.series import build_series
from salesforge.forecast.source_names import resolve_columns
from salesforge.forecast.tuning import tune_selected
from salesforge.layout import RunLayout
from salesforge.results import ForecastResults
from salesforge.schema import RunContext
from salesforge.stages.frames import clean_frame

BACKTEST = RunLayout.BACKTEST
FORECAST = RunLayout.FORECAST
LEADERBOARD = RunLayout.LEADERBOARD
SERIES_METRICS = RunLayout.METRICS_BY_SERIES
VALUE_ADDED = RunLayout.VALUE_ADDED
IMPORTANCE = RunLayout.IMPORTANCE
SELECTION_CSV = RunLayout.SELECTION
#: Fitted attributes in which a forecaster reports divergence it stopped (damped or
#: clipped forecasts); copied into ``manifest.forecast.stability`` when present.
STABILITY_ATTRIBUTES = ("diverged_series_", "clipped_series_", "clipped_", "diverged_")
MODELS = RunLayout.MODELS


def _positive_int(value: Any, key: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ConfigError(f"config key {key} must be a whole number of at least 1, not {value!r}.")
    return value


def interval_levels(cfg: Any) -> list[float]:
    """``forecast.interval_level`` (the primary level) then ``forecast.interval_levels``,
    without repeats; each must lie strictly between 0 and 1."""
    keyed = [("forecast.interval_level", cfg.interval_level)]
    keyed += [("forecast.interval_levels", v) for v in list(cfg.interval_levels)]
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


def _columns_mapped(ctx: RunContext) -> dict[str, str]:
    """canonical -> source column of the clean stage (empty when it did not say)."""
    mapped = ctx.stage_results.clean.columns_mapped if ctx.stage_results.clean else {}
    return {str(k): str(v) for k, v in dict(mapped).items() if v is not None}


def _combines(ctx: RunContext, name: str) -> bool:
    info = ctx.plugins.registry.get("forecaster", name)
    return bool(getattr(info.cls, "combines_forecasts", False))


def _combination(ctx: RunContext, name: str, settings: dict[str, Any], evaluated: list[str],
                 metric: str) -> tuple[Any, list[str], str]:
    """``(model, members, weighting metric)`` of a selected combiner, checked before any
    model is backtested."""
    model = ctx.plugins.create("forecaster", name, settings, key=f"forecaster.{name}")
    if model.method not in METHODS:
        raise ConfigError(f"config key forecaster.{name}.method must be one of "
                          f"{', '.join(METHODS)}, not {model.method!r}.")
    members = [str(m) for m in (model.members or [])] or evaluated
    unknown = [m for m in members if m not in evaluated]
    if unknown:
        raise ConfigError(f"config key forecaster.{name}.members names {unknown[0]!r}, which "
                          f"is not a selected forecaster ({', '.join(evaluated)}).")
    if len(members) < 2:
        raise ConfigError(f"config key forecaster.{name}.members needs at least two "
                          "forecasters to combine; select more, e.g. "
                          f"forecaster=[seasonal_naive,linear,{name}].")
    weighting = _selection_metric(model.metric or metric, f"forecaster.{name}.metric")
    return model, members, weighting


def _evaluate_routed(ctx: RunContext, plan: Plan, methods: list[str], routed: pd.Index,
                     progress: Any) -> list[ModelOutcome]:
    """Backtest and fit the intermittent-demand ``methods`` on the ``routed`` series of
    ``plan`` only (nothing when either is empty)."""
    subset = plan.series[plan.series["series_id"].isin(routed)]
    if not methods or subset.empty:
        return []
    exog = plan.exog_future
    exog = None if exog is None else exog[exog["series_id"].isin(routed)]
    models = {name: ctx.create("forecaster", name, {}, key=f"forecaster.{name}")
              for name in methods}
    return evaluate_models(models, replace(plan, series=subset, exog_future=exog),
                           ctx.executor(), progress)


def _reported(outcomes: list[ModelOutcome], attributes: tuple[str, ...] | None = None
              ) -> dict[str, dict[str, Any]]:
    """model -> what its final fit reports in ``attributes`` (stability findings such as
    ``diverged_series_``), or, with ``attributes`` None, in the model's own
    ``fitted_attributes`` (settings chosen at fit such as ``window_``); JSON-ready, keyed
    without the trailing underscore; models reporting none are left out."""
    found: dict[str, dict[str, Any]] = {}
    for outcome in outcomes:
        names = attributes if attributes is not None else \
            getattr(type(outcome.model), "fitted_attributes", ())
        for attr in names:
            value = getattr(outcome.model, attr, None)
            if value is None:
                continue
            if isinstance(value, pd.Series | pd.Index | np.ndarray | set | tuple):
                value = list(value.tolist() if hasattr(value, "tolist") else value)
            if isinstance(value, np.generic):
                value = value.item()
            if isinstance(value, dict):
                value = {str(k): v for k, v in value.items()}
            found.setdefault(outcome.name, {})[attr.rstrip("_")] = value
    return found


def run_forecast(ctx: RunContext) -> None:
    cfg = ctx.config.forecast
    horizon = _positive_int(cfg.horizon, "forecast.horizon")
    windows = _positive_int(ctx.config.backtest.windows, "backtest.windows")
    step = _positive_int(ctx.config.backtest.step or horizon, "backtest.step")
    levels = interval_levels(cfg)
    mapped = _columns_mapped(ctx)
    by_given = [str(cfg.by)] if isinstance(cfg.by, str) else [str(c) for c in (cfg.by or [])]
    clean = clean_frame(ctx)
    by = resolve_columns(by_given, list(clean.columns), mapped, "forecast.by")
    freq, freq_inferred = resolve_freq(cfg.get("freq"), clean["date"])
    target = str(cfg.target)
    metric = _selection_metric(cfg.metric, "forecast.metric")
    tuning_metric = _selection_metric(ctx.config.tuning.metric or metric,
                                      "tuning.metric")
    mode = select_mode(cfg.select)
    method = cfg.reconcile
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
        if mode != "global":
            raise ConfigError("config key forecast.select=per_series cannot be combined with "
                              "forecast.reconcile yet (per-series choices do not add up); "
                              "set forecast.select=global.")
        series, keys = rec.hierarchy_series(clean, target, freq, by)
    else:
        series = build_series(clean, target, freq, by, str(cfg.fill))
    if keys and covariates.exog_columns(cfg.get("exog")):
        raise ConfigError("config key forecast.exog cannot be combined with "
                          "forecast.reconcile yet; set one of them.")
    series, exog_future, exog = covariates.prepare(
        ctx, series, by, freq, horizon, mapped=mapped,
        aliases={g: r for g, r in zip(by_given, by, strict=True) if g != r})

    selected = dict(choices(ctx.config, "forecaster"))
    if not selected:
        raise ConfigError("config key forecaster selects no model; choose at least one, e.g. "
                          "forecaster=[seasonal_naive].")
    baseline = str(cfg.baseline)
    selected.setdefault(baseline, {})
    registered = ctx.plugins.registry.names("forecaster")
    routing = [] if keys else routing_methods(cfg.intermittent, registered)
    for name, settings in selected.items():  # fail fast on bad settings
        ctx.create("forecaster", name, settings, key=f"forecaster.{name}")
    combiners = [name for name in selected if _combines(ctx, name)]
    if baseline in combiners:
        raise ConfigError(f"config key forecast.baseline names {baseline!r}, which combines "
                          "other forecasters; choose a forecaster of its own, e.g. "
                          "seasonal_naive.")
    members_all = {n: s for n, s in selected.items() if n not in combiners}
    combinations = {name: _combination(ctx, name, selected[name], list(members_all), metric)
                    for name in combiners}
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
                scale=window_scales(long, points, freq, horizon),
                metric=tuning_metric, exog_future=exog_future)
    tuned = tune_selected(ctx, members_all, baseline, plan)
    chosen = {name: tuned[name].best_params if name in tuned else settings
              for name, settings in selected.items()}
    progress = lambda done, total: ctx.report_progress("forecast", "backtest", done, total)  # noqa: E731
    outcomes = evaluate_models(  # unfitted copies travel to the executor's workers
        {name: ctx.plugins.create("forecaster", name, chosen[name]) for name in members_all},
        plan, ctx.executor(), progress)
    classes = classify(series, points[0])
    routed_ids = classes.index[classes["demand_class"].isin(ROUTED)]
    outcomes += _evaluate_routed(ctx, plan, [m for m in routing if m not in selected],
                                 routed_ids, progress)
    for outcome in outcomes:
        outcome.settings = chosen.get(outcome.name, {})
        outcome.tuning = tuned.get(outcome.name)
    if keys:
        _reconcile(outcomes, keys, method)
    for name, (model, names, weighting) in combinations.items():
        members = [o for o in outcomes if o.name in names]
        values = window_metric(pd.concat([m.backtest for m in members], ignore_index=True),
                               plan.scale, weighting)
        outcomes.append(combination_outcome(name, model, members, plan, values))
        outcomes[-1].settings = chosen[name]
    scored = pd.concat([o.backtest for o in outcomes], ignore_index=True)
    values = window_metric(scored, plan.scale, metric)
    overall, _ = metric_tables(scored, plan.scale, levels)
    metrics = {name: {k: float(v) for k, v in row.items()} for name, row in overall.iterrows()}
    metrics = {o.name: metrics[o.name] for o in outcomes}
    picked = choose(mode, values, metrics, [*members_all, *combiners], baseline, metric,
                    classes.loc[long["series_id"].unique(), "demand_class"],
                    [m for m in routing if m in {o.name for o in outcomes}],
                    [o.backtest for o in outcomes], [o.forecast for o in outcomes])
    best, reason = picked.best, picked.reason
    if picked.backtest is not None:
        scored = pd.concat([scored, picked.backtest], ignore_index=True)
        metrics[SELECTION] = model_metrics(picked.backtest, plan.scale, levels)
        reason += (f"; its backtest {metric} is {metrics[SELECTION].get(metric, math.nan):.4g} "
                   f"against {metrics[picked.global_best].get(metric, math.nan):.4g} of the "
                   f"global choice {picked.global_best}")
    by_series = series_metrics(scored, plan.scale, levels)
    fva = value_added(by_series, metrics, baseline, metric)
    forecasts = [o.forecast for o in outcomes]
    if picked.forecast is not None:
        forecasts.append(picked.forecast)
    if short:
        short_rows = series[series["series_id"].isin(short)][["series_id", "ds", "y"]]
        forecasts.append(fallback_forecast(
            lambda: ctx.plugins.create("forecaster", baseline, selected[baseline]),
            short_rows, freq, horizon, baseline, levels))
    backtests = _with_primary(scored, ["series_id", "cutoff", "ds", "model", "y_true",
                                       "y_pred"], levels)
    future = _with_primary(pd.concat(forecasts, ignore_index=True),
                           ["series_id", "ds", "model", "y_pred"], levels)
    overall_fva = fva[fva["series_id"] == "all"]
    same_as_coverage = f"coverage_{pct(levels[0])}"  # the primary level: `coverage` already
    leaderboard = pd.concat([
        pd.DataFrame([{"model": name, "metric": m, "value": v}
                      for name, values in metrics.items() for m, v in values.items()
                      if m != same_as_coverage]),
        pd.DataFrame({"model": overall_fva["model"], "metric": "fva_pct",
                      "value": overall_fva["fva_pct"]})], ignore_index=True)
    table = selection_table(classes, picked, short, baseline, by_series, metric)
    files = {"backtest": (BACKTEST, backtests), "forecast": (FORECAST, future),
             "leaderboard": (LEADERBOARD, leaderboard),
             "metrics_by_series": (SERIES_METRICS, by_series),
             "value_added": (VALUE_ADDED, fva),
             "importance": (IMPORTANCE, importance_table(outcomes)),
             "selection": (SELECTION_CSV, table)}
    for key, (path, frame) in files.items():
        frame.to_csv(ctx.path(path), index=False)
        ctx.record_artifact(key, path)
    saved = _save_models(ctx, outcomes, plan, target, by) if cfg.save_models else {}
    ctx.stage_results.forecast = ForecastResults(
        backtest=backtests, forecast=future, leaderboard=leaderboard, best=best,
        metrics_by_series=by_series, value_added=fva, best_reason=reason, selection=table)
    ctx.manifest["forecast"] = {
        "target": target, "freq": freq, "freq_inferred": freq_inferred, "horizon": horizon,
        "by": by, "by_given": by_given,
        "series": int(series["series_id"].nunique()), "backtest_windows": windows,
        "cutoffs": [p.isoformat() for p in points], "interval_level": levels[0],
        "interval_levels": levels, "selection_metric": metric, "models": metrics,
        "best": best, "baseline": baseline, "best_reason": reason,
        "value_added_pct": {r.model: r.fva_pct for r in overall_fva.itertuples()},
        "select": mode,
        "selection": selection_summary(table, picked, mode, SELECTION_CSV),
        "intermittent": intermittent_summary(classes, routing, cfg.intermittent,
                                             len(routed_ids), bool(keys)),
        "stability": _reported(outcomes, STABILITY_ATTRIBUTES),
        "fitted": _reported(outcomes),
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
    realized = realize(ctx, series, target, freq, by)
    if realized is not None:
        ctx.manifest["forecast"]["realized"] = realized


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
        saved[outcome.name] = f"{MODELS}/{outcome.name}/{MODEL_FILE}"
        ctx.record_artifact(f"model_{outcome.name}", saved[outcome.name])
    return saved
