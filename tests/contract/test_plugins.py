"""The plugin contract: discovery by entry point, attribution, broken and duplicate plugins."""

from __future__ import annotations

import types

import pytest

from salesforge import Forecaster, hookimpl
from salesforge.errors import PluginError
from salesforge.plugin.manager import BUILTIN_PLUGINS, build_plugin_manager
from salesforge.registry import KINDS
from tests.conftest import MEAN_FORECASTER, make_plugin_distribution


def test_every_kind_has_a_builtin_registered_through_the_plugin_path():
    pm = build_plugin_manager(entry_points=False)
    for module in BUILTIN_PLUGINS:
        assert pm.get_plugin(module) is not None, module
    kinds = {c.kind for c in pm.registry}
    assert kinds == set(KINDS)
    assert all(c.distribution == "salesforge" for c in pm.registry)


def test_throwaway_plugin_registered_in_process_is_attributed_and_selectable():
    class Constant(Forecaster):
        def __init__(self, value: float = 1.0):
            self.value = value

        def _fit(self, frame):
            self.seen_ = len(frame)

        def _predict(self, future):
            return [self.value] * len(future)

    module = types.SimpleNamespace(
        salesforge_register_components=hookimpl(
            lambda registry: registry.add("forecaster", "constant", Constant)))
    pm = build_plugin_manager(entry_points=False)
    assert pm.register_plugin(module, "throwaway", "throwaway-dist", "0.0.1")
    info = pm.registry.get("forecaster", "constant")
    assert (info.distribution, info.version) == ("throwaway-dist", "0.0.1")
    model = pm.create("forecaster", "constant", {"value": 2.5})
    assert model.value == 2.5
    pm.unregister(module)


def test_duplicate_component_names_both_distributions():
    class Other(Forecaster):
        def _fit(self, frame):
            self.x_ = 1

        def _predict(self, future):
            return [0.0] * len(future)

    clash = types.SimpleNamespace(
        salesforge_register_components=hookimpl(
            lambda registry: registry.add("forecaster", "linear", Other)))
    pm = build_plugin_manager(entry_points=False)
    with pytest.raises(PluginError) as caught:
        pm.register_plugin(clash, "clash", "acme-forecasts", "1.2")
    message = str(caught.value)
    assert "forecaster 'linear' is registered twice" in message
    assert "salesforge" in message and "acme-forecasts 1.2" in message


def test_plugin_whose_hook_raises_is_recorded_and_left_out():
    def broken(registry):
        raise RuntimeError("cannot find licence file")

    module = types.SimpleNamespace(salesforge_register_components=hookimpl(broken))
    pm = build_plugin_manager(entry_points=False)
    assert pm.register_plugin(module, "broken", "broken-dist", "3.0") is False
    assert not pm.is_registered(module)
    assert "broken-dist" in pm.failures[0].describe()
    assert "cannot find licence file" in pm.failures[0].describe()
    with pytest.raises(PluginError, match="broken-dist"):
        pm.create("forecaster", "not_there")


@pytest.mark.slow  # a fresh interpreter (or a long fit): the full tier runs it
def test_entry_point_plugin_is_listed_and_selectable_in_a_run(tmp_path, cli):
    site = make_plugin_distribution(tmp_path / "site", "acme-forecasts", "acme_forecasts",
                                    MEAN_FORECASTER, version="2.1")
    listed = cli("plugins", pythonpath=site)
    assert listed.returncode == 0, listed.stderr
    row = next(line for line in listed.stdout.splitlines() if "acme_mean" in line)
    assert row.split()[:4] == ["forecaster", "acme_mean", "acme-forecasts", "2.1"]

    run_dir = tmp_path / "run"
    result = cli("run", "forecaster=[seasonal_naive,acme_mean]", "forecaster.acme_mean.window=14",
                 "stages.segment=false", "stages.detect=false", "stages.analytics=false",
                 "stages.report=false", f"hydra.run.dir={run_dir}", pythonpath=site)
    assert result.returncode == 0, result.stderr
    manifest = result.manifest(run_dir)
    assert set(manifest["forecast"]["models"]) == {"seasonal_naive", "acme_mean"}
    assert manifest["config"]["forecaster"]["acme_mean"] == {"window": 14}
    assert {"kind": "forecaster", "name": "acme_mean", "distribution": "acme-forecasts",
            "version": "2.1"} in manifest["plugins"]


@pytest.mark.slow  # a fresh interpreter (or a long fit): the full tier runs it
def test_broken_entry_point_is_reported_and_the_run_goes_on(tmp_path, cli):
    site = make_plugin_distribution(tmp_path / "site", "shaky-plugin", "shaky_plugin",
                                    "import module_that_does_not_exist\n", entry_name="shaky")
    listed = cli("plugins", pythonpath=site)
    assert listed.returncode == 0
    assert "shaky-plugin" in listed.stderr and "module_that_does_not_exist" in listed.stderr

    run_dir = tmp_path / "run"
    ok = cli("run", "forecaster=[seasonal_naive]", "stages.segment=false", "stages.detect=false",
             "stages.analytics=false", "stages.report=false", f"hydra.run.dir={run_dir}",
             pythonpath=site)
    assert ok.returncode == 0, ok.stderr
    assert any("shaky-plugin" in f for f in ok.manifest(run_dir)["plugin_failures"])

    selected = cli("run", "forecaster=[shaky]", pythonpath=site)
    assert selected.returncode != 0
    assert "unknown forecaster 'shaky'" in selected.stderr
    assert "shaky-plugin failed to load" in selected.stderr
    assert "Traceback" not in selected.stderr


def test_duplicate_entry_point_component_is_an_error(tmp_path, cli):
    site = make_plugin_distribution(tmp_path / "site", "dup-one", "dup_one", MEAN_FORECASTER)
    make_plugin_distribution(site, "dup-two", "dup_two", MEAN_FORECASTER)
    result = cli("plugins", pythonpath=site)
    assert result.returncode != 0
    assert "forecaster 'acme_mean' is registered twice" in result.stderr
    assert "dup-one" in result.stderr and "dup-two" in result.stderr


def test_a_plugin_failing_halfway_leaves_none_of_its_components():
    class Half(Forecaster):
        def _fit(self, frame):
            self.x_ = 1

        def _predict(self, future):
            return [0.0] * len(future)

    def half(registry):
        registry.add("forecaster", "half", Half)
        raise RuntimeError("second component broke")

    module = types.SimpleNamespace(salesforge_register_components=hookimpl(half))
    pm = build_plugin_manager(entry_points=False)
    assert pm.register_plugin(module, "half", "half-dist", "1.0") is False
    assert ("forecaster", "half") not in pm.registry


def test_unknown_kind_is_a_broken_plugin_named_by_its_distribution():
    module = types.SimpleNamespace(salesforge_register_components=hookimpl(
        lambda registry: registry.add("visualiser", "fancy", object)))
    pm = build_plugin_manager(entry_points=False)
    assert pm.register_plugin(module, "fancy", "fancy-dist", "1.0") is False
    assert "fancy-dist cannot register 'fancy': unknown component kind 'visualiser'" in \
        pm.failures[0].describe()
