"""Context features for transaction detectors: each measure against its product's norm
(and its product's norm in the row's region), as log-ratios; and the reasons they give."""

from __future__ import annotations

import numpy as np
import pandas as pd

from salesforge.base.detector import Detector

#: Context feature -> (measure, grouping columns, reason template).
CONTEXT: dict[str, tuple[str, tuple[str, ...], str]] = {
    "price_vs_product": ("price", ("product",), "price {ratio}x the product median"),
    "quantity_vs_product": ("quantity", ("product",), "quantity {ratio}x the product median"),
    "revenue_vs_product": ("revenue", ("product",), "revenue {ratio}x the product median"),
    "quantity_vs_product_region": ("quantity", ("product", "region"),
                                   "quantity {ratio}x the product median in {region}"),
}


def _group_codes(frame: pd.DataFrame, columns: tuple[str, ...]) -> np.ndarray:
    codes = np.zeros(len(frame), dtype="int64")
    for column in columns:
        values, uniques = pd.factorize(frame[column], use_na_sentinel=False)
        codes = codes * (len(uniques) + 1) + values
    return codes


def list_prices(frame: pd.DataFrame) -> np.ndarray:
    """The price before discount, ``price / (1 - discount)``, where a ``discount`` column
    gives a fraction in [0, 1) (or a percentage in [0, 100)); the price itself otherwise,
    so a discounted sale is judged by its list price, not flagged as a price drop."""
    price = frame["price"].to_numpy(float)
    if "discount" not in frame.columns:
        return price
    discount = frame["discount"].to_numpy(float)
    if np.nanmax(np.abs(discount), initial=0.0) > 1:
        discount = discount / 100.0
    usable = (discount >= 0) & (discount < 1)
    return np.where(usable, price / np.where(usable, 1.0 - discount, 1.0), price)


def context_features(frame: pd.DataFrame, region: bool | None = None, min_rows: int = 5
                     ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Model inputs and ratios, one row per transaction (same index as ``frame``).

    Inputs are log(measure / median of the measure in its group), 0 where the ratio is
    undefined (zero or negative values or medians, or a group of fewer than ``min_rows``
    rows, twice that for product x region, whose median says little); ratios are the plain
    quotients, for reasons. Prices are list prices when the data has a discount
    (:func:`list_prices`). Groups are the product, and product x region when ``region`` is
    true (default: when the frame has more than one region). Only ``product``, ``region``,
    the canonical measures and ``discount`` are read: pass-through columns (ids, notes) are
    never inputs.
    """
    if region is None:
        region = "region" in frame.columns and frame["region"].nunique(dropna=False) > 1
    ratios = {}
    codes: dict[tuple[str, ...], np.ndarray] = {}
    for feature, (measure, by, _) in CONTEXT.items():
        if "region" in by and not region:
            continue
        if by not in codes:
            codes[by] = _group_codes(frame, by)
        values = list_prices(frame) if measure == "price" else frame[measure].to_numpy(float)
        grouped = pd.Series(values).groupby(codes[by])
        median = grouped.transform("median").to_numpy()
        needed = min_rows * len(by)  # product x region groups are split finer: need more
        known = grouped.transform("size").to_numpy() >= needed
        with np.errstate(divide="ignore", invalid="ignore"):
            ratios[feature] = np.where((median > 0) & known, values / median, np.nan)
    ratio = pd.DataFrame(ratios, index=frame.index)
    with np.errstate(divide="ignore", invalid="ignore"):
        logs = np.log(ratio.where(ratio > 0)).fillna(0.0)
    return logs, ratio


def fit_on_known_context(detector: Detector, inputs: pd.DataFrame,
                         ratio: pd.DataFrame) -> np.ndarray:
    """Fit on the rows whose product context is known (their product has enough rows for a
    meaningful median) and score every row. Rows without context have all-zero inputs;
    learning "normal" from them would shrink every scale towards 0."""
    known = ratio["price_vs_product"].notna().to_numpy()
    if known.all() or known.sum() < 10:
        return detector.fit_score(inputs)
    detector.fit(inputs[known])
    return detector.score_samples(inputs)



def _shown(value: float) -> str:
    if not np.isfinite(value):
        return "n/a"
    return f"{value:.1f}" if value >= 0.1 else f"{value:.2g}"


def _blame_the_cause(top: np.ndarray, columns: list[str], ratios: np.ndarray) -> np.ndarray:
    """Revenue is price x quantity: where revenue is the top feature but the price or the
    quantity moved at least half as far (in log terms), name that measure instead."""
    if "revenue_vs_product" not in columns:
        return top
    with np.errstate(divide="ignore", invalid="ignore"):
        logs = np.nan_to_num(np.abs(np.log(ratios)), nan=0.0, posinf=0.0)
    causes = [i for i, c in enumerate(columns) if CONTEXT[c][0] in ("price", "quantity")]
    if not causes:
        return top
    revenue = columns.index("revenue_vs_product")
    best = np.asarray(causes)[logs[:, causes].argmax(axis=1)]
    moved = logs[np.arange(len(top)), best] >= 0.5 * logs[:, revenue]
    return np.where((top == revenue) & moved, best, top)


def reasons(contributions: pd.DataFrame, ratio: pd.DataFrame, frame: pd.DataFrame) -> list[str]:
    """A sentence per row from the feature contributing most to its score, e.g.
    "price 10.3x the product median" or "quantity 25.0x the product median in Jakarta"."""
    if contributions.empty:
        return []
    columns = list(contributions.columns)
    top = np.nan_to_num(contributions.to_numpy(float), nan=-np.inf).argmax(axis=1)
    top = _blame_the_cause(top, columns, ratio[columns].to_numpy(float))
    values = ratio[columns].to_numpy(float)[np.arange(len(top)), top]
    regions = (frame["region"].astype("string").fillna("Unknown").to_numpy()
               if "region" in frame.columns else np.full(len(top), ""))
    return [CONTEXT[columns[i]][2].format(ratio=_shown(v), region=r)
            for i, v, r in zip(top, values, regions, strict=True)]
