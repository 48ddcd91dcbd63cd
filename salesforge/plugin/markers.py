"""The plugin markers: the project name pluggy uses, and the spec/impl decorators."""

import pluggy

NAME = "salesforge"

hookspec = pluggy.HookspecMarker(NAME)
hookimpl = pluggy.HookimplMarker(NAME)
