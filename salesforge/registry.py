"""The component registry: every loader, feature builder, forecaster, ... by (kind, name).

Plugins fill it from their ``salesforge_register_components`` hook. Each component is a
class plus an optional config dataclass whose fields are the class's keyword arguments;
the runner builds instances from config through :meth:`Registry.create`, which checks
the settings against that schema and names the offending config key when they are wrong.
"""

from __future__ import annotations

import dataclasses
import inspect
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, cast

from omegaconf import OmegaConf
from omegaconf.errors import OmegaConfBaseException

from salesforge.errors import ConfigError, DuplicateComponentError, PluginError

#: Component kinds, in stage order, with the config group (or key) that selects them.
KINDS: dict[str, str] = {
    "loader": "data.format",
    "cleaner": "cleaner",
    "feature_builder": "features",
    "forecaster": "forecaster",
    "segmenter": "segmenter",
    "detector": "detector",
    "analyzer": "analyzer",
    "reporter": "reporter",
    "notifier": "notifier",
    "executor": "executor",
}


@dataclass(frozen=True)
class ComponentInfo:
    """One registered component."""

    kind: str
    name: str
    cls: type
    config: type | None
    distribution: str
    version: str
    summary: str

    def settings(self) -> dict[str, Any]:
        """The component's settings with their defaults (from its config dataclass)."""
        if self.config is not None:
            return {f.name: _field_default(f) for f in dataclasses.fields(self.config)}
        constructor: type[object] = self.cls  # its __init__, not the class's call signature
        params = inspect.signature(constructor.__init__).parameters.values()
        return {
            p.name: None if p.default is inspect.Parameter.empty else p.default
            for p in params
            if p.name != "self" and p.kind in (p.KEYWORD_ONLY, p.POSITIONAL_OR_KEYWORD)
        }


def _first_sentence(doc: str) -> str:
    paragraph = " ".join(doc.split("\n\n", 1)[0].split())
    end = paragraph.find(". ")
    return paragraph if end < 0 else paragraph[: end + 1]


def _field_default(field: dataclasses.Field) -> Any:
    if field.default is not dataclasses.MISSING:
        return field.default
    if field.default_factory is not dataclasses.MISSING:
        return field.default_factory()
    return "???"


class Registry:
    """Components by (kind, name); filled by plugins, read by the runner and the CLI."""

    def __init__(self) -> None:
        self._components: dict[tuple[str, str], ComponentInfo] = {}
        self.source: tuple[str, str] = ("salesforge", "")

    def add(
        self,
        kind: str,
        name: str,
        cls: type,
        *,
        config: type | None = None,
        summary: str | None = None,
    ) -> ComponentInfo:
        """Register ``cls`` as the ``kind`` component called ``name``.

        :param config: a dataclass whose fields are ``cls``'s keyword arguments; it is the
            component's config schema (defaults, types) used to validate settings.
        :raises PluginError: unknown kind, ``cls`` leaves an abstract method of its base
            unwritten, or ``(kind, name)`` already registered (the message names both
            distributions).
        """
        distribution, version = self.source
        if kind not in KINDS:
            raise PluginError(
                f"{distribution} cannot register {name!r}: unknown component kind {kind!r} "
                f"(kinds: {', '.join(KINDS)})."
            )
        if inspect.isabstract(cls):
            missing = ", ".join(sorted(getattr(cls, "__abstractmethods__", ())))
            raise PluginError(f"{distribution} cannot register {kind} {name!r}: "
                              f"{cls.__name__} does not implement {missing}.")
        if config is not None and not dataclasses.is_dataclass(config):
            raise PluginError(f"{distribution}: the config of {kind} {name!r} must be a "
                              f"dataclass, got {config!r}.")
        existing = self._components.get((kind, name))
        if existing is not None:
            raise DuplicateComponentError(
                f"{kind} {name!r} is registered twice: by {existing.distribution} "
                f"{existing.version} and by {distribution} {version}; uninstall one of them."
            )
        doc = summary or _first_sentence(inspect.getdoc(cls) or "")
        info = ComponentInfo(kind, name, cls, config, distribution, version, doc)
        self._components[(kind, name)] = info
        return info

    def get(self, kind: str, name: str) -> ComponentInfo:
        """The component, or a :class:`PluginError` that lists the available names."""
        try:
            return self._components[(kind, name)]
        except KeyError:
            available = ", ".join(self.names(kind)) or "none"
            raise PluginError(
                f"unknown {kind} {name!r} (set by {KINDS.get(kind, kind)}); "
                f"available: {available}."
            ) from None

    def remove_added_since(self, keys: set[tuple[str, str]]) -> None:
        """Forget every component not in ``keys`` (undo a plugin's partial registration)."""
        for key in set(self._components) - keys:
            del self._components[key]

    def names(self, kind: str) -> list[str]:
        """Sorted names of the registered components of ``kind``."""
        return sorted(name for (k, name) in self._components if k == kind)

    def __contains__(self, key: tuple[str, str]) -> bool:
        return key in self._components

    def __iter__(self) -> Iterator[ComponentInfo]:
        order = list(KINDS)
        yield from sorted(self._components.values(), key=lambda c: (order.index(c.kind), c.name))

    def __len__(self) -> int:
        return len(self._components)

    def create(self, kind: str, name: str, settings: Mapping[str, Any] | None = None,
               *, key: str | None = None) -> Any:
        """Build the component from ``settings`` checked against its config schema; a
        component with a ``bind_registry(registry)`` method (one that builds other
        components, like the ``ensemble`` detector) is given this registry.

        :param key: the config key the settings came from, used in error messages.
        """
        info = self.get(kind, name)
        key = key or f"{KINDS[kind]}.{name}"
        params = validate_settings(info, dict(settings or {}), key=key)
        component = info.cls(**params)
        bind = getattr(component, "bind_registry", None)
        if callable(bind):  # a component that builds others builds them from this registry
            bind(self)
        return component


def validate_settings(info: ComponentInfo, settings: dict[str, Any], *, key: str) -> dict[str, Any]:
    """Merge ``settings`` over the component's defaults; unknown or ill-typed keys raise."""
    allowed = info.settings()
    unknown = sorted(set(settings) - set(allowed))
    if unknown:
        raise ConfigError(
            f"config key {key}.{unknown[0]} is not a setting of {info.kind} {info.name!r} "
            f"(settings: {', '.join(allowed) or 'none'})."
        )
    if info.config is None:
        return {**allowed, **settings}
    try:
        merged = OmegaConf.merge(OmegaConf.structured(info.config), settings)
        params = OmegaConf.to_container(merged, resolve=True, throw_on_missing=True)
    except OmegaConfBaseException as exc:
        field = getattr(exc, "full_key", "") or ""
        msg = str(exc).split("\n", 1)[0]
        raise ConfigError(f"config key {key}.{field}: {msg}.".replace("..", ".")) from None
    # a dataclass schema converts to a dict keyed by its field names
    return dict(cast("dict[str, Any]", params))
