"""The one check every input file passes before a loader opens it: its type by content,
and the limits of :class:`~salesforge.data.input_limits.InputLimits` enforced while
streaming it, before anything is materialised.

Uploads (REST API, results app) call :func:`check_input_file`, which also refuses content
of no known type; ``salesforge run`` calls :func:`check_data_file`, which leaves such
files to the loader (a UTF-16 CSV, say) and only bounds the rest."""

from __future__ import annotations

import bz2
import gzip
import io
import lzma
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import cast

from salesforge.data.filetype import container_of
from salesforge.data.input_limits import InputLimits, check_expansion
from salesforge.data.parse_deadline import Deadline
from salesforge.data.text_scan import TextScan, scan_text
from salesforge.data.zip_scan import scan_zip
from salesforge.errors import DataError

#: Kinds :func:`check_input_file` answers.
KINDS = ("csv", "json", "csv.gz", "json.gz", "csv.bz2", "json.bz2", "csv.xz", "json.xz",
         "csv.zip", "json.zip", "xlsx", "xls", "parquet")
#: Opener per compressed container, called as ``opener(path, "rb")``. The cast: typeshed
#: types each ``open`` as an overload on the mode (each returns a buffered binary stream).
OPENERS = cast("dict[str, Callable[[Path, str], io.BufferedIOBase]]",
                {"gz": gzip.open, "bz2": bz2.open, "xz": lzma.open})
#: Containers :class:`CheckedStream` reads.
COMPRESSED_STREAMS = tuple(OPENERS)
_DAMAGED = (OSError, EOFError, zlib.error, lzma.LZMAError)
#: Bytes of Parquet footer allowed per permitted column (and 8 MiB in any case).
FOOTER_BYTES_PER_COLUMN = 8192


def check_input_file(path: Path, display_name: str, limits: InputLimits) -> str:
    """The kind of ``path`` (one of :data:`KINDS`) by its content; :class:`DataError`
    naming ``display_name`` when it is empty, of no known kind, or over a limit."""
    kind = check_data_file(path, display_name, limits)
    if kind is None:
        if path.stat().st_size == 0:
            raise DataError(f"file {display_name} is empty.")
        raise DataError(f"file {display_name} is not CSV, JSON, Excel or Parquet by its "
                        "content; send the file in one of those formats.")
    return kind


def check_data_file(path: Path, display_name: str, limits: InputLimits) -> str | None:
    """The kind of ``path`` as :func:`check_input_file` finds it, ``None`` for empty or
    unknown content; :class:`DataError` naming ``display_name`` over a limit."""
    deadline = Deadline(limits)
    container = container_of(path)
    if container in ("csv", "json"):
        with open(path, "rb") as stream:
            return scan_text(stream, TextScan(display_name, limits, deadline, None))
    if container in OPENERS:
        return _check_compressed(path, container, display_name, limits, deadline)
    if container == "zip":
        return scan_zip(path, display_name, limits, deadline)
    if container == "parquet":
        _check_parquet(path, display_name, limits)
    return container  # parquet, xls (bounded by its format: 65,536 x 256 cells) or None


class CheckedStream:
    """The decompressed bytes of a gzip, bzip2 or xz file, read (by Arrow's CSV reader, as a
    file object) through a :class:`TextScan`: the limits :func:`check_data_file` enforces
    are enforced while reading, so the file is decompressed once, not once to check and
    again to parse. A damaged file is the same :class:`DataError` as there."""

    closed = False

    def __init__(self, path: Path, name: str, limits: InputLimits) -> None:
        container = container_of(path)
        if container not in OPENERS:
            raise ValueError(f"{path} is not a gzip, bzip2 or xz file")
        self.container, self.name = container, name
        self.stream = OPENERS[container](path, "rb")
        self.scan = TextScan(name, limits, Deadline(limits), path.stat().st_size)
        self.scan.kind = "csv"

    def read(self, size: int = -1) -> bytes:
        try:
            chunk = self.stream.read(size if size is not None and size > 0 else -1)
        except _DAMAGED as error:
            raise _damaged(self.name, self.container, error) from None
        if chunk:
            self.scan.feed(chunk)
        else:
            self.scan.finish()
        return chunk

    def fill(self, buffer: bytearray, start: int, size: int) -> int:
        """Up to ``size`` next bytes written into ``buffer[start:]``, checked in place
        (:func:`~salesforge.data.csv_pieces.read_pieces` reuses its buffers); how many."""
        try:
            got = self.stream.readinto(
                memoryview(buffer)[start:start + size])
        except _DAMAGED as error:
            raise _damaged(self.name, self.container, error) from None
        if got:
            self.scan.feed(buffer, start, start + got)
        else:
            self.scan.finish()
        return got

    def readable(self) -> bool:
        return True

    def close(self) -> None:
        self.closed = True
        self.stream.close()

    def __enter__(self) -> CheckedStream:
        return self

    def __exit__(self, *error: object) -> None:
        self.close()


def _damaged(name: str, container: str, error: BaseException) -> DataError:
    reason = str(error).strip().splitlines()[0] if str(error).strip() else "cut short"
    return DataError(f"file {name} is a damaged {container} file ({reason}); compress it "
                     "again.")


def _check_compressed(path: Path, container: str, name: str, limits: InputLimits,
                      deadline: Deadline) -> str | None:
    try:
        with OPENERS[container](path, "rb") as stream:
            kind = scan_text(stream, TextScan(name, limits, deadline, path.stat().st_size))
    except _DAMAGED as error:
        raise _damaged(name, container, error) from None
    return None if kind is None else f"{kind}.{container}"


def _check_parquet(path: Path, name: str, limits: InputLimits) -> None:
    """Only the footer is read: its length first, then its metadata."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    stored = path.stat().st_size
    with open(path, "rb") as handle:
        handle.seek(stored - 8)
        footer = int.from_bytes(handle.read(4), "little")
    bound = max(8 * 1024 * 1024, FOOTER_BYTES_PER_COLUMN * (limits.max_columns or 0))
    if limits.max_columns is not None and footer > bound:
        raise limits.refuse(name, "max_columns", f"has a {footer / 1024 / 1024:.3g} MB "
                            "Parquet footer, more than that many columns need")
    try:
        meta = pq.read_metadata(path)
    except (pa.ArrowException, OSError) as error:
        first = str(error).strip().splitlines()[0] if str(error).strip() else "unreadable"
        raise DataError(f"file {name} is not a readable Parquet file ({first}).") from None
    if limits.max_columns is not None and meta.num_columns > limits.max_columns:
        raise limits.refuse(name, "max_columns", f"has {meta.num_columns:,} columns")
    if limits.max_cells is not None and meta.num_rows * meta.num_columns > limits.max_cells:
        raise limits.refuse(name, "max_cells", f"has {meta.num_rows * meta.num_columns:,} "
                            "cells (rows x columns)")
    expanded = sum(meta.row_group(i).total_byte_size for i in range(meta.num_row_groups))
    check_expansion(limits, name, expanded, stored)
