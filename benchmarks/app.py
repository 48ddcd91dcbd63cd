"""Time the results app in Debian's chromium: first KPI render, tab switches, upload-to-results.

    python benchmarks/app.py

Starts ``salesforge serve`` over a scratch runs folder holding one sample run, then prints
seconds to the first KPI card (``--visits`` first visits, each in a new browser context with
an empty cache, the first of them also starting the browser's renderer, and the median of
the others; then a second visit with the cache filled, ``--settle`` seconds later), per tab
switch (each tab's headline shown and each of that tab's charts drawn, counted from the
same app drawn in this process: :func:`charts_per_tab`), first at once after the KPI cards
are painted (in ``--switch-visits`` new visits, each clicking through every tab in turn:
the median and the slowest of each tab), then after the page has had ``--settle`` seconds
(default 3) to draw the hidden tabs, and from pressing "Upload and run"
(sample data as plain CSV) to the new run's KPI cards. First it prints the seconds of a
fixed piece of work (:func:`reference_seconds`) and of touching fresh memory
(:func:`fresh_memory_seconds`), to compare runs made at different times of a shared
machine. ``--shots DIR`` saves a screenshot
of each tab. ``--profile N`` adds N first visits under V8's CPU profiler (the cards, then
``--settle`` seconds for the hidden tabs) and prints the median main-thread script time of
each JavaScript bundle (:func:`script_time`): where a first visit's time goes.
``--against CHECKOUT`` times first visits only, alternating between the app served from
this checkout and from another one (a ``git worktree`` of an earlier commit), so that both
meet the machine's slower and faster spells alike (:func:`paired_visits`): on a shared
two-core machine single runs move by 0.1-0.3 s, more than most changes to the page. Never
used in tests.

A KPI render is timed from ``page.goto`` to the end of the first frame that paints the
revenue card, as the page itself sees it (:data:`KPI_PAINTED`, a script run before the
page's own): the card the server wrote into the page's HTML (painted before BokehJS runs;
"KPI painted") and the app's own, built by BokehJS ("the app's"), which replaces it.
Playwright's ``wait_for`` also sees the app's card, but only once the page's main thread is
free to answer it (0-0.2 s later). All three are printed.
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import gzip
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

from playwright.sync_api import expect, sync_playwright

from salesforge.app.jobs import compose_config
from salesforge.app.main import SalesforgeApp
from salesforge.app.tables import CHART_CLASS, chart_panes
from salesforge.data.sample import sample_path
from salesforge.runner import run

ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]
TABS = {"Forecasting": "Leaderboard", "Segmentation": "Segment profile",
        "Anomaly": "flagged transactions", "Comparison": "Pick at least two runs",
        "Reports": "Reports of this run", "Overview": "Insights"}


#: Run in every page before its own scripts: from the first frame on, look for the revenue
#: KPI card of the page's HTML (``.sf-first-view``, painted before BokehJS runs) and the
#: app's own (``data-kpi``, inside the views' shadow roots) and, in the frame that first
#: lays each out visible, post a message; it is handled once that frame has been painted,
#: and stores the time (epoch milliseconds) in ``window.sfPainted.page`` / ``.app``.
KPI_PAINTED = """(() => {
  const find = (root, selector) => {
    const hit = root.querySelector(selector);
    if (hit) return hit;
    for (const el of root.querySelectorAll('*')) {
      if (el.shadowRoot) { const inner = find(el.shadowRoot, selector); if (inner) return inner; }
    }
    return null;
  };
  const shown = (el) => {
    const box = el.getBoundingClientRect();
    return box.width > 0 && box.height > 0 && getComputedStyle(el).visibility === 'visible';
  };
  const targets = {page: '.sf-first-view .sf-kpi', app: '.sf-kpi[data-kpi=revenue]'};
  window.sfPainted = {};
  const frame = () => {
    for (const [name, selector] of Object.entries(targets)) {
      const card = document.body && find(document, selector);
      if (card && shown(card)) {
        delete targets[name];
        const channel = new MessageChannel();
        channel.port1.onmessage = () => {
          window.sfPainted[name] = performance.timeOrigin + performance.now();
        };
        channel.port2.postMessage(null);
        if (name === 'app') delete targets.page;  // none before the app's: none at all
      }
    }
    if (Object.keys(targets).length) requestAnimationFrame(frame);
  };
  requestAnimationFrame(frame);
})();"""


class Visit(NamedTuple):
    """Seconds from ``page.goto`` until a KPI card was painted (``first``: the page's HTML
    or, without one there, the app's), until the app's own card was painted (``app``) and
    until Playwright saw the app's card (``seen``)."""

    first: float
    app: float
    seen: float


def visit(page, url: str) -> Visit:
    """Open ``url`` and time its KPI cards (:class:`Visit`)."""
    started, epoch = time.perf_counter(), time.time()
    page.goto(url)
    page.locator(".sf-kpi[data-kpi=revenue]").wait_for(timeout=60_000)
    seen = time.perf_counter() - started
    painted = page.wait_for_function("() => window.sfPainted.app && window.sfPainted",
                                     timeout=10_000).json_value()
    app = painted["app"] / 1000 - epoch
    return Visit(min(painted.get("page", painted["app"]) / 1000 - epoch, app), app, seen)


def switch_tabs(page, label: str, shots: Path | None, charts: dict[str, int],
                quiet: bool = False) -> dict[str, float]:
    """Click through the tabs, timing each until its headline shows and each of its
    ``charts[title]`` charts is on screen with its SVG; seconds per tab (printed unless
    ``quiet``)."""
    times = {}
    for title, text in TABS.items():
        started = time.perf_counter()
        page.locator(".bk-tab", has_text=title).click()
        page.get_by_text(text).first.wait_for()
        page.wait_for_function(CHARTS_DRAWN, arg=[charts[title], CHART_CLASS], timeout=30_000)
        times[title] = time.perf_counter() - started
        if not quiet:
            print(f"{label} switch to {title:<12} {times[title]:6.2f} s "
                  f"({charts[title]} charts)")
        if shots is not None:
            page.screenshot(path=str(shots / f"{label.strip()}-{title}.png"), full_page=True)
    return times


def switches_at_once(browser, url: str, visits: int, settle: float,
                     charts: dict[str, int]) -> None:
    """Print, per tab, the median and the slowest of ``visits`` new visits that click
    through every tab in turn as soon as the KPI cards are painted (the first click, on
    Forecasting, while the page is still building the sidebar and the Overview's chart;
    the later ones while the server draws each picked tab on the spot)."""
    runs: dict[str, list[float]] = collections.defaultdict(list)
    for _ in range(visits):
        context = browser.new_context(viewport={"width": 1440, "height": 1000})
        context.add_init_script(KPI_PAINTED)
        page = context.new_page()
        visit(page, url)
        for title, seconds in switch_tabs(page, "", None, charts, quiet=True).items():
            runs[title].append(seconds)
        context.close()
        time.sleep(settle)
    for title, times in runs.items():
        print(f"at once  switch to {title:<12} median {statistics.median(times):5.2f} s, "
              f"slowest {max(times):5.2f} s of {len(times)} visits ({charts[title]} charts)")


#: True once ``expected`` charts (panes of class :data:`CHART_CLASS`) are on screen, each
#: holding its SVG or image of one. The tabs not on screen keep their charts laid out but invisible
#: (``visibility: hidden``), so only visible ones count.
CHARTS_DRAWN = """([expected, chartClass]) => {
  const all = [];
  const walk = (root) => root.querySelectorAll('*').forEach((el) => {
    if (el.classList && el.classList.contains(chartClass)) all.push(el);
    if (el.shadowRoot) walk(el.shadowRoot);
  });
  walk(document);
  const shown = all.filter((el) => el.offsetWidth > 0
                           && getComputedStyle(el).visibility === 'visible');
  return shown.length >= expected
    && shown.every((el) => (el.shadowRoot || el).querySelector('svg, img'));
}"""


#: Trace categories of a profiled visit: V8's sampling CPU profiler and the main thread.
PROFILE_CATEGORIES = ["devtools.timeline", "disabled-by-default-v8.cpu_profiler", "toplevel"]


def script_time(trace: Path) -> dict[str, float]:
    """Seconds of the visited page's main thread per JavaScript bundle (the file name of
    the script whose code was running; V8's own work as ``(program)``, ``(garbage
    collector)``), from V8's samples in a Chrome trace with :data:`PROFILE_CATEGORIES`;
    idle time left out. The trace holds a profile per renderer main thread (other pages of
    the browser included): the busiest is the visited page's."""
    events = json.loads(trace.read_text())
    events = events["traceEvents"] if isinstance(events, dict) else events
    main = {(e["pid"], e["tid"]) for e in events if e.get("ph") == "M"
            and e.get("name") == "thread_name" and e["args"].get("name") == "CrRendererMain"}
    profiles = {(e["pid"], e["id"]) for e in events
                if e.get("name") == "Profile" and (e["pid"], e["tid"]) in main}
    frames: dict[tuple, dict] = {}
    spent: dict[tuple, collections.Counter] = collections.defaultdict(collections.Counter)
    for event in events:  # a profile's chunks come from its sampler thread
        profile = (event.get("pid"), event.get("id"))
        if event.get("name") != "ProfileChunk" or profile not in profiles:
            continue
        data = event["args"]["data"]
        nodes = data.get("cpuProfile", {})
        frames.update({(profile, n["id"]): n["callFrame"] for n in nodes.get("nodes", [])})
        for node, micros in zip(nodes.get("samples", []), data.get("timeDeltas", []),
                                strict=False):
            spent[profile][node] += micros
    by_profile = []
    for profile, samples in spent.items():
        by_bundle: collections.Counter = collections.Counter()
        for node, micros in samples.items():
            frame = frames.get((profile, node), {})
            url = frame.get("url") or ""
            name = url.split("?")[0].rsplit("/", 1)[-1] if url else frame.get("functionName")
            if name != "(idle)":
                by_bundle[name or "(anonymous)"] += micros / 1e6
        by_profile.append(dict(by_bundle))
    return max(by_profile, key=lambda bundles: sum(bundles.values()), default={})


def profile_visits(browser, url: str, visits: int, settle: float) -> None:
    """Print the median script time per bundle over ``visits`` profiled first visits."""
    runs = []
    with tempfile.TemporaryDirectory() as scratch:
        for number in range(visits):
            context = browser.new_context(viewport={"width": 1440, "height": 1000})
            context.add_init_script(KPI_PAINTED)
            page = context.new_page()
            trace = Path(scratch) / f"visit{number}.json"
            browser.start_tracing(page=page, path=str(trace), categories=PROFILE_CATEGORIES)
            visit(page, url)
            page.wait_for_timeout(settle * 1000)
            browser.stop_tracing()
            context.close()
            runs.append(script_time(trace))
    bundles = sorted({name for run in runs for name in run},
                     key=lambda name: -statistics.median(r.get(name, 0.0) for r in runs))
    print(f"script time of a first visit and {settle:g} s after it, median of {visits}:")
    for name in bundles[:12]:
        print(f"  {name:<40} {statistics.median(r.get(name, 0.0) for r in runs):6.2f} s")


def charts_per_tab(runs: Path) -> dict[str, int]:
    """How many charts each tab shows for the runs folder ``runs``, from the app drawn
    here in the same way (English, no filter)."""
    app = SalesforgeApp(runs, language="en")
    app.draw_hidden()
    return {tab.title: len(chart_panes(tab.layout)) for tab in app.tabs_list}


def reference_seconds(rounds: int = 3) -> float:
    """Seconds of a fixed piece of single-threaded work (sorting and hashing one million
    numbers; the fastest of ``rounds``): how fast this machine is right now. A shared
    two-core machine has slower spells in which every figure here grows alike; printed
    with the figures, it tells such a spell from a change in the app."""
    best = float("inf")
    for _ in range(rounds):
        started = time.perf_counter()
        values = [(i * 7919) % 1_000_003 for i in range(1_000_000)]
        values.sort()
        hash(tuple(values))
        best = min(best, time.perf_counter() - started)
    return best


def fresh_memory_seconds(megabytes: int = 256) -> float:
    """Seconds to touch ``megabytes`` of newly allocated memory, a page at a time: what a
    new browser renderer, its script heaps and the server's new objects pay in page
    faults, which on a virtual machine can slow down while plain computing
    (:func:`reference_seconds`) does not."""
    started = time.perf_counter()
    block = bytearray(megabytes * 1024 * 1024)
    for offset in range(0, len(block), 4096):
        block[offset] = 1
    return time.perf_counter() - started


@contextlib.contextmanager
def serving(runs: Path, source: Path | None = None) -> Iterator[str]:
    """``salesforge serve`` over ``runs`` on a free port, from this checkout or from the
    checkout ``source`` (put first on ``PYTHONPATH``); yields the app's address once it
    answers, and stops the server on exit."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    source = (source or Path(__file__).resolve().parents[1]).resolve()
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        [str(source), *filter(None, [os.environ.get("PYTHONPATH")])])}
    # run in ``source``: ``python -m`` puts the working folder first on the import path
    server = subprocess.Popen([sys.executable, "-m", "salesforge.cli", "serve", "--runs",
                               str(runs.resolve()), "--port", str(port)], cwd=source,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    url = f"http://127.0.0.1:{port}/salesforge"
    try:
        while True:
            try:
                urllib.request.urlopen(url, timeout=5)
                break
            except urllib.error.HTTPError as error:
                raise SystemExit(f"salesforge serve from {source} answered {url} with "
                                 f"HTTP {error.code}") from None
            except OSError:
                if server.poll() is not None:
                    raise SystemExit(f"salesforge serve from {source} exited with status "
                                     f"{server.returncode}") from None
                time.sleep(0.3)
        yield url
    finally:
        server.terminate()
        server.wait(10)


def paired_visits(browser, urls: dict[str, str], visits: int, settle: float) -> None:
    """First visits to each app of ``urls`` (name -> address) in turn, ``visits`` each
    after one unmeasured round, the order reversed every round, so that both meet the
    shared machine's slower and faster spells alike: prints each one's median and the
    median of the paired differences."""
    visits_of: dict[str, list[Visit]] = {name: [] for name in urls}
    names = list(urls)
    for number in range(visits + 1):
        for name in names if number % 2 == 0 else names[::-1]:
            context = browser.new_context(viewport={"width": 1440, "height": 1000})
            context.add_init_script(KPI_PAINTED)
            page = context.new_page()
            timed = visit(page, urls[name])
            if number:
                visits_of[name].append(timed)
            page.wait_for_timeout(settle * 1000)
            context.close()
    first, second = names
    for field, what in (("first", "first KPI card painted"), ("app", "app's KPI card painted")):
        for name in names:
            times = [getattr(v, field) for v in visits_of[name]]
            print(f"{what}, {name}: median {statistics.median(times):5.2f} s (fastest "
                  f"{min(times):.2f}, slowest {max(times):.2f}, {len(times)} visits)")
        gaps = [getattr(a, field) - getattr(b, field)
                for a, b in zip(visits_of[first], visits_of[second], strict=True)]
        print(f"{what}, paired difference ({first} minus {second}): median "
              f"{statistics.median(gaps):+.2f} s, {sum(g < 0 for g in gaps)} of {len(gaps)} "
              "visits faster")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--settle", type=float, default=3.0)
    parser.add_argument("--visits", type=int, default=4,
                        help="first visits, each with an empty cache (default 4)")
    parser.add_argument("--switch-visits", type=int, default=5,
                        help="new visits, each clicking through every tab as soon as the "
                             "KPI cards are painted (median and slowest per tab; default 5)")
    parser.add_argument("--shots", type=Path, default=None)
    parser.add_argument("--against", type=Path, default=None, metavar="CHECKOUT",
                        help="time first visits only, alternating with the app served from "
                             "another checkout (e.g. a git worktree of an earlier commit)")
    parser.add_argument("--profile", type=int, default=0,
                        help="first visits under V8's CPU profiler: script time per bundle")
    options = parser.parse_args()
    print(f"reference work {reference_seconds():.3f} s, fresh memory (256 MB) "
          f"{fresh_memory_seconds():.3f} s (this machine's speed now; lower is faster)")
    if options.shots is not None:
        options.shots.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as scratch:
        runs, csv = Path(scratch) / "runs", Path(scratch) / "sales.csv"
        cfg, _ = compose_config([])
        run(cfg, runs / "sample")
        charts = charts_per_tab(runs)
        with gzip.open(sample_path(), "rb") as src, csv.open("wb") as dst:
            shutil.copyfileobj(src, dst)
        if options.against is not None:
            with serving(runs) as url, serving(runs, options.against) as other, \
                    sync_playwright() as p:
                browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
                paired_visits(browser, {"this checkout": url, str(options.against): other},
                              options.visits, options.settle)
                browser.close()
            return
        with serving(runs) as url, sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
            timed: list[Visit] = []
            for number in range(options.visits):
                # each visit in a new browser context: an empty cache, no cookies
                context = browser.new_context(viewport={"width": 1440, "height": 1000})
                context.add_init_script(KPI_PAINTED)
                page = context.new_page()
                timed.append(visit(page, url))
                note = " (the browser's first page: it also starts its renderer)" \
                    if number == 0 else ""
                print(f"first visit, KPI painted {timed[-1].first:6.2f} s, the app's "
                      f"{timed[-1].app:.2f} s (Playwright saw it at {timed[-1].seen:.2f} s)"
                      f"{note}")
                if number < options.visits - 1:
                    page.wait_for_timeout(options.settle * 1000)
                    context.close()
            if len(timed) > 1:
                later = timed[1:]
                print(f"first visit, median of the {len(later)} after the browser's first: "
                      f"KPI painted {statistics.median(v.first for v in later):.2f} s, the "
                      f"app's {statistics.median(v.app for v in later):.2f} s (Playwright: "
                      f"{statistics.median(v.seen for v in later):.2f} s)")
            page.wait_for_timeout(options.settle * 1000)
            if options.switch_visits:
                switches_at_once(browser, url, options.switch_visits, options.settle,
                                 charts)
            again = visit(page, url)
            print(f"second visit, KPI painted {again.first:5.2f} s, the app's "
                  f"{again.app:.2f} s (Playwright saw it at {again.seen:.2f} s)")
            page.wait_for_timeout(options.settle * 1000)
            switch_tabs(page, "settled ", options.shots, charts)
            if options.profile:
                profile_visits(browser, url, options.profile, options.settle)
            page.locator("input[type=file]").set_input_files(str(csv))
            picker = page.locator("select").first
            before = picker.input_value()
            started = time.perf_counter()
            page.get_by_role("button", name="Upload and run").click()
            expect(picker).not_to_have_value(before, timeout=300_000)
            page.locator(".sf-kpi[data-kpi=revenue]").wait_for()
            print(f"upload to results        {time.perf_counter() - started:6.2f} s")
            browser.close()


if __name__ == "__main__":
    main()
