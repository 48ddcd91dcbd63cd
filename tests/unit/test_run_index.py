"""The run index: real runs of the sample are recorded by the built-in recorder plugin,
queried, resolved, rebuilt from manifests, and written by several processes at once."""

from __future__ import annotations

import json
import multiprocessing
import sqlite3
from pathlib import Path

import pytest

from salesforge.app.jobs import compose_config
from salesforge.errors import ConfigError
from salesforge.manifest import read_manifest
from salesforge.runner import run
from salesforge.runs.compare import compare
from salesforge.runs.index import RunIndex

pytestmark = pytest.mark.slow
QUICK = ["stages.report=false", "backtest.windows=2"]


@pytest.fixture(scope="module")
def indexed(tmp_path_factory):
    """Two real runs (horizon 7 and 14) recorded in a scratch index; (index, runs folder)."""
    root = tmp_path_factory.mktemp("runs")
    index = root / "runs.db"
    for horizon in (7, 14):
        cfg, pm = compose_config([*QUICK, f"forecast.horizon={horizon}", f"runs.index={index}"])
        run(cfg, root / f"h{horizon}", plugins=pm)
    return index, root


def test_every_run_is_recorded_with_its_key_metrics(indexed):
    rows = RunIndex(indexed[0]).runs()
    assert [Path(r["path"]).name for r in rows] == ["h14", "h7"]  # newest first
    for row in rows:
        manifest = read_manifest(row["path"])
        assert row["run_id"] == manifest["run_id"] and row["status"] == "ok"
        assert row["config_hash"] == manifest["config_hash"]
        assert row["data_hash"] == manifest["data_hash"]
        best = manifest["forecast"]["models"][manifest["forecast"]["best"]]
        assert row["metrics"]["mase"] == pytest.approx(best["mase"])
        assert row["metrics"]["rows_clean"] == manifest["data"]["rows_clean"]
        assert row["metrics"]["anomalies"] == manifest["anomalies"]["flagged"]
        assert row["metrics"]["revenue"] == pytest.approx(manifest["analytics"]["kpis"]["revenue"])
        assert row["horizon"] == manifest["forecast"]["horizon"]


def test_where_conditions_filter_and_name_unknown_metrics(indexed):
    index = RunIndex(indexed[0])
    rows = index.runs()
    assert [r["horizon"] for r in index.runs(where=["horizon=7"])] == [7]
    lowest = min(r["metrics"]["mase"] for r in rows)
    chosen = index.runs(where=[f"mase<={lowest}", "status=ok"])
    assert [r["metrics"]["mase"] for r in chosen] == [lowest]
    assert index.runs(where=["status!=ok"]) == []
    assert len(index.runs(last=1)) == 1
    with pytest.raises(ConfigError, match=r"unknown metric 'masse'; available: .*mase.*revenue"):
        index.runs(where=["masse<1"])
    with pytest.raises(ConfigError, match="is not a condition"):
        index.runs(where=["mase~1"])
    with pytest.raises(ConfigError, match="compare it with = or != only"):
        index.runs(where=["status<ok"])


def test_resolve_by_id_prefix_position_and_directory(indexed):
    index_path, root = indexed
    index = RunIndex(index_path)
    newest, older = index.runs()
    assert index.resolve(newest["run_id"])["path"] == newest["path"]
    assert index.resolve(older["run_id"][:-2])["run_id"] == older["run_id"]
    assert index.resolve("last")["run_id"] == newest["run_id"]
    assert index.resolve("-2")["run_id"] == older["run_id"]
    assert index.resolve(str(root / "h7"))["run_id"] == read_manifest(root / "h7")["run_id"]
    with pytest.raises(ConfigError, match="ambiguous"):
        index.resolve(newest["run_id"][:2])
    with pytest.raises(ConfigError, match="no run 'nope'"):
        index.resolve("nope")
    with pytest.raises(ConfigError, match="holds 2 run"):
        index.resolve("-3")


def test_a_missing_index_is_rebuilt_from_the_manifests(indexed, tmp_path):
    index_path, root = indexed
    before = RunIndex(index_path).runs()
    copy = root / "copy.db"  # same folder, so the same runs are found
    assert not copy.exists()
    rebuilt = RunIndex(copy).runs()
    strip = [{k: v for k, v in r.items() if k != "recorded_at"} for r in before]
    assert [{k: v for k, v in r.items() if k != "recorded_at"} for r in rebuilt] == strip
    assert RunIndex(copy).rebuild() == 2
    copy.unlink()


def test_compare_marks_the_best_run(indexed):
    rows = RunIndex(indexed[0]).runs()
    result = compare(rows)
    best = min(rows, key=lambda r: r["metrics"]["mase"])["run_id"]
    assert result.best["mase"] == [best]
    assert result.best["rmse"] == [min(rows, key=lambda r: r["metrics"]["rmse"])["run_id"]]
    assert "revenue" in result.metrics and "revenue" not in result.to_json()["best"]
    assert sorted(result.info["horizon"].values()) == [7, 14]


def test_failed_runs_are_recorded_and_record_false_is_honoured(tmp_path):
    index = tmp_path / "runs.db"
    missing = tmp_path / "missing.csv"
    cfg, _ = compose_config([f"data.path={missing}", f"runs.index={index}"])
    with pytest.raises(Exception, match=r"missing\.csv"):
        run(cfg, tmp_path / "failed")
    (row,) = RunIndex(index).runs()
    assert row["status"] == "failed" and "missing.csv" in row["error"]
    assert RunIndex(index).runs(where=["status=failed"])[0]["run_id"] == row["run_id"]
    cfg, _ = compose_config([f"data.path={missing}", f"runs.index={index}", "runs.record=false"])
    with pytest.raises(Exception, match=r"missing\.csv"):
        run(cfg, tmp_path / "not-recorded")
    assert len(RunIndex(index).runs()) == 1


def _write_many(index: str, manifest_path: str, worker: int, count: int) -> None:
    manifest = json.loads(Path(manifest_path).read_text())
    target = RunIndex(index)
    for n in range(count):
        target.record({**manifest, "run_id": f"w{worker}-{n:03d}"}, Path(manifest_path).parent)


def test_concurrent_writers_lose_no_rows(indexed, tmp_path):
    """Four processes record 30 runs each into one new index at the same time."""
    index = tmp_path / "shared" / "runs.db"
    manifest = str(indexed[1] / "h7" / "manifest.json")
    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=_write_many, args=(str(index), manifest, w, 30))
               for w in range(4)]
    for process in workers:
        process.start()
    for process in workers:
        process.join(120)
    assert [p.exitcode for p in workers] == [0, 0, 0, 0]
    rows = RunIndex(index).runs()
    assert len(rows) == 120
    assert all(r["metrics"]["mase"] > 0 for r in rows)
    with sqlite3.connect(index) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert connection.execute("SELECT COUNT(*) FROM metrics").fetchone()[0] == 120 * len(
            rows[0]["metrics"])


def test_api_records_runs_in_its_store_index_and_compares_them(tmp_path):
    from fastapi.testclient import TestClient

    from salesforge.api import ApiSettings, create_app
    from salesforge.data.sample import sample_path

    store = tmp_path / "store"
    with TestClient(create_app(ApiSettings(store=store))) as client:
        sample = Path(sample_path()).read_bytes()
        dataset = client.post("/api/upload", files={"file": ("sales.csv.gz", sample)}).json()
        jobs = []
        for horizon in (7, 14):
            body = {"dataset": dataset["id"], "overrides": [*QUICK, f"forecast.horizon={horizon}"]}
            jobs.append(client.post("/api/runs", json=body).json()["job"])
        for job in jobs:
            client.app.state.salesforge.jobs.wait(job, timeout=120)
        listed = client.get("/api/runs/index").json()
        assert len(listed) == 2 and "path" not in listed[0]
        assert sorted(r["horizon"] for r in listed) == [7, 14]
        assert len(RunIndex(store / "runs.db").runs()) == 2
        compared = client.get("/api/runs/compare", params={"ids": jobs}).json()
        assert set(compared["metrics"]["mase"].values()) == {r["metrics"]["mase"] for r in listed}
        assert len(compared["best"]["mase"]) == 1
        longer = next(r["run_id"] for r in listed if r["horizon"] == 14)
        diff = client.get(f"/api/runs/{jobs[0]}/diff/{longer}").json()
        assert diff["config"] == [{"key": "forecast.horizon", "a": 7, "b": 14}]
        assert client.get("/api/runs/index", params={"where": "mase<<1"}).status_code == 422
        assert client.get("/api/runs/index", params={"where": "status=ok"}).json() == listed
        assert client.get("/api/runs/compare", params={"ids": ["nope", jobs[0]]}
                          ).status_code == 404
        assert client.get(f"/api/runs/{jobs[0]}/diff/a%2Fb").status_code in (404, 422)
