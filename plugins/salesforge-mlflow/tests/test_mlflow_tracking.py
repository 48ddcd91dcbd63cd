"""salesforge-mlflow, tested the way a third-party plugin tests itself: installed, found through
its entry point, never imported by the core, and logging real runs of the bundled sample to a
local MLflow tracking store that ``mlflow.search_runs`` then reads back."""

from __future__ import annotations

import importlib.metadata
import json
from pathlib import Path

import mlflow
import pytest
from mlflow import MlflowClient
from salesforge_mlflow import plugin as mlflow_plugin
from salesforge_mlflow.records import metrics_from_manifest, params_from_config
from salesforge_mlflow.settings import DEFAULT_ARTIFACTS, settings_from_config

from salesforge.composition import compose
from salesforge.config import register_component_configs
from salesforge.errors import ConfigError
from salesforge.forecast.predict import predict_saved
from salesforge.plugin.manager import build_plugin_manager
from salesforge.runner import run
from salesforge.testing import modules_loaded_by_core

DIST = "salesforge-mlflow"
#: A full run of the sample, made small: every stage, fewer backtest windows, no PNG charts.
SMALL = ["backtest.windows=2", "forecast.horizon=14", "report.png=false"]


@pytest.fixture(scope="module")
def plugins():
    pm = build_plugin_manager()
    register_component_configs(pm.registry)
    return pm


def compose_run(*overrides: str):
    return compose(list(overrides))


def sqlite_uri(folder: Path) -> str:
    return f"sqlite:///{folder / 'mlflow.db'}"


def search_runs(uri: str, experiment: str = "salesforge") -> list:
    """``mlflow.search_runs`` against the tracking store at ``uri``."""
    mlflow.set_tracking_uri(uri)
    try:
        return mlflow.search_runs(experiment_names=[experiment], output_format="list")
    finally:  # set_tracking_uri also exports $MLFLOW_TRACKING_URI, which would switch
        mlflow.set_tracking_uri(None)  # tracking on for every later run in this process


@pytest.fixture(scope="module")
def tracked(plugins, tmp_path_factory):
    """One real run of the sample logged to a SQLite tracking store."""
    root = tmp_path_factory.mktemp("mlflow")
    cfg = compose_run(*SMALL, f"+mlflow.tracking_uri={sqlite_uri(root)}",
                      "+mlflow.experiment=sample", f"+mlflow.artifact_location={root / 'art'}",
                      "+mlflow.tags={team: forecasting}")
    result = run(cfg, root / "run", plugins=plugins)
    found = search_runs(sqlite_uri(root), "sample")
    return result, found, MlflowClient(sqlite_uri(root))


# 1. discovery --------------------------------------------------------------------------


def test_found_through_its_entry_point(plugins):
    advertised = {ep.name: ep for ep in importlib.metadata.entry_points(group="salesforge")}
    assert advertised["mlflow"].dist.name == DIST
    assert advertised["mlflow"].value == "salesforge_mlflow.plugin"
    assert plugins.distributions["mlflow"] == (DIST, importlib.metadata.version(DIST))
    assert plugins.get_plugin("mlflow") is mlflow_plugin
    assert not plugins.failures


@pytest.mark.slow  # a fresh interpreter (or a long fit): the full tier runs it
def test_the_core_never_imports_the_plugin_and_discovery_never_imports_mlflow():
    assert modules_loaded_by_core(("salesforge_mlflow", "mlflow")) == []
    assert modules_loaded_by_core(("mlflow",), entry_points=True) == []


# 2. a successful run ---------------------------------------------------------------------


@pytest.mark.slow
def test_search_runs_finds_the_run_with_its_tags(tracked):
    result, found, _ = tracked
    assert len(found) == 1
    logged = found[0]
    manifest = result.manifest
    assert logged.info.status == "FINISHED"
    assert logged.info.run_name == manifest["run_id"]
    tags = logged.data.tags
    assert tags["salesforge.run_id"] == manifest["run_id"]
    assert tags["salesforge.status"] == "ok"
    assert tags["salesforge.config_hash"] == manifest["config_hash"]
    assert tags["salesforge.data_hash"] == manifest["data_hash"]
    assert tags["salesforge.version"] == manifest["salesforge_version"]
    assert tags["salesforge.best_model"] == manifest["forecast"]["best"]
    assert tags["team"] == "forecasting"
    assert manifest["extensions"]["mlflow"]["run_id"] == logged.info.run_id
    on_disk = json.loads((result.run_dir / "manifest.json").read_text())
    assert on_disk["extensions"]["mlflow"]["run_id"] == logged.info.run_id


@pytest.mark.slow
def test_params_are_the_flattened_resolved_config(tracked):
    result, found, _ = tracked
    params = found[0].data.params
    assert params["forecast.horizon"] == "14"
    assert params["backtest.windows"] == "2"
    assert params["forecast.target"] == "revenue"
    assert params == params_from_config(result.manifest["config"])
    assert "hydra.run.dir" not in params


@pytest.mark.slow
def test_metrics_come_from_the_manifest(tracked):
    result, found, _ = tracked
    metrics, manifest = found[0].data.metrics, result.manifest
    forecast = manifest["forecast"]
    for model, scores in forecast["models"].items():
        assert metrics[f"backtest.{model}.mase"] == pytest.approx(scores["mase"])
    assert metrics["best.mase"] == pytest.approx(forecast["models"][forecast["best"]]["mase"])
    assert metrics["data.rows_in"] == manifest["data"]["rows_in"] > 0
    assert metrics["data.rows_clean"] == manifest["data"]["rows_clean"]
    assert metrics["anomalies.flagged"] == manifest["anomalies"]["flagged"] > 0
    assert metrics["kpi.revenue"] == pytest.approx(manifest["analytics"]["kpis"]["revenue"])
    assert metrics["segments.n_segments"] == manifest["segments"]["n_segments"]
    for stage in ("load", "clean", "forecast", "report"):
        assert metrics[f"timing.{stage}"] == pytest.approx(manifest["timings"][stage], abs=1e-3)
    assert set(metrics_from_manifest(manifest)) <= set(metrics)


@pytest.mark.slow
def test_each_stage_time_is_logged_once(tracked):
    _, found, client = tracked
    history = client.get_metric_history(found[0].info.run_id, "timing.forecast")
    assert len(history) == 1


@pytest.mark.slow
def test_artifacts_and_fitted_forecasters_are_logged(tracked):
    result, found, client = tracked
    run_id = found[0].info.run_id
    top = {f.path for f in client.list_artifacts(run_id)}
    assert {"manifest.json", "forecast", "segments", "anomalies", "reports", "charts",
            "models"} <= top
    assert "data" not in top  # the cleaned copy of the input stays out by default
    forecast_files = {f.path for f in client.list_artifacts(run_id, "forecast")}
    assert {"forecast/leaderboard.csv", "forecast/forecast.csv"} <= forecast_files
    models = {f.path for f in client.list_artifacts(run_id, "models")}
    assert models == {f"models/{m}" for m in result.manifest["forecast"]["models"]}
    saved = client.list_artifacts(run_id, "models/linear")
    assert "models/linear/model.json" in {f.path for f in saved}
    local = Path(client.download_artifacts(run_id, "manifest.json", str(result.run_dir / "dl")))
    assert json.loads(local.read_text())["run_id"] == result.manifest["run_id"]
    reports = {f.path for f in client.list_artifacts(run_id, "reports/csv")}
    assert "reports/csv/kpis.csv" in reports


@pytest.mark.slow
def test_a_logged_forecaster_predicts_after_download(tracked, plugins):
    result, found, client = tracked
    best = result.manifest["forecast"]["best"]
    folder = client.download_artifacts(found[0].info.run_id, f"models/{best}",
                                       str(result.run_dir / "downloaded"))
    forecast = predict_saved(folder, 7, plugins.registry)
    assert len(forecast) == 7 and set(forecast["model"]) == {best}
    assert forecast["y_pred"].notna().all()


# 3. a failed run ---------------------------------------------------------------------------


@pytest.mark.slow
def test_a_failed_run_is_logged_as_failed(plugins, tmp_path):
    uri = sqlite_uri(tmp_path)
    missing = tmp_path / "missing.csv"
    cfg = compose_run(f"data.path={missing}", f"+mlflow.tracking_uri={uri}",
                      f"+mlflow.artifact_location={tmp_path / 'art'}")
    with pytest.raises(Exception, match=r"missing\.csv"):
        run(cfg, tmp_path / "run", plugins=plugins)
    (logged,) = search_runs(uri)
    assert logged.info.status == "FAILED"
    assert logged.data.tags["salesforge.status"] == "failed"
    assert logged.data.tags["salesforge.failed_stage"] == "load"
    assert "missing.csv" in logged.data.tags["salesforge.error"]
    top = {f.path for f in MlflowClient(uri).list_artifacts(logged.info.run_id)}
    assert "manifest.json" in top


@pytest.mark.slow
def test_a_file_store_needs_mlflows_opt_in(plugins, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    uri = (tmp_path / "mlruns").as_uri()
    cfg = compose_run("stages.segment=false", "stages.detect=false", "stages.analytics=false",
                      "stages.report=false", "backtest.windows=2", "forecast.horizon=7",
                      f"+mlflow.tracking_uri={uri}")
    monkeypatch.delenv("MLFLOW_ALLOW_FILE_STORE", raising=False)
    with pytest.raises(ConfigError, match=r"mlflow\.tracking_uri.*MLFLOW_ALLOW_FILE_STORE"):
        run(cfg, tmp_path / "refused", plugins=plugins)

    monkeypatch.setenv("MLFLOW_ALLOW_FILE_STORE", "true")
    result = run(cfg, tmp_path / "run", plugins=plugins)
    (logged,) = search_runs(uri)
    assert logged.data.tags["salesforge.run_id"] == result.manifest["run_id"]
    assert logged.data.metrics["best.mase"] > 0


# 4. switched on and off ----------------------------------------------------------------------


def test_off_without_a_tracking_uri(plugins, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    cfg = compose_run("stages.forecast=false", "stages.segment=false", "stages.detect=false",
                      "stages.analytics=false", "stages.report=false")
    result = run(cfg, tmp_path / "run", plugins=plugins)
    assert "mlflow" not in result.manifest["extensions"]
    assert not {"mlflow.db", "mlruns", "mlartifacts"} & {p.name for p in tmp_path.iterdir()}


def test_settings_from_config_and_environment():
    env = {"MLFLOW_TRACKING_URI": "sqlite:///x.db", "MLFLOW_EXPERIMENT_NAME": "exp"}
    assert not settings_from_config({}, environ={}).active
    from_env = settings_from_config({}, environ=env)
    assert from_env.active and from_env.tracking_uri == "sqlite:///x.db"
    assert from_env.experiment == "exp" and from_env.artifacts == DEFAULT_ARTIFACTS
    off = settings_from_config({"mlflow": {"enabled": False}}, environ=env)
    assert not off.active
    on = settings_from_config({"mlflow": {"enabled": True}}, environ={})
    assert on.active and on.tracking_uri is None and on.experiment == "salesforge"
    own = settings_from_config({"mlflow": {"tracking_uri": "sqlite:///y.db",
                                           "artifacts": ["forecast"]}}, environ=env)
    assert own.tracking_uri == "sqlite:///y.db" and own.artifacts == ("forecast",)


@pytest.mark.parametrize(("node", "key"), [
    ({"tracking_url": "x"}, "mlflow.tracking_url"),
    ({"enabled": "yes"}, "mlflow.enabled"),
    ({"artifacts": "forecast"}, "mlflow.artifacts"),
    ({"tags": ["a"]}, "mlflow.tags"),
])
def test_bad_settings_name_their_key(node, key):
    with pytest.raises(ConfigError, match=key.replace(".", r"\.")):
        settings_from_config({"mlflow": node}, environ={})


def test_an_unknown_setting_fails_the_run_naming_the_key(plugins, tmp_path):
    cfg = compose_run("stages.forecast=false", "stages.segment=false", "stages.detect=false",
                      "stages.analytics=false", "stages.report=false",
                      "+mlflow.experimnt=x")
    with pytest.raises(ConfigError, match=r"mlflow\.experimnt"):
        run(cfg, tmp_path / "run", plugins=plugins)
    assert json.loads((tmp_path / "run" / "manifest.json").read_text())["status"] == "failed"
