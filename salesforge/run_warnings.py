"""Warnings a run records in ``manifest.warnings`` and every front end shows.

A warning is ``{"stage": <stage>, "code": <short name>, "message": <one sentence>}``; a
run with warnings still finishes ``ok``. Codes so far: ``rows_rejected`` (stage
``clean``: more than ``data.max_rejected_share`` of the rows were rejected),
``data_drift`` (stage ``clean``: the data drifted from an earlier run's, ``data.drift``).
The CLI, the app and the REST API show :func:`run_warnings`, so a warning reads the same
everywhere.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

WARNINGS = "warnings"


def add_warning(manifest: dict[str, Any], stage: str, code: str, message: str
                ) -> dict[str, str]:
    """Append a warning to ``manifest["warnings"]`` (created when absent); the entry."""
    entry = {"stage": stage, "code": code, "message": message}
    manifest.setdefault(WARNINGS, []).append(entry)
    return entry


def run_warnings(manifest: Mapping[str, Any]) -> list[str]:
    """The warning sentences of a run, in the order they were raised; ``[]`` for a
    manifest without warnings (also one written before warnings existed)."""
    entries = manifest.get(WARNINGS)
    if not isinstance(entries, list):
        return []
    return [str(e["message"]) for e in entries
            if isinstance(e, Mapping) and e.get("message")]
