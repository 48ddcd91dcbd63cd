"""The synthetic sales generator: shape, determinism, anomalies, seasonality, bundled files."""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from salesforge.data.sample import (
    ANOMALY_TYPES,
    DEFAULT_ROWS,
    END,
    PRODUCTS,
    RAMADAN_PERIODS,
    REGIONS,
    START,
    generate_sample,
    labels_path_for,
    sample_labels_path,
    sample_path,
    write_sample,
)

SALES_COLUMNS = [
    "order_id", "date", "product", "category", "region", "quantity", "price", "revenue",
]
READ_DTYPES = {"quantity": "int64", "price": "float64", "revenue": "float64"}


@pytest.fixture(scope="module")
def default_sample() -> tuple[pd.DataFrame, pd.DataFrame]:
    return generate_sample()


@pytest.fixture(scope="module")
def daily_revenue(default_sample: tuple[pd.DataFrame, pd.DataFrame]) -> pd.Series:
    sales, _ = default_sample
    return sales.groupby("date")["revenue"].sum()


def read_sales(path: Path) -> pd.DataFrame:
    """The file read back, dates at the generator's resolution (pandas 2 parses to ns,
    pandas 3 to us; the generator's dates are us on both)."""
    sales = pd.read_csv(path, parse_dates=["date"], dtype=READ_DTYPES)
    return sales.astype({"date": "datetime64[us]"})


@pytest.mark.parametrize("rows", [0, 1, 1000, DEFAULT_ROWS])
def test_exact_row_count_columns_and_dtypes(rows: int) -> None:
    sales, labels = generate_sample(rows, seed=3)
    assert len(sales) == rows
    assert list(sales.columns) == SALES_COLUMNS
    assert list(labels.columns) == ["order_id", "anomaly_type"]
    assert str(sales["date"].dtype).startswith("datetime64")
    assert sales["quantity"].dtype == np.int64
    assert sales["price"].dtype == np.float64
    assert sales["revenue"].dtype == np.float64
    assert len(labels) == round(0.02 * rows)


def test_default_sample_content(default_sample: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    sales, _ = default_sample
    assert sales["order_id"].is_unique
    assert sales["order_id"].iloc[0] == "SO-0000001"
    assert sales["order_id"].str.fullmatch(r"SO-\d{7}").all()
    every_day = pd.date_range(START, END, freq="D")
    assert sales["date"].min() == every_day[0] and sales["date"].max() == every_day[-1]
    assert set(sales["date"].unique()) == set(every_day)
    assert set(sales["product"]) == {product.name for product in PRODUCTS}
    assert len(PRODUCTS) == 15
    assert set(sales["category"]) == {"Electronics", "Accessories", "Components", "Storage"}
    assert set(sales["region"]) == set(REGIONS) and len(REGIONS) == 7
    assert sales["region"].value_counts().idxmax() == "Jakarta"
    category_of = {product.name: product.category for product in PRODUCTS}
    assert (sales["product"].map(category_of) == sales["category"]).all()
    assert (sales["quantity"] >= 1).all() and (sales["price"] > 0).all()
    assert (sales["revenue"] == sales["quantity"] * sales["price"]).all()
    assert sales.sort_values(["date", "order_id"]).index.equals(sales.index)


def test_cheap_products_sell_in_larger_quantities(
    default_sample: tuple[pd.DataFrame, pd.DataFrame],
) -> None:
    sales, _ = default_sample
    median_quantity = sales.groupby("product")["quantity"].median()
    assert median_quantity["USB-C Cable"] > median_quantity["Laptop"]
    median_price = sales.groupby("product")["price"].median()
    assert 10_000_000 < median_price["Laptop"] < 15_000_000
    assert 100_000 < median_price["Mouse"] < 200_000


def test_same_seed_same_data_other_seed_other_data() -> None:
    first_sales, first_labels = generate_sample(2000, seed=7)
    again_sales, again_labels = generate_sample(2000, seed=7)
    other_sales, other_labels = generate_sample(2000, seed=8)
    pd.testing.assert_frame_equal(first_sales, again_sales)
    pd.testing.assert_frame_equal(first_labels, again_labels)
    assert not first_sales.equals(other_sales)
    assert not first_labels["order_id"].equals(other_labels["order_id"])


def test_labels_mark_real_anomalies(default_sample: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    sales, labels = default_sample
    assert len(labels) == round(0.02 * len(sales))
    assert "anomaly_type" not in sales.columns
    assert labels["order_id"].is_unique and labels["order_id"].is_monotonic_increasing
    assert set(labels["anomaly_type"]) == set(ANOMALY_TYPES)
    assert labels["order_id"].isin(sales["order_id"]).all()

    normal = sales[~sales["order_id"].isin(labels["order_id"])]
    medians = normal.groupby("product")[["price", "quantity"]].median()
    labelled = labels.merge(sales, on="order_id").merge(
        medians, left_on="product", right_index=True, suffixes=("", "_median")
    )
    assert len(labelled) == len(labels)
    kind = labelled["anomaly_type"]
    price_ratio = labelled["price"] / labelled["price_median"]
    assert (price_ratio[kind == "price_spike"] > 5).all()
    assert (price_ratio[kind == "price_drop"] < 0.2).all()
    bulk = labelled[kind == "quantity_spike"]
    assert (bulk["quantity"] >= 20).all()
    assert (bulk["quantity"] > 3 * bulk["quantity_median"]).all()
    assert (labelled["revenue"] == labelled["quantity"] * labelled["price"]).all()
    # Unlabelled rows stay within the ±5% noise and the slow price drift.
    normal_ratio = normal["price"] / normal["product"].map(medians["price"])
    assert normal_ratio.between(0.85, 1.15).all()


def _mean_of_normal_days_2023(daily: pd.Series) -> float:
    days = daily.index
    ramadan = RAMADAN_PERIODS[1]
    festive = (days >= pd.Timestamp(ramadan.start)) & (
        days < pd.Timestamp(ramadan.lebaran) + pd.Timedelta(days=5)
    )
    normal = (days.year == 2023) & ~festive & (days.month < 11)
    return float(daily[normal].mean())


def test_ramadan_and_december_surges(daily_revenue: pd.Series) -> None:
    days = daily_revenue.index
    baseline = _mean_of_normal_days_2023(daily_revenue)
    lebaran = pd.Timestamp(RAMADAN_PERIODS[1].lebaran)
    assert lebaran == pd.Timestamp("2023-04-22")
    last_two_weeks = (days >= lebaran - pd.Timedelta(days=14)) & (days < lebaran)
    assert last_two_weeks.sum() == 14
    assert daily_revenue[last_two_weeks].mean() > 1.3 * baseline
    december = (days.year == 2023) & (days.month == 12)
    assert daily_revenue[december].mean() > 1.15 * baseline


def test_shopping_days_and_order_volume(default_sample: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    sales, _ = default_sample
    orders = sales.groupby("date").size()
    november_2023 = orders["2023-11-01":"2023-11-30"]
    assert orders[pd.Timestamp("2023-11-11")] > 1.5 * november_2023.median()
    assert orders[pd.Timestamp("2022-12-12")] > 1.5 * orders["2022-12-01":"2022-12-31"].median()


def test_weekly_and_yearly_pattern(
    default_sample: tuple[pd.DataFrame, pd.DataFrame], daily_revenue: pd.Series
) -> None:
    weekend = daily_revenue.index.day_of_week >= 5
    assert daily_revenue[weekend].mean() > daily_revenue[~weekend].mean()
    orders = default_sample[0].groupby("date").size()
    weekend_orders = orders.index.day_of_week >= 5
    assert orders[weekend_orders].mean() > 1.15 * orders[~weekend_orders].mean()
    per_year = daily_revenue.groupby(daily_revenue.index.year).sum()
    assert per_year[2023] > 1.1 * per_year[2022]


def test_bundled_sample_is_the_default_generation(
    default_sample: tuple[pd.DataFrame, pd.DataFrame],
) -> None:
    sales, labels = default_sample
    assert sample_path().name == "sales_sample.csv.gz" and sample_path().is_file()
    assert sample_labels_path() == labels_path_for(sample_path())
    pd.testing.assert_frame_equal(read_sales(sample_path()), sales)
    pd.testing.assert_frame_equal(pd.read_csv(sample_labels_path()), labels)


def test_write_sample_round_trips(tmp_path: Path) -> None:
    target = tmp_path / "nested" / "sales.csv.gz"
    sales_file, labels_file = write_sample(target, rows=500, seed=5)
    assert sales_file == target and labels_file == tmp_path / "nested" / "sales_labels.csv"
    with gzip.open(sales_file, "rt") as text:
        assert text.readline().strip() == ",".join(SALES_COLUMNS)
        assert text.readline().split(",")[1] == "2022-01-01"
    sales, labels = generate_sample(500, seed=5)
    pd.testing.assert_frame_equal(read_sales(sales_file), sales)
    pd.testing.assert_frame_equal(pd.read_csv(labels_file), labels)
    again = write_sample(tmp_path / "again" / "sales.csv.gz", rows=500, seed=5)
    assert again[0].read_bytes() == sales_file.read_bytes()


@pytest.mark.parametrize("name", ["s.csv", "s.csv.bz2", "s.csv.zst"])
def test_write_sample_other_suffixes(tmp_path: Path, name: str) -> None:
    sales_file, labels_file = write_sample(tmp_path / name, rows=300, seed=1)
    assert labels_file == tmp_path / "s_labels.csv"
    with pa.input_stream(str(sales_file), compression="detect") as stream:
        written = pd.read_csv(stream, parse_dates=["date"], dtype=READ_DTYPES)
    pd.testing.assert_frame_equal(written.astype({"date": "datetime64[us]"}),
                                  generate_sample(300, seed=1)[0])
    if name == "s.csv":
        assert sales_file.read_bytes().startswith(b"order_id,date,")


def test_negative_rows_and_unwritable_compression_rejected(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="rows"):
        generate_sample(-1)
    with pytest.raises(ValueError, match=r"\.xz"):
        write_sample(tmp_path / "sales.csv.xz", rows=10)
    assert not (tmp_path / "sales.csv.xz").exists()
