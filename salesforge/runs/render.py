"""Terminal tables (rich) for ``salesforge runs``; ``--json`` output is printed as is."""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from typing import Any, TextIO

from rich.console import Console
from rich.table import Table
from rich.text import Text

from salesforge.analytics.formatting import format_number, separators
from salesforge.manifest import to_jsonable
from salesforge.runs.compare import Comparison

BEST = "*"
LIST_METRICS = ("mase", "rmse", "anomalies", "seconds")
#: Colour of each run status in tables (others, ``failed`` and ``interrupted``, are red).
STATUS_STYLES = {"ok": "green", "running": "yellow"}


def console(file: TextIO | None = None) -> Console:
    """A console on ``file`` (stdout); wide when not a terminal so piped tables don't wrap.
    Text is never read as rich markup: ``forecaster=[a,b]`` prints as written."""
    probe = Console(file=file or sys.stdout, highlight=False, markup=False)
    if probe.is_terminal:
        return probe
    return Console(file=file or sys.stdout, highlight=False, markup=False,
                   width=max(probe.width, 400), no_color=True)


def format_value(value: Any, language: str = "en") -> str:
    """A figure as text in ``language``'s number style: floats to 4 decimals (trailing
    zeros dropped) below 1,000 and whole above (money-sized errors read 81,863,626, not
    81,863,625.7397), counts with thousands separators."""
    if value is None or (isinstance(value, float) and value != value):  # None or NaN
        return ""
    if isinstance(value, float) and ((value.is_integer() and abs(value) >= 1)
                                     or abs(value) >= 1000):
        return format_number(round(value), 0, language)
    if isinstance(value, float):
        return format_number(value, 4, language).rstrip("0").rstrip(separators(language)[1])
    if isinstance(value, int) and not isinstance(value, bool):
        return format_number(value, 0, language)
    return str(value)


def print_json(document: Any, file: TextIO | None = None) -> None:
    print(json.dumps(to_jsonable(document), indent=2, ensure_ascii=False),
          file=file or sys.stdout)


def runs_table(rows: list[dict[str, Any]], extra: Sequence[str] = ()) -> Table:
    """``salesforge runs list``: one row per run, newest first."""
    metrics = list(dict.fromkeys([*LIST_METRICS, *extra]))
    table = Table(title=f"{len(rows)} run(s)", title_justify="left")
    for name in ("run id", "started", "status", "source", "best", *metrics,
                 "overrides / error"):
        table.add_column(name, justify="right" if name in metrics else "left",
                         no_wrap=name in ("run id", "started"))
    for row in rows:
        status = Text(row["status"], style=STATUS_STYLES.get(row["status"], "red"))
        note = row.get("error") or " ".join(row["overrides"])
        table.add_row(row["run_id"], (row.get("started_at") or "")[:19].replace("T", " "),
                      status, row.get("source") or "", row.get("best_model") or "",
                      *[format_value(row["metrics"].get(m)) for m in metrics], note or "")
    return table


def show_tables(row: dict[str, Any]) -> list[Table]:
    """``salesforge runs show``: the run's fields, then every metric."""
    fields = Table(title=f"run {row['run_id']}", title_justify="left", show_header=False)
    fields.add_column("field", style="bold")
    fields.add_column("value")
    for key, value in row.items():
        if key != "metrics":
            fields.add_row(key, " ".join(value) if isinstance(value, list)
                           else format_value(value))
    metrics = Table(title="metrics", title_justify="left")
    metrics.add_column("metric")
    metrics.add_column("value", justify="right")
    for name, value in sorted(row["metrics"].items(), key=lambda kv: ("." in kv[0], kv[0])):
        metrics.add_row(name, format_value(value))
    return [fields, metrics]


def compare_table(comparison: Comparison) -> Table:
    """``salesforge runs compare``: a figure per row, a run per column, best marked."""
    table = Table(title=f"{len(comparison.run_ids)} runs compared", title_justify="left",
                  caption=f"{BEST} best of these runs (lower error, higher r2/silhouette/f1, "
                          "coverage nearest its level)", caption_justify="left")
    names = [*comparison.info, *comparison.metrics]
    table.add_column("figure", style="bold", no_wrap=True,
                     min_width=max((len(n) for n in names), default=6))
    for run_id in comparison.run_ids:
        table.add_column(run_id, justify="right", no_wrap=True)
    for key, values in comparison.info.items():
        if any(v not in (None, "") for v in values.values()):
            table.add_row(key, *[format_value(values[r]) for r in comparison.run_ids])
    table.add_section()
    for name, values in comparison.metrics.items():
        best = set(comparison.best.get(name) or [])
        cells = [Text(format_value(values[r]) + f" {BEST}", style="bold green") if r in best
                 else Text(format_value(values[r]) + "  ") for r in comparison.run_ids]
        table.add_row(name, *cells)
    return table


def _changes_table(title: str, rows: list[dict[str, Any]], a: str, b: str) -> Table:
    table = Table(title=title, title_justify="left")
    for name in ("name", a, b, "change", "change %"):
        table.add_column(name, justify="left" if name == "name" else "right", no_wrap=True)
    for row in rows:
        marks = {side: f" {BEST}" if row.get("better") == side else "" for side in "ab"}
        style = "green" if row.get("better") == "b" else "red" if row.get("better") == "a" else ""
        table.add_row(row["name"], format_value(row["a"]) + marks["a"],
                      format_value(row["b"]) + marks["b"],
                      Text(_signed(row["change"]), style=style),
                      _signed(row["change_pct"], "%"))
    return table


def _signed(value: float | None, unit: str = "") -> str:
    if value is None:
        return ""
    return ("+" if value > 0 else "") + format_value(value) + unit


def _records(title: str, rows: list[dict[str, Any]]) -> Table:
    table = Table(title=title, title_justify="left")
    columns = list(dict.fromkeys(k for r in rows for k in r))
    for column in columns:
        table.add_column(column)
    for row in rows:
        table.add_row(*[format_value(row.get(c)) for c in columns])
    return table


def print_diff(diff: dict[str, Any], out: Console, everything: bool = False) -> None:
    """``salesforge runs diff``: what changed from run A to run B, section by section;
    unchanged metrics and KPIs are left out unless ``everything``."""
    a, b = diff["a"], diff["b"]
    out.print(Text.assemble(("A", "bold"), f" = {a} ({diff['status']['a']})   ",
                            ("B", "bold"), f" = {b} ({diff['status']['b']})"))
    out.print("same data" if diff["same_data"] else "different data (data_hash differs)")
    overrides = diff["overrides"]
    if overrides["only_a"] or overrides["only_b"]:
        out.print(f"overrides only in A: {' '.join(overrides['only_a']) or '-'}; "
                  f"only in B: {' '.join(overrides['only_b']) or '-'}")
    if diff["config"]:
        table = Table(title="config differences", title_justify="left")
        for name in ("config key", "A", "B"):
            table.add_column(name)
        for row in diff["config"]:
            table.add_row(row["key"], _config_value(row["a"]), _config_value(row["b"]))
        out.print(table)
    else:
        out.print("config: identical")
    for key, title in (("metrics", "metric changes"), ("kpis", "KPI deltas")):
        rows = [r for r in diff[key] if everything or r["a"] != r["b"]]
        if rows:
            out.print(_changes_table(f"{title} (A -> B)", rows, "A", "B"))
        else:
            out.print(f"{title}: none")
    _print_forecast(diff.get("forecast"), out)
    _print_anomalies(diff.get("anomalies"), out)
    _print_segments(diff.get("segments"), out)


def _config_value(value: Any) -> str:
    return "(absent)" if value is None else json.dumps(value) if isinstance(value, list | dict) \
        else str(value)


def _print_forecast(section: dict[str, Any] | None, out: Console) -> None:
    if section is None:
        out.print("forecast revisions: not available (a run has no forecast/forecast.csv)")
        return
    line = (f"forecast revisions: {section['periods']} period(s) both runs forecast "
            f"(A: {section['model_a']}, B: {section['model_b']})")
    if section["periods"]:
        line += (f"; total {format_value(section['total_a'])} -> "
                 f"{format_value(section['total_b'])} ({_signed(section['change_pct'], '%')}), "
                 f"mean absolute revision {format_value(section['mean_abs_revision_pct'])}%")
    out.print(line)
    revised = [r for r in section["largest"] if r.get("change")]
    if revised:
        out.print(_records("largest forecast revisions", revised))


def _print_anomalies(section: dict[str, Any] | None, out: Console) -> None:
    if section is None:
        out.print("anomalies: not available (a run has no anomalies/anomalies.csv)")
        return
    out.print(f"anomalies: {section['flagged_a']:,} -> {section['flagged_b']:,} flagged; "
              f"{section['new']:,} new, {section['resolved']:,} resolved, {section['kept']:,} "
              f"kept (rows matched by {', '.join(section['key']) or 'position'})")
    if section["new_rows"]:
        out.print(_records("new anomalies (in B, not A)", section["new_rows"]))
    if section["resolved_rows"]:
        out.print(_records("resolved anomalies (in A, not B)", section["resolved_rows"]))


def _print_segments(section: dict[str, Any] | None, out: Console) -> None:
    if section is None:
        out.print("segments: not available (a run has no segments/segments.csv)")
        return
    out.print(f"segment migrations: {section['moved']:,} of {section['entities']:,} entities "
              f"moved segment ({section['only_a']} only in A, {section['only_b']} only in B)")
    if section["flows"]:
        out.print(_records("segment flows (A -> B)", section["flows"]))
