"""The one place a run config is composed: :func:`compose` (``salesforge.compose``).

Hydra's compose API keeps global state (``GlobalHydra``) while a config is composed, so
two threads composing at once (the app's sessions, the API's requests) would trip over
each other: every composition in salesforge goes through this module's one lock. The
command line composes through ``@hydra.main`` instead (run directories, ``-m`` sweeps),
with the same packaged config tree and the same component configs.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path

from hydra import compose as hydra_compose
from hydra import initialize_config_dir
from hydra.errors import HydraException
from omegaconf import DictConfig
from omegaconf.errors import OmegaConfBaseException

from salesforge.config import conf_dir, register_component_configs
from salesforge.errors import ConfigError
from salesforge.registry import Registry
from salesforge.settings import register_schemas, typed_settings

#: Held while Hydra's global state is in use (re-entrant: a hook may compose again).
COMPOSE_LOCK = threading.RLock()


def compose(overrides: Sequence[str] = (), config_dir: str | Path | None = None, *,
            registry: Registry | None = None, search_dirs: Sequence[str | Path] = ()
            ) -> DictConfig:
    """The run config of ``overrides`` (Hydra override grammar, as on the command line).

    ``config_dir``: a config tree other than the packaged one; ``search_dirs``: folders
    added to its search path (your own experiments, as ``--config-dir`` does);
    ``registry``: components whose config nodes must exist first (installed plugins
    without YAML of their own; the packaged tree's built-ins never need it).

    The plain settings groups come back typed (:mod:`salesforge.settings`).

    :raises ConfigError: one sentence when the overrides do not compose, or a setting has
        a value of the wrong type (naming the key).
    """
    from salesforge.overrides import describe_compose_error  # imports this module

    every = [str(o) for o in overrides]
    if search_dirs:
        paths = ",".join(f"file://{Path(d).resolve()}" for d in search_dirs)
        every.append(f"hydra.searchpath=[{paths}]")
    with COMPOSE_LOCK:
        register_schemas()
        if registry is not None:
            register_component_configs(registry)
        try:
            with initialize_config_dir(str(Path(config_dir or conf_dir()).resolve()),
                                       version_base="1.3"):
                cfg = hydra_compose("config", overrides=every)
        except (HydraException, OmegaConfBaseException) as exc:
            raise ConfigError(describe_compose_error(exc)) from None
    return typed_settings(cfg)
