"""Inputs larger than memory: the ``data.out_of_core`` settings, when they switch the
out-of-core path on, and how its source rows are accounted for after cleaning.

When on, the load stage hands Parquet/CSV partitions to DuckDB
(:mod:`salesforge.data.duckdb_aggregate`), which scans them out of core and returns one
row per day and grain (summed quantity and revenue, ``n_transactions``). Those rows then
flow through the normal pipeline; :func:`source_accounting` turns the cleaner's counts of
aggregated rows back into counts of source rows, so that
``rows_in = rows_clean + rows_rejected + rows_duplicate`` still holds in source rows.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from salesforge.base.cleaner import CleanResult
from salesforge.errors import ConfigError
from salesforge.layout import RunLayout
from salesforge.results import OutOfCoreResults
from salesforge.settings import OutOfCoreSettings

if TYPE_CHECKING:
    from salesforge.schema import RunContext

KEY = "data.out_of_core"
ENGINES = ("duckdb",)
#: Canonical columns that may be kept next to the day in the aggregated rows.
GRAIN_COLUMNS = ("product", "category", "region", "customer_id")
#: File endings the out-of-core path reads.
PARQUET = (".parquet", ".pq")
CSV = (".csv", ".csv.gz", ".tsv", ".tsv.gz", ".txt", ".txt.gz")
#: Column counting the source rows behind each aggregated row.
COUNT = "n_transactions"


def total_memory() -> int:
    """Physical memory in bytes."""
    try:
        import psutil

        return int(psutil.virtual_memory().total)
    except ImportError:  # pragma: no cover - psutil ships with the dev dependencies
        return int(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES"))


def parse_settings(node: Mapping[str, Any] | None) -> OutOfCoreSettings:
    """``data.out_of_core`` as :class:`OutOfCoreSettings`; a :class:`ConfigError` names the
    first bad key."""
    given = dict(node or {})
    known = {f for f in OutOfCoreSettings.__dataclass_fields__}
    for key in given:
        if key not in known:
            raise ConfigError(f"config key {KEY}.{key} is not a setting (settings: "
                              f"{', '.join(sorted(known))}).")
    settings = OutOfCoreSettings(**{k: v for k, v in given.items() if v is not None
                                    or k in ("threshold_mb", "memory_limit", "threads",
                                             "temp_directory")})
    enabled = settings.enabled
    if isinstance(enabled, str) and enabled.lower() in ("true", "false", "auto"):
        enabled = {"true": True, "false": False}.get(enabled.lower(), "auto")
    if enabled not in (True, False, "auto"):
        raise ConfigError(f"config key {KEY}.enabled={settings.enabled!r} must be auto, true "
                          "or false.")
    settings.enabled = enabled
    if settings.engine not in ENGINES:
        raise ConfigError(f"config key {KEY}.engine={settings.engine!r} is not an engine "
                          f"(engines: {', '.join(ENGINES)}).")
    if settings.threshold_mb is not None and (not _number(settings.threshold_mb)
                                              or settings.threshold_mb < 0):
        raise ConfigError(f"config key {KEY}.threshold_mb={settings.threshold_mb!r} must be a "
                          "number of megabytes >= 0, or null (10% of the memory).")
    if settings.threads is not None and (not isinstance(settings.threads, int)
                                         or isinstance(settings.threads, bool)
                                         or settings.threads < 1):
        raise ConfigError(f"config key {KEY}.threads={settings.threads!r} must be a whole "
                          "number >= 1, or null (every core).")
    if settings.memory_limit is not None:
        settings.memory_limit = memory_limit_text(settings.memory_limit)
    grain = [settings.grain] if isinstance(settings.grain, str) else settings.grain
    if not isinstance(grain, Sequence) or any(g not in GRAIN_COLUMNS for g in grain):
        shown = list(grain) if isinstance(grain, Sequence) else grain
        raise ConfigError(f"config key {KEY}.grain={shown!r} may only name "
                          f"{', '.join(GRAIN_COLUMNS)} (the day is always kept).")
    settings.grain = list(dict.fromkeys(str(g) for g in grain))
    examples = settings.rejected_examples
    if not isinstance(examples, int) or isinstance(examples, bool) or examples < 0:
        raise ConfigError(f"config key {KEY}.rejected_examples={examples!r} must be a whole "
                          "number >= 0.")
    return settings


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def memory_limit_text(value: Any) -> str:
    """A DuckDB ``memory_limit`` such as ``"1GB"`` or ``"512MB"`` (a bare number means MB);
    :class:`ConfigError` naming the key otherwise."""
    import re

    text = str(value).strip().replace(" ", "")
    if _number(value) and value > 0:
        return f"{value}MB"
    if re.fullmatch(r"(?i)\d+(\.\d+)?(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)", text):
        return text
    raise ConfigError(f"config key {KEY}.memory_limit={value!r} must be a size such as 512MB "
                      "or 2GB, or null (a quarter of the memory).")


def default_memory_limit() -> str:
    """A quarter of the physical memory, in MB: leaves room for the rest of the run."""
    return f"{max(256, total_memory() // 4 // 2**20)}MB"


def file_extension(path: str | Path) -> str:
    """``"parquet"`` or ``"csv"`` for a file the out-of-core path reads, else ``""``."""
    name = Path(path).name.lower()
    if name.endswith(PARQUET):
        return "parquet"
    if name.endswith(CSV):
        return "csv"
    return ""


def decide(settings: OutOfCoreSettings, sources: Sequence[str | Path]) -> tuple[bool, str]:
    """``(on, why)``: whether the out-of-core path runs for ``sources``.

    ``enabled=true`` needs every source to be a Parquet or CSV file (:class:`ConfigError`
    otherwise); ``auto`` is on when they are and their total size exceeds ``threshold_mb``
    (null: 10% of the physical memory)."""
    if settings.enabled is False:
        return False, "data.out_of_core.enabled=false"
    unreadable = [str(s) for s in sources if "://" in str(s) or not file_extension(s)]
    if unreadable:
        if settings.enabled is True:
            raise ConfigError(f"config key {KEY}.enabled=true reads Parquet and CSV files only, "
                              f"but data.path gives {unreadable[0]}; convert it or set "
                              f"{KEY}.enabled=false.")
        return False, f"{unreadable[0]} is not a Parquet or CSV file"
    if settings.enabled is True:
        return True, "data.out_of_core.enabled=true"
    size = sum(Path(s).stat().st_size for s in sources)
    threshold = (settings.threshold_mb * 2**20 if settings.threshold_mb is not None
                 else total_memory() / 10)
    if size > threshold:
        return True, f"input files total {size / 2**20:.0f} MB > {threshold / 2**20:.0f} MB"
    return False, f"input files total {size / 2**20:.0f} MB <= {threshold / 2**20:.0f} MB"


@dataclass
class SourceAccounting:
    """Counts in source rows after the cleaner ran on the aggregated rows."""

    rows_clean: int
    rows_rejected: int
    rows_duplicate: int
    rejected_reasons: dict[str, int]
    rejected: pd.DataFrame
    aggregated_clean: int
    aggregated_rejected: int


def source_accounting(load: OutOfCoreResults, result: CleanResult) -> SourceAccounting:
    """Turn the cleaner's split of aggregated rows into source-row counts.

    ``load`` is what :func:`salesforge.data.duckdb_aggregate.aggregate` left
    (``source_rows``, ``rejected_counts``, ``rejected_examples``). A clean aggregated row
    stands for its ``n_transactions`` source rows; an aggregated row the cleaner rejects
    (e.g. ``cleaner.missing.customer_id=drop``) rejects all of them. Duplicates cannot be
    told apart once transactions are summed, so ``rows_duplicate`` is 0."""
    def weight(frame: pd.DataFrame) -> int:
        if COUNT not in frame.columns or frame.empty:
            return 0
        return int(np.nansum(pd.to_numeric(frame[COUNT], errors="coerce").to_numpy(float)))

    reasons = dict(load.rejected_counts)
    if len(result.rejected):
        counts = result.rejected.groupby("reason")[COUNT].sum()
        for reason, rows in counts.items():
            reasons[str(reason)] = reasons.get(str(reason), 0) + int(rows)
    examples = load.rejected_examples
    aggregated = result.rejected.drop(columns=["source_row"], errors="ignore")
    parts = [frame for frame in (examples, aggregated) if len(frame)]
    rejected = pd.concat(parts, ignore_index=True) if parts else \
        pd.DataFrame({"reason": pd.Series(dtype=object)})
    rows_clean = weight(result.clean)
    rows_rejected = int(sum(load.rejected_counts.values())) + weight(result.rejected)
    lost = int(load.source_rows) - rows_clean - rows_rejected
    if lost:
        raise AssertionError(f"out-of-core accounting lost {lost} source rows")
    return SourceAccounting(rows_clean, rows_rejected, 0, reasons, rejected,
                            len(result.clean), len(result.rejected))


NOTES = [
    "rows were aggregated out of core to one row per day and grain before cleaning; "
    f"{RunLayout.CLEAN} holds the aggregated rows (n_transactions = source rows in each)",
    "duplicate transactions cannot be told apart once summed: none are removed "
    "(rows_duplicate = 0)",
    "returns are netted within a day and grain; cleaner.returns=drop rejects them per source "
    "row",
    "data quality (outliers, revenue mismatch, nulls) describes the aggregated rows",
]


def cleaning_settings(cleaner: Mapping[str, Any], dayfirst: Any) -> dict[str, Any]:
    """The ``cleaner.*`` settings the out-of-core scan honours, with ``data.dayfirst``."""
    keys = ("dayfirst", "decimal", "missing", "returns", "return_prefixes")
    chosen = {k: cleaner[k] for k in keys if k in cleaner and cleaner[k] is not None}
    if dayfirst is not None:
        chosen["dayfirst"] = bool(dayfirst)
    return chosen


def load_aggregated(ctx: RunContext, sources: Sequence[str | Path], settings: OutOfCoreSettings,
                    why: str, shown: str) -> None:
    """The load stage's out-of-core path: aggregate ``sources`` with DuckDB into
    ``ctx.raw`` and fill ``manifest.data`` (``rows_in`` counts source rows)."""
    from salesforge.config import choice, plain
    from salesforge.data.duckdb_aggregate import Cleaning, aggregate

    data = ctx.config.data
    columns = plain(data.get("columns"))
    options = plain(data.get("options"))
    _, cleaner = choice(ctx.config, "cleaner")
    cleaning = Cleaning(**cleaning_settings(cleaner, data.get("dayfirst")))
    files = [Path(s) for s in sources]
    source = f"data file {files[0]}" if len(files) == 1 else f"data {shown}"
    result = aggregate(files, settings, columns, cleaning, options,
                       temp_root=ctx.run_dir / ".duckdb-tmp", source=source)
    with contextlib.suppress(OSError):  # the spill folder's parent, when empty
        (ctx.run_dir / ".duckdb-tmp").rmdir()
    ctx.raw = result.frame
    kinds = sorted({file_extension(f) for f in files})
    summary = {"used": True, "reason": why, **result.summary,
               "aggregated_columns": [str(c) for c in result.frame.columns], "notes": NOTES}
    ctx.stage_results.out_of_core = OutOfCoreResults(
        source_rows=result.source_rows, rejected_counts=result.rejected_counts,
        rejected_examples=result.rejected_examples, mapping=result.mapping, summary=summary)
    ctx.manifest["data"].update(
        source=str(files[0]) if len(files) == 1 else shown, sources=[str(f) for f in files],
        rows_per_source=result.rows_per_source,
        format=kinds[0] if len(kinds) == 1 else kinds,
        rows_in=result.source_rows, columns_in=result.columns_in, out_of_core=summary)


def aggregated_columns(raw: pd.DataFrame) -> dict[str, str]:
    """``data.columns`` for the cleaner on aggregated rows: the scan already mapped the
    source columns, so canonical columns map to themselves."""
    from salesforge.schema import CANONICAL_COLUMNS

    return {c: c for c in CANONICAL_COLUMNS if c in raw.columns}


def aggregated_settings(settings: Mapping[str, Any]) -> dict[str, Any]:
    """Cleaner settings for aggregated rows: no duplicate removal (a summed row is unique
    by its day and grain)."""
    return {**settings, "drop_duplicates": False} if "drop_duplicates" in settings \
        else dict(settings)


def clean_manifest(load: OutOfCoreResults, result: CleanResult) -> tuple[pd.DataFrame,
                                                                        dict[str, Any]]:
    """``(rejected rows, manifest.data updates)`` in source rows for the clean stage."""
    counts = source_accounting(load, result)
    summary = dict(load.summary)
    summary.update(aggregated_rows_clean=counts.aggregated_clean,
                   aggregated_rows_rejected=counts.aggregated_rejected)
    return counts.rejected, {
        "rows_clean": counts.rows_clean, "rows_rejected": counts.rows_rejected,
        "rows_duplicate": counts.rows_duplicate, "rejected_reasons": counts.rejected_reasons,
        "columns_mapped": dict(load.mapping), "out_of_core": summary}
