"""Issue #14, finding 9: a killed run is visible. ``manifest.json`` exists from the run's
start (``status: running``, its owning process, stage progress); the run index lists the
run from its start; once its process is gone, the CLI, the index and the app say
``interrupted``."""

from __future__ import annotations

import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from salesforge.runs.command import main as runs_main
from salesforge.runs.index import RunIndex
from salesforge.runs.status import effective_status, owner_process

REPO = Path(__file__).resolve().parents[2]


def sleeper() -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])


def record_of(process: subprocess.Popen) -> dict:
    started = psutil.Process(process.pid).create_time()
    return {"pid": process.pid, "host": socket.gethostname(), "started": started}


def test_a_running_status_whose_process_is_dead_is_interrupted():
    child = sleeper()
    record = {"status": "running", "process": record_of(child)}
    assert effective_status(record) == "running"  # alive
    child.kill()
    deadline = time.monotonic() + 10
    while psutil.Process(child.pid).status() != psutil.STATUS_ZOMBIE:
        assert time.monotonic() < deadline
        time.sleep(0.02)
    assert effective_status(record) == "interrupted"  # killed, not yet reaped: a zombie
    child.wait()
    assert effective_status(record) == "interrupted"  # no such pid


def test_a_live_pid_with_another_start_time_is_interrupted():
    mine = owner_process()
    assert mine["pid"] == os.getpid()
    assert effective_status({"status": "running", "process": mine}) == "running"
    reused = {**mine, "started": mine["started"] - 3600}  # the pid now names another process
    assert effective_status({"status": "running", "process": reused}) == "interrupted"


def test_what_cannot_be_told_is_left_as_it_is():
    mine = owner_process()
    elsewhere = {**mine, "host": socket.gethostname() + "-other", "started": 0}
    assert effective_status({"status": "running", "process": elsewhere}) == "running"
    assert effective_status({"status": "running"}) == "running"  # no owner recorded
    assert effective_status({"status": "running", "process": {"pid": "x"}}) == "running"
    gone = {**mine, "started": 0}
    assert effective_status({"status": "ok", "process": gone}) == "ok"
    assert effective_status({"status": "failed", "process": gone}) == "failed"
    assert effective_status({}) == "unknown"


def test_an_index_from_before_this_change_settles_dead_running_rows(tmp_path):
    """An index created without the ``process`` column gains it; a ``running`` row whose
    process is gone is listed, shown and filtered as ``interrupted``."""
    path = tmp_path / "runs.db"
    with sqlite3.connect(path) as connection:
        connection.executescript("""
            CREATE TABLE runs (run_id TEXT PRIMARY KEY, started_at TEXT, finished_at TEXT,
                status TEXT NOT NULL, config_hash TEXT, data_hash TEXT, source TEXT,
                best_model TEXT, horizon INTEGER, freq TEXT, error TEXT, seconds REAL,
                overrides TEXT, path TEXT NOT NULL, recorded_at TEXT);
            CREATE TABLE metrics (run_id TEXT NOT NULL REFERENCES runs (run_id)
                ON DELETE CASCADE, name TEXT NOT NULL, value REAL NOT NULL,
                PRIMARY KEY (run_id, name)) WITHOUT ROWID;
            CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT);""")
    child = sleeper()
    process = record_of(child)
    index = RunIndex(path, roots=[tmp_path])
    for run_id, status in (("alive", "running"), ("done", "ok")):
        index.record({"run_id": run_id, "status": status, "started_at": run_id,
                      "process": process}, tmp_path / run_id)
    assert {r["run_id"]: r["status"] for r in index.runs()} == {"alive": "running",
                                                                 "done": "ok"}
    child.kill()
    child.wait()
    assert {r["run_id"]: r["status"] for r in index.runs()} == {"alive": "interrupted",
                                                                 "done": "ok"}
    assert [r["run_id"] for r in index.runs(where=["status=interrupted"])] == ["alive"]
    assert index.resolve("alive")["status"] == "interrupted"
    assert "process" not in index.get("alive")  # host and pid are not handed out


@pytest.mark.slow
def test_kill_9_during_a_run_leaves_an_interrupted_run(tmp_path, capsys):
    runs = tmp_path / "runs"
    run_dir, index = runs / "killed", runs / "runs.db"
    manifest_path = run_dir / "manifest.json"
    proc = subprocess.Popen(
        [sys.executable, "-m", "salesforge.cli", "run", f"hydra.run.dir={run_dir}",
         f"runs.index={index}", "--quiet"],
        cwd=tmp_path, env={**os.environ, "PYTHONPATH": str(REPO)},
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    seen: dict = {}
    try:
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline and proc.poll() is None:
            try:  # the manifest is written atomically: it parses whenever it exists
                seen = json.loads(manifest_path.read_text()) if manifest_path.exists() else {}
            except FileNotFoundError:
                seen = {}
            if seen.get("stages", {}).get("clean") == "ok":  # progress reaches the disk
                break
            time.sleep(0.05)
        assert proc.poll() is None, "the run ended before it could be killed"
        assert seen.get("status") == "running", seen.get("status")
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait()

    manifest = json.loads(manifest_path.read_text())
    assert manifest["status"] == "running" and manifest["finished_at"] is None
    assert manifest["process"]["pid"] == proc.pid
    assert manifest["stages"]["load"] == manifest["stages"]["clean"] == "ok"
    assert "running" in manifest["stages"].values() or "pending" in manifest["stages"].values()
    assert effective_status(manifest) == "interrupted"

    def listed(*extra: str) -> list[dict]:
        assert runs_main(["list", "--index", str(index), "--json", *extra]) == 0
        return json.loads(capsys.readouterr().out)

    (row,) = listed()
    assert row["run_id"] == manifest["run_id"] and row["status"] == "interrupted"
    assert [r["run_id"] for r in listed("--where", "status=interrupted")] == [row["run_id"]]
    assert runs_main(["list", "--index", str(index)]) == 0
    assert "interrupted" in capsys.readouterr().out

    assert runs_main(["rebuild", "--index", str(index), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["runs"] == 1
    assert [r["status"] for r in listed()] == ["interrupted"]

    from salesforge.app.runs import RunData, discover_runs

    (found,) = discover_runs(runs)
    assert found.path == run_dir
    assert found.status == "interrupted" and not found.ok
    assert " · interrupted · " in RunData(run_dir).label
