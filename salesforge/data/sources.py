"""Resolve ``data.path`` (a file, a glob, a folder, a list of those, or a database URL)
into the sources to read, and stack several loaded sources with a ``source_file`` column."""

from __future__ import annotations

import glob
from collections.abc import Callable, Sequence
from pathlib import Path

import pandas as pd

from salesforge.base.loader import is_url
from salesforge.errors import DataError

Source = str | Path
SOURCE_COLUMN = "source_file"
_GLOB = set("*?[")


def resolve_sources(setting: object, readable: Callable[[Path], bool]) -> list[Source]:
    """The sources ``setting`` names, in order: a list is resolved item by item, a glob
    gives its matching files sorted, a folder the files in it that ``readable`` accepts
    (sorted, hidden files skipped), a URL itself. Raises :class:`DataError` when a glob or
    folder gives nothing."""
    if isinstance(setting, Sequence) and not isinstance(setting, str):
        found = [s for item in setting for s in resolve_sources(item, readable)]
        if not found:
            raise DataError("config key data.path is an empty list; name at least one file.")
        return found
    text = str(setting)
    if is_url(text):
        return [text]
    if _GLOB & set(text):
        matches = [Path(m) for m in sorted(glob.glob(str(Path(text).expanduser()),
                                                     recursive=True))]
        files: list[Source] = [m for m in matches if m.is_file()]
        if not files:
            raise DataError(f"data.path pattern {text} matches no file; check the pattern.")
        return files
    path = Path(text).expanduser()
    if path.is_dir():
        files = sorted(p for p in path.iterdir()
                       if p.is_file() and not p.name.startswith(".") and readable(p))
        if not files:
            raise DataError(f"data folder {path} holds no file salesforge can read; put CSV, "
                            "Excel, JSON or Parquet files in it or set data.path to a file.")
        return files
    return [path]


def source_names(sources: Sequence[Source]) -> list[str]:
    """Short, distinct names for ``sources``: file names, or full paths when names clash."""
    names = [Path(s).name if not is_url(s) else str(s) for s in sources]
    if len(set(names)) < len(names):
        names = [str(s) for s in sources]
    return names


def stack(frames: Sequence[pd.DataFrame], names: Sequence[str]) -> pd.DataFrame:
    """One frame: a single frame unchanged, several concatenated in order with a
    ``source_file`` column naming where each row came from (columns are the union)."""
    if len(frames) == 1:
        return frames[0]
    labelled = []
    for frame, name in zip(frames, names, strict=True):
        column = SOURCE_COLUMN if SOURCE_COLUMN not in frame.columns else f"{SOURCE_COLUMN}_"
        labelled.append(frame.assign(**{column: pd.Series(name, index=frame.index,
                                                           dtype="string")}))
    return pd.concat(labelled, ignore_index=True)
