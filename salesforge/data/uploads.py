"""The one upload validator of the results app and the REST API.

An upload is a client's file: its name is reduced to a safe one (no folders, no odd
characters), its bytes are checked by content by the validator every entry point shares
(:func:`salesforge.data.input_check.check_data_file`: the type by its bytes, and the
``*.limits`` on decompressed bytes, ratio, columns, cells and time, enforced while
streaming); the name's suffix must promise that type (a ``.xlsx`` holding text is refused,
as is a name without a suffix of :data:`ACCEPTED`), and the stored name ends in the
content's own suffix, so the loaders read it as what it is. Nothing uploaded is ever
unpickled or executed.

Each front end keeps its own size cap and storage (``app.upload_max_mb`` and a folder for
the app; ``api.max_upload_mb`` and the dataset store for the API); what is accepted, and
the sentence a refused file gets, are the same for both.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from salesforge.data.input_check import check_data_file
from salesforge.data.input_limits import InputLimits
from salesforge.errors import DataError

__all__ = ["ACCEPTED", "KINDS", "CheckedUpload", "accepted_suffix", "check_upload_file",
           "safe_name", "stored_name"]

#: content kind -> (the suffix the stored file gets, the loader type it is reported as)
KINDS: dict[str, tuple[str, str]] = {
    "csv": (".csv", "csv"), "csv.gz": (".csv.gz", "csv"), "json": (".json", "json"),
    "json.gz": (".json.gz", "json"), "xlsx": (".xlsx", "excel"), "xls": (".xls", "excel"),
    "parquet": (".parquet", "parquet")}
_TEXT = (".csv", ".tsv", ".txt")
_JSON = (".json", ".jsonl", ".ndjson")
#: The suffix a client's name may end with -> the content kind it promises. The stored
#: name ends in the content's own suffix instead (``.txt`` -> ``.csv``, ``.pq`` -> ``.parquet``).
ACCEPTED: dict[str, str] = {
    **dict.fromkeys(_TEXT, "csv"), **dict.fromkeys(_JSON, "json"),
    **{s + ".gz": "csv.gz" for s in _TEXT}, **{s + ".gz": "json.gz" for s in _JSON},
    ".xlsx": "xlsx", ".xlsm": "xlsx", ".xls": "xls", ".parquet": "parquet", ".pq": "parquet"}
_BY_LENGTH = sorted(ACCEPTED, key=len, reverse=True)


@dataclass(frozen=True)
class CheckedUpload:
    """An accepted upload: the name to store it under and what its content is."""

    #: safe name ending in the suffix of ``kind`` (``../a b?.txt`` holding CSV: ``a_b_.csv``)
    name: str
    #: content kind: one of :data:`KINDS`
    kind: str

    @property
    def type(self) -> str:
        """The loader type: ``csv``, ``json``, ``excel`` or ``parquet``."""
        return KINDS[self.kind][1]


def safe_name(name: str | None) -> str:
    """The client's file name without folders, odd characters or leading dots:
    ``../a b?.csv`` -> ``a_b_.csv``; ``upload`` when nothing is left."""
    base = re.split(r"[\\/]", str(name or ""))[-1]
    base = re.sub(r"[^A-Za-z0-9._-]", "_", base).lstrip("._")
    return base[-120:] or "upload"


def accepted_suffix(name: str) -> str | None:
    """The suffix of :data:`ACCEPTED` that ``name`` ends with (case aside), else ``None``."""
    lower = name.lower()
    return next((s for s in _BY_LENGTH if lower.endswith(s)), None)


def stored_name(name: str, kind: str) -> str:
    """``name`` (already safe) with its accepted suffix replaced by ``kind``'s."""
    known = accepted_suffix(name) or ""
    stem = name[: len(name) - len(known)]
    return (stem or "upload") + KINDS[kind][0]


def check_upload_file(path: Path, name: str | None, limits: InputLimits) -> CheckedUpload:
    """Check the uploaded bytes saved at ``path`` (sent as ``name``) against ``limits``;
    the :class:`CheckedUpload` to keep, or :class:`DataError` naming the upload when it is
    empty, of no readable type, over a limit (the config key in the sentence), or not what
    its name's suffix says (a name must end in one of :data:`ACCEPTED`)."""
    shown = safe_name(name)
    suffix = accepted_suffix(shown)
    if suffix is None:
        raise DataError(f"upload {shown} has no accepted suffix; send a file such as "
                        f"sales.csv ({', '.join(ACCEPTED)}).")
    if path.stat().st_size == 0:
        raise DataError(f"upload {shown} is empty.")
    kind = check_data_file(path, shown, limits)
    if kind not in KINDS:
        raise DataError(f"upload {shown} is not CSV, Excel (.xlsx), JSON or Parquet by its "
                        "content; send the file in one of those formats.")
    if kind != ACCEPTED[suffix]:
        raise DataError(f"upload {shown} does not contain what its suffix {suffix} says "
                        f"(its content is {KINDS[kind][1]}); send the file in its real format.")
    return CheckedUpload(stored_name(shown, kind), kind)
