"""Run directories of a runs folder (listed through the run index) and their artifacts."""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable
from functools import cached_property
from pathlib import Path
from typing import Any, cast

import pandas as pd

from salesforge.app.cache import SharedCache
from salesforge.data.dates import as_datetimes
from salesforge.errors import DataError, SalesforgeError
from salesforge.layout import RunLayout
from salesforge.manifest import Manifest, read_manifest
from salesforge.runs.index import RunIndex, find_manifests
from salesforge.runs.status import effective_status

#: The app's run index, inside the runs folder it serves (``outputs/runs.db`` by default,
#: the same file ``salesforge run`` records in).
INDEX_NAME = "runs.db"
log = logging.getLogger(__name__)


def confined(path: str | Path, root: str | Path, what: str = "run directory") -> Path:
    """``path`` resolved (symlinks followed) when it lies inside ``root`` (resolved too);
    otherwise a :class:`DataError`. Every run directory and artifact the app opens passes
    through here, so neither the run index nor a manifest can lead it out of its runs
    folder."""
    resolved, base = Path(path).resolve(), Path(root).resolve()
    if not resolved.is_relative_to(base):
        raise DataError(f"{what} {path} lies outside {base}; the results app only opens "
                        "what is inside its runs folder (salesforge serve --runs).")
    return resolved


#: How many artifact tables the server keeps for all its sessions.
TABLE_CACHE_SIZE = 32


class TableCache(SharedCache[pd.DataFrame]):
    """Artifact tables read once and shared by every browser session of the server,
    newest used last: a page opening a run takes its clean rows from here instead of
    reading the Parquet file again (20 ms on the sample, seconds on millions of rows).

    A table is kept under its file's path, size and modification time, so a rewritten
    file is read again. The frames are shared: the app derives new frames from them and
    never changes one in place."""

    def __init__(self, size: int = TABLE_CACHE_SIZE) -> None:
        super().__init__(size)

    def table(self, path: Path, kind: str, read: Callable[[Path], pd.DataFrame]
              ) -> pd.DataFrame:
        """The table ``kind`` (what ``read`` makes of the file) of the file ``path``."""
        stat = path.stat()
        return self.get((str(path), kind, stat.st_size, stat.st_mtime_ns), lambda: read(path))


#: The server's tables (one cache per process).
TABLES = TableCache()


def read_table(path: Path) -> pd.DataFrame:
    """An artifact table: Parquet, else CSV."""
    return pd.read_parquet(path) if path.suffix == ".parquet" else pd.read_csv(path)


def read_clean(path: Path) -> pd.DataFrame:
    """The clean rows with ``date`` as datetimes."""
    frame = read_table(path)
    if "date" in frame.columns:
        frame = frame.assign(date=as_datetimes(frame["date"]))
    return frame


class RunData:
    """One run directory: its manifest and lazily read, cached tables.

    ``table(key)`` reads the artifact the manifest lists under ``key`` (or a path relative
    to the run directory) and returns ``None`` when the run did not write it.

    With ``root`` (the app's runs folder) the run directory must resolve inside it
    (:func:`confined`, a :class:`DataError` otherwise); artifacts must always resolve
    inside the run directory."""

    def __init__(self, path: str | Path, root: str | Path | None = None) -> None:
        self.path = Path(path) if root is None else confined(path, root)
        self._tables: dict[tuple[str, str], pd.DataFrame | None] = {}

    @cached_property
    def manifest(self) -> Manifest:
        return read_manifest(self.path)

    @property
    def run_id(self) -> str:
        return str(self.manifest.get("run_id") or self.path.name)

    @property
    def status(self) -> str:
        """``ok``, ``failed``, ``running``, or ``interrupted`` (its process is gone)."""
        return effective_status(self.manifest)

    @property
    def ok(self) -> bool:
        return self.status == "ok"

    @property
    def label(self) -> str:
        """``<run_id> · <status> · <source file>`` for pickers."""
        source = (self.manifest.get("data") or {}).get("source") or "?"
        return f"{self.run_id} · {self.status} · {Path(str(source)).name}"

    def section(self, key: str) -> dict[str, Any]:
        """A manifest section (``forecast``, ``segments``, ...) or ``{}`` when absent."""
        # a key known only at run time reads as object; a section is a JSON object
        return cast("dict[str, Any]", self.manifest.get(key) or {})

    def artifact(self, key: str) -> Path | None:
        """The file the manifest lists under ``key`` (or relative path ``key``), if present."""
        relative = (self.manifest.get("artifacts") or {}).get(key, key)
        try:
            path = confined(self.path / str(relative), self.path, f"artifact {key!r} at")
        except DataError as error:
            log.warning("run %s: %s", self.run_id, error)
            return None
        return path if path.is_file() else None

    def table(self, key: str) -> pd.DataFrame | None:
        """The artifact ``key`` as a frame (shared with the server's other sessions:
        :data:`TABLES`), ``None`` when the run did not write it."""
        return self._read(key, "table", read_table)

    def _read(self, key: str, kind: str, read: Callable[[Path], pd.DataFrame]
              ) -> pd.DataFrame | None:
        if (key, kind) not in self._tables:
            path = self.artifact(key)
            self._tables[key, kind] = None if path is None else TABLES.table(path, kind, read)
        return self._tables[key, kind]

    @property
    def clean(self) -> pd.DataFrame | None:
        """The cleaned rows with ``date`` as datetimes (``None`` without a load stage)."""
        return self._read(RunLayout.CLEAN, "clean", read_clean)


def run_index(root: str | Path) -> RunIndex:
    """The run index of runs folder ``root`` (``<root>/runs.db``, scanning ``root``)."""
    return RunIndex(Path(root) / INDEX_NAME, roots=[Path(root)])


def discover_runs(root: str | Path) -> list[RunData]:
    """Every run of the runs folder ``root``, newest first, from its run index (runs found
    in the folder but missing from the index are added first); runs whose directory or
    manifest is gone or unreadable are left out, and so are runs whose directory does not
    resolve inside ``root`` (one warning names how many). Falls back to a plain folder scan
    when the index cannot be written (a read-only folder)."""
    try:
        index = run_index(root)
        index.sync()
        paths = [Path(row["path"]) for row in index.runs()]
    except (sqlite3.Error, OSError, SalesforgeError) as error:
        log.warning("run index of %s unavailable (%s); scanning the folder", root, error)
        paths = [m.parent for m in find_manifests([Path(root)])]
    found, outside = [], []
    for path in paths:
        try:
            run = RunData(path, root)
            run.manifest  # noqa: B018 - read now so a broken or removed run is skipped here
        except DataError:
            outside.append(path)
            continue
        except (OSError, ValueError):
            continue
        found.append(run)
    if outside:
        log.warning("%d run(s) listed in the run index of %s lie outside it and are not "
                    "shown, e.g. %s", len(outside), root, outside[0])
    return sorted(found, key=lambda r: (str(r.manifest.get("started_at") or ""), r.run_id),
                  reverse=True)
