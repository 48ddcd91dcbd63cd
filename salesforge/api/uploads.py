"""The API's uploads: its size limit while the body streams to disk, then the upload
validator it shares with the results app (:mod:`salesforge.data.uploads`: safe names,
type by content, ``api.limits``), then a summary read by the registered loaders.

Uploaded bytes are only ever read by the registered loaders (CSV/TSV, Excel, JSON,
Parquet); nothing is unpickled, and database files are refused.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, BinaryIO

import pandas as pd

from salesforge.data.input_limits import STRICT, InputLimits
from salesforge.data.parse_deadline import load_within
from salesforge.data.rejected_share import DEFAULT_MAX_REJECTED_SHARE, rejected_warning
from salesforge.errors import DataError
from salesforge.layout import RunLayout

CHUNK = 1024 * 1024


class UploadTooLarge(Exception):
    """The upload exceeds ``api.max_upload_mb``."""


def copy_limited(source: BinaryIO, target: Path, limit: int) -> int:
    """Copy ``source`` to ``target`` in chunks; raise :class:`UploadTooLarge` past ``limit``
    bytes. Returns the number of bytes written."""
    written = 0
    with open(target, "wb") as out:
        while chunk := source.read(CHUNK):
            written += len(chunk)
            if written > limit:
                raise UploadTooLarge
            out.write(chunk)
    return written


def _read(path: Path, filename: str, plugins: Any, limits: InputLimits
          ) -> tuple[str, pd.DataFrame]:
    """``(loader name, frame)`` of an upload, read by the registered loader for its type
    within ``limits.max_parse_seconds``."""
    registry = plugins.registry
    names = [n for n in registry.names("loader") if registry.get("loader", n).cls.handles(path)]
    if not names:
        raise DataError(f"uploaded file {filename} has a type no installed loader reads.")
    loader = plugins.create("loader", names[0], {})
    return names[0], load_within(lambda: loader.load(path), filename, limits)


def summarise(path: Path, filename: str, plugins: Any,
              limits: InputLimits = STRICT) -> dict[str, Any]:
    """Load ``path`` with the registered loader for its type (within
    ``limits.max_parse_seconds``) and clean it with the standard cleaner; returns rows,
    columns and date range (:class:`DataError` if unusable)."""
    loader, raw = _read(path, filename, plugins, limits)
    result = plugins.create("cleaner", "standard", {}).clean(
        raw, {}, source=f"uploaded file {filename}")
    clean = result.clean
    if clean.empty:
        reasons = result.rejected["reason"].value_counts() if len(result.rejected) else None
        first = reasons.index[0] if reasons is not None and len(reasons) else "no usable rows"
        raise DataError(f"uploaded file {filename} has no usable sales rows (e.g. {first}).")
    reasons = ({str(k): int(v) for k, v in result.rejected["reason"].value_counts().items()}
               if len(result.rejected) else {})
    counts = {"rows_in": len(raw), "rows_rejected": len(result.rejected),
              "rejected_reasons": reasons}
    warning = rejected_warning(counts, DEFAULT_MAX_REJECTED_SHARE,
                               f"{RunLayout.REJECTED} of a run on it")
    return {
        "loader": loader, "rows_in": len(raw), "rows_clean": len(clean),
        "rows_rejected": len(result.rejected), "rows_duplicate": int(result.duplicates),
        "rejected_reasons": reasons, "warnings": [warning] if warning else [],
        "columns": [str(c) for c in raw.columns],
        "columns_mapped": {str(k): str(v) for k, v in result.columns_mapped.items()},
        "date_min": str(clean["date"].min().date()), "date_max": str(clean["date"].max().date()),
        "revenue_total": float(clean["revenue"].sum()) if "revenue" in clean else None,
        "products": int(clean["product"].nunique()) if "product" in clean else None,
    }


def summarise_table(path: Path, filename: str, plugins: Any,
                    limits: InputLimits = STRICT) -> dict[str, Any]:
    """Rows and columns of an uploaded side table (anomaly labels, future covariates),
    read with the registered loader for its type (within ``limits.max_parse_seconds``);
    :class:`DataError` if unusable."""
    loader, table = _read(path, filename, plugins, limits)
    if table.empty or len(table.columns) < 2:
        raise DataError(f"uploaded file {filename} needs a header and at least one row with "
                        "two or more columns.")
    return {"loader": loader, "rows_in": len(table),
            "columns": [str(c) for c in table.columns]}
