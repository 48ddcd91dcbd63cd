"""Loaders for Excel, JSON, Parquet and SQL sources, on files and databases made here."""

from __future__ import annotations

import gzip
import json
import sqlite3

import pandas as pd
import pytest

from salesforge.data.excel_loader import ExcelLoader
from salesforge.data.json_loader import JsonLoader
from salesforge.data.parquet_loader import ParquetLoader
from salesforge.data.sql_loader import SqlLoader
from salesforge.errors import ConfigError, DataError

SALES = pd.DataFrame({
    "tanggal": pd.to_datetime(["2024-01-01", "2024-01-02", "2024-01-03"]),
    "produk": ["Kopi", "Teh", "Café Latte"],
    "jumlah": [2, 1, 3],
    "harga": [15000.0, 5000.0, 18000.0],
})


def assert_sales(frame: pd.DataFrame) -> None:
    assert list(frame.columns) == list(SALES.columns)
    assert list(frame["produk"]) == list(SALES["produk"])
    assert list(frame["jumlah"]) == [2, 1, 3]
    assert list(frame["harga"]) == [15000.0, 5000.0, 18000.0]
    assert list(pd.to_datetime(frame["tanggal"])) == list(SALES["tanggal"])


# --- Excel ---------------------------------------------------------------------------------


def workbook(path, **sheets) -> None:
    with pd.ExcelWriter(path) as writer:
        for name, frame in sheets.items():
            frame.to_excel(writer, sheet_name=name, index=False)


def test_xlsx_default_sheet_is_the_first_with_a_date_column(tmp_path):
    path = tmp_path / "penjualan.xlsx"
    notes = pd.DataFrame({"catatan": ["dibuat oleh kasir"], "versi": [2]})
    workbook(path, Catatan=notes, Penjualan=SALES, Lain=SALES.head(1))
    frame = ExcelLoader().load(path)
    assert_sales(frame)
    assert pd.api.types.is_datetime64_any_dtype(frame["tanggal"])


def test_xlsx_sheet_by_name_and_position(tmp_path):
    path = tmp_path / "penjualan.xlsx"
    workbook(path, Penjualan=SALES, Kecil=SALES.head(1))
    assert len(ExcelLoader(sheet="Kecil").load(path)) == 1
    assert len(ExcelLoader(sheet=1).load(path)) == 1
    with pytest.raises(ConfigError) as info:
        ExcelLoader(sheet="Nope").load(path)
    assert str(info.value) == (f"config key data.options.sheet='Nope' is not a sheet of {path} "
                               "(sheets: Penjualan, Kecil).")


def test_password_protected_xlsx_is_a_clear_error(tmp_path):
    crypto = pytest.importorskip("msoffcrypto.format.ooxml")
    plain, locked = tmp_path / "plain.xlsx", tmp_path / "locked.xlsx"
    workbook(plain, Penjualan=SALES)
    with open(plain, "rb") as source, open(locked, "wb") as target:
        crypto.OOXMLFile(source).encrypt("rahasia", target)
    with pytest.raises(DataError) as info:
        ExcelLoader().load(locked)
    assert str(info.value) == (f"Excel file {locked} is password-protected; save it without a "
                               "password (File > Info > Protect Workbook) and run again.")


def test_corrupt_xlsx_is_a_clear_error(tmp_path):
    path = tmp_path / "rusak.xlsx"
    path.write_bytes(b"PK\x03\x04 this is not really a workbook")
    with pytest.raises(DataError) as info:
        ExcelLoader().load(path)
    message = str(info.value)
    assert message.startswith(f"Excel file {path} is corrupt or not an Excel workbook (")
    assert message.endswith("); open and re-save it in Excel, or export it as CSV.")


def test_superstore_xls_reads_the_orders_sheet(shared_dataset):
    path = shared_dataset("superstore/sample_superstore.xls")
    frame = ExcelLoader().load(path)
    assert frame.shape == (10194, 21)
    assert pd.api.types.is_datetime64_any_dtype(frame["Order Date"])
    returns = ExcelLoader(sheet="Returns").load(path)
    assert list(returns.columns) == ["Returned", "Order ID"] and len(returns) == 800


# --- JSON ----------------------------------------------------------------------------------


def records() -> list[dict]:
    return [{"tanggal": str(d.date()), "produk": p, "jumlah": q, "harga": h}
            for d, p, q, h in SALES.itertuples(index=False)]


@pytest.mark.parametrize("layout", ["array", "lines", "wrapped", "lines.gz"])
def test_json_records_and_lines(tmp_path, layout):
    if layout == "array":
        path = tmp_path / "sales.json"
        path.write_text(json.dumps(records(), ensure_ascii=False), encoding="utf-8")
    elif layout == "wrapped":
        path = tmp_path / "sales.json"
        path.write_text(json.dumps({"meta": {"n": 3}, "rows": records()}, indent=2))
    else:
        text = "\n".join(json.dumps(r) for r in records()) + "\n"
        path = tmp_path / ("sales.jsonl.gz" if layout.endswith("gz") else "sales.jsonl")
        path.write_bytes(gzip.compress(text.encode()) if layout.endswith("gz")
                         else text.encode())
    assert_sales(JsonLoader().load(path))


def test_json_that_is_not_records_is_a_clear_error(tmp_path):
    path = tmp_path / "sales.json"
    path.write_text("[1, 2, 3]")
    with pytest.raises(DataError, match=r"does not hold JSON records"):
        JsonLoader().load(path)
    path.write_text("{not json")
    with pytest.raises(DataError, match=r"is not valid JSON"):
        JsonLoader().load(path)


# --- Parquet -------------------------------------------------------------------------------


def test_parquet_keeps_types(tmp_path):
    path = tmp_path / "sales.parquet"
    SALES.to_parquet(path, index=False)
    frame = ParquetLoader().load(path)
    assert_sales(frame)
    assert str(frame["tanggal"].dtype) == "datetime64[ns]"
    assert str(frame["produk"].dtype) == "string"


def test_not_a_parquet_file(tmp_path):
    path = tmp_path / "sales.parquet"
    path.write_text("date,product\n")
    with pytest.raises(DataError, match=r"is not a readable Parquet file"):
        ParquetLoader().load(path)


# --- SQL -----------------------------------------------------------------------------------


@pytest.fixture
def sqlite_db(tmp_path):
    path = tmp_path / "toko.db"
    with sqlite3.connect(path) as connection:
        SALES.assign(tanggal=SALES["tanggal"].dt.strftime("%Y-%m-%d")).to_sql(
            "penjualan", connection, index=False)
        connection.execute("CREATE TABLE pelanggan (id INTEGER, nama TEXT)")
    return path


@pytest.fixture
def duckdb_db(tmp_path):
    duckdb = pytest.importorskip("duckdb")
    path = tmp_path / "toko.duckdb"
    with duckdb.connect(str(path)) as connection:
        connection.execute("CREATE TABLE penjualan AS SELECT * FROM SALES")
    return path


def test_sqlite_file_with_a_query(sqlite_db):
    frame = SqlLoader(query="SELECT * FROM penjualan ORDER BY tanggal").load(sqlite_db)
    assert_sales(frame)


def test_sqlite_file_with_a_table(sqlite_db):
    assert_sales(SqlLoader(table="penjualan").load(sqlite_db))


def test_sqlite_with_several_tables_asks_which(sqlite_db):
    with pytest.raises(ConfigError) as info:
        SqlLoader().load(sqlite_db)
    assert str(info.value) == (f"{sqlite_db} has 2 tables (pelanggan, penjualan); choose one "
                               "with data.options.table=<name> or give "
                               "data.options.query=<SQL>.")


def test_sqlalchemy_url_to_sqlite(sqlite_db):
    pytest.importorskip("sqlalchemy")
    frame = SqlLoader(query="SELECT * FROM penjualan WHERE jumlah >= 1").load(
        f"sqlite:///{sqlite_db}")
    assert_sales(frame)


def test_bad_query_names_query_and_key(sqlite_db):
    with pytest.raises(DataError) as info:
        SqlLoader(query="SELECT nope FROM penjualan").load(sqlite_db)
    message = str(info.value)
    assert message.startswith(f"query 'SELECT nope FROM penjualan' failed on {sqlite_db} (")
    assert message.endswith("); fix data.options.query.")


def test_duckdb_file_and_url(duckdb_db):
    assert_sales(SqlLoader().load(duckdb_db))  # the only table
    frame = SqlLoader(query="SELECT * FROM penjualan WHERE produk <> 'x'").load(
        f"duckdb:///{duckdb_db}")
    assert_sales(frame)
    assert str(frame["tanggal"].dtype) == "datetime64[ns]"


def test_missing_database_file_in_url(tmp_path):
    with pytest.raises(DataError, match=r"database file .*nowhere\.db does not exist"):
        SqlLoader().load(f"sqlite:///{tmp_path / 'nowhere.db'}")
    assert not (tmp_path / "nowhere.db").exists()  # not created by opening it


def test_not_a_database(tmp_path):
    path = tmp_path / "x.db"
    path.write_text("hello")
    with pytest.raises(DataError, match=r"neither a SQLite nor a DuckDB database"):
        SqlLoader().load(path)


@pytest.mark.parametrize(("source", "handled"), [
    ("sqlite:///x.db", True), ("postgresql+psycopg://u:p@h/db", True), ("toko.duckdb", True),
    ("toko.sqlite", True), ("http://x/y.csv", False), ("sales.csv", False)])
def test_sql_loader_handles_urls_and_database_files(source, handled):
    assert SqlLoader.handles(source) is handled
