"""Stage ``load``: read the configured data source with the matching loader."""

from __future__ import annotations

from pathlib import Path

from omegaconf import OmegaConf

from salesforge.data.sample import sample_labels_path, sample_path
from salesforge.errors import DataError
from salesforge.manifest import file_hash
from salesforge.schema import RunContext


def data_path(ctx: RunContext) -> Path:
    """``data.path``, or the bundled sample when it is null."""
    configured = ctx.config.data.get("path")
    return Path(str(configured)).expanduser() if configured else sample_path()


def loader_for(ctx: RunContext, path: Path) -> str:
    """The loader named by ``data.format``, or the first whose extensions match the file."""
    registry = ctx.plugins.registry
    fmt = str(ctx.config.data.get("format") or "auto")
    if fmt != "auto":
        return fmt
    for name in registry.names("loader"):
        if registry.get("loader", name).cls.handles(path):
            return name
    known = sorted({ext for name in registry.names("loader")
                    for ext in registry.get("loader", name).cls.extensions})
    raise DataError(
        f"data file {path} has a type no loader reads ({''.join(path.suffixes) or 'no suffix'}); "
        f"use one of {', '.join(known)} or set data.format=<loader>."
    )


def run_load(ctx: RunContext) -> None:
    path = data_path(ctx)
    if not path.exists():
        raise DataError(f"data file {path} does not exist; set data.path to an existing file.")
    name = loader_for(ctx, path)
    options = ctx.config.data.get("options")
    settings = {k: v for k, v in (OmegaConf.to_container(options, resolve=True) or {}).items()
                if v is not None} if options is not None else {}
    loader = ctx.create("loader", name, settings, key="data.options")
    ctx.raw = loader.load(path)
    ctx.manifest["data"].update(source=str(path), format=name, rows_in=len(ctx.raw),
                                columns_in=[str(c) for c in ctx.raw.columns])
    ctx.manifest["data_hash"] = file_hash(path)
    labels = ctx.config.data.get("labels")
    if labels:
        ctx.results["labels_path"] = Path(str(labels)).expanduser()
    elif not ctx.config.data.get("path"):
        ctx.results["labels_path"] = sample_labels_path()
