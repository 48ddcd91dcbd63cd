"""REST API as an attacker tries it: no server path or file content through overrides, no
endless jobs, bounded bodies, 4xx for every bad request, a health answer that tells nothing
without a key (issue #14, findings 1, 5, 6, 7)."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pandas as pd
import psutil
import pytest
from fastapi.testclient import TestClient

from salesforge.api import ApiSettings, create_app
from salesforge.data.sample import sample_path

SAMPLE = Path(sample_path())
LABELS = SAMPLE.with_name("sales_sample_labels.csv")
SECRET = "sf-secret-key-123"


def _upload(client: TestClient, path: Path, kind: str = "sales", **headers: str) -> dict:
    with open(path, "rb") as handle:
        answer = client.post("/api/upload", params={"kind": kind},
                             files={"file": (path.name, handle)}, headers=headers)
    assert answer.status_code == 201, answer.text
    return answer.json()


@pytest.fixture(scope="module")
def api(tmp_path_factory):
    """An API over a fresh store with the sample uploaded (no keys)."""
    store = tmp_path_factory.mktemp("api") / "store"
    with TestClient(create_app(ApiSettings(store=store))) as client:
        client.dataset = _upload(client, SAMPLE)["id"]
        yield client


def _leaks(text: str, store: Path) -> bool:
    """Whether an answer shows a server path or a line of a server file."""
    environ = Path("/proc/self/environ").read_bytes().split(b"\0")[0].decode(errors="replace")
    return (str(store) in text or str(Path.cwd()) in text or "/proc/self" in text
            or "/etc/passwd" in text or "root:x:0:0" in text or environ in text)


PATH_OVERRIDES = [
    "detector.labels=/proc/self/environ",
    "data.labels=/etc/passwd",
    "forecast.exog_future=/etc/passwd",
    "data.path=/etc/passwd",
    "detector.labels='../../../../etc/passwd'",
    "hydra.run.dir=/tmp/owned",
    "runs.index=/tmp/owned.db",
    "tuning.storage=sqlite:////tmp/owned.db",
    "report.title=${oc.env:HOME}",
    "forecast.freq=${oc.env:SALESFORGE_API_KEYS}",
    "+data.labels=/etc/passwd",
    "++detector.labels=/etc/passwd",
    "~detector.labels",
    "executor=dask",
    "executor.address=tcp://203.0.113.1:8786",
    "forecaster.random_forest.n_jobs=64",
    "reporter.excel.filename=../../../pwned.xlsx",
    "segment.entity=/etc/passwd",
    "data.columns.product=../../secret",
    "forecast.by=[/etc/passwd]",
    "detector@x=mad",
    "backtest.windows=range(1,100)",
]


@pytest.mark.parametrize("override", PATH_OVERRIDES)
def test_a_path_or_server_setting_from_a_client_is_refused_without_leaking(api, override):
    answer = api.post("/api/anomaly/detect", json={"dataset": api.dataset,
                                                   "overrides": [override]})
    assert answer.status_code == 422, answer.text
    detail = answer.json()["detail"]
    assert detail.count(". ") == 0 and detail.endswith("."), detail  # one sentence
    assert not _leaks(answer.text, api.app.state.salesforge.store.root)
    run = api.post("/api/runs", json={"dataset": api.dataset, "overrides": [override]})
    assert run.status_code == 422 and not _leaks(run.text, api.app.state.salesforge.store.root)


@pytest.mark.parametrize("override, key", [
    ("forecaster.random_forest.n_estimators=100000000", "forecaster.random_forest.n_estimators"),
    ("forecast.horizon=1e8", "forecast.horizon"),
    ("backtest.windows=1e5", "backtest.windows"),
    ("backtest.windows=100000", "backtest.windows"),
    ("tuning.n_trials=1000000", "tuning.n_trials"),
    ("forecaster.xgboost.lags=[1,2,100000]", "forecaster.xgboost.lags"),
    ("detector.contamination=0.9", "detector.contamination"),
    ("segmenter.k_max=100000", "segmenter.k_max"),
])
def test_endless_work_is_refused_by_its_bound(api, override, key):
    answer = api.post("/api/runs", json={"dataset": api.dataset, "overrides": [override]})
    assert answer.status_code == 422, answer.text
    assert key in answer.json()["detail"]


def test_allowed_settings_still_work(api):
    answer = api.post("/api/anomaly/detect", json={
        "dataset": api.dataset, "detector": "mad", "limit": 5,
        "overrides": ["detector.threshold=4.0", "detect.top_causes=2", "detect.series=false",
                      "stages.segment=false", "data.columns.product=product"]})
    assert answer.status_code == 200, answer.text
    assert answer.json()["flagged"] > 0
    store = api.app.state.salesforge.store.root
    run = answer.json()["run"]
    for path in (f"/api/runs/{run}", f"/api/runs/{run}/manifest", "/api/runs/index",
                 "/api/runs", "/api/datasets", "/api/models/list"):
        shown = api.get(path)
        assert shown.status_code == 200 and str(store) not in shown.text, path


def test_labels_are_an_uploaded_dataset_referenced_by_id(api):
    labels = _upload(api, LABELS, kind="labels")
    assert labels["kind"] == "labels" and "order_id" in labels["summary"]["columns"]
    answer = api.post("/api/anomaly/detect", json={
        "dataset": api.dataset, "labels": labels["id"], "limit": 1,
        "overrides": ["detect.series=false"]})
    assert answer.status_code == 200, answer.text
    assert answer.json()["summary"]["evaluation"]["f1"] > 0.5
    wrong = api.post("/api/anomaly/detect", json={"dataset": api.dataset,
                                                  "labels": api.dataset})
    assert wrong.status_code == 422 and "kind=labels" in wrong.json()["detail"]


def test_labels_that_do_not_fit_are_a_4xx_naming_no_server_path(api, tmp_path):
    odd = tmp_path / "odd_labels.csv"
    odd.write_text('ticket;"broken\nA;"1\n' + "x,y\n" * 50)
    uploaded = api.post("/api/upload", params={"kind": "labels"},
                        files={"file": (odd.name, odd.read_bytes())})
    if uploaded.status_code == 201:  # readable as a table: the detection names the problem
        answer = api.post("/api/anomaly/detect", json={
            "dataset": api.dataset, "labels": uploaded.json()["id"],
            "overrides": ["detect.series=false"]})
    else:
        answer = uploaded
    assert 400 <= answer.status_code < 500, answer.text
    assert not _leaks(answer.text, api.app.state.salesforge.store.root)


def test_an_unparseable_labels_file_is_one_sentence_not_a_crash(tmp_path):
    from salesforge.detect.evaluation import read_labels
    from salesforge.errors import DataError

    bad = tmp_path / "labels.csv"
    bad.write_text('order_id,label\n1,2,3,4\n"unclosed\n')
    with pytest.raises(DataError, match=r"labels file labels\.csv is not a readable CSV"):
        read_labels(bad, ["order_id"])


def test_oversized_json_bodies_are_refused(api):
    answer = api.post("/api/runs", content=b'{"dataset": "' + b"a" * 2_000_000 + b'"}',
                      headers={"Content-Type": "application/json"})
    assert answer.status_code == 413


def test_a_job_past_its_timeout_is_stopped(tmp_path):
    store = tmp_path / "store"
    with TestClient(create_app(ApiSettings(store=store, job_timeout_s=2))) as client:
        dataset = _upload(client, SAMPLE)["id"]
        job = client.post("/api/runs", json={"dataset": dataset, "overrides": [
            "tuning.enabled=true", "tuning.n_trials=100", "forecaster=[random_forest]"]})
        assert job.status_code == 202, job.text
        job_id = job.json()["job"]
        client.app.state.salesforge.jobs.wait(job_id, timeout=60)
        status = client.get(f"/api/runs/{job_id}").json()
        assert status["status"] == "failed"
        assert "api.job_timeout_s" in status["error"]
        assert str(store) not in status["error"]
        manifest = client.get(f"/api/runs/{job_id}/manifest").json()
        assert manifest["status"] == "failed" and manifest["error"]["type"] == "JobTimeout"
        indexed = {r["run_id"]: r for r in client.get("/api/runs/index").json()}
        assert indexed[manifest["run_id"]]["status"] == "failed"


def _job_pid(client: TestClient, job_id: str, seconds: float = 30) -> int:
    jobs = client.app.state.salesforge.jobs
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        process = jobs._processes.get(job_id)
        if process is not None and process.pid:
            return process.pid
        time.sleep(0.05)
    raise AssertionError(f"job {job_id} never started a process")


def test_cancel_really_stops_a_running_job(tmp_path):
    with TestClient(create_app(ApiSettings(store=tmp_path / "store", workers=1))) as client:
        dataset = _upload(client, SAMPLE)["id"]
        slow = ["tuning.enabled=true", "tuning.n_trials=100", "forecaster=[random_forest]"]
        running = client.post("/api/runs", json={"dataset": dataset, "overrides": slow}).json()
        queued = client.post("/api/runs", json={"dataset": dataset, "overrides": slow}).json()
        pid = _job_pid(client, running["job"])
        assert psutil.pid_exists(pid)
        deadline = time.monotonic() + 30
        while client.get(f"/api/runs/{running['job']}/manifest").status_code != 200:
            assert time.monotonic() < deadline, "the job never wrote its manifest"
            time.sleep(0.1)
        assert client.delete(f"/api/runs/{queued['job']}").status_code == 202
        answer = client.delete(f"/api/runs/{running['job']}")
        assert answer.status_code == 202 and answer.json()["status"] == "cancelled"
        client.app.state.salesforge.jobs.wait(running["job"], timeout=30)
        assert not psutil.pid_exists(pid) or psutil.Process(pid).status() == "zombie"
        for job in (running, queued):
            assert client.get(f"/api/runs/{job['job']}").json()["status"] == "cancelled"
        manifest = client.get(f"/api/runs/{running['job']}/manifest").json()
        assert manifest["status"] == "cancelled" and manifest["error"]["type"] == "JobCancelled"
        assert client.delete(f"/api/runs/{running['job']}").status_code == 409
        assert client.app.state.salesforge.jobs._processes == {}


def test_keys_are_checked_before_anything_and_never_crash(tmp_path):
    with TestClient(create_app(ApiSettings(store=tmp_path / "store", keys=(SECRET,)))) as client:
        for key in ("ключ".encode(), b"\xff\xfe", "é".encode("latin-1"), b""):
            answer = client.get("/api/datasets", headers={"X-API-Key": key})
            assert answer.status_code == 401, answer.text
        upload = client.post("/api/upload", files={"file": ("a.csv", b"x" * 4096)},
                             headers={"X-API-Key": "ключ".encode()})
        assert upload.status_code == 401
        assert list((tmp_path / "store" / "incoming").iterdir()) == []
        assert client.get("/api/health").json() == {"status": "ok"}
        full = client.get("/api/health", headers={"X-API-Key": SECRET}).json()
        assert full["versions"]["pandas"] and full["components"] > 10
        assert client.get("/api/datasets", headers={"X-API-Key": SECRET}).status_code == 200


def test_no_answer_carries_a_server_path(api):
    store = api.app.state.salesforge.store.root
    answers = [
        api.get("/api/data/summary", params={"dataset": "ds-000000000000"}),
        api.post("/api/forecast/predict", json={"model": "mdl-000000000000"}),
        api.post("/api/anomaly/detect", json={"dataset": api.dataset,
                                              "overrides": ["data.columns.revenue=nope"]}),
        api.get("/api/runs/run-000000000000/artifacts/x"),
    ]
    for answer in answers:
        assert 400 <= answer.status_code < 500, answer.text
        assert not _leaks(answer.text, store), answer.text


def test_the_upload_store_refuses_names_outside_it(api):
    for name in ("../../evil.csv", "/etc/passwd.csv", "..\\..\\evil.csv"):
        answer = api.post("/api/upload", files={"file": (name, SAMPLE.read_bytes())})
        assert answer.status_code in (201, 422)
        if answer.status_code == 201:
            assert "/" not in answer.json()["filename"] and ".." not in answer.json()["filename"]
    store = api.app.state.salesforge.store.root
    assert not (store.parent / "evil.csv").exists()


def test_labels_evaluation_matches_the_labels_file(api):
    """The labels dataset is the file the client sent, not a server file."""
    labels = _upload(api, LABELS, kind="labels")
    path = api.app.state.salesforge.store.dataset_path(
        api.app.state.salesforge.store.get("datasets", labels["id"]))
    assert pd.read_csv(path).equals(pd.read_csv(LABELS))
    assert os.path.commonpath([path, api.app.state.salesforge.store.root]) == str(
        api.app.state.salesforge.store.root)


def test_redaction_cuts_server_paths_but_keeps_api_routes(tmp_path):
    from salesforge.api.redact import redact, redact_tree

    store = tmp_path / "store"
    text = (f"labels file {store}/datasets/ds-1/l.csv is bad; /etc/passwd too; list them "
            "with GET /api/runs; see /docs")
    shown = redact(text, [store])
    assert str(tmp_path) not in shown and "/etc/passwd" not in shown
    assert "datasets/ds-1/l.csv" in shown and "GET /api/runs" in shown and "/docs" in shown
    tree = redact_tree({"config": {"data": {"path": f"{store}/datasets/ds-1/s.csv"}},
                        "n": 3, "models": [f"{store}/runs/x"]}, store)
    assert tree == {"config": {"data": {"path": "datasets/ds-1/s.csv"}}, "n": 3,
                    "models": ["runs/x"]}
