"""Public holidays of a country (via the ``holidays`` package) and the Ramadan / Lebaran
season (Eid al-Fitr from Indonesia's calendar), as features of each transaction's day."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from salesforge.base.feature_builder import FeatureBuilder
from salesforge.errors import ConfigError

RAMADAN_DAYS = 30
LEBARAN_PERIOD_DAYS = 7  # Lebaran and the six days after it (mudik, shops closed)
_NAMES = ("is_holiday", "days_to_holiday", "days_since_holiday", "is_ramadan",
          "days_to_lebaran", "is_lebaran_period")


@dataclass
class HolidayFeaturesConfig:
    """Settings of the ``holidays`` feature builder (``features.holidays.*``)."""

    #: ISO country code whose public holidays are used (ID = Indonesia).
    country: str = "ID"
    #: State or province code, for countries whose holidays differ by region.
    subdivision: str | None = None
    #: Add the Ramadan / Lebaran columns.
    ramadan: bool = True
    #: Distances to and from holidays are capped at this many days.
    horizon: int = 30
    #: Prefix of the added column names.
    prefix: str = "hol_"


@dataclass(eq=False)
class HolidayFeatures(FeatureBuilder, HolidayFeaturesConfig):
    """Holiday flag, days to the next and since the last holiday (capped at ``horizon``),
    and, with ``ramadan``, the Ramadan flag (the 30 days before Lebaran), days to Lebaran
    and the Lebaran week flag."""

    def columns_added(self) -> list[str]:
        names = _NAMES if self.ramadan else _NAMES[:3]
        return [f"{self.prefix}{name}" for name in names]

    def _transform(self, frame: pd.DataFrame) -> pd.DataFrame:
        days = frame["date"].to_numpy("datetime64[ns]").astype("datetime64[D]").astype("int64")
        first, last = int(days.min()), int(days.max())
        years = range(_year(first) - 1, _year(last) + 2)
        holidays = _holiday_days(self.country, self.subdivision, years)
        calendar = np.arange(first, last + 1)
        horizon = int(self.horizon)
        values: dict[str, np.ndarray] = {
            "is_holiday": np.isin(calendar, holidays).astype("int8"),
            "days_to_holiday": _days_to_next(calendar, holidays, horizon),
            "days_since_holiday": _days_since_last(calendar, holidays, horizon),
        }
        if self.ramadan:
            lebaran = _lebaran_days(years)
            to_lebaran = _days_to_next(calendar, lebaran, 10_000)
            since_lebaran = _days_since_last(calendar, lebaran, 10_000)
            values["is_ramadan"] = ((to_lebaran >= 1) & (to_lebaran <= RAMADAN_DAYS)).astype(
                "int8")
            values["days_to_lebaran"] = np.minimum(to_lebaran, horizon * 2).astype("int16")
            values["is_lebaran_period"] = (since_lebaran < LEBARAN_PERIOD_DAYS).astype("int8")
        position = days - first
        return pd.DataFrame({f"{self.prefix}{k}": v[position] for k, v in values.items()},
                            index=frame.index)


def _year(day: int) -> int:
    return int(np.datetime64(day, "D").astype("datetime64[Y]").astype(int)) + 1970


def _holiday_days(country: str, subdivision: str | None, years: range) -> np.ndarray:
    import holidays

    try:
        calendar = holidays.country_holidays(country, subdiv=subdivision, years=years)
    except NotImplementedError:
        raise ConfigError(f"config key features.holidays.country={country!r} is not a country "
                          "the holidays package knows; use an ISO code such as ID, SG, "
                          "MY, US.") from None
    return np.sort(np.array([np.datetime64(d, "D").astype("int64") for d in calendar],
                            dtype="int64"))


def _lebaran_days(years: range) -> np.ndarray:
    """The first day of Eid al-Fitr in each year (Indonesia's calendar)."""
    import holidays

    calendar = holidays.country_holidays("ID", years=years, language="en_US")
    firsts: dict[int, dt.date] = {}
    for day, name in calendar.items():
        if "Eid al-Fitr" in name and (day.year not in firsts or day < firsts[day.year]):
            firsts[day.year] = day
    return np.sort(np.array([np.datetime64(d, "D").astype("int64") for d in firsts.values()],
                            dtype="int64"))


def _days_to_next(calendar: np.ndarray, events: np.ndarray, cap: int) -> np.ndarray:
    """Days from each calendar day to the next event on or after it, capped at ``cap``."""
    index = np.searchsorted(events, calendar, side="left")
    ahead = np.append(events, np.iinfo("int64").max // 2)[index] - calendar
    return np.minimum(ahead, cap).astype("int32")


def _days_since_last(calendar: np.ndarray, events: np.ndarray, cap: int) -> np.ndarray:
    """Days from the last event on or before each calendar day, capped at ``cap``."""
    index = np.searchsorted(events, calendar, side="right") - 1
    behind = calendar - np.insert(events, 0, np.iinfo("int64").min // 2)[index + 1]
    return np.minimum(behind, cap).astype("int32")
