"""A compact profile of a run's clean data: what a later run compares with for data drift.

:func:`profile_clean` summarises the clean frame without keeping any row: per numeric
column its moments, fixed quantiles, the exact empirical CDF on a grid of 101 quantiles
(enough for an approximate KS statistic between two profiles) and a histogram on its
decile cut points (the bins PSI is computed on); per categorical column the shares of its
top values; per product (the top :data:`MAX_PRODUCTS` by revenue) the median price; the
date range and the row count. Identifier columns (order, customer, source row) are never
profiled. The clean stage writes it to :data:`PROFILE` (artifact ``profile``);
:mod:`salesforge.data.drift` compares two of them.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from salesforge.layout import RunLayout
from salesforge.manifest import to_jsonable

#: Where the clean stage writes the profile, relative to the run directory.
PROFILE = RunLayout.PROFILE
#: The profile's layout version; a later layout bumps it.
PROFILE_VERSION = 1
#: Quantiles every numeric column records by name ("0.5" is the median).
QUANTILES: tuple[float, ...] = (0.0, 0.01, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9,
                                0.95, 0.99, 1.0)
#: Probabilities of the empirical-CDF grid (every percentile).
GRID = np.linspace(0.0, 1.0, 101)
#: Probabilities of the histogram's cut points (deciles): the PSI bins.
BIN_CUTS = np.linspace(0.1, 0.9, 9)
#: Values of a categorical column listed by share; the rest is ``other``.
MAX_CATEGORIES = 50
#: Products whose median price is kept (the top ones by revenue).
MAX_PRODUCTS = 2000
#: A text column with more distinct values than this is an identifier or free text, not a
#: category, and is not profiled (``category`` and ``region`` always are).
MAX_DISTINCT = 1000
#: Columns never profiled: the date (its range is), ids, products (priced separately).
NOT_PROFILED = frozenset({"date", "product", "customer_id", "order_id", "source_row",
                          "source_file"})
ALWAYS_CATEGORICAL = ("category", "region")
#: Rows checked first for too many distinct values (a quick way out for id-like columns).
SAMPLE = 20_000


def profile_clean(clean: pd.DataFrame, *, grain: str = "rows") -> dict[str, Any]:
    """The JSON-ready profile of ``clean`` (see the module docstring). ``grain`` says what
    a row is: ``rows`` (transactions) or ``daily`` (an out-of-core load's daily sums);
    profiles of different grains are not compared."""
    numeric, categorical = profiled_columns(clean)
    with ThreadPoolExecutor(max_workers=min(4, os.cpu_count() or 1)) as pool:
        # one sort per column; numpy sorts release the GIL, so the columns overlap
        numbers = dict(zip(numeric, pool.map(lambda c: numeric_profile(clean[c]), numeric),
                           strict=True))
    profile: dict[str, Any] = {
        "version": PROFILE_VERSION, "grain": grain, "rows": len(clean),
        "dates": _dates(clean), "numeric": numbers,
        "categorical": {}, "prices": _prices(clean),
    }
    for column in categorical:
        shares = category_profile(clean[column], always=column in ALWAYS_CATEGORICAL)
        if shares is not None:
            profile["categorical"][column] = shares
    return to_jsonable(profile)


def profiled_columns(clean: pd.DataFrame) -> tuple[list[str], list[str]]:
    """(numeric, categorical candidates) of ``clean``, in column order."""
    numeric, categorical = [], []
    for column in clean.columns:
        if column in NOT_PROFILED:
            continue
        dtype = clean[column].dtype
        if pd.api.types.is_bool_dtype(dtype):
            categorical.append(column)
        elif pd.api.types.is_numeric_dtype(dtype):
            numeric.append(column)
        elif not pd.api.types.is_datetime64_any_dtype(dtype):
            categorical.append(column)
    return numeric, categorical


def numeric_profile(column: pd.Series) -> dict[str, Any]:
    """Moments, :data:`QUANTILES`, the ECDF grid and decile histogram of a numeric column
    (non-finite values count as missing)."""
    values = column.to_numpy(dtype=float, na_value=np.nan)
    ordered = np.sort(values[np.isfinite(values)])
    n = ordered.size
    summary: dict[str, Any] = {"count": n, "missing": values.size - n}
    if n == 0:
        return summary
    at = _quantiles(ordered, np.asarray(QUANTILES))
    grid = np.unique(_quantiles(ordered, GRID))
    cuts = np.unique(_quantiles(ordered, BIN_CUTS))
    below = np.searchsorted(ordered, cuts, side="right")
    summary.update(
        mean=float(ordered.mean()), std=float(ordered.std(ddof=1)) if n > 1 else 0.0,
        min=float(ordered[0]), max=float(ordered[-1]),
        quantiles={f"{p:g}": float(v) for p, v in zip(QUANTILES, at, strict=True)},
        ecdf={"x": grid.tolist(),
              "F": (np.searchsorted(ordered, grid, side="right") / n).tolist(),
              "F_left": (np.searchsorted(ordered, grid, side="left") / n).tolist()},
        bins={"cuts": cuts.tolist(), "counts": np.diff(np.concatenate([[0], below, [n]]))
              .astype(int).tolist()},
    )
    return summary


def category_profile(column: pd.Series, *, always: bool = False) -> dict[str, Any] | None:
    """Shares of the top :data:`MAX_CATEGORIES` values (of the non-missing ones) and of the
    rest (``other``); ``None`` for a column with more than :data:`MAX_DISTINCT` values
    unless ``always``."""
    if not always and column.iloc[:SAMPLE].nunique() > MAX_DISTINCT:
        return None  # already too many values in the first rows: skip the full count
    counts = column.value_counts(dropna=True, sort=False)
    counts = counts[counts > 0]
    if len(counts) > MAX_DISTINCT and not always:
        return None
    counts.index = pd.Index(counts.index.astype(str), dtype=object)
    counts = counts.sort_index(kind="stable").sort_values(ascending=False, kind="stable")
    total = int(counts.sum())
    top = counts.iloc[:MAX_CATEGORIES]
    shares = (top / total).to_dict() if total else {}
    return {"count": total, "missing": len(column) - total, "distinct": len(counts),
            "shares": shares, "other": max(0.0, 1.0 - sum(shares.values())) if total else 0.0}


def profile_columns(profile: Mapping[str, Any]) -> tuple[str, frozenset[str], frozenset[str]]:
    """(grain, numeric columns, categorical columns) of a profile: two profiles are
    compared automatically only when these match."""
    return (str(profile.get("grain", "rows")), frozenset(profile.get("numeric") or {}),
            frozenset(profile.get("categorical") or {}))


def write_profile(path: Path, profile: Mapping[str, Any]) -> Path:
    """Write ``profile`` as compact JSON to ``path``."""
    path.write_text(json.dumps(to_jsonable(dict(profile)), separators=(",", ":")),
                    encoding="utf-8")
    return path


def read_profile(path: Path) -> dict[str, Any] | None:
    """The profile at ``path``, or ``None`` when it is missing or not a profile."""
    try:
        profile = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return profile if isinstance(profile, dict) and "numeric" in profile else None


def _quantiles(ordered: np.ndarray, probs: np.ndarray) -> np.ndarray:
    """Inverted-CDF quantiles of sorted values: the smallest value whose share of values
    at or below it reaches ``p`` (always a value of the data)."""
    n = ordered.size
    index = np.clip(np.ceil(probs * n - 1e-9).astype(np.int64) - 1, 0, n - 1)
    return ordered[index]


def _dates(clean: pd.DataFrame) -> dict[str, Any]:
    if "date" not in clean.columns or clean.empty:
        return {"min": None, "max": None}
    dates = clean["date"]
    return {"min": dates.min(), "max": dates.max()}


def _prices(clean: pd.DataFrame) -> dict[str, Any]:
    """Median price of the top :data:`MAX_PRODUCTS` products by revenue."""
    if not {"product", "price", "revenue"} <= set(clean.columns) or clean.empty:
        return {"products": 0, "median_price": {}}
    groups = clean.groupby("product", sort=True, observed=True)
    median = groups["price"].median()
    revenue = groups["revenue"].sum()
    top = revenue.sort_values(ascending=False, kind="stable").index[:MAX_PRODUCTS]
    median = median.reindex(top).dropna()
    return {"products": len(revenue),
            "median_price": {str(k): float(v) for k, v in median.items()}}
