"""Live progress on the terminal: shown for an interactive terminal, driven by the lifecycle
hooks, and never written to pipes, files, or with ``--quiet``."""

from __future__ import annotations

import io
import os
import select
import subprocess
import sys
import time
from pathlib import Path

import pytest
from rich.console import Console

from salesforge import hookimpl, progress
from salesforge.composition import compose
from salesforge.plugin.manager import BUILTIN_PLUGINS, build_plugin_manager
from salesforge.runner import run

#: A short run: the stages up to forecasting, with the forecast stage reporting progress.
SHORT = ["stages.segment=false", "stages.detect=false", "stages.analytics=false",
         "stages.report=false", "backtest.windows=2", "forecast.horizon=7"]
ESC = "\x1b["


@pytest.fixture(autouse=True)
def _display_off():
    yield
    progress.disable()


def fake_terminal() -> tuple[Console, io.StringIO]:
    out = io.StringIO()
    return Console(file=out, force_terminal=True, force_interactive=True, width=100), out


def test_a_builtin_plugin_off_until_enabled():
    assert "salesforge.progress" in BUILTIN_PLUGINS
    assert build_plugin_manager().get_plugin("salesforge.progress") is progress
    assert progress.display() is None
    assert not progress.enable(Console(file=io.StringIO(), force_terminal=False))
    assert progress.display() is None


def test_display_tracks_stages_and_tasks():
    console, out = fake_terminal()
    assert progress.enable(console)
    display = progress.display()
    display.start(3)
    display.stage_started("forecast")
    display.update("forecast", "backtest linear", 0, 4)
    display.update("forecast", "backtest linear", 3, 4)
    display.update("forecast", "tuning linear", 2, None)
    tasks = {t.description.strip(): t for t in display.progress.tasks}
    assert tasks["backtest linear"].completed == 3 and tasks["backtest linear"].total == 4
    assert tasks["tuning linear"].total is None
    assert "forecast" in tasks["stage [bold]forecast[/]"].description
    display.stage_done("forecast")
    assert [t.description for t in display.progress.tasks] == ["stage [bold]forecast[/]"]
    assert display.progress.tasks[0].completed == 1
    display.stop()
    assert not display.live
    assert ESC in out.getvalue() and "salesforge run" in out.getvalue()


def test_a_run_drives_the_display_through_the_hooks(tmp_path):
    console, out = fake_terminal()
    progress.enable(console)
    seen: list[tuple[str, str, int, int | None]] = []

    class Spy:
        @staticmethod
        @hookimpl(trylast=True)  # after the display has updated
        def salesforge_progress(stage, task, done, total):
            display = progress.display()
            assert display.live and (stage, task) in display.tasks
            seen.append((stage, task, done, total))

    pm = build_plugin_manager()
    pm.register(Spy, name="spy")
    cfg = compose(SHORT)
    run(cfg, tmp_path / "run", plugins=pm)
    assert not progress.display().live  # removed when the run ends
    assert "salesforge run" in out.getvalue()
    assert seen, "the forecast stage reports progress per model / backtest window"
    assert {s for s, *_ in seen} == {"forecast"}
    assert all(total is None or 0 <= done <= total for *_, done, total in seen)


# the CLI ------------------------------------------------------------------------------------


def cli_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if k not in ("NO_COLOR", "FORCE_COLOR", "TTY_COMPATIBLE", "TTY_INTERACTIVE", "CI",
                        "HYDRA_FULL_ERROR", "SALESFORGE_LOG_LEVEL", "SALESFORGE_LOG_JSON")
           and not k.startswith("MLFLOW_")}  # no run tracking from these runs
    return {**env, "TERM": "xterm-256color", "COLUMNS": "100"}


def run_in_terminal(args: list[str], cwd: Path, timeout: float = 240) -> tuple[int, str]:
    """``salesforge <args>`` with stdin, stdout and stderr on a pseudo-terminal."""
    master, slave = os.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "salesforge.cli", *args], cwd=cwd,
                            env=cli_env(), stdin=slave, stdout=slave, stderr=slave)
    os.close(slave)
    chunks, deadline = [], time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], 1.0)
            if not ready:
                if proc.poll() is not None:
                    break
                continue
            try:
                data = os.read(master, 65536)
            except OSError:  # the child closed the terminal
                break
            if not data:
                break
            chunks.append(data)
    finally:
        os.close(master)
        proc.kill() if proc.poll() is None else None
    return proc.wait(), b"".join(chunks).decode("utf-8", "replace")


@pytest.mark.slow
def test_no_progress_when_stderr_is_not_a_terminal(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "salesforge.cli", "run",
                           f"hydra.run.dir={tmp_path / 'run'}", *SHORT], cwd=tmp_path,
                          env=cli_env(), capture_output=True, text=True, timeout=240)
    assert proc.returncode == 0, proc.stderr
    assert ESC not in proc.stderr and ESC not in proc.stdout
    assert "stage forecast done in" in proc.stderr  # the log lines still reach the terminal
    assert "salesforge: run" in proc.stdout


@pytest.mark.slow
def test_progress_on_a_terminal(tmp_path):
    code, screen = run_in_terminal(["run", f"hydra.run.dir={tmp_path / 'run'}", *SHORT],
                                   tmp_path)
    assert code == 0, screen
    assert "\x1b[?25l" in screen  # the live display hides the cursor ...
    assert "stage \x1b[1mforecast" in screen  # ... shows the running stage ...
    assert "\x1b[?25h" in screen  # ... and gives the cursor back at the end
    assert "stage forecast done in" in screen  # log lines print above the display
    assert "salesforge: run" in screen


@pytest.mark.slow
def test_quiet_hides_progress_and_info_lines_but_the_log_file_keeps_them(tmp_path):
    run_dir = tmp_path / "run"
    code, screen = run_in_terminal(["run", "--quiet", f"hydra.run.dir={run_dir}", *SHORT],
                                   tmp_path)
    assert code == 0, screen
    assert ESC not in screen
    assert "done in" not in screen and "[INFO]" not in screen
    assert "salesforge: run" in screen  # the result line is output, not chatter
    logged = (run_dir / "salesforge.log").read_text()
    assert all(f"stage {s} done in" in logged for s in ("load", "clean", "features",
                                                          "forecast"))
