"""Optuna tuning of a forecaster's settings against its rolling-origin backtest.

TPE samples the forecaster's search space; each trial reports the running backtest
metric after every window so the median pruner can stop poor trials early. The first
trial of a session is the untuned settings, so the best trial is never worse than them
on the tuning objective. Studies live in SQLite (``tuning.storage``), so a study can be
resumed or shared between runs and Hydra ``-m`` sweep jobs.

Trials run through the run's executor in batches of ``tuning.batch_size``: the driver
asks Optuna for a batch of trials, the executor evaluates them (each on its own worker),
and the driver tells Optuna the results. A trial prunes itself against the median of the
trials completed *before its batch* (Optuna's MedianPruner rule, 3 start-up trials), so
results depend on the batch size, never on the executor; ``batch_size=1`` is exactly
sequential ``study.optimize``.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from salesforge.errors import ConfigError
from salesforge.layout import RunLayout

if TYPE_CHECKING:
    from optuna.trial import FrozenTrial

    from salesforge.base.forecaster import Forecaster
    from salesforge.schema import RunContext

log = logging.getLogger(__name__)


@dataclass
class TuningResult:
    """What a study found for one model."""

    model: str
    best_params: dict[str, Any]
    best_value: float
    default_value: float
    n_trials: int
    n_pruned: int
    study_name: str
    storage: str | None
    history: pd.DataFrame

    def summary(self) -> dict[str, Any]:
        """The manifest entry (``forecast.tuning.<model>``)."""
        return {"best_params": self.best_params, "best_value": self.best_value,
                "default_value": self.default_value, "n_trials": self.n_trials,
                "n_pruned": self.n_pruned, "study_name": self.study_name,
                "storage": self.storage}


def merge_space(space: Mapping[str, Any], overrides: Mapping[str, Any] | None,
                key: str) -> dict[str, dict[str, Any]]:
    """The class's search space with ``tuning.space.<model>`` entries replacing or adding
    parameters; each spec is checked."""
    merged = {name: dict(spec) for name, spec in space.items()}
    for name, spec in dict(overrides or {}).items():
        merged[name] = dict(spec)
    for name, spec in merged.items():
        kind = spec.get("type")
        if kind == "categorical":
            if not spec.get("choices"):
                raise ConfigError(f"config key {key}.{name} needs a non-empty choices list.")
        elif kind in ("int", "float"):
            if "low" not in spec or "high" not in spec or spec["low"] > spec["high"]:
                raise ConfigError(f"config key {key}.{name} needs low <= high.")
        else:
            raise ConfigError(f"config key {key}.{name}.type must be int, float or "
                              f"categorical, not {kind!r}.")
    return merged


def suggest(trial: Any, space: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    """Parameters for ``trial`` drawn from ``space``."""
    params = {}
    for name, spec in space.items():
        if spec["type"] == "int":
            params[name] = trial.suggest_int(name, int(spec["low"]), int(spec["high"]),
                                             log=bool(spec.get("log", False)))
        elif spec["type"] == "float":
            params[name] = trial.suggest_float(name, float(spec["low"]), float(spec["high"]),
                                               log=bool(spec.get("log", False)))
        else:
            params[name] = trial.suggest_categorical(name, list(spec["choices"]))
    return params


#: Optuna's MedianPruner settings: pruning starts once this many trials completed.
STARTUP_TRIALS = 3


def median_thresholds(study: Any) -> dict[int, float] | None:
    """Per backtest step, the median running metric of the study's completed trials: a
    trial whose best value so far is above it at that step is pruned (Optuna's
    MedianPruner rule); ``None`` while fewer than :data:`STARTUP_TRIALS` completed."""
    import optuna

    complete = study.get_trials(deepcopy=False, states=(optuna.trial.TrialState.COMPLETE,))
    if len(complete) < max(STARTUP_TRIALS, 1):
        return None
    steps = sorted({step for t in complete for step in t.intermediate_values})
    return {step: float(np.nanpercentile(
        [t.intermediate_values[step] for t in complete if step in t.intermediate_values], 50))
        for step in steps}


def _value(trial: FrozenTrial) -> float:
    """The objective value of a complete trial (Optuna types it optional)."""
    value = trial.value
    assert value is not None, f"trial {trial.number} has no value"
    return float(value)


def run_trial(item: tuple[Callable[[dict[str, Any]], Iterator[float]], dict[str, Any],
                          dict[int, float] | None]) -> tuple[list[float], str, str]:
    """One trial (module level, so any executor can ship it): ``(windows, params,
    thresholds)`` -> ``(running values, state, error)``; state is ``complete``, ``pruned``
    (a threshold was beaten, or a value was not finite) or ``fail`` (a ``ValueError``)."""
    windows, params, thresholds = item
    values: list[float] = []
    try:
        value = math.nan
        for step, value in enumerate(windows(params)):
            if not math.isfinite(value):
                break
            values.append(float(value))
            limit = (thresholds or {}).get(step, math.nan)
            if not math.isnan(limit) and min(values) > limit:
                return values, "pruned", ""
    except ValueError as exc:
        return values, "fail", f"{type(exc).__name__}: {exc}"
    return values, "complete" if math.isfinite(value) else "pruned", ""


def tune(model: str, defaults: Mapping[str, Any], space: Mapping[str, Mapping[str, Any]],
         windows: Callable[[dict[str, Any]], Iterator[float]], *, n_trials: int,
         timeout: float | None, storage: str | None, study_name: str,
         seed: int = 0, executor: Any = None, batch_size: int = 1,
         progress: Callable[[int, int], None] | None = None) -> TuningResult:
    """Minimise the backtest metric of ``model`` over ``space``.

    :param defaults: the untuned settings; trial 0 evaluates them (restricted to ``space``).
    :param windows: given full settings, yields the running metric after each backtest
        window (the last value is the objective); picklable when ``executor`` ships tasks.
    :param storage: an Optuna storage URL (e.g. ``sqlite:///tuning.db``); None = in memory.
    :param executor: evaluates each batch of trials (``None`` = in this process).
    :param batch_size: trials asked of Optuna, run, then told, at a time.
    """
    import optuna

    from salesforge.exec.local import LocalExecutor

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    study = optuna.create_study(
        study_name=study_name, storage=storage, direction="minimize", load_if_exists=True,
        sampler=optuna.samplers.TPESampler(seed=seed),
        pruner=optuna.pruners.MedianPruner(n_startup_trials=STARTUP_TRIALS, n_warmup_steps=0))
    first = len(study.trials)
    untuned = {k: defaults[k] for k in space if k in defaults}
    study.enqueue_trial(untuned, skip_if_exists=True)
    executor = executor or LocalExecutor()
    shared = executor.share(windows)
    started, done, n_trials = time.monotonic(), 0, int(n_trials)
    while done < n_trials and (timeout is None or time.monotonic() - started < timeout):
        trials = [study.ask() for _ in range(min(int(batch_size), n_trials - done))]
        thresholds = median_thresholds(study)
        items = [(shared, {**defaults, **suggest(t, space)}, thresholds) for t in trials]
        results = executor.map(run_trial, items, progress=None if progress is None else (
            lambda d, _, base=done: (d or not base) and progress(base + d, n_trials)))
        for trial, (values, state, error) in zip(trials, results, strict=True):
            for step, value in enumerate(values):
                trial.report(value, step)
            if state == "complete":
                study.tell(trial, values[-1])
            elif state == "pruned":
                study.tell(trial, state=optuna.trial.TrialState.PRUNED)
            else:
                log.warning("tuning %s: trial %d failed: %s", model, trial.number, error)
                study.tell(trial, state=optuna.trial.TrialState.FAIL)
        done += len(trials)
    complete = [t for t in study.trials if t.state == optuna.trial.TrialState.COMPLETE]
    if not complete:
        raise ConfigError(f"tuning {model} finished no trial; raise tuning.n_trials or "
                          "tuning.timeout.")
    session = study.trials[first:]
    default_value = next((_value(t) for t in complete if t.params == untuned), math.nan)
    history = study.trials_dataframe(attrs=("number", "value", "state", "params",
                                            "duration"))
    history.insert(0, "model", model)
    best = study.best_trial
    return TuningResult(
        model=model, best_params={**dict(defaults), **best.params},
        best_value=_value(best), default_value=float(default_value),
        n_trials=len(session),
        n_pruned=sum(t.state == optuna.trial.TrialState.PRUNED for t in session),
        study_name=study_name, storage=storage, history=history)


@dataclass
class BacktestObjective:
    """``windows(params)`` of :func:`tune` for a registered forecaster: the running backtest
    metric of ``info.cls`` built from ``params`` (checked against its config schema, as
    ``forecaster.<name>`` settings) on ``plan``. Picklable: executors ship it to workers."""

    info: Any   # the forecaster's ComponentInfo (class and config schema)
    plan: Any   # the forecast stage's Plan

    def __call__(self, params: dict[str, Any]) -> Iterator[float]:
        from salesforge.forecast.engine import running_metric
        from salesforge.registry import validate_settings

        settings = validate_settings(self.info, dict(params),
                                     key=f"forecaster.{self.info.name}")
        return running_metric(lambda: self.info.cls(**settings), self.plan)


TUNING_CSV = RunLayout.TUNING
TUNING_DB = RunLayout.TUNING_DB


def tune_selected(ctx: RunContext, selected: Mapping[str, dict[str, Any]], baseline: str,
                  plan: Any) -> dict[str, TuningResult]:
    """Tune the selected forecasters the ``tuning`` config names (every one with a
    search space but the baseline when ``tuning.models`` is empty); writes the trial
    history to ``forecast/tuning.csv``. Returns model -> result (empty when disabled)."""
    cfg = ctx.config.tuning
    if not cfg.enabled:
        return {}
    n_trials, batch_size = cfg.n_trials, cfg.batch_size
    for key, value in (("n_trials", n_trials), ("batch_size", batch_size)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ConfigError(f"config key tuning.{key} must be a whole number of at least 1, "
                              f"not {value!r}.")
    wanted = list(cfg.models)
    unknown = [m for m in wanted if m not in selected]
    if unknown:
        raise ConfigError(f"config key tuning.models names {unknown[0]!r}, which is not a "
                          f"selected forecaster ({', '.join(selected)}).")
    overrides = dict(cfg.space)
    storage = cfg.storage or f"sqlite:///{ctx.path(TUNING_DB)}"
    tuned: dict[str, TuningResult] = {}
    for name, settings in selected.items():
        info = ctx.plugins.registry.get("forecaster", name)
        if (wanted and name not in wanted) or (not wanted and name == baseline):
            continue
        forecaster: type[Forecaster] = info.cls
        space = merge_space(forecaster.search_space, overrides.get(name),
                            f"tuning.space.{name}")
        if not space:
            continue
        defaults = {**info.settings(), **settings}
        tuned[name] = tune(
            name, defaults, space, BacktestObjective(info, plan), n_trials=n_trials,
            timeout=cfg.timeout, storage=storage, study_name=cfg.study_name or name,
            seed=cfg.seed, executor=ctx.executor(), batch_size=batch_size,
            progress=partial(ctx.report_progress, "forecast", f"tuning {name}"))
    if tuned:
        history = pd.concat([r.history for r in tuned.values()], ignore_index=True)
        history.to_csv(ctx.path(TUNING_CSV), index=False)
        ctx.record_artifact("tuning", TUNING_CSV)
    return tuned
