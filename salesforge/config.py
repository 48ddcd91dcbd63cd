"""Reading component choices from the run config, and making plugin configs selectable.

Two shapes of config group:

* list groups (``forecaster``, ``features``, ``reporter``, ``notifier``): each option's
  YAML keys its settings by its own name, so ``forecaster=[a,b]`` merges to
  ``{a: {...}, b: {...}}``;
* single groups (``cleaner``, ``segmenter``, ``detector``, ``analyzer``, ``executor``):
  flat settings plus ``name``, so ``detector.contamination=0.01`` works.

A plugin component that ships no YAML still works as ``forecaster=<name>``: its config
dataclass is stored in Hydra's ConfigStore under the kind's group (see
:func:`register_component_configs`).
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path
from typing import Any

from omegaconf import DictConfig, OmegaConf

from salesforge.errors import ConfigError
from salesforge.registry import Registry

#: Config group -> component kind, for groups that select components.
GROUP_KINDS: dict[str, str] = {
    "cleaner": "cleaner",
    "features": "feature_builder",
    "forecaster": "forecaster",
    "segmenter": "segmenter",
    "detector": "detector",
    "analyzer": "analyzer",
    "reporter": "reporter",
    "notifier": "notifier",
    "executor": "executor",
}
LIST_GROUPS = frozenset({"features", "forecaster", "reporter", "notifier"})


def conf_dir() -> Path:
    """The packaged config tree (works from a wheel and a source checkout)."""
    return Path(str(files("salesforge") / "conf"))


def packaged_config() -> DictConfig:
    """The packaged ``config.yaml`` as written (not composed: its defaults list is not
    applied)."""
    node = OmegaConf.load(conf_dir() / "config.yaml")
    assert isinstance(node, DictConfig)  # a mapping of keys, never a list
    return node


def choices(cfg: DictConfig, group: str) -> list[tuple[str, dict[str, Any]]]:
    """The components a list group selects, in config order: ``[(name, settings)]``."""
    node = cfg.get(group)
    if node is None:
        return []
    if not isinstance(node, DictConfig):
        raise ConfigError(f"config key {group} must be a mapping of component names to settings.")
    return [(str(name), _settings(node[name], f"{group}.{name!s}")) for name in node]


def choice(cfg: DictConfig, group: str) -> tuple[str, dict[str, Any]]:
    """The component a single group selects: ``(name, settings)``."""
    node = cfg.get(group)
    if not isinstance(node, DictConfig) or not node.get("name"):
        raise ConfigError(f"config key {group}.name is missing; choose one with {group}=<name>.")
    settings = _settings(node, group)
    return str(settings.pop("name")), settings


def plain(node: Any) -> dict[str, Any]:
    """A mapping config node as a plain ``dict`` (interpolations resolved; ``{}`` for
    ``None``); a plain mapping is copied."""
    if node is None:
        return {}
    if isinstance(node, DictConfig):
        value = OmegaConf.to_container(node, resolve=True)
        assert isinstance(value, dict)
        return {str(k): v for k, v in value.items()}
    return dict(node)


def _settings(node: Any, key: str) -> dict[str, Any]:
    if node is None:
        return {}
    if not isinstance(node, DictConfig):
        raise ConfigError(f"config key {key} must be a mapping of settings, got {node!r}.")
    return plain(node)


def register_component_configs(registry: Registry) -> list[tuple[str, str]]:
    """Store a config node for every registered component that has no YAML option in the
    packaged conf tree, so ``<group>=<name>`` selects it. Returns ``(group, name)`` pairs."""
    from hydra.core.config_store import ConfigStore

    store = ConfigStore.instance()
    root = conf_dir()
    stored = []
    for group, kind in GROUP_KINDS.items():
        for name in registry.names(kind):
            if (root / group / f"{name}.yaml").exists():
                continue
            settings = registry.get(kind, name).settings()
            node = {name: settings} if group in LIST_GROUPS else {"name": name, **settings}
            store.store(group=group, name=name, node=node)
            stored.append((group, name))
    return stored
