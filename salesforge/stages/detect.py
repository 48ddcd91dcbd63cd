"""Stage ``detect``: score transactions against their product's norms and sales periods
against their seasonal baseline; explain every flag; evaluate against labels if given."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from omegaconf import DictConfig, OmegaConf

from salesforge.analytics.formatting import format_signed_money
from salesforge.config import choice
from salesforge.detect import partitions
from salesforge.detect.context import context_features
from salesforge.detect.evaluation import evaluate
from salesforge.detect.periods import detect_periods
from salesforge.detect.series import default_season
from salesforge.errors import ConfigError
from salesforge.schema import RunContext

__all__ = ["ANOMALIES", "context_features", "evaluate", "run_detect"]

ANOMALIES = "anomalies/anomalies.csv"
SERIES_ANOMALIES = "anomalies/series_anomalies.csv"
ROOT_CAUSES = "anomalies/root_causes.csv"


def reason_counts(texts: pd.Series) -> dict[str, int]:
    """How many flagged rows each kind of reason explains ("price vs product", ...)."""
    if texts.empty:
        return {}
    kinds = texts.astype("string").str.extract(r"^(\w+) .*?(median in|median)")
    where = kinds[1].map({"median": "product", "median in": "product in region"})
    return {str(k): int(v) for k, v in (kinds[0] + " vs " + where).value_counts().items()}


def labels_path(ctx: RunContext, configured: str | None) -> Path | None:
    """``detector.labels``, else ``data.labels`` / the bundled sample's labels."""
    if configured:
        return Path(str(configured)).expanduser()
    return ctx.results.get("labels_path")


def score_transactions(ctx: RunContext) -> dict:
    frame = ctx.clean
    name, settings = choice(ctx.config, "detector")
    detector = ctx.create("detector", name, settings, key="detector")
    column = (ctx.config.get("detect") or {}).get("partition_by")
    column = None if column is None else str(column)
    scored = partitions.score_transactions(  # per partition: one task each on the executor
        frame, detector, column, ctx.executor() if column else None,
        lambda done, total: ctx.report_progress("detect", "partitions", done, total))
    scores, flags, inputs = scored.scores, scored.flags, scored.inputs
    flagged = frame.loc[flags].copy()
    flagged["anomaly_score"] = scores[flags]
    flagged["detector"] = name
    flagged["reason"] = scored.reasons
    # scores saturate near 1 for extreme rows: the largest contribution breaks ties
    order = np.lexsort((-scored.top, -flagged["anomaly_score"].to_numpy()))
    flagged = flagged.iloc[order]
    flagged.to_csv(ctx.path(ANOMALIES), index=False)
    ctx.record_artifact("anomalies", ANOMALIES)
    model = scored.detectors["all"] if column is None else scored.detectors
    ctx.results["detect"] = {"anomalies": flagged, "scores": scores, "model": model,
                             "features": inputs}
    path = labels_path(ctx, getattr(detector, "labels", None))
    return {
        "detector": name, "rows_scored": len(frame), "flagged": int(flags.sum()),
        "rate": float(flags.mean()),
        "threshold": model.threshold_ if column is None else None,
        "partition_by": column, "partitions": scored.partitions or None,
        "features": list(inputs.columns),
        "reasons": reason_counts(flagged["reason"]),
        "evaluation": evaluate(frame, scores, flags, path) if path is not None else None,
    }


def score_periods(ctx: RunContext) -> dict | None:
    node = ctx.config.get("detect") or {}
    if not node.get("series", True):
        return None
    freq = str(node.get("freq") or "D")
    by = list(node.get("by") or [])
    missing = [c for c in by if c not in ctx.clean.columns]
    if missing:
        raise ConfigError(f"config key detect.by names column {missing[0]!r}, which the clean "
                          f"data does not have (columns: {', '.join(ctx.clean.columns)}).")
    try:
        season = int(node.get("season") or default_season(freq))
    except ValueError:
        raise ConfigError(f"config key detect.freq={freq!r} is not a pandas frequency "
                          "(e.g. D, W, MS).") from None
    name = str(node.get("series_detector") or "mad")
    settings = node.get("series_settings")
    settings = OmegaConf.to_container(settings, resolve=True) if isinstance(
        settings, DictConfig) else dict(settings or {})
    detector = ctx.create("detector", name, settings, key="detect.series_settings")
    target = str(node.get("target") or "revenue")
    currency = str((ctx.config.get("report") or {}).get("currency") or "IDR")
    periods, flagged, causes = detect_periods(
        ctx.clean, detector, target=target, freq=freq, by=by, season=season,
        cycles=int(node.get("cycles") or 4), drill=list(node.get("drill") or []),
        top=int(node.get("top_causes") or 3),
        money=lambda v: format_signed_money(v, currency))
    flagged = flagged.assign(detector=name)
    flagged.to_csv(ctx.path(SERIES_ANOMALIES), index=False)
    causes.to_csv(ctx.path(ROOT_CAUSES), index=False)
    ctx.record_artifact("series_anomalies", SERIES_ANOMALIES)
    ctx.record_artifact("root_causes", ROOT_CAUSES)
    ctx.results["detect"].update(series=periods, series_anomalies=flagged, root_causes=causes)
    return {
        "detector": name, "target": target, "freq": freq, "by": by, "season": season,
        "periods": len(periods), "flagged": len(flagged),
        "top": [{"series_id": str(r.series_id), "ds": str(r.ds.date()), "actual": float(r.y),
                 "expected": round(float(r.expected), 2), "reason": r.reason,
                 "root_cause": r.root_cause} for r in flagged.head(10).itertuples()],
    }


def run_detect(ctx: RunContext) -> None:
    summary = score_transactions(ctx)
    summary["series"] = score_periods(ctx)
    ctx.manifest["anomalies"] = summary
