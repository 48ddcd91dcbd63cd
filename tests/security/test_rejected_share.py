"""Issue #14, finding 10: rows are never lost in silence. When more than
``data.max_rejected_share`` of the rows are rejected, the CLI's last line, the manifest
and the app say so, naming the count, the share and the top reason."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from salesforge.cli import main
from salesforge.data.rejected_share import max_rejected_share, rejected_share, rejected_warning
from salesforge.data.sample import sample_path
from salesforge.errors import ConfigError
from salesforge.run_warnings import add_warning, run_warnings

#: Only the load and clean stages: the cheapest run that cleans.
LOAD_AND_CLEAN = [f"stages.{s}=false" for s in
                  ("features", "forecast", "segment", "detect", "analytics", "report")]
WARNING = ("11,284 of 33,850 rows (33.3%) were rejected, most because revenue is not a "
           "number (column revenue) in 11,284 rows; see data/rejected.csv.")


@pytest.fixture(scope="module")
def text_revenue(tmp_path_factory) -> Path:
    """The bundled sample with every third revenue cell turned to text."""
    frame = pd.read_csv(sample_path(), dtype={"revenue": object})
    frame.loc[frame.index % 3 == 0, "revenue"] = "see invoice"
    path = tmp_path_factory.mktemp("data") / "text_revenue.csv"
    frame.to_csv(path, index=False)
    return path


def run_cli(capsys, tmp_path: Path, *overrides: str) -> tuple[int, list[str], dict]:
    """``salesforge run`` in-process; (exit code, stdout lines, manifest)."""
    run_dir = tmp_path / "run"
    code = main(["run", *LOAD_AND_CLEAN, f"hydra.run.dir={run_dir}",
                 f"runs.index={tmp_path / 'runs.db'}", "--quiet", *overrides])
    lines = capsys.readouterr().out.strip().splitlines()
    return code, lines, json.loads((run_dir / "manifest.json").read_text())


def test_a_third_of_revenue_as_text_is_reported_on_the_last_line(text_revenue, tmp_path,
                                                                 capsys):
    code, lines, manifest = run_cli(capsys, tmp_path, f"data.path={text_revenue}")
    assert code == 0 and manifest["status"] == "ok"
    assert lines[-1] == f"salesforge: warning: {WARNING}"
    assert manifest["warnings"] == [{"stage": "clean", "code": "rows_rejected",
                                     "message": WARNING}]
    assert manifest["data"]["rejected_share"] == pytest.approx(11284 / 33850, abs=1e-6)
    assert run_warnings(manifest) == [WARNING]

    from salesforge.app.filters import GlobalFilters
    from salesforge.app.runs import RunData
    from salesforge.app.tabs.overview import OverviewTab

    overview = OverviewTab(GlobalFilters())
    overview.activate()  # the tab on screen (a hidden tab draws when shown)
    overview.show(RunData(tmp_path / "run"))
    alerts = [o for o in overview.layout.objects if type(o).__name__ == "Alert"]
    assert [(a.object, a.alert_type) for a in alerts] == [(WARNING, "warning")]


def test_the_unaltered_sample_gives_no_warning(tmp_path, capsys):
    code, lines, manifest = run_cli(capsys, tmp_path)
    assert code == 0 and "warning" not in "\n".join(lines)
    assert lines[-1].startswith("salesforge: run ") and " ok in " in lines[-1]
    assert manifest["warnings"] == [] and manifest["data"]["rejected_share"] == 0


def test_the_share_is_a_setting(text_revenue, tmp_path, capsys):
    code, lines, manifest = run_cli(capsys, tmp_path, f"data.path={text_revenue}",
                                    "data.max_rejected_share=0.4")
    assert code == 0 and manifest["warnings"] == [] and " ok in " in lines[-1]
    with pytest.raises(SystemExit) as failed:  # a failed single run exits from Hydra's task
        main(["run", *LOAD_AND_CLEAN, f"hydra.run.dir={tmp_path / 'bad'}",
              f"runs.index={tmp_path / 'runs.db'}", "data.max_rejected_share=5", "--quiet"])
    assert failed.value.code == 2
    assert "data.max_rejected_share must be a share from 0 to 1" in capsys.readouterr().err


def test_rejected_warning_names_count_share_and_top_reason():
    data = {"rows_in": 1000, "rows_clean": 890, "rows_rejected": 100, "rows_duplicate": 10,
            "rejected_reasons": {"price is negative": 30, "date is not a date (column d)": 70}}
    assert rejected_share(data) == 0.1
    assert rejected_warning(data, 0.05, "data/rejected.csv") == (
        "100 of 1,000 rows (10.0%) were rejected, most because date is not a date (column d) "
        "in 70 rows; see data/rejected.csv.")
    assert rejected_warning(data, 0.1, "data/rejected.csv") is None  # above, not at
    assert rejected_warning(data, None, "data/rejected.csv") is None
    assert rejected_share({"rows_in": 0, "rows_rejected": 0}) == 0.0
    assert max_rejected_share({}) == 0.05 and max_rejected_share({"max_rejected_share": 0}) == 0
    assert max_rejected_share({"max_rejected_share": None}) is None
    for bad in (-0.1, 1.5, "5%", True):
        with pytest.raises(ConfigError, match=r"data\.max_rejected_share"):
            max_rejected_share({"max_rejected_share": bad})


def test_run_warnings_reads_the_manifest_of_any_version():
    manifest: dict = {}
    assert run_warnings(manifest) == []  # written before warnings existed
    add_warning(manifest, "clean", "rows_rejected", "first.")
    add_warning(manifest, "forecast", "other", "second.")
    assert run_warnings(manifest) == ["first.", "second."]
    assert run_warnings({"warnings": None}) == []


def test_the_api_answers_say_so_too(text_revenue, tmp_path):
    """The upload's summary, the detection answer and a run's status carry the warning."""
    from fastapi.testclient import TestClient

    from salesforge.api import ApiSettings, create_app

    with TestClient(create_app(ApiSettings(store=tmp_path / "store"))) as client:
        uploaded = client.post("/api/upload", files={
            "file": (text_revenue.name, text_revenue.read_bytes())}).json()
        assert uploaded["summary"]["warnings"] == [WARNING.replace(
            "see data/rejected.csv", "see data/rejected.csv of a run on it")]
        detected = client.post("/api/anomaly/detect", json={
            "dataset": uploaded["id"], "overrides": ["detect.series=false"]}).json()
        assert detected["warnings"] == [WARNING]
        status = client.get(f"/api/runs/{detected['run']}").json()
        assert status["warnings"] == [WARNING]
    with TestClient(create_app(ApiSettings(store=tmp_path / "clean"))) as client:
        with open(sample_path(), "rb") as handle:
            uploaded = client.post("/api/upload", files={"file": ("s.csv.gz", handle)}).json()
        assert uploaded["summary"]["warnings"] == []
