"""End to end: ``salesforge run`` on a folder of Parquet/CSV partitions aggregated out of
core by DuckDB gives the forecasts of the in-memory path on the same data."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from salesforge.data.sample import generate_sample
from tests.conftest import run_cli

COMMON = ["forecast.by=[category]", "forecast.horizon=14", "backtest.windows=2",
          "report.png=false"]


@pytest.fixture(scope="module")
def partitions(tmp_path_factory):
    """The sample split into monthly-ish partitions: Parquet and CSV, one with a bad row."""
    folder = tmp_path_factory.mktemp("large") / "sales"
    folder.mkdir()
    sales, _ = generate_sample(rows=20000, seed=11)
    sales["date"] = sales["date"].astype("datetime64[ns]")
    for i, piece in enumerate(np.array_split(np.arange(len(sales)), 5)):
        part = sales.iloc[piece]
        if i % 2:
            part = part.astype({"quantity": object})
            if i == 3:
                part.iloc[7, part.columns.get_loc("quantity")] = "dua"
            part.to_csv(folder / f"part-{i}.csv", index=False)
        else:
            part.to_parquet(folder / f"part-{i}.parquet", index=False)
    return folder


def run_on(folder, root, name: str, *overrides: str):
    run_dir = root / name
    result = run_cli("run", f"data.path={folder}", f"hydra.run.dir={run_dir}", *COMMON,
                     *overrides, cwd=root)
    assert result.returncode == 0, result.stderr[-2000:]
    return run_dir, json.loads((run_dir / "manifest.json").read_text())


@pytest.mark.slow
def test_out_of_core_run_forecasts_like_the_in_memory_run(partitions, tmp_path):
    ooc_dir, ooc = run_on(partitions, tmp_path, "ooc", "data.out_of_core.enabled=true",
                          "data.out_of_core.memory_limit=256MB")
    mem_dir, mem = run_on(partitions, tmp_path, "mem", "data.out_of_core.enabled=false")
    assert ooc["status"] == mem["status"] == "ok"
    data = ooc["data"]
    assert data["out_of_core"]["used"] is True and mem["data"]["out_of_core"]["used"] is False
    assert data["rows_in"] == mem["data"]["rows_in"] == 20000
    assert data["rows_in"] == data["rows_clean"] + data["rows_rejected"] + data["rows_duplicate"]
    assert data["rejected_reasons"] == mem["data"]["rejected_reasons"] == {
        "quantity is not a number (column quantity)": 1}
    assert data["rows_per_source"] == mem["data"]["rows_per_source"]
    rejected = pd.read_csv(ooc_dir / "data/rejected.csv")
    assert rejected["reason"].tolist() == ["quantity is not a number (column quantity)"]
    assert rejected["source_file"].tolist() == ["part-3.csv"]
    assert data["out_of_core"]["aggregated_rows"] < data["rows_clean"]

    keys = ["series_id", "ds", "model"]
    got = pd.read_csv(ooc_dir / "forecast/forecast.csv").sort_values(keys)
    want = pd.read_csv(mem_dir / "forecast/forecast.csv").sort_values(keys)
    assert len(got) == len(want) > 0
    assert got[keys].to_numpy().tolist() == want[keys].to_numpy().tolist()
    np.testing.assert_allclose(got["y_pred"], want["y_pred"], rtol=1e-9, atol=1e-6)
    backtest = pd.read_csv(ooc_dir / "forecast/backtest.csv").sort_values(["series_id", "cutoff",
                                                                           "ds", "model"])
    reference = pd.read_csv(mem_dir / "forecast/backtest.csv").sort_values(
        ["series_id", "cutoff", "ds", "model"])
    np.testing.assert_allclose(backtest["y_true"], reference["y_true"], rtol=1e-9, atol=1e-6)
    assert ooc["forecast"]["best"] == mem["forecast"]["best"]
    for stage in ("segment", "detect", "analytics", "report"):
        assert ooc["stages"][stage] == "ok"


def test_bad_out_of_core_setting_fails_naming_the_key(partitions, tmp_path):
    result = run_cli("run", f"data.path={partitions}", "data.out_of_core.grain=[sku]",
                     f"hydra.run.dir={tmp_path / 'bad'}", cwd=tmp_path)
    assert result.returncode != 0
    assert "data.out_of_core.grain" in result.stderr + result.stdout
    assert "Traceback" not in result.stderr
