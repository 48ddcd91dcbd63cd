"""Zip archives (xlsx/xlsm workbooks, zipped CSV) checked without extracting them.

First the end record (entry count, directory size), then the central directory (declared
sizes: their sum and its ratio to the file), then every member a loader reads is
decompressed chunk by chunk to count its real bytes (declared sizes can lie). Worksheet
XML is scanned as it streams: cells counted, the highest column and row of any cell
reference kept, so a sheet over ``max_columns`` or ``max_cells`` (as pandas lays it out:
last row x last column) is refused before anything parses it."""

from __future__ import annotations

import re
import struct
import zipfile
import zlib
from pathlib import Path
from typing import BinaryIO, cast

from salesforge.data.input_limits import InputLimits, check_expansion
from salesforge.data.parse_deadline import Deadline
from salesforge.data.text_scan import CHUNK, TextScan, scan_text
from salesforge.errors import DataError

_END = b"PK\x05\x06"
_END64_LOCATOR = b"PK\x06\x07"
_END64 = b"PK\x06\x06"
#: Bytes of central directory allowed per permitted entry (46 fixed + name + extras).
DIRECTORY_BYTES_PER_ENTRY = 512
_SHEET = re.compile(r"^xl/worksheets/[^/]+\.xml$")
_P = rb"<(?:[A-Za-z_][\w.-]{0,15}:)?"  # an element start, with an optional namespace prefix
_CELL = re.compile(_P + rb"c[\s/>]")
_CELL_COLUMN = re.compile(_P + rb'c\s[^>]*?\br="([A-Z]{1,3})[0-9]')
_ROW = re.compile(_P + rb'row\s[^>]*?\br="([0-9]{1,9})"')
_TAIL_MAX = 65536
_DAMAGED = (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, RuntimeError,
            EOFError, OSError, zlib.error, struct.error)


def directory_size(path: Path) -> tuple[int, int] | None:
    """``(entries, central directory bytes)`` from the end record of the zip ``path`` (its
    zip64 record when there is one); ``None`` without an end record."""
    size = path.stat().st_size
    with open(path, "rb") as handle:
        start = max(0, size - 65535 - 22)
        handle.seek(start)
        tail = handle.read()
        at = tail.rfind(_END)
        if at < 0 or len(tail) - at < 22:
            return None
        entries, directory = struct.unpack("<HI", tail[at + 10:at + 16])
        locator = tail[at - 20:at] if at >= 20 else b""
        if locator[:4] == _END64_LOCATOR:
            handle.seek(struct.unpack("<Q", locator[8:16])[0])
            record = handle.read(56)
            if record[:4] == _END64:
                entries, directory = struct.unpack("<QQ", record[32:48])
    return entries, directory


def column_number(letters: bytes) -> int:
    """``A`` -> 1, ``Z`` -> 26, ``AA`` -> 27, ``XFD`` -> 16384."""
    number = 0
    for letter in letters:
        number = number * 26 + letter - 64
    return number


class SheetScan:
    """Feed the decompressed chunks of one worksheet's XML; refuses on the first chunk
    whose cells pass ``max_columns`` or ``max_cells``."""

    def __init__(self, name: str, limits: InputLimits) -> None:
        self.name, self.limits = name, limits
        self.tail = b""
        self.cells = self.last_column = self.last_row = 0

    def feed(self, chunk: bytes) -> None:
        data = self.tail + chunk
        cut = data.rfind(b"<")  # a tag cut by the chunk end waits for the next chunk
        if cut < 0 or len(data) - cut > _TAIL_MAX:
            cut = len(data)
        self._count(data[:cut])
        self.tail = data[cut:]

    def finish(self) -> None:
        self._count(self.tail)
        self.tail = b""

    def _count(self, part: bytes) -> None:
        limits = self.limits
        self.cells += len(_CELL.findall(part))
        letters = set(_CELL_COLUMN.findall(part))
        if letters:
            self.last_column = max(self.last_column, *map(column_number, letters))
        rows = _ROW.findall(part)
        if rows:
            self.last_row = max(self.last_row, *map(int, rows))
        if limits.max_columns is not None and self.last_column > limits.max_columns:
            raise limits.refuse(self.name, "max_columns", f"has a sheet with cells in column "
                                f"{self.last_column:,}")
        cells = max(self.cells, self.last_row * self.last_column)
        if limits.max_cells is not None and cells > limits.max_cells:
            raise limits.refuse(self.name, "max_cells", f"has a sheet of more than "
                                f"{limits.max_cells:,} cells (rows x columns)")


def scan_zip(path: Path, name: str, limits: InputLimits, deadline: Deadline) -> str | None:
    """``xlsx`` for a workbook, ``csv.zip``/``json.zip`` for zipped text, ``None`` for
    anything else; :class:`DataError` for a damaged archive or one over a limit."""
    stored = path.stat().st_size
    _check_directory(path, name, limits)
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
            if limits.max_entries is not None and len(infos) > limits.max_entries:
                raise limits.refuse(name, "max_entries", f"holds {len(infos):,} files")
            check_expansion(limits, name, sum(i.file_size for i in infos), stored)
            if any(i.filename.startswith("xl/") for i in infos):
                _stream_workbook(archive, infos, name, limits, deadline, stored)
                return "xlsx"
            members = [i for i in infos if not i.is_dir()]
            if not members:
                return None
            with archive.open(members[0]) as stream:
                # a zip member is an IO[bytes]; scan_text only reads it
                kind = scan_text(cast(BinaryIO, stream),
                                 TextScan(name, limits, deadline, stored))
            return None if kind is None else f"{kind}.zip"
    except _DAMAGED as error:
        reason = str(error).strip().splitlines()[0] if str(error).strip() else "unreadable"
        raise DataError(f"file {name} is a damaged or unsupported zip archive ({reason}); "
                        "open and save it again.") from None


def _check_directory(path: Path, name: str, limits: InputLimits) -> None:
    found = directory_size(path)
    if found is None:
        raise DataError(f"file {name} is a damaged zip archive (no end of central "
                        "directory); open and save it again.")
    entries, directory = found
    limit = limits.max_entries
    if limit is not None and (entries > limit or directory > limit * DIRECTORY_BYTES_PER_ENTRY):
        raise limits.refuse(name, "max_entries", f"holds {entries:,} files in a "
                            f"{directory / 1024 / 1024:.2g} MB directory")


def _stream_workbook(archive: zipfile.ZipFile, infos: list[zipfile.ZipInfo], name: str,
                     limits: InputLimits, deadline: Deadline, stored: int) -> None:
    total = 0
    for info in infos:
        if info.is_dir():
            continue
        sheet = SheetScan(name, limits) if _SHEET.match(info.filename) else None
        with archive.open(info) as member:
            while chunk := member.read(CHUNK):
                total += len(chunk)
                check_expansion(limits, name, total, stored)
                if sheet is not None:
                    sheet.feed(chunk)
                deadline.check(name)
        if sheet is not None:
            sheet.finish()
