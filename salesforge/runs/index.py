"""The run index: an embedded SQLite database of every run (``outputs/runs.db``).

One row per run (id, times, status, hashes, source, best model, overrides, path) and its
key metrics (:func:`salesforge.runs.summary.key_metrics`). A run is recorded when it
starts (``status: running``, with its owning process) and again when it ends; readers
turn a ``running`` row whose process is gone into ``interrupted``
(:func:`salesforge.runs.status.effective_status`) before answering. Writers use short
``BEGIN IMMEDIATE`` transactions on a WAL database with a busy timeout, so concurrent sweep
jobs (several processes) serialise their writes and a reader never sees half a run.
The index is a cache of the manifests: a missing database is rebuilt by scanning the runs
folders for ``manifest.json`` (:meth:`RunIndex.rebuild`).
"""

from __future__ import annotations

import json
import os
import sqlite3
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import closing, contextmanager
from pathlib import Path
from typing import Any

from salesforge.errors import ConfigError
from salesforge.manifest import MANIFEST_NAME, read_manifest, utc_now
from salesforge.runs.filters import parse_condition
from salesforge.runs.status import RUNNING, effective_status
from salesforge.runs.summary import key_metrics, run_row

DEFAULT_INDEX = Path("outputs") / "runs.db"
SCHEMA_VERSION = "1"
BUSY_TIMEOUT_S = 60.0
#: Folders below a root a rebuild looks into (multirun/<date>/<time>/<job> is 4).
MAX_DEPTH = 6
_SKIP = frozenset({"node_modules", "venv", "__pycache__", "site-packages"})
_COLUMNS = ("run_id", "started_at", "finished_at", "status", "config_hash", "data_hash",
            "source", "best_model", "horizon", "freq", "error", "seconds", "overrides", "path",
            "recorded_at", "process")
#: Columns added after the first release, with their types (added to older databases).
_ADDED_COLUMNS = {"process": "TEXT"}
_SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    run_id TEXT PRIMARY KEY, started_at TEXT, finished_at TEXT, status TEXT NOT NULL,
    config_hash TEXT, data_hash TEXT, source TEXT, best_model TEXT, horizon INTEGER,
    freq TEXT, error TEXT, seconds REAL, overrides TEXT, path TEXT NOT NULL,
    recorded_at TEXT, process TEXT);
CREATE INDEX IF NOT EXISTS runs_started ON runs (started_at);
CREATE INDEX IF NOT EXISTS runs_path ON runs (path);
CREATE TABLE IF NOT EXISTS metrics (
    run_id TEXT NOT NULL REFERENCES runs (run_id) ON DELETE CASCADE,
    name TEXT NOT NULL, value REAL NOT NULL, PRIMARY KEY (run_id, name)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
"""


def default_roots(index: Path) -> list[Path]:
    """The folders a rebuild scans: the index's folder and, for ``outputs/runs.db``, the
    ``multirun/`` folder beside ``outputs/`` (Hydra's default sweep folder)."""
    roots = [index.parent]
    if index.parent.name == "outputs":
        roots.append(index.parent.parent / "multirun")
    return roots


def find_manifests(roots: Iterable[Path], depth: int = MAX_DEPTH) -> Iterator[Path]:
    """Every ``manifest.json`` at most ``depth`` folders below ``roots`` (missing roots
    are skipped; hidden folders and virtual environments are not searched)."""
    seen: set[Path] = set()
    for root in roots:
        root = Path(root)
        if not root.is_dir():
            continue
        for folder, names, files in os.walk(root):
            level = len(Path(folder).relative_to(root).parts)
            names[:] = sorted(n for n in names if not n.startswith(".") and n not in _SKIP
                              and level < depth)
            if MANIFEST_NAME in files and Path(folder).resolve() not in seen:
                seen.add(Path(folder).resolve())
                yield Path(folder) / MANIFEST_NAME


class RunIndex:
    """The run index at ``path``; ``roots`` are the folders a rebuild scans (default:
    :func:`default_roots`). A missing database is created and rebuilt on first use."""

    def __init__(self, path: str | Path = DEFAULT_INDEX,
                 roots: Sequence[str | Path] | None = None) -> None:
        self.path = Path(path)
        self.roots = [Path(r) for r in roots] if roots is not None else default_roots(self.path)
        self._ready = False

    # -- connection ------------------------------------------------------------------------
    def _connect(self) -> sqlite3.Connection:
        connection = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_S, isolation_level=None)
        connection.row_factory = sqlite3.Row
        connection.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
        connection.execute("PRAGMA foreign_keys = ON")
        return connection

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """A connection inside ``BEGIN IMMEDIATE`` ... ``COMMIT`` (rolled back on error)."""
        with closing(self._open()) as connection:
            _retry(lambda: connection.execute("BEGIN IMMEDIATE"))
            try:
                yield connection
            except BaseException:
                connection.execute("ROLLBACK")
                raise
            connection.execute("COMMIT")

    def _open(self) -> sqlite3.Connection:
        if self._ready:
            return self._connect()
        created = not self.path.exists()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        connection = self._connect()
        try:
            _retry(lambda: connection.execute("PRAGMA journal_mode = WAL"))
            _retry(lambda: connection.executescript(
                "BEGIN IMMEDIATE;" + _SCHEMA +
                f"INSERT OR IGNORE INTO meta VALUES ('schema_version', '{SCHEMA_VERSION}');"
                "COMMIT;"))
            _retry(lambda: _add_columns(connection))
        except sqlite3.DatabaseError as error:
            connection.close()
            raise ConfigError(f"run index {self.path} cannot be opened ({error}); delete it "
                              "and run `salesforge runs rebuild`.") from None
        self._ready = True
        if created:
            self._fill(connection, self._scan(), replace_all=False)
        return connection

    def exists(self) -> bool:
        return self.path.is_file()

    # -- writing ---------------------------------------------------------------------------
    def record(self, manifest: Mapping[str, Any], run_dir: str | Path) -> dict[str, Any]:
        """Insert or replace the run described by ``manifest`` (in ``run_dir``); its row."""
        row, metrics = _entry(manifest, run_dir)
        with self._write() as connection:
            _insert(connection, row, metrics)
        return {**_public(row), "metrics": metrics}

    def record_dir(self, run_dir: str | Path) -> dict[str, Any]:
        """Record the run whose ``manifest.json`` is in ``run_dir``."""
        return self.record(read_manifest(run_dir), run_dir)

    def rebuild(self) -> int:
        """Empty the index and re-insert every run found under the roots; the count."""
        with closing(self._open()) as connection:
            return self._fill(connection, self._scan(), replace_all=True)

    def sync(self) -> int:
        """Add runs found under the roots that the index lacks (by path); the count added."""
        with closing(self._open()) as connection:
            known = {r[0] for r in connection.execute("SELECT path FROM runs")}
            fresh = [p for p in find_manifests(self.roots) if str(p.parent.resolve()) not in known]
            return self._fill(connection, list(_entries(fresh)), replace_all=False)

    def remove(self, run_id: str) -> None:
        with self._write() as connection:
            connection.execute("DELETE FROM runs WHERE run_id = ?", (run_id,))

    def _scan(self) -> list[tuple[dict, dict]]:
        return list(_entries(find_manifests(self.roots)))

    def _fill(self, connection: sqlite3.Connection, entries: list[tuple[dict, dict]],
              replace_all: bool) -> int:
        _retry(lambda: connection.execute("BEGIN IMMEDIATE"))
        try:
            if replace_all:
                connection.execute("DELETE FROM metrics")
                connection.execute("DELETE FROM runs")
            for row, metrics in entries:
                _insert(connection, row, metrics)
        except BaseException:
            connection.execute("ROLLBACK")
            raise
        connection.execute("COMMIT")
        return len(entries)

    # -- reading ---------------------------------------------------------------------------
    def metric_names(self) -> set[str]:
        with closing(self._open()) as connection:
            return {r[0] for r in connection.execute("SELECT DISTINCT name FROM metrics")}

    def runs(self, last: int | None = None, where: Sequence[str] = ()) -> list[dict[str, Any]]:
        """Runs newest first, each with its ``metrics``; ``where`` conditions (``mase<0.9``,
        ``status=ok``) are ANDed; ``last`` keeps the newest N that match."""
        conditions = [parse_condition(w, self.metric_names()) for w in where] if where else []
        sql, params = "SELECT * FROM runs", []
        if conditions:
            parts = [c.sql() for c in conditions]
            sql += " WHERE " + " AND ".join(p[0] for p in parts)
            params = [v for p in parts for v in p[1]]
        sql += " ORDER BY started_at DESC, finished_at DESC, rowid DESC"
        if last is not None:
            sql += " LIMIT ?"
            params.append(min(int(last), 2**62))
        with closing(self._open()) as connection:
            _settle(connection)
            rows = [_row(r) for r in connection.execute(sql, params)]
            return _with_metrics(connection, rows)

    def get(self, run_id: str) -> dict[str, Any] | None:
        with closing(self._open()) as connection:
            _settle(connection)
            found = connection.execute("SELECT * FROM runs WHERE run_id = ?", (run_id,)).fetchone()
            return _with_metrics(connection, [_row(found)])[0] if found else None

    def resolve(self, ref: str) -> dict[str, Any]:
        """The run named by ``ref``: a run id, a unique prefix of one, ``last`` or ``-N``
        (the Nth newest), or a run directory holding ``manifest.json``."""
        ref = str(ref).strip()
        if (Path(ref) / MANIFEST_NAME).is_file() and ("/" in ref or Path(ref).is_absolute()
                                                      or ref.startswith(".")):
            manifest = read_manifest(ref)
            row, metrics = _entry(manifest, ref)
            return {**_public(row), "metrics": metrics}
        if ref == "last" or (ref.startswith("-") and ref[1:].isdigit() and int(ref[1:]) > 0):
            n = 1 if ref == "last" else int(ref[1:])
            newest = self.runs(last=n)
            if len(newest) < n:
                raise ConfigError(f"run {ref!r} does not exist: the index {self.path} holds "
                                  f"{len(newest)} run(s).")
            return newest[n - 1]
        exact = self.get(ref)
        if exact is not None:
            return exact
        with closing(self._open()) as connection:
            matches = [r[0] for r in connection.execute(
                "SELECT run_id FROM runs WHERE run_id LIKE ? ESCAPE '\\' ORDER BY run_id",
                (_like_prefix(ref),))]
        if len(matches) == 1:
            found = self.get(matches[0])
            assert found is not None
            return found
        if matches:
            raise ConfigError(f"run id prefix {ref!r} is ambiguous: it matches "
                              f"{', '.join(matches[:5])}{' ...' if len(matches) > 5 else ''}.")
        raise ConfigError(f"no run {ref!r} in the index {self.path}; see `salesforge runs list` "
                          "(or `salesforge runs rebuild` if runs are missing).")


def _like_prefix(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _retry(step, attempts: int = 5):
    """Run ``step``; retry on 'database is locked' beyond the busy timeout's reach (e.g. a
    journal-mode switch racing another process creating the same database)."""
    for attempt in range(attempts):
        try:
            return step()
        except sqlite3.OperationalError as error:
            if ("locked" not in str(error) and "busy" not in str(error)) or attempt == attempts - 1:
                raise
            time.sleep(0.05 * (attempt + 1))
    return None


def _add_columns(connection: sqlite3.Connection) -> None:
    """Add the columns of :data:`_ADDED_COLUMNS` an older index lacks."""
    have = {r[1] for r in connection.execute("PRAGMA table_info(runs)")}
    if set(_ADDED_COLUMNS) <= have:
        return
    connection.execute("BEGIN IMMEDIATE")
    try:
        have = {r[1] for r in connection.execute("PRAGMA table_info(runs)")}
        for name, kind in _ADDED_COLUMNS.items():
            if name not in have:
                connection.execute(f"ALTER TABLE runs ADD COLUMN {name} {kind}")
    except BaseException:
        connection.execute("ROLLBACK")
        raise
    connection.execute("COMMIT")


def _settle(connection: sqlite3.Connection) -> None:
    """Mark ``running`` rows whose process is gone as ``interrupted`` (so ``--where
    status=interrupted`` finds them and every reader sees the same status)."""
    stale = []
    for run_id, process in connection.execute(
            "SELECT run_id, process FROM runs WHERE status = ?", (RUNNING,)):
        record = {"status": RUNNING, "process": _process(process)}
        status = effective_status(record)
        if status != RUNNING:
            stale.append((status, run_id, RUNNING))
    if stale:
        _retry(lambda: connection.execute("BEGIN IMMEDIATE"))
        connection.executemany("UPDATE runs SET status = ? WHERE run_id = ? AND status = ?",
                               stale)
        connection.execute("COMMIT")


def _process(text: str | None) -> dict[str, Any] | None:
    try:
        value = json.loads(text) if text else None
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def _entry(manifest: Mapping[str, Any], run_dir: str | Path) -> tuple[dict, dict]:
    row = run_row(manifest, run_dir)
    row["recorded_at"] = utc_now()
    row["process"] = manifest.get("process")
    return row, key_metrics(manifest)


def _entries(manifests: Iterable[Path]) -> Iterator[tuple[dict, dict]]:
    for path in manifests:
        try:
            manifest = read_manifest(path.parent)
        except (OSError, ValueError):
            continue  # a half-written or foreign file is not a run
        if isinstance(manifest, dict) and manifest.get("run_id"):
            yield _entry(manifest, path.parent)


def _insert(connection: sqlite3.Connection, row: dict[str, Any], metrics: dict[str, float]
            ) -> None:
    values = {**row, "overrides": json.dumps(row.get("overrides") or []),
              "process": json.dumps(row["process"]) if row.get("process") else None}
    horizon = values.get("horizon")
    values["horizon"] = int(horizon) if isinstance(horizon, int | float) else None
    connection.execute("DELETE FROM metrics WHERE run_id = ?", (row["run_id"],))
    connection.execute(f"INSERT OR REPLACE INTO runs ({', '.join(_COLUMNS)}) VALUES "
                       f"({', '.join('?' * len(_COLUMNS))})", [values.get(c) for c in _COLUMNS])
    connection.executemany("INSERT INTO metrics (run_id, name, value) VALUES (?, ?, ?)",
                           [(row["run_id"], k, v) for k, v in metrics.items()])


def _row(record: sqlite3.Row) -> dict[str, Any]:
    row = dict(record)
    row["overrides"] = json.loads(row.get("overrides") or "[]")
    return _public(row)


def _public(row: dict[str, Any]) -> dict[str, Any]:
    """``row`` without ``process``: host and pid stay in the index, callers get the
    status they lead to."""
    return {k: v for k, v in row.items() if k != "process"}


def _with_metrics(connection: sqlite3.Connection, rows: list[dict[str, Any]]
                  ) -> list[dict[str, Any]]:
    by_id: dict[str, dict[str, float]] = {r["run_id"]: {} for r in rows}
    ids = list(by_id)
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        for run_id, name, value in connection.execute(
                f"SELECT run_id, name, value FROM metrics WHERE run_id IN "
                f"({', '.join('?' * len(chunk))})", chunk):
            by_id[run_id][name] = value
    return [{**r, "metrics": by_id[r["run_id"]]} for r in rows]
