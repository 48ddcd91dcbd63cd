"""Where every artifact of a run lives: the run directory's layout, in one place.

Stages write through these names, and everything that reads a run directory (the app,
the REST API, ``salesforge runs``, ``salesforge predict``, realised accuracy) reads
through them, so a path is spelt once. The paths are relative to the run directory, with
``/`` separators (as ``manifest.artifacts`` records them); :class:`RunLayout` turns them
into paths of one run directory. The layout is a contract other programs rely on (see
docs/run-directory.md): names are only ever added.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

__all__ = ["RunLayout"]


@dataclass(frozen=True)
class RunLayout:
    """The artifact paths of the run directory ``run_dir``.

    Class attributes give each artifact's run-directory-relative path;
    :meth:`path` joins one to ``run_dir``::

        layout = RunLayout(run_dir)
        board = pd.read_csv(layout.path(RunLayout.LEADERBOARD))
    """

    run_dir: Path

    #: The run's manifest (status, config, timings, every stage's section).
    MANIFEST: ClassVar[str] = "manifest.json"
    #: What the alert rules found and sent (``alerts.rules``).
    ALERTS: ClassVar[str] = "alerts.json"

    # data: the clean stage
    CLEAN: ClassVar[str] = "data/clean.parquet"
    REJECTED: ClassVar[str] = "data/rejected.csv"
    PROFILE: ClassVar[str] = "data/profile.json"

    # forecast: the forecast stage
    BACKTEST: ClassVar[str] = "forecast/backtest.csv"
    FORECAST: ClassVar[str] = "forecast/forecast.csv"
    LEADERBOARD: ClassVar[str] = "forecast/leaderboard.csv"
    METRICS_BY_SERIES: ClassVar[str] = "forecast/metrics_by_series.csv"
    VALUE_ADDED: ClassVar[str] = "forecast/value_added.csv"
    IMPORTANCE: ClassVar[str] = "forecast/importance.csv"
    SELECTION: ClassVar[str] = "forecast/selection.csv"
    REALIZED: ClassVar[str] = "forecast/realized.csv"
    TUNING: ClassVar[str] = "forecast/tuning.csv"
    TUNING_DB: ClassVar[str] = "forecast/tuning.db"
    #: One folder per saved model: ``models/<name>/``.
    MODELS: ClassVar[str] = "models"

    # segments: the segment stage
    SEGMENTS: ClassVar[str] = "segments/segments.csv"
    SEGMENT_PROFILE: ClassVar[str] = "segments/profile.csv"
    SEGMENT_PROJECTION: ClassVar[str] = "segments/projection.csv"

    # anomalies: the detect stage
    ANOMALIES: ClassVar[str] = "anomalies/anomalies.csv"
    SERIES_ANOMALIES: ClassVar[str] = "anomalies/series_anomalies.csv"
    ROOT_CAUSES: ClassVar[str] = "anomalies/root_causes.csv"

    # the report stage
    #: ``charts/<name>.html`` and ``.png``.
    CHARTS: ClassVar[str] = "charts"
    #: Every reporter writes into this folder.
    REPORTS: ClassVar[str] = "reports"
    #: The file each built-in reporter writes with its default settings.
    REPORT_FILES: ClassVar[dict[str, str]] = {
        "pdf": "reports/report.pdf", "excel": "reports/report.xlsx",
        "html": "reports/report.html", "csv": "reports/report_csv.zip"}

    def path(self, relative: str) -> Path:
        """The absolute path of the run-directory-relative ``relative``."""
        return self.run_dir / relative

    @property
    def manifest(self) -> Path:
        """The run's ``manifest.json``."""
        return self.run_dir / self.MANIFEST

    def model_dir(self, name: str) -> Path:
        """The folder of saved model ``name`` (``models/<name>``)."""
        return self.run_dir / self.MODELS / name
