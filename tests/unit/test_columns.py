"""Unit tests for salesforge.data.columns: normalise and map_columns."""

from __future__ import annotations

import pandas as pd
import pytest

from salesforge.data.columns import ALIASES, map_columns, normalise
from salesforge.errors import ConfigError

# --- normalise -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Order Date", "orderdate"),
        ("InvoiceDate", "invoicedate"),
        ("  Unit Price ", "unitprice"),
        ("nama_barang", "namabarang"),
        ("Sub-Category", "subcategory"),
        ("Country/Region", "countryregion"),
        ("QTY.", "qty"),
        ("Harga (Rp)", "hargarp"),
        ("Product_ID#2", "productid2"),
        ("", ""),
    ],
)
def test_normalise_keeps_only_lowercase_letters_and_digits(name, expected):
    assert normalise(name) == expected


def test_normalise_accepts_non_strings():
    assert normalise(2024) == "2024"


def test_every_alias_is_already_normalised_and_unique():
    seen: dict[str, str] = {}
    for canonical, names in ALIASES.items():
        for alias in names:
            assert normalise(alias) == alias, (canonical, alias)
            assert alias not in seen, f"{alias} is an alias of {seen.get(alias)} and {canonical}"
            seen[alias] = canonical


# --- English aliases -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("column", "canonical"),
    [
        ("InvoiceDate", "date"),
        ("Order Date", "date"),
        ("StockCode", "product"),
        ("Description", "product"),
        ("UnitPrice", "price"),
        ("Quantity", "quantity"),
        ("Sales", "revenue"),
        ("Country", "region"),
        ("CustomerID", "customer_id"),
        ("InvoiceNo", "order_id"),
        ("Category", "category"),
        ("Discount", "discount"),
        ("COGS", "cost"),
    ],
)
def test_single_english_alias_maps_to_its_canonical_name(column, canonical):
    assert map_columns([column]) == {canonical: column}


# --- Indonesian aliases --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("column", "canonical"),
    [
        ("tanggal", "date"),
        ("produk", "product"),
        ("nama_barang", "product"),
        ("kategori", "category"),
        ("wilayah", "region"),
        ("kota", "region"),
        ("jumlah", "quantity"),
        ("qty", "quantity"),
        ("harga", "price"),
        ("pendapatan", "revenue"),
        ("penjualan", "revenue"),
        ("pelanggan", "customer_id"),
        ("no_faktur", "order_id"),
        ("diskon", "discount"),
    ],
)
def test_single_indonesian_alias_maps_to_its_canonical_name(column, canonical):
    assert map_columns([column]) == {canonical: column}


def test_indonesian_header_maps_every_column():
    columns = ["tanggal", "nama_barang", "kategori", "kota", "jumlah", "harga", "penjualan",
               "pelanggan"]
    assert map_columns(columns) == {
        "date": "tanggal",
        "product": "nama_barang",
        "category": "kategori",
        "region": "kota",
        "quantity": "jumlah",
        "price": "harga",
        "revenue": "penjualan",
        "customer_id": "pelanggan",
    }


def test_earlier_alias_wins_when_several_columns_match():
    # produk is listed before nama_barang, wilayah before kota, qty before jumlah,
    # pendapatan before penjualan.
    columns = ["kota", "nama_barang", "wilayah", "produk", "jumlah", "qty", "penjualan",
               "pendapatan", "tanggal"]
    mapping = map_columns(columns)
    assert mapping["product"] == "produk"
    assert mapping["region"] == "wilayah"
    assert mapping["quantity"] == "qty"
    assert mapping["revenue"] == "pendapatan"
    assert mapping["date"] == "tanggal"


def test_priority_does_not_depend_on_column_order():
    columns = ["StockCode", "Description", "Country", "City"]
    forward = map_columns(columns)
    backward = map_columns(list(reversed(columns)))
    assert forward == backward == {"product": "Description", "region": "Country"}


@pytest.mark.parametrize(
    "variant",
    ["Order Date", "order_date", "ORDER-DATE", "  order.date ", "OrderDate", "order date"],
)
def test_case_space_and_punctuation_variants_match(variant):
    assert map_columns([variant, "Amount"]) == {"date": variant, "revenue": "Amount"}


def test_unknown_columns_are_left_unmapped():
    mapping = map_columns(["Order Date", "Sales", "notes", "store_code", "Profit"])
    assert mapping == {"date": "Order Date", "revenue": "Sales"}
    assert "notes" not in mapping.values()


def test_empty_header_maps_nothing():
    assert map_columns([]) == {}


# --- explicit mappings ---------------------------------------------------------------------


def test_explicit_mapping_wins_over_aliases():
    columns = ["Order Date", "Ship Date", "Sales", "Product Name"]
    mapping = map_columns(columns, {"date": "Ship Date"})
    assert mapping["date"] == "Ship Date"
    assert mapping["revenue"] == "Sales"


def test_explicit_mapping_to_a_non_alias_column():
    mapping = map_columns(["when", "what", "amount_idr"],
                          {"date": "when", "product": "what", "revenue": "amount_idr"})
    assert mapping == {"date": "when", "product": "what", "revenue": "amount_idr"}


def test_explicit_none_or_empty_values_are_ignored():
    mapping = map_columns(["tanggal", "produk"], {"date": None, "product": ""})
    assert mapping == {"date": "tanggal", "product": "produk"}


def test_a_source_column_is_used_once():
    # "Sales" is an alias of revenue; mapped explicitly to quantity it must not also be revenue.
    mapping = map_columns(["Date", "Sales", "Total"], {"quantity": "Sales"})
    assert mapping["quantity"] == "Sales"
    assert mapping["revenue"] == "Total"
    assert len(set(mapping.values())) == len(mapping)


def test_a_source_column_taken_explicitly_leaves_the_canonical_unmapped():
    mapping = map_columns(["Date", "Sales"], {"quantity": "Sales"})
    assert mapping == {"quantity": "Sales", "date": "Date"}
    assert "revenue" not in mapping


def test_no_source_column_is_used_twice_on_large_headers():
    columns = ["Date", "Order Date", "Sales", "Revenue", "Amount", "Quantity", "Qty", "Country",
               "City", "State", "Region", "Product", "Item", "SKU"]
    mapping = map_columns(columns)
    assert len(set(mapping.values())) == len(mapping)
    assert mapping["date"] == "Date"
    assert mapping["revenue"] == "Revenue"
    assert mapping["region"] == "Region"
    assert mapping["product"] == "Product"


def test_unknown_canonical_name_raises_config_error_naming_the_key():
    with pytest.raises(ConfigError) as info:
        map_columns(["Date", "Sales"], {"turnover": "Sales"})
    message = str(info.value)
    assert "data.columns.turnover" in message
    assert "revenue" in message  # lists the canonical names


def test_missing_column_raises_config_error_naming_key_column_and_source():
    with pytest.raises(ConfigError) as info:
        map_columns(["Date", "Sales"], {"revenue": "Omzet"}, source="sales.csv")
    message = str(info.value)
    assert "data.columns.revenue" in message
    assert "'Omzet'" in message
    assert "sales.csv" in message
    assert "Date" in message and "Sales" in message  # lists the available columns


def test_explicit_column_match_is_exact_not_normalised():
    with pytest.raises(ConfigError, match=r"data\.columns\.date"):
        map_columns(["Order Date"], {"date": "order date"})


def test_accepts_a_pandas_index():
    index = pd.Index(["Tanggal", "Produk", "Harga", "Jumlah"])
    assert map_columns(index) == {"date": "Tanggal", "product": "Produk", "price": "Harga",
                                  "quantity": "Jumlah"}


# --- real headers --------------------------------------------------------------------------


def test_online_retail_header(shared_dataset):
    path = shared_dataset("online_retail/online_retail_random20k.csv")
    header = pd.read_csv(path, nrows=5).columns
    assert list(header) == ["InvoiceNo", "StockCode", "Description", "Quantity", "InvoiceDate",
                            "UnitPrice", "CustomerID", "Country"]
    mapping = map_columns(header)
    assert mapping == {
        "date": "InvoiceDate",
        "product": "Description",
        "region": "Country",
        "quantity": "Quantity",
        "price": "UnitPrice",
        "customer_id": "CustomerID",
        "order_id": "InvoiceNo",
    }
    assert "StockCode" not in mapping.values()


def test_online_retail_header_with_stock_code_as_product(shared_dataset):
    path = shared_dataset("online_retail/online_retail_random20k.csv")
    header = pd.read_csv(path, nrows=5).columns
    mapping = map_columns(header, {"product": "StockCode"})
    assert mapping["product"] == "StockCode"
    assert "Description" not in mapping.values()  # no other canonical takes Description


def test_superstore_header(shared_dataset):
    path = shared_dataset("superstore/sample_superstore.csv")
    header = pd.read_csv(path, nrows=5, encoding="utf-8-sig").columns
    assert "Order Date" in header and "Sales" in header
    mapping = map_columns(header)
    assert mapping == {
        "date": "Order Date",
        "product": "Product Name",
        "category": "Category",
        "region": "Region",
        "quantity": "Quantity",
        "revenue": "Sales",
        "customer_id": "Customer ID",
        "order_id": "Order ID",
        "discount": "Discount",
    }
    for unmapped in ("Ship Date", "Profit", "Sub-Category", "City", "Row ID"):
        assert unmapped not in mapping.values()


def test_superstore_header_with_explicit_city_region(shared_dataset):
    path = shared_dataset("superstore/sample_superstore.csv")
    header = pd.read_csv(path, nrows=5, encoding="utf-8-sig").columns
    mapping = map_columns(header, {"region": "City", "category": "Sub-Category"})
    assert mapping["region"] == "City"
    assert mapping["category"] == "Sub-Category"
    assert mapping["date"] == "Order Date"
