"""``salesforge runs`` end to end: a real 4-job ``-m`` sweep recorded in the run index,
then list, show, compare, diff and rebuild through the CLI."""

from __future__ import annotations

import json
import shutil

import pytest

from tests.conftest import run_cli

pytestmark = pytest.mark.slow
SWEEP = ["run", "-m", "forecast.horizon=7,14", "forecaster=seasonal_naive,linear",
         "stages.report=false", "backtest.windows=2", "hydra.sweep.dir=sweep"]


@pytest.fixture(scope="module")
def sweep(tmp_path_factory):
    """(folder, index, rows by job number) after a 4-job sweep run from ``folder``."""
    folder = tmp_path_factory.mktemp("sweep")
    index = folder / "index" / "runs.db"
    result = run_cli(*SWEEP, f"runs.index={index}", cwd=folder)
    assert result.returncode == 0, result.stderr
    listed = runs(folder, "list", "--index", str(index), "--json")
    by_job = {int(r["path"].rsplit("/", 1)[1]): r for r in listed}
    return folder, index, by_job


def runs(folder, *args: str):
    result = run_cli("runs", *args, cwd=folder)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout) if "--json" in args else result.stdout


def test_a_four_job_sweep_leaves_four_rows(sweep):
    folder, index, by_job = sweep
    assert sorted(by_job) == [0, 1, 2, 3]
    assert {r["status"] for r in by_job.values()} == {"ok"}
    for job, row in by_job.items():
        manifest = json.loads((folder / "sweep" / str(job) / "manifest.json").read_text())
        assert row["run_id"] == manifest["run_id"]
        assert row["best_model"] == manifest["forecast"]["best"]
    assert by_job[0]["horizon"] == 7 and by_job[3]["horizon"] == 14
    assert "forecaster=linear" in by_job[3]["overrides"]
    text = runs(folder, "list", "--index", str(index))
    assert all(r["run_id"] in text for r in by_job.values()) and "4 run(s)" in text


def test_compare_shows_every_run_and_marks_the_best(sweep):
    folder, index, by_job = sweep
    ids = [by_job[j]["run_id"] for j in range(4)]
    text = runs(folder, "compare", *ids, "--index", str(index))
    assert all(i in text for i in ids)
    best = min(by_job.values(), key=lambda r: r["metrics"]["mase"])
    mase_line = next(line for line in text.splitlines() if line.startswith("│ mase "))
    assert f"{best['metrics']['mase']:.4f}".rstrip("0") + " *" in mase_line
    assert mase_line.count("*") == 1
    document = runs(folder, "compare", *ids, "--index", str(index), "--json")
    assert document["runs"] == ids and document["best"]["mase"] == [best["run_id"]]
    assert document["info"]["overrides"][ids[0]] == "forecast.horizon=7 forecaster=seasonal_naive"


def test_diff_explains_two_runs_that_differ_in_one_override(sweep):
    folder, index, by_job = sweep
    a, b = by_job[0]["run_id"], by_job[2]["run_id"]  # horizon 7 vs 14, seasonal_naive
    document = runs(folder, "diff", a, b, "--index", str(index), "--json")
    assert document["config"] == [{"key": "forecast.horizon", "a": 7, "b": 14}]
    assert document["overrides"] == {"only_a": ["forecast.horizon=7"],
                                     "only_b": ["forecast.horizon=14"]}
    mase = next(m for m in document["metrics"] if m["name"] == "mase")
    assert mase["change"] == pytest.approx(by_job[2]["metrics"]["mase"]
                                           - by_job[0]["metrics"]["mase"])
    assert document["forecast"]["periods"] == 7  # the days both forecast
    text = runs(folder, "diff", a[:-1], b[:-1], "--index", str(index))  # unique prefixes
    assert "forecast.horizon" in text and "only in A: forecast.horizon=7" in text
    assert "metric changes (A -> B)" in text and "KPI deltas: none" in text


def test_where_last_show_and_errors(sweep):
    folder, index, by_job = sweep
    good = runs(folder, "list", "--index", str(index), "--where", "mase<1", "--json")
    expected = {r["run_id"] for r in by_job.values() if r["metrics"]["mase"] < 1}
    assert {r["run_id"] for r in good} == expected and 0 < len(expected) < 4
    both = runs(folder, "list", "--index", str(index), "--where", "mase<1", "--where",
                "horizon=14", "--json")
    assert [r["run_id"] for r in both] == [r["run_id"] for r in by_job.values()
                                           if r["metrics"]["mase"] < 1 and r["horizon"] == 14]
    assert len(runs(folder, "list", "--index", str(index), "--last", "2", "--json")) == 2
    newest = runs(folder, "show", "last", "--index", str(index), "--json")
    assert newest["run_id"] == by_job[3]["run_id"] and newest["metrics"]["rows_clean"] > 0
    bad = run_cli("runs", "list", "--index", str(index), "--where", "nope<1", cwd=folder)
    assert bad.returncode == 2 and "available:" in bad.stderr and "Traceback" not in bad.stderr
    missing = run_cli("runs", "show", "zzz", "--index", str(index), cwd=folder)
    assert missing.returncode == 2 and "no run 'zzz'" in missing.stderr


def test_rebuild_restores_the_same_rows(sweep, tmp_path):
    folder, _index, by_job = sweep
    copy = tmp_path / "runs.db"
    shutil.copytree(folder / "sweep", tmp_path / "sweep")
    listed = runs(tmp_path, "list", "--index", str(copy), "--json")  # missing: rebuilt
    assert sorted(r["run_id"] for r in listed) == sorted(r["run_id"] for r in by_job.values())
    assert "4 run(s)" in runs(tmp_path, "rebuild", "--index", str(copy))


def test_failed_runs_are_recorded_as_failed(tmp_path):
    result = run_cli("run", "data.path=missing.csv", "runs.index=runs.db", cwd=tmp_path)
    assert result.returncode != 0
    (row,) = runs(tmp_path, "list", "--index", "runs.db", "--where", "status=failed", "--json")
    assert "missing.csv" in row["error"]


def test_square_brackets_in_overrides_print_as_written(tmp_path):
    index = tmp_path / "runs.db"
    result = run_cli("run", "forecaster=[seasonal_naive,linear]", "stages.segment=false",
                     "stages.detect=false", "stages.report=false", "backtest.windows=2",
                     f"runs.index={index}", f"hydra.run.dir={tmp_path / 'run'}", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    for command in ("list", "show"):
        text = runs(tmp_path, command, *(["last"] if command == "show" else []),
                    "--index", str(index))
        assert "forecaster=[seasonal_naive,linear]" in text, text
