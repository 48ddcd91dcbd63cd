"""Out-of-core aggregation (data.out_of_core): DuckDB's daily totals equal the pandas path's
on the same partitions, rejected rows are counted with the cleaner's reasons, bad settings
name their key."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from salesforge.composition import compose
from salesforge.data.cleaning import StandardCleaner
from salesforge.data.csv_loader import CsvLoader
from salesforge.data.duckdb_aggregate import Cleaning, aggregate
from salesforge.data.out_of_core import decide, parse_settings
from salesforge.data.parquet_loader import ParquetLoader
from salesforge.data.sample import generate_sample
from salesforge.data.sources import stack
from salesforge.errors import ConfigError
from salesforge.runner import run
from tests.unit.conftest import require_dataset

GRAIN = ["date", "product", "category", "region"]
LATER = [f"stages.{s}=false" for s in ("features", "forecast", "segment", "detect",
                                        "analytics", "report")]


def write_partitions(frame: pd.DataFrame, folder: Path, parts: int = 4) -> list[Path]:
    """``frame`` split into ``parts`` files, Parquet and CSV alternating."""
    folder.mkdir(parents=True, exist_ok=True)
    bounds = np.linspace(0, len(frame), parts + 1).astype(int)
    files = []
    for i, (a, b) in enumerate(itertools.pairwise(bounds)):
        path = folder / (f"part-{i}.csv" if i % 2 else f"part-{i}.parquet")
        piece = frame.iloc[a:b]
        piece.to_csv(path, index=False) if i % 2 else piece.to_parquet(path, index=False)
        files.append(path)
    return files


def pandas_path(files: list[Path], columns: dict[str, str] | None = None,
                grain: list[str] = GRAIN, **cleaner) -> tuple[pd.DataFrame, dict[str, int]]:
    """Daily totals and rejected reasons of the in-memory path (loaders + standard cleaner)."""
    frames = [(ParquetLoader() if f.suffix == ".parquet" else CsvLoader()).load(f)
              for f in files]
    result = StandardCleaner(drop_duplicates=False, **cleaner).clean(
        stack(frames, [f.name for f in files]), columns)
    clean = result.clean.assign(date=result.clean["date"].dt.normalize())
    keys = [k for k in grain if k in clean.columns]
    totals = clean.groupby(keys, observed=True)[["quantity", "revenue"]].sum().reset_index()
    reasons = result.rejected["reason"].value_counts().to_dict()
    return totals, {str(k): int(v) for k, v in reasons.items()}


def assert_same_totals(expected: pd.DataFrame, got: pd.DataFrame, keys: list[str]) -> None:
    merged = expected.merge(got, on=keys, how="outer", indicator=True)
    assert (merged["_merge"] == "both").all(), merged[merged["_merge"] != "both"].head()
    np.testing.assert_array_equal(merged["quantity_x"], merged["quantity_y"])
    np.testing.assert_allclose(merged["revenue_x"], merged["revenue_y"], rtol=1e-12, atol=1e-6)


@pytest.fixture(scope="module")
def sample_parts(tmp_path_factory) -> list[Path]:
    sales, _ = generate_sample(rows=12000, seed=3)
    return write_partitions(sales, tmp_path_factory.mktemp("sample") / "parts")


def test_sample_partitions_aggregate_to_the_pandas_totals(sample_parts, tmp_path):
    spill = tmp_path / "spill"
    result = aggregate(sample_parts, parse_settings({"memory_limit": "128MB", "threads": 1}),
                       temp_root=spill)
    expected, reasons = pandas_path(sample_parts)
    assert_same_totals(expected, result.frame, GRAIN)
    assert result.source_rows == 12000 == int(result.frame["n_transactions"].sum())
    assert result.rows_per_source == {f.name: 3000 for f in sample_parts}
    assert result.rejected_counts == reasons == {}
    assert result.summary["aggregated_rows"] == len(result.frame) == len(expected)
    assert list(spill.iterdir()) == []  # DuckDB's spill folder is removed afterwards


def dirty_frame(rows: int = 24000) -> pd.DataFrame:
    """Text dates day-first, decimal-comma rupiah, and rows that cannot be used; the bad
    quantity sits after DuckDB's sniffing sample, so its column is re-read as text."""
    sales, _ = generate_sample(rows=rows, seed=5)
    frame = pd.DataFrame({
        "Tanggal": sales["date"].dt.strftime("%d/%m/%Y").astype(object),
        "Nama Barang": sales["product"].astype(object),
        "Kategori": sales["category"].astype(object),
        "Kota": sales["region"].astype(object),
        "Jumlah": sales["quantity"].astype(str).astype(object),
        "Harga": sales["price"].map(lambda v: f"Rp {v:,.2f}".replace(",", "_")
                                    .replace(".", ",").replace("_", ".")).astype(object),
    })
    frame.loc[21990, "Jumlah"] = "lima"              # quantity is not a number
    frame.loc[[10, 11], "Tanggal"] = "31/02/2023"     # date is not a date
    frame.loc[12, "Tanggal"] = None                   # date is missing
    frame.loc[[13, 14, 15], "Nama Barang"] = "  "     # product is missing
    frame.loc[16, "Kota"] = None                      # region -> Unknown
    frame.loc[17, "Harga"] = "-Rp 5.000,00"           # price is negative
    return frame


def test_dirty_csv_rejects_the_rows_the_pandas_path_rejects(tmp_path):
    folder = tmp_path / "dirty"
    folder.mkdir()
    frame = dirty_frame()
    files = [folder / "a.csv", folder / "b.csv"]
    frame.iloc[:22000].to_csv(files[0], index=False)  # past DuckDB's 20,480-line sniff
    frame.iloc[22000:].to_csv(files[1], index=False)
    expected, reasons = pandas_path(files)
    result = aggregate(files, parse_settings({"rejected_examples": 4, "threads": 1}),
                       cleaning=Cleaning())
    assert reasons == {"date is not a date (column Tanggal)": 2,
                       "product is missing (column Nama Barang)": 3,
                       "date is missing (column Tanggal)": 1,
                       "quantity is not a number (column Jumlah)": 1,
                       "price is negative": 1}
    assert result.rejected_counts == reasons
    assert result.mapping == {"date": "Tanggal", "product": "Nama Barang",
                              "category": "Kategori", "region": "Kota",
                              "quantity": "Jumlah", "price": "Harga"}
    assert_same_totals(expected, result.frame, GRAIN)
    assert int(result.frame["n_transactions"].sum()) == len(frame) - sum(reasons.values())
    examples = result.rejected_examples
    assert len(examples) == 4  # capped; the counts above stay exact
    assert set(examples["reason"]) <= set(reasons)
    assert set(examples["source_file"]) <= {"a.csv", "b.csv"}
    assert {"Tanggal", "Jumlah", "Harga"} <= set(examples.columns)


def test_returns_drop_and_column_overrides_follow_the_cleaner(sample_parts):
    frame = pd.concat([pd.read_parquet(sample_parts[0]), pd.read_csv(sample_parts[1])],
                      ignore_index=True)
    frame = frame.rename(columns={"revenue": "omzet_bersih", "quantity": "qty"})
    frame.loc[frame.index[:50], "qty"] = -1
    folder = sample_parts[0].parent.parent / "renamed"
    files = write_partitions(frame, folder, parts=2)
    result = aggregate(files, parse_settings({"grain": ["product"]}),
                       columns={"revenue": "omzet_bersih"}, cleaning=Cleaning(returns="drop"))
    expected, reasons = pandas_path(files, {"revenue": "omzet_bersih"}, ["date", "product"],
                                    returns="drop")
    assert result.mapping["revenue"] == "omzet_bersih"
    assert result.rejected_counts == reasons == {
        "return or cancellation (cleaner.returns=drop)": 50}
    assert_same_totals(expected, result.frame, ["date", "product"])
    assert list(result.frame.columns) == ["date", "product", "quantity", "revenue",
                                          "n_transactions"]


@pytest.mark.slow
def test_online_retail_partitions_match_the_pandas_path(tmp_path):
    raw = CsvLoader().load(require_dataset("online_retail/online_retail_full.csv.gz"))
    files = write_partitions(raw, tmp_path / "retail", parts=4)
    expected, reasons = pandas_path(files)
    result = aggregate(files, parse_settings({"memory_limit": "200MB", "threads": 2}))
    assert result.source_rows == len(raw) == 541909
    assert result.rejected_counts == reasons == {
        "product is missing (column Description)": 1454, "price is negative": 2}
    assert result.mapping["product"] == "Description"
    assert result.mapping["region"] == "Country"
    keys = ["date", "product", "region"]  # the file has no category column
    assert_same_totals(expected.drop(columns="category"), result.frame, keys)


def test_run_accounts_for_source_rows(sample_parts, tmp_path):
    """Through salesforge.run: rows_in counts source rows and the identity holds in them."""
    folder = sample_parts[0].parent
    cfg = compose([
        *LATER, f"data.path={folder}", "data.out_of_core.enabled=true",
        "data.out_of_core.grain=[product,category,region,customer_id]",
        "data.out_of_core.memory_limit=200MB"])
    manifest = run(cfg, tmp_path / "run").manifest
    data = manifest["data"]
    assert data["rows_in"] == 12000
    assert data["rows_in"] == data["rows_clean"] + data["rows_rejected"] + data["rows_duplicate"]
    assert data["out_of_core"]["used"] is True
    assert data["out_of_core"]["source_rows"] == 12000
    assert data["out_of_core"]["memory_limit"] == "200MB"
    clean = pd.read_parquet(tmp_path / "run" / "data" / "clean.parquet")
    assert len(clean) == data["out_of_core"]["aggregated_rows_clean"]
    assert int(clean["n_transactions"].sum()) == data["rows_clean"]
    assert not (tmp_path / "run" / ".duckdb-tmp").exists()


def test_auto_switches_on_by_size_and_only_for_parquet_and_csv(sample_parts, tmp_path):
    size_mb = sum(f.stat().st_size for f in sample_parts) / 2**20
    assert decide(parse_settings({"threshold_mb": size_mb / 2}), sample_parts)[0] is True
    assert decide(parse_settings({"threshold_mb": size_mb * 2}), sample_parts)[0] is False
    assert decide(parse_settings({"enabled": False, "threshold_mb": 0}), sample_parts)[0] is False
    book = tmp_path / "sales.xlsx"
    book.write_bytes(b"")
    assert decide(parse_settings({"threshold_mb": 0}), [book])[0] is False
    with pytest.raises(ConfigError, match=r"data\.out_of_core\.enabled=true reads Parquet and "
                                          r"CSV files only"):
        decide(parse_settings({"enabled": True}), [book])


@pytest.mark.parametrize(("given", "key"), [
    ({"enabled": "maybe"}, "data.out_of_core.enabled"),
    ({"engine": "spark"}, "data.out_of_core.engine"),
    ({"memory_limit": "lots"}, "data.out_of_core.memory_limit"),
    ({"grain": ["sku"]}, "data.out_of_core.grain"),
    ({"threads": 0}, "data.out_of_core.threads"),
    ({"threshold_mb": -1}, "data.out_of_core.threshold_mb"),
    ({"rejected_examples": -5}, "data.out_of_core.rejected_examples"),
    ({"chunk": 3}, "data.out_of_core.chunk"),
])
def test_bad_settings_name_their_key(given, key):
    with pytest.raises(ConfigError, match=key.replace(".", r"\.")):
        parse_settings(given)


def test_cleaner_strategies_the_scan_cannot_apply_name_their_key(sample_parts):
    with pytest.raises(ConfigError, match=r"cleaner\.missing\.quantity='mean' is not available "
                                          r"with data\.out_of_core"):
        aggregate(sample_parts, parse_settings({}), cleaning=Cleaning(missing={"quantity":
                                                                               "mean"}))


def test_rejected_examples_keep_a_source_column_named_raw(tmp_path):
    """A source column called ``raw`` is the file's, not the date lookup's: it stays in the
    rejected examples (the lookup's own columns once shared its name, and the code that
    dropped them called a method that does not exist)."""
    frame = dirty_frame(3000)
    frame["raw"] = [f"note {i}" for i in range(len(frame))]
    path = tmp_path / "with_raw.csv"
    frame.to_csv(path, index=False)
    result = aggregate([path], parse_settings({"rejected_examples": 5, "threads": 1}),
                       cleaning=Cleaning(dayfirst=True))
    examples = result.rejected_examples
    assert len(examples) == 5 and "raw" in examples.columns
    assert examples["raw"].str.startswith("note ").all()
    assert not [c for c in examples.columns if c.startswith("__sf_")]
