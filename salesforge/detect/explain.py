"""One human sentence and a money impact per flagged transaction.

The sentence names the feature that contributed most, the line against its baseline, the
detector's raw statistic and the money at stake, e.g.

* "price 10.0x the product median (£2.55): robust z 14.2; +£22.95 on this line"
* "quantity 25.0x the product median in Jakarta (3): robust z 6.4; +Rp 2,640,000 on this line"
* "repeated order: the same line 3 times within minutes: robust z 6; +£17.70 for this copy"

The sentence is in the language of the ``money`` formatter
(:class:`~salesforge.analytics.formatting.MoneyFormat`, ``report.language`` in a run):
"harga 10,0x median produk (Rp 2.550): robust z 14,2; +Rp 22.950 pada baris ini".

Money impact (``money_impact``, in the data's currency, signed): the line's revenue minus
its revenue at the usual price (price) or the usual quantity (quantity); the whole line for a
repeated copy. Revenue is price x quantity where there is no revenue column.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import pandas as pd

from salesforge.detect.context import FEATURES
from salesforge.i18n import N_, gettext

#: Feature -> the kind counted in ``manifest.anomalies.reasons``.
KINDS = {"price_vs_product": "price vs product", "quantity_vs_product": "quantity vs product",
         "repeat_order": "repeat order"}


#: The built-in detectors' raw statistics (``Detector.raw_name``), for the catalog.
RAW_NAMES = (N_("raw score"), N_("z"), N_("robust z"), N_("isolation score"),
             N_("combined rank"), N_("PyOD score"))
#: "1,234.5" -> "1.234,5" for Indonesian.
_SWAP = str.maketrans({",": ".", ".": ","})


def _shown(value: float, language: str = "en") -> str:
    if not math.isfinite(value):
        return "n/a"
    text = f"{value:.1f}" if value >= 0.1 else f"{value:.2g}"
    return text.translate(_SWAP) if language == "id" else text


def _count(value: float, language: str = "en") -> str:
    if not math.isfinite(value):
        return "n/a"
    text = f"{value:,.0f}" if abs(value - round(value)) < 0.05 or value >= 100 \
        else f"{value:,.1f}"
    return text.translate(_SWAP) if language == "id" else text


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
    aligned: the flagged rows), ``raw`` their raw statistic called ``raw_name``; the
    reasons in ``money``'s language (its ``language`` attribute, else English)."""
    if not len(frame):
        return [], np.zeros(0), np.empty(0, dtype=object)
    language = str(getattr(money, "language", "en"))
    _ = gettext(language)
    price_head = _("price {ratio}x the product median ({usual})")
    quantity_head = _("quantity {ratio}x the product median{where} ({usual})")
    region_where = _(" in {region}")
    repeat_head = _("repeated order: the same line {copies} times within minutes")
    on_line, for_copy = _("on this line"), _("for this copy")
    sentence = _("{head}: {statistic} {raw}; {impact} {tail}")
    statistic = _(raw_name)
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
    # Python floats and strings, not NumPy scalars, in the loop over the flagged rows (a
    # third of the time at 100,000 rows; the same text)
    price, quantity, copies = price.tolist(), quantity.tolist(), copies.tolist()
    usual_quantity, raws = usual_quantity.tolist(), np.asarray(raw, dtype=float).tolist()
    regions, regional = regions.tolist(), regional.tolist()
    texts = []
    for i, feature in enumerate(top.tolist()):
        if feature == "price_vs_product":
            head = price_head.format(ratio=_shown(price[i], language),
                                     usual=usual_texts[i].lstrip("+"))
            tail = on_line
        elif feature == "quantity_vs_product":
            where = region_where.format(region=regions[i]) if regional[i] else ""
            head = quantity_head.format(ratio=_shown(quantity[i], language), where=where,
                                        usual=_count(usual_quantity[i], language))
            tail = on_line
        else:
            head = repeat_head.format(copies=f"{copies[i]:.0f}")
            tail = for_copy
        value = f"{raws[i]:.4g}"
        texts.append(sentence.format(head=head, statistic=statistic, tail=tail,
                                     raw=value.translate(_SWAP) if language == "id" else value,
                                     impact=impact_texts[i]))
    return texts, impact, top


def reason_counts(top: np.ndarray, regional: np.ndarray) -> dict[str, int]:
    """How many flagged rows each kind of reason explains ("price vs product", ...)."""
    kinds = pd.Series([KINDS.get(t, str(t)) for t in top], dtype=object)
    kinds[(np.asarray(top) == "quantity_vs_product") & np.asarray(regional, bool)] = \
        "quantity vs product in region"
    return {str(k): int(v) for k, v in kinds.value_counts().items()}
