"""The alerting plugin in real (in-process, short) runs: rules checked before the first stage,
each fired rule sent once to every notifier, a failing notifier only logged, and what
happened recorded in alerts.json and manifest.alerts."""

from __future__ import annotations

import json
import logging
import types

import pytest
from omegaconf import open_dict

from salesforge import Notifier, hookimpl, run
from salesforge.composition import compose
from salesforge.errors import ConfigError, DataError
from salesforge.manifest import read_manifest
from salesforge.plugin.manager import build_plugin_manager

FAST = ["stages.features=false", "stages.forecast=false", "stages.segment=false",
        "stages.analytics=false", "stages.report=false", "detect.series=false",
        "runs.record=false"]
BIG = {"name": "big", "when": "anomaly_money", "above": 0}
FAILED = {"name": "failed", "when": "run_failed"}
NEVER = {"name": "never", "when": "anomaly_money", "above": 1e18}


@pytest.fixture
def outbox():
    """A plugin manager with two throwaway notifiers: ``memory`` keeps what it is sent,
    ``broken`` always raises; yields ``(pm, sent)``."""
    sent = []

    class MemoryNotifier(Notifier):
        def _send(self, alert):
            sent.append(alert)

    class BrokenNotifier(Notifier):
        def _send(self, alert):
            raise ConnectionError("mail relay is down\nsecond line")

    def register(registry):
        registry.add("notifier", "memory", MemoryNotifier)
        registry.add("notifier", "broken", BrokenNotifier)

    pm = build_plugin_manager(entry_points=False)
    assert pm.register_plugin(types.SimpleNamespace(
        salesforge_register_components=hookimpl(register)), "outbox", "test-outbox")
    return pm, sent


def config(rules: list[dict], notifiers: list[str], *overrides: str):
    cfg = compose([*FAST, *overrides])
    with open_dict(cfg):
        cfg.alerts.rules = rules
        cfg.notifier = {name: {} for name in notifiers}
    return cfg


def test_each_fired_rule_reaches_every_notifier_once_and_is_recorded(outbox, tmp_path,
                                                                     caplog):
    pm, sent = outbox
    with caplog.at_level(logging.WARNING):
        result = run(config([BIG, NEVER, FAILED], ["memory", "broken", "log"]),
                     tmp_path / "run", plugins=pm)
    assert result.ok
    assert [a.rule for a in sent] == ["big"]
    alert = sent[0]
    assert alert.run_id == result.manifest["run_id"] and alert.run_dir == str(tmp_path / "run")
    assert alert.facts["count"] >= 1 and alert.facts["largest"] > 0
    record = json.loads((tmp_path / "run" / "alerts.json").read_text())
    assert record["status"] == "ok" and record["fired"] == 1
    assert record["notifiers"] == ["memory", "broken", "log"]
    big, never, failed = record["rules"]
    assert big["fired"] and big["message"] == alert.message and big["facts"] == alert.facts
    assert big["notifiers"] == {"memory": "sent", "log": "sent",
                                "broken": "failed: ConnectionError: mail relay is down"}
    assert not never["fired"] and never["notifiers"] == {}
    assert not failed["fired"] and failed["message"] == ("Rule failed did not fire: the run "
                                                         "succeeded.")
    manifest = read_manifest(tmp_path / "run")
    assert manifest["status"] == "ok" and manifest["alerts"] == record
    assert manifest["artifacts"]["alerts"] == "alerts.json"
    assert ("notifier", "memory") in {(p["kind"], p["name"]) for p in manifest["plugins"]}
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert any("notifier broken could not send alert big" in w for w in warnings)
    assert any(w.startswith("alert big (warning): ") for w in warnings)  # the log notifier


def test_a_failed_run_sends_only_its_run_failed_rules(outbox, tmp_path):
    pm, sent = outbox
    with pytest.raises(DataError):
        run(config([BIG, FAILED], ["memory"], f"data.path={tmp_path / 'missing.csv'}"),
            tmp_path / "run", plugins=pm)
    assert [(a.rule, a.severity, a.facts["stage"]) for a in sent] == [
        ("failed", "critical", "load")]
    manifest = read_manifest(tmp_path / "run")
    assert manifest["status"] == "failed"
    assert [r["fired"] for r in manifest["alerts"]["rules"]] == [False, True]
    assert manifest["alerts"]["status"] == "failed"


def test_a_bad_rule_fails_the_run_before_its_first_stage(outbox, tmp_path):
    pm, sent = outbox
    with pytest.raises(ConfigError, match=r"config key alerts\.rules\[1\]\.above must be a "
                                          r"number of at least 0, got 'lots'\."):
        run(config([FAILED, {**BIG, "above": "lots"}], ["memory"]), tmp_path / "run",
            plugins=pm)
    manifest = read_manifest(tmp_path / "run")
    assert manifest["status"] == "failed" and set(manifest["stages"].values()) == {"pending"}
    assert sent == [] and "alerts" not in manifest


def test_an_unconfigured_webhook_fails_the_run_at_once(tmp_path, monkeypatch):
    monkeypatch.delenv("SALESFORGE_WEBHOOK_URL", raising=False)
    cfg = config([BIG], [])
    with open_dict(cfg):
        cfg.notifier = {"webhook": {"url_env": "SALESFORGE_WEBHOOK_URL"}}
    with pytest.raises(ConfigError, match=r"config key notifier\.webhook\.url_env names "
                                          r"environment variable SALESFORGE_WEBHOOK_URL"):
        run(cfg, tmp_path / "run", plugins=build_plugin_manager(entry_points=False))
    assert set(read_manifest(tmp_path / "run")["stages"].values()) == {"pending"}


def test_without_rules_nothing_is_written_and_notifiers_are_not_built(outbox, tmp_path,
                                                                      monkeypatch):
    pm, sent = outbox
    monkeypatch.delenv("SALESFORGE_WEBHOOK_URL", raising=False)
    cfg = config([], [])
    with open_dict(cfg):
        cfg.notifier = {"webhook": {}}  # unconfigured, but nothing would be sent
    result = run(cfg, tmp_path / "run", plugins=pm)
    assert result.ok and sent == []
    assert not (tmp_path / "run" / "alerts.json").exists()
    assert "alerts" not in read_manifest(tmp_path / "run")
