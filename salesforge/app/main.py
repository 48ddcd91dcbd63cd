"""The app: sidebar (run picker, upload and run, options, progress, filters) and six tabs."""

from __future__ import annotations

import gc
import time
from concurrent.futures import Future
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

import panel as pn

from salesforge.app import page_scripts
from salesforge.app.auth import AuthSettings, load_auth, warn_if_open
from salesforge.app.filters import GlobalFilters
from salesforge.app.jobs import Job, JobRunner, compose_config, path_override
from salesforge.app.runs import RunData, confined, discover_runs
from salesforge.app.tables import after_load
from salesforge.app.tabs.anomaly import AnomalyTab
from salesforge.app.tabs.comparison import ComparisonTab
from salesforge.app.tabs.forecasting import ForecastingTab
from salesforge.app.tabs.overview import OverviewTab
from salesforge.app.tabs.reports import ReportsTab
from salesforge.app.tabs.segmentation import SegmentationTab
from salesforge.app.theme import ACCENT, CSS, TABS_CSS, THEMES, PageTemplate
from salesforge.app.uploads import DEFAULT_MAX_MB, save_uploads
from salesforge.client_overrides import check_client_overrides
from salesforge.errors import DataError, SalesforgeError
from salesforge.i18n import N_, gettext, report_language
from salesforge.logs import LogSettings, configure_logging
from salesforge.plugin.manager import SalesforgePluginManager, build_plugin_manager
from salesforge.schema import STAGES

if TYPE_CHECKING:
    from panel.io.callbacks import PeriodicCallback
    from param.parameterized import Event

pn.extension(raw_css=[CSS])



#: The page's languages: name shown in the Language picker -> language.
LANGUAGES = {"English": "en", "Bahasa Indonesia": "id"}
#: Stage and stage-state words of the progress line (stage names are ``STAGES``).
PROGRESS_WORDS = (N_("load"), N_("clean"), N_("features"), N_("forecast"), N_("segment"),
                  N_("detect"), N_("analytics"), N_("report"), N_("pending"), N_("running"),
                  N_("ok"), N_("skipped"), N_("failed"))
#: Pause between drawing one hidden tab and the next after a served page has loaded: the
#: browser builds each (Forecasting's charts and tables take it most of a second on two
#: cores) without holding up the KPI cards or a click.
HIDDEN_TAB_GAP_MS = 250
#: Seconds after the visitor picks a tab during which no hidden tab is drawn, so the
#: browser builds the tab on screen first.
SWITCH_PAUSE_S = 1.5
ICONS = {"pending": "○", "running": "◔", "ok": "●", "skipped": "–", "failed": "✖"}
_RUNNERS: dict[Path, JobRunner] = {}


def runner_for(runs: Path) -> JobRunner:
    """One job pool per runs folder, shared by every browser session of the server."""
    return _RUNNERS.setdefault(runs.resolve(), JobRunner(runs))


@cache
def shared_setup() -> tuple[SalesforgePluginManager, float, str]:
    """The plugin manager, ``app.upload_max_mb`` and ``app.language``, built once per
    server process (a second each), not once per browser session."""
    cfg, _ = compose_config([])
    app = cfg.get("app") or {}
    return (build_plugin_manager(), float(app.get("upload_max_mb") or DEFAULT_MAX_MB),
            report_language(app.get("language") or "en", "app.language"))


def requested_language(default: str) -> str:
    """The page's language: the ``lang`` query argument (``?lang=id``) when it names one,
    else ``default`` (``app.language``)."""
    asked = (pn.state.session_args or {}).get("lang") if pn.state.curdoc else None
    value = asked[0].decode(errors="replace") if asked else default
    return value if value in LANGUAGES.values() else default


class SalesforgeApp:
    """One browser session's page over the runs folder ``runs``, in ``language`` (``en``
    or ``id``; default: the ``lang`` query argument, else ``app.language``)."""

    def __init__(self, runs: str | Path, language: str | None = None) -> None:
        self.runs_dir = Path(runs)
        self.runner = runner_for(self.runs_dir)
        self.plugins, self.max_mb, default_language = shared_setup()
        self.language = language or requested_language(default_language)
        self._ = gettext(self.language)
        self.job: Job | None = None
        self.future: Future | None = None
        self._poller: PeriodicCallback | None = None
        self.filters = GlobalFilters(self.language)
        registry = self.plugins.registry
        language = self.language
        self.overview = OverviewTab(self.filters, language)
        self.tabs_list = [
            self.overview,
            ForecastingTab(self.filters, registry.names("forecaster"), self.rerun,
                           runs_dir=self.runs_dir, language=language),
            SegmentationTab(self.filters, language),
            AnomalyTab(self.filters, self.plugins, language),
            ComparisonTab(self.filters, lambda: self.runs, language),
            ReportsTab(self.filters, self.rerun, language),
        ]
        self.tabs = pn.Tabs(*[(self._(t.title), t.layout) for t in self.tabs_list], dynamic=False,
                            sizing_mode="stretch_width", stylesheets=[TABS_CSS])
        self._switched_at = float("-inf")  # when the visitor last picked a tab
        self.tabs.param.watch(self._tab_picked, "active")
        self.tabs_list[0].activate()
        self._build_sidebar(registry)
        self.runs: list[RunData] = []
        self.refresh_runs()
        if pn.state.curdoc is not None and pn.state.curdoc.session_context is not None:
            pn.state.onload(self._draw_hidden_in_turn)  # a served page: once it has loaded

    def draw_hidden(self) -> None:
        """Draw every tab not on screen that is out of date. A served page does this one
        tab at a time once it has loaded (:data:`HIDDEN_TAB_GAP_MS` apart, in tab order),
        so the KPI cards come first and the browser builds the other tabs while the
        visitor reads them: a switch then only shows what is there. Elsewhere (a notebook,
        a test) a hidden tab draws when it is shown; so does one a later filter change
        left out of date."""
        while self._draw_next_hidden():
            pass

    def _draw_hidden_in_turn(self) -> None:
        def step() -> None:
            if not self.draw_hidden_step():
                callback.stop()

        callback = pn.state.add_periodic_callback(step, period=HIDDEN_TAB_GAP_MS)

    def draw_hidden_step(self) -> bool:
        """One turn of a served page's drawing of hidden tabs: none while the visitor's
        last tab pick is under :data:`SWITCH_PAUSE_S` old (the browser is building the tab
        on screen, and a hidden tab would queue behind it), else the next out-of-date
        tab. False once no tab is out of date."""
        if time.monotonic() - self._switched_at < SWITCH_PAUSE_S:
            return True
        return self._draw_next_hidden()

    def _draw_next_hidden(self) -> bool:
        """Draw the first tab that is out of date (one a switch has not drawn); False when
        there was none."""
        for tab in self.tabs_list:
            if tab.stale:
                tab.draw()
                return True
        return False

    def _tab_picked(self, event: Event) -> None:
        self._switched_at = time.monotonic()
        self.select_tab(event.new)

    def select_tab(self, index: int) -> None:
        """Show tab ``index`` (drawing it if the run or a filter changed since it was last
        on screen); the others wait until they are shown."""
        for position, tab in enumerate(self.tabs_list):
            tab.activate(position == index)
        if self.tabs.active != index:
            self.tabs.active = index

    # sidebar -----------------------------------------------------------------------------
    def _build_sidebar(self, registry) -> None:
        _ = self._
        self.language_picker = pn.widgets.Select(
            label=_("Language"), options=LANGUAGES, value=self.language,
            sizing_mode="stretch_width")
        self.language_picker.param.watch(lambda e: self.switch_language(e.new), "value")
        self.theme_picker = pn.widgets.Select(
            label=_("Theme"), options={_(name): theme for name, theme in THEMES.items()},
            value=pn.config.theme,
            sizing_mode="stretch_width")
        self.theme_picker.param.watch(lambda e: self.switch_theme(e.new), "value")
        self.picker = pn.widgets.Select(label=_("Run"), options={},
                                        sizing_mode="stretch_width")
        self.picker.param.watch(lambda e: self.open_run(e.new), "value")
        self.upload = pn.widgets.FileInput(accept=".csv,.xlsx,.json,.parquet", multiple=True,
                                           sizing_mode="stretch_width")
        self.forecasters = pn.widgets.MultiChoice(
            label=_("Forecasters"), options=registry.names("forecaster"),
            value=[n for n in ("seasonal_naive", "linear", "window_median")
                   if n in registry.names("forecaster")],
            sizing_mode="stretch_width")
        self.horizon = pn.widgets.IntInput(label=_("Horizon"), value=28, start=1, end=366,
                                           sizing_mode="stretch_width")
        self.freq = pn.widgets.Select(label=_("Frequency"),
                                      options={_("Daily"): "D", _("Weekly"): "W",
                                               _("Monthly"): "MS"},
                                      sizing_mode="stretch_width")
        self.detector = pn.widgets.Select(label=_("Detector"),
                                          options=registry.names("detector"),
                                          value="mad", sizing_mode="stretch_width")
        self.run_upload = pn.widgets.Button(label=_("Upload and run"), color="primary",
                                            sizing_mode="stretch_width")
        self.run_sample = pn.widgets.Button(label=_("Run on sample data"), color="light",
                                            sizing_mode="stretch_width")
        self.run_upload.on_click(self._upload_clicked)
        self.run_sample.on_click(self._sample_clicked)
        self.progress = pn.indicators.Progress(value=0, max=100, visible=False,
                                               sizing_mode="stretch_width")
        self.stage_text = pn.pane.HTML("", css_classes=["sf-stages"], sizing_mode="stretch_width")
        self.message = pn.pane.Alert("", alert_type="danger", visible=False,
                                     sizing_mode="stretch_width")

    def _upload_clicked(self, _event: object) -> None:
        self.start_upload()

    def _sample_clicked(self, _event: object) -> None:
        self.start([])

    def switch_language(self, language: str) -> None:
        """Reload the page in ``language`` (the ``lang`` query argument keeps it)."""
        if language != self.language:
            reload_with(lang=language)

    def switch_theme(self, theme: str) -> None:
        """Reload the page in Panel's ``theme`` (``default`` or ``dark``; the ``theme``
        query argument keeps it, as Panel reads it)."""
        if theme != pn.config.theme:
            reload_with(theme=theme)

    def sidebar(self) -> list:
        """The run picker, then (once the page has loaded, after the KPI cards) the new-run
        widgets, the filters and the language picker."""
        # a Divider in the first drawing: Panel loads a stylesheet for each kind of pane
        # on the page, and one first added later would be fetched from its CDN
        return [self.picker, pn.layout.Divider(), after_load(lambda: [
            "### " + self._("New run"), self.upload, self.forecasters,
            pn.Row(self.horizon, self.freq, sizing_mode="stretch_width"), self.detector,
            self.run_upload, self.run_sample, self.progress, self.stage_text, self.message,
            pn.layout.Divider(), self.filters.panel(), pn.layout.Divider(),
            self.language_picker, self.theme_picker])]

    # runs ----------------------------------------------------------------------------------
    def refresh_runs(self, select: Path | None = None) -> None:
        """List the runs and open ``select`` (a run directory), the picked run or the
        newest good one. The picker's values are run ids: the browser never sees or names
        a server path."""
        self.runs = discover_runs(self.runs_dir) if self.runs_dir.exists() else []
        options = {r.label: r.run_id for r in self.runs}
        if select is not None:
            chosen = next((r.run_id for r in self.runs if r.path == Path(select).resolve()),
                          None)
        else:
            chosen = self.picker.value if self.picker.value in options.values() else next(
                (r.run_id for r in self.runs if r.ok), next(iter(options.values()), None))
        self.picker.options = options
        if self.picker.value == chosen:
            self.open_run(chosen)
        else:
            self.picker.value = chosen

    def open_run(self, run_id: str | None) -> None:
        """Show the listed run ``run_id``; anything else (a run outside the runs folder, a
        path) is refused with a message."""
        run = next((r for r in self.runs if r.run_id == run_id), None)
        self.filters.reset(run.clean if run is not None and run.ok else None)
        for tab in self.tabs_list:
            tab.show(run if run is not None and run.ok else None)
        if run is None and run_id is not None:
            self.show_error(self._("that run is not in this app's runs folder; pick one from "
                                   "the Run list."))
        elif run is not None and not run.ok:
            self.show_error((run.manifest.get("error") or {}).get("message")
                            or self._("the run failed."))

    # background runs -----------------------------------------------------------------------
    def options_overrides(self) -> list[str]:
        """The overrides of the option widgets (an emptied horizon box gives
        ``forecast.horizon=None``, which :meth:`start` refuses with a message)."""
        return [f"forecaster=[{','.join(self.forecasters.value)}]",
                f"forecast.horizon={self.horizon.value}", f"forecast.freq={self.freq.value}",
                f"detector={self.detector.value}"]

    def start_upload(self) -> Job | None:
        values, names = self.upload.value, self.upload.filename
        if not values:
            self.show_error(self._("choose one or more files to upload first."))
            return None
        if not isinstance(values, list):
            values, names = [values], [names]
        try:
            paths = save_uploads(dict(zip(names, values, strict=True)),
                                 self.runs_dir / "uploads" / self.runner_stamp(), self.max_mb)
        except SalesforgeError as error:
            self.show_error(str(error))
            return None
        return self.start([path_override(paths)])

    def runner_stamp(self) -> str:
        import uuid

        return uuid.uuid4().hex[:10]

    def rerun(self, run: RunData, overrides: list[str]) -> Job | None:
        """Run ``run``'s data again with ``overrides`` (retrain, generate reports); a run
        outside the runs folder is refused with a message."""
        try:
            confined(run.path, self.runs_dir)
        except DataError as error:
            self.show_error(str(error))
            return None
        data = (run.manifest.get("config") or {}).get("data") or {}
        base = [] if data.get("path") is None else [
            path_override([Path(p) for p in (data["path"] if isinstance(data["path"], list)
                                             else [data["path"]])])]
        return self.start(base, options=False, client=overrides)

    def start(self, data: list[str], options: bool = True,
              client: list[str] | None = None) -> Job | None:
        """Run on ``data`` (the server's own overrides: paths of uploads and runs) with the
        overrides made from the page's widgets (``client``, plus the option widgets when
        ``options``), which are checked like any client's: a browser can send any value
        for a widget, so they pass the same allowlist as the REST API's."""
        self.message.visible = False
        chosen = [*(client or []), *(self.options_overrides() if options else [])]
        try:
            check_client_overrides(chosen, self.plugins.registry)
        except SalesforgeError as error:
            self.show_error(str(error))
            return None
        self.job, self.future = self.runner.submit(data + chosen)
        self.progress.param.update(visible=True, value=0)
        self.poll()
        if pn.state.curdoc is not None and self._poller is None:
            self._poller = pn.state.add_periodic_callback(self.poll, period=400)
        return self.job

    def poll(self) -> None:
        """Show the job's progress; when it ends open its run or show its error."""
        job = self.job
        if job is None:
            return
        self.progress.value = int(job.fraction * 100)
        _ = self._
        self.stage_text.object = " ".join(
            f"<span title='{_(s)}: {_(job.stages[s])}'>{ICONS[job.stages[s]]} {_(s)}</span>"
            for s in STAGES)
        if not job.done:
            return
        if self._poller is not None:
            self._poller.stop()
            self._poller = None
        self.job = None
        self.progress.visible = False
        self.refresh_runs(select=job.run_dir if job.status == "ok" else None)
        if job.status == "failed":
            self.show_error(job.error or self._("the run failed."))

    def show_error(self, text: str) -> None:
        self.message.param.update(object=text, visible=True)

    # page ----------------------------------------------------------------------------------
    def template(self) -> PageTemplate:
        return PageTemplate(title=self._("salesforge — sales results"), sidebar=self.sidebar(),
                            main=[self.tabs], header_background=ACCENT, sidebar_width=340,
                            first_view=self.overview.first_view())


def reload_with(**query: str) -> None:
    """Reload the served page with ``query`` added to its address (no-op outside one)."""
    if pn.state.location is not None:
        pn.state.location.reload = True
        pn.state.location.update_query(**query)  # type: ignore[arg-type]  # Panel types each value as a Mapping; a query value is a str


def create_app(runs: str | Path = "outputs") -> PageTemplate:
    """A fresh page (one per browser session) over the runs folder ``runs``."""
    return SalesforgeApp(runs).template()


def warm_up(runs: str | Path) -> None:
    """Draw every tab of the newest run once, outside any session, so that the first
    visitor does not wait for the imports and caches a first drawing fills (about half a
    second of their first page load)."""
    app = SalesforgeApp(runs)
    for index in range(len(app.tabs_list)):
        app.select_tab(index)


def prepare(runs: str | Path) -> None:
    """Make the server ready for its first visitor: the lean page scripts, the plugins
    and config read, every tab of the newest run drawn once (:func:`warm_up`), then the
    objects all that left behind frozen out of the garbage collector. They live as long
    as the server (some 400 k of them: the imports, the caches); a full collection walks
    them all (0.2-0.6 s on two cores), and one falling due during a visitor's page
    request delayed it that long."""
    page_scripts.install()
    shared_setup()
    warm_up(runs)
    gc.collect()
    gc.freeze()


def serve(runs: str | Path = "outputs", port: int = 5006, address: str = "127.0.0.1",
          show: bool = False, logs: LogSettings | None = None,
          auth: AuthSettings | None = None) -> None:
    """Serve the app until interrupted; log with ``logs`` (default: from the
    ``SALESFORGE_LOG_LEVEL`` / ``SALESFORGE_LOG_JSON`` environment variables); ask for the
    login ``auth`` (default: ``app.auth`` and the ``SALESFORGE_APP_*`` environment
    variables, see :mod:`salesforge.app.auth`), refusing to start when its secret is
    missing and warning when the app listens beyond loopback without one."""
    configure_logging(logs)
    auth = load_auth() if auth is None else auth
    auth.check()
    warn_if_open(auth, address)
    auth.apply_encryption()
    prepare(runs)
    pn.serve({"salesforge": lambda: create_app(runs)}, port=port, address=address, show=show,
             title="salesforge", websocket_origin=[f"{address}:{port}", f"localhost:{port}"],
             threaded=False, **auth.serve_kwargs())
