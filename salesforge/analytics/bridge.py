"""Price-volume-mix bridge: why revenue changed between two periods.

For one group (a category, a region, or everything) and the products sold in it::

    current - base = price + volume + mix + new + lost

* ``volume`` = (Q1 - Q0) * P0, with Q the group's units of continuing products and
  P0 their base average price (R0 / Q0);
* ``mix``    = sum_i (Q1 * s1_i - Q1 * s0_i) * p0_i, s_i a product's share of units;
* ``price``  = sum_i (p1_i - p0_i) * q1_i, p_i = r_i / q_i a product's average price;
* ``new``    = revenue in the current period of products not sold in the base period;
* ``lost``   = minus the base revenue of products not sold in the current period.

Only sales rows count (returns are left out), so the bridge explains gross sales.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from salesforge.analytics.measures import sales_mask

EFFECTS = ("price", "volume", "mix", "new", "lost")


def _per_product(frame: pd.DataFrame, group: str | None) -> pd.DataFrame:
    keys = ["product"] if group is None else [group, "product"]
    table = frame.groupby(keys, observed=True).agg(revenue=("revenue", "sum"),
                                                   units=("quantity", "sum"))
    return table[table["units"] > 0]


def bridge(base: pd.DataFrame, current: pd.DataFrame, group: str | None = None,
           total_label: str = "Total") -> pd.DataFrame:
    """One row per value of ``group`` (or one ``Total`` row when ``group`` is None) with
    ``base_revenue``, the five effects and ``current_revenue``; each row adds up."""
    sales0 = _per_product(base.loc[sales_mask(base)], group)
    sales1 = _per_product(current.loc[sales_mask(current)], group)
    both = sales0.add_suffix("0").join(sales1.add_suffix("1"), how="outer").fillna(0.0)
    if group is None:
        both = pd.concat({total_label: both}, names=["group"])
        group = "group"
    both = both.reset_index()
    r0, q0, r1, q1 = (both[c].to_numpy(float) for c in ("revenue0", "units0", "revenue1",
                                                         "units1"))
    kept = (q0 > 0) & (q1 > 0)
    p0 = np.divide(r0, q0, out=np.zeros_like(r0), where=q0 > 0)
    p1 = np.divide(r1, q1, out=np.zeros_like(r1), where=q1 > 0)
    both["_r0k"] = np.where(kept, r0, 0.0)
    both["_q0k"] = np.where(kept, q0, 0.0)
    both["_q1k"] = np.where(kept, q1, 0.0)
    both["_q1p0"] = np.where(kept, q1 * p0, 0.0)
    both["price"] = np.where(kept, (p1 - p0) * q1, 0.0)
    both["new"] = np.where(q0 <= 0, r1, 0.0)
    both["lost"] = np.where(q1 <= 0, -r0, 0.0)
    sums = both.groupby(group, observed=True, sort=True).agg(
        base_revenue=("revenue0", "sum"), current_revenue=("revenue1", "sum"),
        r0k=("_r0k", "sum"), q0k=("_q0k", "sum"), q1k=("_q1k", "sum"), q1p0=("_q1p0", "sum"),
        price=("price", "sum"), new=("new", "sum"), lost=("lost", "sum"))
    avg_p0 = np.divide(sums["r0k"], sums["q0k"], out=np.zeros(len(sums)),
                       where=sums["q0k"].to_numpy() > 0)
    sums["volume"] = (sums["q1k"] - sums["q0k"]) * avg_p0
    sums["mix"] = sums["q1p0"] - sums["q1k"] * avg_p0
    sums["change"] = sums["current_revenue"] - sums["base_revenue"]
    table = sums[["base_revenue", *EFFECTS, "current_revenue", "change"]]
    table.index = table.index.astype(str)
    return table.rename_axis(group).reset_index()


def bridge_steps(row: pd.Series, base_label: str, current_label: str) -> pd.DataFrame:
    """A bridge row as waterfall steps: base, each effect, current (``step``, ``value``,
    ``start``, ``end``) - the shape the bridge chart and Excel sheet use."""
    effects = np.array([row[e] for e in EFFECTS], dtype=float)
    running = float(row["base_revenue"]) + np.concatenate([[0.0], np.cumsum(effects)])
    return pd.DataFrame({
        "step": [base_label, *EFFECTS, current_label],
        "value": [float(row["base_revenue"]), *effects, float(row["current_revenue"])],
        "start": [0.0, *running[:-1], 0.0],
        "end": [float(row["base_revenue"]), *running[1:], float(row["current_revenue"])],
    })
