"""Report sections: order from ``report.sections``, absent data leaves a section out,
unknown names are a config error, plugins add sections."""

from __future__ import annotations

import pandas as pd
import pytest

from salesforge.analytics.kpis import KpiAnalyzer
from salesforge.base.reporter import DEFAULT_SECTIONS, ReportBundle, Section
from salesforge.errors import ConfigError
from salesforge.report.sections import resolve_sections
from salesforge.testing import example_transactions


def analysis_bundle(language: str = "en", **kwargs) -> ReportBundle:
    analysis = KpiAnalyzer().analyze(example_transactions(), language)
    return ReportBundle(title="t", language=language, kpis=analysis.kpis,
                        tables=dict(analysis.tables), insights=analysis.insights,
                        details=analysis.details, **kwargs)


def test_sections_follow_the_configured_order_and_skip_absent_data():
    bundle = analysis_bundle()
    names = [s.name for s in resolve_sections(bundle)]
    # No forecast, segment, detect or clean-stage tables: those sections are left out.
    assert names == [n for n in DEFAULT_SECTIONS
                     if n not in ("forecast", "segments", "anomalies", "data_quality")]
    bundle.section_names = ["insights", "kpis", "forecast"]
    assert [s.name for s in resolve_sections(bundle)] == ["insights", "summary"]


def test_section_titles_follow_the_language():
    english = resolve_sections(analysis_bundle("en"))
    indonesian = resolve_sections(analysis_bundle("id"))
    assert english[0].title == "Executive summary"
    assert indonesian[0].title == "Ringkasan eksekutif"
    summary = indonesian[0].tables[0][1]
    assert summary.iloc[0].tolist()[0] == "Pendapatan (bersih)"
    assert summary.iloc[0].tolist()[1].startswith("Rp ")


def test_unknown_section_is_a_config_error_naming_the_key():
    bundle = analysis_bundle(section_names=["summary", "nonsense"])
    with pytest.raises(ConfigError, match=r"report\.sections.*'nonsense'"):
        resolve_sections(bundle)


def test_model_sections_appear_when_their_tables_exist():
    bundle = analysis_bundle(section_names=["forecast", "segments", "anomalies"])
    bundle.tables["forecast"] = pd.DataFrame({
        "series_id": "total", "ds": pd.date_range("2024-01-01", periods=3),
        "model": ["linear"] * 3, "y_pred": [1.0, 2, 3], "y_lo": [0.5, 1, 2],
        "y_hi": [2.0, 3, 4]})
    bundle.tables["leaderboard"] = pd.DataFrame({"model": ["linear", "linear"],
                                                 "metric": ["mae", "mase"],
                                                 "value": [1.5, 0.8]})
    bundle.tables["segments"] = pd.DataFrame({"entity": ["a", "b", "c"],
                                              "segment_name": ["Top", "Top", "Tail"],
                                              "revenue": [10.0, 20.0, 1.0]})
    bundle.tables["anomalies"] = pd.DataFrame({"product": ["a", "b"],
                                               "anomaly_score": [0.5, 0.9],
                                               "reason": ["x", "y"]})
    bundle.manifest = {"forecast": {"best": "linear", "selection_metric": "mase"},
                       "anomalies": {"rate": 0.01}}
    forecast, segments, anomalies = resolve_sections(bundle)
    assert forecast.paragraphs == ["Best model by mase: linear."]
    board = forecast.tables[0][1]
    assert list(board.columns) == ["model", "mae", "mase"] and board["mase"].iloc[0] == 0.8
    sizes = segments.tables[0][1].set_index("segment_name")
    assert sizes.loc["Top", "members"] == 2 and sizes.loc["Top", "share_pct"] == \
        pytest.approx(30 / 31 * 100)
    assert anomalies.paragraphs == ["2 transactions were flagged (1.00% of those scored)."]
    assert list(anomalies.tables[0][1]["anomaly_score"]) == [0.9, 0.5]  # most anomalous first


def test_a_plugin_section_is_placed_where_the_config_names_it():
    note = Section("acme_notes", "ACME notes", paragraphs=["Hello from ACME."])

    def builder(bundle: ReportBundle) -> Section:
        return Section("acme_kpi", "ACME KPI", paragraphs=[f"{len(bundle.tables)} tables"])

    bundle = analysis_bundle(section_names=["acme_kpi", "summary", "acme_notes"],
                             extra_sections={"acme_notes": note, "acme_kpi": builder})
    sections = resolve_sections(bundle)
    assert [s.name for s in sections] == ["acme_kpi", "summary", "acme_notes"]
    assert sections[0].paragraphs == [f"{len(bundle.tables)} tables"]
