"""Shared fixtures: the real datasets folder, the CLI in this process or a subprocess,
throwaway plugins."""

from __future__ import annotations

import html
import json
import os
import re
import socket
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED_DATASETS = REPO.parent / "shared" / "datasets"


@pytest.fixture(scope="session")
def datasets() -> Path:
    """``../shared/datasets``; tests that need it skip where it is absent (outside clones)."""
    if not SHARED_DATASETS.is_dir():
        pytest.skip(f"real datasets not present at {SHARED_DATASETS} (outside contributor clone)")
    return SHARED_DATASETS


@dataclass
class CliResult:
    returncode: int
    stdout: str
    stderr: str

    def manifest(self, run_dir: Path) -> dict:
        return json.loads((run_dir / "manifest.json").read_text())


def svg_texts(svg: str) -> list[str]:
    """The words an SVG shows: its drawn texts, then its hover texts (``<title>``)."""
    return [html.unescape(text) for tag in ("text", "title")
            for text in re.findall(rf"<{tag}[^>]*>([^<]*)</{tag}>", svg)]


def chart_svg(shown: str) -> str:
    """The SVG an app chart pane shows: itself, or the one inside its ``<img>``."""
    import base64

    data = re.search(r'<img src="data:image/svg\+xml;base64,([^"]+)"', shown)
    return base64.b64decode(data.group(1)).decode("utf-8") if data else shown


def chart_words(shown: str) -> list[str]:
    """The words an app chart pane shows (:func:`svg_texts`); a PNG chart's are those of
    the SVG the server draws from the same spec, which the server keeps
    (:data:`salesforge.app.tables.CHARTS`)."""
    if 'src="data:image/png' not in shown:
        return svg_texts(chart_svg(shown))
    import vl_convert

    from salesforge.app.tables import CHARTS

    drawing = next(d for d in CHARTS.values() if d.html == shown)
    return svg_texts(vl_convert.vegalite_to_svg(drawing.spec))


def run_cli(*args: str, cwd: Path, pythonpath: Path | None = None,
            timeout: float = 300) -> CliResult:
    """``salesforge <args>`` in a fresh interpreter, from ``cwd``."""
    env = dict(os.environ)
    env.pop("HYDRA_FULL_ERROR", None)
    if pythonpath is not None:
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(pythonpath),
                                                          env.get("PYTHONPATH")]))
    proc = subprocess.run([sys.executable, "-m", "salesforge.cli", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=timeout)
    return CliResult(proc.returncode, proc.stdout, proc.stderr)


def main_cli(*args: str, cwd: Path) -> CliResult:
    """``salesforge <args>`` in this process (``salesforge.cli.main``), from ``cwd``, with
    its stdout and stderr captured: the same exit code and output as :func:`run_cli`
    without starting an interpreter (about 2 s each). Plugins installed for one test
    (``pythonpath``) need :func:`run_cli`: entry points are read once per process."""
    import io
    from contextlib import chdir, redirect_stderr, redirect_stdout

    from salesforge.cli import main

    out, err = io.StringIO(), io.StringIO()
    saved = os.environ.pop("HYDRA_FULL_ERROR", None)
    try:
        with chdir(cwd), redirect_stdout(out), redirect_stderr(err):
            try:
                code = main(list(args))
            except SystemExit as stop:  # Hydra and a failed run stop this way
                code = stop.code if isinstance(stop.code, int) else (0 if stop.code is None
                                                                     else 1)
    finally:
        if saved is not None:
            os.environ["HYDRA_FULL_ERROR"] = saved
    return CliResult(code, out.getvalue(), err.getvalue())


@pytest.fixture
def cli(tmp_path: Path):
    """Run the CLI from a scratch folder: ``cli("run", "forecast.horizon=7")``; in this
    process (:func:`main_cli`), or in a fresh interpreter when ``pythonpath`` adds
    plugins."""

    def call(*args: str, pythonpath: Path | None = None) -> CliResult:
        if pythonpath is not None:
            return run_cli(*args, cwd=tmp_path, pythonpath=pythonpath)
        return main_cli(*args, cwd=tmp_path)

    return call


def make_plugin_distribution(root: Path, dist: str, module: str, source: str,
                             entry_name: str | None = None, version: str = "1.0") -> Path:
    """A throwaway installed distribution on ``root``: a module plus a dist-info folder
    whose entry point (group ``salesforge``) names it. Put ``root`` on PYTHONPATH."""
    root.mkdir(parents=True, exist_ok=True)
    (root / f"{module}.py").write_text(textwrap.dedent(source))
    info = root / f"{dist.replace('-', '_')}-{version}.dist-info"
    info.mkdir(exist_ok=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist}\nVersion: {version}\n")
    (info / "entry_points.txt").write_text(f"[salesforge]\n{entry_name or module} = {module}\n")
    return root


MEAN_FORECASTER = '''
    from dataclasses import dataclass

    import numpy as np

    from salesforge import Forecaster, hookimpl


    @dataclass
    class MeanConfig:
        window: int = 28


    class MeanForecaster(Forecaster):
        """Forecast the mean of the last ``window`` periods."""

        def __init__(self, window: int = 28):
            self.window = window

        def _fit(self, frame):
            self.level_ = frame.groupby("series_id")["y"].apply(
                lambda y: float(y.to_numpy()[-self.window:].mean()))

        def _predict(self, future):
            return future["series_id"].map(self.level_).to_numpy(float)


    @hookimpl
    def salesforge_register_components(registry):
        registry.add("forecaster", "acme_mean", MeanForecaster, config=MeanConfig)
'''


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def api_server(store: Path, **env: str) -> Iterator[tuple[str, int]]:
    """``salesforge api`` on a free loopback port with ``env`` set, logging to
    ``<store>/../server.log``; yields (url, port); stopped (SIGTERM) on exit."""
    port = free_port()
    log = (store.parent / "server.log").open("w")
    process = subprocess.Popen([str(Path(sys.executable).parent / "salesforge"), "api", "--port",
                                str(port),
                                "--store", str(store)], stdout=log, stderr=subprocess.STDOUT,
                               env={**os.environ, **env})
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{url}/api/health", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError("server did not start: " + (store.parent / "server.log")
                                     .read_text())
            time.sleep(0.2)
        yield url, port
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()


@dataclass
class WebhookServer:
    """A local webhook receiver: every POST's parsed JSON body lands in ``bodies``."""

    url: str = ""
    bodies: list[dict] = field(default_factory=list)
    answers: list[int] = field(default_factory=list)
    delay_s: float = 0.0


@contextmanager
def webhook_server(answers: Sequence[int] = (), delay_s: float = 0.0
                   ) -> Iterator[WebhookServer]:
    """An HTTP server on a free 127.0.0.1 port, in a thread, answering each POST with the
    next status of ``answers`` (then 200) after ``delay_s`` seconds; yields its state, whose
    ``url`` ends in a secret-looking path."""
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    state = WebhookServer(answers=list(answers), delay_s=delay_s)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            state.bodies.append(json.loads(body))
            status = state.answers.pop(0) if state.answers else 200
            time.sleep(state.delay_s)
            try:
                self.send_response(status)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")
            except OSError:  # the client gave up (timeout tests)
                pass

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}/hooks/T000/B000/s3cr3t-t0ken"
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()


@contextmanager
def app_server(runs: Path, log_path: Path) -> Iterator[str]:
    """``salesforge serve`` over runs folder ``runs`` on a free loopback port, logging to
    ``log_path``; yields the app's URL; stopped on exit."""
    port = free_port()
    log = log_path.open("w")
    process = subprocess.Popen([sys.executable, "-m", "salesforge.cli", "serve", "--runs",
                                str(runs), "--port", str(port)], stdout=log,
                               stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/salesforge"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                httpx.get(url, timeout=5)
                break
            except httpx.TransportError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError("app did not start: " + log_path.read_text()) from None
                time.sleep(0.5)
        yield url
    finally:
        process.terminate()
        process.wait(10)
        log.close()
