"""Stage ``segment``: describe each entity (product by default) and segment them."""

from __future__ import annotations

import pandas as pd

from salesforge.config import choice
from salesforge.errors import ConfigError, StageSkipped
from salesforge.schema import RunContext

SEGMENTS = "segments/segments.csv"


def entity_features(clean: pd.DataFrame, entity: str) -> pd.DataFrame:
    """One row per entity: revenue, transactions, units, average price, revenue share."""
    grouped = clean.groupby(entity, observed=True)
    table = grouped.agg(revenue=("revenue", "sum"), transactions=("revenue", "size"),
                        units=("quantity", "sum"))
    table["avg_price"] = table["revenue"] / table["units"].where(table["units"] != 0, 1.0)
    table["revenue_share"] = table["revenue"] / table["revenue"].sum()
    table.index = table.index.astype("string")
    return table


def run_segment(ctx: RunContext) -> None:
    entity = str(ctx.config.segment.entity)
    if entity not in ctx.clean.columns:
        columns = ", ".join(map(str, ctx.clean.columns))
        raise ConfigError(f"config key segment.entity names column {entity!r}, which the clean "
                          f"data does not have (columns: {columns}).")
    features = entity_features(ctx.clean, entity)
    name, settings = choice(ctx.config, "segmenter")
    segmenter = ctx.create("segmenter", name, settings, key="segmenter")
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
    ctx.record_artifact("segments", SEGMENTS)
    ctx.results["segment"] = {"table": table, "model": segmenter}
    ctx.manifest["segments"] = {
        "entity": entity, "segmenter": name, "n_segments": len(names),
        "silhouette": getattr(segmenter, "silhouette_", None),
        "sizes": table["segment_name"].value_counts().sort_index().to_dict(),
    }
