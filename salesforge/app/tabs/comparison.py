"""Comparison: pick runs; metrics side by side (best marked), config differences and, for
two runs, what changed: forecast revisions, new/resolved anomalies, segment migrations,
KPI deltas. The figures come from :mod:`salesforge.runs`, like ``salesforge runs compare``
and ``salesforge runs diff``."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

import pandas as pd
import panel as pn

from salesforge.analytics.formatting import format_number
from salesforge.app.filters import GlobalFilters
from salesforge.app.format import currency_of
from salesforge.app.runs import RunData
from salesforge.app.tables import heading, note, table
from salesforge.app.tabs import Tab
from salesforge.i18n import N_, gettext
from salesforge.report.labels import column_label
from salesforge.runs.compare import compare
from salesforge.runs.diff import config_changes, diff_runs, flatten
from salesforge.runs.render import BEST, format_value
from salesforge.runs.summary import components, summarize

#: Labels of the compared figures that are not column names
#: (:func:`~salesforge.report.labels.column_label` names the others).
FIGURE_LABELS = {
    "started_at": N_("started"), "source": N_("source file"), "best_model": N_("best model"),
    "horizon": N_("horizon"), "freq": N_("frequency"), "overrides": N_("overrides"),
    "rows_clean": N_("clean rows"), "rows_rejected": N_("rejected rows"),
    "segments": N_("segments"), "silhouette": N_("silhouette"), "anomalies": N_("anomalies"),
    "anomaly_rate": N_("anomaly rate"), "anomaly_f1": N_("anomaly F1"),
    "seconds": N_("seconds"), "wape": N_("WAPE"),
}


def figure_label(name: str, language: str = "en") -> str:
    """A compared figure's label in ``language``."""
    known = FIGURE_LABELS.get(name)
    return gettext(language)(known) if known else column_label(name, language)


def side_by_side(runs: list[RunData], language: str = "en"
                 ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(figures, config differences): one row per figure / differing config key, one
    column per run, figures labelled and written in ``language``; the best value of each
    metric ends in ``*``."""
    rows = [summarize(r.manifest, r.path) for r in runs]
    comparison = compare(rows)
    ids = comparison.run_ids
    records = [{"figure": figure_label(key, language),
                **{rid: format_value(values[rid], language) for rid in ids}}
               for key, values in comparison.info.items()]
    for name, values in comparison.metrics.items():
        best = set(comparison.best.get(name) or [])
        records.append({"figure": figure_label(name, language),
                        **{rid: format_value(values[rid], language) + (f" {BEST}" if rid in best
                                                                else "") for rid in ids}})
    figures = pd.DataFrame(records, columns=["figure", *ids])
    configs = {r.run_id: r.manifest.get("config") or {} for r in runs}
    first = next(iter(configs.values()), {})
    keys: dict[str, None] = {}
    for config in configs.values():
        keys.update({c["key"]: None for c in config_changes(first, config)})
    flat = {rid: {**flatten(c), **components(c)} for rid, c in configs.items()}
    diffs = pd.DataFrame({rid: [str(f.get(k)) for k in keys] for rid, f in flat.items()},
                         index=pd.Index(list(keys), name="config key")).reset_index()
    return figures, diffs


def changes(a: RunData, b: RunData, language: str = "en") -> list:
    """What changed from run ``a`` to run ``b`` (panes): summary lines and tables."""
    _ = gettext(language)
    diff = diff_runs(summarize(a.manifest, a.path), summarize(b.manifest, b.path))
    lines = [f"**A** = {diff['a']}, **B** = {diff['b']}"]
    forecast, anomalies, segments = diff["forecast"], diff["anomalies"], diff["segments"]
    count = partial(format_number, language=language)
    if forecast is not None and forecast["periods"]:
        lines.append("- " + _(
            "Forecast: {periods} period(s) both forecast; total {a} → {b} ({change}%), mean "
            "absolute revision {revision}%.").format(
            periods=forecast["periods"], a=format_value(forecast["total_a"], language),
            b=format_value(forecast["total_b"], language),
            change=format_value(forecast["change_pct"], language),
            revision=format_value(forecast["mean_abs_revision_pct"], language)))
    if anomalies is not None:
        lines.append("- " + _(
            "Anomalies: {a} → {b} flagged; {new} new, {resolved} resolved.").format(
            a=count(anomalies["flagged_a"]), b=count(anomalies["flagged_b"]),
            new=count(anomalies["new"]), resolved=count(anomalies["resolved"])))
    if segments is not None:
        lines.append("- " + _("Segments: {moved} of {entities} entities moved segment.").format(
            moved=count(segments["moved"]), entities=count(segments["entities"])))
    parts: list = [pn.pane.Markdown("\n".join(["### " + _("Changes from A to B"), *lines]))]
    deltas = pd.DataFrame([r for r in diff["metrics"] + diff["kpis"] if r["a"] != r["b"]],
                          columns=["name", "a", "b", "change", "change_pct"])
    shown = partial(table, currency=currency_of(a.manifest), language=language)
    if len(deltas):
        parts.append(shown(deltas, "metric_changes", page_size=20))
    if segments is not None and segments["flows"]:
        parts.append(shown(pd.DataFrame(segments["flows"]), "segment_migrations"))
    if anomalies is not None and anomalies["new_rows"]:
        parts.append(shown(pd.DataFrame(anomalies["new_rows"]), "new_anomalies"))
    return parts


class ComparisonTab(Tab):
    title = N_("Comparison")

    def __init__(self, filters: GlobalFilters, runs: Callable[[], list[RunData]],
                 language: str = "en") -> None:
        super().__init__(filters, language)
        self.runs = runs
        self.picker = pn.widgets.MultiChoice(label=self._("Runs to compare"), options={},
                                             sizing_mode="stretch_width")
        self.picker.param.watch(lambda _e: self.refresh(), "value")

    def show(self, run: RunData | None) -> None:
        known = {r.label: r.run_id for r in self.runs()}  # run ids: no server path leaves
        chosen = [p for p in self.picker.value if p in known.values()]
        if run is not None and run.run_id not in chosen:
            chosen = [run.run_id, *chosen][:2] if len(chosen) < 2 else chosen
        others = [p for p in known.values() if p not in chosen]
        while len(chosen) < 2 and others:
            chosen.append(others.pop(0))
        self.picker.param.update(options=known, value=chosen)
        super().show(run)

    def render(self, run: RunData) -> list:
        listed = {r.run_id: r for r in self.runs()}
        chosen = [listed[key] for key in self.picker.value if key in listed]
        _ = self._
        if len(chosen) < 2:
            return [self.picker, note(_("Pick at least two runs to compare."))]
        figures, diffs = side_by_side(chosen, self.language)
        shown = partial(table, page_size=30, currency=currency_of(run.manifest),
                        language=self.language)
        parts: list = [self.picker,
                       pn.pane.Markdown("### " + _("Metrics ({mark} = best)").format(mark=BEST)),
                       shown(figures, "comparison_metrics"),
                       heading(_("Config differences"))]
        parts.append(shown(diffs, "config_differences") if len(diffs)
                     else note(_("The runs' configs are identical.")))
        if len(chosen) == 2:
            parts += changes(chosen[0], chosen[1], language=self.language)
        return parts
