"""Seeded, labelled slips injected into real sales lines, to measure detectors on real data.

A slip is a typing or system error on an ordinary line: a copy of a real line with one value
wrong, appended under a new order id (``SLIP-000001``, ...); the real rows are kept as they
are, so everything else the detector sees is the real file. Kinds:

* ``price_x10`` / ``price_x100`` / ``price_div10``: the unit price, a slipped decimal point;
* ``quantity_x25``: the quantity (25 typed for 1, a unit/box mix-up);
* ``other_product_price``: the unit price becomes another product's usual price, drawn
  among products whose usual price differs at least ``other_price_factor`` times (5 by
  default: closer prices land among the product's own real price points, which in Online
  Retail span up to 4-5x for one product, and could not be told from them);
* ``duplicate_burst``: the line is ordered again 2 to 4 times within minutes (new orders,
  same customer); the copies are the slips.

Ordinary lines: not returns, positive price and quantity, a product with at least
``min_product_lines`` such lines, a price within 10 % of the product's median and a quantity
at least its median (a slip on an already odd line says little about the detector).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

KINDS = ("price_x10", "price_x100", "price_div10", "quantity_x25", "other_product_price",
         "duplicate_burst")
FACTORS = {"price_x10": ("price", 10.0), "price_x100": ("price", 100.0),
           "price_div10": ("price", 0.1), "quantity_x25": ("quantity", 25.0)}


def ordinary_lines(clean: pd.DataFrame, min_product_lines: int = 20) -> np.ndarray:
    """Positions of ordinary lines (see the module docstring)."""
    sale = (clean["price"].to_numpy(float) > 0) & (clean["quantity"].to_numpy(float) > 0)
    if "is_return" in clean.columns:
        sale &= ~clean["is_return"].to_numpy(bool)
    rows = clean.loc[sale, ["product", "price", "quantity"]]
    grouped = rows.groupby("product", observed=True, sort=False)
    size = grouped["price"].transform("size")
    price_ratio = rows["price"] / grouped["price"].transform("median")
    typical = ((size >= min_product_lines) & price_ratio.between(0.9, 1.1)
               & (rows["quantity"] >= grouped["quantity"].transform("median")))
    return np.flatnonzero(sale)[typical.to_numpy(bool)]


def inject_slips(clean: pd.DataFrame, rate: float = 0.005, seed: int = 0,
                 kinds: tuple[str, ...] = KINDS, other_price_factor: float = 5.0
                 ) -> tuple[pd.DataFrame, pd.Series]:
    """``(frame, kind)``: ``clean`` with slips appended so that they are ``rate`` of the
    rows (shared evenly by ``kinds``), and per row the slip kind (NA for real rows).
    Same ``(clean, rate, seed, kinds)`` always gives the same frame."""
    unknown = set(kinds) - set(KINDS)
    if unknown or not kinds:
        raise ValueError(f"unknown slip kinds {sorted(unknown)}; choose from {KINDS}")
    if not 0 < rate < 0.5:
        raise ValueError(f"rate must be in (0, 0.5), got {rate}")
    rng = np.random.default_rng(seed)
    total = round(rate / (1 - rate) * len(clean))
    per_kind = np.diff(np.linspace(0, total, len(kinds) + 1).round().astype(int))
    pool = ordinary_lines(clean)
    if "customer_id" in clean.columns:
        with_customer = pool[clean["customer_id"].iloc[pool].notna().to_numpy(bool)]
    else:
        with_customer = pool
    medians = clean.iloc[pool].groupby("product", observed=True, sort=False)["price"].median()
    parts = []
    for kind, count in zip(kinds, per_kind, strict=True):
        if count == 0:
            continue
        if kind == "duplicate_burst":
            parts.append(_bursts(clean, with_customer, count, rng))
            continue
        lines = clean.iloc[rng.choice(pool, size=count, replace=False)].copy()
        if kind in FACTORS:
            column, factor = FACTORS[kind]
            lines[column] = lines[column] * factor
        else:
            lines["price"] = _other_prices(lines["product"], medians, other_price_factor, rng)
        parts.append(lines.assign(slip=kind))
    slips = pd.concat(parts, ignore_index=True)
    slips["revenue"] = slips["price"] * slips["quantity"]
    slips["order_id"] = [f"SLIP-{i:06d}" for i in range(1, len(slips) + 1)]
    if "source_row" in slips.columns:
        slips["source_row"] = 0
    kind_of = slips.pop("slip")
    dtypes = _with_new_categories(clean, slips)
    frame = pd.concat([clean.astype(dtypes), slips.astype(dtypes)], ignore_index=True)
    labels = pd.Series(pd.NA, index=frame.index, dtype="string")
    labels.iloc[len(clean):] = kind_of.to_numpy()
    return frame, labels


def _with_new_categories(clean: pd.DataFrame, slips: pd.DataFrame) -> dict:
    """``clean``'s dtypes, each categorical widened by the values the slips add (their
    ``SLIP-`` order ids), so that appending them keeps every value."""
    dtypes = clean.dtypes.to_dict()
    for column, dtype in dtypes.items():
        if isinstance(dtype, pd.CategoricalDtype):
            added = pd.Index(slips[column].dropna().astype(dtype.categories.dtype).unique())
            dtypes[column] = pd.CategoricalDtype(dtype.categories.union(added))
    return dtypes


def _other_prices(products: pd.Series, medians: pd.Series, factor: float,
                  rng: np.random.Generator) -> np.ndarray:
    """For each line, the median price of a random other product whose median differs from
    its own at least ``factor`` times (either way)."""
    own = medians.reindex(products).to_numpy(float)
    catalogue = np.sort(medians.to_numpy(float))
    low = np.searchsorted(catalogue, own / factor, side="right")  # [0, low): cheap enough
    high = np.searchsorted(catalogue, own * factor, side="left")  # [high, n): dear enough
    choices = low + (len(catalogue) - high)
    pick = np.floor(rng.random(len(own)) * np.maximum(choices, 1)).astype(int)
    index = np.where(pick < low, pick, high + (pick - low))
    return catalogue[np.clip(index, 0, len(catalogue) - 1)]


def _bursts(clean: pd.DataFrame, pool: np.ndarray, count: int,
            rng: np.random.Generator) -> pd.DataFrame:
    """``count`` copies of lines ordered again 2-4 times, each a minute or two after the
    one before."""
    copies = []
    left = count
    originals = rng.permutation(pool)
    for position in originals:
        if left <= 0:
            break
        n = min(left, int(rng.integers(2, 5)))
        if left - n == 1:  # no lone copy at the end: a burst has two copies at least
            n += 1
        line = clean.iloc[[position]]
        gaps = np.cumsum(rng.integers(1, 3, size=n))
        burst = line.loc[line.index.repeat(n)].copy()
        burst["date"] = burst["date"].to_numpy() + gaps.astype("timedelta64[m]")
        copies.append(burst)
        left -= n
    return pd.concat(copies, ignore_index=True).assign(slip="duplicate_burst")


def write_labels(frame: pd.DataFrame, kind: pd.Series, path) -> None:
    """The labels CSV ``salesforge run detector.labels=...`` reads: order_id, label,
    anomaly_type (slips only; every other order is normal)."""
    slips = kind.notna().to_numpy()
    pd.DataFrame({"order_id": frame.loc[slips, "order_id"].to_numpy(), "label": 1,
                  "anomaly_type": kind[slips].to_numpy()}).to_csv(path, index=False)
