"""Stages hand typed results to later stages and hooks (``context.stage_results``); the old
``context.results`` dict still reads them, with a DeprecationWarning; report sections
come from the ``salesforge_report_sections`` hook."""

from __future__ import annotations

import warnings

import pandas as pd
import pytest

from salesforge import hookimpl, run
from salesforge.base.analyzer import Analysis
from salesforge.base.reporter import Section
from salesforge.composition import compose
from salesforge.errors import PluginError
from salesforge.plugin.manager import build_plugin_manager
from salesforge.results import (
    CleanResults,
    DetectResults,
    ForecastResults,
    SegmentResults,
    StageResults,
)


class Watcher:
    """Keeps what each stage left on the context when the stage ended."""

    def __init__(self) -> None:
        self.seen: dict[str, StageResults] = {}
        self.context = None

    @hookimpl
    def salesforge_after_stage(self, context, stage):
        self.context = context
        results = context.stage_results
        self.seen[stage] = StageResults(**{k: getattr(results, k) for k in vars(results)})


@pytest.fixture(scope="module")
def watched(tmp_path_factory):
    pm = build_plugin_manager(entry_points=False)
    watcher = Watcher()
    pm.register(watcher)
    run_dir = tmp_path_factory.mktemp("typed") / "run"
    result = run(compose(["forecaster=[seasonal_naive,linear]"]), run_dir, plugins=pm)
    assert result.ok
    return watcher, run_dir


def test_each_stage_fills_its_typed_field_for_the_stages_after_it(watched):
    watcher, run_dir = watched
    seen = watcher.seen
    assert seen["load"].clean is None and seen["load"].labels_path is not None
    assert isinstance(seen["clean"].clean, CleanResults)
    assert seen["clean"].forecast is None
    forecast = seen["forecast"].forecast
    assert isinstance(forecast, ForecastResults)
    on_disk = pd.read_csv(run_dir / "forecast" / "leaderboard.csv")
    assert len(forecast.leaderboard) == len(on_disk) > 0
    assert forecast.best in set(on_disk["model"])
    assert isinstance(seen["segment"].segment, SegmentResults)
    detect = seen["detect"].detect
    assert isinstance(detect, DetectResults)
    assert len(detect.anomalies) == len(pd.read_csv(run_dir / "anomalies" / "anomalies.csv"))
    assert detect.series_anomalies is not None  # detect.series is on by default
    assert isinstance(seen["analytics"].analytics, Analysis)
    assert seen["analytics"].analytics.kpis["revenue"] > 0


def test_the_old_results_dict_still_reads_them_and_warns(watched):
    context = watcher_context(watched)
    with pytest.warns(DeprecationWarning, match=r"context.stage_results.forecast"):
        forecast = context.results["forecast"]
    assert forecast is context.stage_results.forecast
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", DeprecationWarning)
        board = context.results["forecast"]["leaderboard"]
    assert board is context.stage_results.forecast.leaderboard
    assert [str(w.message) for w in caught] == [
        "context.results['forecast'] is deprecated; use context.stage_results.forecast.",
        "reading results[...]['leaderboard'] is deprecated; use the attribute .leaderboard."]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        assert context.results.get("clean", {}).get("derived") == \
            context.stage_results.clean.derived
        assert "detect" in context.results and "out_of_core" not in context.results
    with pytest.raises(TypeError, match=r"stage_results.forecast"):
        context.results["forecast"] = {}


def test_other_keys_are_the_plugins_own_state(watched):
    context = watcher_context(watched)
    context.results["acme"] = 41
    assert context.plugin_state["acme"] == 41
    context.plugin_state["acme"] += 1
    assert context.results.get("acme") == 42
    del context.results["acme"]
    assert "acme" not in context.plugin_state


def watcher_context(watched):
    watcher, _ = watched
    return watcher.context


class Notes:
    def __init__(self, name: str = "acme_notes") -> None:
        self.name = name

    @hookimpl
    def salesforge_report_sections(self, context):
        rows = context.manifest["data"]["rows_clean"]
        return {self.name: Section(self.name, "ACME notes", paragraphs=[f"ACME read {rows}."])}


class LegacyNotes:
    @hookimpl
    def salesforge_before_stage(self, context, stage):
        if stage == "report":
            context.results.setdefault("report_sections", {})["old_notes"] = Section(
                "old_notes", "Old notes", paragraphs=["written the old way"])


def _report_run(tmp_path, *plugins, sections="[old_notes,acme_notes,kpis]"):
    pm = build_plugin_manager(entry_points=False)
    for plugin in plugins:
        pm.register(plugin)
    overrides = ["reporter=[html]", f"report.sections={sections}", "stages.forecast=false",
                 "stages.segment=false", "stages.detect=false"]
    return run(compose(overrides), tmp_path / "run", plugins=pm)


def test_hook_sections_and_deprecated_ones_reach_the_report(tmp_path):
    with pytest.warns(DeprecationWarning, match="salesforge_report_sections"):
        result = _report_run(tmp_path, Notes(), LegacyNotes())
    assert result.ok
    html = (result.run_dir / "reports" / "report.html").read_text(encoding="utf-8")
    rows = result.manifest["data"]["rows_clean"]
    assert f"ACME read {rows}." in html and "written the old way" in html
    assert html.index("written the old way") < html.index(f"ACME read {rows}.")


def test_two_plugins_giving_one_section_name_fail_naming_it(tmp_path):
    with pytest.raises(PluginError, match="report section 'acme_notes' is given by both"):
        _report_run(tmp_path, Notes(), Notes(), sections="[acme_notes]")


def test_every_artifact_the_run_records_is_a_layout_path(watched):
    _, run_dir = watched
    import json

    from salesforge.layout import RunLayout

    manifest = json.loads((run_dir / RunLayout.MANIFEST).read_text(encoding="utf-8"))
    files = {v for k, v in vars(RunLayout).items() if k.isupper() and isinstance(v, str)}
    folders = {RunLayout.CHARTS, RunLayout.REPORTS, RunLayout.MODELS}
    for key, relative in manifest["artifacts"].items():
        assert (run_dir / relative).exists(), key
        assert relative in files or relative.split("/", 1)[0] in folders, (key, relative)
    assert {"clean", "forecast", "leaderboard", "anomalies", "segments"} <= \
        set(manifest["artifacts"])


def test_the_typed_manifest_declares_every_key_a_run_writes(watched):
    from typing import get_type_hints

    from salesforge.manifest import (
        AnalyticsSection,
        AnomaliesSection,
        DataSection,
        ForecastSection,
        Manifest,
        ProcessSection,
        SegmentsSection,
        read_manifest,
    )

    _, run_dir = watched
    manifest = read_manifest(run_dir)
    assert set(manifest) <= set(get_type_hints(Manifest))
    for key, section in (("forecast", ForecastSection), ("data", DataSection),
                         ("segments", SegmentsSection), ("anomalies", AnomaliesSection),
                         ("analytics", AnalyticsSection), ("process", ProcessSection)):
        undeclared = set(manifest[key]) - set(get_type_hints(section))
        assert not undeclared, f"manifest.{key} writes undeclared keys {sorted(undeclared)}"


def test_one_reader_reads_manifests_everywhere():
    import re
    from pathlib import Path

    package = Path(__file__).resolve().parents[2] / "salesforge"
    readers = [f"{p.relative_to(package)}:{n}" for p in sorted(package.rglob("*.py"))
               if p.name != "manifest.py"
               for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
               if re.search(r"json\.loads?\(", line) and "manifest" in line.lower()]
    assert readers == []


def test_the_reader_reads_nan_written_by_other_tools_as_none(tmp_path):
    from salesforge.manifest import read_manifest

    (tmp_path / "manifest.json").write_text('{"run_id": "x", "forecast": {"best": NaN}}')
    assert read_manifest(tmp_path) == {"run_id": "x", "forecast": {"best": None}}
