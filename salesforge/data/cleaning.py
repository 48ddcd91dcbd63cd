"""The standard cleaner: canonical columns, typed values, returns flagged, duplicates
counted, bad rows set aside with a reason, a data-quality summary, and the grouping columns
encoded once as categoricals (:mod:`salesforge.data.encoding`)."""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from salesforge.base.cleaner import Cleaner, CleanResult
from salesforge.data import quality
from salesforge.data.columns import map_columns
from salesforge.data.dates import STRING, parse_dates
from salesforge.data.duplicates import duplicate_mask
from salesforge.data.encoding import encode_columns, without_unused
from salesforge.data.frame_columns import set_columns
from salesforge.data.measures import derive, fill_from_others, lone_measure
from salesforge.data.missing import UNKNOWN, fill, strategies
from salesforge.data.numbers import parse_numbers
from salesforge.data.returns import check_handling, return_mask
from salesforge.data.text import tidy_categories, with_category
from salesforge.errors import ConfigError, DataError
from salesforge.schema import CANONICAL_COLUMNS, DIMENSIONS, MEASURES

__all__ = ["UNKNOWN", "StandardCleaner", "StandardCleanerConfig", "identifiers"]


@dataclass
class StandardCleanerConfig:
    """Settings of the ``standard`` cleaner (``cleaner.*``)."""

    #: Parse dd/mm dates day-first (True), month-first (False) or decide from the data;
    #: the run sets it from ``data.dayfirst``.
    dayfirst: bool | None = None
    #: Decimal mark of numbers written as text: "." or ","; None decides per column.
    decimal: str | None = None
    #: Drop duplicate rows (counted in ``manifest.data.rows_duplicate``).
    drop_duplicates: bool = True
    #: Columns (canonical or source names) that identify a duplicate; empty = the whole row.
    duplicate_keys: list[str] = field(default_factory=list)
    #: Missing-value strategy per canonical column (drop, mean, median, mode, zero, ffill,
    #: unknown, keep); unnamed columns use ``salesforge.data.missing.DEFAULT_MISSING``.
    missing: dict[str, str] = field(default_factory=dict)
    #: Returns and cancellations: net (kept, flagged ``is_return``, reduce totals) or drop
    #: (moved to rejected.csv).
    returns: str = "net"
    #: Order-id prefixes (followed by a digit) that mark a cancellation, e.g. C536379.
    return_prefixes: list[str] = field(default_factory=lambda: ["C"])
    #: Relative difference between revenue and quantity x price flagged in data quality.
    revenue_tolerance: float = 0.01


@dataclass(eq=False)
class StandardCleaner(Cleaner, StandardCleanerConfig):
    """Map columns, parse dates and numbers, fill or reject missing values, derive the
    missing measure, flag returns and revenue mismatches, drop duplicates."""

    def _clean(self, raw: pd.DataFrame, columns: dict[str, str], source: str) -> CleanResult:
        handling = check_handling(self.returns)
        if self.decimal not in (None, ".", ","):
            raise ConfigError(f"config key cleaner.decimal={self.decimal!r} must be '.', ',' "
                              "or null (decided from the data).")
        chosen = strategies(self.missing)
        mapping = map_columns(raw.columns, columns, source)
        if "date" not in mapping:
            raise DataError(
                f"{source} has no date column; name it with data.columns.date=<column> "
                f"(columns: {', '.join(map(str, raw.columns))})."
            )
        if not set(MEASURES) & set(mapping):
            mapping["revenue"] = lone_measure(raw, mapping, source)
        if "price" in mapping and not {"quantity", "revenue"} & set(mapping):
            raise DataError(f"{source} has a price column but neither quantity nor revenue; "
                            "name one with data.columns.quantity=<column> or "
                            "data.columns.revenue=<column>.")
        taken = set(mapping)  # unmapped columns named like a canonical one keep their data
        renames = {c: f"{c}_source" for c in raw.columns if c in taken and mapping.get(c) != c}
        renames.update({src: canon for canon, src in mapping.items()})
        frame = raw.copy(deep=False)  # rename() deep-copies and consolidates on pandas 2
        frame.columns = pd.Index([renames.get(c, c) for c in raw.columns])
        code = np.zeros(len(frame), dtype=np.int16)
        reasons = [""]
        report: dict[str, dict] = {}

        def reject(mask, why: str) -> None:
            mask = np.asarray(mask, dtype=bool) & (code == 0)
            if mask.any():
                reasons.append(why)
                code[mask] = len(reasons) - 1

        def column_report(canonical: str, missing: pd.Series, failed=None, filled=0) -> None:
            report[canonical] = {"source": mapping[canonical], "strategy": chosen[canonical],
                                 "missing": int(missing.sum()), "filled": int(filled),
                                 "parse_failures": 0 if failed is None else int(failed.sum())}

        where = f"column {mapping['date']} of {source}"
        date = parse_dates(frame["date"], self.dayfirst, where)
        given = frame["date"].notna()
        absent = ~given.to_numpy(bool)
        if chosen["date"] == "ffill":
            date = fill(date, pd.Series(absent, index=date.index), "ffill")
        reject(absent & date.isna().to_numpy(bool),
               f"date is missing (column {mapping['date']})")
        reject(date.isna(), f"date is not a date (column {mapping['date']})")
        column_report("date", pd.Series(absent), date.isna() & given,
                      filled=int((absent & date.notna().to_numpy(bool)).sum()))
        frame = set_columns(frame, {"date": date})

        present = {m for m in MEASURES if m in mapping}
        blanks = {}
        for measure in (*MEASURES, "discount", "cost"):
            if measure in mapping:
                values, failed = parse_numbers(frame[measure], self.decimal)
                if measure in MEASURES:
                    reject(failed, f"{measure} is not a number (column {mapping[measure]})")
                blanks[measure] = (values.isna() & ~failed, failed)
                frame = set_columns(frame, {measure: values})
        derived_cells = fill_from_others(frame, present)
        for measure, (blank, failed) in blanks.items():
            still = blank & frame[measure].isna()
            strategy = chosen[measure]
            if strategy == "drop":
                reject(still, f"{measure} is missing (column {mapping[measure]})")
            frame = set_columns(frame, {measure: fill(frame[measure], still, strategy)})
            column_report(measure, blank, failed,
                          filled=derived_cells.get(measure, 0) + (int(still.sum())
                                                                  if strategy != "drop" else 0))
        derived = derive(frame, present)
        if "price" in mapping:
            reject(frame["price"] < 0, "price is negative")

        text_codes: dict[str, np.ndarray] = {}
        mapped = [d for d in DIMENSIONS if d in mapping]
        with ThreadPoolExecutor(max_workers=min(4, os.cpu_count() or 1)) as pool:
            tidied = dict(zip(mapped, pool.map(lambda d: tidy_categories(frame[d]), mapped),
                              strict=True))  # Arrow kernels release the GIL
        for dimension in (*DIMENSIONS, "customer_id", "order_id"):
            if dimension not in mapping:
                if dimension in DIMENSIONS:
                    unknown = pd.Series(UNKNOWN, index=frame.index, dtype=STRING)
                    frame = set_columns(frame, {dimension: unknown})
                    derived[dimension] = f"{UNKNOWN} (no {dimension} column)"
                continue
            if dimension in DIMENSIONS:
                values, text_codes[dimension], blank = tidied[dimension]
            else:
                values = identifiers(frame[dimension])
                blank = (values.isna() | (values == "")).fillna(True).to_numpy(bool)
            strategy = chosen[dimension]
            if strategy == "drop":
                reject(blank, f"{dimension} is missing (column {mapping[dimension]})")
            elif blank.any() and strategy != "keep":
                if isinstance(values.dtype, pd.CategoricalDtype):
                    values = with_category(values, UNKNOWN) if strategy == "unknown" \
                        else values.astype(STRING)  # mode, ffill: on the text, encoded later
                values = fill(values.mask(blank), pd.Series(blank, index=values.index), strategy)
                text_codes.pop(dimension, None)
            frame = set_columns(frame, {dimension: values})
            column_report(dimension, pd.Series(blank),
                          filled=int(blank.sum()) if strategy not in ("drop", "keep") else 0)

        is_return = return_mask(frame["quantity"], frame.get("order_id"),
                                self.return_prefixes if self.return_prefixes is not None
                                else ["C"])
        frame = set_columns(frame, {"is_return": is_return})
        if handling == "drop":
            reject(is_return, "return or cancellation (cleaner.returns=drop)")

        frame = set_columns(frame, {"source_row": np.arange(1, len(frame) + 1)})
        bad = code > 0
        if bad.any():
            rejected = raw.loc[bad].copy()
            rejected.insert(0, "source_row", frame["source_row"].to_numpy()[bad])
            rejected["reason"] = np.asarray(reasons, dtype=object)[code[bad]]
            good = frame.loc[~bad]
            text_codes = {k: v[~bad] for k, v in text_codes.items()}
        else:
            rejected = raw.iloc[:0].copy()
            rejected.insert(0, "source_row", np.zeros(0, dtype=np.int64))
            rejected["reason"] = pd.Series(dtype=object)
            good = frame
        keys = self._keys(good, mapping)
        # is_return follows from quantity and order_id: it cannot tell two rows apart
        signed = [k for k in keys if k != "is_return"]
        duplicates = 0
        if self.drop_duplicates:
            dup = duplicate_mask(good, signed, text_codes)
            duplicates = int(dup.sum())
            if duplicates:
                good = good.loc[~dup]
        if not good["date"].is_monotonic_increasing:
            good = good.sort_values("date", kind="stable")
        ordered = [c for c in CANONICAL_COLUMNS if c in good.columns]
        order = [*ordered, "is_return", "source_row"]
        rest = [c for c in good.columns if c not in order]
        clean = pd.DataFrame({c: good[c] for c in [*order, *rest]}, copy=False)
        clean.index = pd.RangeIndex(len(clean))
        # grouping columns encoded once, for every later stage (salesforge.data.encoding)
        encoded = encode_columns(clean, DIMENSIONS, ("customer_id", "order_id", *rest))
        for column in DIMENSIONS:  # encoded by tidy_categories before rows were dropped
            values = clean[column] if column in clean.columns else None
            if values is not None and isinstance(values.dtype, pd.CategoricalDtype):
                kept = without_unused(values)
                if kept is not values:
                    encoded[column] = kept
        clean = set_columns(clean, encoded) if encoded else clean
        summary = self._quality(raw, clean, report, present, keys, duplicates, handling)
        return CleanResult(clean, rejected.reset_index(drop=True), duplicates, mapping,
                           quality=summary, derived=derived)

    def _keys(self, good: pd.DataFrame, mapping: dict[str, str]) -> list[str]:
        if not self.duplicate_keys:
            return [c for c in good.columns if c != "source_row"]
        by_source = {src: canon for canon, src in mapping.items()}
        keys = []
        for key in self.duplicate_keys:
            name = key if key in good.columns and key not in by_source else by_source.get(key, key)
            if name not in good.columns:
                raise ConfigError(f"config key cleaner.duplicate_keys names {key!r}, which the "
                                  f"data does not have (columns: {', '.join(map(str, good))}).")
            keys.append(name)
        return keys

    def _quality(self, raw, clean, report, present, keys, duplicates, handling) -> dict:
        returns = clean["is_return"].to_numpy(bool)
        measures = tuple(m for m in MEASURES if m in present)
        # each check's own result: counts per column, or the mismatching rows' mask
        checks: dict[str, Callable[[], Any]] = {"nulls": lambda: quality.null_counts(raw),
                  "outliers": lambda: quality.outliers(clean, measures),
                  "date_gaps": lambda: quality.date_gaps(clean["date"])}
        if {"quantity", "price", "revenue"} <= present:
            checks["revenue_mismatch"] = lambda: quality.revenue_mismatch(
                clean["quantity"], clean["price"], clean["revenue"], self.revenue_tolerance)
        with ThreadPoolExecutor(max_workers=min(4, os.cpu_count() or 1)) as pool:
            done = dict(zip(checks, pool.map(lambda check: check(), checks.values()),
                            strict=True))  # numpy releases the GIL: the passes overlap
        summary = {
            "nulls": done["nulls"], "columns": report,
            "duplicates": {"rows": duplicates,
                           "keys": "whole row" if not self.duplicate_keys else keys},
            "returns": {"rows": int(returns.sum()), "handling": handling,
                        "revenue": float(clean["revenue"].to_numpy()[returns].sum())},
            "outliers": done["outliers"], "date_gaps": done["date_gaps"],
        }
        if "revenue_mismatch" in done:
            mismatch = done["revenue_mismatch"]
            summary["revenue_mismatch"] = {
                "rows": int(mismatch.sum()), "tolerance": self.revenue_tolerance,
                "source_rows": clean["source_row"].to_numpy()[mismatch][:20].tolist()}
        return summary


def identifiers(values: pd.Series) -> pd.Series:
    """Ids as text; whole floats (integers read with gaps, e.g. 12621.0) lose the ``.0``."""
    if pd.api.types.is_float_dtype(values):
        whole = values.dropna()
        if (whole == np.floor(whole)).all():
            return values.astype("Int64").astype(STRING)
    return values.astype(STRING)
