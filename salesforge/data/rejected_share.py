"""How much of the input the cleaner rejected, and the warning when that is too much.

The ``clean`` stage records ``manifest.data.rejected_share`` for every run and, when it
is above ``data.max_rejected_share``, a ``rows_rejected`` warning
(:mod:`salesforge.run_warnings`) naming the count, the share and the top reason.
"""

from __future__ import annotations

from collections.abc import Mapping
from numbers import Integral
from typing import Any

from salesforge.errors import ConfigError

#: ``data.max_rejected_share`` when a config does not set it.
DEFAULT_MAX_REJECTED_SHARE = 0.05


def max_rejected_share(data_config: Mapping[str, Any]) -> float | None:
    """``data.max_rejected_share`` checked: a share from 0 to 1, or ``None`` (never warn)."""
    value = data_config.get("max_rejected_share", DEFAULT_MAX_REJECTED_SHARE)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
        raise ConfigError(f"config key data.max_rejected_share must be a share from 0 to 1 "
                          f"(e.g. 0.05) or null, not {value!r}.")
    return float(value)


def rows_read(data: Mapping[str, Any]) -> int:
    """``rows_in`` of ``manifest.data`` (clean + rejected + duplicate when it is absent)."""
    if isinstance(data.get("rows_in"), Integral):
        return int(data["rows_in"])
    return sum(int(data.get(k) or 0) for k in ("rows_clean", "rows_rejected", "rows_duplicate"))


def rejected_share(data: Mapping[str, Any]) -> float:
    """Rejected rows as a share of the rows read (0 when nothing was read)."""
    total = rows_read(data)
    return round(int(data.get("rows_rejected") or 0) / total, 6) if total else 0.0


def rejected_warning(data: Mapping[str, Any], limit: float | None,
                     rejected_file: str) -> str | None:
    """The warning sentence when the rejected share of ``manifest.data`` is above
    ``limit``, else ``None``; e.g. ``11,284 of 33,850 rows (33.3%) were rejected, most
    because revenue is not a number (column revenue) in 11,284 rows; see
    data/rejected.csv.`` (``rejected_file``: where the rejected rows are)."""
    share = rejected_share(data)
    if limit is None or share <= limit:
        return None
    rejected = int(data.get("rows_rejected") or 0)
    reasons = {str(k): int(v) for k, v in (data.get("rejected_reasons") or {}).items()}
    top = f", most because {max(reasons, key=reasons.__getitem__)} in " \
          f"{max(reasons.values()):,} rows" if reasons else ""
    return (f"{rejected:,} of {rows_read(data):,} rows ({share:.1%}) were rejected{top}; "
            f"see {rejected_file}.")
