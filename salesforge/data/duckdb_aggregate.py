"""Aggregate Parquet/CSV partitions larger than memory to daily sales rows with DuckDB.

One out-of-core scan (DuckDB spills to ``temp_directory`` under ``memory_limit``) maps the
columns with :func:`salesforge.data.columns.map_columns`, parses dates and numbers, sets
aside rows that cannot be used with the cleaner's reasons, and sums quantity and revenue
per (day, grain...). Only the aggregate, the rejected counts and a capped number of
rejected example rows come back into memory.

Dates held as text or numbers are parsed by :func:`salesforge.data.dates.parse_dates` on
their distinct values (ISO text is cast by DuckDB directly), so the day-first rules are the
pandas path's; numbers held as text follow :mod:`salesforge.data.numbers` (the decimal
mark decided from up to 100,000 distinct values).
"""

from __future__ import annotations

import contextlib
import re
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from salesforge.data.columns import map_columns
from salesforge.data.dates import parse_dates
from salesforge.data.duckdb_scan import FILE, Scan, literal, quote
from salesforge.data.measures import lone_measure
from salesforge.data.missing import UNKNOWN, strategies
from salesforge.data.numbers import decimal_mark
from salesforge.data.out_of_core import (
    COUNT,
    KEY,
    OutOfCoreSettings,
    default_memory_limit,
)
from salesforge.data.returns import check_handling
from salesforge.data.sources import source_names
from salesforge.errors import ConfigError, DataError
from salesforge.schema import DIMENSIONS, MEASURES

_CONVERSION = re.compile(r'Error when converting column "(.+?)"')
_TEXT = ("VARCHAR",)
_NUMERIC = ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT",
            "UINTEGER", "UBIGINT", "UHUGEINT", "FLOAT", "DOUBLE", "REAL")
_WHITESPACE = " \t\n\r\x0b\x0c"


@dataclass
class Cleaning:
    """The cleaner settings the scan honours (``cleaner.*``, ``data.dayfirst``)."""

    dayfirst: bool | None = None
    decimal: str | None = None
    missing: Mapping[str, str] | None = None
    returns: str = "net"
    return_prefixes: Sequence[str] = ("C",)


@dataclass
class Aggregation:
    """What the scan left: the aggregated rows and the accounting of the source rows."""

    frame: pd.DataFrame
    source_rows: int
    rows_per_source: dict[str, int]
    rejected_counts: dict[str, int]
    rejected_examples: pd.DataFrame
    mapping: dict[str, str]
    columns_in: list[str]
    summary: dict[str, Any]


def aggregate(files: Sequence[Path], settings: OutOfCoreSettings,
              columns: Mapping[str, str] | None = None, cleaning: Cleaning | None = None,
              options: Mapping[str, Any] | None = None, temp_root: Path | None = None,
              source: str = "data") -> Aggregation:
    """Aggregate ``files`` (Parquet/CSV) to one row per day and ``settings.grain``.

    :param columns: ``data.columns`` (canonical -> source column), wins over aliases.
    :param options: ``data.options`` (``delimiter``, ``encoding`` for CSV).
    :param temp_root: folder for DuckDB's spill files (a temporary folder inside it is
        removed afterwards); ``settings.temp_directory`` wins.
    :raises DataError: no date column, no measure, or a file DuckDB cannot read.
    """
    cleaning = cleaning or Cleaning()
    started = time.perf_counter()
    limit = settings.memory_limit or default_memory_limit()
    root = Path(settings.temp_directory).expanduser() if settings.temp_directory else temp_root
    if root is not None:
        root.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="salesforge-duckdb-", dir=root) as spill:
        con = duckdb.connect(config={"memory_limit": limit, "temp_directory": spill,
                                     "preserve_insertion_order": False})
        try:
            if settings.threads:
                con.execute(f"SET threads = {int(settings.threads)}")
            with contextlib.suppress(duckdb.Error):  # time-zone-aware stamps: days in UTC
                con.execute("SET TimeZone = 'UTC'")
            result = _Aggregator(con, files, settings, dict(columns or {}), cleaning,
                                 dict(options or {}), source).run()
        except duckdb.OutOfMemoryException:
            raise DataError(f"{source} needs more memory than {KEY}.memory_limit={limit} "
                            "allows for its daily rows; raise it or keep fewer columns in "
                            f"{KEY}.grain.") from None
        except duckdb.Error as exc:
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise DataError(f"{source} could not be aggregated out of core by DuckDB: {first}; "
                            f"check the files or set {KEY}.enabled=false.") from None
        finally:
            con.close()
    result.summary.update(engine="duckdb", memory_limit=limit,
                          threads=settings.threads, seconds=round(time.perf_counter() - started,
                                                                  3))
    return result


class _Aggregator:
    def __init__(self, con, files, settings, columns, cleaning, options, source) -> None:
        self.con, self.settings, self.cleaning, self.source = con, settings, cleaning, source
        self.columns = columns
        self.scan = Scan(con, files, options)
        self.files = [Path(f) for f in files]
        self.names = dict(zip(map(str, self.files), source_names(self.files), strict=True))
        self.chosen = strategies(cleaning.missing)
        self.handling = check_handling(cleaning.returns)
        if cleaning.decimal not in (None, ".", ","):
            raise ConfigError(f"config key cleaner.decimal={cleaning.decimal!r} must be '.', "
                              "',' or null (decided from the data).")
        for column, allowed in (("date", ("drop",)),
                                *((m, ("drop", "zero", "keep")) for m in MEASURES)):
            if self.chosen[column] not in allowed:
                raise ConfigError(f"config key cleaner.missing.{column}="
                                  f"{self.chosen[column]!r} is not available with "
                                  f"{KEY} (use {' or '.join(allowed)}, or set "
                                  f"{KEY}.enabled=false).")

    # -- column mapping ------------------------------------------------------------------
    def _map(self) -> tuple[dict[str, str], dict[str, str]]:
        types = self.scan.describe()
        mapping = map_columns(list(types), self.columns, self.source)
        if "date" not in mapping:
            raise DataError(f"{self.source} has no date column; name it with "
                            f"data.columns.date=<column> (columns: {', '.join(types)}).")
        if not set(MEASURES) & set(mapping):
            sample = self.con.sql(f"SELECT * EXCLUDE ({quote(FILE)}) FROM ({self.scan.sql()}) "
                                  "LIMIT 1000").df()
            mapping["revenue"] = lone_measure(sample, mapping, self.source)
        if "price" in mapping and not {"quantity", "revenue"} & set(mapping):
            raise DataError(f"{self.source} has a price column but neither quantity nor "
                            "revenue; name one with data.columns.quantity=<column> or "
                            "data.columns.revenue=<column>.")
        self.scan.text = {mapping[c] for c in (*DIMENSIONS, "customer_id", "order_id", "date")
                          if c in mapping}
        return mapping, self.scan.describe()

    # -- expressions ---------------------------------------------------------------------
    def _date(self, column: str, kind: str, lookup: bool) -> tuple[str, str | None]:
        """(SQL for the day, name of a lookup table or None). Text is cast directly as ISO
        unless ``lookup``: then every distinct value is parsed by the pandas path."""
        col = quote(column)
        if kind.startswith("TIMESTAMP") or kind == "DATE":
            return f"CAST({col} AS DATE)", None
        if kind in _TEXT:
            if not lookup:
                return f"CAST(TRY_CAST(trim({col}, {literal(_WHITESPACE)}) AS TIMESTAMP) " \
                       "AS DATE)", None
        elif not (kind in _NUMERIC or kind.startswith("DECIMAL")):
            raise DataError(f"column {column} of {self.source} holds {kind} values, not dates; "
                            "name the date column with data.columns.date=<column>.")
        distinct = self.con.sql(f"SELECT DISTINCT {col} AS raw FROM ({self.scan.sql()}) "
                                f"WHERE {col} IS NOT NULL").df()["raw"]
        where = f"column {column} of {self.source}"
        parsed = parse_dates(distinct.reset_index(drop=True), self.cleaning.dayfirst, where)
        lookup = pd.DataFrame({"raw": distinct.to_numpy(),
                               "day": parsed.dt.normalize().to_numpy("datetime64[ns]")})
        self.con.register("__sf_dates_frame", lookup)
        # prefixed names: a source column called raw or day must not meet them in a join
        self.con.execute("CREATE TEMP TABLE __sf_dates AS SELECT raw AS __sf_raw, "
                         "CAST(day AS DATE) AS __sf_day FROM __sf_dates_frame")
        self.con.unregister("__sf_dates_frame")
        return "__sf_dates.__sf_day", "__sf_dates"

    def _number(self, column: str, kind: str) -> tuple[str, str]:
        """(SQL for the value, SQL true where text is not a number)."""
        col = quote(column)
        if kind in _NUMERIC or kind.startswith("DECIMAL"):
            return f"CAST({col} AS DOUBLE)", "false"
        if kind == "BOOLEAN":
            return f"CAST(CAST({col} AS INTEGER) AS DOUBLE)", "false"
        text = f"trim({col}, {literal(_WHITESPACE)})"
        bare = (f"regexp_replace(regexp_replace(regexp_replace({text}, '(?i)[a-z]{{2,}}\\.?', "
                f"'', 'g'), '[^0-9,.\\-+eE%()]', '', 'g'), '[%()]', '', 'g')")
        mark = self.cleaning.decimal or self._mark(column, bare, text)
        plain = f"replace(replace({bare}, '.', ''), ',', '.')" if mark == "," \
            else f"replace({bare}, ',', '')"
        value = (f"(CASE WHEN {text} LIKE '%\\%' ESCAPE '\\' THEN 0.01 ELSE 1 END) * "
                 f"(CASE WHEN regexp_full_match({text}, '\\(.*\\)') "
                 f"THEN -abs(TRY_CAST({plain} AS DOUBLE)) ELSE TRY_CAST({plain} AS DOUBLE) END)")
        failed = f"({col} IS NOT NULL AND {text} <> '' AND ({value}) IS NULL)"
        return f"(CASE WHEN {text} = '' THEN NULL ELSE {value} END)", failed

    def _mark(self, column: str, bare: str, text: str) -> str:
        sample = self.con.sql(
            f"SELECT {bare} AS bare, {text} AS raw FROM (SELECT DISTINCT {quote(column)} FROM "
            f"({self.scan.sql()}) WHERE {quote(column)} IS NOT NULL LIMIT 100000)"
        ).df()
        return decimal_mark(sample["bare"].astype("string[pyarrow]"),
                            sample["raw"].astype("string[pyarrow]"))

    def _text_value(self, column: str) -> str:
        return f"NULLIF(trim(CAST({quote(column)} AS VARCHAR), {literal(_WHITESPACE)}), '')"

    # -- the scan ------------------------------------------------------------------------
    def run(self) -> Aggregation:
        mapping, types = self._map()
        for _ in range(len(types) + 1):
            try:
                result = self._run(mapping, types, lookup=False)
                if result is None:  # text dates that are not all ISO: parse distinct values
                    self.con.execute("DROP TABLE IF EXISTS __sf_groups")
                    result = self._run(mapping, types, lookup=True)
                    assert result is not None  # only a scan without the lookup gives up
                return result
            except duckdb.ConversionException as exc:  # CSV sniffer guessed a number column
                column = _CONVERSION.search(str(exc))
                if not column or column.group(1) in self.scan.text:
                    raise
                self.scan.text.add(column.group(1))  # read it as text and parse it ourselves
                self.con.execute("DROP TABLE IF EXISTS __sf_dates")
                types = self.scan.describe()
        raise DataError(f"{self.source} could not be read by DuckDB.")

    def _run(self, mapping: dict[str, str], types: dict[str, str],
             lookup: bool) -> Aggregation | None:
        """The scan; ``None`` when ISO casting left text dates unparsed (then run again
        with ``lookup``)."""
        reasons: list[tuple[str, str]] = []  # (condition, reason), first match wins
        date_sql, table = self._date(mapping["date"], types[mapping["date"]], lookup)
        raw_date = quote(mapping["date"])
        reasons.append((f"{raw_date} IS NULL", f"date is missing (column {mapping['date']})"))
        reasons.append((f"({date_sql}) IS NULL",
                        f"date is not a date (column {mapping['date']})"))
        values: dict[str, str] = {}
        for measure in MEASURES:
            if measure in mapping:
                value, failed = self._number(mapping[measure], types[mapping[measure]])
                values[measure] = value
                reasons.append((failed, f"{measure} is not a number (column "
                                        f"{mapping[measure]})"))
        present = set(values)
        q0, p0, r0 = (values.get(m, "NULL") for m in MEASURES)
        if {"quantity", "price", "revenue"} <= present:  # one missing measure from the others
            q = f"COALESCE({q0}, CASE WHEN ({p0}) <> 0 THEN ({r0}) / ({p0}) END)"
            p = f"COALESCE({p0}, CASE WHEN ({q0}) <> 0 THEN ({r0}) / ({q0}) END)"
            r = f"COALESCE({r0}, ({q0}) * ({p0}))"
        else:
            q, p, r = q0, p0, r0
        if "quantity" not in present:
            q = f"({r0}) / NULLIF({p0}, 0)" if {"revenue", "price"} <= present else "1.0"
        if "revenue" not in present:
            r = f"({q}) * ({p0})" if "price" in present else "CAST(NULL AS DOUBLE)"
        filled = {"quantity": q, "price": p, "revenue": r}
        for measure in MEASURES:
            if measure in present:
                if self.chosen[measure] == "drop":
                    reasons.append((f"({filled[measure]}) IS NULL",
                                    f"{measure} is missing (column {mapping[measure]})"))
                elif self.chosen[measure] == "zero":
                    filled[measure] = f"COALESCE({filled[measure]}, 0.0)"
        q, r = filled["quantity"], filled["revenue"]
        if "price" in present:
            reasons.append((f"({filled['price']}) < 0", "price is negative"))
        dims: dict[str, str] = {}
        for dim in (*DIMENSIONS, "customer_id", "order_id"):
            if dim not in mapping:
                continue
            value = self._text_value(mapping[dim])
            if self.chosen[dim] == "drop":
                reasons.append((f"({value}) IS NULL",
                                f"{dim} is missing (column {mapping[dim]})"))
            elif self.chosen[dim] == "unknown":
                value = f"COALESCE({value}, {literal(UNKNOWN)})"
            dims[dim] = value
        if self.handling == "drop":
            ret = f"({q}) < 0"
            if "order_id" in mapping and self.cleaning.return_prefixes:
                ids = f"CAST({quote(mapping['order_id'])} AS VARCHAR)"
                pattern = "^(" + "|".join(_regex(p) for p in self.cleaning.return_prefixes) \
                    + r")\d"
                ret = f"(({ret}) OR COALESCE(regexp_matches({ids}, {literal(pattern)}), false))"
            reasons.append((f"COALESCE({ret}, false)",
                            "return or cancellation (cleaner.returns=drop)"))
        reason = "CASE " + " ".join(f"WHEN {cond} THEN {literal(why)}" for cond, why in reasons) \
            + " END"
        grain = [g for g in self.settings.grain if g in dims]
        join = f" LEFT JOIN {table} ON {table}.__sf_raw = src.{raw_date}" if table else ""
        typed = (f"SELECT {date_sql} AS __sf_day, "
                 + "".join(f"{dims[g]} AS {quote('__sf_' + g)}, " for g in grain)
                 + f"{q} AS __sf_q, {r} AS __sf_r, {reason} AS __sf_reason, src.{FILE} "
                 f"AS __sf_file FROM ({self.scan.sql()}) AS src{join}")
        keys = ", ".join(["__sf_day", *(quote("__sf_" + g) for g in grain)])
        self.con.execute("DROP TABLE IF EXISTS __sf_groups")
        self.con.execute(  # one scan: daily rows and the rows per file and reason
            f"CREATE TEMP TABLE __sf_groups AS SELECT GROUPING(__sf_file) AS __sf_set, "
            f"__sf_reason, __sf_file, {keys}, SUM(__sf_q) AS quantity, SUM(__sf_r) AS revenue, "
            f"COUNT(*) AS {COUNT} FROM ({typed}) GROUP BY GROUPING SETS "
            f"((__sf_reason, {keys}), (__sf_reason, __sf_file))")
        by_file = self.con.sql(f"SELECT __sf_reason, __sf_file, {COUNT} FROM __sf_groups "
                               "WHERE __sf_set = 0").df()
        per_file = by_file.groupby("__sf_file", sort=False)[COUNT].sum()
        rows_per_source = {name: int(per_file.get(str(f), 0))
                           for f, name in self.names.items()}
        source_rows = int(by_file[COUNT].sum())
        rejected_counts = {str(k): int(v) for k, v in
                           by_file.dropna(subset=["__sf_reason"]).groupby("__sf_reason")[COUNT]
                           .sum().sort_values(ascending=False, kind="stable").items()}
        not_dates = f"date is not a date (column {mapping['date']})"
        if not lookup and types[mapping["date"]] in _TEXT and not_dates in rejected_counts:
            return None
        revenue = "revenue, " if {"revenue", "price"} & present else ""  # units-only: none
        frame = self.con.sql(
            "SELECT CAST(__sf_day AS TIMESTAMP) AS date, "
            + "".join(f"{quote('__sf_' + g)} AS {quote(g)}, " for g in grain)
            + f"CAST(quantity AS DOUBLE) AS quantity, {revenue}{COUNT} FROM __sf_groups "
            f"WHERE __sf_set = 1 AND __sf_reason IS NULL ORDER BY {keys}").df()
        frame["date"] = frame["date"].astype("datetime64[ns]")
        if revenue:
            frame["revenue"] = frame["revenue"].astype("float64")
        frame[COUNT] = frame[COUNT].astype("int64")
        self.con.execute("DROP TABLE __sf_groups")
        examples = self._examples(reason, join, rejected_counts)
        columns_in = [c for c in types]
        summary = {"files": len(self.files), "bytes": int(sum(f.stat().st_size
                                                               for f in self.files)),
                   "source_rows": source_rows, "aggregated_rows": len(frame),
                   "grain": ["date", *grain], "rejected_examples_written": len(examples)}
        return Aggregation(frame, source_rows, rows_per_source, rejected_counts, examples,
                           dict(mapping), columns_in, summary)

    def _examples(self, reason: str, join: str, counts: Mapping[str, int]) -> pd.DataFrame:
        """Up to ``rejected_examples`` rejected source rows, every column as read, with
        ``source_file`` and ``reason``."""
        cap = self.settings.rejected_examples
        if not counts or cap == 0:
            return pd.DataFrame({"reason": pd.Series(dtype=object)})
        frame = self.con.sql(
            f"SELECT * FROM (SELECT src.*, {reason} AS __sf_reason FROM "
            f"({self.scan.sql()}) AS src{join}) WHERE __sf_reason IS NOT NULL "
            f"LIMIT {int(cap)}").df()
        frame = frame.drop(columns=[c for c in ("__sf_raw", "__sf_day") if c in frame.columns])
        frame = frame.rename(columns={FILE: "source_file", "__sf_reason": "reason"})
        frame["source_file"] = frame["source_file"].map(self.names).astype(object)
        return frame


def _regex(prefix: str) -> str:
    return re.escape(str(prefix))


__all__ = ["Aggregation", "Cleaning", "aggregate"]
