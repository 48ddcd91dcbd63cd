"""Every Parquet/CSV partition of an input as one lazily read DuckDB relation.

Used by :mod:`salesforge.data.duckdb_aggregate`; also the SQL quoting it needs.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import duckdb

from salesforge.data.out_of_core import file_extension

#: Column of the scan holding each row's file name.
FILE = "__sf_file"


def quote(name: str) -> str:
    """A DuckDB identifier."""
    return '"' + str(name).replace('"', '""') + '"'


def literal(text: str) -> str:
    """A DuckDB string literal."""
    return "'" + str(text).replace("'", "''") + "'"


class Scan:
    """The union of every partition as one DuckDB relation, read lazily. CSV columns named
    in ``text`` are read as text (the sniffer's guess of dates and ids is not used)."""

    def __init__(self, con: duckdb.DuckDBPyConnection, files: Sequence[Path],
                 options: Mapping[str, Any]) -> None:
        self.con = con
        self.files = [Path(f) for f in files]
        self.options = {k: v for k, v in options.items() if v is not None}
        self.text: set[str] = set()
        self.parquet = [f for f in self.files if file_extension(f) == "parquet"]
        self.csv = [f for f in self.files if file_extension(f) == "csv"]
        self._csv_names: set[str] | None = None

    def sql(self) -> str:
        """``SELECT *`` over every file, with the file name in column ``__sf_file``."""
        parts = []
        if self.parquet:
            parts.append(f"SELECT * FROM read_parquet({_list(self.parquet)}, "
                         f"union_by_name=true, filename={literal(FILE)})")
        if self.csv:
            types = sorted(self.text & self.csv_columns())
            extra = ""
            if types:
                pairs = ", ".join(f"{literal(k)}: 'VARCHAR'" for k in types)
                extra = f", types={{{pairs}}}"
            parts.append(f"SELECT * FROM {self._read_csv(extra)}")
        return " UNION ALL BY NAME ".join(f"({p})" for p in parts)

    def _read_csv(self, extra: str) -> str:
        args = f"union_by_name=true, filename={literal(FILE)}, header=true"
        if "delimiter" in self.options:
            args += f", delim={literal(self.options['delimiter'])}"
        if "encoding" in self.options:
            args += f", encoding={literal(_encoding(self.options['encoding']))}"
        return f"read_csv({_list(self.csv)}, {args}{extra})"

    def csv_columns(self) -> set[str]:
        """Column names of the CSV files (read as text, so no value can fail)."""
        if self._csv_names is None:
            sql = f"DESCRIBE SELECT * FROM {self._read_csv(', all_varchar=true')}"
            self._csv_names = {str(r[0]) for r in self.con.sql(sql).fetchall()}
        return self._csv_names

    def describe(self) -> dict[str, str]:
        """Column name -> DuckDB type of the union (the file-name column left out)."""
        rows = self.con.sql(f"DESCRIBE {self.sql()}").fetchall()
        return {str(r[0]): str(r[1]) for r in rows if r[0] != FILE}


def _list(files: Sequence[Path]) -> str:
    return "[" + ", ".join(literal(str(f)) for f in files) + "]"


def _encoding(value: str) -> str:
    text = str(value).lower().replace("_", "-")
    return {"latin1": "latin-1", "iso-8859-1": "latin-1", "utf8": "utf-8",
            "utf-8-sig": "utf-8"}.get(text, text)
