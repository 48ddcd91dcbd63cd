"""Check command-line overrides before Hydra runs, so mistakes get one clear sentence.

Hydra's own errors span several lines and list search paths; here an unknown component
(``forecaster=foo``) lists the available names, an unknown key names the key, and a
syntax error quotes the override.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from hydra.core.override_parser.overrides_parser import OverridesParser
from hydra.errors import OverrideParseException

from salesforge.config import GROUP_KINDS, conf_dir
from salesforge.errors import ConfigError
from salesforge.plugin.manager import SalesforgePluginManager

_NOT_IN_STRUCT = re.compile(r"Could not override '([^']+)'")
_MISSING_OPTION = re.compile(r"Could not find '([^/']+)/([^']+)'")
#: Config groups that the defaults list leaves out, selected with ``+group=name``.
_ADDED_GROUPS = frozenset({"experiment"})


def override_strings(args: Sequence[str]) -> list[str]:
    """The ``key=value`` and ``~key`` overrides among the arguments (not Hydra's flags)."""
    return [a for a in args if not a.startswith("-") and ("=" in a or a.startswith("~"))]


def _names(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list | tuple):
        return [n for v in value for n in _names(v)]
    inner = getattr(value, "list", None)  # ChoiceSweep
    return _names(inner) if inner is not None else [str(value)]


def check_overrides(args: Sequence[str], plugins: SalesforgePluginManager) -> None:
    """Raise :class:`ConfigError` or :class:`PluginError` for a bad override."""
    overrides = override_strings(args)
    try:
        parsed = OverridesParser.create().parse_overrides(overrides)
    except OverrideParseException as exc:
        first = str(exc).strip().splitlines()[0]
        raise ConfigError(f"could not read the override: {first}.") from None
    for override in parsed:
        group = override.key_or_group
        if group not in GROUP_KINDS or override.is_delete():
            continue
        for name in _names(override.value()):
            plugins.component(GROUP_KINDS[group], name)
    multirun = any(a in ("-m", "--multirun") for a in args)
    if multirun or any(o.is_sweep_override() for o in parsed):
        return
    compose_check([o for o in overrides if not o.lstrip("+~").startswith("hydra.")],
                  _config_dirs(args))


def _config_dirs(args: Sequence[str]) -> list[str]:
    """Folders added with Hydra's ``--config-dir DIR`` / ``-cd DIR`` (e.g. own experiments)."""
    found = []
    for i, arg in enumerate(args):
        if arg in ("--config-dir", "-cd") and i + 1 < len(args):
            found.append(args[i + 1])
        elif arg.startswith("--config-dir="):
            found.append(arg.partition("=")[2])
    return found


def compose_check(overrides: list[str], config_dirs: Sequence[str] = ()) -> None:
    """Compose the config once with ``overrides`` (and the extra ``config_dirs`` on the
    search path); a failure becomes one sentence (:class:`ConfigError`)."""
    from salesforge.composition import compose

    compose(overrides, search_dirs=config_dirs)


def describe_compose_error(exc: BaseException) -> str:
    text = str(exc).strip()
    first = text.splitlines()[0] if text else type(exc).__name__
    if (match := _NOT_IN_STRUCT.search(text)) and match.group(1) in _ADDED_GROUPS:
        group = match.group(1)
        options = ", ".join(sorted(p.stem for p in (conf_dir() / group).glob("*.yaml")))
        return f"config group {group} is added with a plus sign: +{group}=<name> ({options})."
    if (match := _NOT_IN_STRUCT.search(text)) and "To append" in text:
        key = match.group(1)
        return (f"config key {key} does not exist; check its spelling, or add a new key "
                f"with +{key}=<value>.")
    if match := _MISSING_OPTION.search(text):
        group, option = match.group(1), match.group(2)
        names = sorted(p.stem for p in (conf_dir() / group).glob("*.yaml"))
        available = f"; available: {', '.join(names)}" if names else ""
        return f"config group {group} has no option {option!r}{available}."
    return first.rstrip(".") + "."
