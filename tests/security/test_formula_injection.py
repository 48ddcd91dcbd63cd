"""Spreadsheet-bound outputs (the Excel report, the CSV bundle and its zip, the app's table
downloads) never carry a live formula from the data; numbers stay numbers."""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from openpyxl import load_workbook

from salesforge.analytics.kpis import KpiAnalyzer
from salesforge.base.reporter import ReportBundle
from salesforge.report.csv_reporter import CsvReporter
from salesforge.report.escape import escape_cell, escape_frame
from salesforge.report.excel_reporter import ExcelReporter
from salesforge.testing import example_transactions

EVIL = ['=HYPERLINK("http://evil","x")', "=cmd|' /C calc'!A0", "+1+1", "-2+3", "@SUM(A1)",
        "\tX"]
STARTS = ("=", "+", "-", "@", "\t", "\r")


@pytest.fixture(scope="module")
def bundle() -> ReportBundle:
    clean = example_transactions().copy()
    products = list(clean["product"].astype(str).value_counts().index[:len(EVIL)])
    clean["product"] = clean["product"].astype(str).replace(dict(zip(products, EVIL,
                                                                     strict=True)))
    analysis = KpiAnalyzer().analyze(clean, "en")
    ranked = clean.groupby("product", as_index=False)["revenue"].sum()
    segments = ranked.rename(columns={"product": "entity"}).assign(segment_name="@Stars")
    anomalies = clean.nlargest(30, "revenue").assign(anomaly_score=0.9, reason="-big sale")
    headers = pd.DataFrame({"=SUM(A1)": [1.5, -2.0], "name": ["+x", "y"]})
    tables = {**analysis.tables, "segments": segments, "anomalies": anomalies,
              "headers": headers}
    return ReportBundle(title="=1+1", kpis=analysis.kpis, tables=tables,
                        insights=analysis.insights, details=analysis.details,
                        manifest={"run_id": "security"})


def test_escape_cell_quotes_text_and_leaves_numbers():
    assert [escape_cell(v) for v in EVIL] == ["'" + v for v in EVIL]
    assert escape_cell("-5") == "'-5" and escape_cell("\rX") == "'\rX"
    assert escape_cell("ok -") == "ok -" and escape_cell("") == ""
    when = dt.datetime(2024, 1, 2)
    for value in (-5, -2.5, np.float64(-1.0), when, None, True):
        assert escape_cell(value) is value


def test_escape_frame_leaves_numeric_columns_alone():
    frame = pd.DataFrame({"p": ["=a", "b", None], "n": [-1, 2, 3], "f": [-1.5, np.nan, 2.0],
                          "d": pd.to_datetime(["2024-01-01"] * 3),
                          "c": pd.Categorical(["-x", "y", "y"]), "-h": [1, 2, 3]})
    out = escape_frame(frame)
    assert list(out.columns) == ["p", "n", "f", "d", "c", "'-h"]
    assert out["p"].tolist()[:2] == ["'=a", "b"] and pd.isna(out["p"].iloc[2])
    assert out["c"].tolist() == ["'-x", "y", "y"]
    for column in ("n", "f", "d"):
        pd.testing.assert_series_equal(out[column], frame[column])
    assert frame["p"].iloc[0] == "=a", "the input frame was changed"


def test_the_workbook_has_no_formula_and_shows_the_names_escaped(bundle, tmp_path):
    path = ExcelReporter().write(bundle, tmp_path)[0]
    book = load_workbook(path)
    texts, numbers = set(), 0
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"formula in {sheet.title}!{cell.coordinate}"
                if isinstance(cell.value, str):
                    assert not cell.value.startswith(STARTS), (sheet.title, cell.coordinate)
                    texts.add(cell.value)
                elif isinstance(cell.value, int | float):
                    numbers += 1
    assert {"'" + name for name in EVIL} <= texts
    assert "'=1+1" in texts and "'@Stars" in texts
    products = book["Products"]
    header = next(r for r in products.iter_rows(values_only=True) if "revenue" in r)
    column = header.index("revenue")
    revenue = [r[column] for r in products.iter_rows(values_only=True)
               if r[column] is not None and r[column] != "revenue"]
    assert revenue and all(isinstance(v, int | float) for v in revenue)
    assert numbers > 100


def _check_csv(name: str, text: str) -> set[str]:
    """Every field of the CSV ``text``: none starts like a formula unless its whole column
    parses as numbers (negative amounts stay numbers)."""
    rows = list(csv.reader(io.StringIO(text)))
    frame = pd.read_csv(io.StringIO(text))
    numeric = {c for c in frame.columns if pd.api.types.is_numeric_dtype(frame[c])}
    for field in rows[0]:
        assert not field.startswith(STARTS), f"{name}: header {field!r}"
    for row in rows[1:]:
        for header, field in zip(rows[0], row, strict=True):
            if field.startswith(STARTS):
                assert header in numeric, f"{name}: {header} = {field!r}"
                float(field)
    return {field for row in rows for field in row}


def test_every_csv_in_the_bundle_and_the_zip_is_escaped(bundle, tmp_path):
    CsvReporter().write(bundle, tmp_path)
    files = {p.name: p.read_text(encoding="utf-8") for p in Path(tmp_path, "csv").glob("*.csv")}
    with zipfile.ZipFile(tmp_path / "report_csv.zip") as archive:
        zipped = {n: archive.read(n).decode("utf-8") for n in archive.namelist()}
    assert files and zipped.keys() == files.keys()
    fields = set()
    for name, text in [*files.items(), *zipped.items()]:
        fields |= _check_csv(name, text)
    assert {"'" + name for name in EVIL} <= fields
    assert "'=SUM(A1)" in fields and "'+x" in fields
    products = pd.read_csv(io.StringIO(files["products.csv"]))
    assert pd.api.types.is_numeric_dtype(products["revenue"])
    assert (products["revenue"] > 0).all()
    headers = pd.read_csv(io.StringIO(files["headers.csv"]))
    assert headers["'=SUM(A1)"].tolist() == [1.5, -2.0]


def test_the_app_table_download_is_escaped():
    from salesforge.app.tables import table

    frame = pd.DataFrame({"product": EVIL, "revenue": np.arange(len(EVIL)) - 2.5})
    download = table(frame, "products")[1]
    text = download.callback().getvalue().decode("utf-8")
    assert _check_csv("products.csv", text) >= {"'" + name for name in EVIL}
    assert pd.read_csv(io.StringIO(text))["revenue"].tolist() == frame["revenue"].tolist()
