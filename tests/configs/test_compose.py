"""Compose every option of every config group and build its component from the registry."""

from __future__ import annotations

import pytest
from omegaconf import OmegaConf

from salesforge.composition import compose
from salesforge.config import (
    GROUP_KINDS,
    LIST_GROUPS,
    choice,
    choices,
    conf_dir,
    register_component_configs,
)
from salesforge.errors import ConfigError
from salesforge.overrides import check_overrides
from salesforge.plugin.manager import build_plugin_manager

PM = build_plugin_manager()
register_component_configs(PM.registry)


def compose_with(*overrides: str):
    return compose(list(overrides))


def options():
    for group, kind in GROUP_KINDS.items():
        for name in PM.registry.names(kind):
            yield pytest.param(group, kind, name, id=f"{group}={name}")


def test_every_registered_component_has_a_config_option():
    for group, kind in GROUP_KINDS.items():
        on_disk = {p.stem for p in (conf_dir() / group).glob("*.yaml")}
        assert on_disk <= set(PM.registry.names(kind)), f"{group}: YAML for unknown components"


@pytest.mark.parametrize(("group", "kind", "name"), list(options()))
def test_compose_and_instantiate_every_option(group, kind, name):
    value = f"[{name}]" if group in LIST_GROUPS else name
    cfg = compose_with(f"{group}={value}")
    if group in LIST_GROUPS:
        selected = choices(cfg, group)
        assert [n for n, _ in selected] == [name]
        settings = selected[0][1]
    else:
        chosen, settings = choice(cfg, group)
        assert chosen == name
    component = PM.create(kind, name, settings, key=group)
    assert component.get_params() == {**PM.registry.get(kind, name).settings(), **settings}


def test_default_config_selects_one_component_per_group():
    cfg = compose_with()
    for group in GROUP_KINDS:
        assert cfg.get(group), f"no default for {group}"
    assert [n for n, _ in choices(cfg, "forecaster")][:2] == ["seasonal_naive", "linear"]


def test_the_config_names_other_programs_rely_on():
    cfg = compose_with(
        "forecaster=[seasonal_naive,linear]", "segmenter=kmeans", "detector=zscore",
        "detector.contamination=0.01", "reporter=[csv]", "executor=local",
        "data.path=sales.csv", "data.format=csv", "data.columns.date=Tanggal",
        "forecast.target=quantity", "forecast.freq=W-FRI", "forecast.horizon=8",
        "forecast.by=[category,region]", "report.language=id",
        "report.sections=[summary,forecast]", "stages.detect=false",
    )
    assert list(cfg.forecaster) == ["seasonal_naive", "linear"]
    assert cfg.detector.contamination == 0.01
    assert list(cfg.reporter) == ["csv"]
    assert cfg.data.path == "sales.csv" and cfg.data.columns.date == "Tanggal"
    assert (cfg.forecast.target, cfg.forecast.freq, cfg.forecast.horizon) == ("quantity",
                                                                              "W-FRI", 8)
    assert list(cfg.forecast.by) == ["category", "region"]
    assert cfg.report.language == "id" and list(cfg.report.sections) == ["summary", "forecast"]
    assert cfg.stages.detect is False
    assert OmegaConf.select(cfg, "executor.name") == "local"


def test_plugin_component_without_yaml_is_selectable_from_its_dataclass():
    class_less = [(g, n) for g, n in register_component_configs(PM.registry)]
    for group, name in class_less:
        value = f"[{name}]" if group in LIST_GROUPS else name
        cfg = compose_with(f"{group}={value}")
        assert name in cfg[group] or cfg[group].name == name


@pytest.mark.parametrize(("override", "message"), [
    ("forecaster=[nope]", "unknown forecaster 'nope'"),
    ("segmenter=nope", "unknown segmenter 'nope'"),
    ("forecast.horizn=3", "config key forecast.horizn does not exist"),
    ("forecast.horizon=[", "could not read the override"),
])
def test_bad_overrides_get_one_sentence(override, message):
    with pytest.raises(Exception) as caught:
        check_overrides([override], PM)
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)


def test_bad_component_setting_names_the_config_key():
    with pytest.raises(ConfigError, match=r"config key forecaster\.linear\.alpha"):
        PM.create("forecaster", "linear", {"alpha": "lots"}, key="forecaster.linear")
    with pytest.raises(ConfigError, match=r"forecaster\.linear\.alpah is not a setting"):
        PM.create("forecaster", "linear", {"alpah": 1.0}, key="forecaster.linear")
