"""``salesforge runs list|show|compare|diff|accuracy|rebuild`` over the run index."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

from rich.console import Console

from salesforge.errors import ConfigError
from salesforge.runs.accuracy import (
    BY,
    accuracy_by_run,
    accuracy_by_series,
    accuracy_chart,
    accuracy_table,
)
from salesforge.runs.compare import compare
from salesforge.runs.diff import diff_runs
from salesforge.runs.filters import CONDITION, TEXT_FIELDS
from salesforge.runs.index import DEFAULT_INDEX, RunIndex
from salesforge.runs.render import (
    compare_table,
    console,
    print_diff,
    print_json,
    runs_table,
    show_tables,
)

DESCRIPTION = """Work with the run index (every `salesforge run`, sweep job, app and API run
is recorded there). IDs are run ids, unique prefixes of one, `last` or -N (Nth newest),
or a run directory."""


def parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--index", default=str(DEFAULT_INDEX),
                        help="run index file (default outputs/runs.db; rebuilt when missing)")
    common.add_argument("--json", action="store_true", help="print JSON for programs")
    main = argparse.ArgumentParser(prog="salesforge runs", description=DESCRIPTION)
    commands = main.add_subparsers(dest="command", required=True, metavar="COMMAND")
    listing = commands.add_parser("list", parents=[common], help="runs, newest first")
    listing.add_argument("--last", type=int, default=None, metavar="N",
                         help="only the newest N runs")
    listing.add_argument("--where", action="append", default=[], metavar="COND",
                         help="filter such as 'mase<0.9' or status=failed; repeat to AND")
    show = commands.add_parser("show", parents=[common], help="one run's fields and metrics")
    show.add_argument("id")
    comparing = commands.add_parser("compare", parents=[common],
                                    help="metrics side by side, best marked")
    comparing.add_argument("ids", nargs="+", metavar="ID")
    comparing.add_argument("--all", action="store_true",
                           help="every metric (each model's, every KPI), not only key ones")
    diffing = commands.add_parser("diff", parents=[common],
                                  help="config and result differences from run A to run B")
    diffing.add_argument("a", metavar="A")
    diffing.add_argument("b", metavar="B")
    diffing.add_argument("--all", action="store_true",
                         help="also unchanged figures and each model's metrics")
    accuracy = commands.add_parser(
        "accuracy", parents=[common],
        help="realised accuracy of every run's forecasts, as later runs scored them")
    accuracy.add_argument("--model", default=None, help="only this model")
    accuracy.add_argument("--by", choices=BY, default="run",
                          help="one row per forecast run and model (run) or also per series")
    accuracy.add_argument("--chart", default=None, metavar="PATH",
                          help="where to write the Altair chart (HTML); default "
                               "accuracy.html beside the index")
    commands.add_parser("rebuild", parents=[common],
                        help="re-create the index from the manifests under its folder(s)")
    return main


def main(args: Sequence[str]) -> int:
    """Run ``salesforge runs ARGS``; returns the exit code (errors raise ConfigError)."""
    options = parser().parse_args(list(args))
    index = RunIndex(options.index)
    out = console()
    if options.command == "rebuild":
        count = index.rebuild()
        if options.json:
            print_json({"index": str(index.path), "runs": count})
        else:
            out.print(f"rebuilt {index.path}: {count} run(s) from "
                      f"{', '.join(str(r) for r in index.roots if r.is_dir()) or 'no folder'}")
        return 0
    if not index.exists() and not any(r.is_dir() for r in index.roots):
        raise ConfigError(f"no run index at {index.path} and no runs folder beside it; run "
                          "`salesforge run` first or pass --index PATH.")
    if options.command == "list":
        if options.last is not None and options.last < 1:
            raise ConfigError(f"--last must be at least 1, not {options.last}.")
        rows = index.runs(last=options.last, where=options.where)
        if options.json:
            print_json(rows)
        else:
            out.print(runs_table(rows, extra=_where_metrics(options.where)))
        return 0
    if options.command == "accuracy":
        return _accuracy(index, options, out)
    if options.command == "show":
        row = index.resolve(options.id)
        if options.json:
            print_json(row)
        else:
            for table in show_tables(row):
                out.print(table)
        return 0
    if options.command == "compare":
        rows = [index.resolve(ref) for ref in options.ids]
        if len({r["run_id"] for r in rows}) < 2:
            raise ConfigError("salesforge runs compare needs at least two different runs.")
        comparison = compare(rows, everything=options.all)
        if options.json:
            print_json(comparison.to_json())
        else:
            out.print(compare_table(comparison))
        return 0
    row_a, row_b = index.resolve(options.a), index.resolve(options.b)
    diff = diff_runs(row_a, row_b, everything=options.all)
    if options.json:
        print_json(diff)
    else:
        print_diff(diff, out, everything=options.all)
    return 0


def _where_metrics(conditions: Sequence[str]) -> list[str]:
    """Metric names used in ``--where`` (shown as extra list columns)."""
    names = []
    for text in conditions:
        match = CONDITION.match(text)
        if match and match.group(1) not in TEXT_FIELDS and match.group(1) != "horizon":
            names.append(match.group(1))
    return names


def _accuracy(index: RunIndex, options: argparse.Namespace, out: Console) -> int:
    """``salesforge runs accuracy``: the table (or JSON) and, by run, the chart."""
    if options.by == "series":
        frame = accuracy_by_series(index, options.model)
    else:
        frame = accuracy_by_run(index, options.model)
    if options.json:
        print_json(frame.to_dict("records"))
        return 0
    if frame.empty:
        out.print("no run has scored an earlier run's forecasts yet: realised accuracy "
                  "needs a run whose data covers periods an earlier run forecast "
                  "(forecast.realized=auto).")
        return 0
    out.print(accuracy_table(frame, options.by))
    if options.by == "run":
        chart = Path(options.chart) if options.chart else index.path.parent / "accuracy.html"
        out.print(f"chart: {accuracy_chart(frame, chart)}")
    return 0
