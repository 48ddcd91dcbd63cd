"""One human sentence and a money impact per flagged transaction.

The sentence names the feature that contributed most, the line against its baseline, the
detector's raw statistic and the money at stake, e.g.

* "price 10.0x the product median (£2.55): robust z 14.2; +£22.95 on this line"
* "quantity 25.0x the product median in Jakarta (3): robust z 6.4; +Rp 2.640.000 on this line"
* "repeated order: the same line 3 times within minutes: robust z 6; +£17.70 for this copy"

Money impact (``money_impact``, in the data's currency, signed): the line's revenue minus
its revenue at the usual price (price) or the usual quantity (quantity); the whole line for a
repeated copy. Revenue is price x quantity where there is no revenue column.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from salesforge.detect.context import FEATURES

#: Feature -> the kind counted in ``manifest.anomalies.reasons``.
KINDS = {"price_vs_product": "price vs product", "quantity_vs_product": "quantity vs product",
         "repeat_order": "repeat order"}


def _shown(value: float) -> str:
    if not np.isfinite(value):
        return "n/a"
    return f"{value:.1f}" if value >= 0.1 else f"{value:.2g}"


def _count(value: float) -> str:
    if not np.isfinite(value):
        return "n/a"
    return f"{value:,.0f}" if abs(value - round(value)) < 0.05 or value >= 100 \
        else f"{value:,.1f}"


def _revenue(frame: pd.DataFrame) -> np.ndarray:
    if "revenue" in frame.columns:
        return frame["revenue"].to_numpy(float)
    return frame["price"].to_numpy(float) * frame["quantity"].to_numpy(float)


def top_features(contributions: pd.DataFrame) -> np.ndarray:
    """Per row, the name of the context feature contributing most (other columns of a
    detector's contributions are ignored)."""
    columns = [c for c in contributions.columns if c in FEATURES]
    if not columns:
        return np.full(len(contributions), FEATURES[0], dtype=object)
    values = np.nan_to_num(contributions[columns].to_numpy(float), nan=-np.inf)
    return np.asarray(columns, dtype=object)[values.argmax(axis=1)]


def money_impact(top: np.ndarray, ratio: pd.DataFrame, frame: pd.DataFrame) -> np.ndarray:
    """Signed money at stake per row (see the module docstring)."""
    revenue = _revenue(frame)
    out = np.zeros(len(frame))
    for feature in ("price_vs_product", "quantity_vs_product"):
        rows = top == feature
        with np.errstate(divide="ignore", invalid="ignore"):
            moved = revenue[rows] * (1.0 - 1.0 / ratio[feature].to_numpy(float)[rows])
        out[rows] = np.nan_to_num(moved, nan=0.0, posinf=0.0, neginf=0.0)
    rows = top == "repeat_order"
    out[rows] = revenue[rows]
    return out


def explain(contributions: pd.DataFrame, ratio: pd.DataFrame, frame: pd.DataFrame,
            raw: np.ndarray, raw_name: str, money: Callable[[float], str]
            ) -> tuple[list[str], np.ndarray, np.ndarray]:
    """``(reasons, money_impact, top feature)`` for the rows of ``frame`` (all frames
    aligned: the flagged rows), ``raw`` their raw statistic called ``raw_name``."""
    if not len(frame):
        return [], np.zeros(0), np.empty(0, dtype=object)
    top = top_features(contributions)
    impact = money_impact(top, ratio, frame)
    regions = (frame["region"].astype("string").fillna("Unknown").to_numpy()
               if "region" in frame.columns else np.full(len(frame), ""))
    regional = ratio["regional"].to_numpy(bool) if "regional" in ratio.columns \
        else np.zeros(len(frame), dtype=bool)
    price = ratio["price_vs_product"].to_numpy(float)
    quantity = ratio["quantity_vs_product"].to_numpy(float)
    copies = ratio["repeat_order"].to_numpy(float) + 1
    usual_price = ratio["usual_price"].to_numpy(float)
    usual_quantity = ratio["usual_quantity"].to_numpy(float)
    many = getattr(money, "many", None)  # MoneyFormat: one vectorised pass
    impact_texts = many(impact) if many else [money(v) for v in impact.tolist()]
    is_price = np.asarray(top) == "price_vs_product"
    usual_texts = np.full(len(top), "", dtype=object)
    usual_texts[is_price] = (many(usual_price[is_price]) if many else
                             [money(v) for v in usual_price[is_price].tolist()])
    texts = []
    for i, feature in enumerate(top):
        if feature == "price_vs_product":
            head = (f"price {_shown(price[i])}x the product median "
                    f"({usual_texts[i].lstrip('+')})")
            tail = "on this line"
        elif feature == "quantity_vs_product":
            where = f" in {regions[i]}" if regional[i] else ""
            head = (f"quantity {_shown(quantity[i])}x the product median{where} "
                    f"({_count(usual_quantity[i])})")
            tail = "on this line"
        else:
            head = f"repeated order: the same line {copies[i]:.0f} times within minutes"
            tail = "for this copy"
        texts.append(f"{head}: {raw_name} {raw[i]:.4g}; {impact_texts[i]} {tail}")
    return texts, impact, top


def reason_counts(top: np.ndarray, regional: np.ndarray) -> dict[str, int]:
    """How many flagged rows each kind of reason explains ("price vs product", ...)."""
    kinds = pd.Series([KINDS.get(t, str(t)) for t in top], dtype=object)
    kinds[(np.asarray(top) == "quantity_vs_product") & np.asarray(regional, bool)] = \
        "quantity vs product in region"
    return {str(k): int(v) for k, v in kinds.value_counts().items()}
