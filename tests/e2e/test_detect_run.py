"""End to end: the detect and segment stages through ``salesforge run``: labels given with
detector.labels, pass-through columns carried but never used, series anomalies with root
causes, other segmenters on real data."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from salesforge.data.sample import generate_sample

CONTEXT_FEATURES = ["price_vs_product", "quantity_vs_product", "repeat_order"]


@pytest.fixture(scope="module")
def labelled_run(tmp_path_factory):
    from tests.conftest import run_cli

    root = tmp_path_factory.mktemp("labelled")
    sales, labels = generate_sample(rows=8000, seed=21)
    rng = np.random.default_rng(0)
    # pass-through columns, one of them numeric and wild: never a model input
    sales["notes"] = rng.choice(["gift wrap", "", "call first"], len(sales))
    sales["ticket_value"] = rng.lognormal(15, 4, len(sales))
    sales.to_csv(root / "sales.csv", index=False)
    truth = pd.DataFrame({"order_id": sales["order_id"],
                          "label": sales["order_id"].isin(labels["order_id"]).astype(int)})
    truth.to_csv(root / "truth.csv", index=False)
    run_dir = root / "run"
    result = run_cli("run", f"data.path={root / 'sales.csv'}",
                     f"detector.labels={root / 'truth.csv'}", "stages.forecast=false",
                     "stages.report=false", f"hydra.run.dir={run_dir}", cwd=root)
    assert result.returncode == 0, result.stderr
    return run_dir, json.loads((run_dir / "manifest.json").read_text()), sales


def test_detector_labels_file_gives_precision_recall_f1_and_aucs(labelled_run):
    _, manifest, _ = labelled_run
    evaluation = manifest["anomalies"]["evaluation"]
    assert evaluation["labels"].endswith("truth.csv") and evaluation["id_column"] == "order_id"
    assert evaluation["f1"] >= 0.9
    assert evaluation["roc_auc"] >= 0.99 and evaluation["pr_auc"] >= 0.9
    assert manifest["anomalies"]["detector"] == "mad"


def test_manifest_records_the_mode_the_cut_and_the_flagged_share(labelled_run):
    run_dir, manifest, sales = labelled_run
    summary = manifest["anomalies"]
    assert summary["mode"] == "threshold" and summary["raw_cut"] >= 3.5
    assert summary["cut"] == summary["threshold"] == pytest.approx(3.5 / (3.5 + 3))
    assert summary["flagged_share"] == pytest.approx(summary["flagged"] / len(sales))
    anomalies = pd.read_csv(run_dir / "anomalies/anomalies.csv")
    assert (anomalies["anomaly_score"] >= summary["cut"]).all()
    assert (anomalies["raw_score"] >= 3.5).all() and anomalies["money_impact"].ne(0).all()
    assert anomalies["anomaly_score"].is_unique  # flagged rows keep their order


def test_pass_through_columns_are_carried_to_anomalies_but_never_model_inputs(labelled_run):
    run_dir, manifest, sales = labelled_run
    assert manifest["anomalies"]["features"] == CONTEXT_FEATURES
    anomalies = pd.read_csv(run_dir / "anomalies/anomalies.csv", dtype={"order_id": str},
                            keep_default_na=False)
    for column in ("notes", "ticket_value", "order_id", "anomaly_score", "raw_score",
                   "detector", "reason", "money_impact"):
        assert column in anomalies.columns
    # the wildest ticket values are not what gets flagged
    wild = set(sales.nlargest(20, "ticket_value")["order_id"])
    assert len(wild & set(anomalies["order_id"])) <= 2
    assert anomalies["reason"].str.contains("the product median").all()
    assert anomalies["anomaly_score"].is_monotonic_decreasing


def test_series_anomalies_carry_reasons_and_root_causes(labelled_run):
    run_dir, manifest, _ = labelled_run
    series = manifest["anomalies"]["series"]
    assert series["freq"] == "D" and series["season"] == 7
    flagged = pd.read_csv(run_dir / "anomalies/series_anomalies.csv")
    assert len(flagged) == series["flagged"] > 0
    assert flagged["reason"].str.match(r"^revenue \d+\.\d sigma (above|below) expected$").all()
    assert flagged["root_cause"].str.contains("category ").all()
    causes = pd.read_csv(run_dir / "anomalies/root_causes.csv")
    assert set(causes["dimension"]) <= {"category", "region", "product"}
    assert series["top"][0]["root_cause"]
    assert {"series_anomalies", "root_causes", "segment_profile", "segment_projection"} <= \
        set(manifest["artifacts"])


def test_segment_profile_and_projection_are_written(labelled_run):
    run_dir, manifest, _ = labelled_run
    segments = manifest["segments"]
    assert segments["entity"] == "product" and segments["segmenter"] == "kmeans"
    profile = pd.read_csv(run_dir / "segments/profile.csv")
    assert profile["entities"].sum() == sum(segments["sizes"].values())
    points = pd.read_csv(run_dir / "segments/projection.csv")
    assert list(points.columns) == ["entity", "segment_name", "x", "y"]
    table = pd.read_csv(run_dir / "segments/segments.csv")
    assert list(table.columns[:3]) == ["entity", "segment_id", "segment_name"]
    assert "notes" not in table.columns and "ticket_value" not in table.columns


@pytest.mark.slow
def test_rfm_segments_online_retail_customers(cli, tmp_path, datasets):
    run_dir = tmp_path / "rfm"
    result = cli("run", f"data.path={datasets / 'online_retail/online_retail_random20k.csv'}",
                 "segmenter=rfm", "detector=isolation_forest", "detect.series=false",
                 "stages.forecast=false", "stages.report=false", f"hydra.run.dir={run_dir}")
    assert result.returncode == 0, result.stderr
    manifest = json.loads((run_dir / "manifest.json").read_text())
    assert manifest["segments"]["entity"] == "customer_id"
    assert {"Champions", "Loyal", "At Risk", "Lost"} <= set(manifest["segments"]["sizes"])
    assert manifest["anomalies"]["detector"] == "isolation_forest"
    assert manifest["anomalies"]["series"] is None
    anomalies = pd.read_csv(run_dir / "anomalies/anomalies.csv")
    assert anomalies["reason"].str.len().gt(0).all()


@pytest.mark.slow
def test_abc_xyz_segments_superstore_products(cli, tmp_path, datasets):
    run_dir = tmp_path / "abc"
    result = cli("run", f"data.path={datasets / 'superstore/sample_superstore.csv'}",
                 "segmenter=abc_xyz", "segment.freq=MS", "detect.series=false",
                 "stages.forecast=false", "stages.report=false", f"hydra.run.dir={run_dir}")
    assert result.returncode == 0, result.stderr
    manifest = json.loads((run_dir / "manifest.json").read_text())
    profile = pd.read_csv(run_dir / "segments/profile.csv")
    share = profile.assign(abc=profile["segment_name"].str[0]).groupby("abc")[
        "segment_revenue_share"].sum()
    assert share["A"] == pytest.approx(0.8, abs=0.02) and share["C"] < 0.06
    assert manifest["anomalies"]["rate"] < 0.05
