"""Executors and the work they run: local joblib workers give the results of the in-process
run; forecasting split by series, batched Optuna trials and per-partition detection equal
their sequential forms."""

from __future__ import annotations

import math

import numpy as np
import optuna
import pandas as pd
import pytest

from salesforge.detect import partitions
from salesforge.errors import ConfigError, DataError
from salesforge.exec.dask import DaskExecutor
from salesforge.exec.local import LocalExecutor
from salesforge.forecast import tasks
from salesforge.forecast.backtest import cutoffs, naive_scale
from salesforge.forecast.engine import Plan, evaluate, evaluate_models
from salesforge.forecast.linear import LinearForecaster
from salesforge.forecast.seasonal_naive import SeasonalNaiveForecaster
from salesforge.forecast.series import build_series
from salesforge.forecast.tuning import tune
from salesforge.plugin.manager import build_plugin_manager
from salesforge.testing import example_transactions


def cube(x: int) -> int:
    return x ** 3


def test_local_executor_in_process_and_on_two_workers_returns_results_in_order():
    items = list(range(20))[::-1]
    seen = []
    assert LocalExecutor().map(cube, items, progress=lambda d, t: seen.append((d, t))) == \
        [x ** 3 for x in items]
    assert seen == [(d, 20) for d in range(0, 21)]
    for backend in ("loky", "threading"):
        assert LocalExecutor(n_jobs=2, backend=backend).map(cube, items) == \
            [x ** 3 for x in items]
    assert LocalExecutor(n_jobs=-1).workers >= 1


@pytest.mark.parametrize(("executor", "message"), [
    (LocalExecutor(n_jobs=0), r"executor\.n_jobs must be a whole number other than 0"),
    (LocalExecutor(n_jobs=2, backend="mpi"), r"executor\.backend must be one of loky"),
    (DaskExecutor(n_workers=0), r"executor\.n_workers must be a whole number of at least 1"),
])
def test_bad_executor_settings_name_their_config_key(executor, message):
    with pytest.raises(ConfigError, match=message):
        executor.map(cube, [1, 2])


def test_an_unreachable_dask_scheduler_is_one_sentence_naming_executor_address():
    executor = DaskExecutor(address="tcp://127.0.0.1:9", timeout=1.0)
    with pytest.raises(ConfigError, match=r"executor\.address: cannot reach a Dask scheduler "
                                          r"at tcp://127\.0\.0\.1:9"):
        executor.map(cube, [1])
    executor.close()


@pytest.fixture(scope="module")
def plan() -> Plan:
    clean = example_transactions()
    series = build_series(clean, "revenue", "D", ["product"])
    points = cutoffs(series, 14, 3, 14)
    return Plan(series=series, freq="D", horizon=14, cutoffs=points, levels=[0.8, 0.95],
                scale=naive_scale(series, points[0], "D"), metric="mase")


def test_series_groups_are_consecutive_sorted_series_that_add_up_to_the_whole(plan):
    groups = tasks.series_groups(plan.series, size=4)
    ids = [sorted(g["series_id"].unique()) for g in groups]
    assert [len(i) for i in ids][:-1] == [4] * (len(ids) - 1) and 1 <= len(ids[-1]) <= 4
    assert [i for part in ids for i in part] == sorted(plan.series["series_id"].unique())
    assert sum(len(g) for g in groups) == len(plan.series)
    assert len(tasks.series_groups(plan.series)) == 1  # 15 series: far below the default


def test_a_per_series_forecaster_split_into_groups_matches_one_fit(plan, monkeypatch):
    whole = evaluate("seasonal_naive", SeasonalNaiveForecaster, plan)
    monkeypatch.setattr(tasks, "SERIES_PER_TASK", 4)
    split = evaluate_models({"seasonal_naive": SeasonalNaiveForecaster(),
                             "linear": LinearForecaster()}, plan, LocalExecutor(n_jobs=2))
    assert plan.series["series_id"].nunique() > 8  # so there are several groups
    pd.testing.assert_frame_equal(split[0].backtest, whole.backtest, rtol=1e-12)
    pd.testing.assert_frame_equal(split[0].forecast, whole.forecast, rtol=1e-12)
    pd.testing.assert_frame_equal(split[0].widths, whole.widths)
    assert split[0].model.last_season_.keys() == whole.model.last_season_.keys()
    pd.testing.assert_series_equal(split[0].model.last_ds_, whole.model.last_ds_)
    linear = evaluate("linear", LinearForecaster, plan)
    # The lag models' design is float32: a worker process may sum in another order
    # (BLAS threads), so the global model agrees to float32 precision, not bit for bit.
    pd.testing.assert_frame_equal(split[1].forecast, linear.forecast, rtol=1e-6)


def test_combining_global_models_fitted_on_groups_is_refused(plan):
    groups = tasks.series_groups(plan.series, size=8)
    parts = [LinearForecaster().fit(g, "D") for g in groups[:2]]
    with pytest.raises(ValueError, match="per_series = True but its fitted attribute"):
        tasks.combine_fitted(parts)


SPACE = {"x": {"type": "float", "low": 0.0, "high": 10.0}}


def toy_windows(params):
    """Running metric of a toy model over four windows: better near x = 3, noisier later."""
    for step in range(4):
        yield (params["x"] - 3.0) ** 2 + step * 0.1 * params["x"]


def reference_tune(n_trials: int) -> list[tuple]:
    """The sequential study.optimize loop with Optuna's own MedianPruner."""
    study = optuna.create_study(direction="minimize",
                                sampler=optuna.samplers.TPESampler(seed=0),
                                pruner=optuna.pruners.MedianPruner(n_startup_trials=3,
                                                                   n_warmup_steps=0))
    study.enqueue_trial({"x": 5.0})

    def objective(trial):
        value = math.nan
        for step, value in enumerate(toy_windows({"x": trial.suggest_float("x", 0, 10)})):
            trial.report(value, step)
            if trial.should_prune():
                raise optuna.TrialPruned()
        return value

    study.optimize(objective, n_trials=n_trials)
    return [(t.params, t.state.name, t.value, dict(t.intermediate_values))
            for t in study.trials]


def history(result) -> list[tuple]:
    frame = result.history
    return [(r.params_x, r.state, r.value) for r in frame.itertuples()]


def test_batch_size_one_is_exactly_the_sequential_study_with_optunas_pruner():
    result = tune("toy", {"x": 5.0}, SPACE, toy_windows, n_trials=12, timeout=None,
                  storage=None, study_name="toy", seed=0)
    reference = reference_tune(12)
    assert [(p["x"], s, v) for p, s, v, _ in reference] == history(result)
    assert result.n_pruned == sum(s == "PRUNED" for _, s, _, _ in reference) > 0


def test_batched_trials_depend_on_the_batch_size_not_on_the_executor():
    kwargs = {"n_trials": 8, "timeout": None, "storage": None, "study_name": "toy",
              "seed": 0, "batch_size": 3}
    here = tune("toy", {"x": 5.0}, SPACE, toy_windows, **kwargs)
    seen = []
    workers = tune("toy", {"x": 5.0}, SPACE, toy_windows, executor=LocalExecutor(n_jobs=2),
                   progress=lambda d, t: seen.append((d, t)), **kwargs)
    assert history(here) == history(workers) and here.n_trials == 8
    assert [d for d, _ in seen] == list(range(9)) and seen[-1] == (8, 8)
    assert history(here)[0][0] == 5.0, "the untuned settings are still the first trial"
    assert here.best_value <= here.default_value


@pytest.fixture(scope="module")
def sales() -> pd.DataFrame:
    return example_transactions()


def mad(contamination=None):
    registry = build_plugin_manager(entry_points=False).registry
    return registry.create("detector", "mad", {"contamination": contamination})


def test_partitions_score_alone_and_equal_on_any_executor(sales):
    here = partitions.score_transactions(sales, mad(0.05), "region")
    workers = partitions.score_transactions(sales, mad(0.05), "region",
                                            LocalExecutor(n_jobs=2))
    np.testing.assert_array_equal(here.scores, workers.scores)
    assert here.reasons == workers.reasons and here.partitions == workers.partitions
    regions = sorted(sales["region"].astype(str).unique())
    assert list(here.partitions) == regions
    for region, info in here.partitions.items():  # each partition thresholded on its own
        rows = (sales["region"] == region).to_numpy()
        assert info["rows"] == rows.sum() and info["flagged"] == here.flags[rows].sum()
        assert 0.03 <= here.flags[rows].mean() <= 0.08, region
    alone = partitions.score_partition((mad(0.05), sales[sales["region"] == regions[0]]))
    np.testing.assert_array_equal(here.scores[(sales["region"] == regions[0]).to_numpy()],
                                  alone.scores)
    assert "quantity_vs_product_region" not in here.inputs.columns  # one region each


def test_unusable_partition_columns_name_detect_partition_by(sales):
    with pytest.raises(ConfigError, match=r"detect\.partition_by names column 'shop'"):
        partitions.score_transactions(sales, mad(), "shop")
    with pytest.raises(DataError, match=r"detect\.partition_by=order_id gives partition"):
        partitions.score_transactions(sales, mad(), "order_id")
