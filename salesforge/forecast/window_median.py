"""A robust level: the median of each series' newest values, the window chosen from the
history itself.

Retail series are noisy: one bulk order, a promotion or a stock-out moves last period's
value (what the naive repeats) and any mean far from the level the next periods will see.
The median of the newest ``window`` values ignores such spikes. No single width suits
every panel (a few weeks where levels move, half a year where they are stable), so by
default the width is chosen at fit: each candidate forecasts the last ``holdout`` periods
of the history from a few origins before them, and the candidate with the lowest error,
scaled per series and averaged over series, is kept (``window_``, ``window_errors_``).
One width for all series: a per-series choice from a few periods is mostly noise.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import ClassVar

import numpy as np
import pandas as pd

from salesforge.base.forecaster import Forecaster
from salesforge.forecast.seasonality import season_length

#: Origins, one period apart, from which each candidate forecasts the holdout.
ORIGINS = 4


def default_windows(freq: str) -> list[int]:
    """Candidate widths when ``windows`` is empty: weekly 4, 6, 8, 13, 26; daily 7, 14,
    28, 56; monthly 3, 6, 12; quarterly 2, 4, 8; else 3, 6, 12 and one and two seasons."""
    m = season_length(freq)
    if m == 52:
        return [4, 6, 8, 13, 26]
    if m in (5, 7):
        return [m, 2 * m, 4 * m, 8 * m]
    if m == 12:
        return [3, 6, 12]
    if m == 4:
        return [2, 4, 8]
    return sorted({3, 6, 12} | ({m, 2 * m} if m > 1 else set()))


@dataclass
class WindowMedianConfig:
    """Settings of the ``window_median`` forecaster (``forecaster.window_median.*``)."""

    #: Width of the median in periods; null = chosen at fit among ``windows``.
    window: int | None = None
    #: Candidate widths; empty = by frequency (weekly 4, 6, 8, 13, 26; daily 7, 14, 28,
    #: 56; monthly 3, 6, 12).
    windows: list[int] = field(default_factory=list)
    #: Periods at the end of the history each candidate is scored on; null = half the
    #: widest candidate (weekly 13, daily 28, monthly 6).
    holdout: int | None = None


@dataclass(eq=False)
class WindowMedianForecaster(Forecaster, WindowMedianConfig):
    """y(T + h) = median of the series' last ``window_`` observations, for every h.

    Series shorter than the window take the median of what they have. With ``window``
    null the width is the candidate whose forecasts of the history's last ``holdout``
    periods, from :data:`ORIGINS` origins, have the lowest mean absolute error divided
    by the series' mean absolute value, averaged over series (``window_errors_``)."""

    fitted_attributes: ClassVar[tuple[str, ...]] = ("window_", "window_errors_")

    def _fit(self, frame: pd.DataFrame) -> None:
        ids = frame["series_id"].to_numpy()
        starts = np.flatnonzero(np.r_[True, ids[1:] != ids[:-1]])
        lengths = np.diff(np.r_[starts, len(ids)])
        panel = _right_aligned(frame["y"].to_numpy("float64"), starts, lengths)
        self.series_ids_ = np.asarray(ids[starts], dtype=object)
        if self.window is not None:
            if int(self.window) < 1:
                raise ValueError(f"window must be at least 1, got {self.window}")
            errors: dict[int, float] = {}
            self.window_, self.window_errors_ = int(self.window), errors
        else:
            self.window_, self.window_errors_ = self._choose(panel)
        self.level_ = _median(panel[:, -self.window_:])

    def _candidates(self) -> list[int]:
        values = sorted({int(w) for w in (self.windows or default_windows(self.freq_))})
        if not values or values[0] < 1:
            raise ValueError(f"windows must be whole numbers of at least 1, got {values}")
        return values

    def _choose(self, panel: np.ndarray) -> tuple[int, dict[int, float]]:
        """The candidate with the lowest scaled holdout error (the narrowest when no
        series is long enough to score any), and every candidate's error."""
        candidates = self._candidates()
        holdout = int(self.holdout) if self.holdout is not None else \
            max(1, (candidates[-1] + 1) // 2)
        if holdout < 1:
            raise ValueError(f"holdout must be at least 1, got {self.holdout}")
        with np.errstate(invalid="ignore", divide="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN rows: no value
            scale = np.nanmean(np.abs(panel), axis=1)
        scale = np.where(scale > 0, scale, np.nan)
        width = panel.shape[1]
        errors: dict[int, float] = {}
        for k in candidates:
            scores = []
            for back in range(ORIGINS):
                origin = width - holdout - back
                if origin < 1:
                    break
                level = _median(panel[:, max(0, origin - k):origin])
                ahead = panel[:, origin:origin + holdout]
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", RuntimeWarning)
                    error = np.nanmean(np.abs(ahead - level[:, None]), axis=1) / scale
                    # only series with history before the origin and after it
                    error[np.isnan(panel[:, origin - 1])] = np.nan
                    scores.append(np.nanmean(error) if np.isfinite(error).any() else np.nan)
            finite = [s for s in scores if np.isfinite(s)]
            if finite:
                errors[k] = float(np.mean(finite))
        if not errors:
            return candidates[0], {}
        return min(errors, key=lambda k: (errors[k], k)), errors

    def _predict(self, future: pd.DataFrame) -> np.ndarray:
        level = pd.Series(self.level_, index=pd.Index(self.series_ids_, dtype=object))
        return level.reindex(future["series_id"].astype(object)).to_numpy("float64")


def _right_aligned(values: np.ndarray, starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """Series x periods: each series' values (consecutive in ``values``) in the last
    columns of its row, NaN before them."""
    width = int(lengths.max())
    panel = np.full((len(starts), width), np.nan)
    row = np.repeat(np.arange(len(starts)), lengths)
    position = np.arange(len(values)) - np.repeat(starts, lengths)
    panel[row, width - np.repeat(lengths, lengths) + position] = values
    return panel


def _median(block: np.ndarray) -> np.ndarray:
    """Per row, the median of its known values (NaN for a row with none)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return np.nanmedian(block, axis=1) if block.shape[1] else \
            np.full(len(block), np.nan)
