"""End to end on a 2-worker Dask LocalCluster (worker processes): whole runs of the bundled
sample give the same backtest, forecast, leaderboard, tuning and anomalies as the local
executor; a LocalCluster the executor starts itself ends with the run."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from salesforge import run
from salesforge.composition import compose
from salesforge.forecast import tasks
from tests.conftest import run_cli

pytestmark = pytest.mark.slow

FORECAST = ["stages.segment=false", "stages.detect=false", "stages.analytics=false",
            "stages.report=false", "forecaster=[seasonal_naive,linear]",
            "forecast.by=[category]", "forecast.horizon=14", "backtest.windows=3"]
DETECT = ["stages.forecast=false", "stages.segment=false", "stages.analytics=false",
          "stages.report=false", "detect.series=false", "detect.partition_by=region",
          "detector.contamination=0.02"]


def config(*overrides: str):
    return compose(list(overrides))


@pytest.fixture(scope="module")
def cluster():
    """One 2-worker LocalCluster (processes) shared by this module's runs."""
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as local:
        yield local.scheduler_address


def on_dask(address: str) -> list[str]:
    return ["executor=dask", f"executor.address={address}"]


def read(run_dir: Path, *names: str) -> dict[str, pd.DataFrame]:
    return {name: pd.read_csv(run_dir / name) for name in names}


def assert_same(left: dict[str, pd.DataFrame], right: dict[str, pd.DataFrame]) -> None:
    for name in left:
        pd.testing.assert_frame_equal(left[name], right[name], rtol=1e-9, obj=name)


OUTPUTS = ("forecast/backtest.csv", "forecast/forecast.csv", "forecast/leaderboard.csv",
           "forecast/importance.csv")


def test_a_forecast_run_on_dask_equals_the_in_process_run(cluster, tmp_path, monkeypatch):
    here = run(config(*FORECAST), tmp_path / "local")
    monkeypatch.setattr(tasks, "SERIES_PER_TASK", 2)  # seasonal naive: 3 groups of series
    there = run(config(*FORECAST, *on_dask(cluster)), tmp_path / "dask")
    assert here.ok and there.ok
    assert_same(read(tmp_path / "local", *OUTPUTS), read(tmp_path / "dask", *OUTPUTS))
    models = [r.manifest["forecast"]["models"] for r in (here, there)]
    for name, metrics in models[0].items():
        assert metrics == pytest.approx(models[1][name], rel=1e-9, nan_ok=True), name
    assert here.manifest["forecast"]["best"] == there.manifest["forecast"]["best"]
    used = [(p["kind"], p["name"]) for p in there.manifest["plugins"]]
    assert ("executor", "dask") in used and ("executor", "local") in [
        (p["kind"], p["name"]) for p in here.manifest["plugins"]]


def test_batched_tuning_is_the_same_on_two_local_workers_and_on_dask(cluster, tmp_path):
    tuning = ["tuning.enabled=true", "tuning.n_trials=6", "tuning.batch_size=2"]
    local = run(config(*FORECAST, *tuning, "executor.n_jobs=2"), tmp_path / "local")
    dask = run(config(*FORECAST, *tuning, *on_dask(cluster)), tmp_path / "dask")
    summary = [r.manifest["forecast"]["tuning"]["linear"] for r in (local, dask)]
    for s in summary:
        s.pop("storage")
    assert summary[0] == summary[1] and summary[0]["n_trials"] == 6
    columns = ["model", "number", "value", "state", "params_alpha"]
    trials = [pd.read_csv(p / "forecast/tuning.csv")[columns] for p in (tmp_path / "local",
                                                                         tmp_path / "dask")]
    pd.testing.assert_frame_equal(trials[0], trials[1], rtol=1e-9)
    assert_same(read(tmp_path / "local", *OUTPUTS), read(tmp_path / "dask", *OUTPUTS))


def test_per_partition_detection_is_the_same_on_dask(cluster, tmp_path):
    here = run(config(*DETECT), tmp_path / "local")
    there = run(config(*DETECT, *on_dask(cluster)), tmp_path / "dask")
    names = ("anomalies/anomalies.csv",)
    assert_same(read(tmp_path / "local", *names), read(tmp_path / "dask", *names))
    anomalies = here.manifest["anomalies"]
    assert anomalies["partition_by"] == "region" and anomalies["threshold"] is None
    assert anomalies == there.manifest["anomalies"]
    assert len(anomalies["partitions"]) == 7
    assert sum(p["flagged"] for p in anomalies["partitions"].values()) == anomalies["flagged"]


def test_a_local_cluster_started_by_the_executor_ends_with_the_run(tmp_path):
    psutil = pytest.importorskip("psutil")
    before = {p.pid for p in psutil.Process().children(recursive=True)}
    result = run(config(*DETECT, "executor=dask", "executor.n_workers=2"), tmp_path / "run")
    assert result.ok and result.manifest["anomalies"]["partitions"]
    left = [p for p in psutil.Process().children(recursive=True)
            if p.pid not in before and p.is_running() and p.status() != psutil.STATUS_ZOMBIE]
    assert not left, f"worker processes still running after the run: {left}"


def test_an_unreachable_scheduler_fails_the_run_with_one_sentence(tmp_path):
    result = run_cli("run", *FORECAST, "executor=dask", "executor.address=tcp://127.0.0.1:9",
                     "executor.timeout=1", f"hydra.run.dir={tmp_path / 'run'}", cwd=tmp_path)
    assert result.returncode != 0
    assert "config key executor.address: cannot reach a Dask scheduler at " \
           "tcp://127.0.0.1:9" in result.stderr
    assert "Traceback" not in result.stderr
    manifest = json.loads((tmp_path / "run/manifest.json").read_text())
    assert manifest["status"] == "failed" and manifest["error"]["stage"] == "forecast"
