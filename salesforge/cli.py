"""The ``salesforge`` command: run, plugins, sample, predict, --version.

``salesforge run [overrides]`` is the Hydra application (the only ``@hydra.main``); the
other sub-commands are plain argparse. Every user-facing failure prints one sentence
to stderr and exits non-zero; ``--verbose`` adds the traceback.
"""

from __future__ import annotations

import argparse
import logging
import sys
import traceback
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from salesforge import __version__
from salesforge.errors import SalesforgeError, describe_error

if TYPE_CHECKING:
    from omegaconf import DictConfig

    from salesforge.logs import LogSettings
    from salesforge.plugin.manager import SalesforgePluginManager

log = logging.getLogger("salesforge")

USAGE = """usage: salesforge <command> [options]

commands:
  run [overrides]   run the pipeline (Hydra overrides, e.g. forecaster=[seasonal_naive,linear]
                    forecast.horizon=14 data.path=sales.csv; -m sweeps; --cfg job shows config)
  plugins           list every component: kind, name, distribution, version
  sample            write synthetic sales data: --rows N --seed S --out FILE; or a weekly
                    forecasting panel of N products: --panel N [--weeks W]
  predict model=PATH [forecast.horizon=H] [exog_future=FILE] [out=FILE]
                    forecast forward from a run directory (its best model) or a saved
                    model folder; CSV to FILE or stdout
  serve [--runs DIR] [--host 127.0.0.1] [--port 5006] [--auth basic|oauth|none]
                    the results app (Panel) over a runs folder (default outputs/); login
                    with --basic-auth / SALESFORGE_APP_BASIC_AUTH or OAuth (docs/app.md)
  api [--host 127.0.0.1] [--port 8000] [--store DIR]
                    the REST API (FastAPI; OpenAPI docs at /docs) over a data store
  runs list|show|compare|diff|rebuild [--index outputs/runs.db] [--json]
                    the run index: list [--last N] [--where 'mase<0.9'], show ID,
                    compare ID ID ..., diff ID ID, rebuild
  --version         print the version

add --verbose to any command to see tracebacks; run, serve and api take --log-level LEVEL
(DEBUG, INFO, WARNING, ERROR) and --log-json (one JSON object per log line); run takes
--quiet (no live progress, only warnings and errors on the terminal)."""


@dataclass(frozen=True)
class Invocation:
    """What every sub-command gets besides its own arguments: ``--verbose`` and the log
    settings of ``--log-level``/``--log-json``/``--quiet`` (``None``: from the environment)."""

    verbose: bool = False
    logs: LogSettings | None = None


@dataclass
class RunTask:
    """The Hydra task of one ``salesforge run``: each job (one, or one per sweep point)
    runs the pipeline with ``plugins`` and adds its failure sentence to ``failures``."""

    plugins: SalesforgePluginManager
    verbose: bool
    failures: list[str] = field(default_factory=list)

    def __call__(self, cfg: DictConfig) -> None:
        from hydra.core.hydra_config import HydraConfig
        from hydra.types import RunMode

        from salesforge.run_warnings import run_warnings
        from salesforge.runner import run

        hydra_cfg = HydraConfig.get()
        run_dir = hydra_cfg.runtime.output_dir
        try:
            result = run(cfg, run_dir, plugins=self.plugins)
        except BaseException as error:  # report in one sentence; the manifest has the rest
            if self.verbose or hydra_cfg.verbose or not isinstance(error, Exception):
                traceback.print_exc()
            message = describe_error(error)
            self.failures.append(message)
            print(f"salesforge: error: {message}", file=sys.stderr)
            print(f"salesforge: run directory: {run_dir}", file=sys.stderr)
            if hydra_cfg.mode != RunMode.MULTIRUN:
                raise SystemExit(getattr(error, "exit_code", 1)) from None
            return
        best = (result.manifest.get("forecast") or {}).get("best")
        print(f"salesforge: run {result.manifest['run_id']} ok in "
              f"{sum(result.manifest['timings'].values()):.1f}s"
              + (f", best forecaster {best}" if best else "") + f"; results in {run_dir}")
        for warning in run_warnings(result.manifest):  # last, so they are what a user sees
            print(f"salesforge: warning: {warning}")


def _fail(message: str, code: int = 2) -> int:
    print(f"salesforge: error: {message}", file=sys.stderr)
    return code


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script; returns the exit code."""
    args = list(sys.argv[1:] if argv is None else argv)
    verbose = "--verbose" in args
    args = [a for a in args if a != "--verbose"]
    from salesforge.logs import split_flags

    try:
        args, settings = split_flags(args)
    except SalesforgeError as error:
        return _fail(str(error), error.exit_code)
    if not args or args[0] in ("-h", "--help", "help"):
        print(USAGE)
        return 0
    if args[0] in ("--version", "-V", "version"):
        print(f"salesforge {__version__}")
        return 0
    command, rest = args[0], args[1:]
    commands = {"run": _run, "plugins": _plugins, "sample": _sample, "predict": _predict,
                "serve": _serve, "api": _api, "runs": _runs}
    if command not in commands:
        return _fail(f"unknown command {command!r}; commands: {', '.join(commands)}.")
    try:
        return commands[command](rest, Invocation(verbose, settings))
    except SalesforgeError as error:
        if verbose:
            traceback.print_exc()
        return _fail(str(error), error.exit_code)
    except BrokenPipeError:  # e.g. `salesforge predict ... | head`
        sys.stderr.close()
        return 0
    except Exception as error:  # unexpected: still one sentence unless --verbose
        if verbose:
            traceback.print_exc()
        return _fail(describe_error(error), 1)


def _plugins(args: list[str], call: Invocation) -> int:
    from salesforge.plugin.manager import build_plugin_manager

    parser = argparse.ArgumentParser(prog="salesforge plugins",
                                     description="List every registered component.")
    parser.parse_args(args)
    pm = build_plugin_manager()
    rows = [("KIND", "NAME", "DISTRIBUTION", "VERSION", "SUMMARY")]
    rows += [(c.kind, c.name, c.distribution, c.version, c.summary) for c in pm.registry]
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    for row in rows:
        print("  ".join(cell.ljust(w) for cell, w in zip(row[:4], widths, strict=True))
              + "  " + row[4])
    for failure in pm.failures:
        print(f"warning: {failure.describe()}", file=sys.stderr)
    return 0


def _sample(args: list[str], call: Invocation) -> int:
    from salesforge.data.sample import DEFAULT_ROWS, DEFAULT_SEED, write_sample

    parser = argparse.ArgumentParser(prog="salesforge sample",
                                     description="Write deterministic synthetic sales data.")
    parser.add_argument("--rows", type=int, default=DEFAULT_ROWS, help="rows to generate")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="random seed")
    parser.add_argument("--out", default="sales_sample.csv",
                        help="output file (.csv, .csv.gz, ...); labels go beside it")
    parser.add_argument("--panel", type=int, default=None, metavar="N",
                        help="instead: a weekly panel of N products (level shifts, yearly "
                             "seasonality, holiday spikes, intermittent demand)")
    parser.add_argument("--weeks", type=int, default=None, help="weeks of the --panel")
    options = parser.parse_args(args)
    if options.panel is not None:
        return _sample_panel(options)
    if options.weeks is not None:
        return _fail("--weeks needs --panel N.")
    if options.rows < 1:
        return _fail(f"--rows must be at least 1, not {options.rows}.")
    sales, labels = write_sample(options.out, rows=options.rows, seed=options.seed)
    print(f"wrote {options.rows:,} rows to {sales} and anomaly labels to {labels}")
    return 0


def _sample_panel(options: argparse.Namespace) -> int:
    from salesforge.data.weekly_panel import DEFAULT_WEEKS, write_weekly_panel

    weeks = DEFAULT_WEEKS if options.weeks is None else options.weeks
    if options.panel < 1 or weeks < 2:
        return _fail(f"--panel must be at least 1 and --weeks at least 2, not "
                     f"{options.panel} and {weeks}.")
    path, rows = write_weekly_panel(options.out, n_series=options.panel, weeks=weeks,
                                    seed=options.seed)
    print(f"wrote a weekly panel of {options.panel:,} products x {weeks} weeks "
          f"({rows:,} rows) to {path}; forecast it with forecast.freq=W "
          "'forecast.by=[product]' forecast.target=quantity")
    return 0


def _predict(args: list[str], call: Invocation) -> int:
    from salesforge.forecast.predict import predict_saved
    from salesforge.plugin.manager import build_plugin_manager

    known = {"model", "forecast.horizon", "out", "exog_future"}
    options: dict[str, str] = {}
    for arg in args:
        key, sep, value = arg.partition("=")
        if not sep or key not in known:
            return _fail(f"salesforge predict takes {', '.join(sorted(known))} as key=value, "
                         f"not {arg!r}.")
        options[key] = value
    if not options.get("model"):
        return _fail("salesforge predict needs model=<run dir or model folder>.")
    horizon = options.get("forecast.horizon")
    if horizon is not None and not horizon.isdigit():
        return _fail(f"config key forecast.horizon must be a whole number, not {horizon!r}.")
    forecast = predict_saved(options["model"], int(horizon) if horizon else None,
                             build_plugin_manager().registry,
                             exog_future=options.get("exog_future") or None)
    if options.get("out"):
        forecast.to_csv(options["out"], index=False)
        print(f"wrote {len(forecast):,} forecasts to {options['out']}")
    else:
        forecast.to_csv(sys.stdout, index=False)
    return 0


def _serve(args: list[str], call: Invocation) -> int:
    parser = argparse.ArgumentParser(prog="salesforge serve",
                                     description="Serve the results app over a runs folder.")
    parser.add_argument("--runs", default="outputs", help="folder of run directories")
    parser.add_argument("--host", default="127.0.0.1",
                        help="interface to listen on (0.0.0.0: every interface, e.g. in Docker)")
    parser.add_argument("--port", type=int, default=5006, help="port")
    login = parser.add_argument_group(
        "login (Panel's own; secrets better through SALESFORGE_APP_* environment variables)")
    login.add_argument("--auth", choices=["auto", "none", "basic", "oauth"],
                       help="login: auto (default: basic with a password, oauth with a "
                            "provider), none, basic, oauth; replaces app.auth")
    login.add_argument("--basic-auth", metavar="PASSWORD_OR_FILE",
                       help="one password, or a JSON file of user: password")
    login.add_argument("--cookie-secret", help="secret signing the login cookie")
    login.add_argument("--oauth-provider", help="e.g. github, google, azure, generic")
    login.add_argument("--oauth-key", help="OAuth client id")
    login.add_argument("--oauth-secret", help="OAuth client secret")
    login.add_argument("--oauth-encryption-key",
                       help="key encrypting OAuth tokens in cookies (panel oauth-secret)")
    login.add_argument("--oauth-redirect-uri", help="the app's public OAuth callback URL")
    options = parser.parse_args(args)
    from salesforge.app.auth import load_auth

    auth = load_auth(**{name: getattr(options, name) for name in (
        "auth", "basic_auth", "cookie_secret", "oauth_provider", "oauth_key", "oauth_secret",
        "oauth_encryption_key", "oauth_redirect_uri")})  # refuses before Panel is imported
    from salesforge.app.main import serve

    print(f"salesforge: serving {options.runs} at "
          f"http://{options.host}:{options.port}/salesforge"
          + ("" if auth.mode == "none" else f" (login: {auth.mode})"), flush=True)
    serve(options.runs, options.port, address=options.host, logs=call.logs, auth=auth)
    return 0


def _api(args: list[str], call: Invocation) -> int:
    parser = argparse.ArgumentParser(prog="salesforge api", description="Serve the REST API.")
    parser.add_argument("--host", default="127.0.0.1", help="interface to listen on")
    parser.add_argument("--port", type=int, default=8000, help="port")
    parser.add_argument("--store", default=None, help="data store folder (default: api.store)")
    options = parser.parse_args(args)
    from salesforge.api.server import serve as serve_api

    serve_api(options.host, options.port, options.store, logs=call.logs)
    return 0


def _runs(args: list[str], call: Invocation) -> int:
    from salesforge.runs.command import main as runs_main

    return runs_main(args)


def _run(args: list[str], call: Invocation) -> int:
    from salesforge.config import register_component_configs
    from salesforge.overrides import check_overrides
    from salesforge.plugin.manager import build_plugin_manager
    from salesforge.settings import register_schemas

    pm = build_plugin_manager()
    for failure in pm.failures:
        log.warning(failure.describe())
    register_component_configs(pm.registry)
    register_schemas()
    check_overrides(args, pm)
    from salesforge import logs, progress

    logs.register_job_logging()
    settings = call.logs or logs.log_settings()
    if not (settings.quiet or settings.json):
        progress.enable()  # only when stderr is an interactive terminal
    task = RunTask(pm, call.verbose)
    try:
        _hydra_app(task, [*args, *logs.run_overrides(args, settings)])
    finally:
        progress.disable()
    return 1 if task.failures else 0


def _hydra_app(task: RunTask, overrides: list[str]) -> None:
    """Hydra's application (``hydra.main``'s work: run directory, ``-m`` sweeps, ``--cfg``,
    logging) over the packaged config with ``overrides`` as its command line; the task is
    called once per job. Hydra reads these arguments, never ``sys.argv``."""
    from hydra._internal.utils import _run_hydra, get_args_parser

    parser = get_args_parser()
    parser.prog = "salesforge run"

    def salesforge_run(cfg: DictConfig) -> None:  # the job is named after the module: cli
        task(cfg)

    _run_hydra(args=parser.parse_args(overrides), args_parser=parser,
               task_function=salesforge_run, config_path="conf", config_name="config")


if __name__ == "__main__":
    sys.exit(main())
