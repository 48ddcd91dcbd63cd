"""What a data file holds, by its bytes (never by its name): the first bytes and the last
four, read without loading the file.

One sniffer for every entry point (the REST API, the results app, ``salesforge run``)."""

from __future__ import annotations

from pathlib import Path

HEAD_BYTES = 8192
_GZIP = b"\x1f\x8b"
_BZIP2 = b"BZh"
_XZ = b"\xfd7zXZ\x00"
_ZIP = b"PK\x03\x04"
_OLE = bytes.fromhex("d0cf11e0a1b11ae1")
_PARQUET = b"PAR1"
_BOM = b"\xef\xbb\xbf"
#: compressed stream name -> its magic bytes
COMPRESSIONS = {"gz": _GZIP, "bz2": _BZIP2, "xz": _XZ}


def looks_like_text(head: bytes) -> bool:
    """Whether ``head`` (a file's first bytes) is text: no NUL byte, and UTF-8 or a
    single-byte encoding (a multi-byte character cut at the end is fine)."""
    if b"\x00" in head:
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as error:
        if error.start < len(head) - 4:
            try:
                head.decode("latin-1")
            except UnicodeDecodeError:
                return False
    return True


def text_kind(head: bytes) -> str | None:
    """``json`` or ``csv`` for text whose first bytes are ``head``; ``None`` for binary or
    empty content."""
    if not head.strip() or not looks_like_text(head):
        return None
    return "json" if head.lstrip(_BOM + b" \t\r\n")[:1] in (b"[", b"{") else "csv"


def container_of(path: Path) -> str | None:
    """The outer format of ``path`` by its bytes: ``parquet``, ``xls`` (an OLE compound
    file), ``zip`` (a workbook or a zipped text file), ``gz``/``bz2``/``xz`` (a compressed
    stream), ``csv`` or ``json`` (text); ``None`` when empty or none of these."""
    with open(path, "rb") as handle:
        head = handle.read(HEAD_BYTES)
        handle.seek(max(0, path.stat().st_size - 4))
        tail = handle.read(4)
    if head.startswith(_PARQUET) and tail == _PARQUET and len(head) >= 8:
        return "parquet"
    if head.startswith(_OLE):
        return "xls"
    if head.startswith(_ZIP):
        return "zip"
    for name, magic in COMPRESSIONS.items():
        if head.startswith(magic):
            return name
    return text_kind(head)
