"""End to end: ``salesforge run`` on the bundled sample leaves the full run directory."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from salesforge.data.sample import DEFAULT_ROWS, sample_path
from salesforge.schema import STAGES

MANIFEST_KEYS = {
    "salesforge_version", "run_id", "status", "started_at", "finished_at", "config",
    "config_hash", "data_hash", "plugins", "data", "forecast", "segments", "anomalies",
    "timings", "artifacts",
}
DATA_KEYS = {"source", "rows_in", "rows_clean", "rows_rejected", "rows_duplicate",
             "columns_mapped", "date_min", "date_max"}
ARTIFACTS = [
    "manifest.json", "data/clean.parquet", "data/rejected.csv", "forecast/backtest.csv",
    "forecast/forecast.csv", "forecast/leaderboard.csv", "segments/segments.csv",
    "anomalies/anomalies.csv", "reports/report_csv.zip", "reports/csv/kpis.csv",
]


@pytest.fixture(scope="module")
def default_run(tmp_path_factory):
    from tests.conftest import run_cli

    root = tmp_path_factory.mktemp("default")
    run_dir = root / "run"
    result = run_cli("run", f"hydra.run.dir={run_dir}", cwd=root)
    assert result.returncode == 0, result.stderr
    return run_dir, json.loads((run_dir / "manifest.json").read_text()), result


def test_run_writes_every_artifact_and_manifest_key(default_run):
    run_dir, manifest, result = default_run
    for artifact in ARTIFACTS:
        assert (run_dir / artifact).is_file(), artifact
    assert MANIFEST_KEYS <= set(manifest)
    assert DATA_KEYS <= set(manifest["data"])
    assert manifest["status"] == "ok"
    assert set(manifest["timings"]) == set(STAGES)
    assert all(manifest["stages"][s] == "ok" for s in STAGES)
    for key, relative in manifest["artifacts"].items():
        assert (run_dir / relative).is_file(), key
    assert f"results in {run_dir}" in result.stdout


def test_no_row_is_lost_and_clean_data_keeps_every_input_column(default_run):
    run_dir, manifest, _ = default_run
    data = manifest["data"]
    assert data["source"] == str(sample_path())
    assert data["rows_in"] == DEFAULT_ROWS
    assert data["rows_in"] == data["rows_clean"] + data["rows_rejected"] + data["rows_duplicate"]
    clean = pd.read_parquet(run_dir / "data/clean.parquet")
    assert len(clean) == data["rows_clean"]
    assert set(data["columns_in"]) <= set(clean.columns)
    assert (data["date_min"][:10], data["date_max"][:10]) == ("2022-01-01", "2023-12-31")


def test_forecast_outputs_follow_the_run_directory_contract(default_run):
    run_dir, manifest, _ = default_run
    backtest = pd.read_csv(run_dir / "forecast/backtest.csv")
    forecast = pd.read_csv(run_dir / "forecast/forecast.csv")
    leaderboard = pd.read_csv(run_dir / "forecast/leaderboard.csv")
    assert list(backtest.columns)[:8] == ["series_id", "cutoff", "ds", "model", "y_true",
                                          "y_pred", "y_lo", "y_hi"]
    assert list(forecast.columns)[:6] == ["series_id", "ds", "model", "y_pred", "y_lo", "y_hi"]
    horizon = manifest["forecast"]["horizon"]
    assert len(forecast) == horizon * len(manifest["forecast"]["models"])
    assert (forecast["y_lo"] <= forecast["y_pred"]).all()
    assert (forecast["y_pred"] <= forecast["y_hi"]).all()
    assert pd.to_datetime(forecast["ds"]).min() > pd.Timestamp(manifest["data"]["date_max"])
    assert {"mae", "rmse", "r2", "mape", "mase"} <= set(leaderboard["metric"])
    models = manifest["forecast"]["models"]
    assert set(models) == {"seasonal_naive", "linear", "window_median"}
    fitted = manifest["forecast"]["fitted"]["window_median"]  # the width its fit chose
    assert fitted["window"] in (7, 14, 28, 56)
    assert fitted["window_errors"][str(fitted["window"])] == min(fitted["window_errors"].values())
    best = manifest["forecast"]["best"]
    assert best in models and manifest["forecast"]["baseline"] == "seasonal_naive"
    if best != "seasonal_naive":
        assert models[best]["mase"] < models["seasonal_naive"]["mase"]


def test_segments_and_anomalies_are_named_and_explained(default_run):
    run_dir, manifest, _ = default_run
    segments = pd.read_csv(run_dir / "segments/segments.csv")
    assert len(segments) == 15 and segments["entity"].is_unique
    assert segments["segment_name"].nunique() == manifest["segments"]["n_segments"]
    anomalies = pd.read_csv(run_dir / "anomalies/anomalies.csv", dtype={"order_id": str})
    assert {"order_id", "anomaly_score", "detector", "reason"} <= set(anomalies.columns)
    assert anomalies["reason"].str.contains("the product median").all()
    evaluation = manifest["anomalies"]["evaluation"]
    assert evaluation["recall"] > 0.6 and evaluation["precision"] > 0.6


def test_stages_switch_off_and_leave_their_artifacts_out(cli, tmp_path):
    run_dir = tmp_path / "run"
    result = cli("run", "stages.forecast=false", "stages.segment=false", "stages.report=false",
                 f"hydra.run.dir={run_dir}")
    assert result.returncode == 0, result.stderr
    manifest = result.manifest(run_dir)
    assert manifest["stages"]["forecast"] == "skipped" and "forecast" not in manifest["timings"]
    assert not (run_dir / "forecast").exists() and not (run_dir / "reports").exists()
    assert (run_dir / "anomalies/anomalies.csv").exists()


def test_a_failing_stage_marks_the_manifest_failed_and_exits_non_zero(cli, tmp_path):
    run_dir = tmp_path / "run"
    result = cli("run", "forecast.horizon=5000", f"hydra.run.dir={run_dir}")
    assert result.returncode != 0
    manifest = result.manifest(run_dir)
    assert manifest["status"] == "failed"
    assert manifest["error"]["stage"] == "forecast"
    assert manifest["stages"]["forecast"] == "failed" and manifest["stages"]["report"] == "pending"
    assert "forecast.horizon" in result.stderr and "Traceback" not in result.stderr


def test_multirun_sweeps_forecasters_into_one_folder_each(cli, tmp_path):
    sweep = tmp_path / "sweep"
    result = cli("run", "-m", "forecaster=seasonal_naive,linear", "stages.segment=false",
                 "stages.detect=false", "stages.report=false", f"hydra.sweep.dir={sweep}")
    assert result.returncode == 0, result.stderr
    manifests = sorted(sweep.glob("*/manifest.json"))
    assert len(manifests) == 2
    chosen = [list(json.loads(p.read_text())["config"]["forecaster"]) for p in manifests]
    assert chosen == [["seasonal_naive"], ["linear"]]


def test_indonesian_columns_and_language(cli, tmp_path):
    sales = pd.read_csv(sample_path()).head(3000)
    indonesian = sales.rename(columns={"date": "Tanggal", "product": "Nama Barang",
                                       "category": "Kategori", "region": "Kota",
                                       "quantity": "Jumlah", "price": "Harga Satuan",
                                       "revenue": "Pendapatan", "order_id": "No Faktur"})
    indonesian["Catatan"] = "lunas"
    path = tmp_path / "penjualan.csv"
    indonesian.to_csv(path, index=False, sep=";")
    run_dir = tmp_path / "run"
    result = cli("run", f"data.path={path}", "report.language=id", "forecast.horizon=7",
                 f"hydra.run.dir={run_dir}")
    assert result.returncode == 0, result.stderr
    manifest = result.manifest(run_dir)
    assert manifest["data"]["columns_mapped"] == {
        "date": "Tanggal", "product": "Nama Barang", "category": "Kategori", "region": "Kota",
        "quantity": "Jumlah", "price": "Harga Satuan", "revenue": "Pendapatan",
        "order_id": "No Faktur"}
    assert manifest["analytics"]["insights"][0].startswith("Total pendapatan Rp ")
    clean = pd.read_parquet(run_dir / "data/clean.parquet")
    assert (clean["Catatan"] == "lunas").all()


def test_sample_command_makes_any_size(cli, tmp_path):
    result = cli("sample", "--rows", "1234", "--seed", "9", "--out", "big/sales.csv.gz")
    assert result.returncode == 0, result.stderr
    sales = pd.read_csv(tmp_path / "big/sales.csv.gz")
    labels = pd.read_csv(tmp_path / "big/sales_labels.csv")
    assert len(sales) == 1234 and "anomaly_type" not in sales.columns
    assert set(labels["order_id"]) <= set(sales["order_id"])


def test_version(cli):
    from salesforge import __version__

    result = cli("--version")
    assert result.returncode == 0 and result.stdout.strip() == f"salesforge {__version__}"
