"""JSON files: an array of records, JSON lines (one object per line), or an object holding
one array of records; gzip-compressed too."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.json as pajson

from salesforge.base.loader import Loader
from salesforge.data.arrow_frame import arrow_to_pandas
from salesforge.errors import DataError

_SUFFIXES = (".json", ".jsonl", ".ndjson")


class JsonLoader(Loader):
    """Read records from JSON: JSON lines through Arrow's reader, arrays of records (or
    ``{"<key>": [records]}``) through the standard library; every field kept as a column."""

    extensions = (*_SUFFIXES, *(s + ".gz" for s in _SUFFIXES))

    def _load(self, source: Path | str) -> pd.DataFrame:
        path = Path(source)  # a file: this loader has no URL schemes
        opener = gzip.open if path.name.lower().endswith(".gz") else open
        with opener(path, "rb") as handle:
            head = handle.read(4096).lstrip().lstrip(b"\xef\xbb\xbf")
        if not head:
            raise DataError(f"data file {path} is empty (no rows); give a file with sales rows.")
        if _is_json_lines(head):
            try:
                return arrow_to_pandas(pajson.read_json(path))
            except pa.ArrowInvalid:
                pass  # not uniform JSON lines: read as one document
        try:
            with opener(path, "rb") as handle:
                document = json.load(handle)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise DataError(f"data file {path} is not valid JSON ({exc}); give an array of "
                            "records or one JSON object per line.") from None
        return pd.DataFrame.from_records(_records(document, path))


def _is_json_lines(head: bytes) -> bool:
    """Whether the file starts with a whole JSON object on its first line."""
    first = head.split(b"\n", 1)[0].strip()
    if not first.startswith(b"{"):
        return False
    try:
        return isinstance(json.loads(first), dict)
    except (json.JSONDecodeError, UnicodeDecodeError):
        return False


def _records(document: object, path: Path) -> list:
    if isinstance(document, dict):
        lists = [v for v in document.values() if isinstance(v, list)]
        if len(lists) != 1:
            raise DataError(f"data file {path} is a JSON object without exactly one array of "
                            "records; give an array of records or JSON lines.")
        document = lists[0]
    if not isinstance(document, list) or not all(isinstance(r, dict) for r in document):
        raise DataError(f"data file {path} does not hold JSON records (objects with one field "
                        "per column); give an array of records or JSON lines.")
    return document
