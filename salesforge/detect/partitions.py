"""Transaction scoring, whole or per partition (``detect.partition_by``).

A partition (e.g. one region) is scored as if it were the whole data: its own context
features (each product's norms within the partition) and its own detector, fitted and
thresholded on the partition alone. Partitions are independent tasks for the run's
executor; their results are put back in the rows' original order, so they never depend
on the executor that computed them.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from salesforge.base.detector import Detector
from salesforge.base.executor import Executor
from salesforge.detect.context import CONTEXT, context_features, fit_on_known_context, reasons
from salesforge.detect.scaling import robust_center_scale
from salesforge.errors import ConfigError, DataError

#: The partition of rows whose partition column is empty.
MISSING = "(missing)"
#: Fewest rows a partition may have: a detector learns little from fewer.
MIN_PARTITION_ROWS = 20


@dataclass
class Scored:
    """Scores of every row (frame order), which rows are flagged, and for the flagged
    rows (frame order) the reason and the largest feature contribution."""

    scores: np.ndarray
    flags: np.ndarray
    reasons: list[str]
    top: np.ndarray
    detectors: dict[str, Detector]
    inputs: pd.DataFrame
    #: per partition value: rows, flagged and threshold (empty when not partitioned)
    partitions: dict[str, dict[str, Any]] = field(default_factory=dict)


def contributions(detector: Detector, inputs: pd.DataFrame) -> pd.DataFrame:
    """The detector's own per-feature contributions, else each input's robust z-score."""
    found = detector.contributions(inputs)
    if found is not None:
        return found
    center, scale = robust_center_scale(inputs.to_numpy(float), coverage=0.8)
    return pd.DataFrame(np.abs((inputs.to_numpy(float) - center) / scale),
                        index=inputs.index, columns=inputs.columns)


def score_partition(item: tuple[Detector, pd.DataFrame]) -> Scored:
    """Fit a copy of the detector on one frame's context features and score its rows
    (module level, so any executor can ship it)."""
    template, frame = item
    detector = copy.deepcopy(template)
    inputs, ratio = context_features(frame)
    scores = fit_on_known_context(detector, inputs, ratio)
    flags = scores >= detector.threshold_
    found = contributions(detector, inputs.loc[flags])
    texts = reasons(found, ratio.loc[flags], frame.loc[flags])
    top = found.to_numpy(float).max(axis=1, initial=0.0) if len(found) else np.empty(0)
    return Scored(scores=np.asarray(scores, dtype="float64"), flags=np.asarray(flags, bool),
                  reasons=list(texts), top=np.asarray(top, dtype="float64"),
                  detectors={"all": detector}, inputs=inputs)


def partitions(frame: pd.DataFrame, column: str) -> dict[str, np.ndarray]:
    """Partition value (text; :data:`MISSING` for empty cells) -> row positions, sorted by
    value; ``ConfigError``/``DataError`` naming ``detect.partition_by`` when unusable."""
    if column not in frame.columns:
        raise ConfigError(f"config key detect.partition_by names column {column!r}, which the "
                          f"clean data does not have (columns: {', '.join(frame.columns)}).")
    keys = frame[column].astype("string").fillna(MISSING).reset_index(drop=True)
    groups = {str(k): np.asarray(v) for k, v in keys.groupby(keys, sort=True).indices.items()}
    small = {k: len(v) for k, v in groups.items() if len(v) < MIN_PARTITION_ROWS}
    if small:
        key, rows = next(iter(small.items()))
        raise DataError(f"detect.partition_by={column} gives partition {key!r} only {rows} "
                        f"rows; a detector needs at least {MIN_PARTITION_ROWS}: choose a "
                        "column with fewer, larger groups, or leave detect.partition_by null.")
    return groups


def score_transactions(frame: pd.DataFrame, detector: Detector, column: str | None = None,
                       executor: Executor | None = None,
                       progress: Callable[[int, int], None] | None = None) -> Scored:
    """Score every row of ``frame`` with (copies of) ``detector``: all rows together when
    ``column`` is ``None``, else one detector per partition of ``column`` through
    ``executor`` (``None`` = in this process)."""
    if column is None:
        return score_partition((detector, frame))
    from salesforge.exec.local import LocalExecutor

    groups = partitions(frame, column)
    executor = executor or LocalExecutor()
    parts = executor.map(score_partition,
                         [(detector, frame.iloc[rows]) for rows in groups.values()],
                         progress=progress)
    n = len(frame)
    scores, flags = np.empty(n), np.zeros(n, dtype=bool)
    texts, top = np.empty(n, dtype=object), np.zeros(n)
    for rows, part in zip(groups.values(), parts, strict=True):
        scores[rows], flags[rows] = part.scores, part.flags
        texts[rows[part.flags]], top[rows[part.flags]] = part.reasons, part.top
    inputs = pd.concat([p.inputs for p in parts]).reindex(frame.index)
    inputs = inputs[[c for c in CONTEXT if c in inputs.columns]].fillna(0.0)
    return Scored(scores=scores, flags=flags, reasons=list(texts[flags]), top=top[flags],
                  detectors={key: p.detectors["all"] for key, p in zip(groups, parts,
                                                                      strict=True)},
                  inputs=inputs, partitions={
                      key: {"rows": len(rows), "flagged": int(part.flags.sum()),
                            "threshold": float(part.detectors["all"].threshold_)}
                      for (key, rows), part in zip(groups.items(), parts, strict=True)})

