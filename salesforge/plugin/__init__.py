"""Plugin machinery: markers, hook specifications and the plugin manager."""

from salesforge.plugin.markers import NAME, hookimpl, hookspec

__all__ = ["NAME", "hookimpl", "hookspec"]
