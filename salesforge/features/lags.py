"""Lags and rolling statistics of daily totals per series, from past days only.

A row dated day t gets values computed from days strictly before t: the series' total
k days earlier (0 when it sold nothing that day) and the mean and standard deviation of
its daily totals over the w days t-w .. t-1 (days without sales count as 0). Computed
with sorted keys, cumulative sums and binary search: no per-series Python loop.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from salesforge.base.feature_builder import FeatureBuilder
from salesforge.errors import ConfigError

#: Defaults of ``by``, ``lags`` and ``windows`` (also when one is null).
DEFAULT_BY, DEFAULT_LAGS, DEFAULT_WINDOWS = ("product",), (1, 7, 28), (7, 28)


@dataclass
class LagFeaturesConfig:
    """Settings of the ``lags`` feature builder (``features.lags.*``)."""

    #: Measure whose daily totals are lagged: quantity or revenue.
    target: str = "quantity"
    #: Columns naming a series; empty = the total of all rows.
    by: list[str] = field(default_factory=lambda: list(DEFAULT_BY))
    #: Lags in days.
    lags: list[int] = field(default_factory=lambda: list(DEFAULT_LAGS))
    #: Rolling windows in days (mean and standard deviation of the past window).
    windows: list[int] = field(default_factory=lambda: list(DEFAULT_WINDOWS))


@dataclass(eq=False)
class LagFeatures(FeatureBuilder, LagFeaturesConfig):
    """Past daily totals (lags) and past-window mean / std of ``target`` per series."""

    def _settings(self) -> tuple[list[str], list[int], list[int]]:
        by = list(DEFAULT_BY if self.by is None else self.by)
        lags = [int(k) for k in (DEFAULT_LAGS if self.lags is None else self.lags)]
        windows = [int(w) for w in (DEFAULT_WINDOWS if self.windows is None else self.windows)]
        if any(k < 1 for k in [*lags, *windows]):
            raise ConfigError("config keys features.lags.lags and features.lags.windows must "
                              "hold whole numbers of days of at least 1 (no leakage).")
        return by, lags, windows

    def required_columns(self) -> list[str]:
        return ["date", self.target, *self._settings()[0]]

    def columns_added(self) -> list[str]:
        _, lags, windows = self._settings()
        t = self.target
        return ([f"{t}_lag_{k}d" for k in lags]
                + [f"{t}_{stat}_{w}d" for w in windows for stat in ("mean", "std")])

    def _transform(self, frame: pd.DataFrame) -> pd.DataFrame:
        by, lags, windows = self._settings()
        day = frame["date"].to_numpy("datetime64[ns]").astype("datetime64[D]").astype("int64")
        if by:
            series, _ = pd.MultiIndex.from_frame(frame[by].astype(object)).factorize() \
                if len(by) > 1 else pd.factorize(frame[by[0]])
        else:
            series = np.zeros(len(frame), dtype=np.int64)
        first = int(day.min())
        stride = int(day.max()) - first + max([*lags, *windows]) + 2
        row_key = series.astype(np.int64) * stride + (day - first)
        keys, inverse = np.unique(row_key, return_inverse=True)
        totals = np.bincount(inverse, weights=frame[self.target].to_numpy(float,
                                                                          na_value=0.0))
        out: dict[str, np.ndarray] = {}
        for k in lags:
            out[f"{self.target}_lag_{k}d"] = _at(keys, totals, keys - k)
        first_sum = np.concatenate([[0.0], np.cumsum(totals)])
        second_sum = np.concatenate([[0.0], np.cumsum(totals * totals)])
        for w in windows:
            start = np.searchsorted(keys, keys - w, side="left")
            end = np.searchsorted(keys, keys, side="left")  # days before today only
            s1 = first_sum[end] - first_sum[start]
            s2 = second_sum[end] - second_sum[start]
            mean = s1 / w
            out[f"{self.target}_mean_{w}d"] = mean
            out[f"{self.target}_std_{w}d"] = np.sqrt(np.maximum(s2 / w - mean * mean, 0.0))
        return pd.DataFrame({name: values[inverse] for name, values in out.items()},
                            index=frame.index)


def _at(keys: np.ndarray, totals: np.ndarray, wanted: np.ndarray) -> np.ndarray:
    """The total at each ``wanted`` key, 0 where that day had no sales."""
    index = np.searchsorted(keys, wanted)
    index = np.minimum(index, len(keys) - 1)
    return np.where(keys[index] == wanted, totals[index], 0.0)
