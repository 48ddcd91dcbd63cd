"""Column names in ``forecast.by`` and ``forecast.exog``: the clean data's names or the
source file's.

The cleaner renames the source columns it maps (``data.columns_mapped``: canonical ->
source column, e.g. ``region -> Store``), so ``forecast.by=[Store,Dept]`` means the
clean columns ``region`` and ``category``; unmapped source columns keep their names.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from salesforge.data.columns import normalise
from salesforge.errors import ConfigError


def resolve_name(name: str, columns: Sequence[str], mapped: Mapping[str, str]) -> str | None:
    """The clean column ``name`` means: itself when the data has it; else the canonical
    column a source column of that name was mapped to; else the only column (or mapped
    source column) with the same letters and digits, case and spacing aside; ``None``
    when there is none."""
    if name in columns:
        return name
    by_source = {str(src): str(canon) for canon, src in mapped.items()
                 if src is not None and str(canon) in columns}
    if name in by_source:
        return by_source[name]
    key = normalise(name)
    matches = {c for c in columns if normalise(c) == key}
    matches |= {canon for src, canon in by_source.items() if normalise(src) == key}
    return matches.pop() if len(matches) == 1 else None


def resolve_columns(names: Iterable[str], columns: Sequence[str], mapped: Mapping[str, str],
                    key: str, *, strict: bool = True) -> list[str]:
    """Every name of config key ``key`` as a clean column (see :func:`resolve_name`); an
    unknown name raises :class:`ConfigError` naming ``key`` (``strict``) or is kept as
    given (``strict=False``: it may come from elsewhere, e.g. a file of future values)."""
    given = [str(n) for n in names]
    resolved = []
    for name in given:
        found = resolve_name(name, list(columns), mapped)
        if found is None and strict:
            raise ConfigError(
                f"config key {key} names column {name!r}, which the clean data does not have "
                f"(columns: {', '.join(map(str, columns))}; source columns mapped: "
                f"{', '.join(f'{s} -> {c}' for c, s in mapped.items()) or 'none'}).")
        resolved.append(found if found is not None else name)
    if len(set(resolved)) != len(resolved):
        raise ConfigError(f"config key {key} names the same column twice: "
                          f"{', '.join(given)}.")
    return resolved
