"""Build the plugin manager: specs -> entry points -> built-ins -> check_pending.

Built-in plugins go through exactly the path external ones do: each is a module with
``@hookimpl`` functions, registered by name. External plugins are found through the
``salesforge`` entry-point group. A plugin that fails to import, or whose registration
hook raises, is recorded with its distribution and error and left out; the run only
fails if it selects one of that plugin's components. Two components with the same kind
and name are always an error (see :meth:`salesforge.registry.Registry.add`).
"""

from __future__ import annotations

import importlib
import importlib.metadata
from dataclasses import dataclass
from typing import Any

import pluggy

from salesforge import __version__
from salesforge.errors import DuplicateComponentError, PluginError
from salesforge.plugin import specs
from salesforge.plugin.markers import NAME
from salesforge.registry import ComponentInfo, Registry

#: Built-in plugin modules, registered after entry points, in this order.
BUILTIN_PLUGINS: tuple[str, ...] = (
    "salesforge.data.plugin",
    "salesforge.features.plugin",
    "salesforge.forecast.plugin",
    "salesforge.segment.plugin",
    "salesforge.detect.plugin",
    "salesforge.analytics.plugin",
    "salesforge.report.plugin",
    "salesforge.notify.plugin",
    "salesforge.exec.plugin",
    "salesforge.progress",
    "salesforge.runs.recorder",
    "salesforge.notify.alerting",  # last, so its run_finish/run_error run before the others'
)

ENTRY_POINT_GROUP = NAME


@dataclass(frozen=True)
class PluginFailure:
    """A plugin that could not be loaded or registered."""

    distribution: str
    plugin: str
    error: str

    def describe(self) -> str:
        return f"plugin {self.plugin!r} from {self.distribution} failed to load: {self.error}"


class SalesforgePluginManager(pluggy.PluginManager):
    """A pluggy manager that also owns the component registry and the load failures."""

    def __init__(self) -> None:
        super().__init__(NAME)
        self.add_hookspecs(specs)
        self.registry = Registry()
        self.failures: list[PluginFailure] = []
        self.distributions: dict[str, tuple[str, str]] = {}
        self.hook.salesforge_register_components.call_historic(
            kwargs={"registry": self.registry}
        )

    def register_plugin(
        self, plugin: Any, name: str, distribution: str, version: str = ""
    ) -> bool:
        """Register ``plugin`` and let it add components, attributed to ``distribution``.

        Returns ``False`` (and records a :class:`PluginFailure`, and forgets any component
        it added) when its registration hook raises anything but a duplicate-component
        error, which propagates.
        """
        self.registry.source = (distribution, version)
        before = {(c.kind, c.name) for c in self.registry}
        try:
            self.register(plugin, name=name)
        except DuplicateComponentError:
            raise
        except Exception as exc:  # a third-party plugin may raise anything
            if self.is_registered(plugin):
                self.unregister(plugin)
            self.registry.remove_added_since(before)
            self.failures.append(PluginFailure(distribution, name, _describe(exc)))
            return False
        finally:
            self.registry.source = ("salesforge", __version__)
        self.distributions[name] = (distribution, version)
        return True

    def load_entry_points(self, group: str = ENTRY_POINT_GROUP) -> None:
        """Register every plugin advertised under the entry-point ``group``."""
        for ep in importlib.metadata.entry_points(group=group):
            dist = ep.dist.name if ep.dist is not None else "unknown distribution"
            version = ep.dist.version if ep.dist is not None else ""
            if self.get_plugin(ep.name) is not None or self.is_blocked(ep.name):
                continue
            try:
                plugin = ep.load()
            except Exception as exc:  # broken third-party code must not stop the run
                self.failures.append(PluginFailure(dist, ep.name, _describe(exc)))
                continue
            self.register_plugin(plugin, ep.name, dist, version)

    def load_builtins(self) -> None:
        for module_name in BUILTIN_PLUGINS:
            if self.get_plugin(module_name) is None:
                module = importlib.import_module(module_name)
                self.register_plugin(module, module_name, "salesforge", __version__)

    def component(self, kind: str, name: str) -> ComponentInfo:
        """The registered component; when missing, the error also names broken plugins."""
        try:
            return self.registry.get(kind, name)
        except PluginError as exc:
            if not self.failures:
                raise
            broken = "; ".join(f.describe() for f in self.failures)
            raise PluginError(f"{str(exc).rstrip('.')}; {broken}.") from None

    def create(self, kind: str, name: str, settings: Any = None, *, key: str | None = None) -> Any:
        """Build a component from the registry, its settings checked against its schema."""
        self.component(kind, name)
        return self.registry.create(kind, name, settings, key=key)


def _describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}".strip().rstrip(".")


def build_plugin_manager(*, entry_points: bool = True) -> SalesforgePluginManager:
    """The plugin manager with entry-point plugins, then built-ins, checked."""
    pm = SalesforgePluginManager()
    if entry_points:
        pm.load_entry_points()
    pm.load_builtins()
    pm.check_pending()
    return pm
