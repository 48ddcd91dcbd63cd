"""``salesforge.runs.diff`` on real runs of the sample that differ in one override."""

from __future__ import annotations

import pandas as pd
import pytest

from salesforge.app.jobs import compose_config
from salesforge.runner import run
from salesforge.runs.diff import config_changes, diff_runs
from salesforge.runs.index import RunIndex

pytestmark = pytest.mark.slow
QUICK = ["stages.report=false", "backtest.windows=2", "forecast.horizon=7"]
VARIANTS = {"base": [], "threshold": ["detector.threshold=6"],
            "clusters": ["segmenter.n_clusters=3"], "naive": ["forecaster=[seasonal_naive]"]}


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """One run per variant, all recorded in one index; name -> index row."""
    root = tmp_path_factory.mktemp("diff")
    index = RunIndex(root / "runs.db")
    for name, extra in VARIANTS.items():
        cfg, pm = compose_config([*QUICK, *extra, f"runs.index={index.path}"])
        run(cfg, root / name, plugins=pm)
    return {name: index.resolve(str(root / name)) for name in VARIANTS}


def anomaly_rows(row) -> pd.DataFrame:
    return pd.read_csv(f"{row['path']}/anomalies/anomalies.csv")


def test_one_override_is_the_only_config_difference_and_explains_anomalies(runs):
    diff = diff_runs(runs["base"], runs["threshold"])
    assert diff["config"] == [{"key": "detector.threshold", "a": 3.5, "b": 6}]
    assert diff["same_data"] and not diff["same_config"]
    a, b = anomaly_rows(runs["base"]), anomaly_rows(runs["threshold"])
    resolved = set(a["source_row"]) - set(b["source_row"])
    new = set(b["source_row"]) - set(a["source_row"])
    section = diff["anomalies"]
    assert (section["flagged_a"], section["flagged_b"]) == (len(a), len(b))
    assert (section["resolved"], section["new"]) == (len(resolved), len(new))
    assert section["resolved"] > 0  # a higher threshold flags fewer rows
    assert {r["source_row"] for r in section["resolved_rows"]} <= resolved
    change = next(m for m in diff["metrics"] if m["name"] == "anomalies")
    assert change["change"] == len(b) - len(a)
    assert all(k["change"] == 0 for k in diff["kpis"])  # same data, same KPIs
    assert diff["forecast"]["periods"] == 7 and diff["forecast"]["change_pct"] == 0


def test_segment_migrations_match_the_segment_files(runs):
    diff = diff_runs(runs["base"], runs["clusters"])
    assert diff["config"] == [{"key": "segmenter.n_clusters", "a": None, "b": 3}]
    a = pd.read_csv(f"{runs['base']['path']}/segments/segments.csv")
    b = pd.read_csv(f"{runs['clusters']['path']}/segments/segments.csv")
    both = a.merge(b, on="entity", suffixes=("_a", "_b"))
    moved = both[both["segment_name_a"] != both["segment_name_b"]]
    section = diff["segments"]
    assert section["entities"] == len(both) and section["moved"] == len(moved) > 0
    assert sum(f["entities"] for f in section["flows"]) == len(moved)
    assert {m["entity"] for m in section["migrations"]} == set(moved["entity"])


def test_forecast_revisions_of_a_different_best_model(runs):
    diff = diff_runs(runs["base"], runs["naive"])
    assert diff["config"][0] == {"key": "forecaster", "a": "seasonal_naive,linear,window_median",
                                 "b": "seasonal_naive"}
    assert all(not c["key"].startswith("forecaster.linear") for c in diff["config"])
    section = diff["forecast"]
    frames = []
    for name in ("base", "naive"):
        frame = pd.read_csv(f"{runs[name]['path']}/forecast/forecast.csv")
        frames.append(frame[frame["model"] == runs[name]["best_model"]])
    total_a, total_b = frames[0]["y_pred"].sum(), frames[1]["y_pred"].sum()
    assert section["model_b"] == "seasonal_naive" and section["periods"] == 7
    assert section["change_pct"] == pytest.approx((total_b - total_a) / total_a * 100)
    if section["model_a"] != section["model_b"]:
        assert section["mean_abs_revision_pct"] > 0 and section["largest"]
    mase = next(m for m in diff["metrics"] if m["name"] == "mase")
    assert mase["b"] == pytest.approx(runs["naive"]["metrics"]["mase"])


def test_config_changes_of_component_groups():
    a = {"detector": {"name": "mad", "threshold": 3.5}, "forecast": {"horizon": 7}}
    b = {"detector": {"name": "zscore", "threshold": 3.0}, "forecast": {"horizon": 7}}
    assert config_changes(a, b) == [{"key": "detector", "a": "mad", "b": "zscore"}]
    assert config_changes(a, a) == []


def test_app_comparison_uses_the_same_figures(runs):
    from salesforge.app.runs import RunData, discover_runs
    from salesforge.app.tabs.comparison import changes, side_by_side

    base, threshold = RunData(runs["base"]["path"]), RunData(runs["threshold"]["path"])
    figures, diffs = side_by_side([base, threshold])
    assert list(diffs["config key"]) == ["detector.threshold"]
    anomalies = figures.set_index("figure").loc["anomalies"]
    flagged = {runs[n]["run_id"]: int(runs[n]["metrics"]["anomalies"])
               for n in ("base", "threshold")}
    assert {k: v.replace(",", "") for k, v in anomalies.items()} == {
        k: str(v) for k, v in flagged.items()}  # a count: no best marked
    mase = figures.set_index("figure").loc["MASE"]
    assert sum(v.endswith(" *") for v in mase) <= 1
    # in Indonesian: labels from the catalog, numbers in its style, the same figures
    labelled, _ = side_by_side([base, threshold], "id")
    assert {"model terbaik", "anomali", "pendapatan", "MASE"} <= set(labelled["figure"])
    assert list(labelled.set_index("figure").loc["anomali"]) == [
        f"{n:,}".replace(",", ".") for n in flagged.values()]
    assert list(labelled.set_index("figure").loc["MASE"]) == [
        v.replace(".", ",") for v in mase]
    text = changes(base, threshold)[0].object
    assert f"{flagged[base.run_id]:,} → {flagged[threshold.run_id]:,} flagged" in text
    listed = discover_runs(base.path.parent)  # the app lists runs through the index
    assert {r.run_id for r in listed} == {r["run_id"] for r in runs.values()}
