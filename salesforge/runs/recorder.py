"""Built-in plugin recording every run in the run index: when it starts (``status:
running``, so a run whose process is killed still shows, as ``interrupted``) and again
when it finishes or fails.

Registered like any plugin (``BUILTIN_PLUGINS``); it only uses the public lifecycle hooks,
which the runner calls after ``manifest.json`` is written. Recording the start is best
effort: an index that cannot be written then is logged and does not stop the run.
Config: ``runs.record`` (on by default) and ``runs.index`` (default ``outputs/runs.db``; a
relative path is taken from the folder salesforge was started in, so ``-m`` sweep jobs
share one index).
"""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path
from typing import Any

from salesforge.errors import SalesforgeError
from salesforge.plugin.markers import hookimpl
from salesforge.runs.index import DEFAULT_INDEX, RunIndex
from salesforge.schema import RunContext

log = logging.getLogger(__name__)


def index_path(config: Any) -> Path | None:
    """The index a run with ``config`` is recorded in, or ``None`` when ``runs.record`` is
    false."""
    node = (config.get("runs") if config is not None else None) or {}
    if not bool(node.get("record", True)):
        return None
    return Path(str(node.get("index") or DEFAULT_INDEX)).expanduser()


class RunRecorder:
    """Records runs in the index named by each run's config, or always in ``index`` when
    given (the REST API keeps its runs in ``<api.store>/runs.db``)."""

    def __init__(self, index: str | Path | None = None) -> None:
        self.index = Path(index) if index is not None else None

    def _record(self, context: RunContext) -> None:
        path = index_path(context.config)
        if path is None:
            return
        if self.index is not None:
            path = self.index
        row = RunIndex(path).record(context.manifest, context.run_dir)
        log.info("run %s recorded in %s", row["run_id"], path)

    def _record_start(self, context: RunContext) -> None:
        try:
            self._record(context)
        except (sqlite3.Error, OSError, SalesforgeError) as error:
            log.warning("run %s could not be recorded in the run index at its start: %s",
                        context.manifest.get("run_id"), error)

    @hookimpl
    def salesforge_run_start(self, context: RunContext) -> None:
        self._record_start(context)

    @hookimpl
    def salesforge_run_finish(self, context: RunContext, manifest: dict[str, Any]) -> None:
        self._record(context)

    @hookimpl
    def salesforge_run_error(self, context: RunContext, stage: str | None,
                             error: BaseException) -> None:
        self._record(context)


_DEFAULT = RunRecorder()


@hookimpl
def salesforge_run_start(context: RunContext) -> None:
    """Record the starting run (``status: running``) in the run index."""
    _DEFAULT._record_start(context)


@hookimpl
def salesforge_run_finish(context: RunContext, manifest: dict[str, Any]) -> None:
    """Record the finished run (``status: ok``) in the run index."""
    _DEFAULT._record(context)


@hookimpl
def salesforge_run_error(context: RunContext, stage: str | None, error: BaseException) -> None:
    """Record the failed run (``status: failed``) in the run index."""
    _DEFAULT._record(context)
