"""Settings of the REST API: the ``api:`` node of the packaged config, overridable in code."""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from omegaconf import DictConfig, OmegaConf

from salesforge.config import conf_dir, plain
from salesforge.data.input_limits import STRICT, InputLimits, limits_from_config
from salesforge.errors import ConfigError

#: Environment variable with comma-separated API keys, added to ``api.keys``.
KEYS_ENV = "SALESFORGE_API_KEYS"
#: Environment variable with comma-separated browser origins, added to ``api.cors_origins``.
CORS_ENV = "SALESFORGE_API_CORS_ORIGINS"
#: Environment variables replacing ``api.max_upload_mb`` and ``api.workers`` (containers).
MAX_UPLOAD_ENV = "SALESFORGE_API_MAX_UPLOAD_MB"
WORKERS_ENV = "SALESFORGE_API_WORKERS"
#: Environment variable replacing ``api.job_timeout_s`` (seconds a job may run).
JOB_TIMEOUT_ENV = "SALESFORGE_API_JOB_TIMEOUT_S"


@dataclass(frozen=True)
class ApiSettings:
    """Where the API keeps its data and what it accepts.

    ``store`` holds datasets, models, runs and their index; ``max_upload_mb`` bounds an
    upload; ``keys`` non-empty requires header ``X-API-Key`` on every endpoint but
    ``/api/health``; ``cors_origins`` are the browser origins allowed to call the API;
    ``workers`` is the number of jobs run at once, each in a process of its own;
    ``job_timeout_s`` stops a job that runs longer (``None``: no limit); ``limits`` bounds
    what one upload may expand to (``api.limits``).
    """

    store: Path = Path(".salesforge-api")
    max_upload_mb: float = 16.0
    keys: tuple[str, ...] = ()
    cors_origins: tuple[str, ...] = ()
    workers: int = 2
    job_timeout_s: float | None = 1800.0
    limits: InputLimits = STRICT

    @property
    def max_upload_bytes(self) -> int:
        return int(self.max_upload_mb * 1024 * 1024)

    def with_(self, **changes: Any) -> ApiSettings:
        """A copy with ``changes`` applied (``None`` values ignored)."""
        return replace(self, **{k: v for k, v in changes.items() if v is not None})


def _listed(name: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, "").split(",") if item.strip()]


def _number(name: str, kind: type, configured: Any) -> Any:
    """``kind`` of the environment variable ``name`` when set, else ``configured``."""
    text = os.environ.get(name, "").strip()
    if not text:
        return kind(configured)
    try:
        return kind(text)
    except ValueError:
        what = "a whole number" if kind is int else "a number"
        raise ConfigError(f"environment variable {name} must be {what}, not {text!r}.") from None


def _timeout(configured: Any) -> float | None:
    """``api.job_timeout_s``, replaced by the environment variable when set ("none" = no
    limit)."""
    text = os.environ.get(JOB_TIMEOUT_ENV, "").strip().lower()
    if text in ("none", "null"):
        return None
    if text:
        return _number(JOB_TIMEOUT_ENV, float, None)
    return None if configured is None else float(configured)


def load_settings(path: str | Path | None = None) -> ApiSettings:
    """Settings from the ``api:`` node of ``path`` (default: the packaged config.yaml).

    For containers, the environment adds API keys (``SALESFORGE_API_KEYS``) and CORS
    origins (``SALESFORGE_API_CORS_ORIGINS``), both comma-separated, and replaces the
    upload limit (``SALESFORGE_API_MAX_UPLOAD_MB``) and job threads
    (``SALESFORGE_API_WORKERS``)."""
    loaded = OmegaConf.load(Path(path) if path else conf_dir() / "config.yaml")
    values = plain(loaded.get("api") if isinstance(loaded, DictConfig) else None)
    settings = ApiSettings(
        store=Path(str(values.get("store") or ".salesforge-api")).expanduser(),
        max_upload_mb=_number(MAX_UPLOAD_ENV, float, values.get("max_upload_mb") or 16),
        keys=tuple([str(k) for k in values.get("keys") or []] + _listed(KEYS_ENV)),
        cors_origins=tuple([str(o) for o in values.get("cors_origins") or []]
                           + _listed(CORS_ENV)),
        workers=_number(WORKERS_ENV, int, values.get("workers") or 2),
        job_timeout_s=_timeout(values.get("job_timeout_s", 1800)),
        limits=load_limits(values.get("limits")),
    )
    if settings.job_timeout_s is not None and settings.job_timeout_s <= 0:
        raise ConfigError(f"config key api.job_timeout_s (environment variable "
                          f"{JOB_TIMEOUT_ENV}) must be a positive number of seconds or null.")
    if settings.max_upload_mb <= 0 or settings.workers < 1:
        raise ConfigError("config keys api.max_upload_mb and api.workers (environment "
                          f"variables {MAX_UPLOAD_ENV}, {WORKERS_ENV}) must be positive.")
    return settings


def load_limits(node: Any) -> InputLimits:
    """``api.limits``: what one upload may expand to (decompressed bytes, ratio, columns,
    cells, parse time); keys left out keep :data:`~salesforge.data.input_limits.STRICT`."""
    return limits_from_config(node, "api.limits", STRICT)
