"""Page styling: the page's template, KPI cards and spacing that work in the light and the
dark theme."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

import panel as pn
import param

from salesforge.i18n import N_

if TYPE_CHECKING:
    from panel.io.resources import ResourcesType

#: The page's themes: name shown in the Theme picker (translated) -> Panel's theme.
THEMES = {N_("Light"): "default", N_("Dark"): "dark"}
#: The header's colour.
ACCENT = "#0f6cbd"
#: The page's fonts: the system's own (no web font to fetch).
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif"

CSS = "html:root { --bokeh-base-font: " + FONT + "; }" + """
.sf-kpis { display: flex; flex-wrap: wrap; gap: 12px; margin: 6px 0; }
.sf-kpi { min-width: 190px; padding: 14px 18px; border-radius: 10px; line-height: 1.428571;
  border: 1px solid rgba(128,128,128,.25);
  background: var(--panel-surface-color, rgba(127,127,127,.06));
  box-shadow: 0 1px 3px rgba(0,0,0,.08); }
.sf-kpi-title { font-size: 13px; opacity: .7; text-transform: uppercase; letter-spacing: .04em; }
.sf-kpi-value { font-size: 24px; font-weight: 600; margin-top: 4px; white-space: nowrap; }
.sf-stages { font-size: 13px; }
.sf-table-wrap { overflow-x: auto; }
.sf-table { border-collapse: collapse; width: 100%; font-size: 14px; }
.sf-table th { font-weight: 600; padding: 6px 10px; white-space: nowrap;
  border-bottom: 2px solid rgba(128,128,128,.45); background: rgba(127,127,127,.08); }
.sf-table td { padding: 5px 10px; border-bottom: 1px solid rgba(128,128,128,.2);
  white-space: nowrap; }
.sf-table .num { text-align: right; font-variant-numeric: tabular-nums; }
.sf-table .text { text-align: left; }
/* the page's own first cards (page.html), where the app's will be: below the header
   (62px), the main area's padding and the tab bar; beside the sidebar. The cards'
   line-height above is BokehJS's, so that both sets are the same size. */
.sf-first-view { position: absolute; top: 0; left: var(--sidebar-width); right: 0;
  padding: 107px 20px 0 20px; pointer-events: none; }
"""

#: The tab bar's own stylesheet (inside its shadow root): the picked tab's name in the
#: page's text colour (BokehJS writes it dark grey, unreadable on the dark theme).
TABS_CSS = ".bk-tab.bk-active { color: var(--panel-on-background-color, inherit); }"


class PageTemplate(pn.template.VanillaTemplate):
    """Panel's Vanilla template, painted before its scripts run (``page.html``): the
    ``first_view`` variable (HTML: the run's KPI cards) shows where the app's own cards
    will be until they are there. Without the web font Vanilla links: the page uses the
    system's fonts (:data:`FONT`) and loads nothing from outside the server. Plain HTML and
    CSS: the FAST template the page used before stop 37 adds 0.9 MB of web-component script
    that a first visit compiles before its KPI cards show (0.11-0.28 s later in paired
    visits, ``benchmarks/app.py --against``)."""

    first_view = param.String(default="", doc="""
        HTML the page shows where the app's KPI cards will be, until they are there.""")

    _template = Path(__file__).with_name("page.html")
    _resources: ClassVar[ResourcesType] = {"css": {}}

    def _update_vars(self, *args: object) -> None:
        super()._update_vars(*args)
        self._render_variables["first_view"] = self.first_view
