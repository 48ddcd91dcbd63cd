"""One view object per tab; each has ``title``, ``layout`` and ``show(run)``.

A tab speaks its session's ``language``: ``self._`` looks its words up in the catalog
(:mod:`salesforge.i18n`), tables and charts take the language too."""

from __future__ import annotations

from collections.abc import Callable, Hashable

import altair as alt
import panel as pn

from salesforge.app.filters import GlobalFilters
from salesforge.app.runs import RunData
from salesforge.app.tables import CHARTS, chart_theme
from salesforge.app.tables import chart as chart_pane
from salesforge.i18n import N_, gettext

NO_RUN = N_("No run selected: upload data or load the sample in the sidebar.")


class Tab:
    """A tab's content: ``show(run)`` switches run, filter changes redraw it.

    The tab on screen draws at once; a hidden tab draws when the app asks it to
    (:meth:`draw`, once the page has loaded) or when it is shown (:meth:`activate`).
    After a filter change a hidden tab only notes that it is out of date."""

    title = "Tab"

    def __init__(self, filters: GlobalFilters, language: str = "en") -> None:
        self.filters = filters
        self.language = language
        self._ = gettext(language)
        self.run: RunData | None = None
        self.active = False
        self.stale = True
        self.layout = pn.Column(sizing_mode="stretch_width", name=self._(self.title))
        filters.param.watch(lambda _e: self.refresh(), "version")

    def show(self, run: RunData | None) -> None:
        self.run = run
        self.refresh()

    def activate(self, active: bool = True) -> None:
        """Put the tab on screen (drawing it when out of date) or take it off."""
        self.active = active
        if active and self.stale:
            self.draw()

    def refresh(self) -> None:
        """Redraw now when the tab is on screen, otherwise when it is next shown."""
        self.stale = True
        if self.active:
            self.draw()

    def draw(self) -> None:
        self.stale = False
        if self.run is None:
            self.layout.objects = [pn.pane.Markdown(self._(NO_RUN))]
            return
        self.layout.objects = self.render(self.run)

    def render(self, run: RunData) -> list:
        raise NotImplementedError

    def why_empty(self, run: RunData, stage: str, fallback: str) -> str:
        """Why a section is empty: the run's note for ``stage`` (English sentences the run
        wrote) in an English page, ``fallback`` from the catalog otherwise."""
        note = (run.manifest.get("notes") or {}).get(stage)
        return str(note) if note and self.language == "en" else self._(fallback)

    def chart(self, run: RunData, view: Hashable, build: Callable[[], alt.TopLevelMixin]
              ) -> pn.pane.HTML:
        """The chart ``build`` makes for ``run``, drawn once per run, tab, ``view`` (what
        else it shows: a model, a slider's value), filter state, language and theme, then
        taken from the server's :data:`~salesforge.app.tables.CHARTS`."""
        key = (str(run.path), run.run_id, str(run.manifest.get("finished_at") or ""),
               self.title, view, self.filters.signature(), self.language, chart_theme())
        return chart_pane(CHARTS.drawn(key, build))
