"""The shipped schedule example (examples/schedule/run-weekly.sh) runs as the scheduling
page says: two weekly runs into one home folder, the second scoring the first's forecasts
and comparing its data with the first's, the rules of +experiment=scheduled checked."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from salesforge.data.sample import sample_path

pytestmark = pytest.mark.slow
SCRIPT = Path(__file__).resolve().parents[2] / "examples" / "schedule" / "run-weekly.sh"
FAST = ["stages.segment=false", "stages.report=false", "backtest.windows=2"]


def test_two_scheduled_runs_score_realised_accuracy_and_drift(tmp_path):
    home = tmp_path / "home"
    inbox = home / "inbox"
    inbox.mkdir(parents=True)
    sample = pd.read_csv(sample_path())
    env = {**os.environ, "SALESFORGE_HOME": str(home), "SALES_FILE": str(inbox / "sales.csv"),
           "SALESFORGE_BIN": str(Path(sys.executable).parent / "salesforge")}
    manifests = []
    for rows in (sample[sample["date"] <= "2023-11-30"], sample):
        rows.to_csv(inbox / "sales.csv", index=False)
        done = subprocess.run(["bash", str(SCRIPT), *FAST], env=env, capture_output=True,
                              text=True, timeout=600)
        assert done.returncode == 0, done.stderr
        newest = max((home / "runs").glob("*/manifest.json"), key=lambda p: p.stat().st_mtime)
        manifests.append(json.loads(newest.read_text()))
    first, second = manifests
    assert first["run_id"] != second["run_id"]
    realized = second["forecast"]["realized"]
    assert realized["source_run"] == first["run_id"] and realized["periods"] == 28
    assert second["data"]["drift"]["reference_run"] == first["run_id"]
    assert second["alerts"]["fired"] == sum(r["fired"] for r in second["alerts"]["rules"])
    assert {r["rule"] for r in second["alerts"]["rules"]} >= {"forecast_missed", "data_drift"}
    listed = subprocess.run([env["SALESFORGE_BIN"], "runs", "accuracy", "--index",
                             str(home / "runs" / "runs.db"), "--json"],
                            capture_output=True, text=True, timeout=300)
    assert listed.returncode == 0, listed.stderr
    assert {r["scored_by"] for r in json.loads(listed.stdout)} == {second["run_id"]}
