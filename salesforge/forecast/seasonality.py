"""Season length from a pandas frequency string."""

from __future__ import annotations

import pandas as pd

_SEASON_BY_PREFIX = (
    ("min", 60), ("h", 24), ("b", 5), ("d", 7), ("w", 52), ("ms", 12), ("me", 12),
    ("m", 12), ("sm", 24), ("qs", 4), ("qe", 4), ("q", 4), ("bq", 4), ("ys", 1), ("ye", 1),
    ("y", 1), ("a", 1),
)


def season_length(freq: str) -> int:
    """Periods in one season: D -> 7 (a week), W -> 52, MS/M -> 12, Q -> 4, h -> 24.

    Raises ``ValueError`` for a string pandas does not read as a frequency.
    """
    offset = pd.tseries.frequencies.to_offset(freq)
    code = offset.rule_code.split("-")[0].lower()
    for prefix, season in sorted(_SEASON_BY_PREFIX, key=lambda p: -len(p[0])):
        if code == prefix:
            return season
    return 1
