"""The plain settings of a run, typed: one dataclass per settings group of ``config.yaml``.

Component groups (``cleaner``, ``forecaster``, ...) are typed by each component's own
settings (:mod:`salesforge.registry`); the plain groups (``data``, ``forecast``,
``backtest``, ``tuning``, ``detect``, ``segment``, ``report``, ``stages``, ``app``, ``api``,
``runs``, ``alerts``) by the dataclasses here. :func:`typed_settings` merges a composed
config's plain groups onto them: a value of the wrong type, a missing key or an unknown
one fails with one sentence naming the key, when the config is composed (``compose``,
``salesforge run`` before the first stage), not deep inside a stage. The merged groups
replace the config's, so stage code reads ``cfg.detect.top_causes`` as an ``int`` without
fallbacks of its own. The defaults are those of the packaged ``config.yaml`` (a test keeps
the two equal); the schemas are also in Hydra's ConfigStore under ``schema/<group>``.

Keys whose value is one of several types (``data.path``: a path or a list of them;
``forecast.realized``: ``auto``, a run id or ``false``) are ``Any`` here and checked by the
code that reads them, which names the key as well.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from typing import Any

from omegaconf import DictConfig, OmegaConf, open_dict, read_write
from omegaconf.errors import OmegaConfBaseException

from salesforge.errors import ConfigError

__all__ = ["SCHEMAS", "register_schemas", "typed_settings"]

@dataclass
class InputLimitsSettings:
    """``data.limits``, ``app.limits``, ``api.limits``: bounds checked while streaming."""

    max_decompressed_mb: float | None = 20000
    max_ratio: float | None = 200
    max_columns: int | None = 10000
    max_cells: int | None = None
    max_entries: int | None = 100000
    max_parse_seconds: float | None = None


def _client_limits() -> InputLimitsSettings:
    return InputLimitsSettings(max_decompressed_mb=512, max_ratio=100, max_columns=1000,
                               max_cells=50_000_000, max_entries=10_000,
                               max_parse_seconds=120)


@dataclass
class DriftSettings:
    reference: Any = "auto"
    threshold: float = 0.25


@dataclass
class OutOfCoreSettings:
    """``data.out_of_core`` (docs/data.md); :func:`salesforge.data.out_of_core.parse_settings`
    checks ``enabled`` (auto | true | false) and the bounds."""

    enabled: Any = "auto"
    threshold_mb: float | None = None
    engine: str = "duckdb"
    memory_limit: str | None = None
    threads: int | None = None
    grain: list[str] = field(default_factory=lambda: ["product", "category", "region"])
    temp_directory: str | None = None
    rejected_examples: int = 10000


@dataclass
class DataSettings:
    path: Any = None
    format: str = "auto"
    dayfirst: bool | None = None
    columns: dict[str, str | None] = field(default_factory=lambda: dict.fromkeys(
        ("date", "product", "category", "region", "quantity", "price", "revenue",
         "customer_id", "order_id", "discount", "cost")))
    options: dict[str, Any] = field(default_factory=lambda: dict.fromkeys(
        ("delimiter", "encoding", "sheet", "query", "table")))
    labels: str | None = None
    max_rejected_share: float | None = 0.05
    drift: DriftSettings = field(default_factory=DriftSettings)
    out_of_core: OutOfCoreSettings = field(default_factory=OutOfCoreSettings)
    limits: InputLimitsSettings = field(default_factory=InputLimitsSettings)


@dataclass
class ForecastSettings:
    target: str = "revenue"
    freq: str = "auto"
    horizon: int = 28
    by: list[str] = field(default_factory=list)
    fill: str = "zero"
    baseline: str = "seasonal_naive"
    metric: str = "mase"
    select: str = "global"
    realized: Any = "auto"
    intermittent: Any = "auto"
    interval_level: float = 0.8
    interval_levels: list[float] = field(default_factory=lambda: [0.95])
    reconcile: str = "none"
    save_models: bool = True
    exog: list[str] = field(default_factory=list)
    exog_future: str | None = None


@dataclass
class BacktestSettings:
    windows: int = 4
    step: int | None = None


@dataclass
class TuningSettings:
    enabled: bool = False
    n_trials: int = 20
    timeout: float | None = None
    metric: str | None = None
    storage: str | None = None
    study_name: str | None = None
    seed: int = 0
    models: list[str] = field(default_factory=list)
    space: dict[str, Any] = field(default_factory=dict)
    batch_size: int = 1


@dataclass
class DetectSettings:
    series: bool = True
    target: str = "revenue"
    freq: str = "D"
    by: list[str] = field(default_factory=list)
    season: int | None = None
    cycles: int = 4
    series_detector: str = "mad"
    series_settings: dict[str, Any] = field(default_factory=lambda: {"threshold": 4.0})
    drill: list[str] = field(default_factory=lambda: ["category", "region", "product"])
    top_causes: int = 3
    partition_by: str | None = None


@dataclass
class SegmentSettings:
    entity: str | None = None
    freq: str = "W"


@dataclass
class ReportSettings:
    title: str = "Sales report"
    language: str = "en"
    currency: str = "IDR"
    sections: Any = field(default_factory=lambda: [
        "summary", "insights", "trend", "rankings", "growth", "bridge", "forecast",
        "segments", "anomalies", "data_quality"])
    moving_average: int = 28
    png: bool = True


@dataclass
class AppSettings:
    upload_max_mb: float = 16
    language: str = "en"
    limits: InputLimitsSettings = field(default_factory=_client_limits)
    auth: str = "auto"
    basic_auth_file: str | None = None
    oauth_provider: str | None = None
    oauth_redirect_uri: str | None = None


@dataclass
class StageSwitches:
    load: bool = True
    clean: bool = True
    features: bool = True
    forecast: bool = True
    segment: bool = True
    detect: bool = True
    analytics: bool = True
    report: bool = True


@dataclass
class ApiConfig:
    store: str = ".salesforge-api"
    max_upload_mb: float = 16
    keys: list[str] = field(default_factory=list)
    cors_origins: list[str] = field(default_factory=list)
    limits: InputLimitsSettings = field(default_factory=_client_limits)
    workers: int = 2
    job_timeout_s: float | None = 1800


@dataclass
class RunsSettings:
    index: str = "outputs/runs.db"
    record: bool = True


@dataclass
class AlertsSettings:
    rules: list[Any] = field(default_factory=list)


#: Plain settings group -> its schema.
SCHEMAS: dict[str, type] = {
    "data": DataSettings, "forecast": ForecastSettings, "backtest": BacktestSettings,
    "tuning": TuningSettings, "detect": DetectSettings, "segment": SegmentSettings,
    "report": ReportSettings, "app": AppSettings, "stages": StageSwitches, "api": ApiConfig,
    "runs": RunsSettings, "alerts": AlertsSettings,
}


def typed_settings(cfg: DictConfig) -> DictConfig:
    """``cfg`` with each plain group present merged onto its schema (in place; returned).

    :raises ConfigError: naming the first key whose value does not fit its type, or a key
        the group does not have."""
    for group, schema in SCHEMAS.items():
        node = cfg.get(group)
        if node is None or OmegaConf.get_type(node) is schema:
            continue
        try:
            typed = OmegaConf.merge(OmegaConf.structured(schema), node)
        except OmegaConfBaseException as error:
            raise ConfigError(_sentence(group, error)) from None
        OmegaConf.set_struct(typed, True)
        with read_write(cfg), open_dict(cfg):
            cfg[group] = typed
    return cfg


def _sentence(group: str, error: OmegaConfBaseException) -> str:
    key = getattr(error, "full_key", "") or ""
    key = key if key.startswith(f"{group}.") or key == group else f"{group}.{key}".rstrip(".")
    message = str(error).split("\n", 1)[0].rstrip(".")
    value = getattr(error, "value", None)
    if "could not be converted" in message or "Value '" in message:
        return f"config key {key} has a value of the wrong type ({message})."
    if "not in" in message or "has no attribute" in message or "Key '" in message:
        return (f"config key {key} does not exist; check its spelling, or see "
                f"docs/configuration.md for the {group} settings.")
    shown = "" if value is None else f" (value {value!r})"
    return f"config key {key} is not valid{shown}: {message}."


@cache
def register_schemas() -> None:
    """Put every schema in Hydra's ConfigStore as ``schema/<group>`` (for tools that list
    the config tree; the check itself is :func:`typed_settings`); once per process."""
    from hydra.core.config_store import ConfigStore

    store = ConfigStore.instance()
    for group, schema in SCHEMAS.items():
        store.store(group="schema", name=group, node=schema)
