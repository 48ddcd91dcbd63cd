"""Logging for every salesforge process: one level, text or JSON lines, to stderr.

The same settings drive ``salesforge run`` (through Hydra's ``hydra/job_logging``, which
also writes ``<run dir>/salesforge.log``), ``salesforge serve`` and ``salesforge api``:

- ``--log-level LEVEL`` or ``SALESFORGE_LOG_LEVEL`` (DEBUG, INFO, WARNING, ERROR, CRITICAL;
  default INFO);
- ``--log-json`` or ``SALESFORGE_LOG_JSON=1``: one JSON object per line with ``time``,
  ``level``, ``logger``, ``message`` and the record's extra fields (``run_id``, ``stage``,
  ``seconds``, ...), for log collectors;
- ``--quiet`` (``run`` only): the terminal shows warnings and errors only; the run's log
  file keeps every line at the chosen level.

Command-line flags win over the environment variables.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TextIO

from pythonjsonlogger.json import JsonFormatter as _BaseJsonFormatter

from salesforge.errors import ConfigError

LEVEL_ENV = "SALESFORGE_LOG_LEVEL"
JSON_ENV = "SALESFORGE_LOG_JSON"
LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
#: The text format: Hydra's own, so run logs look the same with and without salesforge.
TEXT_FORMAT = "[%(asctime)s][%(name)s][%(levelname)s] - %(message)s"
_TRUE = ("1", "true", "yes", "on")
_FALSE = ("0", "false", "no", "off", "")


@dataclass(frozen=True)
class LogSettings:
    """Level (a name from :data:`LEVELS`), JSON or text, and whether the terminal is quiet."""

    level: str = "INFO"
    json: bool = False
    quiet: bool = False

    @property
    def console_level(self) -> str:
        """The terminal's level: ``level``, raised to WARNING when quiet."""
        if self.quiet and LEVELS.index(self.level) < LEVELS.index("WARNING"):
            return "WARNING"
        return self.level

    @property
    def formatter(self) -> str:
        """The name of the formatter in the packaged ``hydra/job_logging`` config."""
        return "json" if self.json else "text"


def log_settings(level: str | None = None, json: bool | None = None, quiet: bool = False,
                 environ: Mapping[str, str] | None = None) -> LogSettings:
    """Settings from the flags, falling back to ``SALESFORGE_LOG_LEVEL`` /
    ``SALESFORGE_LOG_JSON``; a bad value raises :class:`ConfigError` naming its source."""
    env = os.environ if environ is None else environ
    source = "--log-level" if level is not None else LEVEL_ENV
    name = (level if level is not None else env.get(LEVEL_ENV) or "INFO").strip().upper()
    if name not in LEVELS:
        raise ConfigError(f"{source} must be one of {', '.join(LEVELS)}, not {name!r}.")
    if json is None:
        flag = env.get(JSON_ENV, "").strip().lower()
        if flag not in _TRUE + _FALSE:
            raise ConfigError(f"{JSON_ENV} must be 1 or 0 (true/false), not {flag!r}.")
        json = flag in _TRUE
    return LogSettings(level=name, json=json, quiet=quiet)


class JsonFormatter(_BaseJsonFormatter):
    """One JSON object per line: ``time`` (ISO 8601, UTC), ``level``, ``logger``,
    ``message``, then the record's extra fields (``logger.info(..., extra={...})``) and
    ``exc_info`` for exceptions."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:  # python-json-logger's arguments
        kwargs.setdefault("fmt", "%(asctime)s %(levelname)s %(name)s %(message)s")
        kwargs.setdefault("rename_fields", {"asctime": "time", "levelname": "level",
                                            "name": "logger"})
        kwargs.setdefault("json_ensure_ascii", False)
        super().__init__(*args, **kwargs)

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        return datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds")


class StderrHandler(logging.StreamHandler):
    """A stream handler that writes to whatever ``sys.stderr`` is when a record arrives,
    so a live progress display (which wraps ``sys.stderr``) prints log lines above itself."""

    def __init__(self) -> None:
        super().__init__(sys.stderr)

    @property
    def stream(self) -> TextIO:
        return sys.stderr

    @stream.setter
    def stream(self, value: object) -> None:  # set by StreamHandler.__init__; ignored
        pass


def make_formatter(settings: LogSettings) -> logging.Formatter:
    """The JSON or text formatter the settings ask for."""
    return JsonFormatter() if settings.json else logging.Formatter(TEXT_FORMAT)


#: Libraries that install their own handlers on import (Bokeh's default printer, Panel's
#: stdout handler); :func:`configure_logging` sends their records through the root instead.
ADOPTED_LOGGERS = ("bokeh", "panel")


def configure_logging(settings: LogSettings | None = None) -> LogSettings:
    """Set up the root logger of a long-running process (the app, the API): one
    :class:`StderrHandler` at the settings' level, which also receives the records of
    :data:`ADOPTED_LOGGERS`. Calling it again replaces that handler.

    ``settings`` ``None`` reads the environment variables. Returns the settings used.
    """
    settings = settings or log_settings()
    for name in ADOPTED_LOGGERS:
        adopted = logging.getLogger(name)
        for handler in list(adopted.handlers):
            adopted.removeHandler(handler)
        adopted.propagate = True
        adopted.setLevel(logging.NOTSET)  # the root's level decides, not a level set earlier
    root = logging.getLogger()
    # ours: the one an earlier call added, and those of a `salesforge run` (Hydra's
    # job_logging) that ran in this process before
    for handler in [h for h in root.handlers
                    if getattr(h, "_salesforge", False) or isinstance(h, StderrHandler)]:
        root.removeHandler(handler)
    handler = StderrHandler()
    handler._salesforge = True  # type: ignore[attr-defined]
    handler.setFormatter(make_formatter(settings))
    handler.setLevel(settings.console_level)
    root.addHandler(handler)
    root.setLevel(settings.level)
    return settings


def hydra_overrides(settings: LogSettings) -> list[str]:
    """Hydra overrides applying ``settings`` to the packaged ``hydra/job_logging`` config
    (``salesforge/conf/hydra/job_logging/salesforge.yaml``) of ``salesforge run``."""
    node = "hydra.job_logging"
    overrides = [f"{node}.root.level={settings.level}",
                 f"{node}.handlers.console.level={settings.console_level}",
                 f"{node}.handlers.console.formatter={settings.formatter}",
                 f"{node}.handlers.file.formatter={settings.formatter}"]
    if settings.quiet:  # Hydra's own lines too, e.g. a sweep's "Launching 4 jobs locally"
        overrides.append("hydra.hydra_logging.root.level=WARNING")
    return overrides


#: Name of the ``hydra/job_logging`` option :func:`register_job_logging` stores.
JOB_LOGGING = "salesforge"


def job_logging_config() -> dict:
    """``salesforge run``'s logging: text (or JSON) to stderr and to
    ``<run dir>/salesforge.log``, both at INFO unless overridden."""
    return {
        "version": 1,
        "formatters": {"text": {"format": TEXT_FORMAT},
                       "json": {"()": f"{__name__}.JsonFormatter"}},
        "handlers": {
            "console": {"class": f"{__name__}.StderrHandler", "formatter": "text",
                        "level": "INFO"},
            "file": {"class": "logging.FileHandler", "formatter": "text", "encoding": "utf-8",
                     "filename": "${hydra.runtime.output_dir}/${hydra.job.name}.log"},
        },
        "root": {"level": "INFO", "handlers": ["console", "file"]},
        "disable_existing_loggers": False,
    }


def register_job_logging() -> None:
    """Store :func:`job_logging_config` in Hydra's ConfigStore as the option
    ``hydra/job_logging=salesforge``."""
    from hydra.core.config_store import ConfigStore

    ConfigStore.instance().store(group="hydra/job_logging", name=JOB_LOGGING,
                                 node=job_logging_config(), provider="salesforge")


def run_overrides(args: list[str], settings: LogSettings) -> list[str]:
    """Hydra overrides for ``salesforge run``: select the packaged job logging (unless the
    user chose another ``hydra/job_logging``) and apply ``settings`` to it."""
    if any(a.lstrip("+~").startswith(("hydra/job_logging=", "hydra.job_logging")) for a in args):
        return []
    return [f"hydra/job_logging={JOB_LOGGING}", *hydra_overrides(settings)]


def split_flags(args: list[str]) -> tuple[list[str], LogSettings]:
    """Remove ``--quiet``, ``--log-json`` and ``--log-level LEVEL`` (or ``=LEVEL``) from
    ``args``; return the rest and the settings (environment variables as fallback)."""
    rest: list[str] = []
    level: str | None = None
    json: bool | None = None
    quiet = False
    items = iter(args)
    for arg in items:
        if arg == "--quiet":
            quiet = True
        elif arg == "--log-json":
            json = True
        elif arg == "--log-level":
            level = next(items, None)
            if level is None:
                raise ConfigError(f"--log-level needs a level: one of {', '.join(LEVELS)}.")
        elif arg.startswith("--log-level="):
            level = arg.partition("=")[2]
        else:
            rest.append(arg)
    return rest, log_settings(level, json, quiet)
