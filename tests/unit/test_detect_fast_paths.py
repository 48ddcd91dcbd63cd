"""The fast paths of detection give what the plain ways give: group medians keyed by a
categorical of the codes, integer factorising by range, the closest candidate picked in
place, the centred rolling median by SciPy's rank filter, and money amounts formatted in
one vectorised pass."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from salesforge.analytics.formatting import MoneyFormat
from salesforge.detect import baselines as bl
from salesforge.detect.context import _closest


@pytest.fixture(scope="module")
def rng() -> np.random.Generator:
    return np.random.default_rng(11)


def test_group_median_equals_pandas(rng):
    codes = rng.integers(0, 300, 50_000)
    values = rng.lognormal(size=50_000)
    values[rng.random(50_000) < 0.1] = np.nan
    values[codes == 7] = np.nan  # a group without any value: NaN
    expected = pd.Series(values).groupby(codes).transform("median").to_numpy()
    np.testing.assert_array_equal(bl.group_median(values, codes), expected)


@pytest.mark.parametrize("spread", [100, 10**12])  # a dense range, then a sparse one
def test_dense_factorize_groups_like_pandas(rng, spread):
    values = rng.integers(-spread, spread, 20_000)
    codes, uniques = bl.dense_factorize(values)
    np.testing.assert_array_equal(uniques[codes], values)
    assert len(np.unique(codes)) == len(np.unique(values)) == len(uniques)


def _pandas_rolling_median(values, codes, times, window):
    out = np.full(len(values), np.nan)
    ok = np.flatnonzero(np.isfinite(values))
    order = ok[np.lexsort((times[ok], codes[ok]))]
    rolled = (pd.Series(values[order]).groupby(codes[order], sort=False)
              .rolling(window, center=True, min_periods=1).median())
    out[order[rolled.index.get_level_values(-1).to_numpy()]] = rolled.to_numpy()
    return out


@pytest.mark.parametrize("window", [25, 24, 5, 2, 1])
@pytest.mark.parametrize("in_time_order", [True, False])
def test_rolling_median_equals_pandas_bit_for_bit(rng, window, in_time_order, monkeypatch):
    monkeypatch.setattr(bl, "EDGE_ROWS", 1_000)  # shortened windows in several batches
    rows = 30_000
    values = np.round(rng.lognormal(size=rows), 2)  # ties between values too
    values[rng.random(rows) < 0.05] = np.nan
    # groups of every size: many shorter than the window, a few long ones
    codes = np.where(rng.random(rows) < 0.5, rng.integers(0, 5, rows),
                     rng.integers(5, 4_000, rows))
    times = rng.integers(0, 2_000, rows)  # repeated times: ties keep row order
    if in_time_order:
        times = np.sort(times)
    expected = _pandas_rolling_median(values, codes, times, window)
    np.testing.assert_array_equal(bl.rolling_median(values, codes, times, window), expected)


def test_rolling_median_without_any_value_is_all_missing():
    values = np.full(10, np.nan)
    out = bl.rolling_median(values, np.zeros(10, dtype=int), np.arange(10))
    assert np.isnan(out).all()


def test_closest_picks_the_smallest_absolute_first_of_equals(rng):
    candidates = [rng.normal(size=10_000) for _ in range(4)]
    for c in candidates:
        c[rng.random(10_000) < 0.3] = np.nan
    candidates[1][:50] = -candidates[0][:50]  # equal size: the first one wins
    stacked = np.stack(candidates)
    size = np.where(np.isnan(stacked), np.inf, np.abs(stacked))
    expected = stacked[size.argmin(axis=0), np.arange(stacked.shape[1])]
    np.testing.assert_array_equal(_closest(candidates), expected)


@pytest.mark.parametrize("currency", ["IDR", "USD", "EUR", "XYZ"])
@pytest.mark.parametrize("signed", [False, True])
def test_money_many_equals_one_by_one(rng, currency, signed):
    values = np.r_[rng.normal(0, 1e7, 5_000), rng.normal(0, 2, 5_000),
                   [0.0, -0.0, 0.5, -0.5, 1.5, -2.5, 0.004, -0.3, 1e15]]
    money = MoneyFormat(currency, "id", signed)
    assert money.many(values) == [money(v) for v in values]
    with_nan = np.r_[values[:10], np.nan]
    assert money.many(with_nan) == [money(v) for v in with_nan]
