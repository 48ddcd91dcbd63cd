"""Every real transaction file in ../shared/datasets runs through ``salesforge run
data.path=<file>`` with zero config and no lost rows."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from tests.conftest import run_cli

#: file -> (rows in, rows clean, rows rejected, rows duplicate) with the default config.
EXPECTED = {
    "online_retail/online_retail_random20k.csv": (20000, 19940, 53, 7),
    "superstore/sample_superstore.csv": (10194, 10194, 0, 0),
    "superstore/sample_superstore.xls": (10194, 10194, 0, 0),
    "us_retail_sales_monthly/example_retail_sales.csv": (293, 293, 0, 0),
    "online_retail/online_retail_full.csv.gz": (541909, 535185, 1456, 5268),
}


DATA_STAGES = ("load", "clean", "features")


def zero_config_run(datasets, tmp_path, relative: str) -> tuple[dict, object]:
    """``salesforge run data.path=<file>``; the data stages must succeed. A failure in a
    later stage (forecast, segment, detect, analytics, report: not the data layer) is
    reported as an expected failure naming the stage, after the data checks ran."""
    path = datasets / relative
    run_dir = tmp_path / "run"
    result = run_cli("run", f"data.path={path}", f"hydra.run.dir={run_dir}", cwd=tmp_path,
                     timeout=900)
    manifest = json.loads((run_dir / "manifest.json").read_text())
    for stage in DATA_STAGES:
        assert manifest["stages"][stage] in ("ok", "skipped"), result.stderr[-3000:]
    return manifest, run_dir


def finished(manifest: dict) -> None:
    """The whole run succeeded; a later stage's failure is an expected failure with its
    message (owned outside the data layer)."""
    if manifest["status"] != "ok":
        error = manifest.get("error", {})
        assert error.get("stage") not in DATA_STAGES, error
        pytest.xfail(f"stage {error.get('stage')} failed after the data stages: "
                     f"{error.get('message')}")


def check_accounting(manifest: dict, run_dir, expected: tuple[int, int, int, int]) -> None:
    data = manifest["data"]
    counts = (data["rows_in"], data["rows_clean"], data["rows_rejected"], data["rows_duplicate"])
    assert counts == expected
    assert data["rows_in"] == data["rows_clean"] + data["rows_rejected"] + data["rows_duplicate"]
    clean = pd.read_parquet(run_dir / "data" / "clean.parquet", columns=["source_row"])
    rejected = pd.read_csv(run_dir / "data" / "rejected.csv", usecols=["source_row"])
    assert len(clean) == data["rows_clean"] and len(rejected) == data["rows_rejected"]
    assert set(clean["source_row"]).isdisjoint(rejected["source_row"])


@pytest.mark.slow
@pytest.mark.parametrize("relative", [r for r in EXPECTED if "full" not in r])
def test_dataset_runs_with_zero_config(datasets, tmp_path, relative):
    manifest, run_dir = zero_config_run(datasets, tmp_path, relative)
    check_accounting(manifest, run_dir, EXPECTED[relative])
    assert manifest["data"]["quality"]["date_gaps"]["distinct_days"] > 0
    finished(manifest)


@pytest.mark.slow
def test_full_online_retail_runs_with_zero_config(datasets, tmp_path):
    relative = "online_retail/online_retail_full.csv.gz"
    manifest, run_dir = zero_config_run(datasets, tmp_path, relative)
    check_accounting(manifest, run_dir, EXPECTED[relative])
    data = manifest["data"]
    assert data["returns"]["rows"] == 9725  # cancellations and negative adjustments, kept
    assert data["rejected_reasons"] == {"product is missing (column Description)": 1454,
                                        "price is negative": 2}
    assert (data["date_min"][:16], data["date_max"][:16]) == ("2010-12-01T08:26",
                                                              "2011-12-09T12:50")
    finished(manifest)


@pytest.mark.slow
def test_aggregated_monthly_file_skips_what_it_cannot_do(datasets, tmp_path):
    manifest, _ = zero_config_run(datasets, tmp_path,
                                  "us_retail_sales_monthly/example_retail_sales.csv")
    data = manifest["data"]
    assert data["columns_mapped"] == {"date": "ds", "revenue": "y"}
    assert data["columns_derived"]["product"] == "Unknown (no product column)"
    assert manifest["stages"]["features"] == "ok"
    assert manifest["stages"]["segment"] == "skipped"
