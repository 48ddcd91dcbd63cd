"""Reports: download the run's PDF, Excel, HTML and CSV reports; generate missing ones."""

from __future__ import annotations

from collections.abc import Callable

import panel as pn

from salesforge.app.filters import GlobalFilters
from salesforge.app.runs import RunData
from salesforge.app.tables import note
from salesforge.app.tabs import Tab
from salesforge.layout import RunLayout

#: reporter name -> (label, file in the run directory)
FORMATS = {name: (label, RunLayout.REPORT_FILES[name]) for name, label in
           (("pdf", "PDF"), ("excel", "Excel"), ("html", "HTML"), ("csv", "CSV (zip)"))}


class ReportsTab(Tab):
    title = "Reports"

    def __init__(self, filters: GlobalFilters,
                 on_generate: Callable[[RunData, list[str]], object] | None = None) -> None:
        super().__init__(filters)
        self.on_generate = on_generate
        self.formats = pn.widgets.CheckButtonGroup(label="Formats", options=list(FORMATS),
                                                   value=list(FORMATS), color="primary",
                                                   variant="outline")
        self.generate = pn.widgets.Button(label="Generate reports (new run)",
                                          color="primary", width=240)
        self.generate.on_click(self._generate)

    def generate_overrides(self) -> list[str]:
        return [f"reporter=[{','.join(self.formats.value)}]"]

    def _generate(self, _event=None) -> None:
        if self.run is not None and self.on_generate and self.formats.value:
            self.on_generate(self.run, self.generate_overrides())

    def downloads(self, run: RunData) -> list[pn.widgets.FileDownload]:
        """A download button per report file the run has."""
        return [pn.widgets.FileDownload(file=str(path), filename=path.name,
                                        label=f"Download {label}", color="success",
                                        width=220)
                for label, relative in FORMATS.values()
                if (path := run.artifact(relative)) is not None]

    def render(self, run: RunData) -> list:
        buttons = self.downloads(run)
        parts: list = [pn.pane.Markdown("### Reports of this run")]
        parts.append(pn.FlexBox(*buttons) if buttons else note("This run wrote no reports."))
        parts += [pn.pane.Markdown("### Generate\nRe-runs this run's data and config with "
                                   "the chosen reporters; the new run opens when done."),
                  self.formats, self.generate]
        return parts
