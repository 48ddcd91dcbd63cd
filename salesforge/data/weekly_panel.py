"""A synthetic weekly retail panel for forecasting benchmarks (``salesforge sample --panel N``).

Each series is one product's weekly unit sales: a log-normal level, a yearly pattern with a
random phase and strength, holiday spikes (the Black Friday and Christmas weeks, a
mid-year sale) that only some products react to, a small trend, level shifts (a relisting,
a price change, a lost customer) and, for about a quarter of the products, intermittent
demand (most weeks without a sale, Syntetos-Boylan "intermittent" or "lumpy"). Some products
launch after the first week. Everything is drawn with numpy on the whole panel at once;
the same ``(n_series, weeks, seed)`` always gives the same frame and byte-identical files.

The rows are sales with the canonical columns (date, product, category, region, quantity,
price, revenue): one row per product and week with a sale, dated on the Sunday that ends
the week, so ``forecast.freq=W forecast.by=[product]`` gives back the weekly series.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from salesforge.data.sample import _write_csv

DEFAULT_SERIES = 3000
DEFAULT_WEEKS = 143
START = "2021-01-03"  # a Sunday
#: Share of products with intermittent demand, with level shifts, launched late.
INTERMITTENT_SHARE = 0.25
SHIFT_SHARE = 0.30
LATE_LAUNCH_SHARE = 0.10
CATEGORIES = ("audio", "books", "garden", "grocery", "home", "kitchen", "sport", "toys")
REGIONS = ("north", "south", "east", "west")


def holiday_weeks(ds: pd.DatetimeIndex) -> dict[str, np.ndarray]:
    """Per holiday, a boolean per week-ending Sunday in ``ds``: the week holding Black
    Friday (the day after the fourth Thursday of November), the week before Christmas, and
    the week holding 15 July (a mid-year sale)."""
    days: dict[str, list[pd.Timestamp]] = {"black_friday": [], "christmas": [],
                                           "mid_year_sale": []}
    for year in range(ds.min().year, ds.max().year + 1):
        thursdays = pd.date_range(f"{year}-11-01", f"{year}-11-30", freq="W-THU")
        days["black_friday"].append(thursdays[3] + pd.Timedelta(days=1))
        days["christmas"].append(pd.Timestamp(f"{year}-12-24"))
        days["mid_year_sale"].append(pd.Timestamp(f"{year}-07-15"))
    return {name: _contains(ds, dates) for name, dates in days.items()}


def _contains(ds: pd.DatetimeIndex, dates: list[pd.Timestamp]) -> np.ndarray:
    """True for each week (ending on ``ds``) that holds one of ``dates``."""
    ends = ds.to_numpy()[:, None]
    marks = np.array(dates, dtype="datetime64[ns]")[None, :]
    return ((marks <= ends) & (marks > ends - np.timedelta64(7, "D"))).any(axis=1)


def generate_weekly_panel(n_series: int = DEFAULT_SERIES, weeks: int = DEFAULT_WEEKS,
                          seed: int = 0) -> pd.DataFrame:
    """Sales rows of ``n_series`` products over ``weeks`` weeks (see the module docstring)."""
    if n_series < 1 or weeks < 2:
        raise ValueError(f"a panel needs at least 1 series and 2 weeks, got {n_series} "
                         f"series and {weeks} weeks")
    rng = np.random.default_rng(seed)
    ds = pd.date_range(START, periods=weeks, freq="W-SUN")
    t = np.arange(weeks)[None, :]
    shape = (n_series, weeks)

    level = rng.lognormal(2.5, 1.0, (n_series, 1))
    strength = rng.uniform(0.0, 0.6, (n_series, 1))
    phase = rng.uniform(0, 2 * np.pi, (n_series, 1))
    yearly = 1 + strength * np.sin(2 * np.pi * t / 52.18 + phase)
    trend = np.exp(rng.normal(0, 0.15, (n_series, 1)) * t / 52)
    reacts = rng.random((n_series, 1)) < 0.6  # products that sell more on holidays
    spikes = np.ones(shape)
    marked = holiday_weeks(ds)
    for name, lift in (("black_friday", 2.5), ("christmas", 1.8), ("mid_year_sale", 1.5)):
        gain = 1 + (lift - 1) * rng.uniform(0.5, 1.5, (n_series, 1))
        spikes *= np.where(reacts & marked[name][None, :], gain, 1.0)
    shifted = rng.random((n_series, 1)) < SHIFT_SHARE
    shift_at = rng.integers(weeks // 4, weeks, (n_series, 1))
    shift = np.where(shifted & (t >= shift_at), rng.lognormal(0, 0.6, (n_series, 1)), 1.0)
    mean = level * yearly * trend * spikes * shift

    # Gamma-Poisson (negative binomial) noise around the mean; intermittent series sell
    # in a share p of the weeks, in bursts of mean / p units.
    intermittent = rng.random((n_series, 1)) < INTERMITTENT_SHARE
    p = rng.uniform(0.08, 0.45, (n_series, 1))
    sells = np.where(intermittent, rng.random(shape) < p, True)
    rate = np.where(intermittent, np.minimum(mean, 8.0) / p * 0.3, mean)
    units = rng.poisson(rng.gamma(4.0, rate / 4.0)) * sells
    launch = np.where(rng.random((n_series, 1)) < LATE_LAUNCH_SHARE,
                      rng.integers(1, max(2, weeks // 2), (n_series, 1)), 0)
    units = np.where(t >= launch, units, 0)

    price = np.round(rng.lognormal(2.5, 0.8, n_series), 2)
    series, week = np.nonzero(units)
    products = np.array([f"P{i:05d}" for i in range(n_series)], dtype=object)
    category = rng.integers(0, len(CATEGORIES), n_series)
    region = rng.integers(0, len(REGIONS), n_series)
    quantity = units[series, week].astype("float64")
    return pd.DataFrame({
        "date": ds[week],
        "product": pd.array(products[series], dtype="string"),
        "category": pd.array(np.array(CATEGORIES, dtype=object)[category[series]],
                             dtype="string"),
        "region": pd.array(np.array(REGIONS, dtype=object)[region[series]], dtype="string"),
        "quantity": quantity,
        "price": price[series],
        "revenue": np.round(quantity * price[series], 2),
    })


def write_weekly_panel(path: str | Path, n_series: int = DEFAULT_SERIES,
                       weeks: int = DEFAULT_WEEKS, seed: int = 0) -> tuple[Path, int]:
    """Write :func:`generate_weekly_panel` as CSV (compressed by suffix, like
    ``write_sample``); returns the path and the number of rows."""
    path = Path(path)
    frame = generate_weekly_panel(n_series, weeks, seed)
    path.parent.mkdir(parents=True, exist_ok=True)
    _write_csv(frame, path)
    return path, len(frame)
