"""Delimited text files (CSV, TSV, TXT; gzip/zip/bz2/xz compressed) read through pyarrow."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from salesforge.base.loader import Loader
from salesforge.errors import DataError

_TEXT = (".csv", ".tsv", ".txt")
_COMPRESSED = (".gz", ".zip", ".bz2", ".xz")


@dataclass
class CsvLoaderConfig:
    """Settings of the ``csv`` loader (``data.options.*``)."""

    #: Field separator; ``None`` sniffs it from the first lines.
    delimiter: str | None = None
    #: Text encoding; ``None`` tries UTF-8 (with or without BOM), then Latin-1.
    encoding: str | None = None


class CsvLoader(Loader):
    """Read delimited text with pandas' pyarrow engine; every column kept as read."""

    extensions = (*_TEXT, *(t + c for t in _TEXT for c in _COMPRESSED))

    def __init__(self, delimiter: str | None = None, encoding: str | None = None) -> None:
        self.delimiter = delimiter
        self.encoding = encoding

    def _load(self, path: Path) -> pd.DataFrame:
        head = _read_head(path)
        if not head.strip():
            raise DataError(f"data file {path} is empty (no rows); give a file with sales rows.")
        encoding = self.encoding or _guess_encoding(head, whole_file=len(head) < HEAD_BYTES)
        text = head.decode(encoding, errors="replace")
        delimiter = self.delimiter or _sniff_delimiter(text)
        try:
            return pd.read_csv(path, sep=delimiter, encoding=encoding, engine="pyarrow")
        except pd.errors.EmptyDataError:
            raise DataError(f"data file {path} is empty (no rows); give a file with sales rows.")\
                from None
        except Exception as exc:  # pyarrow's messages are long; keep the first line
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise DataError(f"data file {path} could not be read as CSV: {first}.") from None


HEAD_BYTES = 65536


def _read_head(path: Path, size: int = HEAD_BYTES) -> bytes:
    """The first ``size`` bytes of the decompressed file."""
    name = path.name.lower()
    if name.endswith(".gz"):
        import gzip

        opener = gzip.open
    elif name.endswith(".bz2"):
        import bz2

        opener = bz2.open
    elif name.endswith(".xz"):
        import lzma

        opener = lzma.open
    elif name.endswith(".zip"):
        import zipfile

        with zipfile.ZipFile(path) as archive:
            members = [m for m in archive.namelist() if not m.endswith("/")]
            if not members:
                return b""
            with archive.open(members[0]) as handle:
                return handle.read(size)
    else:
        opener = open
    with opener(path, "rb") as handle:
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
