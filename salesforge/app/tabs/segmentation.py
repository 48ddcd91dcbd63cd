"""Segmentation: entity scatter, segment profile, members of a chosen segment."""

from __future__ import annotations

import pandas as pd
import panel as pn

from salesforge.analytics.formatting import format_number
from salesforge.app.filters import DIMENSIONS, GlobalFilters
from salesforge.app.format import currency_of
from salesforge.app.runs import RunData
from salesforge.app.tables import heading, note, table
from salesforge.app.tabs import Tab
from salesforge.charts import segment_scatter
from salesforge.i18n import N_
from salesforge.layout import RunLayout
from salesforge.segment.naming import localised_name

ALL = N_("All segments")


class SegmentationTab(Tab):
    title = N_("Segmentation")

    def __init__(self, filters: GlobalFilters, language: str = "en") -> None:
        super().__init__(filters, language)
        self.segment = pn.widgets.Select(label=self._("Segment members"),
                                         options={self._(ALL): ALL}, width=320)
        self.segment.param.watch(lambda _e: self.refresh(), "value")

    def show(self, run: RunData | None) -> None:
        frame = run.table(RunLayout.SEGMENTS) if run is not None else None
        names = sorted(frame["segment_name"].astype(str).unique()) if frame is not None else []
        # shown in the page's language, the stored (English) name as the value
        options = {self._(ALL): ALL, **{localised_name(n, self.language): n for n in names}}
        self.segment.param.update(options=options, value=ALL)
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
        _ = self._
        if frame is None:
            return [note(self.why_empty(run, "segment", "This run has no segments."))]
        info = run.section("segments")
        currency = currency_of(run.manifest)
        entity = str(info.get("entity") or "")
        parts: list = [pn.pane.Markdown(_(
            "**{n} segments** of {entity} by {segmenter} (silhouette {silhouette})").format(
            n=info.get("n_segments", "?"), entity=_(entity), segmenter=info.get("segmenter"),
            silhouette=format_number(info.get("silhouette", float("nan")), 3,
                                     self.language)))]
        x = "transactions" if "transactions" in frame.columns else frame.columns[3]
        if len(frame):
            parts.append(self.chart(run, ("segments", x), lambda: segment_scatter(
                frame[frame["revenue"] > 0], x=x, title=_("Segments"),
                language=self.language)))
        profile = run.table(RunLayout.SEGMENT_PROFILE)
        if profile is not None:
            parts += [heading(_("Segment profile")),
                      table(profile, "segment_profile", currency=currency,
                            language=self.language)]
        parts += [self.segment, table(self.members(run), "segment_members", currency=currency,
                                        language=self.language)]
        return parts
