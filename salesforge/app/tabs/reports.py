"""Reports: download the run's PDF, Excel, HTML and CSV reports; generate missing ones."""

from __future__ import annotations

from collections.abc import Callable

import panel as pn

from salesforge.app.filters import GlobalFilters
from salesforge.app.runs import RunData
from salesforge.app.tables import heading, note
from salesforge.app.tabs import Tab
from salesforge.i18n import N_
from salesforge.layout import RunLayout

#: reporter name -> (label, file in the run directory)
FORMATS = {name: (label, RunLayout.REPORT_FILES[name]) for name, label in
           (("pdf", "PDF"), ("excel", "Excel"), ("html", "HTML"), ("csv", N_("CSV (zip)")))}


class ReportsTab(Tab):
    title = N_("Reports")

    def __init__(self, filters: GlobalFilters,
                 on_generate: Callable[[RunData, list[str]], object] | None = None,
                 language: str = "en") -> None:
        super().__init__(filters, language)
        self.on_generate = on_generate
        self.formats = pn.widgets.CheckButtonGroup(label=self._("Formats"),
                                                   options=list(FORMATS),
                                                   value=list(FORMATS), color="primary",
                                                   variant="outline")
        self.generate = pn.widgets.Button(label=self._("Generate reports (new run)"),
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
                                        label=self._("Download {file}").format(
                                            file=self._(label)), color="success",
                                        width=220)
                for label, relative in FORMATS.values()
                if (path := run.artifact(relative)) is not None]

    def render(self, run: RunData) -> list:
        buttons = self.downloads(run)
        _ = self._
        parts: list = [heading(_("Reports of this run"))]
        parts.append(pn.FlexBox(*buttons) if buttons
                     else note(_("This run wrote no reports.")))
        parts += [pn.pane.Markdown("### " + _("Generate") + "\n" + _(
                      "Re-runs this run's data and config with the chosen reporters; the new "
                      "run opens when done.")),
                  self.formats, self.generate]
        return parts
