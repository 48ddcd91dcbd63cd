"""Distinct counts on codes (:mod:`salesforge.analytics.distinct`): text fingerprints, the
all-distinct check and its exact fallback, per-group distinct counts."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from salesforge.analytics.distinct import (
    all_distinct,
    codes_of,
    distinct_per_group,
    fingerprint,
    text_array,
)
from salesforge.analytics.measures import headline_kpis, summarise

TEXT = pd.StringDtype("pyarrow")


def texts(values: list[str | None]) -> pd.Series:
    return pd.Series(values, dtype=TEXT)


def test_equal_texts_have_equal_fingerprints_across_chunks_and_offsets():
    words = ["", "a", "ab", "abcdefg", "abcdefgh", "abcdefghi", "SO-0000001", "ümlaut-ß",
             "x" * 40, "x" * 41]
    whole = fingerprint(pa.chunked_array([pa.array(words)]))
    sliced = pa.chunked_array([pa.array(["pad", *words[:4]]).slice(1),
                               pa.array([*words[4:], "pad"]).slice(0, len(words) - 4)])
    assert (fingerprint(sliced) == whole).all()
    assert len(set(whole.tolist())) == len(words)  # different texts, different fingerprints
    large = fingerprint(pa.chunked_array([pa.array(words, pa.large_string())]))
    assert (large == whole).all()


def test_ids_of_up_to_sixteen_bytes_never_collide():
    ids = [f"INV-{i:07d}" for i in range(20_000)] + [f"C{i}" for i in range(20_000)]
    assert len(np.unique(fingerprint(text_array(texts(ids))))) == len(ids)


@pytest.mark.parametrize("order", ["increasing", "shuffled", "decreasing"])
def test_distinct_ids_are_found_in_any_order(order):
    ids = [f"SO-{i:07d}" for i in range(5_000)]
    if order == "shuffled":
        ids = list(np.random.default_rng(0).permutation(ids))
    elif order == "decreasing":
        ids = ids[::-1]
    values = texts(ids)
    assert all_distinct(values, np.ones(len(ids), dtype=bool))
    repeated = texts([*ids, ids[17]])
    assert not all_distinct(repeated, np.ones(len(ids) + 1, dtype=bool))
    assert all_distinct(repeated, np.arange(len(ids) + 1) < len(ids))  # the repeat masked


def test_categorical_and_numeric_ids():
    values = pd.Series(["b", "a", "b"], dtype="category")
    assert not all_distinct(values, np.ones(3, dtype=bool))
    assert all_distinct(values, np.array([True, True, False]))
    assert all_distinct(pd.Series([3, 1, 2]), np.ones(3, dtype=bool))
    assert not all_distinct(pd.Series([3.0, 1.0, 3.0]), np.ones(3, dtype=bool))


def test_look_alike_ids_fall_back_to_exact_counts():
    # same length, same first and last 8 bytes: one fingerprint, yet different ids (not
    # in increasing order, which alone would prove them distinct)
    alike = ["AAAAAAAA-y-BBBBBBBB", "AAAAAAAA-x-BBBBBBBB", "AAAAAAAA-z-BBBBBBBB"]
    values = texts(alike)
    assert len(set(fingerprint(text_array(values)).tolist())) == 1
    assert not all_distinct(values, np.ones(3, dtype=bool))  # "may repeat": exact path
    assert all_distinct(texts(sorted(alike)), np.ones(3, dtype=bool))
    frame = pd.DataFrame({"date": pd.to_datetime(["2024-01-01", "2024-01-02", "2024-01-02"]),
                          "product": ["P", "Q", "P"], "category": "C", "region": "R",
                          "quantity": 1.0, "price": 2.0, "revenue": 2.0, "order_id": values})
    assert headline_kpis(frame)["orders"] == 3
    table = summarise(frame, "product")
    assert table["orders"].tolist() == [2, 1]


def test_codes_and_distinct_per_group():
    codes, count = codes_of(texts(["b", None, "a", "b"]))
    assert count == 2 and codes[1] == -1 and codes[0] == codes[3] != codes[2]
    cat_codes, cat_count = codes_of(pd.Series(["b", "a"], dtype="category"))
    assert cat_count == 2 and cat_codes.tolist() == [1, 0]
    groups = np.array([0, 0, 0, 1, 1, 2])
    items = np.array([5, 5, 6, 5, 5, 7])
    assert distinct_per_group(groups, 4, items, 8).tolist() == [2, 1, 1, 0]
    assert distinct_per_group(groups[:0], 2, items[:0], 8).tolist() == [0, 0]
