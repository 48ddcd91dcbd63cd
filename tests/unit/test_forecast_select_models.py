"""The ``combination`` forecaster (scored on its members' backtest rows, never refitted) and
``forecast.select=per_series`` (each series its best model, gated by its baseline)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from salesforge import run
from salesforge.base.forecaster import Forecaster
from salesforge.composition import compose
from salesforge.errors import ConfigError
from salesforge.forecast.backtest import cutoffs, window_scales
from salesforge.forecast.combination import CombinationForecaster, member_weights
from salesforge.forecast.engine import Plan, combination_outcome, evaluate_models
from salesforge.forecast.evaluation import window_metric
from salesforge.forecast.predict import predict_saved
from salesforge.forecast.seasonal_naive import SeasonalNaiveForecaster
from salesforge.forecast.selection import (
    SELECTION,
    gated_choice,
    out_of_window,
    per_series_choice,
)
from salesforge.forecast.series import sample_series
from salesforge.plugin.manager import build_plugin_manager

QUICK = ["stages.segment=false", "stages.detect=false", "stages.analytics=false",
         "stages.report=false", "forecast.intermittent=[]",
         "forecast.freq=W", "forecast.horizon=4", "backtest.windows=3"]
KEYS = ["series_id", "cutoff", "ds"]


def config(*overrides: str):
    return compose([*QUICK, *overrides])


@pytest.fixture(scope="module")
def members():
    """Three seasonal-naive variants evaluated on the sample's weekly category series."""
    series = sample_series(freq="W", by=["category"])
    points = cutoffs(series, 4, 3, 4)
    plan = Plan(series=series, freq="W", horizon=4, cutoffs=points, levels=[0.8],
                scale=window_scales(series, points, "W", 4), metric="mase")
    outcomes = evaluate_models({f"naive_{m}": SeasonalNaiveForecaster(season_length=m)
                                for m in (1, 4, 52)}, plan)
    return plan, outcomes


def test_median_combination_is_scored_on_the_members_rows_without_a_refit(members, monkeypatch):
    plan, outcomes = members
    fits = []
    monkeypatch.setattr(Forecaster, "fit", lambda self, *a, **k: fits.append(self))
    scored = pd.concat([o.backtest for o in outcomes], ignore_index=True)
    values = window_metric(scored, plan.scale, "mase")
    combined = combination_outcome("combination", CombinationForecaster(), outcomes, plan,
                                   values)
    assert fits == [], "the combination must not fit any model"
    expected = scored.groupby(KEYS)["y_pred"].median()
    got = combined.backtest.set_index(KEYS)["y_pred"]
    pd.testing.assert_series_equal(got.sort_index(), expected.reindex(got.index).sort_index(),
                                   check_names=False)
    assert len(got) == len(outcomes[0].backtest)
    ahead = pd.concat([o.forecast for o in outcomes]).groupby(["series_id", "ds"])["y_pred"]
    future = combined.forecast.set_index(["series_id", "ds"])["y_pred"]
    np.testing.assert_allclose(future, ahead.median().reindex(future.index))
    assert {"y_lo_80", "y_hi_80"} <= set(combined.backtest.columns)
    assert combined.model.members_ == [o.name for o in outcomes]


def test_weighted_combination_weights_each_window_by_the_other_windows(members):
    plan, outcomes = members
    scored = pd.concat([o.backtest for o in outcomes], ignore_index=True)
    values = window_metric(scored, plan.scale, "mase")
    model = CombinationForecaster(method="weighted")
    combined = combination_outcome("combination", model, outcomes, plan, values)
    names = [o.name for o in outcomes]
    wide = scored.set_index([*KEYS, "model"])["y_pred"].unstack("model")[names]
    for cutoff in plan.cutoffs:
        others = values[values.index.get_level_values("cutoff") != cutoff]
        means = others.groupby(level="model").mean()
        weights = (1 / means[names]) / (1 / means[names]).sum()
        rows = wide[wide.index.get_level_values("cutoff") == cutoff]
        got = combined.backtest.set_index(KEYS)["y_pred"].reindex(rows.index)
        np.testing.assert_allclose(got, rows.to_numpy() @ weights.to_numpy())
    overall = values.groupby(level="model").mean()
    assert model.weights_ == pytest.approx(
        {n: (1 / overall[n]) / sum(1 / overall[m] for m in names) for n in names})
    assert member_weights(values, names) == pytest.approx(model.weights_)


def test_the_gate_keeps_the_baseline_where_no_model_beats_it():
    values = pd.DataFrame({"naive": [1.0, 1.0, np.nan, 1.0],
                           "a": [0.5, 1.2, 0.3, np.nan],
                           "b": [0.7, 1.0, 0.2, np.nan]}, index=["s1", "s2", "s3", "s4"])
    chosen = gated_choice(values, "naive")
    assert chosen.to_dict() == {"s1": "a", "s2": "naive", "s3": "naive", "s4": "naive"}


def test_per_series_backtest_choices_come_from_the_other_windows():
    cut = pd.to_datetime(["2024-01-07", "2024-01-14", "2024-01-21"])
    rows = {  # model -> series -> metric per window
        "naive": {"x": [1.0, 1.0, 1.0], "y": [1.0, 1.0, 1.0]},
        "a": {"x": [0.5, 2.0, 0.6], "y": [1.5, 1.5, 1.5]},
        "b": {"x": [0.9, 0.9, 0.9], "y": [0.2, 3.0, 0.9]},
    }
    index = pd.MultiIndex.from_tuples(
        [(m, s, c) for m, by in rows.items() for s in by for c in cut],
        names=["model", "series_id", "cutoff"])
    values = pd.Series([v for by in rows.values() for vs in by.values() for v in vs],
                       index=index)
    loo = out_of_window(values)
    assert loo.loc[("x", cut[1]), "a"] == pytest.approx((0.5 + 0.6) / 2)
    backtest, future = per_series_choice(values, "naive")
    # x: a's other windows average 1.3, 0.55 and 1.25 against b's 0.9 each time
    assert [backtest[("x", c)] for c in cut] == ["b", "a", "b"]
    # y: b's other windows average 1.95, 0.55, 1.6 against the baseline's 1.0
    assert [backtest[("y", c)] for c in cut] == ["naive", "b", "naive"]
    assert future.to_dict() == {"x": "b", "y": "naive"}  # a: 1.033, b: 0.9; y: b 1.37 > 1


@pytest.fixture(scope="module")
def per_series_run(tmp_path_factory):
    root = tmp_path_factory.mktemp("per_series")
    result = run(config("forecaster=[seasonal_naive,linear,combination]",
                        "forecast.by=[category]", "forecast.select=per_series",
                        "forecast.save_models=true"), root / "run")
    assert result.ok, result.manifest.get("error")
    return root / "run", result.manifest["forecast"]


def test_stage_combination_rows_are_the_median_of_its_members(per_series_run):
    run_dir, forecast = per_series_run
    backtest = pd.read_csv(run_dir / "forecast/backtest.csv")
    members = backtest[backtest["model"].isin(["seasonal_naive", "linear"])]
    combined = backtest[backtest["model"] == "combination"].set_index(KEYS)["y_pred"]
    expected = members.groupby(KEYS)["y_pred"].median().reindex(combined.index)
    np.testing.assert_allclose(combined, expected, rtol=1e-9)
    assert {"combination", SELECTION} <= set(forecast["models"])
    assert forecast["settings"]["combination"]["method"] == "median"


def test_stage_per_series_choice_is_gated_by_each_series_baseline(per_series_run):
    run_dir, forecast = per_series_run
    assert forecast["select"] == "per_series" and forecast["best"] == SELECTION
    table = pd.read_csv(run_dir / "forecast/selection.csv")
    assert list(table.columns) == ["series_id", "demand_class", "adi", "cv2", "model", "how",
                                   "metric", "value", "baseline_value"]
    backtest = pd.read_csv(run_dir / "forecast/backtest.csv", parse_dates=["cutoff", "ds"])
    plain = backtest[backtest["model"] != SELECTION]
    by_series = pd.read_csv(run_dir / "forecast/metrics_by_series.csv")
    mase = by_series[(by_series["metric"] == "mase") & (by_series["model"] != SELECTION)
                     ].pivot(index="series_id", columns="model", values="value")
    for row in table.itertuples():
        others = mase.loc[row.series_id].drop("seasonal_naive")
        best_other = others.idxmin()
        if others.min() < mase.loc[row.series_id, "seasonal_naive"]:
            assert row.model == best_other and row.how == "per_series"
        else:
            assert row.model == "seasonal_naive" and row.how == "gate"
    chosen = backtest[backtest["model"] == SELECTION]
    assert len(chosen) == len(plain[plain["model"] == "seasonal_naive"])
    future = pd.read_csv(run_dir / "forecast/forecast.csv")
    picked = future[future["model"] == SELECTION].set_index(["series_id", "ds"])["y_pred"]
    source = future.merge(table[["series_id", "model"]], on=["series_id", "model"])
    np.testing.assert_allclose(picked, source.set_index(["series_id", "ds"])["y_pred"]
                               .reindex(picked.index))
    summary = forecast["selection"]
    assert sum(summary["chosen"].values()) == len(table) == forecast["series"]
    assert summary["file"] == "forecast/selection.csv"
    assert "per_series" in forecast["best_reason"]


def test_combination_settings_are_checked(tmp_path):
    with pytest.raises(ConfigError, match=r"forecaster\.combination\.members names 'prophet'"):
        run(config("forecaster=[seasonal_naive,linear,combination]",
                   "forecaster.combination.members=[linear,prophet]"), tmp_path / "a")
    with pytest.raises(ConfigError, match=r"forecaster\.combination\.members needs at least"):
        run(config("forecaster=[seasonal_naive,combination]"), tmp_path / "b")
    with pytest.raises(ConfigError, match=r"forecast\.select must be one of global, per_se"):
        run(config("forecast.select=each"), tmp_path / "c")


def test_predict_repeats_the_combination_and_the_per_series_choice(per_series_run):
    run_dir, forecast = per_series_run
    registry = build_plugin_manager().registry
    written = pd.read_csv(run_dir / "forecast/forecast.csv", dtype={"series_id": str},
                          parse_dates=["ds"])
    for folder, model in ((run_dir / "models/combination", "combination"),
                          (run_dir, SELECTION)):
        ahead = predict_saved(folder, None, registry)
        expected = written[written["model"] == model]
        assert set(ahead["model"]) == {model} and len(ahead) == len(expected)
        merged = ahead.merge(expected, on=["series_id", "ds"], suffixes=("", "_run"))
        assert len(merged) == len(expected)
        np.testing.assert_allclose(merged["y_pred"], merged["y_pred_run"], rtol=1e-6)
        np.testing.assert_allclose(merged["y_hi"], merged["y_hi_run"], rtol=1e-6)
    assert "combination" in forecast["saved_models"]
