"""Forecast accountability: a run whose data covers periods an earlier run forecast scores
those forecasts (forecast/realized.csv, manifest forecast.realized); ``salesforge runs
accuracy`` lists them; the REST API serves them.

The sample is run up to 30 November 2023, then in full (to 31 December): the second run
must score the first run's 28 daily forecasts of 1-28 December against the actuals, which
the test recomputes from the second run's clean rows, not from the forecast code."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from fastapi.testclient import TestClient

from salesforge.api import ApiSettings, create_app
from salesforge.data.sample import sample_path

pytestmark = pytest.mark.slow
CUTOFF = "2023-11-30"
FAST = ["stages.segment=false", "stages.detect=false", "stages.analytics=false",
        "stages.report=false", "backtest.windows=2"]


def salesforge(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "salesforge.cli", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("realized-data")
    sample = pd.read_csv(sample_path())
    early, full = folder / "early.csv", folder / "full.csv"
    sample[sample["date"] <= CUTOFF].to_csv(early, index=False)
    sample.to_csv(full, index=False)
    return {"early": early, "full": full}


@pytest.fixture(scope="module")
def runs(files, tmp_path_factory) -> dict[str, Path]:
    """The early and the full run, recorded in one run index."""
    folder = tmp_path_factory.mktemp("realized-runs")
    out = {}
    for name in ("early", "full"):
        done = salesforge("run", f"data.path={files[name]}", f"runs.index={folder / 'runs.db'}",
                          f"hydra.run.dir={folder / name}", *FAST, cwd=folder)
        assert done.returncode == 0, done.stderr
        out[name] = folder / name
    out["index"] = folder / "runs.db"
    return out


def manifest(run: Path) -> dict:
    return json.loads((run / "manifest.json").read_text())


def test_the_full_run_scores_the_early_runs_forecasts_against_independent_actuals(runs):
    early, full = manifest(runs["early"]), manifest(runs["full"])
    assert "realized" in early["forecast"] and "note" in early["forecast"]["realized"]
    realized = full["forecast"]["realized"]
    assert realized["source_run"] == early["run_id"]
    assert realized["model"] == early["forecast"]["best"]
    assert (realized["first"], realized["last"], realized["periods"]) == \
        ("2023-12-01", "2023-12-28", 28)
    assert full["artifacts"]["realized"] == "forecast/realized.csv"

    table = pd.read_csv(runs["full"] / "forecast" / "realized.csv", parse_dates=["ds"])
    assert set(table["source_run"]) == {early["run_id"]}
    assert set(table["model"]) == set(early["forecast"]["models"])
    # actuals: the second run's clean revenue summed per day, computed here
    clean = pd.read_parquet(runs["full"] / "data" / "clean.parquet")
    daily = clean.groupby(clean["date"].dt.normalize())["revenue"].sum()
    np.testing.assert_allclose(table["y_true"], daily.reindex(table["ds"]).fillna(0.0), rtol=1e-9)
    # forecasts: exactly what the early run wrote
    forecast = pd.read_csv(runs["early"] / "forecast" / "forecast.csv", parse_dates=["ds"])
    merged = table.merge(forecast, on=["model", "ds"], suffixes=("", "_then"))
    assert len(merged) == len(table) == 28 * len(early["forecast"]["models"])
    np.testing.assert_allclose(merged["y_pred"], merged["y_pred_then"])
    inside = (merged["y_true"] >= merged["y_lo_then"]) & (merged["y_true"] <= merged["y_hi_then"])
    assert (merged["inside"] == inside).all()

    # MASE: the seasonal naive's (lag 7) in-sample MAE up to the cutoff as the scale
    history = daily[daily.index <= CUTOFF].asfreq("D", fill_value=0.0)
    scale = np.mean(np.abs(history.to_numpy()[7:] - history.to_numpy()[:-7]))
    for model, rows in merged.groupby("model"):
        figures = realized["models"][model]
        expected = np.mean(np.abs(rows["y_true"] - rows["y_pred"])) / scale
        assert figures["mase"] == pytest.approx(expected, rel=1e-5)
        bias = 100 * (rows["y_pred"].sum() - rows["y_true"].sum()) / rows["y_true"].sum()
        assert figures["bias_pct"] == pytest.approx(bias, rel=1e-5)
        assert figures["coverage"]["80"] == pytest.approx(inside[rows.index].mean(), abs=1e-6)


def test_runs_accuracy_lists_both_runs_and_writes_a_chart(runs):
    early, full = manifest(runs["early"]), manifest(runs["full"])
    listed = salesforge("runs", "accuracy", "--index", str(runs["index"]), "--json",
                        cwd=runs["index"].parent)
    assert listed.returncode == 0, listed.stderr
    rows = json.loads(listed.stdout)
    assert {(r["forecast_run"], r["scored_by"]) for r in rows} == {(early["run_id"],
                                                                    full["run_id"])}
    chosen = [r for r in rows if r["chosen"]]
    assert [r["model"] for r in chosen] == [early["forecast"]["best"]]
    text = salesforge("runs", "accuracy", "--index", str(runs["index"]),
                      cwd=runs["index"].parent)
    assert early["run_id"] in text.stdout and full["run_id"] in text.stdout
    assert (runs["index"].parent / "accuracy.html").is_file()
    by_series = salesforge("runs", "accuracy", "--index", str(runs["index"]), "--by", "series",
                           "--model", "linear", "--json", cwd=runs["index"].parent)
    series = json.loads(by_series.stdout)
    assert [(r["series_id"], r["periods"]) for r in series] == [("total", 28)]


def test_a_named_source_run_and_switching_it_off(runs, files, tmp_path):
    early = manifest(runs["early"])
    named = salesforge("run", f"data.path={files['full']}", f"runs.index={runs['index']}",
                       f"forecast.realized={early['run_id'][:15]}",
                       f"hydra.run.dir={tmp_path / 'named'}", "runs.record=true", *FAST,
                       cwd=tmp_path)
    assert named.returncode == 0, named.stderr
    assert manifest(tmp_path / "named")["forecast"]["realized"]["source_run"] == early["run_id"]
    off = salesforge("run", f"data.path={files['full']}", f"runs.index={runs['index']}",
                     "forecast.realized=false", f"hydra.run.dir={tmp_path / 'off'}", *FAST,
                     cwd=tmp_path)
    assert off.returncode == 0, off.stderr
    assert "realized" not in manifest(tmp_path / "off")["forecast"]
    missing = salesforge("run", f"data.path={files['full']}", f"runs.index={runs['index']}",
                         "forecast.realized=nosuchrun", f"hydra.run.dir={tmp_path / 'bad'}",
                         *FAST, cwd=tmp_path)
    assert missing.returncode != 0
    assert "nosuchrun" in missing.stderr and "Traceback" not in missing.stderr


def test_the_api_serves_the_realised_accuracy_of_a_job(files, tmp_path):
    store = tmp_path / "store"
    with TestClient(create_app(ApiSettings(store=store))) as client:
        jobs = []
        for name in ("early", "full"):
            dataset = client.post("/api/upload", files={
                "file": (f"{name}.csv", files[name].read_bytes())}).json()
            job = client.post("/api/forecast/train", json={
                "dataset": dataset["id"], "models": ["seasonal_naive", "linear"],
                "horizon": 28, "overrides": ["backtest.windows=2"]})
            assert job.status_code == 202, job.text
            client.app.state.salesforge.jobs.wait(job.json()["job"], timeout=120)
            jobs.append(job.json()["job"])
        answer = client.get(f"/api/runs/{jobs[1]}/realized", params={"model": "linear"})
        assert answer.status_code == 200, answer.text
        body = answer.json()
        early_run = client.get(f"/api/runs/{jobs[0]}/manifest").json()["run_id"]
        assert body["realized"]["source_run"] == early_run
        assert len(body["rows"]) == 28 and {r["model"] for r in body["rows"]} == {"linear"}
        assert str(store) not in answer.text
        assert client.get(f"/api/runs/{jobs[0]}/realized").json()["rows"] == []
