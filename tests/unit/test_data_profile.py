"""The clean-data profile (salesforge.data.profile): compact, no raw rows, exact summaries."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from salesforge.data.profile import (
    MAX_CATEGORIES,
    MAX_PRODUCTS,
    profile_clean,
    profile_columns,
    read_profile,
    write_profile,
)


def sales(rows: int = 20_000, products: int = 2_500, seed: int = 0) -> pd.DataFrame:
    """Clean-looking sales rows with ids, a free-text column and a 120-value column."""
    rng = np.random.default_rng(seed)
    product = rng.integers(0, products, rows)
    base = np.exp(rng.normal(11, 1, products))
    price = base[product] * rng.uniform(0.97, 1.03, rows)
    quantity = rng.integers(1, 6, rows).astype(float)
    return pd.DataFrame({
        "date": pd.date_range("2024-01-01", periods=rows, freq="h"),
        "product": pd.Series([f"SKU-{p:05d}" for p in product], dtype="string"),
        "category": pd.Series(rng.choice(["Food", "Drink", "Home"], rows), dtype="string"),
        "region": pd.Series(rng.choice(["North", "South"], rows, p=[0.7, 0.3]),
                            dtype="string"),
        "quantity": quantity, "price": price, "revenue": quantity * price,
        "customer_id": pd.Series([f"CUST-{i:07d}" for i in rng.integers(0, 10**6, rows)],
                                 dtype="string"),
        "order_id": pd.Series([f"ORD-{i:08d}" for i in range(rows)], dtype="string"),
        "is_return": np.zeros(rows, bool),
        "source_row": np.arange(1, rows + 1),
        "note": [f"call back {i}" for i in range(rows)],
        "store": [f"store {i % 120}" for i in range(rows)],
    })


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    return sales()


@pytest.fixture(scope="module")
def profile(frame) -> dict:
    return profile_clean(frame)


def test_a_profile_holds_no_raw_rows(frame, profile):
    text = json.dumps(profile)  # plain JSON
    assert "ORD-" not in text and "CUST-" not in text and "call back" not in text
    assert set(profile["numeric"]) == {"quantity", "price", "revenue"}  # no source_row
    assert set(profile["categorical"]) == {"category", "region", "is_return", "store"}
    prices = profile["prices"]["median_price"]
    assert len(prices) == MAX_PRODUCTS and profile["prices"]["products"] == 2_500
    assert text.count("SKU-") == len(prices)  # product names only in the price table
    assert len(text) < 250_000  # compact: no column holds one number per row
    top = frame.groupby("product")["revenue"].sum().nlargest(MAX_PRODUCTS).index
    assert set(prices) == set(top)


def test_numeric_summaries_are_exact(frame, profile):
    price = profile["numeric"]["price"]
    values = np.sort(frame["price"].to_numpy())
    assert price["count"] == len(frame) and price["missing"] == 0
    assert price["min"] == values[0] and price["max"] == values[-1]
    assert price["mean"] == pytest.approx(values.mean())
    assert price["std"] == pytest.approx(values.std(ddof=1))
    assert price["quantiles"]["0.5"] == pytest.approx(np.quantile(values, 0.5), rel=1e-3)
    ecdf = price["ecdf"]
    assert len(ecdf["x"]) == 101 and ecdf["F"][-1] == 1.0 and ecdf["F_left"][0] == 0.0
    assert ecdf["F"][50] == pytest.approx(np.mean(values <= ecdf["x"][50]))
    bins = price["bins"]
    assert sum(bins["counts"]) == len(frame) and len(bins["cuts"]) == 9
    assert bins["counts"][0] == np.sum(values <= bins["cuts"][0])


def test_atoms_missing_values_and_category_caps(frame, profile):
    quantity = profile["numeric"]["quantity"]
    assert quantity["ecdf"]["x"] == [1.0, 2.0, 3.0, 4.0, 5.0]  # one point per atom
    assert quantity["ecdf"]["F"][0] == pytest.approx(np.mean(frame["quantity"] == 1))
    store = profile["categorical"]["store"]
    assert len(store["shares"]) == MAX_CATEGORIES and store["distinct"] == 120
    assert store["other"] == pytest.approx(1 - sum(store["shares"].values()))
    region = profile["categorical"]["region"]
    assert list(region["shares"]) == ["North", "South"]
    assert sum(region["shares"].values()) == pytest.approx(1.0)
    gaps = frame.assign(price=frame["price"].where(frame.index % 4 > 0))
    price = profile_clean(gaps)["numeric"]["price"]
    assert price["missing"] == len(frame) // 4 and price["count"] == len(frame) - price["missing"]


def test_dates_rows_and_round_trip(tmp_path, frame, profile):
    assert profile["rows"] == len(frame) and profile["grain"] == "rows"
    assert profile["dates"] == {"min": frame["date"].min().isoformat(),
                                "max": frame["date"].max().isoformat()}
    path = write_profile(tmp_path / "profile.json", profile)
    assert read_profile(path) == profile
    assert profile_columns(read_profile(path)) == profile_columns(profile)
    assert read_profile(tmp_path / "missing.json") is None
    (tmp_path / "bad.json").write_text("{not json")
    assert read_profile(tmp_path / "bad.json") is None


def test_an_empty_numeric_column_is_counted_not_summarised():
    frame = sales(200, 20).assign(discount=np.nan)
    assert profile_clean(frame)["numeric"]["discount"] == {"count": 0, "missing": 200}
