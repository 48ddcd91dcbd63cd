"""Limits on what one input file may expand to: decompressed bytes, compression ratio,
columns, cells, archive entries and parse time.

The same :class:`InputLimits` bounds every entry point; only the values differ: generous
for ``salesforge run`` (``data.limits``), strict for clients (``api.limits``,
``app.limits``). :func:`limits_from_config` reads one of those nodes."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from typing import Any

from omegaconf import OmegaConf

from salesforge.errors import ConfigError, DataError

#: Decompressed sizes up to this are never refused for their ratio alone (a 2 KB file
#: holding 1 MB of repeated header lines is harmless).
RATIO_FLOOR_BYTES = 8 * 1024 * 1024
_WHOLE = ("max_columns", "max_cells", "max_entries")


@dataclass(frozen=True)
class InputLimits:
    """What one input file may hold; ``None`` switches a limit off.

    ``max_decompressed_mb`` bounds the bytes a compressed file (gzip, bz2, xz, zip,
    xlsx, Parquet) expands to, ``max_ratio`` those bytes over the file's size;
    ``max_columns`` and ``max_cells`` (rows x columns) bound the table; ``max_entries``
    the members of a zip archive (xlsx); ``max_parse_seconds`` the time to check and to
    load it. ``config_key`` is the config node the values come from, named in messages.
    """

    max_decompressed_mb: float | None = None
    max_ratio: float | None = None
    max_columns: int | None = None
    max_cells: int | None = None
    max_entries: int | None = None
    max_parse_seconds: float | None = None
    config_key: str = "data.limits"

    @property
    def max_decompressed_bytes(self) -> int | None:
        mb = self.max_decompressed_mb
        return None if mb is None else int(mb * 1024 * 1024)

    def refuse(self, name: str, key: str, what: str) -> DataError:
        """The one-sentence error for file ``name`` over limit ``key``: ``what`` it does."""
        value = getattr(self, key)
        shown = f"{value:,}" if isinstance(value, int) else f"{value:g}"
        return DataError(f"file {name} {what}, over the limit set by config key "
                         f"{self.config_key}.{key} ({shown}); split it into smaller files "
                         "or raise that limit.")


#: ``salesforge run`` (``data.limits``): only what no real sales file reaches.
GENEROUS = InputLimits(max_decompressed_mb=20000, max_ratio=200, max_columns=10000,
                       max_entries=100000)
#: Clients of the REST API (``api.limits``) and of the results app (``app.limits``).
STRICT = InputLimits(max_decompressed_mb=512, max_ratio=100, max_columns=1000,
                     max_cells=50_000_000, max_entries=10000, max_parse_seconds=120,
                     config_key="api.limits")


def limits_from_config(node: Any, config_key: str, defaults: InputLimits) -> InputLimits:
    """The limits in config node ``node`` (a mapping or ``None``) at ``config_key``, keys
    left out keeping ``defaults``; :class:`ConfigError` naming the key for an unknown key or
    a value that is not a positive number or null."""
    if OmegaConf.is_config(node):
        node = OmegaConf.to_container(node, resolve=True)
    if node is None:
        node = {}
    if not isinstance(node, Mapping):
        raise ConfigError(f"config key {config_key} must be a mapping of limits such as "
                          "max_columns: 1000.")
    known = [f.name for f in fields(InputLimits) if f.name != "config_key"]
    values: dict[str, Any] = {}
    for key, value in node.items():
        if key not in known:
            raise ConfigError(f"config key {config_key}.{key} is not a limit (limits: "
                              f"{', '.join(known)}).")
        values[key] = _positive(value, f"{config_key}.{key}", key in _WHOLE)
    return replace(defaults, **values, config_key=config_key)


def _positive(value: Any, key: str, whole: bool) -> float | int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0 \
            or (whole and value != int(value)):
        kind = "a positive whole number" if whole else "a positive number"
        raise ConfigError(f"config key {key} must be {kind} or null, not {value!r}.")
    return int(value) if whole else float(value)


def check_expansion(limits: InputLimits, name: str, expanded: int, stored: int) -> None:
    """Refuse file ``name`` when ``expanded`` bytes (decompressed so far, or declared) pass
    ``max_decompressed_mb``, or pass ``max_ratio`` times the ``stored`` (compressed) bytes
    and :data:`RATIO_FLOOR_BYTES`."""
    cap = limits.max_decompressed_bytes
    if cap is not None and expanded > cap:
        raise limits.refuse(name, "max_decompressed_mb",
                            f"expands to more than {limits.max_decompressed_mb:g} MB")
    ratio = limits.max_ratio
    if ratio is not None and expanded > RATIO_FLOOR_BYTES and expanded > ratio * stored:
        raise limits.refuse(name, "max_ratio", f"expands to more than {ratio:g} times its "
                            f"{stored / 1024 / 1024:.2g} MB when decompressed")
