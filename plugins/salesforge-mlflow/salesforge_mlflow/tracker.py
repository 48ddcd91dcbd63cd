"""One salesforge run as one MLflow run, written through ``mlflow.MlflowClient``.

The client API (not ``mlflow.start_run``'s process-global active run) keeps runs that the
app or the API execute side by side in threads apart.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from salesforge.errors import ConfigError
from salesforge_mlflow.records import (
    metrics_from_manifest,
    params_from_config,
    tags_from_manifest,
)
from salesforge_mlflow.settings import NODE, MlflowSettings

#: Entries per ``log_batch`` call (MLflow accepts at most 100 params per request).
BATCH = 100


class MlflowTracker:
    """Opens an MLflow run for a salesforge run and records it as the run goes on."""

    def __init__(self, settings: MlflowSettings, run_dir: Path, run_id: str) -> None:
        from mlflow import MlflowClient

        _route_mlflow_logs()

        self.settings = settings
        self.run_dir = Path(run_dir)
        try:
            self.client = MlflowClient(tracking_uri=settings.tracking_uri)
            experiment = self.client.get_experiment_by_name(settings.experiment)
            experiment_id = (experiment.experiment_id if experiment is not None else
                             self.client.create_experiment(
                                 settings.experiment,
                                 artifact_location=settings.artifact_location))
            run = self.client.create_run(
                experiment_id, run_name=settings.run_name or run_id,
                tags={"salesforge.run_id": run_id, "salesforge.run_dir": str(self.run_dir),
                      "salesforge.status": "running", **settings.tags})
        except Exception as exc:  # MLflow raises many types for a bad URI or a dead server
            where = settings.tracking_uri or "its default tracking URI"
            raise ConfigError(f"config key {NODE}.tracking_uri: MLflow at {where!r} "
                              f"could not start a run "
                              f"({type(exc).__name__}: {exc}).") from exc
        self.experiment_id = experiment_id
        self.mlflow_run_id = run.info.run_id
        self.finished = False
        self.logged_metrics: set[str] = set()

    def describe(self) -> dict[str, str]:
        """Where the run was logged; stored in the manifest under ``extensions.mlflow``."""
        return {"tracking_uri": str(self.client.tracking_uri),
                "experiment_id": self.experiment_id, "run_id": self.mlflow_run_id}

    def log_params(self, config: Mapping[str, Any]) -> None:
        """The resolved config, flattened."""
        from mlflow.entities import Param

        params = [Param(k, v) for k, v in params_from_config(config).items()]
        for batch in _chunks(params):
            self.client.log_batch(self.mlflow_run_id, params=batch)

    def log_metrics(self, metrics: Mapping[str, float], step: int = 0) -> None:
        from mlflow.entities import Metric

        now = int(time.time() * 1000)
        entries = [Metric(k, float(v), now, step) for k, v in metrics.items()]
        self.logged_metrics.update(metrics)
        for batch in _chunks(entries):
            self.client.log_batch(self.mlflow_run_id, metrics=batch)

    def set_tags(self, tags: Mapping[str, str]) -> None:
        from mlflow.entities import RunTag

        for batch in _chunks([RunTag(k, v) for k, v in tags.items()]):
            self.client.log_batch(self.mlflow_run_id, tags=batch)

    def log_run_dir(self) -> list[str]:
        """Log the configured run-directory entries and the fitted models; return what was
        logged (run-directory-relative)."""
        logged = []
        entries = list(self.settings.artifacts)
        if self.settings.log_models:
            entries.append("models")
        for entry in dict.fromkeys(entries):
            path = self.run_dir / entry
            if path.is_dir() and any(path.iterdir()):
                self.client.log_artifacts(self.mlflow_run_id, str(path), artifact_path=entry)
            elif path.is_file():
                parent = str(Path(entry).parent)
                self.client.log_artifact(self.mlflow_run_id, str(path),
                                         artifact_path=None if parent == "." else parent)
            else:
                continue
            logged.append(entry)
        return logged

    def finish(self, manifest: Mapping[str, Any], status: str) -> None:
        """Log the manifest's metrics, tags and the run directory; end the MLflow run with
        ``status`` (``FINISHED`` or ``FAILED``) even when logging fails."""
        try:
            self.log_metrics({k: v for k, v in metrics_from_manifest(manifest).items()
                              if k not in self.logged_metrics})  # stage times: logged live
            self.set_tags(tags_from_manifest(manifest))
            self.log_run_dir()
        finally:
            self.client.set_terminated(self.mlflow_run_id, status=status)
            self.finished = True


def _route_mlflow_logs() -> None:
    """Send MLflow's log records through the root logger, i.e. salesforge's handlers (its
    level, ``--quiet``, JSON lines and the run's log file), instead of MLflow's own printer."""
    logger = logging.getLogger("mlflow")
    for handler in list(logger.handlers):
        logger.removeHandler(handler)
    logger.propagate = True


def _chunks(items: list, size: int = BATCH) -> Iterable[list]:
    for start in range(0, len(items), size):
        yield items[start:start + size]
