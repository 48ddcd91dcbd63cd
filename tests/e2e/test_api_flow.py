"""REST API end to end: the server as a user starts it, driven over HTTP on loopback.

upload -> train -> predict -> detect -> full run -> download the report; a schemathesis
run over the OpenAPI schema finds no server error; a restart keeps the data.
"""

from __future__ import annotations

import re
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from salesforge.data.sample import sample_path
from tests.conftest import api_server

pytestmark = pytest.mark.slow
BIN = Path(sys.executable).parent


def wait(client: httpx.Client, job: str, seconds: float = 120) -> dict:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        status = client.get(f"/api/runs/{job}").json()
        if status["status"] not in ("queued", "running"):
            return status
        time.sleep(0.2)
    raise AssertionError(f"job {job} still running after {seconds}s")


def test_user_flow_over_http_and_restart(tmp_path):
    store = tmp_path / "store"
    with api_server(store) as (url, _), httpx.Client(base_url=url, timeout=120) as client:
        with open(sample_path(), "rb") as handle:
            dataset = client.post("/api/upload", files={"file": ("sales.csv.gz", handle)}).json()
        job = client.post("/api/forecast/train", json={"dataset": dataset["id"], "horizon": 30,
                                                         "overrides": ["backtest.windows=2"]})
        assert wait(client, job.json()["job"])["status"] == "ok"
        forecast = client.post("/api/forecast/predict", json={"horizon": 30}).json()
        assert len(forecast["rows"]) == 30 and forecast["rows"][0]["ds"] == "2024-01-01"
        detected = client.post("/api/anomaly/detect", json={"dataset": dataset["id"]}).json()
        assert detected["flagged"] > 0
        overrides = ["reporter=[csv,html]", "forecaster=[seasonal_naive,linear]",
                     "report.png=false", "backtest.windows=2"]
        run = client.post("/api/runs", json={"dataset": dataset["id"],
                                             "overrides": overrides}).json()
        status = wait(client, run["job"])
        assert status["status"] == "ok", status["error"]
        assert all(state == "ok" for state in status["stages"].values())
        report = client.get(f"/api/runs/{run['job']}/artifacts/report:html:report.html")
        assert report.status_code == 200 and "<html" in report.text.lower()
        assert "Sales report" in report.text
    with api_server(store) as (url, _), httpx.Client(base_url=url, timeout=60) as client:
        summary = client.get("/api/data/summary", params={"dataset": dataset["id"]})
        assert summary.json()["rows_in"] == 33850
        assert client.get(f"/api/runs/{run['job']}/manifest").json()["status"] == "ok"


def test_schemathesis_finds_no_server_error(tmp_path):
    with api_server(tmp_path / "store") as (url, _):
        with open(sample_path(), "rb") as handle:
            httpx.post(f"{url}/api/upload", files={"file": ("sales.csv.gz", handle)}, timeout=60)
        result = subprocess.run(
            [str(BIN / "st"), "run", f"{url}/openapi.json", "--checks", "not_a_server_error",
             "--max-examples", "5", "--seed", "7",
             "--request-timeout", "30", "--phases", "coverage,fuzzing"],
            capture_output=True, text=True, timeout=180, cwd=tmp_path)
    tail = result.stdout[-3000:]
    assert result.returncode == 0, tail
    generated = re.search(r"(\d+) generated, (\d+) passed", tail)
    assert generated and int(generated[1]) == int(generated[2]) > 100, tail
