"""``forecast.freq=auto``: the period of the series, inferred from the data's dates."""

from __future__ import annotations

import numpy as np
import pandas as pd

from salesforge.errors import ConfigError

AUTO = "auto"
_DAYS = ("MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN")
_MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")


def _quarter_anchor(days: pd.DatetimeIndex) -> str | None:
    """The first month of the quarters the dates label (a date in the first half of a
    month starts its quarter there, a later one ends it there), when all agree."""
    first = np.where(days.day <= 15, days.month - 1, days.month - 3) % 3
    return None if len(set(first.tolist())) != 1 else _MONTHS[int(first[0])]


def infer_freq(dates: pd.Series | pd.DatetimeIndex) -> str:
    """The pandas frequency of ``dates`` (times of day ignored): ``W-<DAY>`` when every
    date falls on one weekday, ``MS`` when no month has two dates and they are at least
    28 days apart, ``QS``/``QS-<MON>`` when they are also at least 89 days apart in one
    quarter pattern, ``YS``/``YS-<MON>`` for one date a year; ``D`` otherwise (daily data,
    gaps and all, or too few dates to tell)."""
    days = pd.DatetimeIndex(pd.Series(dates).dropna()).normalize().unique().sort_values()
    if len(days) < 2:
        return "D"
    gaps = np.diff(days.to_numpy()).astype("timedelta64[s]").astype("float64") / 86_400
    months = days.year * 12 + days.month
    if len(np.unique(months)) == len(days) and gaps.min() >= 28:
        if gaps.min() >= 360 and len(set(days.month.tolist())) == 1 and \
                bool((days.day <= 15).all()):
            month = _MONTHS[int(days.month[0]) - 1]
            return "YS" if month == "JAN" else f"YS-{month}"
        anchor = _quarter_anchor(days) if gaps.min() >= 89 else None
        if anchor is not None:
            return "QS" if anchor == "JAN" else f"QS-{anchor}"
        return "MS"
    weekdays = set(days.day_of_week.tolist())
    if len(weekdays) == 1:
        return f"W-{_DAYS[weekdays.pop()]}"
    return "D"


def resolve_freq(value: object, dates: pd.Series) -> tuple[str, bool]:
    """``(freq, inferred)``: ``forecast.freq`` as given, or inferred from ``dates`` when it
    is ``auto`` (or empty); a value pandas cannot read raises :class:`ConfigError`."""
    text = "" if value is None else str(value).strip()
    if text.lower() in ("", AUTO):
        return infer_freq(dates), True
    try:
        pd.tseries.frequencies.to_offset(text)
    except ValueError:
        raise ConfigError(f"config key forecast.freq={text!r} is not a pandas frequency "
                          "(e.g. D, W, W-FRI, MS) nor auto.") from None
    return text, False
