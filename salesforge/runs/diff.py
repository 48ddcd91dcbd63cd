"""What changed from run A to run B: config, metrics, KPIs and the runs' own outputs.

Read from the two run directories: ``manifest.json`` (config, metrics, KPIs),
``forecast/forecast.csv`` (revisions of each run's best model on the periods both forecast),
``anomalies/anomalies.csv`` (flags new in B and resolved since A) and
``segments/segments.csv`` (entities that moved segment).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from salesforge.config import GROUP_KINDS, LIST_GROUPS
from salesforge.layout import RunLayout
from salesforge.manifest import read_manifest, to_jsonable
from salesforge.runs.compare import metric_order
from salesforge.runs.status import effective_status
from salesforge.runs.summary import components, direction, key_metrics

TOP = 10
#: Row identity for anomalies when neither an order id nor a source row can be used.
ROW_KEY = ("date", "product", "region", "quantity", "price", "revenue")


def flatten(node: Any, prefix: str = "") -> dict[str, Any]:
    """Nested config as ``{"forecast.horizon": 28, ...}``; lists stay values."""
    if not isinstance(node, dict):
        return {prefix: node}
    out: dict[str, Any] = {}
    for key, value in node.items():
        out.update(flatten(value, f"{prefix}.{key}" if prefix else str(key)))
    return out


def config_changes(config_a: dict[str, Any], config_b: dict[str, Any]) -> list[dict[str, Any]]:
    """Differing config keys as ``{"key", "a", "b"}`` (``None`` = absent). A group whose
    chosen component differs shows as one row (``forecaster: linear -> seasonal_naive``);
    the settings of components only one run used are left out."""
    chosen_a, chosen_b = components(config_a), components(config_b)
    rows = [{"key": g, "a": chosen_a.get(g), "b": chosen_b.get(g)} for g in GROUP_KINDS
            if chosen_a.get(g) != chosen_b.get(g)]
    changed = {r["key"] for r in rows}
    flat_a, flat_b = flatten(config_a), flatten(config_b)
    for key in sorted(set(flat_a) | set(flat_b)):
        group, _, rest = key.partition(".")
        if group in changed:
            if group not in LIST_GROUPS:
                continue
            name = rest.partition(".")[0]
            if name not in chosen_a[group].split(",") or name not in chosen_b[group].split(","):
                continue
        if repr(flat_a.get(key)) != repr(flat_b.get(key)):
            rows.append({"key": key, "a": flat_a.get(key), "b": flat_b.get(key)})
    return rows


def metric_changes(metrics_a: dict[str, float], metrics_b: dict[str, float],
                   names: list[str]) -> list[dict[str, Any]]:
    """``{"name", "a", "b", "change", "change_pct", "better"}`` for each of ``names`` either
    run has; ``better`` is ``"a"``/``"b"``/``None`` by the metric's direction."""
    rows = []
    for name in names:
        a, b = metrics_a.get(name), metrics_b.get(name)
        if a is None and b is None:
            continue
        change = b - a if a is not None and b is not None else None
        pct = change / abs(a) * 100 if change is not None and a else None
        rows.append({"name": name, "a": a, "b": b, "change": change, "change_pct": pct,
                     "better": _better(name, a, b)})
    return rows


def _better(name: str, a: float | None, b: float | None) -> str | None:
    how = direction(name)
    if how in (None, "level") or a is None or b is None or a == b:
        return None
    if how == "abs":
        a, b, how = abs(a), abs(b), "min"
    return ("a" if a < b else "b") if how == "min" else ("a" if a > b else "b")


#: A run's folder and its manifest.
RunFiles = tuple[Path, Mapping[str, Any]]


def _table(run_dir: Path, manifest: Mapping[str, Any], key: str, default: str
           ) -> pd.DataFrame | None:
    relative = (manifest.get("artifacts") or {}).get(key, default)
    path = run_dir / str(relative)
    if not path.is_file():
        return None
    return pd.read_csv(path)


def forecast_revisions(a: RunFiles, b: RunFiles) -> dict[str, Any] | None:
    """How B's best-model forecast revises A's on the (series, ds) both forecast."""
    frames = []
    for run_dir, manifest in (a, b):
        frame = _table(run_dir, manifest, "forecast", RunLayout.FORECAST)
        if frame is None or frame.empty:
            return None
        best = (manifest.get("forecast") or {}).get("best") or frame["model"].iloc[0]
        frame = frame[frame["model"] == best]
        frames.append((best, frame[["series_id", "ds", "y_pred"]]))
    (model_a, fa), (model_b, fb) = frames
    both = fa.merge(fb, on=["series_id", "ds"], suffixes=("_a", "_b"))
    out: dict[str, Any] = {"model_a": model_a, "model_b": model_b, "periods": len(both),
                           "series": int(both["series_id"].nunique()),
                           "periods_only_a": len(fa) - len(both),
                           "periods_only_b": len(fb) - len(both)}
    if both.empty:
        return {**out, "total_a": None, "total_b": None, "change_pct": None,
                "mean_abs_revision_pct": None, "largest": []}
    change = both["y_pred_b"] - both["y_pred_a"]
    base = both["y_pred_a"].abs().replace(0, np.nan)
    both = both.assign(change=change, change_pct=change / base * 100)
    total_a, total_b = float(both["y_pred_a"].sum()), float(both["y_pred_b"].sum())
    largest = both.reindex(change.abs().sort_values(ascending=False).index).head(TOP)
    return {**out, "total_a": total_a, "total_b": total_b,
            "change_pct": (total_b - total_a) / abs(total_a) * 100 if total_a else None,
            "mean_abs_revision_pct": _float(both["change_pct"].abs().mean()),
            "largest": to_jsonable(largest.rename(columns={"y_pred_a": "a", "y_pred_b": "b"})
                                   .to_dict("records"))}


def anomaly_changes(a: RunFiles, b: RunFiles) -> dict[str, Any] | None:
    """Rows flagged in B but not A (new) and in A but not B (resolved)."""
    fa = _table(*a, "anomalies", RunLayout.ANOMALIES)
    fb = _table(*b, "anomalies", RunLayout.ANOMALIES)
    if fa is None or fb is None:
        return None
    same_data = a[1].get("data_hash") and a[1].get("data_hash") == b[1].get("data_hash")
    if same_data and "source_row" in fa and "source_row" in fb:
        key = ["source_row"]
    elif "order_id" in fa and "order_id" in fb:
        key = [c for c in ("order_id", "product") if c in fa and c in fb]
    else:
        key = [c for c in ROW_KEY if c in fa and c in fb]
    ka, kb = _row_keys(fa, key), _row_keys(fb, key)
    new, resolved = fb[~kb.isin(set(ka))], fa[~ka.isin(set(kb))]
    shown = [c for c in (*key, "date", "product", "anomaly_score", "reason")
             if c in fb.columns or c in fa.columns]
    shown = list(dict.fromkeys(shown))
    return {"key": key, "flagged_a": len(fa), "flagged_b": len(fb), "new": len(new),
            "resolved": len(resolved), "kept": len(fb) - len(new),
            "new_rows": _top(new, shown), "resolved_rows": _top(resolved, shown)}


def _row_keys(frame: pd.DataFrame, key: list[str]) -> pd.Series:
    """One text key per row from the ``key`` columns (vectorised)."""
    out = pd.Series("", index=frame.index, dtype=object)
    for column in key:
        out = out + "|" + frame[column].astype(str)
    return out


def _top(frame: pd.DataFrame, columns: list[str]) -> list[dict[str, Any]]:
    frame = frame[[c for c in columns if c in frame.columns]]
    if "anomaly_score" in frame:
        frame = frame.sort_values("anomaly_score", ascending=False, kind="stable")
    return to_jsonable(frame.head(TOP).to_dict("records"))


def segment_migrations(a: RunFiles, b: RunFiles) -> dict[str, Any] | None:
    """Entities whose segment differs between the runs, and the flows between segments."""
    fa = _table(*a, "segments", RunLayout.SEGMENTS)
    fb = _table(*b, "segments", RunLayout.SEGMENTS)
    if fa is None or fb is None or "entity" not in fa or "entity" not in fb:
        return None
    both = fa[["entity", "segment_name"]].merge(fb[["entity", "segment_name"]], on="entity",
                                                how="outer", suffixes=("_a", "_b"))
    present = both.dropna(subset=["segment_name_a", "segment_name_b"])
    moved = present[present["segment_name_a"] != present["segment_name_b"]]
    flows = (moved.groupby(["segment_name_a", "segment_name_b"]).size()
             .rename("entities").reset_index().sort_values("entities", ascending=False))
    return {"entities": len(present), "moved": len(moved),
            "only_a": int(both["segment_name_b"].isna().sum()),
            "only_b": int(both["segment_name_a"].isna().sum()),
            "migrations": to_jsonable(moved.rename(columns={"segment_name_a": "a",
                                                            "segment_name_b": "b"})
                                      .head(TOP * 3).to_dict("records")),
            "flows": to_jsonable(flows.rename(columns={"segment_name_a": "a",
                                                       "segment_name_b": "b"})
                                 .to_dict("records"))}


def _float(value: Any) -> float | None:
    return None if value is None or pd.isna(value) else float(value)


def diff_runs(row_a: dict[str, Any], row_b: dict[str, Any], everything: bool = False
              ) -> dict[str, Any]:
    """Everything that changed from run ``row_a`` to run ``row_b`` (index rows with
    ``path``); JSON-ready. Sections a run cannot provide (a stage off) are ``None``."""
    dir_a, dir_b = Path(row_a["path"]), Path(row_b["path"])
    man_a, man_b = read_manifest(dir_a), read_manifest(dir_b)
    a, b = (dir_a, man_a), (dir_b, man_b)
    metrics_a, metrics_b = key_metrics(man_a), key_metrics(man_b)
    kpis = set((man_a.get("analytics") or {}).get("kpis") or {}) | set(
        (man_b.get("analytics") or {}).get("kpis") or {})
    names = metric_order(set(metrics_a) | set(metrics_b), everything=True)
    model_names = [n for n in names if n not in kpis and n != "interval_level"
                   and (everything or "." not in n)]
    overrides_a, overrides_b = row_a.get("overrides") or [], row_b.get("overrides") or []
    return {
        "a": row_a["run_id"], "b": row_b["run_id"],
        "status": {"a": effective_status(man_a), "b": effective_status(man_b)},
        "same_data": bool(man_a.get("data_hash")) and man_a.get("data_hash") == man_b.get(
            "data_hash"),
        "same_config": man_a.get("config_hash") == man_b.get("config_hash"),
        "overrides": {"only_a": [o for o in overrides_a if o not in overrides_b],
                      "only_b": [o for o in overrides_b if o not in overrides_a]},
        "config": to_jsonable(config_changes(man_a.get("config") or {},
                                             man_b.get("config") or {})),
        "metrics": metric_changes(metrics_a, metrics_b, model_names),
        "kpis": metric_changes(metrics_a, metrics_b, [n for n in names if n in kpis]),
        "forecast": forecast_revisions(a, b),
        "anomalies": anomaly_changes(a, b),
        "segments": segment_migrations(a, b),
    }
