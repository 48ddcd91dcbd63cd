"""The fast paths of detection give what the plain ways give: group medians keyed by a
categorical of the codes, integer factorising by range, the closest candidate picked in
place, and money amounts formatted in one vectorised pass."""

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
