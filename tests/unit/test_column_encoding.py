"""Grouping columns encoded once by the cleaner (:mod:`salesforge.data.encoding`): sorted
categories that all occur, missing values kept, identifiers left as text, and the
dictionary encoding kept in ``clean.parquet``."""

from __future__ import annotations

import pandas as pd

from salesforge.data import encoding
from salesforge.data.cleaning import StandardCleaner
from salesforge.data.encoding import as_category, encode_columns, is_dimension_like

TEXT = pd.StringDtype("pyarrow")


def test_categories_are_the_sorted_distinct_values_and_missing_stays_missing():
    values = pd.Series(["b", "a", None, "B", "é", "a"], dtype=TEXT, index=[5, 4, 3, 2, 1, 0],
                       name="product")
    encoded = as_category(values)
    assert list(encoded.cat.categories) == ["B", "a", "b", "é"]  # code point order
    assert list(encoded.index) == [5, 4, 3, 2, 1, 0] and encoded.name == "product"
    assert encoded.isna().tolist() == [False, False, True, False, False, False]
    assert encoded.astype(TEXT).equals(values)
    assert sorted(values.dropna()) == list(encoded.dropna().sort_values())


def test_identifiers_stay_text_and_repeated_ids_become_categories(monkeypatch):
    rows = 1_000
    ids = pd.Series([f"SO-{i}" for i in range(rows)], dtype=TEXT)
    assert is_dimension_like(ids) is None  # one value per row
    invoices = pd.Series([f"INV-{i // 5}" for i in range(rows)], dtype=TEXT)  # 5 lines each
    assert is_dimension_like(invoices) is not None
    monkeypatch.setattr(encoding, "PROBE_ROWS", 100)  # the probe alone decides for ids
    assert is_dimension_like(ids) is None
    frame = pd.DataFrame({"product": ["x"] * rows, "order_id": ids, "customer_id": invoices,
                          "note": ids, "store": pd.Series(["S1", "S2"] * 500, dtype=TEXT),
                          "number": range(rows)})
    frame["product"] = frame["product"].astype(TEXT)
    out = encode_columns(frame, ("product",), ("customer_id", "order_id", "note", "store",
                                               "number"))
    assert sorted(out) == ["customer_id", "product", "store"]


def test_cleaner_encodes_dimensions_with_every_category_present(tmp_path):
    raw = pd.DataFrame({
        "date": ["2024-01-01", "2024-01-02", "not a date", "2024-01-03", "2024-01-03"],
        "product": ["Teh", "Kopi", "Roti", "Kopi", "Kopi"],
        "region": ["Jakarta", "Bandung", "Medan", "Jakarta", "Jakarta"],
        "quantity": [1, 2, 3, 4, 4], "price": [1.0, 2.0, 3.0, 4.0, 4.0],
        "order_id": ["O1", "O2", "O3", "O4", "O4"], "store": ["A", "A", "B", "A", "A"],
    })
    result = StandardCleaner().clean(raw)
    clean = result.clean
    assert result.duplicates == 1 and len(result.rejected) == 1  # "Roti" row rejected
    for column in ("product", "category", "region"):
        assert isinstance(clean[column].dtype, pd.CategoricalDtype), column
    assert list(clean["product"].cat.categories) == ["Kopi", "Teh"]  # no "Roti"
    assert list(clean["region"].cat.categories) == ["Bandung", "Jakarta"]
    assert isinstance(clean["order_id"].dtype, pd.StringDtype)  # an id per row: text
    assert clean.groupby("product", observed=True)["revenue"].sum().to_dict() == \
        {"Kopi": 20.0, "Teh": 1.0}
    path = tmp_path / "clean.parquet"
    clean.to_parquet(path, index=False)
    again = pd.read_parquet(path)
    assert isinstance(again["product"].dtype, pd.CategoricalDtype)  # dictionary kept
    assert again["product"].astype(str).tolist() == clean["product"].astype(str).tolist()
