"""Typed results the stages hand to later stages and hooks: ``RunContext.stage_results``.

Each stage that keeps something in memory for the stages after it fills one field of
:class:`StageResults` with its own dataclass (``clean``, ``forecast``, ``segment``,
``detect``, ``analytics``, ``out_of_core``); a field stays ``None`` when its stage was
switched off or has not run yet. Hooks read them by attribute::

    def salesforge_after_stage(context, stage, outcome):
        if stage == "forecast":
            board = context.stage_results.forecast.leaderboard

Before this module the results lived in the untyped dict ``context.results``; reads such
as ``context.results["forecast"]["leaderboard"]`` still work through
:class:`LegacyResults` and warn (``DeprecationWarning``). Keys that are not a stage's
(a plugin's own state, e.g. an experiment tracker) are plain entries of
``context.plugin_state``, which ``context.results[<key>]`` also reaches.
"""

from __future__ import annotations

import dataclasses
import warnings
from collections.abc import Iterator, MutableMapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

if TYPE_CHECKING:
    from salesforge.base.analyzer import Analysis

__all__ = ["CleanResults", "DetectResults", "ForecastResults", "LegacyResults",
           "OutOfCoreResults", "SegmentResults", "StageResults"]


def _deprecated(what: str, instead: str) -> None:
    warnings.warn(f"{what} is deprecated; use {instead}.", DeprecationWarning, stacklevel=3)


class _ReadByKey:
    """Dict-style reads of a results dataclass (``results["detect"]["anomalies"]``), kept
    for code written against the old ``context.results`` dict; each read warns."""

    def _names(self) -> list[str]:
        return [f.name for f in dataclasses.fields(self)]  # type: ignore[arg-type]

    def __getitem__(self, key: str) -> Any:
        if key not in self._names():
            raise KeyError(key)
        _deprecated(f"reading results[...][{key!r}]", f"the attribute .{key}")
        return getattr(self, key)

    def get(self, key: str, default: Any = None) -> Any:
        return self[key] if key in self._names() else default

    def __contains__(self, key: object) -> bool:
        return key in self._names()

    def keys(self) -> list[str]:
        return self._names()


@dataclass
class CleanResults(_ReadByKey):
    """What the ``clean`` stage learnt about the data beside the clean rows."""

    #: measure -> how it was derived (e.g. ``{"revenue": "quantity * price"}``).
    derived: dict[str, str]
    #: how returns were handled: ``net``, ``exclude`` or ``separate``.
    returns: str
    #: the cleaner's quality report (the manifest's ``data.quality``).
    quality: dict[str, Any]
    #: canonical column -> the source column it came from.
    columns_mapped: dict[str, str]


@dataclass
class OutOfCoreResults(_ReadByKey):
    """What DuckDB's out-of-core scan (load stage) left for the clean stage."""

    source_rows: int
    rejected_counts: dict[str, int]
    rejected_examples: pd.DataFrame
    mapping: dict[str, str]
    summary: dict[str, Any]


@dataclass
class ForecastResults(_ReadByKey):
    """The forecast stage's tables (the same as its CSV artifacts) and its choice."""

    backtest: pd.DataFrame
    forecast: pd.DataFrame
    leaderboard: pd.DataFrame
    best: str
    metrics_by_series: pd.DataFrame
    value_added: pd.DataFrame
    best_reason: str
    selection: pd.DataFrame


@dataclass
class SegmentResults(_ReadByKey):
    """The segment stage's members, fitted segmenter, profile and 2-D projection."""

    table: pd.DataFrame
    model: Any
    profile: pd.DataFrame
    projection: pd.DataFrame
    entity_features: pd.DataFrame


@dataclass
class DetectResults(_ReadByKey):
    """Transaction anomalies (always) and period anomalies of sales series
    (``detect.series``: ``series`` and the two tables; else ``None``)."""

    anomalies: pd.DataFrame
    scores: pd.Series
    raw_scores: pd.Series
    model: Any
    features: pd.DataFrame
    series: pd.DataFrame | None = None
    series_anomalies: pd.DataFrame | None = None
    root_causes: pd.DataFrame | None = None


@dataclass
class StageResults:
    """One typed field per stage that hands results on; ``None`` until it has run."""

    clean: CleanResults | None = None
    out_of_core: OutOfCoreResults | None = None
    forecast: ForecastResults | None = None
    segment: SegmentResults | None = None
    detect: DetectResults | None = None
    analytics: Analysis | None = None
    #: anomaly labels to score detectors with: ``data.labels`` or the bundled sample's.
    labels_path: Path | None = None


_STAGE_KEYS = frozenset(f.name for f in dataclasses.fields(StageResults))


class LegacyResults(MutableMapping[str, Any]):
    """``context.results`` as it was, a dict: stage keys read the typed
    :class:`StageResults` (with a ``DeprecationWarning``; they cannot be set), every
    other key is an entry of the plugins' ``plugin_state``."""

    def __init__(self, stages: StageResults, plugin_state: dict[str, Any]) -> None:
        self._stages = stages
        self._state = plugin_state

    def __getitem__(self, key: str) -> Any:
        if key in _STAGE_KEYS:
            value = getattr(self._stages, key)
            if value is None:
                raise KeyError(key)
            _deprecated(f"context.results[{key!r}]", f"context.stage_results.{key}")
            return value
        return self._state[key]

    def __setitem__(self, key: str, value: Any) -> None:
        if key in _STAGE_KEYS:
            raise TypeError(f"context.results[{key!r}] is a stage's result and is set by "
                            f"the stage (context.stage_results.{key}).")
        self._state[key] = value

    def __delitem__(self, key: str) -> None:
        del self._state[key]

    def __iter__(self) -> Iterator[str]:
        present = [k for k in sorted(_STAGE_KEYS) if getattr(self._stages, k) is not None]
        return iter([*present, *self._state])

    def __len__(self) -> int:
        return sum(1 for _ in self)

    def __repr__(self) -> str:
        return f"LegacyResults({list(self)})"

