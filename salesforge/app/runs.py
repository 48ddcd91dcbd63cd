"""Finding run directories under a runs folder and reading their manifest and artifacts."""

from __future__ import annotations

import json
from functools import cached_property
from pathlib import Path
from typing import Any

import pandas as pd

MANIFEST = "manifest.json"


class RunData:
    """One run directory: its manifest and lazily read, cached tables.

    ``table(key)`` reads the artifact the manifest lists under ``key`` (or a path relative
    to the run directory) and returns ``None`` when the run did not write it."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._tables: dict[str, pd.DataFrame | None] = {}

    @cached_property
    def manifest(self) -> dict[str, Any]:
        return json.loads((self.path / MANIFEST).read_text(encoding="utf-8"))

    @property
    def run_id(self) -> str:
        return str(self.manifest.get("run_id") or self.path.name)

    @property
    def ok(self) -> bool:
        return self.manifest.get("status") == "ok"

    @property
    def label(self) -> str:
        """``<run_id> · <status> · <source file>`` for pickers."""
        source = (self.manifest.get("data") or {}).get("source") or "?"
        return f"{self.run_id} · {self.manifest.get('status')} · {Path(str(source)).name}"

    def section(self, key: str) -> dict[str, Any]:
        """A manifest section (``forecast``, ``segments``, ...) or ``{}`` when absent."""
        return self.manifest.get(key) or {}

    def artifact(self, key: str) -> Path | None:
        """The file the manifest lists under ``key`` (or relative path ``key``), if present."""
        relative = (self.manifest.get("artifacts") or {}).get(key, key)
        path = self.path / relative
        return path if path.is_file() else None

    def table(self, key: str) -> pd.DataFrame | None:
        if key not in self._tables:
            path = self.artifact(key)
            if path is None:
                self._tables[key] = None
            elif path.suffix == ".parquet":
                self._tables[key] = pd.read_parquet(path)
            else:
                self._tables[key] = pd.read_csv(path)
        return self._tables[key]

    @cached_property
    def clean(self) -> pd.DataFrame | None:
        """The cleaned rows with ``date`` as datetimes (``None`` without a load stage)."""
        frame = self.table("data/clean.parquet")
        if frame is not None and "date" in frame.columns:
            frame = frame.assign(date=pd.to_datetime(frame["date"]))
        return frame


def discover_runs(root: str | Path) -> list[RunData]:
    """Every run directory (a folder holding ``manifest.json``) under ``root``, newest
    first; unreadable manifests are left out."""
    found = []
    for manifest in Path(root).rglob(MANIFEST):
        run = RunData(manifest.parent)
        try:
            run.manifest  # noqa: B018 - read now so a broken file is skipped here
        except (OSError, ValueError):
            continue
        found.append(run)
    return sorted(found, key=lambda r: (str(r.manifest.get("started_at") or ""), r.run_id),
                  reverse=True)
