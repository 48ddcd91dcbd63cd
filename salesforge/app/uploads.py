"""Upload checks: size cap (``app.upload_max_mb``), safe names, then the input check every
entry point shares (:mod:`salesforge.data.input_check`): type by content (never by name
alone) and ``app.limits`` (decompressed bytes, ratio, columns, cells, parse time) enforced
while streaming the saved bytes.

Nothing uploaded is ever unpickled or executed: accepted files are written as bytes and
read later by the registered loaders like any ``data.path``."""

from __future__ import annotations

import re
import tempfile
import uuid
from functools import cache
from pathlib import Path

from omegaconf import OmegaConf

from salesforge.config import conf_dir
from salesforge.data.input_check import check_data_file
from salesforge.data.input_limits import STRICT, InputLimits, limits_from_config
from salesforge.errors import DataError

#: detected kind -> file suffix the loaders recognise
SUFFIXES = {"csv": ".csv", "csv.gz": ".csv.gz", "json": ".json", "json.gz": ".json.gz",
            "xlsx": ".xlsx", "xls": ".xls", "parquet": ".parquet"}
#: detected kind -> the type the app reports
TYPES = {"csv": "csv", "csv.gz": "csv", "json": "json", "json.gz": "json", "xlsx": "excel",
         "xls": "excel", "parquet": "parquet"}
_KNOWN_SUFFIXES = sorted({".txt", ".tsv", ".jsonl", ".ndjson", ".xlsm", ".pq", ".gz",
                          *SUFFIXES.values(), *(s + ".gz" for s in (".txt", ".tsv"))},
                         key=len, reverse=True)
DEFAULT_MAX_MB = 16


@cache
def app_limits() -> InputLimits:
    """``app.limits`` of the packaged config (the app composes no overrides)."""
    node = OmegaConf.load(conf_dir() / "config.yaml").get("app") or {}
    return limits_from_config(node.get("limits"), "app.limits", STRICT)


def safe_name(name: str) -> str:
    """The file name without folders, odd characters or leading dots: ``../a b?.csv`` ->
    ``a_b_.csv``; ``upload`` when nothing is left."""
    base = re.split(r"[\\/]", str(name))[-1]
    base = re.sub(r"[^A-Za-z0-9._-]", "_", base).lstrip(".")
    return base[:120] or "upload"


def check_upload(name: str, data: bytes, max_mb: float = DEFAULT_MAX_MB,
                 limits: InputLimits | None = None) -> tuple[str, str]:
    """``(safe file name with the suffix of its detected type, type)``; raises
    :class:`DataError` naming the file when it is too big, of no readable type or over
    ``limits`` (default ``app.limits``)."""
    with tempfile.TemporaryDirectory(prefix="salesforge-upload-") as folder:
        return _check_saved(name, data, Path(folder) / "upload.part", max_mb, limits)


def save_uploads(files: dict[str, bytes], folder: str | Path, max_mb: float = DEFAULT_MAX_MB,
                 limits: InputLimits | None = None) -> list[Path]:
    """Check every upload, then keep them in ``folder`` (created); names made unique.
    Each is written to a hidden part file and checked there; when one is refused, nothing
    of this call is left."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    paths: list[Path] = []
    try:
        for name, data in files.items():
            part = folder / f".upload-{uuid.uuid4().hex}.part"
            final, _kind = _check_saved(name, data, part, max_mb, limits)
            path = folder / final
            n = 1
            while path.exists() or path in paths:
                stem = final[: -len(_suffix(final))]
                path = folder / f"{stem}-{n}{_suffix(final)}"
                n += 1
            part.rename(path)
            paths.append(path)
    except BaseException:
        for path in paths:
            path.unlink(missing_ok=True)
        raise
    return paths


def _check_saved(name: str, data: bytes, part: Path, max_mb: float,
                 limits: InputLimits | None) -> tuple[str, str]:
    """Write ``data`` to ``part`` and check it there (``part`` removed when refused)."""
    shown = safe_name(name)
    if len(data) > max_mb * 1024 * 1024:
        raise DataError(f"upload {shown} is {len(data) / 1024 / 1024:.1f} MB, over the "
                        f"{max_mb:g} MB limit (config key app.upload_max_mb).")
    if not data:
        raise DataError(f"upload {shown} is empty.")
    part.write_bytes(data)
    try:
        kind = check_data_file(part, shown, limits or app_limits())
        if kind not in SUFFIXES:
            raise DataError(f"upload {shown} is not CSV, Excel (.xlsx), JSON or Parquet by "
                            "its content.")
    except BaseException:
        part.unlink(missing_ok=True)
        raise
    stem = shown[: len(shown) - len(_suffix(shown))]
    return (stem or "upload") + SUFFIXES[kind], TYPES[kind]


def _suffix(name: str) -> str:
    lower = name.lower()
    return next((s for s in _KNOWN_SUFFIXES if lower.endswith(s)), "")
