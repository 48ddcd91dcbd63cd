"""Canonical sales columns, the run context handed to stages and hooks, and result types."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from salesforge.results import LegacyResults, StageResults

if TYPE_CHECKING:
    from omegaconf import DictConfig

    from salesforge.plugin.manager import SalesforgePluginManager

#: Columns every cleaned frame has, in this order, with their dtypes. Dimensions are
#: categoricals with sorted text categories, encoded once by the cleaner
#: (:mod:`salesforge.data.encoding`).
REQUIRED_COLUMNS: dict[str, str] = {
    "date": "datetime64[ns]",
    "product": "category",
    "category": "category",
    "region": "category",
    "quantity": "float64",
    "price": "float64",
    "revenue": "float64",
}
#: Canonical columns used when the data has them (ids become ``category`` when they have
#: at most one distinct value per four rows, :mod:`salesforge.data.encoding`).
OPTIONAL_COLUMNS: dict[str, str] = {
    "customer_id": "string",
    "order_id": "string",
    "discount": "float64",
    "cost": "float64",
}
CANONICAL_COLUMNS: dict[str, str] = {**REQUIRED_COLUMNS, **OPTIONAL_COLUMNS}
MEASURES: tuple[str, ...] = ("quantity", "price", "revenue")
DIMENSIONS: tuple[str, ...] = ("product", "category", "region")

#: Stage names in run order; they key ``stages.<stage>`` and ``manifest.timings``.
STAGES: tuple[str, ...] = (
    "load", "clean", "features", "forecast", "segment", "detect", "analytics", "report",
)


@dataclass
class StageOutcome:
    """What one stage did: its duration and the artifacts it wrote (run-dir relative)."""

    stage: str
    seconds: float = 0.0
    artifacts: dict[str, str] = field(default_factory=dict)


@dataclass
class RunContext:
    """Everything a stage reads and writes during one run.

    Stages read the frames earlier stages left (``raw``, ``clean``, ``features``) and
    keep what later stages need in their typed field of ``stage_results``
    (:class:`~salesforge.results.StageResults`); each fills its manifest section.
    ``raw`` (the rows as loaded) is released once the ``clean`` stage has made ``clean``
    and ``rejected`` from it, so a run never holds two full copies of the transactions.
    ``plugin_state`` is the plugins' own space for the run (a tracker, a cache), keyed
    by a name of their choosing; ``results`` is the deprecated dict view of both
    (:class:`~salesforge.results.LegacyResults`).
    """

    config: DictConfig
    run_dir: Path
    plugins: SalesforgePluginManager
    manifest: dict[str, Any] = field(default_factory=dict)
    raw: pd.DataFrame | None = None
    clean: pd.DataFrame | None = None
    rejected: pd.DataFrame | None = None
    features: pd.DataFrame | None = None
    stage_results: StageResults = field(default_factory=StageResults)
    plugin_state: dict[str, Any] = field(default_factory=dict)
    artifacts: dict[str, str] = field(default_factory=dict)
    components: list[tuple[str, str]] = field(default_factory=list)
    _executor: Any = field(default=None, repr=False)

    @property
    def results(self) -> LegacyResults:
        """Deprecated: ``stage_results`` and ``plugin_state`` read as one dict."""
        return LegacyResults(self.stage_results, self.plugin_state)

    def path(self, relative: str) -> Path:
        """An absolute path inside the run directory; parent folders are created."""
        target = self.run_dir / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        return target

    def folder(self, relative: str) -> Path:
        """An absolute folder path inside the run directory, created if missing."""
        target = self.run_dir / relative
        target.mkdir(parents=True, exist_ok=True)
        return target

    def record_artifact(self, key: str, relative: str) -> None:
        """Register an artifact the run wrote, under a stable manifest key."""
        self.artifacts[key] = relative

    def report_progress(self, stage: str, task: str, done: int,
                        total: int | None = None) -> None:
        """Tell ``salesforge_progress`` hook implementations (the terminal progress
        display, trackers) that ``task`` of ``stage`` has ``done`` of ``total`` units."""
        self.plugins.hook.salesforge_progress(context=self, stage=stage, task=task,
                                              done=int(done), total=total)

    def executor(self) -> Any:
        """The run's :class:`~salesforge.base.executor.Executor` (config group ``executor``),
        built on first use and shared by every stage; :meth:`close_executor` releases it."""
        if self._executor is None:
            from salesforge.config import choice

            name, settings = choice(self.config, "executor")
            self._executor = self.create("executor", name, settings, key="executor")
        return self._executor

    def close_executor(self) -> None:
        """Close the run's executor if one was built (the runner calls it as the run ends:
        a LocalCluster stops, a connection to a cluster closes)."""
        executor, self._executor = self._executor, None
        if executor is not None:
            executor.close()

    def create(self, kind: str, name: str, settings: Any = None, *, key: str | None = None) -> Any:
        """Build a registered component and remember it for ``manifest.plugins``."""
        component = self.plugins.create(kind, name, settings, key=key)
        if (kind, name) not in self.components:
            self.components.append((kind, name))
        return component


@dataclass
class RunResult:
    """What :func:`salesforge.run` returns."""

    run_dir: Path
    manifest: dict[str, Any]

    @property
    def ok(self) -> bool:
        return self.manifest.get("status") == "ok"
