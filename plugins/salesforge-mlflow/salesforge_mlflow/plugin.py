"""The module the ``salesforge`` entry point names: lifecycle hooks that log a run to MLflow.

Only public hooks are used. ``salesforge_run_start`` opens the MLflow run and logs the
flattened config as params; ``salesforge_after_stage`` logs each stage's time as it
finishes; ``salesforge_run_finish`` logs metrics, tags, artifacts and the fitted models and
ends the MLflow run as ``FINISHED``; ``salesforge_run_error`` does the same with what the
failed run left and ends it as ``FAILED``. Runs are logged only when tracking is switched
on (see :mod:`salesforge_mlflow.settings`); MLflow is imported only then.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from salesforge import hookimpl
from salesforge_mlflow.settings import NODE, settings_from_config

if TYPE_CHECKING:
    from salesforge.schema import RunContext, StageOutcome
    from salesforge_mlflow.tracker import MlflowTracker

#: Where the run's tracker lives in ``context.plugin_state``.
STATE_KEY = "mlflow"


def _open(context: RunContext) -> MlflowTracker | None:
    """The run's tracker, opened on first use; ``None`` when tracking is off."""
    if STATE_KEY in context.plugin_state:  # opened, off, or failed to open: never retried
        return context.plugin_state[STATE_KEY]
    context.plugin_state[STATE_KEY] = None
    settings = settings_from_config(context.config)
    if not settings.active:
        return None
    from salesforge_mlflow.tracker import MlflowTracker

    tracker = MlflowTracker(settings, context.run_dir, context.manifest["run_id"])
    context.plugin_state[STATE_KEY] = tracker
    context.manifest.setdefault("extensions", {})[NODE] = tracker.describe()
    tracker.log_params(context.manifest.get("config") or {})
    return tracker


@hookimpl
def salesforge_run_start(context: RunContext) -> None:
    """Open the MLflow run and log the resolved config as params."""
    _open(context)


@hookimpl
def salesforge_after_stage(context: RunContext, stage: str, outcome: StageOutcome) -> None:
    """Log ``timing.<stage>`` as soon as the stage is done."""
    tracker = context.plugin_state.get(STATE_KEY)
    if tracker is not None:
        tracker.log_metrics({f"timing.{stage}": outcome.seconds})


@hookimpl
def salesforge_run_finish(context: RunContext, manifest: dict[str, Any]) -> None:
    """Log metrics, tags and artifacts; end the MLflow run as ``FINISHED``."""
    tracker = context.plugin_state.get(STATE_KEY)
    if tracker is not None and not tracker.finished:
        tracker.finish(manifest, "FINISHED")


@hookimpl
def salesforge_run_error(context: RunContext, stage: str | None, error: BaseException) -> None:
    """Log what the failed run left (its manifest says why); end the MLflow run as ``FAILED``.

    A run that failed before ``salesforge_run_start`` (e.g. a bad ``stages.*`` key) is
    still recorded.
    """
    tracker = _open(context)
    if tracker is not None and not tracker.finished:
        tracker.finish(context.manifest, "FAILED")
