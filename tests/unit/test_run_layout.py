"""The run directory's artifact paths are spelt once, in ``salesforge.layout``."""

from __future__ import annotations

import re
from pathlib import Path

from salesforge.layout import RunLayout

PACKAGE = Path(__file__).resolve().parents[2] / "salesforge"
#: A quoted run-directory path: a stage folder and a file in it, or a top-level file.
ARTIFACT = re.compile(r"""["'](?:(?:data|forecast|anomalies|segments|reports|charts|models)/"""
                      r"""[\w.-]+\.\w+|(?:manifest|alerts)\.json)["']""")


def test_no_module_but_the_layout_spells_an_artifact_path():
    found = [f"{path.relative_to(PACKAGE.parent)}:{n}: {line.strip()}"
             for path in sorted(PACKAGE.rglob("*.py")) if path.name != "layout.py"
             for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
             if ARTIFACT.search(line)]
    assert found == []


def test_the_scan_finds_a_literal_when_there_is_one():
    assert ARTIFACT.search('frame = run.table("forecast/leaderboard.csv")')
    assert ARTIFACT.search("path = run_dir / 'manifest.json'")
    assert not ARTIFACT.search("run.table(RunLayout.LEADERBOARD)")


def test_paths_are_relative_posix_and_distinct():
    names = {k: v for k, v in vars(RunLayout).items() if k.isupper() and isinstance(v, str)}
    assert len(set(names.values())) == len(names) > 20
    for value in [*names.values(), *RunLayout.REPORT_FILES.values()]:
        assert not value.startswith("/") and "\\" not in value
    layout = RunLayout(Path("/runs/a"))
    assert layout.path(RunLayout.CLEAN) == Path("/runs/a/data/clean.parquet")
    assert layout.manifest == Path("/runs/a/manifest.json")
    assert layout.model_dir("linear") == Path("/runs/a/models/linear")
