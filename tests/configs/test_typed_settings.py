"""The plain settings groups are typed: the schemas' defaults are config.yaml's, a value of
the wrong type or an unknown key fails when the config is composed, naming the key, and
stage code reads the values as given (zero stays zero)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from omegaconf import OmegaConf

from salesforge import run
from salesforge.composition import compose
from salesforge.config import conf_dir
from salesforge.errors import ConfigError
from salesforge.settings import SCHEMAS, DetectSettings

EXPERIMENTS = sorted(p.stem for p in (conf_dir() / "experiment").glob("*.yaml"))


@pytest.mark.parametrize("group", list(SCHEMAS))
def test_each_schema_has_config_yaml_s_defaults(group):
    packaged = OmegaConf.to_container(OmegaConf.load(conf_dir() / "config.yaml")[group])
    assert OmegaConf.to_container(OmegaConf.structured(SCHEMAS[group])) == packaged


def test_every_group_of_config_yaml_but_the_components_has_a_schema():
    packaged = OmegaConf.load(conf_dir() / "config.yaml")
    plain = {k for k in packaged if k not in ("defaults", "hydra")}
    assert plain == set(SCHEMAS)


@pytest.mark.parametrize("experiment", EXPERIMENTS)
def test_composed_groups_are_typed_for_every_experiment(experiment):
    from salesforge.plugin.manager import build_plugin_manager

    cfg = compose([f"+experiment={experiment}"], registry=build_plugin_manager().registry)
    for group, schema in SCHEMAS.items():
        assert OmegaConf.get_type(cfg[group]) is schema, group


@pytest.mark.parametrize(("override", "key"), [
    ("detect.top_causes=abc", "detect.top_causes"),
    ("backtest.windows=four", "backtest.windows"),
    ("report.png=maybe", "report.png"),
    ("data.limits.max_ratio=high", "data.limits.max_ratio"),
    ("api.workers=[1,2]", "api.workers"),
    ("+forecast.horizon_days=3", "forecast.horizon_days"),
])
def test_a_bad_value_fails_at_compose_time_naming_the_key(override, key):
    with pytest.raises(ConfigError) as refused:
        compose([override])
    assert str(refused.value).startswith(f"config key {key} ")


def test_the_cli_refuses_before_making_a_run_directory(cli, tmp_path):
    result = cli("run", "detect.cycles=often", f"hydra.run.dir={tmp_path / 'run'}")
    assert result.returncode == 2
    assert "config key detect.cycles has a value of the wrong type" in result.stderr
    assert not (tmp_path / "run").exists()


def test_a_hand_built_config_is_checked_when_the_run_starts(tmp_path):
    cfg = compose(["stages.forecast=false"])
    cfg = OmegaConf.create(OmegaConf.to_container(cfg))  # untyped again
    cfg.detect.top_causes = "many"
    with pytest.raises(ConfigError, match=r"config key detect\.top_causes"):
        run(cfg, tmp_path / "run")


def test_zero_is_a_value_not_a_missing_one(tmp_path):
    off = ["stages.forecast=false", "stages.segment=false", "stages.report=false",
           "stages.analytics=false"]
    result = run(compose([*off, "detect.top_causes=0"]), tmp_path / "none")
    causes = pd.read_csv(result.run_dir / "anomalies" / "root_causes.csv")
    assert result.manifest["anomalies"]["series"]["flagged"] > 0 and len(causes) == 0
    assert OmegaConf.structured(DetectSettings).top_causes == 3  # the default is not 0
    with pytest.raises(ConfigError, match=r"config key detect\.cycles must be at least 1"):
        run(compose([*off, "detect.cycles=0"]), Path(tmp_path / "zero"))


def test_the_schemas_are_in_hydra_s_config_store():
    from hydra.core.config_store import ConfigStore

    compose([])
    stored = ConfigStore.instance().list("schema")
    assert {f"{group}.yaml" for group in SCHEMAS} <= set(stored)
