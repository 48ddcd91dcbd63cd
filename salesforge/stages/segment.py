"""Stage ``segment``: describe each entity (product by default) and segment them."""

from __future__ import annotations

import logging
from typing import Any

from salesforge.config import choice
from salesforge.errors import ConfigError, StageSkipped
from salesforge.layout import RunLayout
from salesforge.results import SegmentResults
from salesforge.schema import RunContext
from salesforge.segment.features import entity_features
from salesforge.segment.profile import projection, segment_profile
from salesforge.stages.frames import clean_frame

__all__ = ["entity_features", "k_selection", "run_segment"]

SEGMENTS = RunLayout.SEGMENTS
PROFILE = RunLayout.SEGMENT_PROFILE
PROJECTION = RunLayout.SEGMENT_PROJECTION
log = logging.getLogger(__name__)


def run_segment(ctx: RunContext) -> None:
    settings_node = ctx.config.segment
    name, settings = choice(ctx.config, "segmenter")
    segmenter = ctx.create("segmenter", name, settings, key="segmenter")
    entity = settings_node.entity or segmenter.default_entity
    clean = clean_frame(ctx)
    if entity not in clean.columns:
        columns = ", ".join(map(str, clean.columns))
        if settings_node.entity:
            raise ConfigError(f"config key segment.entity names column {entity!r}, which the "
                              f"clean data does not have (columns: {columns}).")
        raise StageSkipped(f"segmenter {name} segments {entity}, which the clean data does "
                           f"not have; set segment.entity (columns: {columns})")
    features = entity_features(clean, entity, settings_node.freq,
                               skip_missing=True)
    if len(features) < 3:
        raise StageSkipped(f"the data has {len(features)} distinct {entity} value(s); "
                           "segmenting needs at least 3")
    segmenter.fit(features)
    names = segmenter.segment_names_
    table = features.reset_index().rename(columns={entity: "entity"})
    table.insert(1, "segment_id", segmenter.labels_)
    table.insert(2, "segment_name", [names[int(s)] for s in segmenter.labels_])
    table = table.sort_values(["segment_id", "revenue"], ascending=[True, False])
    table.to_csv(ctx.path(SEGMENTS), index=False)
    profile = segment_profile(table, list(features.columns))
    profile.to_csv(ctx.path(PROFILE), index=False)
    points = projection(features).reset_index(drop=True)
    points.insert(0, "entity", features.index.to_numpy())
    points.insert(1, "segment_name", [names[int(s)] for s in segmenter.labels_])
    points.to_csv(ctx.path(PROJECTION), index=False)
    for key, path in (("segments", SEGMENTS), ("segment_profile", PROFILE),
                      ("segment_projection", PROJECTION)):
        ctx.record_artifact(key, path)
    ctx.stage_results.segment = SegmentResults(table=table, model=segmenter, profile=profile,
                                               projection=points, entity_features=features)
    sizes = table["segment_name"].value_counts().sort_index()
    silhouette = getattr(segmenter, "silhouette_", None)
    ctx.manifest["segments"] = {
        "entity": entity, "segmenter": name, "n_segments": len(sizes),
        "silhouette": None if silhouette is None or silhouette != silhouette
        else round(float(silhouette), 4),
        "sizes": {str(k): int(v) for k, v in sizes.items()},
        "features": list(features.columns),
        "profile": [{"segment": row.segment_name, "entities": int(row.entities),
                     "revenue_share": round(float(getattr(row, "segment_revenue_share", 0)), 4)}
                    for row in profile.itertuples()],
    }
    selection = k_selection(segmenter)
    if selection is not None:
        ctx.manifest["segments"]["k_selection"] = selection
        if selection.get("note"):
            log.info("segment: %s", selection["note"])


def k_selection(segmenter: object) -> dict[str, Any] | None:
    """How a segmenter that searches k (``kmeans``) chose it: ``method`` (``silhouette``
    or ``fixed``), the chosen ``k``, the ``silhouettes`` of each k tried (``null`` where
    undefined, as for one segment), the ks ``passed_over`` for leaving a segment below
    ``min_segment_size`` and a ``note`` when fewer segments were made than asked for;
    ``None`` for segmenters that do not (no ``silhouettes_``)."""
    silhouettes = getattr(segmenter, "silhouettes_", None)
    if silhouettes is None:
        return None
    return {
        "method": "fixed" if getattr(segmenter, "n_clusters", None) is not None
        else "silhouette",
        "k": int(getattr(segmenter, "n_clusters_", 0)),
        "silhouettes": {str(k): None if v != v else round(float(v), 4)
                        for k, v in silhouettes.items()},
        "passed_over": [int(k) for k in getattr(segmenter, "passed_over_", [])],
        "note": getattr(segmenter, "k_note_", None),
    }
