"""The load, clean and features stages on several files, globs, folders, databases and
bad sources, run through salesforge.run with the later stages switched off."""

from __future__ import annotations

import sqlite3

import pandas as pd
import pytest

from salesforge.composition import compose
from salesforge.errors import ConfigError, DataError
from salesforge.runner import run

LATER = [f"stages.{s}=false" for s in ("forecast", "segment", "detect", "analytics", "report")]


def run_data(tmp_path, *overrides: str) -> dict:
    cfg = compose([*LATER, *overrides])
    return run(cfg, tmp_path / "run").manifest


def write_month(folder, month: int, name: str | None = None) -> None:
    rows = [f"2024-{month:02d}-{d:02d},Kopi,{d},15000" for d in range(1, 11)]
    path = folder / (name or f"penjualan_{month:02d}.csv")
    path.write_text("tanggal,produk,jumlah,harga\n" + "\n".join(rows) + "\n")


@pytest.mark.parametrize("form", ["folder", "glob", "list"])
def test_several_files_are_stacked_with_their_source(tmp_path, form):
    folder = tmp_path / "in"
    folder.mkdir()
    for month in (1, 2, 3):
        write_month(folder, month)
    (folder / "README.md").write_text("not data")
    setting = {"folder": f"data.path={folder}", "glob": f"data.path={folder}/penjualan_0*.csv",
               "list": f"data.path=[{folder}/penjualan_01.csv,{folder}/penjualan_03.csv]"}[form]
    manifest = run_data(tmp_path, setting)
    files = 2 if form == "list" else 3
    data = manifest["data"]
    assert data["rows_in"] == data["rows_clean"] == 10 * files
    assert len(data["sources"]) == files
    clean = pd.read_parquet(tmp_path / "run" / "data" / "clean.parquet")
    assert sorted(clean["source_file"].unique()) == sorted(data["rows_per_source"])
    assert set(data["rows_per_source"].values()) == {10}


def test_mixed_formats_in_one_folder(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    write_month(folder, 1)
    frame = pd.DataFrame({"tanggal": pd.to_datetime(["2024-02-01"]), "produk": ["Teh"],
                          "jumlah": [2], "harga": [5000.0]})
    frame.to_parquet(folder / "februari.parquet", index=False)
    frame.to_excel(folder / "maret.xlsx", index=False)
    manifest = run_data(tmp_path, f"data.path={folder}")
    assert manifest["data"]["rows_clean"] == 12
    assert manifest["data"]["format"] == ["csv", "excel", "parquet"]


def test_sqlite_database_with_a_query(tmp_path):
    path = tmp_path / "toko.db"
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE jual (tanggal TEXT, produk TEXT, qty INT, harga REAL)")
        connection.executemany("INSERT INTO jual VALUES (?, ?, ?, ?)",
                               [(f"2024-01-{d:02d}", "Kopi", d, 15000.0) for d in range(1, 21)])
        connection.execute("CREATE TABLE lain (x INT)")
    manifest = run_data(tmp_path, f"data.path=sqlite:///{path}",
                        "data.options.query='SELECT * FROM jual WHERE qty > 5'")
    assert manifest["data"]["rows_in"] == manifest["data"]["rows_clean"] == 15
    assert manifest["data"]["format"] == "sql"


def test_empty_glob_folder_and_unknown_option_are_clear_errors(tmp_path):
    with pytest.raises(DataError, match=r"data\.path pattern .*\*\.csv matches no file"):
        run_data(tmp_path, f"data.path={tmp_path}/*.csv")
    (tmp_path / "notes.md").write_text("x")
    with pytest.raises(DataError, match=r"holds no file salesforge can read"):
        run_data(tmp_path, f"data.path={tmp_path}")
    write_month(tmp_path, 1, "a.csv")
    with pytest.raises(ConfigError, match=r"config key data\.options\.sheet is not a setting "
                                          r"of the csv loader"):
        run_data(tmp_path, f"data.path={tmp_path / 'a.csv'}", "data.options.sheet=Orders")


def test_unsupported_extension(tmp_path):
    path = tmp_path / "sales.docx"
    path.write_text("x")
    with pytest.raises(DataError) as info:
        run_data(tmp_path, f"data.path={path}")
    assert str(info.value).startswith(f"data file {path} has a type no loader reads (.docx); "
                                      "use one of ")


def test_manifest_lists_mapping_quality_returns_and_features(tmp_path):
    path = tmp_path / "toko.csv"
    path.write_text("InvoiceNo,InvoiceDate,Description,Quantity,UnitPrice\n"
                    "1,2024-01-01,Kopi,2,3.5\nC2,2024-01-02,Kopi,-1,3.5\n"
                    "3,2024-01-03,Teh,1,2.0\n3,2024-01-03,Teh,1,2.0\n4,oops,Teh,1,2.0\n")
    manifest = run_data(tmp_path, f"data.path={path}",
                        "features=[calendar,holidays,lags,promotions,price_tiers]")
    data = manifest["data"]
    assert (data["rows_in"], data["rows_clean"], data["rows_rejected"],
            data["rows_duplicate"]) == (5, 3, 1, 1)
    assert data["columns_mapped"]["order_id"] == "InvoiceNo"
    assert data["returns"] == {"rows": 1, "handling": "net", "revenue": -3.5}
    assert data["quality"]["columns"]["date"]["parse_failures"] == 1
    features = manifest["features"]
    assert features["calendar"][0] == "cal_year" and "hol_is_ramadan" in features["holidays"]
    assert features["lags"][0] == "quantity_lag_1d"
    assert "price_tiers" not in features  # no category column in the data
    assert "price_tiers skipped: needs column(s) category" in manifest["notes"]["features"]


def test_returns_drop_setting(tmp_path):
    path = tmp_path / "toko.csv"
    path.write_text("date,product,qty,price\n2024-01-01,A,2,3\n2024-01-02,A,-1,3\n")
    manifest = run_data(tmp_path, f"data.path={path}", "cleaner.returns=drop")
    assert manifest["data"]["rows_rejected"] == 1
    assert manifest["data"]["rejected_reasons"] == {
        "return or cancellation (cleaner.returns=drop)": 1}
