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

from salesforge.base.detector import Cut, Detector
from salesforge.base.executor import Executor
from salesforge.detect.context import FEATURES, context_features
from salesforge.detect.explain import explain
from salesforge.detect.known_context import fit_score_raw_on_known_context
from salesforge.errors import ConfigError, DataError

#: The partition of rows whose partition column is empty.
MISSING = "(missing)"
#: Fewest rows a partition may have: a detector learns little from fewer.
MIN_PARTITION_ROWS = 20


@dataclass
class Scored:
    """Scores and raw statistics of every row (frame order), which rows are flagged, and for
    the flagged rows (frame order) the reason, the money impact and the top feature."""

    scores: np.ndarray
    raw: np.ndarray
    flags: np.ndarray
    reasons: list[str]
    impact: np.ndarray
    top: np.ndarray
    regional: np.ndarray
    detectors: dict[str, Detector]
    inputs: pd.DataFrame
    #: where the whole frame was cut (``None`` when partitioned: each partition has its own)
    cut: Cut | None = None
    #: per partition value: rows, flagged, mode and cut (empty when not partitioned)
    partitions: dict[str, dict[str, Any]] = field(default_factory=dict)


def contributions(detector: Detector, inputs: pd.DataFrame) -> pd.DataFrame:
    """The detector's own per-feature contributions, else each input's |value| (the context
    features are robust z already)."""
    found = detector.contributions(inputs)
    if found is not None:
        return found
    return inputs.abs()


def plain_money(value: float) -> str:
    """A signed amount without a currency (the default when the caller gives none)."""
    return f"{value:+,.2f}"


def break_ties(scores: np.ndarray, *keys: np.ndarray) -> np.ndarray:
    """``scores`` (in [0, 1), of flagged rows) where rows tied exactly are ordered by
    ``keys`` (higher first; the first key decides, then the next): each tied row is raised
    by a few units in the last place, never up to the next distinct score, so distinct
    scores keep their order and the tied ones take the order of their keys."""
    scores = np.asarray(scores, dtype="float64")
    if len(scores) < 2:
        return scores
    order = np.lexsort((*[np.nan_to_num(np.asarray(k, dtype="float64")) for k in keys[::-1]],
                        scores))
    bits = np.minimum(scores[order], np.nextafter(1.0, 0.0)).view("int64")  # >= 0: ordered
    starts = np.r_[True, bits[1:] != bits[:-1]]
    group = np.cumsum(starts) - 1
    first = np.flatnonzero(starts)
    size = np.bincount(group)
    ceiling = np.r_[bits[first[1:]], np.array([1.0]).view("int64")]  # next distinct score
    room = (ceiling - bits[first] - 1) // np.maximum(size, 1)  # ulps per step
    step = np.clip(room, 0, 4096)[group]
    out = np.empty_like(scores)
    out[order] = (bits + (np.arange(len(bits)) - first[group]) * step).view("float64")
    return out


def score_partition(item: tuple) -> Scored:
    """Fit a copy of the detector on one frame's context features, score and cut its rows,
    and explain the flagged ones (module level, so any executor can ship it). ``item`` is
    ``(detector, frame)`` or ``(detector, frame, money)``. Flagged rows with exactly equal
    scores are ordered by :func:`break_ties` (money at stake, then recency)."""
    template, frame, money = (*item, plain_money) if len(item) == 2 else item
    detector = copy.deepcopy(template)
    inputs, ratio = context_features(frame)
    scores, raw = fit_score_raw_on_known_context(detector, inputs, ratio)
    cut = detector.cut(scores)
    flags = cut.flags(scores)
    found = contributions(detector, inputs.loc[flags])
    texts, impact, top = explain(found, ratio.loc[flags], frame.loc[flags], raw[flags],
                                 detector.raw_name, money)
    # equal scores (the same line at the same price, the copies of a burst) are ordered by
    # money at stake, then the most recent first
    when = (pd.to_datetime(frame.loc[flags, "date"]).to_numpy("datetime64[ns]")
            .astype("int64").astype(float) if "date" in frame.columns
            else np.zeros(int(flags.sum())))
    scores = scores.copy()
    scores[flags] = break_ties(scores[flags], np.abs(impact), when)
    return Scored(scores=scores, raw=raw, flags=flags, reasons=texts, impact=impact, top=top,
                  regional=ratio["regional"].to_numpy(bool)[flags],
                  detectors={"all": detector}, inputs=inputs, cut=cut)


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
                       progress: Callable[[int, int], None] | None = None,
                       money: Callable[[float], str] = plain_money) -> Scored:
    """Score every row of ``frame`` with (copies of) ``detector``: all rows together when
    ``column`` is ``None``, else one detector per partition of ``column`` through
    ``executor`` (``None`` = in this process). ``money`` formats amounts in reasons."""
    if column is None:
        return score_partition((detector, frame, money))
    from salesforge.exec.local import LocalExecutor

    groups = partitions(frame, column)
    executor = executor or LocalExecutor()
    parts = executor.map(score_partition,
                         [(detector, frame.iloc[rows], money) for rows in groups.values()],
                         progress=progress)
    n = len(frame)
    scores, raw, flags = np.empty(n), np.empty(n), np.zeros(n, dtype=bool)
    texts, top = np.empty(n, dtype=object), np.empty(n, dtype=object)
    impact, regional = np.zeros(n), np.zeros(n, dtype=bool)
    for rows, part in zip(groups.values(), parts, strict=True):
        scores[rows], raw[rows], flags[rows] = part.scores, part.raw, part.flags
        hit = rows[part.flags]
        texts[hit], impact[hit], top[hit], regional[hit] = (part.reasons, part.impact,
                                                            part.top, part.regional)
    inputs = pd.concat([p.inputs for p in parts]).reindex(frame.index)
    inputs = inputs[[c for c in FEATURES if c in inputs.columns]].fillna(0.0)
    return Scored(scores=scores, raw=raw, flags=flags, reasons=list(texts[flags]),
                  impact=impact[flags], top=top[flags], regional=regional[flags],
                  detectors={key: p.detectors["all"] for key, p in zip(groups, parts,
                                                                      strict=True)},
                  inputs=inputs, cut=None, partitions={
                      key: _partition_summary(rows, part)
                      for (key, rows), part in zip(groups.items(), parts, strict=True)})


def _partition_summary(rows: np.ndarray, part: Scored) -> dict[str, Any]:
    """``manifest.anomalies.partitions.<value>``: rows, flagged, mode and cut."""
    cut = part.cut
    assert cut is not None  # score_partition cuts every partition it scores
    return {"rows": len(rows), "flagged": int(part.flags.sum()), "mode": cut.mode,
            "cut": cut.value, "threshold": cut.value}
