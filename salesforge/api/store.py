"""The API's on-disk store: datasets, models and runs under one folder, with ``index.json``.

Layout::

    <store>/index.json            datasets, models, runs, active models (written atomically)
    <store>/datasets/<id>/<file>  uploaded files, moved in only once complete and checked
    <store>/runs/<id>/            run directories (manifest.json, artifacts, models/)
    <store>/incoming/             partial uploads; emptied on start, never listed

Everything is addressed by generated ids; no caller-supplied path is ever opened.
"""

from __future__ import annotations

import json
import os
import shutil
import threading
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

INDEX = "index.json"
SECTIONS = ("datasets", "models", "runs")
UNFINISHED = ("queued", "running")


def new_id(prefix: str) -> str:
    """A fresh id such as ``ds-3f2a9c1b7e4d``."""
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def write_atomic(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` so that readers see the old or the new file, never half."""
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    with open(tmp, "w", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)


class Store:
    """Thread-safe index of datasets, models and runs kept in ``root``."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root).resolve()
        for folder in ("datasets", "runs", "incoming"):
            (self.root / folder).mkdir(parents=True, exist_ok=True)
        self._lock = threading.RLock()
        self._index = self._read()
        self._recover()

    # -- index -------------------------------------------------------------------------
    def _read(self) -> dict[str, Any]:
        path = self.root / INDEX
        index: dict[str, Any] = json.loads(path.read_text("utf-8")) if path.is_file() else {}
        for section in SECTIONS:
            index.setdefault(section, {})
        index.setdefault("active", {})
        return index

    def _save(self) -> None:
        write_atomic(self.root / INDEX, json.dumps(self._index, indent=1, default=str))

    def _recover(self) -> None:
        """Drop partial uploads and mark jobs a previous server left unfinished as failed."""
        for leftover in (self.root / "incoming").iterdir():
            if leftover.is_dir():
                shutil.rmtree(leftover, ignore_errors=True)
            else:
                leftover.unlink(missing_ok=True)
        with self._lock:
            for record in self._index["runs"].values():
                if record.get("status") in UNFINISHED:
                    record.update(status="failed", finished_at=now(),
                                  error="the server stopped before this job finished; "
                                        "submit it again.")
            self._save()

    def get(self, section: str, item_id: str) -> dict[str, Any] | None:
        with self._lock:
            record = self._index[section].get(item_id)
            return dict(record) if record is not None else None

    def list(self, section: str) -> list[dict[str, Any]]:
        with self._lock:
            return [dict(r) for r in self._index[section].values()]

    def count(self, section: str) -> int:
        return len(self._index[section])

    def put(self, section: str, item_id: str, record: dict[str, Any]) -> None:
        with self._lock:
            self._index[section][item_id] = {"id": item_id, **record}
            self._save()

    def update(self, section: str, item_id: str, **changes: Any) -> None:
        with self._lock:
            self._index[section][item_id].update(changes)
            self._save()

    def active(self, kind: str) -> str | None:
        with self._lock:
            return self._index["active"].get(kind)

    def set_active(self, kind: str, model_id: str) -> None:
        with self._lock:
            self._index["active"][kind] = model_id
            self._save()

    # -- paths -------------------------------------------------------------------------
    def incoming(self) -> Path:
        """A fresh path for a partial upload (never listed, removed on restart)."""
        return self.root / "incoming" / f"{uuid.uuid4().hex}.part"

    def dataset_path(self, record: dict[str, Any]) -> Path:
        return self.root / "datasets" / record["id"] / record["filename"]

    def commit_dataset(self, part: Path, dataset_id: str, filename: str) -> Path:
        """Move a complete, checked upload to its final place (atomic on one filesystem)."""
        folder = self.root / "datasets" / dataset_id
        folder.mkdir(parents=True, exist_ok=False)
        final = folder / filename
        os.replace(part, final)
        return final

    @property
    def index_path(self) -> Path:
        """The store's run index (``<store>/runs.db``)."""
        return self.root / "runs.db"

    def run_dir(self, run_id: str) -> Path:
        return self.root / "runs" / run_id
