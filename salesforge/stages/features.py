"""Stage ``features``: every selected feature builder adds its columns."""

from __future__ import annotations

from salesforge.config import choices
from salesforge.schema import RunContext


def run_features(ctx: RunContext) -> None:
    frame = ctx.clean
    added: dict[str, list[str]] = {}
    for name, settings in choices(ctx.config, "features"):
        builder = ctx.create("feature_builder", name, settings, key=f"features.{name}")
        before = set(frame.columns)
        frame = builder.fit_transform(frame)
        added[name] = [c for c in frame.columns if c not in before]
    ctx.features = frame
    ctx.manifest["features"] = added
