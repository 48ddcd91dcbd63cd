"""Stage ``load``: read every source ``data.path`` names with the matching loader."""

from __future__ import annotations

import hashlib
from functools import partial
from pathlib import Path
from typing import Any

from omegaconf import OmegaConf

from salesforge.base.loader import Loader, is_url
from salesforge.config import plain
from salesforge.data.input_check import check_data_file
from salesforge.data.input_limits import GENEROUS, limits_from_config
from salesforge.data.out_of_core import decide, load_aggregated, parse_settings
from salesforge.data.parse_deadline import load_within
from salesforge.data.sample import sample_labels_path, sample_path
from salesforge.data.sources import Source, resolve_sources, source_names, stack
from salesforge.errors import ConfigError, DataError
from salesforge.manifest import file_hash
from salesforge.registry import Registry
from salesforge.schema import RunContext


def loader_class(registry: Registry, name: str) -> type[Loader]:
    """The class of the loader registered as ``name`` (a :class:`Loader`)."""
    cls: type[Loader] = registry.get("loader", name).cls
    return cls


def loader_for(ctx: RunContext, source: Source) -> str:
    """The loader named by ``data.format``, or the first whose extensions (or URL
    schemes) match the source."""
    registry = ctx.plugins.registry
    fmt = ctx.config.data.format
    if fmt != "auto":
        return fmt
    for name in registry.names("loader"):
        if loader_class(registry, name).handles(source):
            return name
    known = sorted({ext for name in registry.names("loader")
                    for ext in loader_class(registry, name).extensions})
    kind = str(source).split("://", 1)[0] + "://" if is_url(source) \
        else "".join(Path(source).suffixes) or "no suffix"
    raise DataError(
        f"data file {source} has a type no loader reads ({kind}); "
        f"use one of {', '.join(known)} or set data.format=<loader>."
    )


def _options(ctx: RunContext, names: list[str]) -> dict[str, dict[str, Any]]:
    """``data.options`` split per loader: each gets the non-null settings it knows."""
    given = {k: v for k, v in plain(ctx.config.data.get("options")).items() if v is not None}
    registry = ctx.plugins.registry
    known = {name: set(registry.get("loader", name).settings()) for name in set(names)}
    for key in given:
        if not any(key in settings for settings in known.values()):
            raise ConfigError(f"config key data.options.{key} is not a setting of the "
                              f"{', '.join(sorted(known))} loader (settings: "
                              f"{', '.join(sorted(set().union(*known.values()))) or 'none'}).")
    return {name: {k: v for k, v in given.items() if k in known[name]} for name in known}


def _hash(sources: list[Source], ctx: RunContext) -> str:
    if len(sources) == 1 and not is_url(sources[0]):
        return file_hash(sources[0])
    digest = hashlib.sha256()
    for source in sources:
        if is_url(source):
            options = ctx.config.data.get("options") or {}
            digest.update(f"{source}|{options.get('query')}|{options.get('table')}".encode())
        else:
            digest.update(file_hash(source).encode())
    return digest.hexdigest()


def run_load(ctx: RunContext) -> None:
    configured = ctx.config.data.get("path")
    if configured is None or configured == "":
        setting: Any = str(sample_path())
    elif OmegaConf.is_list(configured):
        setting = [str(item) for item in configured]
    else:
        setting = str(configured)
    registry = ctx.plugins.registry

    def readable(path: Path) -> bool:
        return any(loader_class(registry, n).handles(path) for n in registry.names("loader"))

    sources = resolve_sources(setting, readable)
    for source in sources:
        if not is_url(source) and not Path(source).exists():
            raise DataError(f"data file {source} does not exist; set data.path to an existing "
                            "file.")
    limits = limits_from_config(ctx.config.data.get("limits"), "data.limits", GENEROUS)
    names = [loader_for(ctx, source) for source in sources]
    options = _options(ctx, names)
    out_of_core = parse_settings(plain(ctx.config.data.get("out_of_core")))
    aggregated, why = decide(out_of_core, sources)
    loaders = [] if aggregated else [ctx.create("loader", name, options[name],
                                                key="data.options") for name in names]
    for at, source in enumerate(sources):  # the checks uploads get, with data.limits
        if is_url(source) or not Path(source).is_file():
            continue
        if loaders and loaders[at].checks_while_reading(source):
            loaders[at].input_limits = limits  # checked as it is read: decompressed once
        else:
            check_data_file(Path(source), str(source), limits)
    if aggregated:  # larger than memory: DuckDB aggregates to daily rows first
        load_aggregated(ctx, sources, out_of_core, why, str(setting))
    else:
        frames = [load_within(partial(loader.load, source), str(source), limits)
                  for source, loader in zip(sources, loaders, strict=True)]
        labels = source_names(sources)
        ctx.raw = stack(frames, labels)
        shown = [str(s) for s in sources]
        ctx.manifest["data"].update(
            source=shown[0] if len(shown) == 1 else str(setting), sources=shown,
            rows_per_source=dict(zip(labels, (len(f) for f in frames), strict=True)),
            format=names[0] if len(set(names)) == 1 else sorted(set(names)),
            rows_in=len(ctx.raw), columns_in=[str(c) for c in ctx.raw.columns],
            out_of_core={"used": False, "reason": why})
    ctx.manifest["data_hash"] = _hash(sources, ctx)
    labels_path = ctx.config.data.get("labels")
    if labels_path:
        ctx.stage_results.labels_path = Path(str(labels_path)).expanduser()
    elif not configured:
        ctx.stage_results.labels_path = sample_labels_path()
