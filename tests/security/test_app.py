"""The results app stays inside its runs folder and, when asked to, behind Panel's login.

Confinement: a run folder outside ``--runs`` that the run index lists, a symlink inside
the runs folder that points outside it, and a manifest artifact that points outside its
run directory are never opened. Authentication: the real ``salesforge serve`` with basic
auth answers the login page until the right password is given, and refuses to start
without its secret.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import httpx
import pytest

from salesforge.app.main import SalesforgeApp
from salesforge.app.runs import INDEX_NAME, RunData, discover_runs
from salesforge.app.tabs.reports import ReportsTab
from salesforge.cli import main as cli
from salesforge.errors import ConfigError, DataError
from salesforge.runs.index import RunIndex
from tests.conftest import free_port

PASSWORD = "correct horse battery staple"
SECRET = "the contents of a file outside every run"


def write_run(folder: Path, run_id: str, **manifest) -> Path:
    """A minimal run directory: a failed run's manifest (no tables to render)."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "manifest.json").write_text(json.dumps({
        "run_id": run_id, "status": "failed", "started_at": f"2026-01-01T00:00:0{len(run_id)}",
        "error": {"message": "boom."}, "data": {"source": "sales.csv"}, **manifest}))
    return folder


@pytest.fixture
def layout(tmp_path):
    """(runs root with one run inside, a run folder outside it listed in the root's index,
    a symlink inside the root pointing to that outside folder)."""
    root = tmp_path / "runs"
    write_run(root / "inside", "inside-run")
    outside = write_run(tmp_path / "elsewhere" / "outside", "outside-run")
    (root / "link").symlink_to(outside, target_is_directory=True)
    RunIndex(root / INDEX_NAME, roots=[root]).record_dir(outside)
    return root, outside, root / "link"


def test_a_run_the_index_places_outside_the_root_is_not_listed(layout, caplog):
    root, outside, _link = layout
    assert {Path(r["path"]) for r in RunIndex(root / INDEX_NAME, roots=[root]).runs()} \
        >= {outside.resolve()}, "the index really lists the outside run"
    with caplog.at_level(logging.WARNING, logger="salesforge.app.runs"):
        found = discover_runs(root)
    assert [r.run_id for r in found] == ["inside-run"]
    warnings = [r for r in caplog.records if "outside" in r.getMessage()]
    assert len(warnings) == 1 and str(outside.resolve()) in warnings[0].getMessage()
    page = SalesforgeApp(root)
    assert [r.run_id for r in page.runs] == ["inside-run"]
    assert all("outside-run" not in label for label in page.picker.options)


def test_the_browser_never_sees_a_server_path(layout):
    root, _outside, _link = layout
    write_run(root / "second", "second-run")
    page = SalesforgeApp(root)
    comparison = page.tabs_list[4]
    comparison.show(page.runs[0])
    sent = [page.picker.get_root(), comparison.picker.get_root()]
    for model in sent:
        assert str(root.resolve()) not in f"{model.options} {model.value}"
    assert page.picker.value in {"inside-run", "second-run"}
    assert sorted(comparison.picker.value) == ["inside-run", "second-run"]


@pytest.mark.parametrize("which", ["outside", "symlink"])
def test_opening_a_folder_outside_the_root_is_refused(layout, which):
    root, outside, link = layout
    path = outside if which == "outside" else link
    with pytest.raises(DataError, match=r"outside .*runs folder \(salesforge serve --runs\)"):
        RunData(path, root)
    page = SalesforgeApp(root)
    page.message.visible = False
    for named in (str(path), "outside-run"):
        page.message.visible = False
        page.open_run(named)
        assert all(tab.run is None for tab in page.tabs_list)
        assert page.message.visible and "not in this app's runs folder" in page.message.object
    assert page.rerun(RunData(path), ["forecast.horizon=7"]) is None
    assert page.job is None and "outside" in page.message.object


@pytest.mark.parametrize("client", [
    ["data.path=/etc/passwd"], ["detector.labels=/proc/self/environ"],
    ["forecast.horizon=100000000"], ["report.title=${oc.env:HOME}"], ["hydra.run.dir=/tmp/x"],
])
def test_widget_values_pass_the_client_allowlist(layout, client):
    """A browser can send any value for a widget: the app checks the overrides it makes
    from them exactly like the REST API's, before any run starts."""
    root, _, _ = layout
    page = SalesforgeApp(root)
    assert page.start([], options=False, client=client) is None
    assert page.job is None and page.message.visible
    assert "config key" in page.message.object or "override" in page.message.object
    page.freq.value = "${oc.env:HOME}"
    assert page.start([]) is None and page.job is None


@pytest.mark.parametrize("target", ["../../secret.csv", "absolute", "symlink"])
def test_a_manifest_artifact_outside_its_run_directory_is_not_read(tmp_path, target):
    root = tmp_path / "runs"
    secret = tmp_path / "secret.csv"
    secret.write_text(f"model,value\n{SECRET},1\n")
    run_dir = root / "run"
    relative = {"../../secret.csv": "../../secret.csv", "absolute": str(secret),
                "symlink": "forecast/leaderboard.csv"}[target]
    write_run(run_dir, "run", status="ok", artifacts={
        "forecast/leaderboard.csv": relative, "reports/report.pdf": relative})
    if target == "symlink":
        (run_dir / "forecast").mkdir()
        (run_dir / "forecast" / "leaderboard.csv").symlink_to(secret)
    run = RunData(run_dir, root)
    assert run.artifact("forecast/leaderboard.csv") is None
    assert run.table("forecast/leaderboard.csv") is None
    assert ReportsTab(SalesforgeApp(root).filters).downloads(run) == []


def test_an_artifact_inside_its_run_directory_is_still_read(tmp_path):
    run_dir = write_run(tmp_path / "runs" / "run", "run", status="ok",
                        artifacts={"forecast/leaderboard.csv": "forecast/leaderboard.csv"})
    (run_dir / "forecast").mkdir()
    (run_dir / "forecast" / "leaderboard.csv").write_text("model,mase\nlinear,0.9\n")
    run = RunData(run_dir, tmp_path / "runs")
    assert list(run.table("forecast/leaderboard.csv")["model"]) == ["linear"]


# ---- authentication ----------------------------------------------------------------------

@pytest.fixture
def no_app_env(monkeypatch):
    for name in list(os.environ):
        if name.startswith(("SALESFORGE_APP_", "PANEL_", "BOKEH_COOKIE")):
            monkeypatch.delenv(name)
    return monkeypatch


@pytest.fixture
def served(no_app_env):
    """Replace the Panel server with a recorder; ``salesforge serve`` then returns."""
    import salesforge.app.main

    seen: dict = {}
    no_app_env.setattr(salesforge.app.main.pn, "serve", lambda *a, **kw: seen.update(kw))
    no_app_env.setattr(salesforge.app.main, "shared_setup", lambda: None)
    no_app_env.setattr(salesforge.app.main, "warm_up", lambda runs: None)
    no_app_env.setattr(salesforge.app.main, "configure_logging", lambda logs=None: logs)
    return seen


@pytest.mark.parametrize(("env", "args", "names"), [
    ({"SALESFORGE_APP_AUTH": "basic"}, [], "SALESFORGE_APP_BASIC_AUTH"),
    ({}, ["--auth", "basic"], "SALESFORGE_APP_BASIC_AUTH"),
    ({"SALESFORGE_APP_AUTH": "oauth"}, ["--oauth-provider", "github"],
     "SALESFORGE_APP_OAUTH_KEY"),
    ({"SALESFORGE_APP_OAUTH_KEY": "id", "SALESFORGE_APP_OAUTH_SECRET": "s"},
     ["--oauth-provider", "github"], "SALESFORGE_APP_COOKIE_SECRET"),
], ids=["basic-env", "basic-option", "oauth-key", "oauth-cookie-secret"])
def test_serve_refuses_to_start_when_the_login_lacks_its_secret(no_app_env, served, capsys,
                                                                env, args, names):
    for name, value in env.items():
        no_app_env.setenv(name, value)
    assert cli(["serve", "--port", "1", *args]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("salesforge: error: ") and names in err and "\n" not in err
    assert served == {}, "the server must not start"


def test_the_python_serve_refuses_basic_auth_without_a_password(served):
    from salesforge.app.auth import AuthSettings
    from salesforge.app.main import serve

    with pytest.raises(ConfigError, match="SALESFORGE_APP_BASIC_AUTH"):
        serve("runs", auth=AuthSettings(mode="basic"))
    assert served == {}


def test_a_password_in_the_environment_turns_basic_auth_on_without_leaking(
        no_app_env, served, capsys, caplog):
    no_app_env.setenv("SALESFORGE_APP_BASIC_AUTH", PASSWORD)
    with caplog.at_level(logging.DEBUG):
        assert cli(["serve", "--host", "0.0.0.0", "--port", "1"]) == 0
    assert served["basic_auth"] == PASSWORD and len(served["cookie_secret"]) >= 32
    out = capsys.readouterr()
    assert PASSWORD not in out.out + out.err + caplog.text
    assert "login: basic" in out.out
    assert not [r for r in caplog.records if "without a login" in r.getMessage()]


def test_listening_beyond_loopback_without_a_login_warns(served, caplog):
    with caplog.at_level(logging.WARNING, logger="salesforge.app.auth"):
        assert cli(["serve", "--host", "0.0.0.0", "--port", "1"]) == 0
    assert "basic_auth" not in served and served["address"] == "0.0.0.0"
    warnings = [r.getMessage() for r in caplog.records if "without a login" in r.getMessage()]
    assert len(warnings) == 1 and "SALESFORGE_APP_BASIC_AUTH" in warnings[0]
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="salesforge.app.auth"):
        assert cli(["serve", "--host", "127.0.0.1", "--port", "1"]) == 0
    assert not [r for r in caplog.records if "without a login" in r.getMessage()]


def test_a_credentials_file_is_checked_before_serving(served, tmp_path, capsys):
    users = tmp_path / "users.json"
    users.write_text("[1, 2]")
    assert cli(["serve", "--port", "1", "--basic-auth", str(users)]) == 2
    assert "JSON object of user: password" in capsys.readouterr().err
    assert served == {}
    users.write_text(json.dumps({"analyst": PASSWORD}))
    assert cli(["serve", "--port", "1", "--basic-auth", str(users)]) == 0
    assert served["basic_auth"] == str(users)


def test_oauth_passes_panel_its_provider_and_secrets(no_app_env, served):
    import base64

    import panel as pn

    no_app_env.setattr(pn.state, "encryption", None)
    no_app_env.setattr(pn.config, "oauth_encryption_key", None)
    key = base64.urlsafe_b64encode(bytes(range(32))).decode()
    for name, value in {"SALESFORGE_APP_OAUTH_PROVIDER": "github",
                        "SALESFORGE_APP_OAUTH_KEY": "client-id",
                        "SALESFORGE_APP_OAUTH_SECRET": "client-secret",
                        "SALESFORGE_APP_COOKIE_SECRET": "cookie-secret",
                        "SALESFORGE_APP_OAUTH_ENCRYPTION_KEY": key}.items():
        no_app_env.setenv(name, value)
    assert cli(["serve", "--port", "1"]) == 0
    assert {k: served[k] for k in ("oauth_provider", "oauth_key", "oauth_secret",
                                   "cookie_secret")} == {
        "oauth_provider": "github", "oauth_key": "client-id", "oauth_secret": "client-secret",
        "cookie_secret": "cookie-secret"}
    assert pn.state.encryption is not None
    no_app_env.setenv("SALESFORGE_APP_OAUTH_ENCRYPTION_KEY", "too-short")
    served.clear()
    assert cli(["serve", "--port", "1"]) == 2 and served == {}


@pytest.fixture
def server(tmp_path):
    """The real ``salesforge serve`` with basic auth on a free localhost port."""
    root, port = tmp_path / "runs", free_port()
    write_run(root / "inside", "inside-run")
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("SALESFORGE_APP_", "PANEL_", "BOKEH_COOKIE"))}
    env.update(SALESFORGE_APP_AUTH="basic", SALESFORGE_APP_BASIC_AUTH=PASSWORD)
    log = (tmp_path / "server.log").open("w")
    process = subprocess.Popen([sys.executable, "-m", "salesforge.cli", "serve", "--runs",
                                str(root), "--port", str(port)], env=env, stdout=log,
                               stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    try:
        while True:
            try:
                httpx.get(f"{base}/login", timeout=5)
                break
            except httpx.TransportError:
                if process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail("salesforge serve did not start:\n"
                                + (tmp_path / "server.log").read_text())
                time.sleep(0.5)
        yield base
    finally:
        process.terminate()
        process.wait(20)
        log.close()
    assert PASSWORD not in (tmp_path / "server.log").read_text()


APP_CONTENT = "sales results"  # the template's title, in the app page only


@pytest.mark.slow
def test_basic_auth_shows_the_login_page_until_the_right_password(server):
    with httpx.Client(base_url=server, timeout=60) as anonymous:
        first = anonymous.get("/salesforge")
        assert first.status_code in (301, 302, 303, 307)
        assert first.next_request.url.path == "/login"
        login = anonymous.send(first.next_request)
        assert login.status_code == 200 and 'name="password"' in login.text
        assert APP_CONTENT not in login.text and "inside-run" not in login.text
    with httpx.Client(base_url=server, timeout=60) as intruder:
        intruder.get("/login?next=/salesforge")
        wrong = intruder.post("/login", data={"username": "analyst", "password": "guess"})
        assert wrong.status_code in (301, 302, 303, 307)
        assert "error=" in wrong.headers["location"] and "user" not in intruder.cookies
        again = intruder.get("/salesforge")
        assert again.status_code in (301, 302, 303, 307)
        assert APP_CONTENT not in again.text
    # the compose/Dockerfile health check (urllib GET of the app page) still passes: it
    # follows the redirect to the login page
    with urllib.request.urlopen(f"{server}/salesforge", timeout=60) as probe:
        assert probe.status == 200 and probe.url.split("?")[0].endswith("/login")
    with httpx.Client(base_url=server, timeout=60) as analyst:
        analyst.get("/login?next=/salesforge")
        right = analyst.post("/login", data={"username": "analyst", "password": PASSWORD})
        assert right.status_code in (301, 302, 303, 307) and "user" in analyst.cookies
        page = analyst.get("/salesforge")
        assert page.status_code == 200 and APP_CONTENT in page.text
