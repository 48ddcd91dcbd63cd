"""Structured logging: one level and an optional JSON format for run, serve and api, from flags
or environment variables; JSON lines carry the stage timing records."""

from __future__ import annotations

import io
import json
import logging
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from salesforge.errors import ConfigError
from salesforge.logs import (
    JOB_LOGGING,
    JsonFormatter,
    StderrHandler,
    configure_logging,
    log_settings,
    run_overrides,
    split_flags,
)

SHORT = ["stages.segment=false", "stages.detect=false", "stages.analytics=false",
         "stages.report=false", "backtest.windows=2", "forecast.horizon=7"]


def clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if k not in ("SALESFORGE_LOG_LEVEL", "SALESFORGE_LOG_JSON", "HYDRA_FULL_ERROR")
           and not k.startswith("MLFLOW_")}  # no run tracking from these runs
    return {**env, **extra}


# settings ------------------------------------------------------------------------------------


def test_flags_win_over_the_environment():
    env = {"SALESFORGE_LOG_LEVEL": "warning", "SALESFORGE_LOG_JSON": "1"}
    assert log_settings(environ={}) == log_settings("INFO", False, environ={})
    from_env = log_settings(environ=env)
    assert (from_env.level, from_env.json) == ("WARNING", True)
    flagged = log_settings("debug", False, environ=env)
    assert (flagged.level, flagged.json) == ("DEBUG", False)
    assert log_settings(environ={"SALESFORGE_LOG_JSON": "0"}).json is False


def test_split_flags_removes_only_the_logging_flags(monkeypatch):
    monkeypatch.delenv("SALESFORGE_LOG_LEVEL", raising=False)
    monkeypatch.delenv("SALESFORGE_LOG_JSON", raising=False)
    rest, settings = split_flags(["forecast.horizon=7", "--quiet", "--log-level", "error",
                                  "-m", "--log-json", "forecaster=a,b"])
    assert rest == ["forecast.horizon=7", "-m", "forecaster=a,b"]
    assert (settings.level, settings.json, settings.quiet) == ("ERROR", True, True)
    assert split_flags(["--log-level=DEBUG"])[1].level == "DEBUG"


def test_quiet_raises_only_the_terminal_level():
    quiet = log_settings("INFO", quiet=True, environ={})
    assert (quiet.level, quiet.console_level) == ("INFO", "WARNING")
    assert log_settings("ERROR", quiet=True, environ={}).console_level == "ERROR"


@pytest.mark.parametrize(("call", "named"), [
    (lambda: log_settings("LOUD", environ={}), "--log-level"),
    (lambda: log_settings(environ={"SALESFORGE_LOG_LEVEL": "LOUD"}), "SALESFORGE_LOG_LEVEL"),
    (lambda: log_settings(environ={"SALESFORGE_LOG_JSON": "maybe"}), "SALESFORGE_LOG_JSON"),
    (lambda: split_flags(["--log-level"]), "--log-level"),
])
def test_a_bad_value_names_its_source(call, named):
    with pytest.raises(ConfigError, match=named):
        call()


def test_a_users_own_hydra_logging_is_left_alone():
    settings = log_settings(environ={})
    assert run_overrides(["hydra/job_logging=disabled"], settings) == []
    assert run_overrides(["hydra.job_logging.root.level=DEBUG"], settings) == []
    ours = run_overrides(["forecast.horizon=7"], settings)
    assert ours[0] == f"hydra/job_logging={JOB_LOGGING}"


# formatter and handler -------------------------------------------------------------------------


def test_json_lines_carry_time_level_logger_message_and_extras():
    record = logging.LogRecord("salesforge.runner", logging.INFO, __file__, 1,
                               "stage %s done in %.2fs", ("load", 0.25), None)
    record.__dict__.update(run_id="r1", stage="load", seconds=0.25)
    line = json.loads(JsonFormatter().format(record))
    assert list(line)[:4] == ["time", "level", "logger", "message"]
    assert line["level"] == "INFO" and line["logger"] == "salesforge.runner"
    assert line["message"] == "stage load done in 0.25s"
    assert (line["run_id"], line["stage"], line["seconds"]) == ("r1", "load", 0.25)
    assert line["time"].endswith("+00:00")
    try:
        raise ValueError("boom")
    except ValueError:
        error = logging.LogRecord("x", logging.ERROR, __file__, 1, "failed", (), sys.exc_info())
    assert "ValueError: boom" in json.loads(JsonFormatter().format(error))["exc_info"]


def test_configure_logging_installs_one_handler_on_the_current_stderr(monkeypatch):
    root = logging.getLogger()
    saved_level, saved = root.level, list(root.handlers)
    try:
        configure_logging(log_settings("WARNING", True, environ={}))
        configure_logging(log_settings("INFO", True, environ={}))
        ours = [h for h in root.handlers if isinstance(h, StderrHandler)]
        assert len(ours) == 1 and root.level == logging.INFO
        captured = io.StringIO()
        monkeypatch.setattr(sys, "stderr", captured)
        logging.getLogger("salesforge.test").info("hello", extra={"run_id": "r9"})
        line = json.loads(captured.getvalue().strip().splitlines()[-1])
        assert line["message"] == "hello" and line["run_id"] == "r9"
    finally:
        for handler in [h for h in root.handlers if isinstance(h, StderrHandler)]:
            root.removeHandler(handler)
        root.handlers[:] = saved
        root.setLevel(saved_level)


def test_the_app_servers_loggers_go_through_the_same_handler(monkeypatch):
    import bokeh.util.logconfig  # noqa: F401 - installs Bokeh's own printer when unconfigured
    import panel.io.logging  # noqa: F401 - installs Panel's stdout handler

    root = logging.getLogger()
    saved_level, saved = root.level, list(root.handlers)
    try:
        configure_logging(log_settings("INFO", True, environ={}))
        for name in ("bokeh", "panel"):
            assert logging.getLogger(name).handlers == []
            assert logging.getLogger(name).propagate
        captured = io.StringIO()
        monkeypatch.setattr(sys, "stderr", captured)
        logging.getLogger("bokeh.server.server").info("Starting Bokeh server")
        logging.getLogger("panel.io.server").debug("not at INFO")
        lines = [json.loads(line) for line in captured.getvalue().splitlines()]
        assert [(x["logger"], x["message"]) for x in lines] == [
            ("bokeh.server.server", "Starting Bokeh server")]
    finally:
        root.handlers[:] = saved
        root.setLevel(saved_level)


# the CLI -----------------------------------------------------------------------------------------


@pytest.mark.slow
def test_run_log_json_lines_hold_the_stage_timings(tmp_path):
    run_dir = tmp_path / "run"
    proc = subprocess.run([sys.executable, "-m", "salesforge.cli", "run", "--log-json",
                           f"hydra.run.dir={run_dir}", *SHORT], cwd=tmp_path, env=clean_env(),
                          capture_output=True, text=True, timeout=240)
    assert proc.returncode == 0, proc.stderr
    manifest = json.loads((run_dir / "manifest.json").read_text())
    for text in (proc.stderr, (run_dir / "salesforge.log").read_text()):
        lines = [json.loads(line) for line in text.splitlines() if line.strip()]
        assert all({"time", "level", "logger", "message"} <= set(line) for line in lines)
        timings = {line["stage"]: line["seconds"] for line in lines
                   if line["logger"] == "salesforge.runner" and "seconds" in line
                   and "stage" in line}
        assert timings == pytest.approx(manifest["timings"], abs=1e-3)
        assert {line.get("run_id") for line in lines if "stage" in line} == {manifest["run_id"]}
        assert any(line["message"].startswith(f"run {manifest['run_id']} ok") for line in lines)


@pytest.mark.slow
def test_log_level_from_the_environment_applies_to_run(tmp_path):
    run_dir = tmp_path / "run"
    proc = subprocess.run([sys.executable, "-m", "salesforge.cli", "run",
                           f"hydra.run.dir={run_dir}", *SHORT], cwd=tmp_path,
                          env=clean_env(SALESFORGE_LOG_LEVEL="warning"),
                          capture_output=True, text=True, timeout=240)
    assert proc.returncode == 0, proc.stderr
    assert "[INFO]" not in proc.stderr
    assert "[INFO]" not in (run_dir / "salesforge.log").read_text()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.slow
def test_api_logs_json_lines_including_requests(tmp_path):
    port = free_port()
    err = (tmp_path / "stderr.txt").open("w")
    proc = subprocess.Popen([sys.executable, "-m", "salesforge.cli", "api", "--port", str(port),
                             "--store", str(tmp_path / "store")], cwd=tmp_path,
                            env=clean_env(SALESFORGE_LOG_JSON="1"), stdout=subprocess.DEVNULL,
                            stderr=err)
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/health", timeout=5):
                    break
            except OSError:
                assert proc.poll() is None and time.monotonic() < deadline, "API did not start"
                time.sleep(0.5)
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        err.close()
    lines = [json.loads(line) for line in Path(err.name).read_text().splitlines()
             if line.startswith("{")]
    loggers = {line["logger"] for line in lines}
    assert {"uvicorn.error", "uvicorn.access"} <= loggers
    assert any("/api/health" in line["message"] for line in lines)
