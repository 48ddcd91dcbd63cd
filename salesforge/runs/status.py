"""A run's status as users should see it: a run left ``running`` by a dead process is
``interrupted``.

The runner writes ``manifest.json`` with ``status: running`` and the owning process
(``manifest.process``: ``pid``, ``host``, ``started``) when a run starts. A process killed
outright (``kill -9``, out of memory, power loss) never gets to write ``ok`` or ``failed``,
so readers — ``salesforge runs``, the run index, the app, the API — ask
:func:`effective_status` instead of reading ``status`` themselves.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Mapping
from typing import Any

import psutil

RUNNING, INTERRUPTED = "running", "interrupted"
#: Seconds two readings of one process's start time may differ by (clock rounding).
START_TOLERANCE_S = 1.0


def owner_process() -> dict[str, Any]:
    """The current process as ``manifest.process``: ``pid``, ``host`` and ``started``
    (the process's start time, seconds since the epoch)."""
    pid = os.getpid()
    return {"pid": pid, "host": socket.gethostname(),
            "started": round(psutil.Process(pid).create_time(), 3)}


def process_gone(process: Any) -> bool:
    """Whether the process described by ``process`` (as :func:`owner_process` gives it) has
    ended: on this host, no process has its pid, or the one that has it started at
    another time (the pid was reused) or is a zombie. ``False`` when that cannot be told
    (no or malformed record, another host, no permission to look)."""
    if not isinstance(process, Mapping) or process.get("host") != socket.gethostname():
        return False
    pid, started = process.get("pid"), process.get("started")
    if isinstance(pid, bool) or not isinstance(pid, int) or pid <= 0:
        return False
    try:
        found = psutil.Process(pid)
        if found.status() == psutil.STATUS_ZOMBIE:
            return True
        created = found.create_time()
    except psutil.NoSuchProcess:
        return True
    except psutil.Error:  # access denied and the like: cannot tell
        return False
    if isinstance(started, int | float) and not isinstance(started, bool):
        return abs(created - float(started)) > START_TOLERANCE_S
    return False


def effective_status(record: Mapping[str, Any]) -> str:
    """The status to show for a manifest or a run-index row: its ``status`` (``ok``,
    ``failed``, ``running``, ...), except ``interrupted`` for a ``running`` run whose
    process (``record["process"]``) is gone."""
    status = str(record.get("status") or "unknown")
    if status == RUNNING and process_gone(record.get("process")):
        return INTERRUPTED
    return status
