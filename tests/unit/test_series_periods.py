"""build_series sums per day first, then per period, on integer series codes: the same
tidy series as summing the transactions per period directly (the plain pandas way, kept
here as the reference) for every kind of frequency, grouping and missing value."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from salesforge.forecast.series import (
    MISSING,
    SEPARATOR,
    TOTAL,
    build_series,
    sample_clean,
    series_codes,
)


def reference(clean: pd.DataFrame, target: str, freq: str, by: list[str],
              fill: str) -> pd.DataFrame:
    """Every transaction grouped by its series id text and a pandas Grouper."""
    if by:
        parts = [clean[c].astype("string").fillna(MISSING) for c in by]
        keys = parts[0].str.cat(parts[1:], sep=SEPARATOR) if len(parts) > 1 else parts[0]
    else:
        keys = pd.Series(TOTAL, index=clean.index, dtype="string")
    offset = pd.tseries.frequencies.to_offset(freq)
    frame = pd.DataFrame({"series_id": keys, "ds": clean["date"], "y": clean[target]})
    grouped = frame.groupby(["series_id", pd.Grouper(key="ds", freq=offset)], sort=True,
                            observed=True)["y"].agg(["sum", "size"])
    tidy = grouped[grouped["size"] > 0]["sum"].rename("y").reset_index()[["series_id", "ds", "y"]]
    if fill == "gap":
        return tidy.astype({"y": "float64"})
    grid = pd.date_range(tidy["ds"].min(), tidy["ds"].max(), freq=offset)
    full = pd.MultiIndex.from_product([tidy["series_id"].unique(), grid],
                                      names=["series_id", "ds"])
    return (tidy.set_index(["series_id", "ds"])["y"].reindex(full, fill_value=0.0)
            .astype("float64").reset_index())


@pytest.fixture(scope="module")
def awkward() -> pd.DataFrame:
    """The sample with intraday times, missing and literal "Unknown" regions, a missing
    revenue, and text (not categorical) columns."""
    clean = sample_clean()
    for column in ("product", "category", "region"):
        clean[column] = clean[column].astype("string")
    rng = np.random.default_rng(7)
    clean["date"] = clean["date"] + pd.to_timedelta(rng.integers(0, 86_400, len(clean)), "s")
    clean.loc[rng.random(len(clean)) < 0.02, "region"] = None
    clean.loc[rng.random(len(clean)) < 0.01, "region"] = MISSING
    clean.loc[5, "revenue"] = np.nan
    return clean.sort_values("date", kind="stable").reset_index(drop=True)


@pytest.mark.parametrize("freq", ["D", "W", "W-WED", "MS", "ME", "QS", "2D", "7D", "6h"])
@pytest.mark.parametrize("by", [[], ["region"], ["category", "region"]])
def test_build_series_equals_per_transaction_grouping(awkward, freq, by):
    for fill in ("zero", "gap"):
        expected = reference(awkward, "revenue", freq, by, fill)
        actual = build_series(awkward, "revenue", freq, by, fill)
        pd.testing.assert_frame_equal(actual, expected, check_exact=False, rtol=1e-12)


def test_build_series_same_for_categorical_columns(awkward):
    encoded = awkward.astype({"product": "category", "category": "category",
                              "region": "category"})
    for by in (["product"], ["region", "category"]):
        pd.testing.assert_frame_equal(build_series(encoded, "quantity", "W", by),
                                      build_series(awkward, "quantity", "W", by))


def test_series_codes_sort_like_the_ids(awkward):
    codes, labels = series_codes(awkward, ["category", "region"])
    assert labels.is_unique and labels.is_monotonic_increasing
    ids = awkward["category"].astype("string").fillna(MISSING).str.cat(
        awkward["region"].astype("string").fillna(MISSING), sep=SEPARATOR)
    assert (labels.take(codes) == ids.to_numpy()).all()  # missing and "Unknown": one id


@pytest.mark.parametrize("bins", [1_000, 1 << 22])  # dense counting; the sorted group-by
def test_sums_by_key_either_way_equal_a_group_by(bins):
    from salesforge.forecast.series import sum_by_key

    rng = np.random.default_rng(3)
    key = rng.integers(0, 1_000, 5_000) * (bins // 1_000)
    values = rng.normal(100.0, 30.0, len(key))
    values[rng.random(len(key)) < 0.05] = np.nan
    keys, sums, sizes = sum_by_key(key, values, bins)
    expected = pd.Series(values).groupby(key).agg(["sum", "size"])
    np.testing.assert_array_equal(keys, expected.index.to_numpy())
    np.testing.assert_allclose(sums, expected["sum"].to_numpy(), rtol=1e-12)
    np.testing.assert_array_equal(sizes, expected["size"].to_numpy())


def test_nanoseconds_of_dates_and_of_text():
    from salesforge.data.dates import nanoseconds

    stamps = pd.Series(pd.to_datetime(["2024-01-02 03:04:05", None, "2023-12-31 00:00:00"]))
    expected = pd.to_datetime(stamps).to_numpy("datetime64[ns]").astype("int64")
    np.testing.assert_array_equal(nanoseconds(stamps), expected)
    np.testing.assert_array_equal(
        nanoseconds(pd.Series(["2024-01-02 03:04:05", None, "2023-12-31 00:00:00"])), expected)
    coarse = stamps.astype("datetime64[s]")
    np.testing.assert_array_equal(nanoseconds(coarse), expected)


def test_as_datetimes_keeps_a_datetime_column_and_converts_text():
    from salesforge.data.dates import as_datetimes

    stamps = pd.Series(pd.to_datetime(["2024-01-02", None, "2023-12-31"]))
    assert as_datetimes(stamps) is stamps  # no pass over the values, no copy
    converted = as_datetimes(pd.Series(["2024-01-02", None, "2023-12-31"]))
    assert converted.dtype.kind == "M"
    pd.testing.assert_series_equal(converted, stamps)
