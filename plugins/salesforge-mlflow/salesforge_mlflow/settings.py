"""The plugin's settings: the run config's ``mlflow`` node, with defaults from the environment.

salesforge's packaged config has no ``mlflow`` node (a plugin ships no YAML into the core's
tree), so users add keys with a ``+``: ``salesforge run +mlflow.tracking_uri=sqlite:///mlflow.db``.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from omegaconf import DictConfig, OmegaConf

from salesforge.errors import ConfigError

#: The config node this plugin reads.
NODE = "mlflow"
#: Run-directory entries logged as artifacts by default (``data/`` is left out: it copies the
#: input and can be large; add it with ``+mlflow.artifacts=[...]``).
DEFAULT_ARTIFACTS = ("manifest.json", "salesforge.log", ".hydra", "forecast", "segments",
                     "anomalies", "reports", "charts")


@dataclass(frozen=True)
class MlflowSettings:
    """How a run is tracked.

    ``enabled`` ``None`` means: track when a tracking URI is known (``tracking_uri`` or the
    ``MLFLOW_TRACKING_URI`` environment variable). ``tracking_uri`` ``None`` falls back to
    ``MLFLOW_TRACKING_URI``, then to MLflow's own default. ``experiment`` ``None`` falls back
    to ``MLFLOW_EXPERIMENT_NAME``, then ``"salesforge"``.
    """

    enabled: bool | None = None
    tracking_uri: str | None = None
    experiment: str | None = None
    artifact_location: str | None = None
    run_name: str | None = None
    log_models: bool = True
    artifacts: tuple[str, ...] = DEFAULT_ARTIFACTS
    tags: dict[str, str] = field(default_factory=dict)

    @property
    def active(self) -> bool:
        """Whether runs are logged."""
        if self.enabled is not None:
            return self.enabled
        return self.tracking_uri is not None


def settings_from_config(config: DictConfig | Mapping[str, Any] | None,
                         environ: Mapping[str, str] | None = None) -> MlflowSettings:
    """The settings under ``config.mlflow`` (absent = all defaults), environment filled in.

    Raises :class:`ConfigError` naming the key for an unknown setting or a wrong type.
    """
    env = os.environ if environ is None else environ
    node = config.get(NODE) if config is not None else None
    if OmegaConf.is_config(node):
        node = OmegaConf.to_container(node, resolve=True)
    node = dict(node or {}) if isinstance(node, Mapping) or node is None else node
    if not isinstance(node, dict):
        raise ConfigError(f"config key {NODE} must be a mapping of settings, not {node!r}.")
    known = {f.name for f in dataclasses.fields(MlflowSettings)}
    unknown = sorted(set(node) - known)
    if unknown:
        raise ConfigError(f"config key {NODE}.{unknown[0]} is not a setting of salesforge-mlflow "
                          f"(settings: {', '.join(sorted(known))}).")
    for key in ("enabled", "log_models"):
        if key in node and node[key] is not None and not isinstance(node[key], bool):
            raise ConfigError(f"config key {NODE}.{key} must be true or false, "
                              f"not {node[key]!r}.")
    if "artifacts" in node:
        if not isinstance(node["artifacts"], list | tuple):
            raise ConfigError(f"config key {NODE}.artifacts must be a list of run-directory "
                              f"paths, not {node['artifacts']!r}.")
        node["artifacts"] = tuple(str(a) for a in node["artifacts"])
    if "tags" in node:
        if not isinstance(node["tags"], dict):
            raise ConfigError(f"config key {NODE}.tags must be a mapping, not {node['tags']!r}.")
        node["tags"] = {str(k): str(v) for k, v in node["tags"].items()}
    for key in ("tracking_uri", "experiment", "artifact_location", "run_name"):
        if node.get(key) is not None:
            node[key] = str(node[key])
    node.setdefault("log_models", True)
    if node["log_models"] is None:
        node["log_models"] = True
    settings = MlflowSettings(**node)
    return dataclasses.replace(
        settings,
        tracking_uri=settings.tracking_uri or env.get("MLFLOW_TRACKING_URI") or None,
        experiment=settings.experiment or env.get("MLFLOW_EXPERIMENT_NAME") or "salesforge",
    )
