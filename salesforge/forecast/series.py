"""Aggregate clean transactions into tidy series: series_id, ds, y."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache

import numpy as np
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
    codes, labels = series_codes(clean, by)
    sums = period_sums(codes, clean["date"], clean[target], offset)
    tidy = pd.DataFrame({"series_id": labels.take(sums["series"].to_numpy()).array,
                         "ds": sums["ds"].to_numpy(), "y": sums["y"].to_numpy()})
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
    codes, labels = series_codes(frame, by)
    return pd.Series(labels.take(codes).array, index=frame.index, dtype="string")


def series_codes(frame: pd.DataFrame, by: Sequence[str]) -> tuple[np.ndarray, pd.Index]:
    """``(codes, labels)``: per row an integer code, ``labels[code]`` being the row's
    :func:`series_keys` value; labels are unique and sorted, so sorting by code sorts by
    series id. Each ``by`` column is factorised once (free for categoricals) and only the
    distinct combinations become text."""
    by = list(by)
    if not by:
        return np.zeros(len(frame), dtype="int64"), pd.Index([TOTAL], dtype="string")
    combined = np.zeros(len(frame), dtype="int64")
    parts: list[tuple[np.ndarray, pd.Index]] = []
    for column in by:
        codes, uniques = _factorized(frame[column])
        names = pd.Index(uniques).astype("string").fillna(MISSING)
        names = names.append(pd.Index([MISSING], dtype="string"))  # code -1: missing
        codes = np.where(codes < 0, len(names) - 1, codes).astype("int64")
        parts.append((codes, names))
        if (int(combined.max(initial=0)) + 1) * len(names) > 2**62:
            combined = pd.factorize(combined)[0].astype("int64")
        combined = combined * len(names) + codes
    inverse, present = pd.factorize(combined) if len(parts) > 1 else (combined, names)
    first = np.zeros(len(present), dtype="int64")
    first[inverse] = np.arange(len(frame))  # a row of each combination (any: same codes)
    texts = [names.take(codes[first]).to_numpy(object) for codes, names in parts]
    joined = texts[0] if len(texts) == 1 else np.array(
        [SEPARATOR.join(values) for values in zip(*texts, strict=True)], dtype=object)
    ranks, labels = pd.factorize(pd.Index(joined, dtype="string"), sort=True)
    return ranks[inverse].astype("int64"), pd.Index(labels, dtype="string")


def _factorized(column: pd.Series) -> tuple[np.ndarray, pd.Index]:
    """``pandas.factorize`` of a column (codes, uniques; -1 for missing); a categorical's
    own codes and categories as they are (unused categories included: they are never
    looked up, as no row has their code)."""
    if isinstance(column.dtype, pd.CategoricalDtype):
        return column.cat.codes.to_numpy(), pd.Index(column.cat.categories)
    return pd.factorize(column, use_na_sentinel=True)


#: Offsets whose periods hold whole days: transactions may be summed per day first.
_WHOLE_DAY_OFFSETS = (pd.offsets.Week, pd.offsets.MonthBegin, pd.offsets.MonthEnd,
                      pd.offsets.QuarterBegin, pd.offsets.QuarterEnd, pd.offsets.YearBegin,
                      pd.offsets.YearEnd)


def _whole_days(offset: pd.DateOffset) -> bool:
    if isinstance(offset, _WHOLE_DAY_OFFSETS):
        return True
    try:
        step = pd.Timedelta(offset)
    except (TypeError, ValueError):
        return False
    return step >= pd.Timedelta(days=1) and step % pd.Timedelta(days=1) == pd.Timedelta(0)


def period_sums(codes: np.ndarray, dates: pd.Series, values: pd.Series,
                offset: pd.DateOffset) -> pd.DataFrame:
    """Per (series code, period of ``offset``) that has rows: ``series``, ``ds`` (the
    period's label, as ``pandas.Grouper`` gives it) and ``y`` (the sum), sorted by series
    then period. Periods of whole days are summed in two steps: per day on one integer key,
    then per period over the (far fewer) days."""
    values = values.to_numpy("float64", na_value=np.nan)
    stamps = dates.to_numpy()
    if _whole_days(offset) and stamps.dtype.kind == "M" and len(stamps) \
            and not np.isnat(stamps).any():
        day = stamps.astype("datetime64[D]").astype("int64")
        first_day = int(day.min())
        span = int(day.max()) - first_day + 1
        key = codes * span + (day - first_day)
        keys, sums, sizes = sum_by_key(key, values, (int(codes.max()) + 1) * span)
        frame = pd.DataFrame({
            "series": keys // span,
            "ds": (keys % span + first_day).astype("datetime64[D]").astype(stamps.dtype),
            "y": sums, "rows": sizes})
    else:  # periods within a day, time zones, missing dates: as they are
        frame = pd.DataFrame({"series": codes, "ds": dates.reset_index(drop=True),
                              "y": values, "rows": 1})
    grouper = pd.Grouper(key="ds", freq=offset)
    grouped = frame.groupby(["series", grouper], sort=True, observed=True).agg(
        y=("y", "sum"), rows=("rows", "sum"))
    grouped = grouped[grouped["rows"] > 0].reset_index()
    return grouped[["series", "ds", "y"]]


def sum_by_key(key: np.ndarray, values: np.ndarray, bins: int
                ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(keys, sums, sizes)`` of ``values`` per distinct non-negative ``key`` below
    ``bins``, keys ascending; missing values count in ``sizes`` and add 0 to ``sums``. Dense
    counting (one pass, no sort) where the bins are no more than the rows (or 2**20); else
    pandas' sorted group-by. The sums agree to the last bits or so (pandas adds with Kahan
    compensation)."""
    if bins <= max(len(key), 1 << 20):
        sizes = np.bincount(key, minlength=bins)
        sums = np.bincount(key, weights=np.where(np.isnan(values), 0.0, values),
                           minlength=bins)
        keys = np.flatnonzero(sizes)
        return keys, sums[keys], sizes[keys]
    daily = pd.Series(values).groupby(key, sort=True).agg(["sum", "size"])
    return daily.index.to_numpy(), daily["sum"].to_numpy(), daily["size"].to_numpy()


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
