"""Unit tests for salesforge.data.cleaning.StandardCleaner."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from salesforge.data.cleaning import UNKNOWN, StandardCleaner
from salesforge.data.csv_loader import CsvLoader
from salesforge.errors import ConfigError, DataError
from salesforge.schema import REQUIRED_COLUMNS

DATE_MISSING = "date is missing"
DATE_REASON = "date is not a date"
QUANTITY_REASON = "quantity is not a number"
PRODUCT_REASON = "product is missing"
PRICE_REASON = "price is negative"


def messy_frame() -> pd.DataFrame:
    """Ten raw rows: 3 good, 1 return (kept), 1 exact duplicate of a good row, 5 bad."""
    return pd.DataFrame({
        "Tanggal": ["2024-01-03", "2024-01-01", "not a date", None, "2024-01-02",
                    "2024-01-02", "2024-01-04", "2024-01-05", "2024-01-06", "2024-01-07"],
        "Produk": ["Kopi", "Teh", "Susu", "Roti", "Gula", "Gula", "   ", "Kopi", None, "Teh"],
        "Jumlah": ["2", "1", "3", "1", "5", "5", "1", "-2", "4", "abc"],
        "Harga": [15000, 5000, 7000, 9000, 12000, 12000, 3000, 15000, 1000, 5000],
        "notes": ["a", "b", "c", "d", "e", "e", "g", "h", "i", "j"],
    })


@pytest.fixture
def messy_result():
    return StandardCleaner().clean(messy_frame(), source="toko.csv")


def reason_of(result, source_row: int) -> str:
    rows = result.rejected.loc[result.rejected["source_row"] == source_row, "reason"]
    assert len(rows) == 1, f"source row {source_row} is not rejected exactly once"
    return str(rows.iloc[0])


# --- accounting ----------------------------------------------------------------------------


def test_rows_in_equals_clean_plus_rejected_plus_duplicates(messy_result):
    assert len(messy_result.clean) == 4
    assert len(messy_result.rejected) == 5
    assert messy_result.duplicates == 1
    assert messy_result.rows_in == len(messy_frame()) == 10


@pytest.mark.parametrize(
    "options",
    [
        {},
        {"drop_duplicates": False},
        {"returns": "drop"},
        {"drop_duplicates": False, "returns": "drop"},
        {"missing": {"quantity": "median", "product": "mode", "date": "ffill"}},
        {"dayfirst": True},
    ],
)
def test_no_row_is_lost_whatever_the_options(options):
    raw = messy_frame()
    result = StandardCleaner(**options).clean(raw)
    assert len(result.clean) + len(result.rejected) + result.duplicates == len(raw)
    accounted = sorted([*result.clean["source_row"], *result.rejected["source_row"]])
    assert len(set(accounted)) == len(accounted)  # no row both clean and rejected
    assert set(accounted) <= set(range(1, len(raw) + 1))


def test_rejected_rows_carry_reason_and_source_row_and_raw_values(messy_result):
    rejected = messy_result.rejected
    assert list(rejected.columns) == ["source_row", *messy_frame().columns, "reason"]
    assert rejected["reason"].notna().all()
    assert (rejected["reason"].str.len() > 0).all()
    raw = messy_frame()
    for _, row in rejected.iterrows():
        original = raw.iloc[int(row["source_row"]) - 1]
        for column in raw.columns:
            if pd.isna(original[column]):
                assert pd.isna(row[column])
            else:
                assert row[column] == original[column]
    assert sorted(rejected["source_row"]) == [3, 4, 7, 9, 10]


def test_each_bad_row_gets_the_right_reason(messy_result):
    assert reason_of(messy_result, 3) == "date is not a date (column Tanggal)"
    assert reason_of(messy_result, 4) == "date is missing (column Tanggal)"
    assert reason_of(messy_result, 7) == "product is missing (column Produk)"
    assert reason_of(messy_result, 9) == "product is missing (column Produk)"
    assert reason_of(messy_result, 10) == "quantity is not a number (column Jumlah)"
    returned = messy_result.clean.set_index("source_row").loc[8]
    assert returned["is_return"] and returned["quantity"] == -2.0


def test_first_failing_check_gives_the_reason():
    raw = pd.DataFrame({"date": ["nope"], "product": [None], "quantity": ["x"], "price": [1.0]})
    result = StandardCleaner().clean(raw)
    assert len(result.rejected) == 1
    assert result.rejected["reason"].iloc[0].startswith(DATE_REASON)


def test_clean_rows_map_back_to_their_source_rows(messy_result):
    raw = messy_frame()
    clean = messy_result.clean
    for _, row in clean.iterrows():
        original = raw.iloc[int(row["source_row"]) - 1]
        assert row["product"] == original["Produk"].strip()
        assert row["quantity"] == float(original["Jumlah"])
        assert row["is_return"] == (row["quantity"] < 0)
        assert row["date"] == pd.Timestamp(original["Tanggal"])


# --- individual rejections -----------------------------------------------------------------


def base_frame(**overrides) -> pd.DataFrame:
    data = {
        "date": ["2024-02-01", "2024-02-02", "2024-02-03"],
        "product": ["A", "B", "C"],
        "quantity": [1, 2, 3],
        "price": [10.0, 20.0, 30.0],
    }
    data.update(overrides)
    return pd.DataFrame(data)


def test_unparseable_date_is_rejected():
    raw = base_frame(date=["2024-02-01", "31/31/2024", "2024-02-03"])
    result = StandardCleaner().clean(raw)
    assert list(result.rejected["source_row"]) == [2]
    assert result.rejected["reason"].iloc[0] == f"{DATE_REASON} (column date)"
    assert result.quality["columns"]["date"]["parse_failures"] == 1
    assert list(result.clean["product"]) == ["A", "C"]


def test_non_numeric_quantity_is_rejected():
    raw = base_frame(quantity=["1", "dua", "3"])
    result = StandardCleaner().clean(raw)
    assert list(result.rejected["source_row"]) == [2]
    assert result.rejected["reason"].iloc[0] == f"{QUANTITY_REASON} (column quantity)"


def test_non_numeric_price_is_rejected():
    raw = base_frame(price=["10", "20", "n/a"])
    result = StandardCleaner().clean(raw)
    assert list(result.rejected["source_row"]) == [3]
    assert result.rejected["reason"].iloc[0] == "price is not a number (column price)"


@pytest.mark.parametrize("missing", [None, "", "   ", np.nan])
def test_missing_product_is_rejected(missing):
    raw = base_frame(product=["A", missing, "C"])
    result = StandardCleaner().clean(raw)
    assert list(result.rejected["source_row"]) == [2]
    assert result.rejected["reason"].iloc[0] == f"{PRODUCT_REASON} (column product)"


@pytest.mark.parametrize("quantity", [-1, -12])
def test_negative_quantity_is_kept_and_flagged_as_a_return(quantity):
    raw = base_frame(quantity=[1, quantity, 3])
    result = StandardCleaner().clean(raw)
    assert result.rejected.empty
    flagged = result.clean.set_index("source_row")["is_return"]
    assert list(flagged) == [False, True, False]
    assert result.clean.set_index("source_row").loc[2, "revenue"] == quantity * 20.0
    assert result.quality["returns"]["rows"] == 1
    assert result.quality["returns"]["handling"] == "net"


def test_cancellation_prefix_followed_by_a_digit_marks_a_return():
    raw = base_frame(quantity=[1, 2, 3])
    raw["order_id"] = ["C536379", "CA-2019-1", "536380"]
    clean = StandardCleaner().clean(raw).clean.set_index("order_id")
    assert clean.loc["C536379", "is_return"]
    assert not clean.loc["CA-2019-1", "is_return"]
    assert not clean.loc["536380", "is_return"]
    custom = StandardCleaner(return_prefixes=["RET"]).clean(
        raw.assign(order_id=["RET1", "C1", "X"])).clean.set_index("order_id")
    assert list(custom["is_return"].loc[["RET1", "C1", "X"]]) == [True, False, False]


def test_returns_drop_moves_them_to_rejected_with_a_reason():
    raw = base_frame(quantity=[1, -2, 3])
    result = StandardCleaner(returns="drop").clean(raw)
    assert list(result.rejected["source_row"]) == [2]
    assert result.rejected["reason"].iloc[0] == "return or cancellation (cleaner.returns=drop)"
    assert not result.clean["is_return"].any()


def test_unknown_returns_handling_names_the_key():
    with pytest.raises(ConfigError, match=r"cleaner\.returns='keep'"):
        StandardCleaner(returns="keep").clean(base_frame())


def test_negative_price_is_rejected():
    raw = base_frame(price=[10.0, -5.0, 30.0])
    result = StandardCleaner().clean(raw)
    assert list(result.rejected["source_row"]) == [2]
    assert result.rejected["reason"].iloc[0] == PRICE_REASON


# --- duplicates ----------------------------------------------------------------------------


def test_exact_duplicates_are_counted_and_dropped():
    raw = base_frame(date=["2024-02-01", "2024-02-01", "2024-02-01"], product=["A", "A", "A"],
                     quantity=[1, 1, 1], price=[10.0, 10.0, 10.0])
    result = StandardCleaner().clean(raw)
    assert result.duplicates == 2
    assert len(result.clean) == 1
    assert result.clean["source_row"].iloc[0] == 1  # the first occurrence is kept
    assert result.rejected.empty


def test_duplicates_kept_when_drop_duplicates_is_off():
    raw = pd.concat([base_frame(), base_frame()], ignore_index=True)
    result = StandardCleaner(drop_duplicates=False).clean(raw)
    assert result.duplicates == 0
    assert len(result.clean) == 6


def test_rows_differing_only_in_a_pass_through_column_are_not_duplicates():
    raw = base_frame(date=["2024-02-01"] * 3, product=["A"] * 3, quantity=[1] * 3,
                     price=[10.0] * 3)
    raw["notes"] = ["first", "second", "first"]
    result = StandardCleaner().clean(raw)
    assert result.duplicates == 1
    assert sorted(result.clean["notes"]) == ["first", "second"]


# --- derived measures ----------------------------------------------------------------------


def test_revenue_is_quantity_times_price_when_there_is_no_revenue_column():
    result = StandardCleaner().clean(base_frame())
    clean = result.clean
    assert "revenue" not in result.columns_mapped
    np.testing.assert_allclose(clean["revenue"], [10.0, 40.0, 90.0])
    np.testing.assert_allclose(clean["revenue"], clean["quantity"] * clean["price"])


def test_price_is_revenue_over_quantity_when_there_is_no_price_column():
    raw = pd.DataFrame({"tanggal": ["2024-03-01", "2024-03-02"], "produk": ["X", "Y"],
                        "jumlah": [4, 5], "pendapatan": [100.0, 12.5]})
    result = StandardCleaner().clean(raw)
    assert result.columns_mapped == {"date": "tanggal", "product": "produk",
                                     "quantity": "jumlah", "revenue": "pendapatan"}
    np.testing.assert_allclose(result.clean["price"], [25.0, 2.5])
    np.testing.assert_allclose(result.clean["revenue"], [100.0, 12.5])


def test_revenue_only_data_gets_quantity_one():
    raw = pd.DataFrame({"Order Date": ["2024-03-01", "2024-03-02"], "Item": ["X", "Y"],
                        "Sales": [99.5, 10.0]})
    clean = StandardCleaner().clean(raw).clean
    np.testing.assert_allclose(clean["quantity"], [1.0, 1.0])
    np.testing.assert_allclose(clean["price"], [99.5, 10.0])


def test_existing_revenue_is_not_recomputed():
    raw = base_frame()
    raw["revenue"] = [9.0, 38.0, 85.0]  # discounts: not quantity * price
    clean = StandardCleaner().clean(raw).clean
    np.testing.assert_allclose(clean["revenue"], [9.0, 38.0, 85.0])
    np.testing.assert_allclose(clean["price"], [10.0, 20.0, 30.0])


def test_units_only_file_keeps_quantity_and_leaves_money_empty():
    raw = pd.DataFrame({"date": ["2024-01-01", "2024-01-02"], "product": ["A", "B"],
                        "quantity": [1, 4]})
    result = StandardCleaner().clean(raw)
    assert list(result.clean["quantity"]) == [1.0, 4.0]
    assert result.clean["revenue"].isna().all()
    assert result.derived["revenue"] == "none (no revenue or price column)"


def test_no_numeric_measure_raises_data_error_naming_the_key():
    raw = pd.DataFrame({"date": ["2024-01-01"], "product": ["A"], "note": ["x"]})
    with pytest.raises(DataError) as info:
        StandardCleaner().clean(raw, source="toko.csv")
    assert str(info.value) == (
        "toko.csv has no numeric measure: no revenue, quantity or price column and no number "
        "column; name one with data.columns.revenue=<column> (columns: date, product, note).")


def test_several_unnamed_number_columns_ask_which_is_revenue():
    raw = pd.DataFrame({"date": ["2024-01-01"], "a": [1.0], "b": [2.0]})
    with pytest.raises(DataError, match=r"several number columns \(a, b\).*data\.columns\.revenue"):
        StandardCleaner().clean(raw, source="x.csv")


def test_price_without_quantity_or_revenue_raises():
    raw = pd.DataFrame({"date": ["2024-01-01"], "product": ["A"], "price": [1.0]})
    with pytest.raises(DataError, match=r"price column but neither quantity nor revenue"):
        StandardCleaner().clean(raw, source="x.csv")


# --- dates ---------------------------------------------------------------------------------


def test_day_first_dates_are_parsed_day_first():
    raw = base_frame(date=["13/01/2024", "25/12/2024", "31/03/2024"])
    clean = StandardCleaner().clean(raw).clean
    by_product = dict(zip(clean["product"], clean["date"], strict=True))
    assert by_product == {"A": pd.Timestamp("2024-01-13"), "B": pd.Timestamp("2024-12-25"),
                          "C": pd.Timestamp("2024-03-31")}


def test_explicit_dayfirst_parses_ambiguous_dates_day_first():
    raw = base_frame(date=["03/01/2024", "05/02/2024", "13/01/2024"])
    clean = StandardCleaner(dayfirst=True).clean(raw).clean
    by_product = dict(zip(clean["product"], clean["date"], strict=True))
    assert by_product == {"A": pd.Timestamp("2024-01-03"), "B": pd.Timestamp("2024-02-05"),
                          "C": pd.Timestamp("2024-01-13")}


def test_explicit_monthfirst_parses_us_dates():
    raw = base_frame(date=["01/13/2024", "02/05/2024", "12/25/2024"])
    clean = StandardCleaner(dayfirst=False).clean(raw).clean
    by_product = dict(zip(clean["product"], clean["date"], strict=True))
    assert by_product == {"A": pd.Timestamp("2024-01-13"), "B": pd.Timestamp("2024-02-05"),
                          "C": pd.Timestamp("2024-12-25")}


def test_auto_dayfirst_decides_from_the_data_for_ambiguous_dates():
    raw = base_frame(date=["13/01/2024", "03/01/2024", "05/02/2024"])
    clean = StandardCleaner().clean(raw).clean
    by_product = dict(zip(clean["product"], clean["date"], strict=True))
    assert by_product == {"A": pd.Timestamp("2024-01-13"), "B": pd.Timestamp("2024-01-03"),
                          "C": pd.Timestamp("2024-02-05")}


def test_iso_dates_with_times_and_datetime_columns():
    raw = base_frame(date=["2024-02-01 08:30:00", "2024-02-02T17:45:10", "2024-02-03"])
    clean = StandardCleaner().clean(raw).clean
    assert list(clean["date"]) == [pd.Timestamp("2024-02-01 08:30:00"),
                                   pd.Timestamp("2024-02-02 17:45:10"),
                                   pd.Timestamp("2024-02-03")]
    typed = base_frame(date=pd.to_datetime(["2024-02-03", "2024-02-01", "2024-02-02"]))
    clean = StandardCleaner().clean(typed).clean
    assert list(clean["product"]) == ["B", "C", "A"]  # sorted by date
    assert clean["date"].dtype == "datetime64[ns]"


def test_frame_without_a_date_column_raises_data_error_naming_the_key():
    raw = pd.DataFrame({"product": ["A"], "quantity": [1], "price": [2.0]})
    with pytest.raises(DataError) as info:
        StandardCleaner().clean(raw, source="penjualan.csv")
    message = str(info.value)
    assert "data.columns.date" in message
    assert "penjualan.csv" in message
    assert "product" in message  # lists the columns it has


def test_explicit_date_column_is_used():
    raw = pd.DataFrame({"hari": ["2024-01-02"], "product": ["A"], "quantity": [1],
                        "price": [2.0]})
    result = StandardCleaner().clean(raw, columns={"date": "hari"})
    assert result.columns_mapped["date"] == "hari"
    assert result.clean["date"].iloc[0] == pd.Timestamp("2024-01-02")


# --- output shape --------------------------------------------------------------------------


def test_clean_has_canonical_columns_dtypes_and_order(messy_result):
    clean = messy_result.clean
    assert list(clean.columns[: len(REQUIRED_COLUMNS)]) == list(REQUIRED_COLUMNS)
    for column, dtype in REQUIRED_COLUMNS.items():
        assert str(clean[column].dtype) == dtype, column
    assert clean["date"].is_monotonic_increasing
    assert list(clean.index) == list(range(len(clean)))


def test_missing_dimensions_become_unknown(messy_result):
    assert set(messy_result.clean["category"]) == {UNKNOWN}
    assert set(messy_result.clean["region"]) == {UNKNOWN}


def test_dimension_values_are_stripped_and_blank_categories_unknown():
    raw = base_frame(product=["  A ", "B", "C"])
    raw["kategori"] = [" Minuman ", "", None]
    raw["kota"] = ["Jakarta", " Bandung", "Medan "]
    clean = StandardCleaner().clean(raw).clean.set_index("product")
    assert clean.loc["A", "category"] == "Minuman"
    assert clean.loc["B", "category"] == UNKNOWN
    assert clean.loc["C", "category"] == UNKNOWN
    assert list(clean["region"]) == ["Jakarta", "Bandung", "Medan"]


def test_pass_through_columns_are_kept_untouched():
    raw = base_frame(date=["2024-02-03", "2024-02-01", "2024-02-02"])
    raw["notes"] = ["  spaced  ", "", "line"]
    raw["store_code"] = ["007", "010", "0042"]
    result = StandardCleaner().clean(raw)
    clean = result.clean
    assert "notes" not in result.columns_mapped.values()
    assert "store_code" not in result.columns_mapped.values()
    by_row = clean.set_index("source_row")
    for position in range(3):
        assert by_row.loc[position + 1, "notes"] == raw["notes"].iloc[position]
        assert by_row.loc[position + 1, "store_code"] == raw["store_code"].iloc[position]
    # pass-through columns come after the canonical ones
    assert list(clean.columns[-3:]) == ["source_row", "notes", "store_code"]


def test_optional_canonical_columns_are_typed():
    raw = base_frame()
    raw["order_id"] = [101, 102, 103]
    raw["pelanggan"] = ["C1", "C2", "C1"]
    raw["diskon"] = ["0.1", "x", "0"]
    clean = StandardCleaner().clean(raw).clean
    assert str(clean["order_id"].dtype) == "string"
    assert list(clean["order_id"]) == ["101", "102", "103"]
    assert list(clean["customer_id"]) == ["C1", "C2", "C1"]
    assert clean["discount"].iloc[0] == pytest.approx(0.1)
    assert np.isnan(clean["discount"].iloc[1])  # optional measures are not a reason to reject


def test_input_frame_is_not_modified():
    raw = messy_frame()
    before = raw.copy()
    StandardCleaner().clean(raw)
    pd.testing.assert_frame_equal(raw, before)


def test_cleaning_is_deterministic():
    first = StandardCleaner().clean(messy_frame())
    second = StandardCleaner().clean(messy_frame())
    pd.testing.assert_frame_equal(first.clean, second.clean)
    pd.testing.assert_frame_equal(first.rejected, second.rejected)


def test_explicit_mapping_wins_over_a_column_with_the_canonical_name():
    raw = pd.DataFrame({"date": ["2024-01-01", "2024-01-02"], "product": ["code1", "code2"],
                        "Description": ["Mouse", "Cable"], "qty": [1, 2], "price": [5.0, 6.0]})
    result = StandardCleaner().clean(raw, columns={"product": "Description"})
    assert result.columns_mapped["product"] == "Description"
    assert list(result.clean["product"]) == ["Mouse", "Cable"]


# --- the real Online Retail sample ----------------------------------------------------------


@pytest.fixture(scope="module")
def online_retail(shared_dataset):
    path = shared_dataset("online_retail/online_retail_random20k.csv")
    raw = CsvLoader().load(path)
    return raw, StandardCleaner().clean(raw, source=str(path))


def test_online_retail_cleans_with_zero_config_and_loses_no_row(online_retail):
    raw, result = online_retail
    assert len(raw) == 20000
    assert result.rows_in == len(raw)
    assert result.columns_mapped == {
        "date": "InvoiceDate", "product": "Description", "region": "Country",
        "quantity": "Quantity", "price": "UnitPrice", "customer_id": "CustomerID",
        "order_id": "InvoiceNo",
    }
    clean = result.clean
    assert len(clean) > 19000
    assert ((clean["quantity"] > 0) | clean["is_return"]).all()
    assert clean["date"].notna().all()
    assert clean["date"].min() >= pd.Timestamp("2010-12-01")
    assert clean["date"].max() < pd.Timestamp("2012-01-01")
    np.testing.assert_allclose(clean["revenue"], clean["quantity"] * clean["price"])
    assert "StockCode" in clean.columns  # unmapped columns pass through


def test_online_retail_keeps_and_flags_the_cancellations(online_retail):
    raw, result = online_retail
    clean = result.clean
    negative = raw.index[raw["Quantity"] < 0]
    assert len(negative) > 300
    kept = set(clean["source_row"])
    flagged = set(clean.loc[clean["is_return"], "source_row"])
    assert set(negative + 1) & kept <= flagged  # every kept negative row is a flagged return
    cancellations = raw.index[raw["InvoiceNo"].astype(str).str.startswith("C")]
    assert len(cancellations) > 0
    assert set(cancellations + 1) <= flagged | set(result.rejected["source_row"])
    assert clean_invoices_start_with_c(clean)
    assert (clean.loc[clean["is_return"], "revenue"] <= 0).all()
    assert set(result.rejected["reason"]) <= {"product is missing (column Description)",
                                              "price is negative"}
    assert result.quality["returns"]["rows"] == len(flagged)


def clean_invoices_start_with_c(clean: pd.DataFrame) -> bool:
    return bool(clean["order_id"].str.startswith("C").any())


def test_online_retail_customer_ids_keep_their_text(online_retail):
    _raw, result = online_retail
    ids = result.clean["customer_id"].dropna()
    assert len(ids) > 0
    assert not ids.str.endswith(".0").any()


def test_cleaning_leaves_the_loaded_frame_as_it_was():
    raw = pd.DataFrame({"Tanggal": ["2024-01-02", "2024-01-03"], "Produk": ["A", "B"],
                        "Jumlah": [1, 2], "Harga": [10.0, 20.0]})
    kept = raw.copy()
    StandardCleaner().clean(raw, {"date": "Tanggal", "product": "Produk",
                                  "quantity": "Jumlah", "price": "Harga"}, source="t.csv")
    pd.testing.assert_frame_equal(raw, kept)
