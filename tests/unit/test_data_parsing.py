"""Numbers, dates, missing values, duplicates and data quality through StandardCleaner."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from salesforge.data.cleaning import StandardCleaner
from salesforge.data.csv_loader import CsvLoader
from salesforge.data.dates import parse_dates
from salesforge.data.duplicates import duplicate_mask
from salesforge.data.numbers import parse_numbers
from salesforge.errors import ConfigError, DataError


def frame(**columns) -> pd.DataFrame:
    n = len(next(iter(columns.values())))
    base = {"date": ["2024-02-01"] * n, "product": [f"P{i}" for i in range(n)],
            "quantity": [1] * n, "price": [10.0] * n}
    base.update(columns)
    return pd.DataFrame(base)


def by_row(result, column: str) -> list:
    return list(result.clean.sort_values("source_row")[column])


# --- numbers -------------------------------------------------------------------------------


@pytest.mark.parametrize(("texts", "expected"), [
    (["1.234.567,89", "15.000", "2,5"], [1234567.89, 15000.0, 2.5]),
    (["Rp 15.000", "Rp 2.500", "Rp. 1.250.000"], [15000.0, 2500.0, 1250000.0]),
    (["$1,200.50", "$3.99", "USD 12"], [1200.5, 3.99, 12.0]),
    (["1,200", "1.5", "(1,000)"], [1200.0, 1.5, -1000.0]),
    (["EUR 1.200,50", "3,10", "7"], [1200.5, 3.1, 7.0]),
])
def test_number_text_is_parsed(texts, expected):
    numbers, failed = parse_numbers(pd.Series(texts))
    np.testing.assert_allclose(numbers, expected)
    assert not failed.any()


def test_percent_signs_become_shares():
    numbers, _ = parse_numbers(pd.Series(["15%", "2.5 %", "100%"]))
    np.testing.assert_allclose(numbers, [0.15, 0.025, 1.0])


def test_decimal_mark_can_be_forced():
    numbers, _ = parse_numbers(pd.Series(["1.234", "2.000"]), decimal=",")
    np.testing.assert_allclose(numbers, [1234.0, 2000.0])


def test_indonesian_price_and_revenue_text_through_the_cleaner():
    raw = pd.DataFrame({"tanggal": ["2024-01-01", "2024-01-02", "2024-01-03"],
                        "nama_barang": ["Kopi", "Teh", "Gula"], "qty": ["2", "1", "x"],
                        "harga": ["Rp 15.000", "Rp 5.000,50", "Rp 1.000"]})
    result = StandardCleaner().clean(raw)
    assert by_row(result, "price") == [15000.0, 5000.5]
    assert by_row(result, "revenue") == [30000.0, 5000.5]
    assert list(result.rejected["reason"]) == ["quantity is not a number (column qty)"]
    assert result.quality["columns"]["quantity"]["parse_failures"] == 1


def test_discount_percent_text():
    result = StandardCleaner().clean(frame(diskon=["10%", "0%", None]))
    assert by_row(result, "discount") == [0.1, 0.0, 0.0]  # missing discount: zero by default


# --- dates ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("texts", "expected"), [
    (["2024-01-03", "2024-01-01 08:30:00", "2024-02-02T17:45:10"],
     ["2024-01-03", "2024-01-01 08:30", "2024-02-02 17:45:10"]),
    (["03/01/19", "25/12/19", "31/03/20"], ["2019-01-03", "2019-12-25", "2020-03-31"]),
    (["01/13/2024 10:15", "02/05/2024 09:00"], ["2024-01-13 10:15", "2024-02-05 09:00"]),
    (["45000", "45001.5"], ["2023-03-15", "2023-03-16 12:00"]),
    (["13 Jan 2024", "2 Feb 2024"], ["2024-01-13", "2024-02-02"]),
    (["20240101", "20240131"], ["2024-01-01", "2024-01-31"]),
])
def test_date_layouts(texts, expected):
    parsed = parse_dates(pd.Series(texts), None, "column d")
    assert list(parsed) == [pd.Timestamp(e) for e in expected]


@pytest.mark.parametrize(("numbers", "expected"), [
    ([45000, 45292], ["2023-03-15", "2024-01-01"]),            # Excel serial days
    ([20240101, 20241231], ["2024-01-01", "2024-12-31"]),      # yyyymmdd
    ([1704067200, 1704153600], ["2024-01-01", "2024-01-02"]),  # Unix seconds
])
def test_numeric_date_columns(numbers, expected):
    parsed = parse_dates(pd.Series(numbers), None, "column d")
    assert list(parsed) == [pd.Timestamp(e) for e in expected]


def test_numbers_that_are_no_dates_are_a_clear_error():
    with pytest.raises(DataError) as info:
        parse_dates(pd.Series([1, 2, 3]), None, "column Tanggal of toko.csv")
    assert str(info.value) == (
        "column Tanggal of toko.csv holds numbers (1 to 3) that are not Excel serial dates, "
        "yyyymmdd dates or Unix times; name the date column with data.columns.date=<column>.")


def test_ambiguous_dates_ask_for_data_dayfirst():
    raw = frame(date=["03/04/2024", "05/06/2024"])
    with pytest.raises(DataError) as info:
        StandardCleaner().clean(raw, source="toko.csv")
    assert str(info.value) == (
        "dates in column date of toko.csv are ambiguous: every day and month is 12 or less, "
        "so 03/04 could be 3 April or 4 March; set data.dayfirst=true (day first) or "
        "data.dayfirst=false.")


def test_timezone_offsets_keep_wall_clock_time():
    parsed = parse_dates(pd.Series(["2024-01-01T10:00:00+07:00", "2024-01-02T11:00:00+07:00"]),
                         None, "d")
    assert list(parsed) == [pd.Timestamp("2024-01-01 10:00"), pd.Timestamp("2024-01-02 11:00")]


# --- missing values ------------------------------------------------------------------------


@pytest.mark.parametrize(("strategy", "expected"), [
    ("mean", [1.0, 3.0, 5.0, 3.0]), ("median", [1.0, 3.0, 5.0, 3.0]),
    ("zero", [1.0, 3.0, 5.0, 0.0]), ("ffill", [1.0, 3.0, 5.0, 5.0]),
    ("mode", [1.0, 3.0, 5.0, 1.0]),
])
def test_missing_quantity_strategies(strategy, expected):
    raw = frame(quantity=[1, 3, 5, None])
    result = StandardCleaner(missing={"quantity": strategy}).clean(raw)
    assert by_row(result, "quantity") == expected
    assert result.rejected.empty
    assert result.quality["columns"]["quantity"] == {
        "source": "quantity", "strategy": strategy, "missing": 1, "filled": 1,
        "parse_failures": 0}


def test_missing_quantity_is_dropped_by_default():
    result = StandardCleaner().clean(frame(quantity=[1, None]))
    assert list(result.rejected["reason"]) == ["quantity is missing (column quantity)"]


def test_missing_revenue_is_quantity_times_price_before_any_strategy():
    raw = frame(quantity=[2, 3], price=[10.0, 4.0], revenue=[20.0, None])
    result = StandardCleaner().clean(raw)
    assert by_row(result, "revenue") == [20.0, 12.0]
    assert result.quality["columns"]["revenue"]["filled"] == 1


def test_text_strategies_for_dimensions():
    raw = frame(product=["A", None, "B", "  "], quantity=[1, 2, 3, 4])
    result = StandardCleaner(missing={"product": "ffill"}).clean(raw)
    assert by_row(result, "product") == ["A", "A", "B", "B"]
    raw["kategori"] = ["x", None, "x", "y"]
    result = StandardCleaner(missing={"product": "unknown", "category": "mode"}).clean(raw)
    assert by_row(result, "product") == ["A", "Unknown", "B", "Unknown"]
    assert by_row(result, "category") == ["x", "x", "x", "y"]


@pytest.mark.parametrize(("missing", "key"), [
    ({"quantity": "unknown"}, "cleaner.missing.quantity='unknown'"),
    ({"product": "mean"}, "cleaner.missing.product='mean'"),
    ({"colour": "drop"}, "cleaner.missing.colour"),
])
def test_bad_missing_strategy_names_the_key(missing, key):
    with pytest.raises(ConfigError) as info:
        StandardCleaner(missing=missing).clean(frame(quantity=[1]))
    assert key in str(info.value)


# --- duplicates ----------------------------------------------------------------------------


def test_duplicate_keys_decide_what_a_duplicate_is():
    raw = frame(product=["A", "A", "B"], quantity=[1, 2, 1])
    raw["order_id"] = ["O1", "O1", "O1"]
    assert StandardCleaner().clean(raw).duplicates == 0
    result = StandardCleaner(duplicate_keys=["order_id", "product"]).clean(raw)
    assert result.duplicates == 1
    assert by_row(result, "quantity") == [1.0, 1.0]
    assert result.quality["duplicates"] == {"rows": 1, "keys": ["order_id", "product"]}
    with pytest.raises(ConfigError, match=r"cleaner\.duplicate_keys names 'nope'"):
        StandardCleaner(duplicate_keys=["nope"]).clean(raw)


@pytest.mark.parametrize("chunk_rows", [777, 1 << 20])
def test_duplicate_mask_matches_pandas_on_random_rows(monkeypatch, chunk_rows):
    monkeypatch.setattr("salesforge.data.duplicates.CHUNK_ROWS", chunk_rows)
    rng = np.random.default_rng(3)
    n = 5000
    data = pd.DataFrame({
        "id": pd.array(rng.choice(["SO-1", "SO-2", "C5", "", None, "SO-00000001x"], n),
                       dtype="string[pyarrow]"),
        "q": rng.choice([1.0, 2.0, np.nan, -0.0, 0.0], n),
        "d": pd.to_datetime(rng.choice(["2024-01-01", "2024-01-02"], n)),
        "k": rng.integers(0, 3, n),
    })
    expected = data.duplicated().to_numpy()
    assert expected.any() and not expected.all()
    np.testing.assert_array_equal(duplicate_mask(data, list(data.columns)), expected)
    codes = {"k": data["k"].to_numpy()}  # codes given for a column are its signature
    np.testing.assert_array_equal(duplicate_mask(data, list(data.columns), codes), expected)
    unique_ids = data.assign(id=pd.array([f"SO-{i}" for i in range(n)], dtype="string"))
    assert not duplicate_mask(unique_ids, list(data.columns)).any()  # text alone decides


# --- returns, revenue checks and the quality section ---------------------------------------


def test_revenue_disagreeing_with_quantity_times_price_is_flagged_not_changed():
    raw = frame(quantity=[2, 2, 2], price=[10.0, 10.0, 10.0], revenue=[20.0, 20.1, 35.0])
    result = StandardCleaner(revenue_tolerance=0.01).clean(raw)
    assert by_row(result, "revenue") == [20.0, 20.1, 35.0]
    assert result.quality["revenue_mismatch"] == {"rows": 1, "tolerance": 0.01,
                                                  "source_rows": [3]}


def test_quality_section_counts_nulls_outliers_and_date_gaps():
    dates = [f"2024-01-{d:02d}" for d in (1, 2, 3, 4, 8, 9, 10)] * 3
    quantity = [1] * 20 + [500]
    raw = frame(date=dates, quantity=quantity)
    raw["note"] = [None] * 5 + ["x"] * 16
    quality = StandardCleaner().clean(raw).quality
    assert quality["nulls"]["note"] == 5
    assert quality["outliers"]["quantity"] == 1
    assert quality["date_gaps"] == {"distinct_days": 7, "typical_spacing_days": 1.0, "gaps": 1,
                                    "longest_gap_days": 4,
                                    "longest_gap": ["2024-01-04", "2024-01-08"]}


# --- aggregated files ------------------------------------------------------------------------


def test_weekly_sales_per_store_and_department():
    raw = pd.DataFrame({"Store": [1, 1, 2], "Dept": [3, 4, 3],
                        "Date": ["2012-02-03", "2012-02-03", "2012-02-10"],
                        "Weekly_Sales": [24924.5, 50605.27, 13740.12],
                        "IsHoliday": [False, False, True]})
    result = StandardCleaner().clean(raw, source="walmart.csv")
    assert result.columns_mapped == {"date": "Date", "category": "Dept", "region": "Store",
                                     "revenue": "Weekly_Sales"}
    assert by_row(result, "revenue") == [24924.5, 50605.27, 13740.12]
    assert result.derived["product"] == "Unknown (no product column)"
    assert result.derived["quantity"] == "1 per row (no quantity column)"


def test_us_retail_monthly_file_loads_as_an_aggregate(shared_dataset):
    path = shared_dataset("us_retail_sales_monthly/example_retail_sales.csv")
    result = StandardCleaner().clean(CsvLoader().load(path), source=str(path))
    assert result.columns_mapped == {"date": "ds", "revenue": "y"}
    assert len(result.clean) == 293 and result.rejected.empty and result.duplicates == 0
    assert result.clean["revenue"].iloc[0] == 146376.0
    assert result.quality["date_gaps"]["gaps"] == 0
    assert 28 <= result.quality["date_gaps"]["typical_spacing_days"] <= 31


def test_superstore_csv_with_zero_config(shared_dataset):
    path = shared_dataset("superstore/sample_superstore.csv")
    raw = CsvLoader().load(path)
    assert raw.columns[0] == "Row ID"  # BOM removed, CRLF handled
    result = StandardCleaner().clean(raw, source=str(path))
    assert result.rows_in == len(raw) == 10194
    assert len(result.clean) == 10194 and result.rejected.empty
    clean = result.clean
    assert clean["date"].min() == pd.Timestamp("2019-01-03")  # 03/01/19 is day-first
    assert clean["date"].max() == pd.Timestamp("2022-12-30")
    assert result.columns_mapped["revenue"] == "Sales"
    assert result.columns_mapped["discount"] == "Discount"
    assert not clean["is_return"].any()  # "CA-2019-..." order ids are not cancellations
    assert clean["Postal Code"].astype(str).str.contains("M7A").any()  # Canadian codes kept
