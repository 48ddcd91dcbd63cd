"""One view object per tab; each has ``title``, ``layout`` and ``show(run)``."""

from __future__ import annotations

import panel as pn

from salesforge.app.filters import GlobalFilters
from salesforge.app.runs import RunData


class Tab:
    """A tab's content: ``show(run)`` switches run, filter changes redraw it."""

    title = "Tab"

    def __init__(self, filters: GlobalFilters) -> None:
        self.filters = filters
        self.run: RunData | None = None
        self.layout = pn.Column(sizing_mode="stretch_width", name=self.title)
        filters.param.watch(lambda _e: self.refresh(), "version")

    def show(self, run: RunData | None) -> None:
        self.run = run
        self.refresh()

    def refresh(self) -> None:
        if self.run is None:
            self.layout.objects = [pn.pane.Markdown("No run selected: upload data or load "
                                                    "the sample in the sidebar.")]
            return
        self.layout.objects = self.render(self.run)

    def render(self, run: RunData) -> list:
        raise NotImplementedError
