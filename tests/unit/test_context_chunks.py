"""Detection's context features worked out in chunks of whole products (issue 20) equal the
whole-frame pass: every baseline is per product or finer, and the order and customer
shifts, which cross products, are made for the whole frame between the chunks' halves."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from salesforge.detect import context
from salesforge.detect.context import context_features, product_chunks
from salesforge.forecast.series import sample_clean


@pytest.fixture(scope="module")
def clean() -> pd.DataFrame:
    return sample_clean()


def with_buyers(clean: pd.DataFrame) -> pd.DataFrame:
    """Customers (some anonymous) and orders of several lines across products."""
    rng = np.random.default_rng(11)
    customers = pd.Series(rng.integers(0, 400, len(clean)).astype(str), dtype="string")
    customers[rng.random(len(clean)) < 0.15] = pd.NA
    orders = pd.Series((np.arange(len(clean)) // 4).astype(str), dtype="string")
    return clean.assign(customer_id=customers.to_numpy(), order_id=orders.to_numpy())


def whole_and_chunked(frame: pd.DataFrame, monkeypatch) -> tuple[tuple, tuple]:
    monkeypatch.setattr(context, "CHUNK_ROWS", 10**9)
    whole = context_features(frame)
    monkeypatch.setattr(context, "CHUNK_ROWS", 3000)
    chunked = context_features(frame)
    return whole, chunked


def with_repeats(frame: pd.DataFrame) -> pd.DataFrame:
    """Sixty lines submitted twice more (same time, buyer, product, quantity, price)."""
    copies = frame.iloc[np.arange(100, 6100, 100)]
    return pd.concat([frame, copies, copies], ignore_index=True).sort_values(
        "date", kind="stable", ignore_index=True)


@pytest.mark.parametrize("buyers", [False, True], ids=["products only", "customers, orders"])
def test_chunks_of_products_give_the_whole_frame_values(clean, monkeypatch, buyers):
    frame = with_repeats(with_buyers(clean) if buyers else clean)
    (inputs, ratio), (chunk_inputs, chunk_ratio) = whole_and_chunked(frame, monkeypatch)
    assert len(product_chunks(context.Keys.of(frame).product, 3000)) > 5
    pd.testing.assert_frame_equal(chunk_inputs, inputs)
    pd.testing.assert_frame_equal(chunk_ratio, ratio)
    assert inputs.abs().sum().gt(0).all()  # every feature is at work on this data


def test_product_chunks_hold_whole_products_in_row_order():
    product = np.random.default_rng(2).integers(0, 40, 10_000)
    chunks = product_chunks(product, most=1_000)
    rows = np.concatenate(chunks)
    assert np.array_equal(np.sort(rows), np.arange(len(product)))
    owners = [set(product[part]) for part in chunks]
    assert all(a.isdisjoint(b) for i, a in enumerate(owners) for b in owners[i + 1:])
    assert all(np.all(np.diff(part) > 0) for part in chunks)
    assert [len(c) for c in product_chunks(product, most=10**6)] == [len(product)]
