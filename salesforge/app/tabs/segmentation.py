"""Segmentation: entity scatter, segment profile, members of a chosen segment."""

from __future__ import annotations

import pandas as pd
import panel as pn

from salesforge.app.filters import DIMENSIONS, GlobalFilters
from salesforge.app.format import currency_of
from salesforge.app.runs import RunData
from salesforge.app.tables import chart, note, table
from salesforge.app.tabs import Tab
from salesforge.charts import segment_scatter
from salesforge.layout import RunLayout

ALL = "All segments"


class SegmentationTab(Tab):
    title = "Segmentation"

    def __init__(self, filters: GlobalFilters) -> None:
        super().__init__(filters)
        self.segment = pn.widgets.Select(label="Segment members", options=[ALL], width=320)
        self.segment.param.watch(lambda _e: self.refresh(), "value")

    def show(self, run: RunData | None) -> None:
        frame = run.table(RunLayout.SEGMENTS) if run is not None else None
        names = sorted(frame["segment_name"].astype(str).unique()) if frame is not None else []
        self.segment.param.update(options=[ALL, *names], value=ALL)
        super().show(run)

    def entities(self, run: RunData) -> pd.DataFrame | None:
        """segments.csv with the global filter on its entity column (product, region, ...)."""
        frame = run.table(RunLayout.SEGMENTS)
        entity = str(run.section("segments").get("entity") or "")
        if frame is None or entity not in DIMENSIONS:
            return frame
        return self.filters.apply(frame.rename(columns={"entity": entity})).rename(
            columns={entity: "entity"})

    def members(self, run: RunData) -> pd.DataFrame | None:
        frame = self.entities(run)
        if frame is None or self.segment.value == ALL:
            return frame
        return frame[frame["segment_name"].astype(str) == self.segment.value]

    def render(self, run: RunData) -> list:
        frame = self.entities(run)
        if frame is None:
            return [note(run.manifest.get("notes", {}).get("segment")
                         or "This run has no segments.")]
        info = run.section("segments")
        parts: list = [pn.pane.Markdown(
            f"**{info.get('n_segments', '?')} segments** of {info.get('entity')} by "
            f"{info.get('segmenter')} (silhouette {info.get('silhouette', float('nan')):.3f})")]
        x = "transactions" if "transactions" in frame.columns else frame.columns[3]
        if len(frame):
            parts.append(chart(segment_scatter(frame[frame["revenue"] > 0], x=x,
                                               title="Segments"), height=360))
        profile = run.table(RunLayout.SEGMENT_PROFILE)
        if profile is not None:
            parts += [pn.pane.Markdown("### Segment profile"), table(profile, "segment_profile",
                                                                  currency=currency_of(run.manifest))]
        parts += [self.segment, table(self.members(run), "segment_members",
                                        currency=currency_of(run.manifest))]
        return parts
