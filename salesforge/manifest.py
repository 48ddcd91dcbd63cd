"""The run manifest: a JSON summary other programs read (see docs/run-directory.md).

:class:`Manifest` declares its top-level keys and the sections other programs read most
(``forecast``, ``data``, ``segments``, ``anomalies``, ``analytics``, ``error``,
``process``) as TypedDicts: the JSON stays as it was, a ``Manifest`` *is* the ``dict``
read from it, and type checkers and readers see what a key holds. :func:`read_manifest`
and :func:`write_manifest` are the one reader and writer (the app, the API, ``runs/``,
``predict`` and the runner use them); keys are only ever added.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
from pathlib import Path
from typing import Any, TypedDict, cast

import numpy as np
import pandas as pd

from salesforge.layout import RunLayout

MANIFEST_NAME = RunLayout.MANIFEST


class ForecastSection(TypedDict, total=False):
    """``manifest.forecast`` (docs/forecasting.md lists every key)."""

    target: str
    freq: str
    freq_inferred: bool
    horizon: int
    by: list[str]
    by_given: list[str]
    series: int
    backtest_windows: int
    cutoffs: list[str]
    interval_level: float
    interval_levels: list[float]
    selection_metric: str
    models: dict[str, dict[str, float | None]]
    best: str
    baseline: str
    best_reason: str
    value_added_pct: dict[str, float | None]
    select: str
    selection: dict[str, Any]
    intermittent: dict[str, Any]
    stability: dict[str, Any]
    fitted: dict[str, Any]
    fallback: dict[str, Any]
    reconcile: dict[str, Any]
    settings: dict[str, Any]
    tuning: dict[str, Any]
    saved_models: dict[str, str]
    exog: dict[str, Any]
    realized: dict[str, Any]


class DataSection(TypedDict, total=False):
    """``manifest.data``: where the rows came from and what cleaning made of them."""

    source: str
    sources: list[str]
    rows_per_source: dict[str, int]
    format: str | list[str]
    rows_in: int
    columns_in: list[str]
    out_of_core: dict[str, Any]
    rows_clean: int
    rows_rejected: int
    rows_duplicate: int
    rejected_reasons: dict[str, int]
    columns_mapped: dict[str, str]
    columns_derived: dict[str, str]
    returns: dict[str, Any]
    quality: dict[str, Any]
    date_min: str
    date_max: str
    rejected_share: float
    drift: dict[str, Any]


class SegmentsSection(TypedDict, total=False):
    """``manifest.segments``."""

    entity: str
    segmenter: str
    n_segments: int
    silhouette: float | None
    sizes: dict[str, int]
    features: list[str]
    profile: list[dict[str, Any]]
    k_selection: dict[str, Any]


class AnomaliesSection(TypedDict, total=False):
    """``manifest.anomalies``."""

    detector: str
    rows_scored: int
    flagged: int
    rate: float
    mode: str
    cut: float | None
    raw_cut: float | None
    flagged_share: float
    threshold: float | None
    partition_by: str | None
    partitions: dict[str, Any]
    features: list[str]
    reasons: dict[str, int]
    money_at_stake: float
    evaluation: dict[str, Any] | None
    series: dict[str, Any] | None


class AnalyticsSection(TypedDict, total=False):
    """``manifest.analytics``."""

    analyzer: str
    kpis: dict[str, float | None]
    insights: list[str]
    insight_sources: list[dict[str, Any]]
    insights_by_language: dict[str, list[str]]


class ErrorSection(TypedDict, total=False):
    """``manifest.error`` of a failed run."""

    type: str
    message: str
    stage: str | None


class ProcessSection(TypedDict, total=False):
    """``manifest.process``: who runs (ran) it, for ``interrupted``."""

    pid: int
    host: str
    started: float


class Manifest(TypedDict, total=False):
    """``manifest.json``: every top-level key a run writes (docs/run-directory.md)."""

    salesforge_version: str
    run_id: str
    status: str
    started_at: str
    finished_at: str | None
    config: dict[str, Any]
    config_hash: str
    data_hash: str | None
    plugins: list[dict[str, str]]
    plugin_failures: list[str]
    data: DataSection
    features: dict[str, Any]
    forecast: ForecastSection | None
    segments: SegmentsSection | None
    anomalies: AnomaliesSection | None
    analytics: AnalyticsSection | None
    stages: dict[str, str]
    notes: dict[str, str]
    timings: dict[str, float]
    extensions: dict[str, Any]
    artifacts: dict[str, str]
    warnings: list[dict[str, Any]]
    process: ProcessSection
    charts: dict[str, list[str]]
    reports: dict[str, list[str]]
    alerts: dict[str, Any]
    error: ErrorSection


def utc_now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def config_hash(config: dict[str, Any]) -> str:
    """sha256 of the resolved config as canonical JSON."""
    text = json.dumps(config, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def file_hash(path: str | Path, chunk: int = 1 << 20) -> str:
    """sha256 of a file's bytes, read in chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(chunk):
            digest.update(block)
    return digest.hexdigest()


def to_jsonable(value: Any) -> Any:
    """Plain JSON values: numpy/pandas scalars unwrapped, NaN and NaT become null."""
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_jsonable(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if value is pd.NaT or value is pd.NA:
        return None
    if isinstance(value, pd.Timestamp | dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, Path):
        return str(value)
    return value


def write_manifest(run_dir: str | Path, manifest: Manifest | dict[str, Any]) -> Path:
    """Write ``manifest.json`` atomically (a reader never sees half a file)."""
    path = Path(run_dir) / MANIFEST_NAME
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(to_jsonable(manifest), indent=2, ensure_ascii=False) + "\n",
                   encoding="utf-8")
    tmp.replace(path)
    return path


def as_dict(manifest: Manifest) -> dict[str, Any]:
    """``manifest`` typed as what it is, the plain ``dict`` read from ``manifest.json``
    (for code that takes any dict)."""
    return cast("dict[str, Any]", manifest)


def read_manifest(run_dir: str | Path) -> Manifest:
    """The ``manifest.json`` of ``run_dir`` (``NaN``/``Infinity`` written by other tools
    read as ``None``); ``OSError`` when there is none, ``ValueError`` when it is not JSON."""
    text = (Path(run_dir) / MANIFEST_NAME).read_text(encoding="utf-8")
    return json.loads(text, parse_constant=lambda _: None)
