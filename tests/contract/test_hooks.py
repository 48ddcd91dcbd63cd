"""Lifecycle hooks fire in order with the documented arguments; every hook is documented."""

from __future__ import annotations

import inspect
from pathlib import Path

import pytest

from salesforge import hookimpl, run
from salesforge.composition import compose
from salesforge.errors import DataError
from salesforge.plugin import specs
from salesforge.plugin.manager import build_plugin_manager
from salesforge.schema import STAGES

DOCS = Path(__file__).resolve().parents[2] / "docs" / "hooks.md"


def hookspec_names() -> list[str]:
    return [name for name, fn in inspect.getmembers(specs, inspect.isfunction)
            if name.startswith("salesforge_")]


class Recorder:
    def __init__(self) -> None:
        self.calls: list[tuple] = []

    @hookimpl
    def salesforge_run_start(self, context):
        self.calls.append(("run_start", context.run_dir.is_dir()))

    @hookimpl
    def salesforge_before_stage(self, stage):
        self.calls.append(("before", stage))

    @hookimpl
    def salesforge_after_stage(self, stage, outcome):
        self.calls.append(("after", stage, outcome.seconds >= 0, sorted(outcome.artifacts)))

    @hookimpl
    def salesforge_run_finish(self, manifest):
        self.calls.append(("finish", manifest["status"]))

    @hookimpl
    def salesforge_run_error(self, stage, error):
        self.calls.append(("error", stage, type(error).__name__))


def config(*overrides: str):
    return compose(list(overrides))


def test_every_hookspec_is_documented():
    text = DOCS.read_text(encoding="utf-8")
    missing = [name for name in hookspec_names() if f"### {name}" not in text]
    assert not missing, f"hooks missing from {DOCS.name}: {missing}"


def test_every_hookspec_has_a_docstring_with_its_parameters():
    for name in hookspec_names():
        fn = getattr(specs, name)
        doc = inspect.getdoc(fn) or ""
        for parameter in inspect.signature(fn).parameters:
            assert f":param {parameter}:" in doc, f"{name} does not document {parameter}"


def test_lifecycle_hooks_fire_in_stage_order(tmp_path):
    pm = build_plugin_manager(entry_points=False)
    recorder = Recorder()
    pm.register(recorder)
    result = run(config("stages.segment=false", "forecaster=[seasonal_naive]"),
                 tmp_path / "run", plugins=pm)
    assert result.ok
    enabled = [s for s in STAGES if s != "segment"]
    assert recorder.calls[0] == ("run_start", True)
    befores = [c[1] for c in recorder.calls if c[0] == "before"]
    afters = [c for c in recorder.calls if c[0] == "after"]
    assert befores == enabled and [a[1] for a in afters] == enabled
    assert ("after", "clean", True, ["clean", "profile", "rejected"]) in afters
    assert recorder.calls[-1] == ("finish", "ok")


def test_run_error_hook_gets_the_failing_stage(tmp_path):
    pm = build_plugin_manager(entry_points=False)
    recorder = Recorder()
    pm.register(recorder)
    with pytest.raises(DataError):
        run(config(f"data.path={tmp_path / 'missing.csv'}"), tmp_path / "run", plugins=pm)
    assert recorder.calls[-1] == ("error", "load", "DataError")
    assert ("finish", "ok") not in recorder.calls


class Faulty:
    @hookimpl
    def salesforge_run_finish(self, manifest):
        raise RuntimeError("finish hook broke")

    @hookimpl
    def salesforge_run_error(self, error):
        raise RuntimeError("error hook broke")


def test_a_failing_finish_hook_does_not_fail_the_run(tmp_path):
    pm = build_plugin_manager(entry_points=False)
    pm.register(Faulty())
    result = run(config("stages.segment=false", "stages.detect=false",
                        "forecaster=[seasonal_naive]"), tmp_path / "run", plugins=pm)
    assert result.ok


def test_a_failing_error_hook_does_not_hide_the_run_error(tmp_path):
    pm = build_plugin_manager(entry_points=False)
    pm.register(Faulty())
    with pytest.raises(DataError, match="does not exist"):
        run(config(f"data.path={tmp_path / 'missing.csv'}"), tmp_path / "run", plugins=pm)
