"""Alert rules: checked with one sentence naming alerts.rules[i].<key>; evaluated on hand-made
manifests, firing strictly beyond their thresholds and never on missing sections."""

from __future__ import annotations

import pandas as pd
import pytest

from salesforge.composition import compose
from salesforge.errors import ConfigError, DataError
from salesforge.notify.alerting import configured_rules
from salesforge.notify.rules import RULE_KINDS, evaluate, parse_rules


def rule(when: str, **settings) -> dict:
    return {"name": f"my_{when}", "when": when, **settings}


def one(rule_: dict, manifest: dict, run_dir=".", **kwargs):
    [outcome] = evaluate(parse_rules([rule_]), manifest, run_dir, **kwargs)
    assert outcome.message.endswith(".") and "\n" not in outcome.message
    return outcome


# --- checking -----------------------------------------------------------------------


def test_every_kind_parses_with_its_defaults():
    rules = parse_rules([rule("anomaly_money", above=1000), rule("realized_mase", above=1),
                         rule("realized_coverage", below=0.7, level=0.95), rule("drift"),
                         rule("run_failed", severity="info")])
    assert [r.when for r in rules] == list(RULE_KINDS)
    assert rules[0].settings == {"above": 1000.0} and rules[0].severity == "warning"
    assert rules[2].settings == {"below": 0.7, "level": 0.95}
    assert rules[3].settings == {"status": ["drift"]}
    assert rules[4].severity == "info" and rules[4].key == "alerts.rules[4]"
    assert parse_rules([]) == [] and parse_rules(None) == []


@pytest.mark.parametrize(("rules", "message"), [
    ("nope", "config key alerts.rules must be a list"),
    ([1], "config key alerts.rules[0] must be a mapping"),
    ([{"when": "drift"}], "config key alerts.rules[0].name must be"),
    ([rule("drift"), rule("drift")], "config key alerts.rules[1].name repeats 'my_drift'"),
    ([{"name": "a"}], "config key alerts.rules[0].when is missing; choose one of anomaly_money"),
    ([rule("bogus")], "config key alerts.rules[0].when is 'bogus', not a rule kind"),
    ([rule("anomaly_money")], "config key alerts.rules[0].above is missing"),
    ([rule("realized_mase")], "config key alerts.rules[0].above is missing"),
    ([rule("realized_coverage")], "config key alerts.rules[0].below is missing"),
    ([rule("anomaly_money", above="lots")], "config key alerts.rules[0].above must be a number"),
    ([rule("anomaly_money", above=True)], "config key alerts.rules[0].above must be a number"),
    ([rule("realized_mase", above=-1)], "alerts.rules[0].above must be a number of at least 0"),
    ([rule("realized_coverage", below=70)], "config key alerts.rules[0].below must be a share"),
    ([rule("realized_coverage", below=0.7, level=80)],
     "config key alerts.rules[0].level must be an interval level"),
    ([rule("drift", status=["bad"])], "config key alerts.rules[0].status must be a list"),
    ([rule("drift", severity="loud")], "config key alerts.rules[0].severity must be one of"),
    ([rule("anomaly_money", abvoe=3)],
     "config key alerts.rules[0].abvoe is not a setting of rule kind anomaly_money"),
    ([rule("run_failed"), rule("drift", below=0.5)],
     "config key alerts.rules[1].below is not a setting of rule kind drift"),
])
def test_a_bad_rule_is_one_sentence_naming_its_key(rules, message):
    with pytest.raises(ConfigError) as caught:
        parse_rules(rules)
    assert message in str(caught.value)
    assert "\n" not in str(caught.value) and str(caught.value).endswith(".")


def test_rules_come_from_a_hydra_override_of_the_config():
    default = compose()
    cfg = compose([
        "alerts.rules=[{name: big, when: anomaly_money, above: 1e18}, "
        "{name: failed, when: run_failed, severity: critical}]"])
    assert configured_rules(default) == []
    big, failed = configured_rules(cfg)
    assert (big.name, big.settings["above"]) == ("big", 1e18)
    assert (failed.when, failed.severity) == ("run_failed", "critical")
    assert list(default.notifier) == ["log"]


# --- anomaly_money ------------------------------------------------------------------


@pytest.fixture
def anomaly_run(tmp_path):
    (tmp_path / "anomalies").mkdir()
    pd.DataFrame({"product": ["a", "b", "c", "d"], "money_impact": [-500.0, 100.0, 0.0, None]}
                 ).to_csv(tmp_path / "anomalies" / "anomalies.csv", index=False)
    return tmp_path, {"run_id": "r1", "artifacts": {"anomalies": "anomalies/anomalies.csv"}}


def test_anomaly_money_fires_strictly_above_the_absolute_impact(anomaly_run):
    run_dir, manifest = anomaly_run
    assert not one(rule("anomaly_money", above=500), manifest, run_dir).fired
    fired = one(rule("anomaly_money", above=499.99), manifest, run_dir)
    assert fired.fired and fired.facts["count"] == 1
    assert (fired.facts["largest"], fired.facts["total"]) == (500.0, 500.0)
    two = one(rule("anomaly_money", above=99), manifest, run_dir, currency="USD")
    assert (two.facts["count"], two.facts["largest"], two.facts["total"]) == (2, 500.0, 600.0)
    assert two.message == ("2 flagged anomalies have a money impact above $99.00 (largest "
                           "$500.00, together $600.00).")
    zero = one(rule("anomaly_money", above=0), manifest, run_dir)
    assert zero.fired and zero.facts["count"] == 2  # a zero impact is not above 0


def test_anomaly_money_without_the_detect_stage_does_not_fire(tmp_path):
    quiet = one(rule("anomaly_money", above=0), {"artifacts": {}}, tmp_path)
    assert not quiet.fired and "detect stage did not run" in quiet.message
    gone = one(rule("anomaly_money", above=0), {"artifacts": {"anomalies": "nope.csv"}}, tmp_path)
    assert not gone.fired and "nope.csv could not be read" in gone.message


# --- realised accuracy --------------------------------------------------------------


def realized(mase=1.25, coverage=None) -> dict:
    return {"run_id": "r2", "forecast": {"interval_level": 0.8, "realized": {
        "source_run": "r1", "model": "linear", "periods": 28, "series": 3,
        "models": {"linear": {"mase": mase, "bias_pct": -4.0,
                              "coverage": coverage or {"80": 0.7, "95": 0.9}},
                   "seasonal_naive": {"mase": 9.0, "bias_pct": 1.0, "coverage": {"80": 0.1}}}}}}


def test_realized_mase_fires_strictly_above_for_the_chosen_model():
    assert not one(rule("realized_mase", above=1.25), realized()).fired
    fired = one(rule("realized_mase", above=1.2499), realized())
    assert fired.fired and fired.facts["model"] == "linear" and fired.facts["mase"] == 1.25
    assert "run r1" in fired.message and "28 periods, 3 series" in fired.message
    assert not one(rule("realized_mase", above=2), realized()).fired  # naive's 9.0 is ignored
    unknown = one(rule("realized_mase", above=0), realized(mase=None))
    assert not unknown.fired and "MASE of linear is unknown" in unknown.message


@pytest.mark.parametrize("manifest", [
    {}, {"forecast": None}, {"forecast": {"realized": None}},
    {"forecast": {"realized": {"note": "no earlier run matches this target."}}},
    {"forecast": {"realized": {"model": "gone", "models": {"linear": {"mase": 9.0}}}}},
])
def test_realized_rules_do_not_fire_without_scores(manifest):
    mase = one(rule("realized_mase", above=0), manifest)
    coverage = one(rule("realized_coverage", below=1), manifest)
    assert not mase.fired and not coverage.fired
    if "note" in str(manifest):
        assert "no earlier run matches this target" in mase.message


def test_realized_coverage_fires_strictly_below_at_the_primary_or_chosen_level():
    assert not one(rule("realized_coverage", below=0.7), realized()).fired
    fired = one(rule("realized_coverage", below=0.7001), realized())
    assert fired.fired and fired.facts["level"] == "80" and fired.facts["coverage"] == 0.7
    assert fired.message.startswith("Only 70.0% of the actuals fell inside the 80% prediction")
    assert not one(rule("realized_coverage", below=0.9, level=0.95), realized()).fired
    assert one(rule("realized_coverage", below=0.91, level=0.95), realized()).fired
    missing = one(rule("realized_coverage", below=0.99, level=0.5), realized())
    assert not missing.fired and "50% intervals" in missing.message
    earlier = realized()  # the scored run's own primary level wins over this run's
    earlier["forecast"]["realized"]["interval_level"] = 0.95
    assert one(rule("realized_coverage", below=0.91), earlier).facts["level"] == "95"


# --- drift and run_failed -----------------------------------------------------------


def drift(status: str) -> dict:
    return {"data": {"drift": {"status": status, "reference_run": "r0", "largest": {
        "column": "price", "statistic": "psi", "value": 0.42}, "columns": {}}}}


def test_drift_fires_on_the_listed_statuses():
    fired = one(rule("drift"), drift("drift"))
    assert fired.fired and fired.facts == {"status": "drift", "reference_run": "r0",
                                           "column": "price", "statistic": "psi", "value": 0.42}
    assert "against run r0; the largest change is in price (psi 0.420)" in fired.message
    assert not one(rule("drift"), drift("warn")).fired
    assert one(rule("drift", status=["warn", "drift"]), drift("warn")).fired
    assert not one(rule("drift", status="warn"), drift("ok")).fired
    for manifest in ({}, {"data": {}}, {"data": {"drift": {"note": "first run."}}}):
        assert not one(rule("drift", status=["ok", "warn", "drift"]), manifest).fired


def test_run_failed_fires_only_on_a_failed_run_and_other_rules_wait_for_success(anomaly_run):
    run_dir, manifest = anomaly_run
    rules = parse_rules([rule("run_failed"), rule("anomaly_money", above=0)])
    ok = evaluate(rules, manifest, run_dir)
    assert [o.fired for o in ok] == [False, True]
    failed = evaluate(rules, manifest, run_dir, error=DataError("file x.csv does not exist."),
                      stage="load")
    assert [o.fired for o in failed] == [True, False]
    assert failed[0].message == "Run r1 failed in stage load: file x.csv does not exist."
    assert failed[0].facts == {"stage": "load", "error": "DataError",
                               "reason": "file x.csv does not exist"}
    assert "not checked on a failed run" in failed[1].message
    early = evaluate(rules[:1], manifest, run_dir, error=RuntimeError("boom"), stage=None)
    assert "before its first stage" in early[0].message
