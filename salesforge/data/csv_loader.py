"""Delimited text files (CSV, TSV, TXT; gzip/zip/bz2/xz compressed) read with Arrow's
multi-threaded CSV reader straight into Arrow-backed columns."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv

from salesforge.base.loader import Loader, is_url
from salesforge.data.arrow_frame import arrow_to_pandas
from salesforge.data.csv_pieces import Fill, Unsuited, line_safe, read_pieces
from salesforge.data.filetype import container_of
from salesforge.data.input_check import COMPRESSED_STREAMS, OPENERS, CheckedStream
from salesforge.data.input_limits import InputLimits
from salesforge.errors import DataError

_TEXT = (".csv", ".tsv", ".txt")
_COMPRESSED = (".gz", ".zip", ".bz2", ".xz")
HEAD_BYTES = 65536
_CONVERSION = re.compile(r"In CSV column #(\d+): CSV conversion error")
_BLOCK = 1 << 23  # 8 MiB blocks: fewer, larger parse tasks and type inference on more rows


@dataclass
class CsvLoaderConfig:
    """Settings of the ``csv`` loader (``data.options.*``)."""

    #: Field separator; ``None`` sniffs it from the first lines.
    delimiter: str | None = None
    #: Text encoding; ``None`` tries UTF-8 (with or without BOM), then Latin-1.
    encoding: str | None = None


@dataclass(eq=False)
class CsvLoader(Loader, CsvLoaderConfig):
    """Read delimited text with Arrow; every column kept as read (text stays text, ISO
    dates become datetimes, a column with any non-number stays text)."""

    extensions = (*_TEXT, *(t + c for t in _TEXT for c in _COMPRESSED))

    def checks_while_reading(self, source: str | Path) -> bool:
        """Yes for gzip, bzip2 and xz files: their decompressed bytes reach Arrow through
        :class:`~salesforge.data.input_check.CheckedStream`."""
        return not is_url(source) and container_of(Path(source)) in COMPRESSED_STREAMS

    def _load(self, source: Path | str) -> pd.DataFrame:
        path = Path(source)  # a file: this loader has no URL schemes
        head = _read_head(path)
        if not head.strip():
            raise DataError(f"data file {path} is empty (no rows); give a file with sales rows.")
        encoding = self.encoding or _guess_encoding(head, whole_file=len(head) < HEAD_BYTES)
        text = head.decode(encoding, errors="replace").lstrip("\ufeff")
        delimiter = self.delimiter or _sniff_delimiter(text)
        header = next(csv.reader(io.StringIO(text), delimiter=delimiter), [])
        types: dict[str, Any] = {}
        multiline = False
        for _ in range(len(header) + 3):
            try:
                table = _read(path, delimiter, encoding, types, multiline, self.input_limits)
                binary = any(pa.types.is_binary(t) for t in table.schema.types)
                if binary and self.encoding is None and encoding != "latin-1":
                    encoding = "latin-1"  # bytes that are not UTF-8 past the sniffed head
                    continue
                return arrow_to_pandas(table)
            except pa.ArrowInvalid as exc:
                message = str(exc)
                column = _CONVERSION.search(message)
                if column and int(column.group(1)) < len(header):
                    name = header[int(column.group(1))]
                    if types.get(name) is None:  # numbers at first, text later: keep text
                        types[name] = pa.string()
                        continue
                if "invalid UTF8" in message and self.encoding is None and encoding != "latin-1":
                    encoding = "latin-1"
                    continue
                if "Expected" in message and "columns" in message and not multiline:
                    multiline = True  # quoted values with line breaks
                    continue
                first = message.strip().splitlines()[0] if message.strip() else "unreadable"
                raise DataError(f"data file {path} could not be read as CSV: {first}.") from None
        raise DataError(f"data file {path} could not be read as CSV.")


def _read(path: Path, delimiter: str, encoding: str, types: dict[str, Any],
          multiline: bool, limits: InputLimits | None = None) -> pa.Table:
    """The file as an Arrow table; with ``limits``, a compressed file's bytes pass the input
    checks on their way to the parser."""
    arrow_encoding = "utf8" if encoding.replace("-", "").lower() in ("utf8", "utf8sig") \
        else encoding
    read = pacsv.ReadOptions(encoding=arrow_encoding, block_size=_BLOCK)
    parse = pacsv.ParseOptions(delimiter=delimiter, newlines_in_values=multiline)
    # Arrow's default missing markers ("", NA, N/A, NULL, NaN, #N/A, ...; R's NA included)
    # keep its fast conversion path; a custom list measured 15% slower.
    convert = pacsv.ConvertOptions(column_types=types, strings_can_be_null=True)
    if not multiline and line_safe(arrow_encoding):  # rows end at every line end
        try:
            with _opened(path, limits) as fill:
                return read_pieces(fill, read, parse, convert)
        except Unsuited:
            pass  # read whole below
    if limits is not None and container_of(path) in COMPRESSED_STREAMS:
        with CheckedStream(path, str(path), limits) as stream:
            return _read_stream(stream, read, parse, convert)
    name = path.name.lower()
    if name.endswith((".zip", ".xz")):
        with _open_compressed(path) as handle:
            return _read_stream(handle, read, parse, convert)
    return pacsv.read_csv(path, read, parse, convert)  # Arrow decompresses .gz / .bz2


@contextmanager
def _opened(path: Path, limits: InputLimits | None) -> Iterator[Fill]:
    """The ``fill`` of :func:`read_pieces` for ``path``'s decompressed bytes; those of a
    gzip, bzip2 or xz file pass the input checks with ``limits``."""
    if limits is not None and container_of(path) in COMPRESSED_STREAMS:
        with CheckedStream(path, str(path), limits) as checked:
            yield checked.fill
        return
    name = path.name.lower()
    if name.endswith((".zip", ".xz", ".gz", ".bz2")):
        handle = _open_compressed(path)
    else:
        handle = open(path, "rb")  # noqa: SIM115 - closed below
    with handle:
        yield lambda buffer, start, size: handle.readinto(
            memoryview(buffer)[start:start + size])


class _HeldError:
    """A Python file object as Arrow's reader thread sees it: an exception its ``read``
    raises (a limit, a damaged file) is held and the stream ends there; :func:`_read_stream`
    raises it once Arrow has stopped. Thrown into Arrow's background thread instead, it
    could leave that thread running at interpreter exit, which aborts the process
    ("terminate called without an active exception", exit 134)."""

    closed = False

    def __init__(self, stream: Any) -> None:
        self.stream = stream
        self.error: Exception | None = None

    def read(self, size: int = -1) -> bytes:
        if self.error is not None:
            return b""
        try:
            return self.stream.read(size)
        except Exception as error:  # raised again by _read_stream
            self.error = error
            return b""

    def readable(self) -> bool:
        return True

    def close(self) -> None:
        self.closed = True


def _read_stream(stream: Any, read: pacsv.ReadOptions, parse: pacsv.ParseOptions,
                 convert: pacsv.ConvertOptions) -> pa.Table:
    held = _HeldError(stream)
    try:
        table = pacsv.read_csv(held, read, parse, convert)
    except pa.ArrowException:
        if held.error is not None:
            raise held.error from None
        raise
    if held.error is not None:
        raise held.error
    return table


def _open_compressed(path: Path) -> io.BufferedIOBase:
    name = path.name.lower()
    if name.endswith((".xz", ".gz", ".bz2")):
        return OPENERS[name.rsplit(".", 1)[1]](path, "rb")
    import zipfile

    archive = zipfile.ZipFile(path)
    members = [m for m in archive.namelist() if not m.endswith("/")]
    if not members:
        raise DataError(f"data file {path} is empty (no rows); give a file with sales rows.")
    return cast("io.BufferedIOBase", archive.open(members[0]))  # a ZipExtFile


def _read_head(path: Path, size: int = HEAD_BYTES) -> bytes:
    """The first ``size`` bytes of the decompressed file."""
    if path.name.lower().endswith(_COMPRESSED):
        try:
            with _open_compressed(path) as handle:
                return handle.read(size)
        except DataError:
            return b""
    with open(path, "rb") as handle:
        return handle.read(size)


def _guess_encoding(head: bytes, whole_file: bool = False) -> str:
    if head.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        if whole_file or exc.start < len(head) - 4:  # not a character cut at the sample's end
            return "latin-1"
    return "utf-8"


def _sniff_delimiter(text: str) -> str:
    sample = "\n".join(text.splitlines()[:50])
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;\t|").delimiter
    except csv.Error:
        return ","
