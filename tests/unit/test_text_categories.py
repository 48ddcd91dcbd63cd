"""Dimension text tidied straight into categoricals (:func:`salesforge.data.text.tidy_categories`)
and the cleaner's columns set without copies: the same clean frame as stripping the text
first and encoding it after, with less memory moved per row."""

from __future__ import annotations

import numpy as np
import pandas as pd

from salesforge.data.cleaning import StandardCleaner
from salesforge.data.encoding import as_category, without_unused
from salesforge.data.frame_columns import set_columns
from salesforge.data.text import tidy_categories, with_category

TEXT = pd.StringDtype("pyarrow")


def test_tidied_categories_are_the_stripped_distinct_values_in_code_point_order():
    values = pd.Series([" b", "a", None, "b ", "B", "", "  ", "é", "a"], dtype=TEXT,
                       index=range(10, 19), name="product")
    text, codes, blank = tidy_categories(values)
    assert list(text.cat.categories) == ["", "B", "a", "b", "é"]
    assert list(text.index) == list(range(10, 19)) and text.name == "product"
    stripped = values.str.strip()
    assert text.astype(TEXT).equals(stripped)  # " b" and "b " are one value, "b"
    expected = as_category(stripped)  # what encoding the stripped text gives
    assert text.cat.codes.tolist() == expected.cat.codes.tolist()
    assert codes.dtype == np.int32 and codes.tolist() == text.cat.codes.tolist()
    assert blank.tolist() == [False, False, True, False, False, True, True, False, False]


def test_tidied_categories_of_nothing_and_of_only_missing_values():
    for values in (pd.Series([], dtype=TEXT), pd.Series([None, None], dtype=TEXT)):
        text, codes, blank = tidy_categories(values)
        assert len(text.cat.categories) == 0
        assert (codes == -1).all() and blank.all() and len(text) == len(values)


def test_a_fill_value_joins_the_categories_in_order_and_unused_ones_leave():
    values = tidy_categories(pd.Series(["x", "b", None, "x"], dtype=TEXT))[0]
    filled = with_category(values, "Unknown")
    assert list(filled.cat.categories) == ["Unknown", "b", "x"]
    assert filled.astype(object).tolist()[:2] == ["x", "b"]
    assert with_category(filled, "b") is filled
    kept = without_unused(filled.iloc[[0, 3]])
    assert list(kept.cat.categories) == ["x"] and kept.tolist() == ["x", "x"]
    assert without_unused(values) is values  # nothing to take out: the same series


def test_columns_are_set_without_copying_their_values():
    frame = pd.DataFrame({"a": np.arange(4.0), "b": list("wxyz")})
    numbers, dates = pd.Series(np.ones(4)), np.arange(4)
    out = set_columns(frame, {"a": numbers, "c": dates})
    assert list(out.columns) == ["a", "b", "c"]
    assert np.shares_memory(out["a"].to_numpy(), numbers.to_numpy())
    assert np.shares_memory(out["c"].to_numpy(), dates)
    assert np.shares_memory(out["b"].to_numpy(), frame["b"].to_numpy())
    assert frame["a"].tolist() == [0.0, 1.0, 2.0, 3.0]  # the input frame is left alone
    twice = pd.DataFrame([[1, 2], [3, 4]], columns=["a", "a"])
    assert set_columns(twice, {"b": [5, 6]}).columns.tolist() == ["a", "a", "b"]


def test_the_cleaner_drops_categories_whose_rows_were_rejected_or_repeated():
    raw = pd.DataFrame({
        "date": ["2024-01-01", "2024-01-02", "not a date", "2024-01-03", "2024-01-03"],
        "product": [" Kopi", "Teh", "Susu", "Gula ", "Gula"],
        "category": ["Minuman", None, "Susu", "Dapur", "Dapur"],
        "quantity": [1, 2, 3, 4, 4], "price": [10.0, 20.0, 30.0, 40.0, 40.0]})
    result = StandardCleaner().clean(raw, {}, source="test")
    clean = result.clean
    assert list(clean["product"].cat.categories) == ["Gula", "Kopi", "Teh"]  # Susu rejected
    assert list(clean["category"].cat.categories) == ["Dapur", "Minuman", "Unknown"]
    assert clean["category"].tolist() == ["Minuman", "Unknown", "Dapur"]
    assert result.duplicates == 1 and len(result.rejected) == 1
