"""The segment features on integer entity codes (one ``bincount`` per measure, issue 20) give
the table of the plain reference below, written the way ``entity_features`` grouped text
keys before: on the bundled sample, with missing, literal "Unknown" and customer keys,
fractional amounts, a cost column and sparse (entity, period) cells."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from salesforge.forecast.series import sample_clean
from salesforge.segment.features import _periods, entity_features


def reference_features(clean: pd.DataFrame, entity: str, freq: str = "W") -> pd.DataFrame:
    keys = clean[entity].astype("string").fillna("Unknown")
    dates = clean["date"]
    middle = dates.min() + (dates.max() - dates.min()) / 2
    late = clean["revenue"].where(dates > middle, 0.0)
    frame = pd.DataFrame({"key": keys, "revenue": clean["revenue"], "units": clean["quantity"],
                          "late": late, "date": dates})
    table = frame.groupby("key", observed=True, sort=True).agg(
        revenue=("revenue", "sum"), transactions=("revenue", "size"), units=("units", "sum"),
        late=("late", "sum"), last=("date", "max"))
    table["avg_price"] = table["revenue"] / table["units"].where(table["units"] != 0, 1.0)
    total = table["revenue"].sum()
    table["revenue_share"] = table["revenue"] / total if total else 0.0
    early = table["revenue"] - table["late"]
    span = (table["late"] + early).where(lambda s: s != 0)
    table["growth"] = ((table["late"] - early) / span).fillna(0.0).clip(-1, 1)
    table["recency_days"] = (dates.max() - table["last"]).dt.total_seconds() / 86400.0
    periods = _periods(frame["date"], freq)
    units = frame.groupby(["key", periods], observed=True)["units"].sum()
    n_periods = max(1, int((periods.max() - periods.min()).n) + 1)
    mean = units.groupby(level=0).sum() / n_periods
    variance = ((units ** 2).groupby(level=0).sum() / n_periods - mean ** 2).clip(lower=0)
    cv = (np.sqrt(variance) / mean.where(mean > 0)).fillna(0.0)
    table["demand_cv"] = cv.reindex(table.index).fillna(0.0)
    if "cost" in clean.columns and clean["cost"].notna().any():
        cost = (clean["cost"] * clean["quantity"]).groupby(keys, observed=True).sum()
        revenue = table["revenue"].where(table["revenue"] != 0)
        table["margin"] = (1.0 - cost.reindex(table.index) / revenue).fillna(0.0)
    table = table.drop(columns=["late", "last"])
    table.index = table.index.astype("string").rename(entity)
    return table.astype("float64")


@pytest.fixture(scope="module")
def clean() -> pd.DataFrame:
    return sample_clean()


def _customers(clean: pd.DataFrame) -> pd.DataFrame:
    rng = np.random.default_rng(7)
    ids = pd.Series(rng.integers(0, 300, len(clean)).astype(str), dtype="string")
    ids[rng.random(len(clean)) < 0.1] = pd.NA
    ids[rng.random(len(clean)) < 0.02] = "Unknown"  # literal: the same key as missing
    return clean.assign(customer_id=ids.to_numpy())


@pytest.mark.parametrize("freq", ["W", "MS", "D"])
def test_product_features_equal_the_reference_on_the_sample(clean, freq):
    pd.testing.assert_frame_equal(entity_features(clean, "product", freq),
                                  reference_features(clean, "product", freq))


def test_customer_features_keep_missing_as_unknown_or_skip_them(clean):
    frame = _customers(clean)
    kept = entity_features(frame, "customer_id")
    pd.testing.assert_frame_equal(kept, reference_features(frame, "customer_id"))
    assert "Unknown" in kept.index
    present = frame[frame["customer_id"].notna()]
    skipped = entity_features(frame, "customer_id", skip_missing=True)
    pd.testing.assert_frame_equal(skipped, reference_features(present, "customer_id"))
    # only the literal "Unknown" rows are left under that key
    literal = (frame["customer_id"] == "Unknown").sum()
    assert skipped.loc["Unknown", "transactions"] == literal


def test_fractional_amounts_costs_and_sparse_cells_match_within_rounding(clean):
    rng = np.random.default_rng(3)
    frame = _customers(clean).assign(
        quantity=clean["quantity"] * rng.uniform(0.1, 2.5, len(clean)),
        cost=np.where(rng.random(len(clean)) < 0.2, np.nan, clean["price"] * 0.6))
    frame["revenue"] = frame["quantity"] * frame["price"]
    # order_id by day: more (entity, day) cells than the grid takes, so only the cells with rows
    for entity, freq in (("customer_id", "D"), ("product", "W"), ("region", "MS"),
                         ("order_id", "D")):
        pd.testing.assert_frame_equal(entity_features(frame, entity, freq),
                                      reference_features(frame, entity, freq),
                                      check_exact=False, rtol=1e-12)


@pytest.mark.parametrize(("chunk_rows", "dense_cells"), [(1000, 1 << 22), (777, 0)])
def test_rows_summed_in_chunks_and_sparse_cells_give_the_reference(clean, monkeypatch,
                                                                  chunk_rows, dense_cells):
    """The sums run over chunks of rows (chunk edges inside entities, periods and the
    left-out rows), densely or, above ``DENSE_CELLS``, over the cells that have rows."""
    import salesforge.segment.features as features

    monkeypatch.setattr(features, "CHUNK_ROWS", chunk_rows)
    monkeypatch.setattr(features, "DENSE_CELLS", dense_cells)
    rng = np.random.default_rng(5)
    frame = _customers(clean).assign(
        quantity=clean["quantity"] * rng.uniform(0.1, 2.5, len(clean)),
        cost=np.where(rng.random(len(clean)) < 0.2, np.nan, clean["price"] * 0.6))
    frame["revenue"] = frame["quantity"] * frame["price"]
    present = frame[frame["customer_id"].notna()]
    for entity, freq, skip in (("customer_id", "W", True), ("product", "D", False),
                               ("customer_id", "MS", False)):
        expected = reference_features(present if skip else frame, entity, freq)
        pd.testing.assert_frame_equal(
            entity_features(frame, entity, freq, skip_missing=skip), expected,
            check_exact=False, rtol=1e-12)


@pytest.mark.parametrize("freq", ["D", "W", "W-FRI", "MS", "M", "QS", "YS", "h"])
def test_period_ordinals_once_per_day_are_each_rows_own(freq):
    from salesforge.segment.features import _period_ordinals, _periods

    rng = np.random.default_rng(4)
    days = pd.Timestamp("2019-12-20") + pd.to_timedelta(rng.integers(0, 800, 5000), unit="D")
    dates = pd.Series(days)  # midnight: once per day; leap day and year ends inside
    expected = np.asarray(_periods(dates, freq).array.asi8)
    np.testing.assert_array_equal(_period_ordinals(dates, freq), expected)
    with_times = dates + pd.to_timedelta(rng.integers(0, 86_400, 5000), unit="s")
    np.testing.assert_array_equal(_period_ordinals(with_times, freq),
                                  np.asarray(_periods(with_times, freq).array.asi8))
    with_missing = dates.copy()
    with_missing.iloc[::7] = pd.NaT
    np.testing.assert_array_equal(_period_ordinals(with_missing, freq),
                                  np.asarray(_periods(with_missing, freq).array.asi8))
