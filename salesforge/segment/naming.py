"""Names for value segments: Star / Premium / Volume / Low, unique and ranked."""

from __future__ import annotations

import pandas as pd

#: (high revenue, high frequency) -> segment name.
NAMES = {
    (True, True): "Star Products",
    (True, False): "Premium Products",
    (False, True): "Volume Products",
    (False, False): "Low Performers",
}
#: Order names appear in (best first) when segments are listed.
NAME_ORDER = ("Star Products", "Premium Products", "Volume Products", "Low Performers")


def quadrant_names(revenue: pd.Series, frequency: pd.Series, labels) -> dict[int, str]:
    """Name each segment from its centre's mean revenue and frequency against the medians
    of all entities. Segments sharing a name are ranked by revenue: "<name> — top",
    "<name> — 2", ... so names never repeat and their order means something."""
    centres = pd.DataFrame({"revenue": revenue.to_numpy(), "frequency": frequency.to_numpy()}
                           ).groupby(list(labels)).mean()
    base = {int(segment): NAMES[(bool(row.revenue >= revenue.median()),
                                 bool(row.frequency >= frequency.median()))]
            for segment, row in centres.iterrows()}
    return rank_duplicates(base, centres["revenue"])


def rank_duplicates(base: dict[int, str], order_by: pd.Series) -> dict[int, str]:
    """Make names unique: segments sharing a name get " — top", " — 2", ... by descending
    ``order_by`` (indexed by segment id)."""
    names: dict[int, str] = {}
    for name in dict.fromkeys(base.values()):
        members = [s for s, n in base.items() if n == name]
        ranked = order_by.loc[members].sort_values(ascending=False, kind="stable").index
        for rank, segment in enumerate(ranked, start=1):
            suffix = "" if len(ranked) == 1 else f" — {'top' if rank == 1 else rank}"
            names[int(segment)] = f"{name}{suffix}"
    return names
