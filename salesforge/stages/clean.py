"""Stage ``clean``: canonical columns and types; bad rows to ``data/rejected.csv``; the data
profile (``data/profile.json``) and its drift against an earlier run (``data.drift``)."""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor

import pandas as pd
from omegaconf import OmegaConf

from salesforge.base.cleaner import CleanResult
from salesforge.config import choice
from salesforge.data.drift_check import drift_settings, record_drift
from salesforge.data.out_of_core import (
    aggregated_columns,
    aggregated_settings,
    clean_manifest,
)
from salesforge.data.rejected_share import max_rejected_share, rejected_share, rejected_warning
from salesforge.errors import DataError
from salesforge.layout import RunLayout
from salesforge.results import CleanResults
from salesforge.run_warnings import add_warning
from salesforge.schema import RunContext

CLEAN = RunLayout.CLEAN
REJECTED = RunLayout.REJECTED
log = logging.getLogger(__name__)


def run_clean(ctx: RunContext) -> None:
    limit = max_rejected_share(ctx.config.data)
    drift = drift_settings(ctx.config.data)
    name, settings = choice(ctx.config, "cleaner")
    dayfirst = ctx.config.data.get("dayfirst")
    if dayfirst is not None:
        settings["dayfirst"] = bool(dayfirst)
    aggregated = ctx.stage_results.out_of_core  # rows summed by DuckDB in the load stage
    if aggregated is not None:
        settings = aggregated_settings(settings)
    cleaner = ctx.create("cleaner", name, settings, key="cleaner")
    source = f"data file {ctx.manifest['data']['source']}"
    node = ctx.config.data.get("columns")
    columns = OmegaConf.to_container(node, resolve=True) if node is not None else {}
    if aggregated is not None:
        columns = aggregated_columns(ctx.raw)
    result = cleaner.clean(ctx.raw, columns, source=source)
    rejected, counts = (result.rejected, {}) if aggregated is None \
        else clean_manifest(aggregated, result)
    ctx.clean, ctx.rejected = result.clean, rejected
    ctx.raw = None  # every row is in clean or rejected now: one copy of the transactions
    # the files are written while the profile is made (Arrow's writer releases the GIL);
    # both are done before the stage ends
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="salesforge-clean") as pool:
        written = pool.submit(_write, ctx, result.clean, rejected)
        _record(ctx, result, rejected, counts, limit, source)
        record_drift(ctx, drift, grain="rows" if aggregated is None else "daily")
        written.result()


def _write(ctx: RunContext, clean: pd.DataFrame, rejected: pd.DataFrame) -> None:
    clean.to_parquet(ctx.path(CLEAN), index=False)
    rejected.to_csv(ctx.path(REJECTED), index=False)


def _record(ctx: RunContext, result: CleanResult, rejected: pd.DataFrame,
            counts: dict, limit: float | None, source: str) -> None:
    """``manifest.data`` and ``stage_results.clean``; :class:`DataError` when no row is
    left."""
    ctx.record_artifact("clean", CLEAN)
    ctx.record_artifact("rejected", REJECTED)
    reasons = result.rejected["reason"].value_counts().to_dict() if len(result.rejected) else {}
    returns = result.quality.get("returns", {})
    ctx.stage_results.clean = CleanResults(
        derived=result.derived, returns=returns.get("handling", "net"), quality=result.quality,
        columns_mapped=result.columns_mapped)
    ctx.manifest["data"].update(
        rows_clean=len(result.clean),
        rows_rejected=len(result.rejected),
        rows_duplicate=result.duplicates,
        rejected_reasons=reasons,
        columns_mapped=result.columns_mapped,
        columns_derived=result.derived,
        returns=returns,
        quality=result.quality,
        date_min=result.clean["date"].min() if len(result.clean) else None,
        date_max=result.clean["date"].max() if len(result.clean) else None,
    )
    ctx.manifest["data"].update(counts)  # source-row counts of an out-of-core load
    data = ctx.manifest["data"]
    data["rejected_share"] = rejected_share(data)
    warning = rejected_warning(data, limit, REJECTED)
    if warning is not None:
        add_warning(ctx.manifest, "clean", "rows_rejected", warning)
        log.warning(warning)
    if result.clean.empty:
        first = next(iter(reasons), "no reason recorded")
        raise DataError(f"{source} has no usable rows (e.g. {first}); see {REJECTED} in the "
                        "run directory for every rejected row.")
