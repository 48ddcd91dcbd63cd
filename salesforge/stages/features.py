"""Stage ``features``: every selected feature builder adds its columns.

A builder whose input columns the data does not really have (absent, or made up by the
cleaner, such as ``quantity`` = 1 per row in an aggregated file) is skipped with a note.
"""

from __future__ import annotations

from salesforge.config import choices
from salesforge.errors import StageSkipped
from salesforge.schema import RunContext
from salesforge.stages.frames import clean_frame

#: Notes of derived columns that carry no information from the data.
_MADE_UP = ("1 per row", "none", "Unknown")


def made_up_columns(derived: dict[str, str]) -> set[str]:
    """Canonical columns the cleaner invented rather than read or computed from data."""
    made_up = {c for c, note in derived.items() if note.startswith(_MADE_UP)}
    if "quantity" in made_up and "price" in derived:
        made_up.add("price")  # revenue / a made-up quantity
    return made_up


def run_features(ctx: RunContext) -> None:
    frame = clean_frame(ctx)
    derived = ctx.stage_results.clean.derived if ctx.stage_results.clean else {}
    made_up = made_up_columns(derived)
    added: dict[str, list[str]] = {}
    skipped: dict[str, str] = {}
    for name, settings in choices(ctx.config, "features"):
        builder = ctx.create("feature_builder", name, settings, key=f"features.{name}")
        needed = builder.required_columns()
        lacking = [c for c in needed if c not in frame.columns or c in made_up]
        if lacking:
            skipped[name] = f"needs column(s) {', '.join(lacking)}, which the data lacks"
            continue
        frame = builder.fit_transform(frame)
        added[name] = builder.columns_added()
    ctx.features = frame
    ctx.manifest["features"] = added
    if skipped:
        note = "; ".join(f"{name} skipped: {why}" for name, why in skipped.items())
        ctx.manifest.setdefault("notes", {})["features"] = note
        if not added:
            raise StageSkipped(note)
