"""Season length from a pandas frequency string."""

from __future__ import annotations

import pandas as pd

#: Offset rule code (upper case, anchor such as "-FRI" removed) -> periods per season.
SEASONS: dict[str, int] = {
    "S": 60, "MIN": 60, "T": 60, "H": 24, "B": 5, "C": 5, "D": 7, "W": 52,
    "SM": 24, "SMS": 24, "SME": 24,
    "M": 12, "MS": 12, "ME": 12, "BM": 12, "BMS": 12, "BME": 12, "CBMS": 12, "CBME": 12,
    "Q": 4, "QS": 4, "QE": 4, "BQ": 4, "BQS": 4, "BQE": 4,
    "A": 1, "AS": 1, "Y": 1, "YS": 1, "YE": 1, "BY": 1, "BYS": 1, "BYE": 1,
}


def season_length(freq: str) -> int:
    """Periods in one season: D -> 7 (a week), W -> 52, MS/M -> 12, Q -> 4, h -> 24.

    Raises ``ValueError`` for a string pandas does not read as a frequency; unknown
    offsets have no season (1).
    """
    offset = pd.tseries.frequencies.to_offset(freq)
    code = offset.rule_code.split("-")[0].upper()
    return SEASONS.get(code, 1)
