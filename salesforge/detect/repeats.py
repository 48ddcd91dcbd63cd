"""Bursts of duplicate orders: the same line (same customer, product, quantity and price)
ordered again within minutes, as when an order is submitted several times."""

from __future__ import annotations

import numpy as np
import pandas as pd

from salesforge.data.dates import nanoseconds
from salesforge.detect.baselines import factorize

#: Odd 64-bit multipliers that mix the parts of a line's key (splitmix64 constants).
MIX = (np.uint64(0x9E3779B97F4A7C15), np.uint64(0xBF58476D1CE4E5B9),
       np.uint64(0x94D049BB133111EB))


def same_line(who: np.ndarray, quantity: np.ndarray, price: np.ndarray) -> np.ndarray:
    """One code per row for (who, quantity, price): a 64-bit mix of the three, factorised
    (two different lines share a code with probability about n^2 / 2^64)."""
    with np.errstate(over="ignore"):
        key = np.asarray(who, dtype="int64").astype("uint64") * MIX[0]
        key ^= np.ascontiguousarray(quantity, dtype="float64").view("uint64") * MIX[1]
        key ^= np.ascontiguousarray(price, dtype="float64").view("uint64") * MIX[2]
    return factorize(key)


def repeats(frame: pd.DataFrame, window_minutes: float = 5.0,
            who: np.ndarray | None = None, anonymous: np.ndarray | None = None
            ) -> np.ndarray:
    """Per row: how many other lines its burst of identical lines holds, for every line of
    a burst but the first (the genuine order; its repeats are the anomaly); 0 otherwise.

    Lines are identical when their ``who`` codes (customer, product and region, combined by
    the caller; the product when not given) and their quantity and price are; those whose
    times are at most ``window_minutes`` apart (a chain: each within the window of the
    previous one) form one burst. ``anonymous`` rows (no customer, when the data has a
    customer column: anonymous buyers are not one person), returns, non-positive
    quantities and rows without a date are never grouped."""
    found = np.zeros(len(frame), dtype="int64")
    if "date" not in frame.columns or len(frame) < 2:
        return found
    usable = frame["quantity"].to_numpy(float) > 0
    usable &= frame["date"].notna().to_numpy(bool)
    if anonymous is not None:
        usable &= ~np.asarray(anonymous, dtype=bool)
    if "is_return" in frame.columns:
        usable &= ~frame["is_return"].to_numpy(bool)
    rows = np.flatnonzero(usable)
    if len(rows) < 2:
        return found
    if who is None:
        who = factorize(frame["product"])
    codes = same_line(np.asarray(who)[rows], frame["quantity"].to_numpy(float)[rows],
                      frame["price"].to_numpy(float)[rows])
    again = np.bincount(codes)[codes] > 1  # only lines that occur more than once can repeat
    if not again.any():
        return found
    rows, codes = rows[again], codes[again]
    times = nanoseconds(frame["date"].iloc[rows])
    order = np.lexsort((times, codes))
    codes, times = codes[order], times[order]
    gap = np.diff(times) > window_minutes * 60e9
    starts = np.r_[True, (np.diff(codes) != 0) | gap]
    burst = np.cumsum(starts) - 1
    others = np.where(starts, 0, np.bincount(burst)[burst] - 1)
    out = np.empty(len(rows), dtype="int64")
    out[order] = others
    found[rows] = out
    return found
