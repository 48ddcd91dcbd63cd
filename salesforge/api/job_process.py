"""The child side of an API job: one pipeline run in a process of its own.

A thread cannot be stopped from outside; a process can. Each job runs here, in a process
group of its own (so the workers it starts, e.g. joblib's, end with it), started from a
fork server that has already imported salesforge, so a job starts in well under a second.
The parent learns the outcome from the exit code and from ``manifest.json``.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
from typing import cast

#: Exit codes of :func:`run_job`.
OK, USER_ERROR, CRASH = 0, 3, 1


def run_job(config_yaml: str, run_dir: str, index: str) -> None:
    """Run the pipeline on ``config_yaml`` into ``run_dir``, recording it in ``index``;
    exits with :data:`OK`, :data:`USER_ERROR` (a :class:`SalesforgeError`: bad config or
    data) or :data:`CRASH`."""
    with contextlib.suppress(OSError):  # the parent stops the whole group on timeout
        os.setpgid(0, 0)
    from omegaconf import DictConfig, OmegaConf

    from salesforge.errors import SalesforgeError
    from salesforge.plugin.manager import build_plugin_manager
    from salesforge.runner import run
    from salesforge.runs.recorder import RunRecorder

    plugins = build_plugin_manager()
    if plugins.get_plugin("salesforge.runs.recorder") is not None:
        plugins.unregister(name="salesforge.runs.recorder")
    plugins.register(RunRecorder(index), name="salesforge-api-run-index")
    config = cast(DictConfig, OmegaConf.create(config_yaml))  # the YAML of a composed config
    OmegaConf.update(config, "runs.index", index, force_add=True)  # earlier runs: the store's
    try:
        run(config, run_dir, plugins=plugins)
    except SalesforgeError:
        sys.exit(USER_ERROR)  # the manifest holds the sentence
    except BaseException:
        logging.getLogger(__name__).exception("API job crashed")
        sys.exit(CRASH)
    sys.exit(OK)
