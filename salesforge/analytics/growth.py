"""Period-over-period growth (MoM, QoQ, YoY) with calendar alignment.

The data covers ``date_min .. date_max``; a calendar period cut by either end is
*partial*. A partial period is never compared with a whole one: it is compared with the
same calendar days of the earlier period (1-15 March against 1-15 February, or
January-June against January-June a year earlier; a day past the end of a shorter
month falls on its last day), and its ``basis`` says so. A
comparison whose days are not all covered by the data is left empty (NaN).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from salesforge.analytics.facts import Facts
from salesforge.analytics.measures import finite

#: Frequency -> (label, pandas period freq, periods per year).
FREQS: dict[str, tuple[str, str, int]] = {
    "M": ("month", "M", 12),
    "Q": ("quarter", "Q", 4),
    "Y": ("year", "Y", 1),
}


def monthly_stamped(dates: pd.Series) -> bool:
    """True when every date is the first of a month and there are several months: the
    rows are monthly totals, so each covers its whole month."""
    day = dates.dt.normalize()
    return bool((day.dt.day == 1).all() and day.nunique() > 1)


def coverage_end(dates: pd.Series) -> pd.Timestamp:
    """The last day the data covers: its last date, or the end of that month for
    monthly-stamped data (see :func:`monthly_stamped`)."""
    last = dates.max().normalize()
    return last + pd.offsets.MonthEnd(0) if monthly_stamped(dates) else last


def daily_matrix(clean: pd.DataFrame | Facts, column: str | None = None) -> pd.DataFrame:
    """Revenue per calendar day from the first to the last covered day (zero-filled), one
    column per value of ``column`` or a single ``revenue`` column."""
    return Facts.of(clean).daily(column)


def period_windows(first: pd.Timestamp, last: pd.Timestamp, freq: str) -> pd.DataFrame:
    """One row per calendar period touching ``first..last``: its covered day window and
    the aligned windows of the previous period and of the same period a year earlier,
    as day offsets from ``first`` (inclusive); ``-1`` marks a window outside the data."""
    label, pfreq, per_year = FREQS[freq]
    periods = pd.period_range(first, last, freq=pfreq)
    start = periods.start_time.normalize()
    end = periods.end_time.normalize()
    cov_start = start.where(start >= first, first)
    cov_end = end.where(end <= last, last)
    complete = (cov_start == start) & (cov_end == end)
    out = pd.DataFrame({label: periods.astype(str), "start": cov_start, "end": cov_end,
                        "days": (cov_end - cov_start).days + 1,
                        "days_in_period": (end - start).days + 1, "complete": complete})
    ndays = (last - first).days + 1
    months = 12 // per_year
    lags = {"year_ago": per_year} if per_year == 1 else {"previous": 1, "year_ago": per_year}
    for name, lag in lags.items():
        base = periods - lag
        shift = pd.DateOffset(months=months * lag)
        w_start = np.where(complete, base.start_time.normalize(), cov_start - shift)
        w_end = np.where(complete, base.end_time.normalize(), cov_end - shift)
        lo = (pd.DatetimeIndex(w_start) - first).days.to_numpy()
        hi = (pd.DatetimeIndex(w_end) - first).days.to_numpy()
        ok = (lo >= 0) & (hi < ndays)
        out[f"{name}_{label}"] = base.astype(str)
        out[f"{name}_lo"] = np.where(ok, lo, -1)
        out[f"{name}_hi"] = np.where(ok, hi, -1)
    out["lo"] = (cov_start - first).days
    out["hi"] = (cov_end - first).days
    return out


def window_sums(values: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """Sums of ``values`` rows ``lo..hi`` (inclusive) per window; NaN where ``lo`` is -1.
    ``values`` is days x series; the result is windows x series."""
    cums = np.vstack([np.zeros((1, values.shape[1])), np.cumsum(values, axis=0)])
    valid = lo >= 0
    sums = cums[np.where(valid, hi + 1, 0)] - cums[np.where(valid, lo, 0)]
    sums[~valid] = np.nan
    return sums


def _pct(current: np.ndarray, base: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(base > 0, (current / base - 1) * 100, np.nan)


def growth_table(clean: pd.DataFrame | Facts, freq: str = "M") -> pd.DataFrame:
    """Revenue per period with ``change_pct`` against the previous period (not for
    ``Y``) and ``yoy_pct`` against the same period a year earlier; ``basis`` is
    ``full`` for a whole period or ``same days`` for a partial one."""
    daily = daily_matrix(clean)
    windows = period_windows(daily.index[0], daily.index[-1], freq)
    values = daily.to_numpy()
    label = FREQS[freq][0]
    out = windows[[label, "start", "end", "days", "days_in_period", "complete"]].copy()
    out["revenue"] = window_sums(values, windows["lo"].to_numpy(), windows["hi"].to_numpy())[:, 0]
    for name, pct in (("previous", "change_pct"), ("year_ago", "yoy_pct")):
        if f"{name}_lo" not in windows:
            continue
        base = window_sums(values, windows[f"{name}_lo"].to_numpy(),
                           windows[f"{name}_hi"].to_numpy())[:, 0]
        out[f"{name}_{label}"] = windows[f"{name}_{label}"]
        out[f"{name}_revenue"] = base
        out[pct] = _pct(out["revenue"].to_numpy(), base)
    out["basis"] = np.where(out["complete"], "full", "same days")
    out["start"] = out["start"].dt.strftime("%Y-%m-%d")
    out["end"] = out["end"].dt.strftime("%Y-%m-%d")
    return out


def growth_by(clean: pd.DataFrame | Facts, column: str, freq: str = "M") -> pd.DataFrame:
    """Growth of the latest period per value of ``column``: revenue, previous-period and
    year-ago revenue on the same aligned days, their changes and ``change_pct`` /
    ``yoy_pct``; largest absolute change first."""
    daily = daily_matrix(clean, column)
    windows = period_windows(daily.index[0], daily.index[-1], freq).iloc[[-1]]
    values = daily.to_numpy()
    out = pd.DataFrame({column: daily.columns.astype(str)})
    out["revenue"] = window_sums(values, windows["lo"].to_numpy(), windows["hi"].to_numpy())[0]
    for name, pct in (("previous", "change_pct"), ("year_ago", "yoy_pct")):
        if f"{name}_lo" not in windows:
            continue
        base = window_sums(values, windows[f"{name}_lo"].to_numpy(),
                           windows[f"{name}_hi"].to_numpy())[0]
        out[f"{name}_revenue"] = base
        out[pct] = _pct(out["revenue"].to_numpy(), base)
    label = FREQS[freq][0]
    out.insert(1, label, windows[label].iloc[0])
    out["basis"] = "full" if bool(windows["complete"].iloc[0]) else "same days"
    change = out["revenue"] - out.get("previous_revenue", out.get("year_ago_revenue"))
    out["change"] = change
    order = np.lexsort((out[column].to_numpy(), -change.abs().fillna(-1).to_numpy()))
    return out.iloc[order].reset_index(drop=True)


def latest_comparable(table: pd.DataFrame, column: str) -> pd.Series | None:
    """The last row of a growth table whose ``column`` is a finite number, or None."""
    rows = table[[finite(v) for v in table[column]]]
    return None if rows.empty else rows.iloc[-1]
