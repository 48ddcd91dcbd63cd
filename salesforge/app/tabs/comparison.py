"""Comparison: pick runs; headline metrics and config differences side by side."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import panel as pn

from salesforge.analytics.formatting import format_money
from salesforge.app.filters import GlobalFilters
from salesforge.app.format import currency_of
from salesforge.app.runs import RunData
from salesforge.app.tables import note, table
from salesforge.app.tabs import Tab


def flatten(node: Any, prefix: str = "") -> dict[str, Any]:
    """Nested config as ``{"forecast.horizon": 28, ...}``; lists stay values."""
    if not isinstance(node, dict):
        return {prefix: node}
    out: dict[str, Any] = {}
    for key, value in node.items():
        out.update(flatten(value, f"{prefix}.{key}" if prefix else str(key)))
    return out


def metrics(run: RunData) -> dict[str, Any]:
    """The figures compared across runs."""
    m = run.manifest
    fc, seg, an = run.section("forecast"), run.section("segments"), run.section("anomalies")
    kpis = run.section("analytics").get("kpis") or {}
    best = (fc.get("models") or {}).get(fc.get("best")) or {}
    metric = fc.get("selection_metric") or "mase"
    source = (m.get("data") or {}).get("source")
    row = {"status": m.get("status"), "source": Path(str(source)).name if source else None,
           "rows clean": (m.get("data") or {}).get("rows_clean"),
           "revenue": format_money(kpis.get("revenue"), currency_of(m)),
           "orders": kpis.get("transactions"),
           "best model": fc.get("best"), f"best {metric}": best.get(metric),
           "horizon": fc.get("horizon"), "segments": seg.get("n_segments"),
           "silhouette": seg.get("silhouette"), "anomalies flagged": an.get("flagged"),
           "seconds": round(sum((m.get("timings") or {}).values()), 2)}
    for model, scores in (fc.get("models") or {}).items():
        row[f"{metric} {model}"] = scores.get(metric)
    return row


def side_by_side(runs: list[RunData]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(metrics, config differences): one row per figure / differing config key, one
    column per run."""
    columns = {r.run_id: metrics(r) for r in runs}
    figures = pd.DataFrame(columns).astype(object).rename_axis("figure").reset_index()
    configs = {r.run_id: flatten(r.manifest.get("config") or {}) for r in runs}
    keys = sorted(set().union(*configs.values())) if configs else []
    differ = [k for k in keys if len({repr(c.get(k)) for c in configs.values()}) > 1]
    diffs = pd.DataFrame({rid: [str(c.get(k)) for k in differ] for rid, c in configs.items()},
                         index=pd.Index(differ, name="config key")).reset_index()
    return figures.map(shown), diffs


def shown(value: Any) -> str:
    """A compared figure as text: floats to 4 significant decimals, counts with commas."""
    if value is None or (isinstance(value, float) and value != value):  # None or NaN
        return ""
    if isinstance(value, float):
        return f"{value:,.4f}".rstrip("0").rstrip(".")
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return str(value)


class ComparisonTab(Tab):
    title = "Comparison"

    def __init__(self, filters: GlobalFilters, runs: Callable[[], list[RunData]]) -> None:
        super().__init__(filters)
        self.runs = runs
        self.picker = pn.widgets.MultiChoice(label="Runs to compare", options={},
                                             sizing_mode="stretch_width")
        self.picker.param.watch(lambda _e: self.refresh(), "value")

    def show(self, run: RunData | None) -> None:
        known = {r.label: r.path for r in self.runs()}
        chosen = [p for p in self.picker.value if p in known.values()]
        if run is not None and run.path not in chosen:
            chosen = [run.path, *chosen][:2] if len(chosen) < 2 else chosen
        others = [p for p in known.values() if p not in chosen]
        while len(chosen) < 2 and others:
            chosen.append(others.pop(0))
        self.picker.param.update(options=known, value=chosen)
        super().show(run)

    def render(self, run: RunData) -> list:
        chosen = [RunData(p) for p in self.picker.value]
        if len(chosen) < 2:
            return [self.picker, note("Pick at least two runs to compare.")]
        figures, diffs = side_by_side(chosen)
        parts: list = [self.picker, pn.pane.Markdown("### Metrics"),
                       table(figures, "comparison_metrics", page_size=30),
                       pn.pane.Markdown("### Config differences")]
        parts.append(table(diffs, "config_differences", page_size=30) if len(diffs)
                     else note("The runs' configs are identical."))
        return parts
