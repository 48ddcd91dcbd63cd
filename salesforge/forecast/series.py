"""Aggregate clean transactions into tidy series: series_id, ds, y."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache

import pandas as pd

from salesforge.errors import ConfigError

TOTAL = "total"
SEPARATOR = " | "
#: Group value for rows whose ``by`` column is empty (they are kept, never dropped).
MISSING = "Unknown"


def build_series(clean: pd.DataFrame, target: str, freq: str,
                 by: Sequence[str] = (), fill: str = "zero") -> pd.DataFrame:
    """Sum ``target`` per period of ``freq`` (and per ``by`` group).

    Every series spans the same periods, from the first to the last period of the data;
    periods without sales are 0 (``fill="zero"``) or dropped (``fill="gap"``).
    ``series_id`` is ``"total"`` without grouping, else the group values joined by " | ".
    """
    if target not in ("revenue", "quantity"):
        raise ConfigError(
            f"config key forecast.target must be revenue or quantity, not {target!r}.")
    by = list(by)
    missing = [c for c in by if c not in clean.columns]
    if missing:
        raise ConfigError(
            f"config key forecast.by names column {missing[0]!r}, which the clean data "
            f"does not have (columns: {', '.join(map(str, clean.columns))})."
        )
    try:
        offset = pd.tseries.frequencies.to_offset(freq)
    except ValueError:
        raise ConfigError(f"config key forecast.freq={freq!r} is not a pandas frequency "
                          "(e.g. D, W, W-FRI, MS).") from None
    frame = pd.DataFrame({"series_id": series_keys(clean, by), "ds": clean["date"],
                          "y": clean[target]})
    grouper = pd.Grouper(key="ds", freq=offset)
    grouped = frame.groupby(["series_id", grouper], sort=True, observed=True)["y"].agg(
        ["sum", "size"])
    tidy = grouped[grouped["size"] > 0]["sum"].rename("y").reset_index()
    tidy = tidy[["series_id", "ds", "y"]]
    if fill == "gap":
        return tidy.astype({"y": "float64"})
    if fill != "zero":
        raise ConfigError(f"config key forecast.fill must be zero or gap, not {fill!r}.")
    grid = pd.date_range(tidy["ds"].min(), tidy["ds"].max(), freq=offset)
    full = pd.MultiIndex.from_product([tidy["series_id"].unique(), grid], names=["series_id", "ds"])
    return (tidy.set_index(["series_id", "ds"])["y"].reindex(full, fill_value=0.0)
            .astype("float64").reset_index())


def series_keys(frame: pd.DataFrame, by: Sequence[str]) -> pd.Series:
    """The ``series_id`` of each row: ``"total"`` without ``by``, else the row's ``by``
    values joined by " | " (empty values become :data:`MISSING`)."""
    by = list(by)
    if not by:
        return pd.Series(TOTAL, index=frame.index, dtype="string")
    parts = [frame[c].astype("string").fillna(MISSING) for c in by]
    return parts[0].str.cat(parts[1:], sep=SEPARATOR) if len(by) > 1 else parts[0]


@cache
def _sample_clean() -> pd.DataFrame:
    from salesforge.data.cleaning import StandardCleaner
    from salesforge.data.sample import sample_path

    raw = pd.read_csv(sample_path(), parse_dates=["date"])
    return StandardCleaner().clean(raw).clean


def sample_clean() -> pd.DataFrame:
    """The bundled sample's cleaned transactions (a copy; read once per process)."""
    return _sample_clean().copy()


def sample_series(target: str = "revenue", freq: str = "D",
                  by: Sequence[str] = ()) -> pd.DataFrame:
    """Series of the bundled sample data, for examples, tests and benchmarks."""
    return build_series(_sample_clean(), target, freq, by)
