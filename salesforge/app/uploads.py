"""The app's uploads: its size cap (``app.upload_max_mb``) and its folder, around the
upload validator it shares with the REST API (:mod:`salesforge.data.uploads`: safe names,
type by content, ``app.limits`` enforced while streaming the saved bytes).

Nothing uploaded is ever unpickled or executed: accepted files are written as bytes and
read later by the registered loaders like any ``data.path``."""

from __future__ import annotations

import tempfile
import uuid
from functools import cache
from pathlib import Path

from salesforge.config import packaged_config
from salesforge.data.input_limits import STRICT, InputLimits, limits_from_config
from salesforge.data.uploads import KINDS, CheckedUpload, check_upload_file, safe_name
from salesforge.errors import DataError

__all__ = ["DEFAULT_MAX_MB", "app_limits", "check_upload", "safe_name", "save_uploads"]

DEFAULT_MAX_MB = 16


@cache
def app_limits() -> InputLimits:
    """``app.limits`` of the packaged config (the app composes no overrides)."""
    node = packaged_config().get("app") or {}
    return limits_from_config(node.get("limits"), "app.limits", STRICT)


def check_upload(name: str, data: bytes, max_mb: float = DEFAULT_MAX_MB,
                 limits: InputLimits | None = None) -> tuple[str, str]:
    """``(safe file name with the suffix of its detected type, type)``; raises
    :class:`DataError` naming the file when it is too big, of no readable type or over
    ``limits`` (default ``app.limits``)."""
    with tempfile.TemporaryDirectory(prefix="salesforge-upload-") as folder:
        checked = _check_saved(name, data, Path(folder) / "upload.part", max_mb, limits)
        return checked.name, checked.type


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
            checked = _check_saved(name, data, part, max_mb, limits)
            suffix = KINDS[checked.kind][0]
            path = folder / checked.name
            n = 1
            while path.exists() or path in paths:
                path = folder / f"{checked.name[: -len(suffix)]}-{n}{suffix}"
                n += 1
            part.rename(path)
            paths.append(path)
    except BaseException:
        for path in paths:
            path.unlink(missing_ok=True)
        raise
    return paths


def _check_saved(name: str, data: bytes, part: Path, max_mb: float,
                 limits: InputLimits | None) -> CheckedUpload:
    """Write ``data`` to ``part`` and check it there (``part`` removed when refused)."""
    if len(data) > max_mb * 1024 * 1024:
        raise DataError(f"upload {safe_name(name)} is {len(data) / 1024 / 1024:.1f} MB, over "
                        f"the {max_mb:g} MB limit (config key app.upload_max_mb).")
    part.write_bytes(data)
    try:
        return check_upload_file(part, name, limits or app_limits())
    except BaseException:
        part.unlink(missing_ok=True)
        raise
