"""The reference docs keep up with the code: every option, config key and command is there."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from salesforge.config import GROUP_KINDS, conf_dir
from salesforge.plugin.manager import build_plugin_manager

DOCS = Path(__file__).resolve().parents[2] / "docs"
REGISTRY = build_plugin_manager().registry


def options():
    for group, kind in GROUP_KINDS.items():
        for name in REGISTRY.names(kind):
            yield pytest.param(group, name, id=f"{group}={name}")


@pytest.mark.parametrize(("group", "name"), list(options()))
def test_every_config_option_is_in_the_configuration_reference(group, name):
    assert f"#### `{group}={name}`" in (DOCS / "configuration.md").read_text(encoding="utf-8")


def test_every_top_level_setting_is_in_the_configuration_reference():
    text = (DOCS / "configuration.md").read_text(encoding="utf-8")
    config = yaml.safe_load((conf_dir() / "config.yaml").read_text(encoding="utf-8"))
    nodes = [k for k in config if k not in ("defaults", "hydra")]
    missing = [f"{node}.{key}" for node in nodes for key in (config[node] or {})
               if f"`{node}.{key}" not in text and f"`{key}`" not in text]
    assert not missing, f"undocumented settings: {missing}"


def test_every_command_is_in_the_cli_reference():
    from salesforge.cli import USAGE

    text = (DOCS / "cli.md").read_text(encoding="utf-8")
    commands = [line.split()[0] for line in USAGE.split("commands:")[1].splitlines()
                if line.startswith("  ") and not line.startswith("   ")]
    assert commands and all(f"salesforge {c}" in text for c in commands)
