"""Stage ``detect``: score transactions against their product's norms, explain flags."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from salesforge.config import choice
from salesforge.schema import RunContext

ANOMALIES = "anomalies/anomalies.csv"

#: Context feature -> (measure it compares, sentence template).
CONTEXT = {
    "price_vs_product": ("price", "price {ratio}x the product median"),
    "quantity_vs_product": ("quantity", "quantity {ratio}x the product median"),
    "revenue_vs_product": ("revenue", "revenue {ratio}x the product median"),
}


def context_features(frame: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Log-ratios of price, quantity and revenue to their product's median (model inputs)
    and the plain ratios (for reasons). Pass-through columns are never used."""
    ratios = {}
    for feature, (measure, _) in CONTEXT.items():
        median = frame.groupby("product", observed=True)[measure].transform("median")
        ratios[feature] = frame[measure] / median.where(median > 0)
    ratio = pd.DataFrame(ratios, index=frame.index)
    logs = np.log(ratio.where(ratio > 0)).fillna(0.0)
    return logs, ratio


def _reasons(contributions: pd.DataFrame, ratio: pd.DataFrame) -> list[str]:
    top = contributions.to_numpy().argmax(axis=1)
    columns = list(contributions.columns)
    out = []
    for row, index in enumerate(top):
        feature = columns[index]
        value = ratio.iloc[row][feature]
        shown = f"{value:.1f}" if value >= 0.1 else f"{value:.2f}"
        out.append(CONTEXT[feature][1].format(ratio=shown))
    return out


def evaluate(flagged: pd.DataFrame, frame: pd.DataFrame, labels_path: Path) -> dict | None:
    """Precision and recall of the flags against labelled order ids, when both exist."""
    if "order_id" not in frame.columns or not labels_path.exists():
        return None
    labels = pd.read_csv(labels_path, dtype={"order_id": "string"})
    truth = set(labels["order_id"]) & set(frame["order_id"])
    found = set(flagged["order_id"])
    hits = len(truth & found)
    return {"labels": str(labels_path), "labelled": len(truth), "flagged": len(found),
            "precision": hits / len(found) if found else None,
            "recall": hits / len(truth) if truth else None}


def run_detect(ctx: RunContext) -> None:
    frame = ctx.clean
    inputs, ratio = context_features(frame)
    name, settings = choice(ctx.config, "detector")
    detector = ctx.create("detector", name, settings, key="detector").fit(inputs)
    scores = detector.score_samples(inputs)
    flags = scores >= detector.threshold_
    flagged = frame.loc[flags].copy()
    flagged["anomaly_score"] = scores[flags]
    flagged["detector"] = name
    contributions = detector.contributions(inputs.loc[flags])
    if contributions is None:
        contributions = inputs.loc[flags].abs()
    flagged["reason"] = _reasons(contributions, ratio.loc[flags]) if flags.any() else []
    flagged = flagged.sort_values("anomaly_score", ascending=False, kind="stable")
    flagged.to_csv(ctx.path(ANOMALIES), index=False)
    ctx.record_artifact("anomalies", ANOMALIES)
    ctx.results["detect"] = {"anomalies": flagged, "scores": scores}
    ctx.manifest["anomalies"] = {
        "detector": name, "rows_scored": len(frame), "flagged": int(flags.sum()),
        "rate": float(flags.mean()), "threshold": detector.threshold_,
        "features": list(inputs.columns),
        "evaluation": evaluate(flagged, frame, ctx.results["labels_path"])
        if "labels_path" in ctx.results else None,
    }
