"""The ``experiment`` config group: every overlay composes, and each example runs on the
bundled sample through the CLI and delivers what it promises."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from salesforge.composition import compose
from salesforge.config import (
    GROUP_KINDS,
    LIST_GROUPS,
    choice,
    choices,
    conf_dir,
    register_component_configs,
)
from salesforge.errors import ConfigError
from salesforge.forecast.series import sample_clean
from salesforge.overrides import check_overrides
from salesforge.plugin.manager import build_plugin_manager

PM = build_plugin_manager()
register_component_configs(PM.registry)
EXPERIMENTS = sorted(p.stem for p in (conf_dir() / "experiment").glob("*.yaml"))
INDONESIAN_TITLES = ("Ringkasan eksekutif", "Temuan", "Tren dan musiman", "Prakiraan")


def compose_experiment(name: str, *overrides: str):
    return compose([f"+experiment={name}", *overrides])


def test_the_example_experiments_are_packaged_with_the_package_data():
    assert EXPERIMENTS == ["anomaly_audit", "monthly_executive_report_id", "scheduled",
                           "weekly_by_category"]
    for name in EXPERIMENTS:
        text = (conf_dir() / "experiment" / f"{name}.yaml").read_text()
        assert text.startswith("# @package _global_"), name


@pytest.mark.parametrize("name", EXPERIMENTS)
def test_every_experiment_composes_and_builds_its_components(name):
    cfg = compose_experiment(name)
    assert "experiment" not in cfg  # a global overlay, not a node of its own
    for group, kind in GROUP_KINDS.items():
        selected = choices(cfg, group) if group in LIST_GROUPS else [choice(cfg, group)]
        for component, settings in selected:
            PM.create(kind, component, settings, key=group)
    check_overrides(["run", f"+experiment={name}"], PM)


def test_weekly_by_category_composes_to_a_tuned_weekly_category_forecast():
    cfg = compose_experiment("weekly_by_category")
    assert (cfg.forecast.freq, list(cfg.forecast.by)) == ("W", ["category"])
    assert [n for n, _ in choices(cfg, "forecaster")] == [
        "seasonal_naive", "linear", "random_forest", "xgboost"]
    assert cfg.tuning.enabled is True and 1 <= cfg.tuning.n_trials <= 20


def test_anomaly_audit_ensemble_scores_with_a_pyod_member():
    from salesforge.detect.context import context_features

    cfg = compose_experiment("anomaly_audit")
    name, settings = choice(cfg, "detector")
    assert name == "ensemble" and "pyod" in settings["members"]
    assert cfg.stages.forecast is False and "anomalies" in cfg.report.sections
    detector = PM.create("detector", name, settings, key="detector")
    features, _ = context_features(sample_clean().head(3000))
    scores = detector.fit(features).score_samples(features)
    members = {type(m).__module__.split(".")[0]: m for m in detector.members_}
    assert "salesforge_pyod" in members
    pyod_scores = members["salesforge_pyod"].score_samples(features)
    assert 0 <= pyod_scores.min() and pyod_scores.max() <= 1 and pyod_scores.std() > 0
    assert scores.shape == (len(features),)


def test_monthly_executive_report_is_indonesian_and_monthly():
    cfg = compose_experiment("monthly_executive_report_id")
    assert cfg.forecast.freq == "MS" and cfg.report.language == "id"
    assert [n for n, _ in choices(cfg, "reporter")] == ["pdf", "excel", "html"]
    assert 2 <= len(cfg.report.sections) <= 5


def test_experiments_combine_with_later_overrides():
    cfg = compose_experiment("weekly_by_category", "forecast.horizon=4", "tuning.n_trials=3")
    assert (cfg.forecast.horizon, cfg.tuning.n_trials, cfg.forecast.freq) == (4, 3, "W")


def test_an_unknown_experiment_is_one_sentence_listing_the_available_ones():
    with pytest.raises(ConfigError) as error:
        check_overrides(["+experiment=weekly"], PM)
    message = str(error.value)
    assert message.count(".") == 1 and "\n" not in message
    assert "experiment has no option 'weekly'" in message
    for name in EXPERIMENTS:
        assert name in message
    with pytest.raises(ConfigError, match=r"\+experiment=<name>"):
        check_overrides(["experiment=weekly_by_category"], PM)


def _run(cli, tmp_path, name, *overrides):
    run_dir = tmp_path / name
    result = cli("run", f"+experiment={name}", *overrides, f"hydra.run.dir={run_dir}")
    assert result.returncode == 0, result.stderr
    return run_dir, json.loads((run_dir / "manifest.json").read_text())


@pytest.mark.slow
def test_weekly_by_category_runs_weekly_per_category_with_tuning(cli, tmp_path):
    run_dir, manifest = _run(cli, tmp_path, "weekly_by_category", "tuning.n_trials=3",
                             "backtest.windows=2", "forecaster.random_forest.n_estimators=30",
                             "forecaster.xgboost.n_estimators=50")
    forecast = pd.read_csv(run_dir / "forecast/forecast.csv", parse_dates=["ds"])
    categories = set(sample_clean()["category"].astype(str))
    assert set(forecast["series_id"]) == categories
    assert set(forecast["ds"].dt.day_name()) == {"Sunday"}  # W = weeks ending Sunday
    assert (forecast.groupby(["series_id", "model"]).size() == 8).all()
    section = manifest["forecast"]
    assert (section["freq"], section["by"]) == ("W", ["category"])
    assert set(section["tuning"]) == {"linear", "random_forest", "xgboost"}
    for result in section["tuning"].values():
        assert result["n_trials"] == 3
        assert result["best_value"] <= result["default_value"] + 1e-12
    assert (run_dir / "forecast/tuning.csv").is_file()
    assert (run_dir / "reports/report.html").is_file()


@pytest.mark.slow
def test_anomaly_audit_runs_the_pyod_ensemble(cli, tmp_path):
    run_dir, manifest = _run(cli, tmp_path, "anomaly_audit")
    assert manifest["config"]["detector"]["members"] == ["mad", "isolation_forest", "pyod"]
    assert manifest["stages"]["forecast"] == "skipped" and manifest["stages"]["detect"] == "ok"
    anomalies = pd.read_csv(run_dir / "anomalies/anomalies.csv")
    assert set(anomalies["detector"]) == {"ensemble"}
    assert manifest["anomalies"]["detector"] == "ensemble"
    assert manifest["anomalies"]["rate"] == pytest.approx(0.02, abs=0.005)
    assert anomalies["anomaly_score"].between(0, 1).all() and anomalies["reason"].notna().all()
    evaluation = manifest["anomalies"]["evaluation"]  # the sample's labels score the flags
    assert evaluation["roc_auc"] > 0.9 and evaluation["recall_by_type"]["quantity_spike"] > 0.9
    for name in ("report.xlsx", "report.html"):
        assert (run_dir / "reports" / name).is_file()


@pytest.mark.slow
def test_monthly_executive_report_writes_indonesian_pdf_and_excel(cli, tmp_path):
    import openpyxl
    import pypdfium2

    run_dir, manifest = _run(cli, tmp_path, "monthly_executive_report_id")
    assert (manifest["forecast"]["freq"], manifest["forecast"]["horizon"]) == ("MS", 6)
    forecast = pd.read_csv(run_dir / "forecast/forecast.csv", parse_dates=["ds"])
    assert forecast["ds"].dt.is_month_start.all()
    pdf = pypdfium2.PdfDocument(run_dir / "reports/report.pdf")
    text = "".join(page.get_textpage().get_text_range() for page in pdf)
    for title in INDONESIAN_TITLES:
        assert title in text, title
    assert "Executive summary" not in text
    book = openpyxl.load_workbook(run_dir / "reports/report.xlsx", read_only=True)
    cells = {str(value) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True)
             for value in row if value is not None}
    assert "Temuan" in cells and any(c.startswith("Total pendapatan Rp") for c in cells)
    assert (run_dir / "reports/report.html").is_file()


def test_an_experiment_of_your_own_from_a_config_dir(cli, tmp_path):
    folder = tmp_path / "my_conf" / "experiment"
    folder.mkdir(parents=True)
    (folder / "weekly_total.yaml").write_text(
        "# @package _global_\n"
        "defaults:\n  - override /forecaster: [seasonal_naive]\n"
        "forecast: {freq: W, horizon: 8}\n"
        "stages: {segment: false, detect: false, analytics: false, report: false}\n")
    check_overrides(["--config-dir", str(tmp_path / "my_conf"), "+experiment=weekly_total"], PM)
    run_dir = tmp_path / "run"
    result = cli("run", "--config-dir", str(tmp_path / "my_conf"), "+experiment=weekly_total",
                 f"hydra.run.dir={run_dir}")
    assert result.returncode == 0, result.stderr
    manifest = json.loads((run_dir / "manifest.json").read_text())
    assert (manifest["forecast"]["freq"], manifest["forecast"]["horizon"]) == ("W", 8)
    assert list(manifest["forecast"]["models"]) == ["seasonal_naive"]
