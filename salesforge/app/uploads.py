"""Upload checks: size cap, file type by content (never by name alone), safe names.

Nothing uploaded is ever unpickled or executed: accepted files are written as bytes and
read later by the registered loaders like any ``data.path``."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

from salesforge.errors import DataError

#: detected type -> file suffix the loaders recognise
SUFFIXES = {"csv": ".csv", "excel": ".xlsx", "json": ".json", "parquet": ".parquet"}
DEFAULT_MAX_MB = 16


def safe_name(name: str) -> str:
    """The file name without folders, odd characters or leading dots: ``../a b?.csv`` ->
    ``a_b_.csv``; ``upload`` when nothing is left."""
    base = re.split(r"[\\/]", str(name))[-1]
    base = re.sub(r"[^A-Za-z0-9._-]", "_", base).lstrip(".")
    return base[:120] or "upload"


def sniff(data: bytes) -> str | None:
    """``csv``, ``excel``, ``json`` or ``parquet`` from the bytes; ``None`` otherwise."""
    if data[:4] == b"PAR1" and data[-4:] == b"PAR1":
        return "parquet"
    if data[:4] == b"PK\x03\x04":
        try:
            names = zipfile.ZipFile(io.BytesIO(data)).namelist()
        except zipfile.BadZipFile:
            return None
        return "excel" if any(n.startswith("xl/") for n in names) else None
    head = data[:65536]
    if b"\x00" in head:
        return None
    try:
        text = head.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = head.decode("latin-1")
    stripped = text.lstrip()
    if stripped[:1] in ("[", "{"):
        return "json"
    first = stripped.splitlines()[0] if stripped else ""
    return "csv" if any(sep in first for sep in (",", ";", "\t", "|")) else None


def check_upload(name: str, data: bytes, max_mb: float = DEFAULT_MAX_MB) -> tuple[str, str]:
    """``(safe file name with the suffix of its detected type, type)``; raises
    :class:`DataError` naming the file when it is too big or of no readable type."""
    shown = safe_name(name)
    if len(data) > max_mb * 1024 * 1024:
        raise DataError(f"upload {shown} is {len(data) / 1024 / 1024:.1f} MB, over the "
                        f"{max_mb:g} MB limit (config key app.upload_max_mb).")
    if not data:
        raise DataError(f"upload {shown} is empty.")
    kind = sniff(data)
    if kind is None:
        raise DataError(f"upload {shown} is not CSV, Excel (.xlsx), JSON or Parquet by its "
                        "content.")
    stem = shown
    for suffix in (".csv", ".xlsx", ".xls", ".json", ".parquet", ".txt", ".tsv"):
        if stem.lower().endswith(suffix):
            stem = stem[: -len(suffix)]
    return (stem or "upload") + SUFFIXES[kind], kind


def save_uploads(files: dict[str, bytes], folder: str | Path,
                 max_mb: float = DEFAULT_MAX_MB) -> list[Path]:
    """Check every upload, then write them into ``folder`` (created); names made unique."""
    checked = [(*check_upload(name, data, max_mb), data) for name, data in files.items()]
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    paths: list[Path] = []
    for name, _kind, data in checked:
        path = folder / name
        n = 1
        while path.exists() or path in paths:
            path = folder / f"{Path(name).stem}-{n}{Path(name).suffix}"
            n += 1
        path.write_bytes(data)
        paths.append(path)
    return paths
