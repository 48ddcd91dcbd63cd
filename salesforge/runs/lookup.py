"""Earlier runs a new run builds on: found through the run index, newest first.

Realised accuracy (``forecast.realized``) and data drift (``data.drift``) both compare a
run with an earlier one of the same kind. :func:`earlier_runs` walks the index named by
the run's config (``runs.index``) newest first and yields the finished runs whose
manifest satisfies a predicate; :func:`pick_run` applies the ``auto`` / run id / ``false``
setting both features share. A missing index or a run folder that is gone is never an
error: the caller gets nothing and writes a note.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from salesforge.errors import ConfigError, SalesforgeError
from salesforge.manifest import MANIFEST_NAME, Manifest, as_dict, read_manifest
from salesforge.runs.index import RunIndex
from salesforge.runs.recorder import index_path

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class EarlierRun:
    """A finished run found in the index: its id, folder and manifest."""

    run_id: str
    path: Path
    manifest: Manifest


#: Manifests one search reads at most (an index of thousands of runs stays cheap).
MAX_READ = 200


def earlier_runs(config: Any, current_id: str | None,
                 accept: Callable[[dict[str, Any]], bool] = lambda manifest: True,
                 where: Sequence[str] = (), max_read: int = MAX_READ) -> Iterator[EarlierRun]:
    """Runs of the index of ``config`` (``runs.index``) that finished ``ok`` before the
    current one (``current_id`` left out), newest first, whose manifest ``accept`` takes;
    ``where`` narrows the index rows first (``freq=W``), and at most ``max_read``
    manifests are read. Yields nothing when runs are not recorded or the index does not
    exist yet."""
    path = index_path(config)
    if path is None or not path.is_file():
        return
    try:
        rows = RunIndex(path).runs(last=max_read + 1, where=["status=ok", *where])
    except (sqlite3.Error, OSError, SalesforgeError) as error:
        log.warning("the run index %s could not be read (%s); no earlier run is used", path,
                    error)
        return
    for row in rows:
        if row["run_id"] == current_id:
            continue
        folder = Path(row["path"])
        if not (folder / MANIFEST_NAME).is_file():
            continue
        try:
            manifest = read_manifest(folder)
        except (OSError, ValueError, SalesforgeError):
            continue
        if accept(as_dict(manifest)):
            yield EarlierRun(str(row["run_id"]), folder, manifest)


#: Values of an ``auto`` / ``<run id>`` / ``false`` setting that mean off, and auto.
OFF = ("false", "none", "off", "")
AUTO = ("auto", "true", "latest")


def reference_setting(value: Any, key: str) -> str | None:
    """An ``auto`` / ``<run id>`` / ``false`` setting (config key ``key``) read: ``"auto"``,
    the run id, or ``None`` when off; anything else is a :class:`ConfigError`."""
    if value is None or value is False:
        return None
    if value is True:
        return "auto"
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise ConfigError(f"config key {key} must be auto, a run id or false, not {value!r}.")
    text = str(value).strip()
    if text.lower() in OFF:
        return None
    return "auto" if text.lower() in AUTO else text


def pick_run(setting: Any, key: str, config: Any, current_id: str | None,
             accept: Callable[[dict[str, Any]], bool]) -> EarlierRun | None:
    """The earlier run an ``auto`` / ``<run id>`` / ``false`` setting (config key ``key``)
    names (:func:`reference_setting`): ``auto`` the newest run ``accept`` takes, a run id
    (or unique prefix) that run if ``accept`` takes it, off none. A run id that is not in
    the index, or does not match, raises :class:`ConfigError` naming ``key``."""
    wanted = reference_setting(setting, key)
    if wanted is None:
        return None
    if wanted == "auto":
        return next(earlier_runs(config, current_id, accept), None)
    path = index_path(config)
    if path is None or not path.is_file():
        raise ConfigError(f"config key {key}={wanted!r} names a run, but there is no run "
                          f"index to find it in (runs.index).")
    row = RunIndex(path).resolve(wanted)
    folder = Path(row["path"])
    if not (folder / MANIFEST_NAME).is_file():
        raise ConfigError(f"config key {key}={wanted!r}: run {row['run_id']} has no manifest "
                          "any more.")
    manifest = read_manifest(folder)
    if not accept(as_dict(manifest)):
        raise ConfigError(f"config key {key}={wanted!r}: run {row['run_id']} does not match "
                          "this run (another target, frequency, grouping or data).")
    return EarlierRun(str(row["run_id"]), folder, manifest)
