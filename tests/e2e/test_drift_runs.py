"""Issue #19, data drift, end to end: real runs on the bundled sample share one run index;
an unshifted copy of the sample does not drift, a copy with prices x1.3 does, naming
price, and the first run and ``data.drift.reference=false`` get a note, not an error."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from salesforge.cli import main
from salesforge.data.drift_check import NO_REFERENCE, SWITCHED_OFF
from salesforge.data.profile import PROFILE
from salesforge.data.sample import sample_path

#: Load, clean and analytics only: a few seconds a run.
FAST = [f"stages.{s}=false" for s in ("features", "forecast", "segment", "detect", "report")]


def run(folder: Path, name: str, *overrides: str) -> tuple[int, dict]:
    """``salesforge run`` in-process into ``folder/name`` with the shared index."""
    run_dir = folder / name
    code = main(["run", *FAST, f"hydra.run.dir={run_dir}", f"runs.index={folder / 'runs.db'}",
                 "--quiet", *overrides])
    manifest = run_dir / "manifest.json"
    return code, json.loads(manifest.read_text()) if manifest.is_file() else {}


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("drift")


@pytest.fixture(scope="module")
def runs(folder) -> dict[str, dict]:
    """Manifests of: the sample, an unshifted copy, a copy with prices x1.3 (revenue
    recomputed), that copy again with ``reference=false`` and with the first run's id."""
    sample = pd.read_csv(sample_path())
    copy, shifted = folder / "copy.csv", folder / "shifted.csv"
    sample.to_csv(copy, index=False)
    moved = sample.assign(price=sample["price"] * 1.3)
    moved["revenue"] = moved["quantity"] * moved["price"]
    moved.to_csv(shifted, index=False)
    manifests = {}
    for name, overrides in (("first", []), ("copy", [f"data.path={copy}"]),
                            ("shifted", [f"data.path={shifted}"]),
                            ("off", [f"data.path={shifted}", "data.drift.reference=false"])):
        code, manifests[name] = run(folder, name, *overrides)
        assert code == 0 and manifests[name]["status"] == "ok", name
    first = manifests["first"]["run_id"]
    code, manifests["named"] = run(folder, "named", f"data.path={shifted}",
                                   f"data.drift.reference={first}")
    assert code == 0
    return manifests


def drift(manifest: dict) -> dict:
    return manifest["data"]["drift"]


def test_the_first_run_gets_a_note_and_writes_its_profile(runs, folder):
    manifest = runs["first"]
    assert drift(manifest) == {"note": NO_REFERENCE}
    assert manifest["warnings"] == [] and manifest["artifacts"]["profile"] == PROFILE
    profile = json.loads((folder / "first" / PROFILE).read_text())
    assert profile["rows"] == manifest["data"]["rows_clean"]
    assert {"quantity", "price", "revenue"} <= set(profile["numeric"])
    assert {"category", "region"} <= set(profile["categorical"])


def test_an_unshifted_copy_does_not_drift(runs):
    entry = drift(runs["copy"])
    assert entry["status"] == "ok" and entry["reference_run"] == runs["first"]["run_id"]
    assert entry["threshold"] == 0.25
    assert all(c["status"] == "ok" for c in entry["columns"].values())
    assert entry["columns"]["price"]["price_level"]["median_change"] == 0
    assert runs["copy"]["warnings"] == []
    insights = runs["copy"]["analytics"]["insights"]
    assert any(t.startswith(f"The data matches run {runs['first']['run_id']}")
               for t in insights)


def test_prices_times_1_3_drift_and_name_price(runs):
    manifest = runs["shifted"]
    entry = drift(manifest)
    assert entry["status"] == "drift" and entry["reference_run"] == runs["copy"]["run_id"]
    price = entry["columns"]["price"]
    assert price["status"] == "drift"
    assert price["price_level"]["median_change"] == pytest.approx(0.3, abs=1e-6)
    assert price["price_level"]["share_moved"] == 1.0
    assert entry["columns"]["quantity"]["status"] == "ok"
    assert entry["columns"]["region"]["status"] == "ok"
    assert entry["largest"]["status"] == "drift"
    [warning] = [w for w in manifest["warnings"] if w["code"] == "data_drift"]
    assert warning["stage"] == "clean" and "price" in warning["message"]
    assert warning["message"].startswith(
        f"The clean data drifted from run {runs['copy']['run_id']}: ")
    sources = manifest["analytics"]["insight_sources"]
    [sentence] = [s for s in sources if s["key"] == "data_drift"]
    assert sentence["table"] == "drift" and f"since run {runs['copy']['run_id']}" in \
        sentence["text"] and "drift)." in sentence["text"]


def test_reference_false_and_a_named_run(runs):
    assert drift(runs["off"]) == {"note": SWITCHED_OFF}
    assert runs["off"]["warnings"] == []
    assert "data_drift" not in [s["key"] for s in runs["off"]["analytics"]["insight_sources"]]
    named = drift(runs["named"])
    assert named["reference_run"] == runs["first"]["run_id"] and named["status"] == "drift"


def test_a_bad_threshold_names_the_key(tmp_path, capsys):
    with pytest.raises(SystemExit) as failed:  # a failed single run exits from Hydra's task
        main(["run", *FAST, f"hydra.run.dir={tmp_path / 'bad'}",
              f"runs.index={tmp_path / 'runs.db'}", "data.drift.threshold=-1", "--quiet"])
    assert failed.value.code == 2
    assert "data.drift.threshold must be a PSI above 0" in capsys.readouterr().err
