"""Scale out: backtest a large synthetic panel on the local and Dask executors.

    python benchmarks/scale.py [--series 10000] [--days 730] [--windows 2] [--horizon 28]
                               [--models seasonal_naive,xgboost] [--xgb-estimators 300]
                               [--workers 2]

A ``--series`` x ``--days`` daily panel (vectorised numpy: level, weekly pattern, trend,
noise) is backtested (``--windows`` rolling windows, then the final fit and forecast)
with each model, through the forecast stage's own task plumbing
(:func:`salesforge.forecast.engine.evaluate_models`), on

* ``local n_jobs=1`` (in this process: the baseline),
* ``local n_jobs=<workers>`` (joblib loky worker processes),
* ``dask <workers> workers`` (a LocalCluster of worker processes, 1 thread each).

Prints per model and executor: seconds, series/s, speed-up over the baseline, scaling
efficiency (speed-up / workers), peak memory (the driver's RSS plus the RSS of every
worker process, sampled every 0.2 s) and whether backtest and forecast equal the
baseline's (relative tolerance 1e-9). Never used in tests.
"""

from __future__ import annotations

import argparse
import contextlib
import threading
import time
from collections.abc import Callable
from typing import Any

import pandas as pd
import psutil

from salesforge.exec.dask import DaskExecutor
from salesforge.exec.local import LocalExecutor
from salesforge.forecast.backtest import cutoffs, naive_scale
from salesforge.forecast.engine import ModelOutcome, Plan, evaluate_models
from salesforge.plugin.manager import build_plugin_manager
from salesforge.testing import synthetic_panel


class PeakMemory:
    """Peak of (this process's RSS + every descendant's RSS), sampled in a thread."""

    def __init__(self, every: float = 0.2) -> None:
        self.every, self.peak, self._stop = every, 0, threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        me = psutil.Process()
        while not self._stop.is_set():
            total = me.memory_info().rss
            for child in me.children(recursive=True):
                with contextlib.suppress(psutil.Error):
                    total += child.memory_info().rss
            self.peak = max(self.peak, total)
            self._stop.wait(self.every)

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def equal(left: list[ModelOutcome], right: list[ModelOutcome]) -> bool:
    try:
        for a, b in zip(left, right, strict=True):
            pd.testing.assert_frame_equal(a.backtest, b.backtest, rtol=1e-9)
            pd.testing.assert_frame_equal(a.forecast, b.forecast, rtol=1e-9)
    except AssertionError:
        return False
    return True


def warm_up(_: int) -> str:
    """Import the forecasting code in a worker (start-up is not what is measured)."""
    import salesforge.forecast.tasks

    return salesforge.forecast.tasks.__name__


def run(label: str, make_executor: Callable[[], Any], models: dict[str, Any], plan: Plan,
        workers: int) -> tuple[list[ModelOutcome], float, int]:
    executor = make_executor()
    try:
        with PeakMemory() as memory:
            executor.map(warm_up, range(4 * workers))  # start workers outside the timing
            started = time.perf_counter()
            outcomes = evaluate_models(models, plan, executor)
            seconds = time.perf_counter() - started
    finally:
        executor.close()
    return outcomes, seconds, memory.peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--series", type=int, default=10_000)
    parser.add_argument("--days", type=int, default=730)
    parser.add_argument("--windows", type=int, default=2)
    parser.add_argument("--horizon", type=int, default=28)
    parser.add_argument("--models", default="seasonal_naive,xgboost")
    parser.add_argument("--xgb-estimators", type=int, default=300,
                        help="XGBoost trees (its default is 300; fewer for a quick run)")
    parser.add_argument("--workers", type=int, default=2)
    options = parser.parse_args()

    started = time.perf_counter()
    series = synthetic_panel(options.series, options.days)
    points = cutoffs(series, options.horizon, options.windows, options.horizon)
    plan = Plan(series=series, freq="D", horizon=options.horizon, cutoffs=points,
                levels=[0.8, 0.95], scale=naive_scale(series, points[0], "D"), metric="mase")
    print(f"panel: {options.series} series x {options.days} days = {len(series):,} rows "
          f"({time.perf_counter() - started:.1f} s to build); {options.windows} backtest "
          f"windows of {options.horizon} days + final fit; {psutil.cpu_count()} CPUs")
    pm = build_plugin_manager()
    settings = {"xgboost": {"n_estimators": options.xgb_estimators}}
    w = options.workers
    executors = [("local n_jobs=1", LocalExecutor, 1),
                 (f"local n_jobs={w}", lambda: LocalExecutor(n_jobs=w), w),
                 (f"dask {w} workers", lambda: DaskExecutor(n_workers=w), w)]
    print(f"{'model':<15} {'executor':<16} {'seconds':>8} {'series/s':>9} {'speed-up':>8} "
          f"{'efficiency':>10} {'peak MB':>8}  equal")
    for name in options.models.split(","):
        models = {name: pm.create("forecaster", name, settings.get(name, {}))}
        baseline, base_seconds = None, None
        for label, make, workers in executors:
            outcomes, seconds, peak = run(label, make, models, plan, workers)
            baseline = baseline or outcomes
            base_seconds = base_seconds or seconds
            speedup = base_seconds / seconds
            print(f"{name:<15} {label:<16} {seconds:8.1f} {options.series / seconds:9.1f} "
                  f"{speedup:8.2f} {speedup / workers:10.2f} {peak / 2**20:8.0f}  "
                  f"{equal(baseline, outcomes)}", flush=True)


if __name__ == "__main__":
    main()
