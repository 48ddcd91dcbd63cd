"""The settings every global lag model shares (:class:`LagModelConfig`), their values
and their defaults by frequency; the model itself is
:class:`~salesforge.forecast.lag_model.GlobalLagForecaster`."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from salesforge.forecast.seasonality import season_length

#: ``strategy`` values.
STRATEGIES = ("recursive", "direct")
#: ``normalize`` values.
NORMALIZE = ("window", "series")


def default_direct_steps(freq: str) -> list[int]:
    """Groups of steps sharing one model under ``strategy=direct`` (the last step of each
    group): weekly 1, 2, 4, 8, 13; daily 1, 2, 4, 7, 14, 28; monthly 1, 2, 3, 6, 12."""
    m = season_length(freq)
    if m == 52:
        return [1, 2, 4, 8, 13]
    if m in (5, 7):
        return [1, 2, 4, m, 2 * m, 4 * m]
    if m == 12:
        return [1, 2, 3, 6, 12]
    return sorted({1, 2, 4, m} - {0})


def default_scale_window(freq: str) -> int:
    """Periods of a series' level when ``scale_window`` is null: max(season, 13) in whole
    seasons (weekly 52, daily 14, monthly 24)."""
    m = season_length(freq)
    return m if m >= 13 else m * math.ceil(13 / m)


@dataclass
class LagModelConfig:
    """Settings every global lag model shares; a model's own config dataclass inherits
    them (``forecaster.<name>.lags`` and so on)."""

    #: Lags of y used as features; empty = by frequency (weekly 1-4, 13, 26, 52; daily
    #: 1-7, 14, 28, 364; monthly 1-3, 12).
    lags: list[int] = field(default_factory=list)
    #: Widths of the rolling mean and standard deviation over the newest values; empty =
    #: by frequency (weekly 4, 8, 13; daily 7, 28; monthly 3, 6, 12).
    windows: list[int] = field(default_factory=list)
    #: recursive (one model; step h reads the forecasts of steps < h) or direct (one model
    #: per group of steps, each reading only values up to the forecast origin).
    strategy: str = "recursive"
    #: Under strategy=direct, the last step of each group of steps sharing one model;
    #: empty = weekly 1, 2, 4, 8, 13; daily 1, 2, 4, 7, 14, 28; monthly 1, 2, 3, 6, 12.
    direct_steps: list[int] = field(default_factory=list)
    #: none | log1p (model log1p of the scaled y) | diff (model the change from the newest
    #: usable value).
    target_transform: str = "none"
    #: window (each training row and forecast step divided by the mean absolute value of
    #: the values in the widest rolling window before it: the model learns shapes, not
    #: levels) or series (divided by the series' recent level ``scale_`` only).
    normalize: str = "window"
    #: Newest observations whose mean absolute value is a series' level (``scale_``, also
    #: the guard's fallback); null = max(season, 13) in whole seasons (weekly 52, daily 14,
    #: monthly 24).
    scale_window: int | None = None
    #: Country whose public holidays give the holiday features of weekly data; null = none.
    country_holidays: str | None = "ID"
    #: Divergence guard: a series whose forecast leaves its range over the last two
    #: seasons (at least 26 periods), widened by this many ranges on each side, has
    #: diverged: its whole forecast becomes the mean of its last scale_window values
    #: (``diverged_series_``, ``replaced_``); null = off.
    guard: float | None = 1.0


def positive(values: list[int] | None, name: str) -> list[int]:
    """Sorted distinct whole numbers of a list setting, each at least 1 (``[]`` for
    an empty or null one)."""
    if not values:
        return []
    numbers = sorted({int(v) for v in values})
    if numbers[0] < 1:
        raise ValueError(f"{name} must be at least 1, got {sorted(values)}")
    return numbers
