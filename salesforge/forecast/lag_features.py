"""Lag, rolling-window and calendar features of a whole panel at once.

A panel is a 2-D array, series x periods, on one regular grid of the frequency (NaN
where a series has no value). Features are computed for any set of target cells
``(row, column)`` by gathering earlier cells with numpy fancy indexing: no loop over
series, and the same function serves training (every cell of the history) and recursive
prediction (the next cell of a buffer holding the history and earlier forecasts).

``offset`` d is how many periods before the target the newest usable value lies: 1 for
one-step (recursive) models, h for a model that forecasts h steps ahead directly. A
feature never reads a cell later than ``column - offset``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd

from salesforge.forecast.seasonality import season_length


def default_lags(freq: str) -> list[int]:
    """Lags used when a lag model's ``lags`` setting is empty: weekly 1-4, 13, 26, 52;
    daily 1-7, 14, 28, 364; monthly 1-3, 12; quarterly 1-4, 8; else 1, 2 and a season."""
    m = season_length(freq)
    if m == 52:
        return [1, 2, 3, 4, 13, 26, 52]
    if m in (5, 7):
        return [*range(1, m + 1), 2 * m, 4 * m, 52 * m]
    if m == 12:
        return [1, 2, 3, 12]
    if m == 4:
        return [1, 2, 3, 4, 8]
    return sorted({1, 2, m})


def default_windows(freq: str) -> list[int]:
    """Rolling-window widths used when ``windows`` is empty: weekly 4, 8, 13; daily 7,
    28; monthly 3, 6, 12; else 3 and a season (when longer)."""
    m = season_length(freq)
    if m == 52:
        return [4, 8, 13]
    if m in (5, 7):
        return [m, 4 * m]
    if m == 12:
        return [3, 6, 12]
    return sorted({3, m} - {1, 2})


def season_lags(m: int) -> list[int]:
    """The lags averaged into ``season_mean``: m-1, m, m+1 for long seasons (a year of
    weeks or months), the last four same-phase values (m, 2m, 3m, 4m) for short ones (a
    week of days); none without a season."""
    if m >= 12:
        return [m - 1, m, m + 1]
    if m >= 2:
        return [m, 2 * m, 3 * m, 4 * m]
    return []


def effective_lag(lag: int, offset: int, m: int) -> int:
    """Lag ``lag`` for a model whose newest usable value is ``offset`` periods back: the
    lag itself when reachable; else, for a multiple of the season, the same phase one or
    more seasons further back; else the lag counted from the newest usable value."""
    if lag >= offset:
        return lag
    if m > 1 and lag % m == 0:
        return lag + m * math.ceil((offset - lag) / m)
    return lag + offset - 1


def seasonal_lag(lag: int, offset: int, m: int) -> int:
    """A lag of :func:`season_lags`, moved back by whole seasons until reachable."""
    if lag >= offset or m < 2:
        return max(lag, offset)
    return lag + m * math.ceil((offset - lag) / m)


#: Periods of history a lag feature must be observed on: longer lags are left out (a
#: tree would split on a lag seen in a handful of rows, then meet unseen values of it).
MIN_LAG_ROWS = 13


def usable_lags(lags: list[int], periods: int) -> list[int]:
    """The ``lags`` that leave :data:`MIN_LAG_ROWS` periods of a ``periods``-long history
    (at least the shortest lag)."""
    kept = [k for k in lags if k + MIN_LAG_ROWS <= periods]
    return kept or sorted(lags)[:1]


@dataclass(frozen=True)
class HistorySpec:
    """Which history features to build: lags, rolling windows, the season length and
    whether ``season_mean`` is built."""

    lags: tuple[int, ...]
    windows: tuple[int, ...]
    season: int
    season_mean: bool = True

    def seasonal(self) -> list[int]:
        """The lags averaged into ``season_mean`` (none when it is off)."""
        return season_lags(self.season) if self.season_mean else []

    def names(self) -> list[str]:
        """``lag_<k>``, then ``mean_<w>``, ``std_<w>`` per window, then ``season_mean``."""
        names = [f"lag_{k}" for k in self.lags]
        for w in self.windows:
            names += [f"mean_{w}", f"std_{w}"]
        return names + (["season_mean"] if self.seasonal() else [])

    def depth(self, offset: int) -> int:
        """How many periods before a target the features of ``offset`` may read."""
        reach = [effective_lag(k, offset, self.season) for k in self.lags]
        reach += [offset + w - 1 for w in self.windows]
        reach += [seasonal_lag(k, offset, self.season) for k in self.seasonal()]
        return max(reach, default=offset)


def _gather(values: np.ndarray, rows: np.ndarray, cols: np.ndarray,
            back: np.ndarray) -> np.ndarray:
    """``values[row, col - back]`` for every target and every entry of ``back`` (shape
    targets x len(back)); NaN before the first column."""
    pad = max(int(back.max()) - int(cols.min(initial=0)), 0)
    padded = np.pad(values, ((0, 0), (pad, 0)), constant_values=np.nan) if pad else values
    at = (rows * padded.shape[1] + cols + pad)[:, None] - back[None, :]
    return padded.ravel().take(at)


def _mean_std(block: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Row mean and population std (two-pass) over non-missing entries (NaN where none)."""
    known = ~np.isnan(block)
    count = known.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(known, block, 0.0).sum(axis=1) / count
        spread = np.where(known, block - mean[:, None], 0.0)
        std = np.sqrt((spread * spread).sum(axis=1) / count)
    return mean, std


def _running(values: np.ndarray) -> np.ndarray:
    """Count, sum and sum of squares of the non-missing values before each column: shape
    (3, rows, columns + 1), column j covering columns < j."""
    known = ~np.isnan(values)
    filled = np.where(known, values, 0.0)
    stacked = np.stack([known.astype("float64"), filled, filled * filled])
    out = np.zeros((3, values.shape[0], values.shape[1] + 1))
    np.cumsum(stacked, axis=2, out=out[:, :, 1:])
    return out


def history_features(values: np.ndarray, rows: np.ndarray, cols: np.ndarray, offset: int,
                     spec: HistorySpec) -> np.ndarray:
    """The history features (:meth:`HistorySpec.names` order, float64) of the target cells
    ``(rows[j], cols[j])`` of ``values``, reading only cells up to ``cols[j] - offset``."""
    m = spec.season
    parts = []
    if spec.lags:
        back = np.array([effective_lag(k, offset, m) for k in spec.lags])
        parts.append(_gather(values, rows, cols, back))
    if spec.windows:  # one gather of the widest window; narrower ones are its prefixes
        block = _gather(values, rows, cols, np.arange(offset, offset + max(spec.windows)))
        for w in spec.windows:
            parts.append(np.column_stack(_mean_std(block[:, :w])))
    seasonal = spec.seasonal()
    if seasonal:
        back = np.array([seasonal_lag(k, offset, m) for k in seasonal])
        parts.append(_mean_std(_gather(values, rows, cols, back))[0][:, None])
    if not parts:
        return np.empty((len(rows), 0))
    return np.hstack(parts)


def window_level(values: np.ndarray, rows: np.ndarray, last: np.ndarray, width: int,
                 floor: float = 0.1) -> np.ndarray:
    """Each target's level: the mean absolute value of the ``width`` cells of its row
    ending at column ``last`` (missing ones left out), at least ``floor``; 1 where none is
    known."""
    running = _running(np.abs(values))[:2]
    end = np.clip(last + 1, 0, values.shape[1])
    start = np.clip(last - width + 1, 0, values.shape[1])
    count = running[0, rows, end] - running[0, rows, start]
    total = running[1, rows, end] - running[1, rows, start]
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(count > 0, total / count, 1.0)
    return np.maximum(mean, floor)


def series_age(values: np.ndarray, rows: np.ndarray, cols: np.ndarray, offset: int,
               cap: int) -> np.ndarray:
    """Each target's count of non-missing cells up to ``cols - offset`` in its row (the
    periods since a series started), at most ``cap``."""
    count = np.cumsum(~np.isnan(values), axis=1)
    at = cols - offset
    return np.where(at >= 0, np.minimum(count[rows, np.maximum(at, 0)], cap), 0)


def last_known(values: np.ndarray) -> np.ndarray:
    """``values`` with each NaN replaced by the last non-missing value on its left in the
    same row (NaN before a row's first value)."""
    index = np.where(np.isnan(values), 0, np.arange(values.shape[1])[None, :])
    np.maximum.accumulate(index, axis=1, out=index)
    filled = values[np.arange(values.shape[0])[:, None], index]
    first = np.argmax(~np.isnan(values), axis=1)
    before = np.arange(values.shape[1])[None, :] < first[:, None]
    return np.where(before | np.isnan(values).all(axis=1)[:, None], np.nan, filled)


# --- the grid -----------------------------------------------------------------------------


def period_grid(dates: pd.Series | pd.DatetimeIndex, freq: str) -> pd.DatetimeIndex:
    """Every period of ``freq`` from the first to the last of ``dates`` (plus any date that
    is off the frequency's anchor, so that every date has a column)."""
    unique = pd.DatetimeIndex(pd.unique(pd.DatetimeIndex(dates))).sort_values()
    grid = pd.date_range(unique[0], unique[-1], freq=freq)
    if len(grid) == 0 or not unique.isin(grid).all():
        grid = grid.union(unique)
    return grid


# --- calendar -----------------------------------------------------------------------------


@lru_cache(maxsize=32)
def _holiday_days(country: str, first_year: int, last_year: int) -> np.ndarray:
    import holidays

    try:
        calendar = holidays.country_holidays(country, years=range(first_year, last_year + 1))
    except NotImplementedError:
        raise ValueError(f"country_holidays={country!r} is not a country the holidays package "
                         "knows; use an ISO code such as ID, US, GB or null") from None
    days = [np.datetime64(day, "D") for day in calendar]
    return np.sort(np.array(days, dtype="datetime64[D]").astype("int64"))


def _holiday_counts(dates: pd.DatetimeIndex, country: str, width: int) -> np.ndarray:
    """Holidays in each period of ``width`` days ending on ``dates`` (weekly labels are
    period ends), in the period after and in the period before: shape (len(dates), 3)."""
    end = dates.to_numpy().astype("datetime64[D]").astype("int64")
    days = _holiday_days(country, int(dates.year.min()) - 1, int(dates.year.max()) + 1)

    def count(last: np.ndarray) -> np.ndarray:
        return (np.searchsorted(days, last, side="right")
                - np.searchsorted(days, last - width, side="right"))

    return np.column_stack([count(end), count(end + width), count(end - width)])


def calendar_names(freq: str, holidays: str | None, yearly: bool = True) -> list[str]:
    """Calendar feature names for ``freq``: daily day_of_week, month, day_of_year; weekly
    week_of_year, month and (with a holiday country) holidays, holidays_next,
    holidays_prev; monthly and quarterly month; otherwise day_of_week, month,
    day_of_year. Without ``yearly`` (training shorter than a year) only day_of_week of
    daily data is kept: a tree would file the unseen part of the year under the nearest
    seen dates (e.g. a Christmas shutdown)."""
    m = season_length(freq)
    if m == 52:
        extra = ["holidays", "holidays_next", "holidays_prev"] if holidays else []
        names = ["week_of_year", "month", *extra]
    elif m in (4, 12):
        names = ["month"]
    else:
        names = ["day_of_week", "month", "day_of_year"]
    return names if yearly else [n for n in names if n == "day_of_week"]


def calendar_features(dates: pd.DatetimeIndex, names: list[str],
                      holidays: str | None) -> np.ndarray:
    """The calendar features ``names`` (of :func:`calendar_names`) of each date (float64,
    one row per date)."""
    columns = {
        "day_of_week": lambda: dates.day_of_week,
        "month": lambda: dates.month,
        "day_of_year": lambda: dates.day_of_year,
        "week_of_year": lambda: dates.isocalendar().week.to_numpy(),
    }
    out = [np.asarray(columns[name](), dtype="float64") for name in names
           if name in columns]
    if holidays and "holidays" in names:
        out += list(_holiday_counts(dates, holidays, 7).T.astype("float64"))
    return np.column_stack(out) if out else np.empty((len(dates), 0))
