"""Data drift between two profiles (:mod:`salesforge.data.profile`) of clean data.

Per numeric column: the population stability index (PSI) on the reference's decile bins
and an approximate two-sample KS statistic from the two empirical-CDF grids. Per
categorical column: PSI over the reference's listed values plus the rest, and the largest
absolute share shift. The ``price`` column also carries the product price levels
(``price_level``): the median relative change of the products' median prices and the
share of products whose price moved more than :data:`PRICE_MOVE` — a 30% price rise moves
every product although PSI over a wide price range may barely notice it.

Status bands (a value at a band's edge is in the band):

- PSI (``statistic: psi``): ``ok`` below :data:`PSI_WARN` (0.1), ``warn`` from 0.1,
  ``drift`` from ``threshold`` (``data.drift.threshold``, default 0.25) — the conventional
  bands: below 0.1 no notable change, 0.1-0.25 a moderate one, above 0.25 a significant one.
- the median product price change (``statistic: median_price_change``, absolute): ``warn``
  from :data:`PRICE_WARN` (5%), ``drift`` from :data:`PRICE_DRIFT` (10%).

A column's ``status`` is its worst band; its ``statistic`` / ``value`` the statistic in
that band (the larger relative to its drift band on a tie). The overall status is the
worst column's; ``largest`` names the column whose statistic is largest relative to its
drift band.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

#: PSI from which a column is ``warn``.
PSI_WARN = 0.1
#: ``data.drift.threshold`` when a config does not set it: PSI from which a column drifts.
DEFAULT_THRESHOLD = 0.25
#: Absolute median product-price change from which the price level is ``warn`` / ``drift``.
PRICE_WARN = 0.05
PRICE_DRIFT = 0.10
#: A product's price "moved" when it changed by more than this share.
PRICE_MOVE = 0.10
#: Share given to an empty bin so PSI stays finite.
EPSILON = 1e-4
#: Decimals statistics are rounded to (statuses are decided on the rounded value).
DECIMALS = 6
#: Statuses from best to worst.
STATUSES = ("ok", "warn", "drift")
#: The numeric column that also carries the product price levels, and their key there.
PRICE = "price"
PRICE_LEVEL = "price_level"


def band(value: float | None, warn: float, drift: float) -> str:
    """``drift`` when ``value >= drift``, ``warn`` when ``value >= warn``, else ``ok``
    (``ok`` for a missing value)."""
    if value is None or not np.isfinite(value):
        return "ok"
    if value >= drift:
        return "drift"
    return "warn" if value >= warn else "ok"


def worst(statuses: list[str]) -> str:
    """The worst of ``statuses`` (``ok`` for none)."""
    return max(statuses, key=STATUSES.index, default="ok")


def psi(expected: np.ndarray, actual: np.ndarray) -> float:
    """Population stability index of two share vectors over the same bins; empty bins
    count as :data:`EPSILON`."""
    p = np.clip(np.asarray(expected, float), EPSILON, None)
    q = np.clip(np.asarray(actual, float), EPSILON, None)
    return float(np.sum((q - p) * np.log(q / p)))


def compare_profiles(reference: Mapping[str, Any], current: Mapping[str, Any],
                     threshold: float = DEFAULT_THRESHOLD) -> dict[str, Any]:
    """Drift of ``current`` against ``reference``: ``{"status", "threshold", "bands",
    "largest", "columns", "columns_added", "columns_removed"}``. Only columns both profiles
    have are compared; ``largest`` is ``{"column", "statistic", "value", "status"}`` or
    ``None`` when nothing could be compared."""
    if not threshold > 0:
        raise ValueError(f"threshold must be above 0, not {threshold!r}")
    columns: dict[str, dict[str, Any]] = {}
    ref_num, cur_num = reference.get("numeric") or {}, current.get("numeric") or {}
    for name in [c for c in cur_num if c in ref_num]:
        columns[name] = numeric_drift(ref_num[name], cur_num[name], threshold)
    ref_cat, cur_cat = reference.get("categorical") or {}, current.get("categorical") or {}
    for name in [c for c in cur_cat if c in ref_cat]:
        columns[name] = category_drift(ref_cat[name], cur_cat[name], threshold)
    if PRICE in columns and reference.get("prices") and current.get("prices"):
        level = price_level_drift(reference["prices"], current["prices"])
        columns[PRICE] = with_price_level(columns[PRICE], level)
    ref_names, cur_names = {*ref_num, *ref_cat}, {*cur_num, *cur_cat}
    return {
        "status": worst([c["status"] for c in columns.values()]),
        "threshold": float(threshold),
        "bands": {"psi": {"warn": PSI_WARN, "drift": float(threshold)},
                  "median_price_change": {"warn": PRICE_WARN, "drift": PRICE_DRIFT}},
        "largest": largest(columns),
        "columns": columns,
        "columns_added": sorted(cur_names - ref_names),
        "columns_removed": sorted(ref_names - cur_names),
    }


def largest(columns: Mapping[str, Mapping[str, Any]]) -> dict[str, Any] | None:
    """The column whose statistic is largest relative to its drift band (the first one
    on a tie), as ``{"column", "statistic", "value", "status"}``."""
    best, ratio = None, -1.0
    for name, entry in columns.items():
        value = entry.get("value")
        if value is None:
            continue
        size = abs(float(value)) / float(entry["drift_at"])
        if size > ratio:
            best, ratio = name, size
    if best is None:
        return None
    entry = columns[best]
    return {"column": best, "statistic": entry["statistic"], "value": entry["value"],
            "status": entry["status"]}


# --- numeric columns -----------------------------------------------------------------------


def cdf(ecdf: Mapping[str, Any], x: np.ndarray, *, left: bool = False) -> np.ndarray:
    """The share of values ``<= x`` (``< x`` with ``left``) from a profile's ECDF grid:
    exact at the grid's points, linear between them."""
    xs = np.asarray(ecdf["x"], float)
    right, before = np.asarray(ecdf["F"], float), np.asarray(ecdf["F_left"], float)
    x = np.asarray(x, float)
    j = np.searchsorted(xs, x, side="right") - 1
    out = np.where(j >= len(xs) - 1, 1.0, 0.0)
    inside = (j >= 0) & (j < len(xs) - 1)
    k = j[inside]
    step = (x[inside] - xs[k]) / (xs[k + 1] - xs[k])
    out[inside] = right[k] + step * (before[k + 1] - right[k])
    if left:
        at = np.searchsorted(xs, x, side="left")
        exact = at < len(xs)
        exact[exact] = xs[at[exact]] == x[exact]
        out[exact] = before[at[exact]]
    return out


def ks_statistic(reference: Mapping[str, Any], current: Mapping[str, Any]) -> float:
    """Approximate two-sample KS statistic: the largest CDF gap at the points of both
    grids (from either side of each point)."""
    points = np.union1d(reference["x"], current["x"])
    gaps = [np.abs(cdf(reference, points, left=side) - cdf(current, points, left=side))
            for side in (False, True)]
    return float(max(g.max() for g in gaps))


def numeric_drift(reference: Mapping[str, Any], current: Mapping[str, Any],
                  threshold: float) -> dict[str, Any]:
    """PSI (on the reference's bins), KS and the median's relative change of one column."""
    entry: dict[str, Any] = {"kind": "numeric", "statistic": "psi", "drift_at": threshold}
    if not reference.get("count") or not current.get("count"):
        empty = "reference" if not reference.get("count") else "current"
        both = not reference.get("count") and not current.get("count")
        return {**entry, "value": None, "psi": None, "ks": None, "median_change": None,
                "status": "ok" if both else "drift", "note": f"no values in the {empty} data"}
    bins = reference["bins"]
    counts = np.asarray(bins["counts"], float)
    below = cdf(current["ecdf"], np.asarray(bins["cuts"], float))
    shares = np.diff(np.concatenate([[0.0], below, [1.0]]))
    value = round(psi(counts / counts.sum(), shares), DECIMALS)
    return {**entry, "value": value, "psi": value,
            "ks": round(ks_statistic(reference["ecdf"], current["ecdf"]), DECIMALS),
            "median_change": _change(reference["quantiles"]["0.5"],
                                     current["quantiles"]["0.5"]),
            "mean_change": _change(reference["mean"], current["mean"]),
            "status": band(value, PSI_WARN, threshold)}


# --- categorical columns -------------------------------------------------------------------


def category_drift(reference: Mapping[str, Any], current: Mapping[str, Any],
                   threshold: float) -> dict[str, Any]:
    """PSI over the reference's listed values plus the rest, and the largest share shift
    (a value one profile does not list counts as share 0 there)."""
    ref, cur = reference.get("shares") or {}, current.get("shares") or {}
    keys = list(ref)
    expected = [*(ref[k] for k in keys), max(0.0, 1.0 - sum(ref.values()))]
    actual = [cur.get(k, 0.0) for k in keys]
    actual.append(max(0.0, 1.0 - sum(actual)))
    value = round(psi(np.asarray(expected), np.asarray(actual)), DECIMALS)
    shift = None
    for key in [*keys, *(k for k in cur if k not in ref)]:
        before, after = float(ref.get(key, 0.0)), float(cur.get(key, 0.0))
        if shift is None or abs(after - before) > abs(shift["change"]):
            shift = {"value": key, "reference": round(before, DECIMALS),
                     "current": round(after, DECIMALS),
                     "change": round(after - before, DECIMALS)}
    return {"kind": "categorical", "statistic": "psi", "drift_at": threshold, "value": value,
            "psi": value, "largest_shift": shift, "status": band(value, PSI_WARN, threshold)}


# --- product price levels ------------------------------------------------------------------


def price_level_drift(reference: Mapping[str, Any], current: Mapping[str, Any]
                      ) -> dict[str, Any]:
    """Median relative change of the products' median prices (products priced in both
    profiles, reference price above 0), the share that moved more than
    :data:`PRICE_MOVE`, and its status."""
    ref, cur = reference.get("median_price") or {}, current.get("median_price") or {}
    common = [k for k in ref if k in cur and ref[k] and ref[k] > 0]
    level: dict[str, Any] = {"products_compared": len(common),
                             "products_new": sum(k not in ref for k in cur),
                             "products_gone": sum(k not in cur for k in ref)}
    if not common:
        return {**level, "median_change": None, "share_moved": None, "status": "ok",
                "note": "no product is priced in both runs"}
    before = np.asarray([ref[k] for k in common], float)
    after = np.asarray([cur[k] for k in common], float)
    change = after / before - 1.0
    median = round(float(np.median(change)), DECIMALS)
    return {**level, "median_change": median,
            "share_moved": round(float(np.mean(np.abs(change) > PRICE_MOVE)), DECIMALS),
            "status": band(abs(median), PRICE_WARN, PRICE_DRIFT)}


def with_price_level(entry: Mapping[str, Any], level: Mapping[str, Any]) -> dict[str, Any]:
    """The ``price`` column's entry with its ``price_level`` added: its status is the worse
    of PSI's and the price level's, its statistic the one in that band."""
    result = {**entry, PRICE_LEVEL: dict(level)}
    if level.get("median_change") is None:
        return result
    candidates = [(str(level["status"]), abs(float(level["median_change"])) / PRICE_DRIFT,
                   "median_price_change", float(level["median_change"]), PRICE_DRIFT)]
    if entry.get("value") is not None:
        candidates.append((str(entry["status"]), float(entry["value"]) / entry["drift_at"],
                           str(entry["statistic"]), entry["value"], entry["drift_at"]))
    status, _, statistic, value, drift_at = max(
        candidates, key=lambda c: (STATUSES.index(c[0]), c[1]))
    result.update(status=worst([status, str(entry["status"])]), statistic=statistic,
                  value=value, drift_at=drift_at)
    return result


def _change(before: float | None, after: float | None) -> float | None:
    """``(after - before) / |before|``, or ``None`` when ``before`` is 0 or missing."""
    if before is None or after is None or before == 0:
        return None
    return round((float(after) - float(before)) / abs(float(before)), DECIMALS)
