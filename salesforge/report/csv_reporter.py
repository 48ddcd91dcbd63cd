"""The CSV bundle: every table of the run as a CSV file, plus one zip of them all."""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from salesforge.base.reporter import ReportBundle, Reporter
from salesforge.report.escape import escape_frame


@dataclass
class CsvReporterConfig:
    """Settings of the ``csv`` reporter (``reporter.csv.*``)."""

    #: Folder (inside ``reports/``) for the CSV files.
    folder: str = "csv"
    #: Also write ``report_csv.zip`` with every file.
    zip: bool = True


@dataclass(eq=False)
class CsvReporter(Reporter, CsvReporterConfig):
    """Writes ``<table>.csv`` for each table, ``insights.csv`` (with each number's
    source table, row and column), and a zip of them; text cells that a spreadsheet would
    run as a formula are escaped (:mod:`salesforge.report.escape`)."""

    def _write(self, bundle: ReportBundle, out_dir: Path) -> list[Path]:
        folder = out_dir / self.folder
        folder.mkdir(parents=True, exist_ok=True)
        paths = []
        for name, table in bundle.tables.items():
            path = folder / f"{name}.csv"
            escape_frame(table).to_csv(path, index=False)
            paths.append(path)
        insights = folder / "insights.csv"
        frame = pd.DataFrame({"rank": range(1, len(bundle.insights) + 1),
                              "insight": bundle.insights})
        if bundle.details and len(bundle.details) == len(bundle.insights):  # provenance
            details = pd.DataFrame([d.as_dict() for d in bundle.details])
            frame = frame.join(details.drop(columns="text"))
        escape_frame(frame).to_csv(insights, index=False)
        paths.append(insights)
        if self.zip:
            archive = out_dir / "report_csv.zip"
            with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as handle:
                for path in paths:
                    handle.write(path, arcname=path.name)
            paths.append(archive)
        return paths
