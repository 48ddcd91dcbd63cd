"""Stream a text file (CSV/TSV or JSON, plain or decompressed) chunk by chunk and refuse it
at the first chunk over a limit: decompressed bytes and ratio, header columns, cells.

Nothing is held but one chunk and, for CSV, at most a bounded header line: a header with
a million columns is refused after :func:`header_bound` bytes, counted with
``bytes.count``, never split into a list."""

from __future__ import annotations

import io
import re
from typing import BinaryIO

from salesforge.data.filetype import HEAD_BYTES, text_kind
from salesforge.data.input_limits import InputLimits, check_expansion
from salesforge.data.parse_deadline import Deadline

CHUNK = 1024 * 1024
#: A header line may hold this many bytes per allowed column (and 1 MiB in any case).
HEADER_BYTES_PER_COLUMN = 256
_DELIMITERS = (b",", b";", b"\t", b"|")
_QUOTED = re.compile(rb'"[^"\n]*"')
_PAIR = b'":'  # the end of a JSON key: one field of one record


def header_bound(limits: InputLimits) -> int:
    """The most bytes read looking for the end of a CSV header line."""
    return max(CHUNK, HEADER_BYTES_PER_COLUMN * (limits.max_columns or 0))


def count_columns(header: bytes) -> int:
    """Columns of a (possibly cut) header line: separators outside quotes, plus one; the
    separator that occurs most is taken, so the count never falls short."""
    bare = _QUOTED.sub(b"", header)
    return max(bare.count(d) for d in _DELIMITERS) + 1


class TextScan:
    """Feed the chunks of one text file; :meth:`feed` raises the limit's
    :class:`DataError` as soon as one is passed. ``stored`` is the file's size on disk when
    the chunks are decompressed (bytes and ratio are bounded then), else ``None``."""

    def __init__(self, name: str, limits: InputLimits, deadline: Deadline,
                 stored: int | None) -> None:
        self.name, self.limits, self.deadline, self.stored = name, limits, deadline, stored
        self.kind: str | None = None
        self.total = 0
        self.header = bytearray()
        self.columns: int | None = None
        self.rows = 0
        self.pairs = 0
        self._last = b""

    @property
    def done(self) -> bool:
        """Whether reading further chunks can refuse nothing more."""
        limits = self.limits
        if self.stored is not None and (limits.max_decompressed_mb is not None
                                        or limits.max_ratio is not None):
            return False  # decompressed bytes are only known at the end
        if limits.max_cells is not None and self.kind is not None:
            return False  # rows (CSV) or fields (JSON) are counted to the end
        header_pending = self.kind == "csv" and self.columns is None
        return not (header_pending and limits.max_columns is not None)

    def feed(self, chunk: bytes | bytearray, start: int = 0, end: int | None = None) -> None:
        """Count ``chunk[start:end]`` (the whole chunk by default; a range of a reused
        buffer is counted where it lies, not copied)."""
        end = len(chunk) if end is None else end
        self.total += end - start
        if self.stored is not None:
            check_expansion(self.limits, self.name, self.total, self.stored)
        if self.kind == "csv":
            self._csv(chunk, start, end)
        elif self.kind == "json" and self.limits.max_cells is not None:
            part = bytes(chunk[start:end])
            self.pairs += (self._last + part).count(_PAIR)
            self._last = part[-1:]
            self._cells(self.pairs, "holds")
        self.deadline.check(self.name)

    def finish(self) -> None:
        """After the last chunk: a header without a line end is complete."""
        if self.kind == "csv" and self.columns is None and self.header:
            self._header_done(bytes(self.header))

    def _csv(self, chunk: bytes | bytearray, start: int, end: int) -> None:
        if self.columns is None:
            line_end = chunk.find(b"\n", start, end)
            self.header += chunk[start:end if line_end < 0 else line_end]
            if line_end < 0:
                self._header_growing()
                return
            self._header_done(bytes(self.header))
            start = line_end + 1
        if self.limits.max_cells is not None:
            self.rows += chunk.count(b"\n", start, end)
            self._cells(self.rows * (self.columns or 1), "has")

    def _header_growing(self) -> None:
        limits, seen = self.limits, count_columns(bytes(self.header))
        if limits.max_columns is not None and seen > limits.max_columns:
            raise limits.refuse(self.name, "max_columns",
                                f"has {seen:,} or more columns in its header")
        if len(self.header) > header_bound(limits):
            if limits.max_columns is not None:
                raise limits.refuse(self.name, "max_columns", f"has a header line longer "
                                    f"than {header_bound(limits):,} bytes")
            self.columns = seen  # no column limit: a lower bound serves the cell count
            self.header = bytearray()

    def _header_done(self, header: bytes) -> None:
        self.columns = count_columns(header)
        self.header = bytearray()
        limit = self.limits.max_columns
        if limit is not None and self.columns > limit:
            raise self.limits.refuse(self.name, "max_columns",
                                     f"has {self.columns:,} columns")

    def _cells(self, cells: int, verb: str) -> None:
        limit = self.limits.max_cells
        if limit is not None and cells > limit:
            raise self.limits.refuse(self.name, "max_cells", f"{verb} more than {limit:,} "
                                     "cells (rows x columns)")


def scan_text(stream: BinaryIO | io.BufferedIOBase, scan: TextScan) -> str | None:
    """Read ``stream`` through ``scan`` as far as a limit needs (to the end for
    decompressed bytes and cells, past the header line for columns), refusing at the first
    limit passed; the text kind (``csv``/``json``) of its content, ``None`` when empty or
    binary."""
    first = stream.read(CHUNK)
    kind = text_kind(first[:HEAD_BYTES])
    if kind is None and scan.stored is None:
        return None
    scan.kind = kind
    chunk = first
    while chunk and not scan.done:
        scan.feed(chunk)
        chunk = stream.read(CHUNK)
    scan.finish()
    return scan.kind
