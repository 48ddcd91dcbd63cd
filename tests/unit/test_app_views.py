"""The app's view objects over a real run of the bundled sample (Panel's testing pattern:
build the component, set widget values, assert on the objects)."""

from __future__ import annotations

import io
import re
import zipfile

import pandas as pd
import param
import pytest

from salesforge.app.format import KPI_CARDS, format_value
from salesforge.app.jobs import JobRunner, compose_config
from salesforge.app.main import SalesforgeApp
from salesforge.app.runs import RunData, discover_runs
from salesforge.app.tables import chart_panes
from salesforge.app.tabs.comparison import side_by_side
from salesforge.app.theme import PageTemplate
from salesforge.app.uploads import check_upload, safe_name, save_uploads
from salesforge.data.sample import sample_path
from salesforge.errors import DataError
from salesforge.runner import run

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """A runs folder with two real runs of the sample that differ in horizon."""
    root = tmp_path_factory.mktemp("runs")
    for name, extra in (("a", "reporter=[csv]"), ("b", "stages.report=false")):
        cfg, _ = compose_config([f"forecast.horizon={28 if name == 'a' else 14}", extra])
        run(cfg, root / name)
    return root


@pytest.fixture(scope="module")
def app(runs):
    return SalesforgeApp(runs)


def objects(tab) -> list[str]:
    """Type names of everything the tab shows, nested layouts included."""
    names, todo = [], list(tab.layout.objects)
    while todo:
        item = todo.pop(0)
        names.append(type(item).__name__)
        todo[:0] = list(getattr(item, "objects", []) or [])
    return names


def shown(app, index: int):
    """Tab ``index`` of ``app``, put on screen (a hidden tab draws when first shown)."""
    app.select_tab(index)
    return app.tabs_list[index]


def test_discovers_runs_and_reads_artifacts(runs):
    found = discover_runs(runs)
    assert sorted(r.path.name for r in found) == ["a", "b"]
    run_a = RunData(runs / "a")
    assert len(run_a.clean) == run_a.manifest["data"]["rows_clean"]
    assert set(run_a.table("forecast/leaderboard.csv")["model"]) == {"seasonal_naive", "linear",
                                                                   "window_median"}
    assert run_a.table("no/such.csv") is None


def test_overview_cards_show_the_manifest_kpis(app):
    overview = app.tabs_list[0]
    kpis = overview.run.manifest["analytics"]["kpis"]
    cards = overview.layout.objects[0].object
    for key, _title, kind in KPI_CARDS:
        card = cards.split(f'data-kpi="{key}"')[1].split('data-kpi=')[0]
        assert format_value(kpis[key], kind) in card
    assert chart_panes(overview.layout)


def test_filters_recompute_kpis_and_narrow_tables(app):
    overview, anomaly = app.tabs_list[0], app.tabs_list[3]
    run_ = overview.run
    total = len(anomaly.flagged(run_))
    app.filters.choices["region"].value = ["Jakarta"]
    try:
        jakarta = run_.clean[run_.clean["region"] == "Jakarta"]
        assert overview.kpis(run_)["revenue"] == pytest.approx(jakarta["revenue"].sum())
        shown = anomaly.flagged(run_)
        assert 0 < len(shown) < total and set(shown["region"]) == {"Jakarta"}
    finally:
        app.filters.choices["region"].value = []
    assert overview.kpis(run_) == run_.manifest["analytics"]["kpis"]


def test_the_date_slider_spans_the_run_and_narrows_when_a_drag_ends(app):
    overview = app.tabs_list[0]
    run_, dates = overview.run, app.filters.dates
    first, last = run_.clean["date"].min(), run_.clean["date"].max()
    assert (pd.Timestamp(dates.start), pd.Timestamp(dates.end)) == (first, last)
    assert tuple(pd.Timestamp(v) for v in dates.value) == (first, last)
    assert not app.filters.active and not dates.disabled
    version, cut = app.filters.version, (first + pd.Timedelta(days=30)).date()
    with param.edit_constant(dates):  # what the browser sends while and after dragging
        dates.value = (cut, last.date())
        assert app.filters.version == version  # still dragging: nothing redrawn
        dates.value_throttled = (cut, last.date())
    try:
        assert app.filters.version == version + 1 and app.filters.active
        kept = run_.clean[run_.clean["date"] >= pd.Timestamp(cut)]
        assert overview.kpis(run_)["revenue"] == pytest.approx(kept["revenue"].sum())
    finally:
        with param.edit_constant(dates):
            dates.value = dates.value_throttled = (first.date(), last.date())
    assert overview.kpis(run_) == run_.manifest["analytics"]["kpis"]


def test_the_date_filter_has_no_english_words_on_an_indonesian_page(runs):
    dates = SalesforgeApp(runs, language="id").filters.dates
    assert dates.label == "Rentang tanggal"
    assert dates.format == "%Y-%m-%d"  # digits only: no month name in any language


def test_forecasting_tab_leaderboard_models_and_retrain_overrides(app):
    tab = shown(app, 1)
    board = tab.layout.objects[2].objects[0].object  # a few models: one HTML table
    first_row = re.search(r"<tbody><tr><td[^>]*>([^<]*)</td>", board).group(1)
    assert first_row == tab.run.manifest["forecast"]["best"]
    charts = len(chart_panes(tab.layout))
    tab.models.value = ["linear"]
    assert len(chart_panes(tab.layout)) < charts
    tab.retrain_models.value, tab.horizon.value = ["linear"], 7
    assert tab.retrain_overrides() == ["forecaster=[linear]", "forecast.horizon=7"]


def test_segment_members_follow_the_segment_choice(app):
    tab = shown(app, 2)
    every = tab.members(tab.run)
    tab.segment.value = list(tab.segment.options.values())[1]
    members = tab.members(tab.run)
    assert 0 < len(members) < len(every)
    assert set(members["segment_name"]) == {tab.segment.value}


def test_contamination_slider_rescores(app):
    tab = shown(app, 3)
    tab.contamination.param.trigger("value_throttled")  # no change yet: nothing re-scored
    tab.contamination.value = 0.05
    tab._rescore(type("Event", (), {"new": 0.05})())
    rows = tab.run.manifest["data"]["rows_clean"]
    assert len(tab.flagged(tab.run)) == pytest.approx(0.05 * rows, rel=0.05)
    assert tab.rescored["reason"].str.len().min() > 0
    tab.reason.value = "price"
    assert tab.flagged(tab.run)["reason"].str.startswith("price").all()
    tab.reason.value = "All reasons"


def test_comparison_shows_metrics_and_config_differences(app, runs):
    figures, diffs = side_by_side([RunData(runs / "a"), RunData(runs / "b")])
    assert "forecast.horizon" in set(diffs["config key"])
    horizon = figures.set_index("figure").loc["horizon"]
    assert sorted(horizon) == ["14", "28"]
    assert len(shown(app, 4).picker.value) == 2


def test_reports_tab_generates_reports_in_a_new_run(app):
    tab = shown(app, 5)
    tab.show(RunData(app.runs_dir / "a"))
    assert [b.filename for b in tab.downloads(tab.run)] == ["report_csv.zip"]
    tab.formats.value = ["excel", "html"]
    tab.generate.clicks += 1
    app.future.result()
    app.poll()
    fresh = app.tabs_list[5].run
    assert fresh.path.parent.parent.name == "app"
    assert fresh.manifest["config"]["forecast"]["horizon"] == 28
    assert [b.filename for b in tab.downloads(fresh)] == ["report.xlsx", "report.html"]


def test_upload_checks(tmp_path):
    assert safe_name("../../etc/pass wd?.csv") == "pass_wd_.csv"
    assert check_upload("x.txt", b"date,revenue\n2024-01-01,5\n") == ("x.csv", "csv")
    book = io.BytesIO()
    with zipfile.ZipFile(book, "w") as z:
        z.writestr("xl/workbook.xml", "<workbook/>")
    assert check_upload("sales.xlsx", book.getvalue())[1] == "excel"
    import pickle

    with pytest.raises(DataError, match=r"^upload evil.csv is not CSV"):
        check_upload("evil.csv", pickle.dumps({"a": 1}))
    with pytest.raises(DataError, match=r"over the 0\.001 MB limit"):
        check_upload("big.csv", b"a,b\n" * 1000, max_mb=0.001)
    paths = save_uploads({"s.csv": b"a,b\n1,2\n", "s.txt": b"a,b\n3,4\n"}, tmp_path)
    assert [p.name for p in paths] == ["s.csv", "s-1.csv"]


def test_upload_and_run_in_the_background_csv_and_excel(tmp_path):
    frame = pd.read_csv(sample_path()).head(4000)
    frame.to_excel(tmp_path / "sales.xlsx", index=False)
    page = SalesforgeApp(tmp_path / "runs")
    page.forecasters.value, page.horizon.value = ["seasonal_naive"], 7
    page.upload.param.update(value=[(tmp_path / "sales.xlsx").read_bytes(),
                                    frame.to_csv(index=False).encode()],
                             filename=["sales.xlsx", "more.csv"])
    job = page.start_upload()
    page.future.result()
    page.poll()
    assert job.status == "ok", job.error
    assert all(state in ("ok", "skipped") for state in job.stages.values())
    run_ = page.tabs_list[0].run
    assert run_.path == job.run_dir
    assert run_.manifest["data"]["rows_in"] == 8000
    assert sorted(run_.manifest["data"]["rows_per_source"]) == ["more.csv", "sales.xlsx"]


def test_a_failed_run_shows_the_cli_sentence(tmp_path):
    runner = JobRunner(tmp_path)
    job, future = runner.submit(["forecast.horizon=0"])
    future.result()
    assert job.status == "failed"
    assert job.error.startswith("config key forecast.horizon")
    page = SalesforgeApp(tmp_path / "empty")
    page.upload.value = None
    assert page.start_upload() is None and page.message.visible
    assert isinstance(page.template(), PageTemplate)


def test_hidden_tabs_draw_when_asked_and_again_when_shown_after_a_filter(runs):
    page = SalesforgeApp(runs)
    forecasting = page.tabs_list[1]
    assert not page.tabs_list[0].stale and all(tab.stale for tab in page.tabs_list[1:])
    assert not forecasting.layout.objects  # outside a served page: drawn when shown
    page.draw_hidden()  # what a served page does once it has loaded
    assert not any(tab.stale for tab in page.tabs_list)
    drawn = list(forecasting.layout.objects)
    assert chart_panes(forecasting.layout)
    page.filters.choices["region"].value = ["Jakarta"]  # hidden: marked, not redrawn
    assert forecasting.stale and forecasting.layout.objects == drawn
    assert not page.tabs_list[0].stale  # the tab on screen redrew
    shown(page, 1)
    assert not forecasting.stale and forecasting.layout.objects != drawn


def test_hidden_tabs_wait_while_the_visitor_has_just_picked_a_tab(runs):
    import time

    from salesforge.app.main import SWITCH_PAUSE_S

    page = SalesforgeApp(runs)
    assert page.draw_hidden_step() and not page.tabs_list[1].stale  # next in tab order
    page.tabs.active = 3  # the visitor picks Comparison: it draws at once
    assert not page.tabs_list[3].stale
    waiting = [tab.stale for tab in page.tabs_list]
    assert page.draw_hidden_step()  # the pause: nothing more is drawn
    assert [tab.stale for tab in page.tabs_list] == waiting
    page._switched_at = time.monotonic() - SWITCH_PAUSE_S - 0.1
    assert page.draw_hidden_step() and not page.tabs_list[2].stale
    while page.draw_hidden_step():
        pass
    assert not any(tab.stale for tab in page.tabs_list)


def test_charts_are_drawn_once_per_run_view_and_filters(runs):
    from salesforge.app.tables import CHARTS

    CHARTS.clear()
    first = SalesforgeApp(runs)
    shown(first, 1)
    drawn = len(CHARTS)
    assert drawn >= 2
    second = SalesforgeApp(runs)  # another visitor: same run, same view, same filters
    shown(second, 1)
    assert len(CHARTS) == drawn
    kept = {drawing.html for drawing in CHARTS.values()}
    assert {pane.object for pane in chart_panes(second.tabs_list[1].layout)} <= kept
    second.filters.choices["region"].value = ["Jakarta"]
    assert len(CHARTS) > drawn


def test_the_server_freezes_what_its_warm_up_left_out_of_the_garbage_collector(runs):
    import gc

    from salesforge.app.main import prepare

    try:
        prepare(runs)
        assert gc.get_freeze_count() > 100_000  # the imports, the plugins, the caches
    finally:
        gc.unfreeze()


def test_the_theme_picker_names_the_themes_in_the_page_language(runs):
    english, indonesian = SalesforgeApp(runs, language="en"), SalesforgeApp(runs, language="id")
    assert english.theme_picker.options == {"Light": "default", "Dark": "dark"}
    assert indonesian.theme_picker.options == {"Terang": "default", "Gelap": "dark"}
    assert (english.theme_picker.label, indonesian.theme_picker.label) == ("Theme", "Tema")
    assert english.theme_picker.value == "default"  # Panel's theme of a page without ?theme
    assert english.theme_picker in english.sidebar()[-1].objects  # below the language
    english.switch_theme("dark")  # outside a served page there is no page to reload


def test_the_page_template_carries_the_overview_s_cards_unmarked(runs, tmp_path):
    page = SalesforgeApp(runs, language="id")
    shown = page.overview.layout.objects[-2].object  # the app's cards (before the details)
    assert 'data-kpi="revenue"' in shown and "Pendapatan" in shown
    first = page.template().first_view
    assert "data-kpi" not in first
    assert re.sub(r' data-kpi="[a-z_]+"', "", shown) == first
    assert SalesforgeApp(tmp_path / "none").template().first_view == ""
