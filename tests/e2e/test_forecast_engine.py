"""End to end: the forecast engine through ``salesforge run`` and ``salesforge predict`` on
the bundled sample."""

from __future__ import annotations

import importlib.util
import json

import pandas as pd
import pytest

from salesforge.data.sample import sample_path
from salesforge.forecast import reconcile as rec
from tests.conftest import run_cli

FIVE = "forecaster=[seasonal_naive,linear,random_forest,xgboost,prophet]"
#: Only the stages the forecast needs: faster runs, same forecast code.
FORECAST_ONLY = ["stages.segment=false", "stages.detect=false", "stages.analytics=false",
                 "stages.report=false"]
METRICS = {"mae", "rmse", "r2", "mape", "smape", "mase", "bias", "coverage", "coverage_80",
           "coverage_95"}

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("salesforge_prophet") is None
    or importlib.util.find_spec("salesforge_xgboost") is None,
    reason="needs plugins/salesforge-xgboost and plugins/salesforge-prophet installed")


@pytest.fixture(scope="module")
def five(tmp_path_factory):
    root = tmp_path_factory.mktemp("five")
    run_dir = root / "run"
    result = run_cli("run", FIVE, *FORECAST_ONLY, f"hydra.run.dir={run_dir}", cwd=root)
    assert result.returncode == 0, result.stderr
    return run_dir, json.loads((run_dir / "manifest.json").read_text())


@pytest.mark.slow
def test_five_families_fill_backtest_forecast_leaderboard_and_manifest(five):
    run_dir, manifest = five
    forecast = manifest["forecast"]
    names = ["seasonal_naive", "linear", "random_forest", "xgboost", "prophet"]
    assert list(forecast["models"]) == names
    for name in names:
        assert METRICS <= set(forecast["models"][name]), name
    backtest = pd.read_csv(run_dir / "forecast/backtest.csv")
    future = pd.read_csv(run_dir / "forecast/forecast.csv")
    leaderboard = pd.read_csv(run_dir / "forecast/leaderboard.csv")
    assert list(backtest.columns) == ["series_id", "cutoff", "ds", "model", "y_true", "y_pred",
                                      "y_lo", "y_hi", "y_lo_95", "y_hi_95"]
    assert list(future.columns) == ["series_id", "ds", "model", "y_pred", "y_lo", "y_hi",
                                    "y_lo_95", "y_hi_95"]
    assert set(backtest["model"]) == set(future["model"]) == set(names)
    windows = manifest["forecast"]["backtest_windows"]
    assert len(future) == 5 * 28 and len(backtest) == 5 * windows * 28
    assert (future["y_lo_95"] <= future["y_lo"]).all() and (future["y_lo"] >= 0).all()
    assert (future["y_lo"] <= future["y_pred"]).all() and (future["y_pred"] <= future["y_hi"]).all()
    assert {"mase", "fva_pct", "coverage", "coverage_95"} <= set(leaderboard["metric"])
    assert "coverage_80" not in set(leaderboard["metric"])  # the primary level is `coverage`
    importance = pd.read_csv(run_dir / "forecast/importance.csv")
    assert set(importance["model"]) == {"linear", "random_forest", "xgboost", "prophet"}
    for name in names:
        assert (run_dir / forecast["saved_models"][name]).is_file()
    assert not list(run_dir.rglob("*.pkl")) and not list(run_dir.rglob("*.pickle"))


@pytest.mark.slow
def test_best_model_beats_the_seasonal_naive_by_15_percent_on_total_daily_revenue(five):
    _, manifest = five
    forecast = manifest["forecast"]
    best, baseline = forecast["best"], forecast["baseline"]
    assert best != baseline and forecast["selection_metric"] == "mase"
    ratio = forecast["models"][best]["mase"] / forecast["models"][baseline]["mase"]
    assert ratio <= 0.85, f"{best}: MASE ratio {ratio:.3f}"
    assert best in forecast["best_reason"] and "below the baseline" in forecast["best_reason"]
    assert forecast["value_added_pct"][best] >= 15.0


@pytest.mark.slow
def test_coverage_of_every_model_is_reported_near_its_level(five):
    _, manifest = five
    for name, metrics in manifest["forecast"]["models"].items():
        assert 0.6 <= metrics["coverage"] <= 1.0, name
        assert metrics["coverage_95"] >= metrics["coverage"] - 1e-9, name


@pytest.mark.slow
def test_predict_forecasts_forward_from_the_run_directory(five, tmp_path):
    run_dir, manifest = five
    out = tmp_path / "ahead.csv"
    result = run_cli("predict", f"model={run_dir}", "forecast.horizon=40", f"out={out}",
                     cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    ahead = pd.read_csv(out)
    best = manifest["forecast"]["best"]
    assert len(ahead) == 40 and set(ahead["model"]) == {best}
    written = pd.read_csv(run_dir / "forecast/forecast.csv")
    written = written[written["model"] == best].reset_index(drop=True)
    pd.testing.assert_series_equal(ahead["y_pred"].head(28), written["y_pred"],
                                   check_exact=False, rtol=1e-6)
    pd.testing.assert_series_equal(ahead["y_hi"].head(28), written["y_hi"],
                                   check_exact=False, rtol=1e-6)


@pytest.mark.slow
def test_tuning_ten_trials_matches_or_beats_the_untuned_model_in_a_shared_sweep(five, tmp_path):
    """A Hydra -m sweep of two jobs shares one SQLite study: job 0 runs 10 trials (the first
    is the untuned settings), job 1 resumes the same study with 3 more."""
    _, untuned = five
    storage = f"sqlite:///{tmp_path / 'shared.db'}"
    result = run_cli("run", "-m", "forecaster=[seasonal_naive,linear]", *FORECAST_ONLY,
                     "tuning.enabled=true", "tuning.n_trials=10,3", f"tuning.storage={storage}",
                     f"hydra.sweep.dir={tmp_path / 'sweep'}", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    first, second = (json.loads((tmp_path / "sweep" / job / "manifest.json").read_text())
                     ["forecast"] for job in ("0", "1"))
    before = untuned["forecast"]["models"]["linear"]["mase"]
    study = first["tuning"]["linear"]
    assert set(first["tuning"]) == {"linear"} and study["n_trials"] == 10
    assert study["default_value"] == pytest.approx(before, rel=1e-6)
    after = first["models"]["linear"]["mase"]
    assert after <= before + 1e-9 and after == pytest.approx(study["best_value"], rel=1e-6)
    assert first["settings"]["linear"] == study["best_params"]
    assert study["storage"] == storage
    resumed = second["tuning"]["linear"]
    assert resumed["n_trials"] == 3 and resumed["best_value"] <= study["best_value"]
    history = pd.read_csv(tmp_path / "sweep" / "1" / "forecast/tuning.csv")
    assert len(history) == 13, "job 1 sees the trials of job 0 in the shared study"


@pytest.mark.slow
def test_hierarchy_reconciled_with_mint_adds_up(tmp_path):
    run_dir = tmp_path / "mint"
    result = run_cli("run", "forecaster=[seasonal_naive,linear]", *FORECAST_ONLY,
                     "forecast.by=[category,product]", "forecast.reconcile=mint",
                     "forecast.horizon=14", f"hydra.run.dir={run_dir}", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    forecast = json.loads((run_dir / "manifest.json").read_text())["forecast"]
    assert forecast["reconcile"] == {"method": "mint", "levels": 3, "coherent": True}
    assert forecast["series"] == 20
    clean = pd.read_parquet(run_dir / "data/clean.parquet")
    _, keys = rec.hierarchy_series(clean, "revenue", "D", ["category", "product"])
    future = pd.read_csv(run_dir / "forecast/forecast.csv", parse_dates=["ds"])
    for _, rows in future.groupby("model"):
        assert rec.is_coherent(rows, keys)
    by_series = pd.read_csv(run_dir / "forecast/metrics_by_series.csv")
    assert by_series["series_id"].nunique() == 20
    fva = pd.read_csv(run_dir / "forecast/value_added.csv")
    assert set(fva["series_id"]) == {*by_series["series_id"], "all"}


@pytest.mark.slow
def test_a_series_too_short_falls_back_to_the_baseline_and_is_reported(tmp_path):
    sales = pd.read_csv(sample_path())
    sales["date"] = pd.to_datetime(sales["date"])
    late = (sales["product"] == "Webcam") & (sales["date"] < sales["date"].max()
                                             - pd.Timedelta(days=40))
    path = tmp_path / "late_launch.csv"
    sales[~late].to_csv(path, index=False)
    run_dir = tmp_path / "short"
    result = run_cli("run", f"data.path={path}", "forecaster=[seasonal_naive,linear]",
                     *FORECAST_ONLY, "forecast.by=[product]", "forecast.fill=gap",
                     "forecast.horizon=14", f"hydra.run.dir={run_dir}", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    forecast = json.loads((run_dir / "manifest.json").read_text())["forecast"]
    assert forecast["fallback"]["series"] == ["Webcam"] and forecast["fallback"]["count"] == 1
    assert "fewer than 14 periods" in forecast["fallback"]["reason"]
    future = pd.read_csv(run_dir / "forecast/forecast.csv")
    webcam = future[future["series_id"] == "Webcam"]
    assert set(webcam["model"]) == {"seasonal_naive"} and len(webcam) == 14
    backtest = pd.read_csv(run_dir / "forecast/backtest.csv")
    assert "Webcam" not in set(backtest["series_id"])
