"""End to end: ``salesforge run`` on the bundled sample with alert rules and the webhook
notifier pointed at a local server: a matching rule posts exactly once, a rule that does
not match never, and a failed run sends its run_failed alert once."""

from __future__ import annotations

import json

import pytest

from tests.conftest import run_cli, webhook_server

FAST = ("stages.features=false", "stages.forecast=false", "stages.segment=false",
        "stages.analytics=false", "stages.report=false", "detect.series=false",
        "notifier=[webhook]", "notifier.webhook.backoff_s=0.1")


@pytest.fixture
def hook_env(monkeypatch):
    for name in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "all_proxy",
                 "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)

    def point_at(url: str) -> None:
        monkeypatch.setenv("SALESFORGE_WEBHOOK_URL", url)  # run_cli passes os.environ on

    return point_at


def salesforge_run(tmp_path, rules: str, *overrides: str):
    run_dir = tmp_path / "run"
    result = run_cli("run", *FAST, f"alerts.rules={rules}", *overrides,
                     f"hydra.run.dir={run_dir}", cwd=tmp_path)
    return result, run_dir


def test_a_matching_rule_posts_exactly_once(tmp_path, hook_env):
    with webhook_server() as server:
        hook_env(server.url)
        result, run_dir = salesforge_run(
            tmp_path, "[{name: big_anomaly, when: anomaly_money, above: 0}]")
    assert result.returncode == 0, result.stderr
    [body] = server.bodies
    assert body["salesforge"]["rule"] == "big_anomaly"
    assert body["salesforge"]["facts"]["count"] >= 1
    assert body["text"].startswith("[warning] ") and body["blocks"]
    record = json.loads((run_dir / "alerts.json").read_text())
    assert record["rules"][0]["notifiers"] == {"webhook": "sent"}
    manifest = json.loads((run_dir / "manifest.json").read_text())
    assert manifest["alerts"] == record and manifest["artifacts"]["alerts"] == "alerts.json"
    leaks = [p.name for p in tmp_path.rglob("*") if p.is_file()
             and "s3cr3t-t0ken" in p.read_text(encoding="utf-8", errors="ignore")]
    assert leaks == [], "the webhook URL is a secret"
    assert "s3cr3t-t0ken" not in result.stdout + result.stderr


@pytest.mark.slow  # a whole run; test_a_matching_rule_posts_exactly_once stays fast
def test_a_rule_that_does_not_match_posts_nothing(tmp_path, hook_env):
    with webhook_server() as server:
        hook_env(server.url)
        result, run_dir = salesforge_run(
            tmp_path, "[{name: big_anomaly, when: anomaly_money, above: 1e18}]")
    assert result.returncode == 0, result.stderr
    assert server.bodies == []
    assert json.loads((run_dir / "alerts.json").read_text())["rules"][0]["fired"] is False


@pytest.mark.slow  # a whole run; test_a_matching_rule_posts_exactly_once stays fast
def test_a_failed_run_posts_its_run_failed_alert_once(tmp_path, hook_env):
    with webhook_server() as server:
        hook_env(server.url)
        result, run_dir = salesforge_run(
            tmp_path, "[{name: failed, when: run_failed}, "
                      "{name: big_anomaly, when: anomaly_money, above: 0}]",
            f"data.path={tmp_path / 'missing.csv'}")
    assert result.returncode != 0
    [body] = server.bodies
    assert body["salesforge"]["rule"] == "failed"
    assert body["salesforge"]["severity"] == "critical"
    assert body["salesforge"]["facts"]["stage"] == "load"
    assert "missing.csv" in body["salesforge"]["message"]
    assert json.loads((run_dir / "manifest.json").read_text())["alerts"]["fired"] == 1


@pytest.mark.slow  # a whole run; test_a_matching_rule_posts_exactly_once stays fast
def test_a_bad_rule_stops_the_run_before_any_stage(tmp_path, hook_env):
    with webhook_server() as server:
        hook_env(server.url)
        result, run_dir = salesforge_run(
            tmp_path, "[{name: big_anomaly, when: anomaly_money, abov: 0}]")
    assert result.returncode != 0 and server.bodies == []
    assert ("salesforge: error: config key alerts.rules[0].abov is not a setting of rule kind "
            "anomaly_money") in result.stderr
    manifest = json.loads((run_dir / "manifest.json").read_text())
    assert set(manifest["stages"].values()) == {"pending"}
