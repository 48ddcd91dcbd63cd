"""``salesforge runs accuracy``: how the forecasts of every indexed run did once their
periods happened, as later runs scored them (``manifest.forecast.realized``).

One row per forecast run and model (``--by run``, the default) or per forecast run, model
and series (``--by series``, read from each scoring run's ``forecast/realized.csv``),
oldest first; an Altair chart of MASE (and coverage) over the forecast periods is
written beside the index.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pandas as pd
from rich.table import Table
from rich.text import Text

from salesforge.forecast.realized import REALIZED
from salesforge.manifest import MANIFEST_NAME, read_manifest
from salesforge.runs.index import RunIndex
from salesforge.runs.render import format_value

BY = ("run", "series")
#: Columns of the ``--by run`` table (``--json`` keys).
RUN_COLUMNS = ["forecast_run", "scored_by", "model", "chosen", "first", "last", "periods",
               "series", "mase", "bias_pct", "coverage", "level"]
SERIES_COLUMNS = ["forecast_run", "scored_by", "model", "series_id", "periods", "mase",
                  "bias_pct", "coverage"]


def _realized_runs(index: RunIndex) -> list[tuple[dict[str, Any], dict[str, Any], Path]]:
    """(index row, ``forecast.realized``, run folder) of every run that scored an earlier
    one, oldest first."""
    found = []
    for row in reversed(index.runs(where=["status=ok"])):
        folder = Path(row["path"])
        if not (folder / MANIFEST_NAME).is_file():
            continue
        try:
            manifest = read_manifest(folder)
        except (OSError, ValueError):
            continue
        realized = (manifest.get("forecast") or {}).get("realized") or {}
        if realized.get("models"):
            found.append((row, realized, folder))
    return found


def accuracy_by_run(index: RunIndex, model: str | None = None) -> pd.DataFrame:
    """One row per forecast run and model: the realised MASE, bias % and coverage of its
    primary interval level, with the run that scored it."""
    rows = []
    for row, realized, _ in _realized_runs(index):
        level = realized.get("interval_level")
        key = str(round(float(level) * 100)) if level is not None else None
        for name, figures in realized["models"].items():
            if model is not None and name != model:
                continue
            rows.append({
                "forecast_run": realized.get("source_run"), "scored_by": row["run_id"],
                "model": name, "chosen": name == realized.get("model"),
                "first": realized.get("first"), "last": realized.get("last"),
                "periods": realized.get("periods"), "series": realized.get("series"),
                "mase": figures.get("mase"), "bias_pct": figures.get("bias_pct"),
                "coverage": (figures.get("coverage") or {}).get(key) if key else None,
                "level": level})
    return pd.DataFrame(rows, columns=RUN_COLUMNS)


def accuracy_by_series(index: RunIndex, model: str | None = None) -> pd.DataFrame:
    """One row per forecast run, model and series, from the scoring runs' realized.csv."""
    frames = []
    for row, realized, folder in _realized_runs(index):
        path = folder / REALIZED
        if not path.is_file():
            continue
        table = pd.read_csv(path, dtype={"series_id": "string", "model": "string"})
        if model is not None:
            table = table[table["model"] == model]
        if table.empty:
            continue
        grouped = table.groupby(["model", "series_id"], sort=True)
        part = pd.DataFrame({
            "periods": grouped["ds"].nunique(),
            "mase": grouped["scaled_error"].mean(),
            "bias_pct": 100 * (grouped["y_pred"].sum() - grouped["y_true"].sum())
            / grouped["y_true"].sum().abs().where(lambda s: s > 0),
            "coverage": grouped["inside"].mean() if "inside" in table else math.nan,
        }).reset_index()
        part.insert(0, "scored_by", row["run_id"])
        part.insert(0, "forecast_run", realized.get("source_run"))
        frames.append(part)
    if not frames:
        return pd.DataFrame(columns=SERIES_COLUMNS)
    return pd.concat(frames, ignore_index=True)[SERIES_COLUMNS]


def accuracy_table(frame: pd.DataFrame, by: str) -> Table:
    """The rich table of :func:`accuracy_by_run` / :func:`accuracy_by_series` (text cells
    are never read as markup)."""
    what = "model and series" if by == "series" else "model"
    table = Table(title=f"realised accuracy: {len(frame)} row(s), one per forecast run and "
                        f"{what}", title_justify="left")
    numbers = {"periods", "series", "mase", "bias_pct", "coverage"}
    for column in frame.columns:
        if column == "level":
            continue
        table.add_column(column.replace("_", " "),
                         justify="right" if column in numbers else "left")
    for record in frame.to_dict("records"):
        cells = []
        for column, value in record.items():
            if column == "level":
                continue
            if column == "chosen":
                value = "*" if value else ""
            elif column == "coverage" and value is not None and not pd.isna(value):
                value = f"{float(value):.0%}"
            elif isinstance(value, float) and pd.isna(value):
                value = None
            cells.append(Text(format_value(value)))
        table.add_row(*cells)
    return table


def accuracy_chart(frame: pd.DataFrame, path: Path) -> Path:
    """:func:`~salesforge.charts.accuracy.accuracy_history_chart` of ``frame`` saved as
    an offline HTML page at ``path`` (vega-embed beside it)."""
    from salesforge.charts.accuracy import accuracy_history_chart
    from salesforge.charts.export import save_chart

    return save_chart(accuracy_history_chart(frame), path.parent, path.stem, png=False)["html"]
