"""Intermittent demand: the Syntetos-Boylan classes of series and the methods they are
routed to (``forecast.intermittent``).

ADI (average demand interval) is the number of periods from a series' first non-zero
value to its end over the number of non-zero periods; CV2 the squared coefficient of
variation (sample standard deviation over the mean) of the non-zero sizes. With the
cut-offs of Syntetos, Boylan & Croston (2005), ADI 1.32 and CV2 0.49:

=============  ==========  ============
class          ADI         CV2
=============  ==========  ============
smooth         < 1.32      < 0.49
erratic        < 1.32      >= 0.49
intermittent   >= 1.32     < 0.49
lumpy          >= 1.32     >= 0.49
=============  ==========  ============

A series without any demand has an infinite ADI and CV2 0: intermittent.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import cast

import numpy as np
import pandas as pd

from salesforge.errors import ConfigError

ADI_CUTOFF = 1.32
CV2_CUTOFF = 0.49
CLASSES = ("smooth", "erratic", "intermittent", "lumpy")
#: The classes whose series are routed to intermittent-demand methods.
ROUTED = ("intermittent", "lumpy")
#: The intermittent-demand forecasters of plugins/salesforge-statsforecast, used by
#: ``forecast.intermittent=auto`` when they are registered.
STATSFORECAST_METHODS = ("croston_optimized", "adida", "imapa", "tsb")


def classify(series: pd.DataFrame, before: pd.Timestamp | None = None) -> pd.DataFrame:
    """Per series (index ``series_id``, sorted): ``adi``, ``cv2`` and ``demand_class``, from
    its values up to ``before`` (all of them when ``None``)."""
    frame = series if before is None else series[series["ds"] <= before]
    frame = frame.sort_values(["series_id", "ds"], kind="stable")
    ids = frame["series_id"].to_numpy()
    demand = frame["y"].to_numpy("float64") != 0
    started = pd.Series(demand).groupby(ids, sort=True).cummax()
    span = started.groupby(ids, sort=True).sum().astype("float64")
    sizes = pd.Series(np.where(demand, np.abs(frame["y"].to_numpy("float64")), np.nan))
    grouped = sizes.groupby(ids, sort=True)
    count = grouped.count().astype("float64")
    adi = (span / count.where(count > 0)).fillna(np.inf)
    cv2 = ((grouped.std(ddof=1) / grouped.mean()) ** 2).fillna(0.0)
    kind = np.select([(adi < ADI_CUTOFF) & (cv2 < CV2_CUTOFF), adi < ADI_CUTOFF,
                      cv2 < CV2_CUTOFF], list(CLASSES[:3]), default=CLASSES[3])
    table = pd.DataFrame({"adi": adi, "cv2": cv2, "demand_class": kind})
    table.index.name = "series_id"
    return table


def routing_methods(setting: object, registered: Sequence[str]) -> list[str]:
    """The forecasters ``forecast.intermittent`` names: ``auto`` = those of
    :data:`STATSFORECAST_METHODS` that are registered; a list must name registered
    forecasters; empty or null = none."""
    if setting is None:
        return []
    if isinstance(setting, str):
        if setting.strip().lower() == "auto":
            return [m for m in STATSFORECAST_METHODS if m in registered]
        setting = [setting]
    names = [str(v) for v in cast("Iterable[object]", setting)]  # a list (or ListConfig)
    unknown = [n for n in names if n not in registered]
    if unknown:
        raise ConfigError(f"config key forecast.intermittent names {unknown[0]!r}, which is "
                          "not an installed forecaster; install plugins/salesforge-"
                          "statsforecast or set forecast.intermittent=auto.")
    return list(dict.fromkeys(names))


def class_counts(classes: pd.DataFrame) -> dict[str, int]:
    """Series per demand class, every class listed."""
    counts = classes["demand_class"].value_counts()
    return {c: int(counts.get(c, 0)) for c in CLASSES}


def intermittent_summary(classes: pd.DataFrame, methods: Sequence[str], setting: object,
                         routed: int, reconciled: bool) -> dict[str, object]:
    """The manifest entry ``forecast.intermittent``: the class counts, the methods the
    routed classes could take, how many series they were evaluated on and, when no
    method ran, why."""
    note = None
    if reconciled:
        note = "no routing with forecast.reconcile (routed series would not add up)"
    elif not methods:
        note = ("no intermittent method installed (plugins/salesforge-statsforecast)"
                if isinstance(setting, str) and setting.strip().lower() == "auto"
                else "forecast.intermittent names no method")
    elif not routed:
        note = "no series of the intermittent or lumpy class"
    return {"adi_cutoff": ADI_CUTOFF, "cv2_cutoff": CV2_CUTOFF,
            "classes": class_counts(classes), "methods": list(methods),
            "routed_series": int(routed) if methods and not reconciled else 0, "note": note}
