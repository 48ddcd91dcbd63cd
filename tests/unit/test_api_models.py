"""REST API: forecasting, models, segmentation, anomaly detection and runs as jobs."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from fastapi.testclient import TestClient

from salesforge.api import ApiSettings, create_app
from salesforge.data.sample import sample_path

QUICK = ["backtest.windows=2"]


def wait(client: TestClient, job: str) -> dict:
    """Block until the job ends (the e2e test polls over HTTP instead); its status."""
    client.app.state.salesforge.jobs.wait(job, timeout=60)
    return client.get(f"/api/runs/{job}").json()


@pytest.fixture(scope="module")
def api(tmp_path_factory):
    """A client over a store holding the sample upload and a trained forecast job."""
    store = tmp_path_factory.mktemp("api") / "store"
    with TestClient(create_app(ApiSettings(store=store))) as client:
        sample = Path(sample_path()).read_bytes()
        dataset = client.post("/api/upload", files={"file": ("sales.csv.gz", sample)}).json()
        job = client.post("/api/forecast/train", json={
            "dataset": dataset["id"], "models": ["seasonal_naive", "linear"], "horizon": 30,
            "overrides": QUICK})
        assert job.status_code == 202, job.text
        trained = wait(client, job.json()["job"])
        yield client, dataset["id"], trained, store


def test_train_job_runs_the_forecast_stage_and_indexes_its_models(api):
    client, _, trained, _ = api
    assert trained["status"] == "ok", trained["error"]
    assert trained["stages"]["forecast"] == "ok" and trained["stages"]["report"] == "skipped"
    models = {m["id"]: m for m in client.get("/api/models/list").json()["models"]}
    assert sorted(models[m]["name"] for m in trained["models"]) == ["linear", "seasonal_naive"]
    best = next(m for m in models.values() if m["best"])
    assert best["name"] == trained["best"]
    assert client.get("/api/models/list").json()["loaded"]["forecast"] == best["id"]


def test_predict_answers_directly_after_the_training_end(api):
    client, *_ = api
    body = client.post("/api/forecast/predict", json={"horizon": 7}).json()
    frame = pd.DataFrame(body["rows"])
    assert list(frame["ds"]) == [f"2024-01-0{d}" for d in range(1, 8)]
    assert (frame["y_lo"] <= frame["y_pred"]).all() and (frame["y_pred"] <= frame["y_hi"]).all()
    default = client.post("/api/forecast/predict", json={}).json()
    assert len(default["rows"]) == 30  # the trained horizon


def test_predict_matches_the_forecast_the_run_wrote(api):
    client, _, trained, store = api
    models = client.get("/api/models/list").json()["models"]
    naive = next(m for m in models if m["name"] == "seasonal_naive")
    rows = client.post("/api/forecast/predict", json={"model": naive["id"]}).json()["rows"]
    written = pd.read_csv(store / "runs" / trained["id"] / "forecast" / "forecast.csv")
    written = written[written["model"] == "seasonal_naive"]
    assert [r["y_pred"] for r in rows] == pytest.approx(list(written["y_pred"]))


def test_predict_batch_and_bad_requests(api):
    client, *_ = api
    batch = client.post("/api/forecast/predict-batch",
                        json={"requests": [{"horizon": 3}, {"horizon": 5}]}).json()
    assert [len(r["rows"]) for r in batch["results"]] == [3, 5]
    assert client.post("/api/forecast/predict", json={"model": "mdl-000000000000"}
                       ).status_code == 404
    bad = client.post("/api/forecast/predict", json={"horizon": 0})
    assert bad.status_code == 422 and bad.json()["detail"].startswith("horizon:")
    assert client.post("/api/forecast/predict", json={"extra": 1}).status_code == 422
    assert client.post("/api/forecast/predict", content=b"{not json",
                       headers={"content-type": "application/json"}).status_code == 422


def test_feature_importance_of_the_linear_model(api):
    client, _, _, store = api
    models = client.get("/api/models/list").json()["models"]
    linear = next(m for m in models if m["name"] == "linear")
    body = client.get("/api/forecast/feature-importance", params={"model": linear["id"]}).json()
    saved = json.loads((store / "runs" / linear["run"] / linear["path"] / "model.json")
                       .read_text())
    assert {r["feature"] for r in body["importance"]} <= set(saved["features"])
    assert len(body["importance"]) > 5


def test_load_switches_the_default_model(api):
    client, *_ = api
    models = client.get("/api/models/list").json()["models"]
    naive = next(m for m in models if m["name"] == "seasonal_naive")
    loaded = client.post("/api/models/load/forecast", json={"model": naive["id"]})
    assert loaded.status_code == 200
    assert client.post("/api/forecast/predict", json={"horizon": 2}).json()["name"] == \
        "seasonal_naive"
    wrong_type = client.post("/api/models/load/segmentation", json={"model": naive["id"]})
    assert wrong_type.status_code == 422 and "forecast model" in wrong_type.json()["detail"]
    assert client.post("/api/models/load/bogus", json={"model": naive["id"]}).status_code == 422
    best = next(m for m in models if m["best"])
    client.post("/api/models/load/forecast", json={"model": best["id"]})


def test_train_refuses_bad_input_before_queuing(api):
    client, dataset, _, _ = api
    unknown = client.post("/api/forecast/train", json={"dataset": "ds-000000000000"})
    assert unknown.status_code == 404
    bad_model = client.post("/api/forecast/train", json={"dataset": dataset, "models": ["nope"]})
    assert bad_model.status_code == 422 and "nope" in bad_model.json()["detail"]
    sneaky = client.post("/api/forecast/train",
                         json={"dataset": dataset, "overrides": ["data.path=/etc/passwd"]})
    assert sneaky.status_code == 422 and "data.path" in sneaky.json()["detail"]
    for override in ("tuning.storage=sqlite:////tmp/x.db", "hydra.run.dir=/tmp/x",
                     "reporter.html.filename=../../x.html", "report.title=${oc.env:HOME}",
                     "executor=dask", "data.labels=/etc/passwd"):
        refused = client.post("/api/runs", json={"dataset": dataset, "overrides": [override]})
        assert refused.status_code == 422, override


def test_a_failing_job_reports_its_error(api):
    client, dataset, _, _ = api
    job = client.post("/api/forecast/train", json={
        "dataset": dataset, "models": ["seasonal_naive"], "by": ["no_such_column"],
        "overrides": QUICK}).json()["job"]
    status = wait(client, job)
    assert status["status"] == "failed" and "no_such_column" in status["error"]
    assert status["stages"]["forecast"] == "failed"


def test_segmentation_train_and_predict(api):
    client, dataset, _, _ = api
    nothing_loaded = client.post("/api/segmentation/predict", json={"entities": ["Laptop"]})
    assert nothing_loaded.status_code == 404 and "segmentation" in nothing_loaded.json()["detail"]
    job = client.post("/api/segmentation/train", json={"dataset": dataset}).json()["job"]
    status = wait(client, job)
    assert status["status"] == "ok" and status["stages"]["segment"] == "ok"
    body = client.post("/api/segmentation/predict",
                       json={"entities": ["Laptop", "Not a product"]}).json()
    laptop, unknown = body["rows"]
    assert laptop["known"] and laptop["segment_name"] and isinstance(laptop["segment_id"], int)
    assert unknown == {"entity": "Not a product", "segment_id": None, "segment_name": None,
                       "known": False}
    bad = client.post("/api/segmentation/train", json={"dataset": dataset, "entity": "nope"})
    assert bad.status_code == 422


def test_anomaly_detect_answers_with_the_most_severe_rows(api):
    client, dataset, _, store = api
    response = client.post("/api/anomaly/detect", json={"dataset": dataset, "limit": 5})
    assert response.status_code == 200, response.text
    body = response.json()
    flagged = pd.read_csv(store / "runs" / body["run"] / "anomalies" / "anomalies.csv")
    assert body["flagged"] == len(flagged) == body["summary"]["flagged"] > 0
    scores = [r["anomaly_score"] for r in body["rows"]]
    assert len(scores) == 5 and scores == sorted(scores, reverse=True)
    assert scores[0] == pytest.approx(flagged["anomaly_score"].max())
    bad = client.post("/api/anomaly/detect", json={"dataset": dataset, "detector": "nope"})
    assert bad.status_code == 422


def test_run_job_manifest_and_artifacts(api):
    client, dataset, _, _ = api
    overrides = ["forecaster=[seasonal_naive]", "stages.segment=false", "stages.detect=false",
                 "stages.analytics=false", "stages.report=false", *QUICK]
    job = client.post("/api/runs", json={"dataset": dataset, "overrides": overrides}).json()
    status = wait(client, job["job"])
    assert status["status"] == "ok" and "leaderboard" in status["artifacts"]
    manifest = client.get(f"/api/runs/{job['job']}/manifest").json()
    assert manifest["data"]["rows_in"] == 33850 and manifest["status"] == "ok"
    board = client.get(f"/api/runs/{job['job']}/artifacts/leaderboard")
    assert board.status_code == 200 and board.text.startswith("model")
    assert client.get(f"/api/runs/{job['job']}/artifacts/nope").status_code == 404
    assert client.get(f"/api/runs/{job['job']}/artifacts/..%2F..%2Findex.json"
                      ).status_code in (404, 422)
    assert client.get("/api/runs/run-000000000000").status_code == 404
    assert client.get("/api/runs/../index.json").status_code == 404
    assert job["job"] in [r["id"] for r in client.get("/api/runs").json()]


def test_runs_survive_a_restart(api):
    _, _, trained, store = api
    with TestClient(create_app(ApiSettings(store=store))) as again:
        status = again.get(f"/api/runs/{trained['id']}").json()
        assert status["status"] == "ok" and status["models"] == trained["models"]
        assert again.post("/api/forecast/predict", json={"horizon": 2}).status_code == 200
