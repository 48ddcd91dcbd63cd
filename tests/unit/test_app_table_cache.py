"""The app's run tables are read once per server and shared by its sessions
(salesforge.app.runs.TABLES): a second page opening the same run reads no file again; a
rewritten file is read anew; the cache stays bounded."""

from __future__ import annotations

import os

import pandas as pd
import pytest

from salesforge.app import runs as app_runs
from salesforge.app.jobs import compose_config
from salesforge.app.runs import RunData, TableCache, read_table
from salesforge.layout import RunLayout
from salesforge.runner import run

#: Only the stages that write the clean rows.
CLEAN_ONLY = [f"stages.{stage}=false" for stage in
              ("features", "forecast", "segment", "detect", "analytics", "report")]


@pytest.fixture(scope="module")
def sample_run(tmp_path_factory):
    """A run of the sample that loads and cleans it."""
    folder = tmp_path_factory.mktemp("runs") / "clean-only"
    cfg, _ = compose_config(CLEAN_ONLY)
    run(cfg, folder)
    return folder


@pytest.fixture()
def reads(monkeypatch):
    """The files the app reads, in order."""
    seen: list[str] = []
    original = pd.read_parquet

    def counting(path, *args, **kwargs):
        seen.append(os.path.basename(path))
        return original(path, *args, **kwargs)

    monkeypatch.setattr(pd, "read_parquet", counting)
    app_runs.TABLES.clear()
    yield seen
    app_runs.TABLES.clear()


def test_a_second_session_takes_the_clean_rows_from_the_cache(sample_run, reads):
    first, second = RunData(sample_run), RunData(sample_run)
    assert first.clean is second.clean  # one frame for both pages
    assert reads == ["clean.parquet"]
    assert pd.api.types.is_datetime64_any_dtype(first.clean["date"])
    assert first.table(RunLayout.CLEAN) is not first.clean  # the file as written
    assert reads == ["clean.parquet", "clean.parquet"]


def test_a_rewritten_file_is_read_again(tmp_path):
    path = tmp_path / "t.parquet"
    cache = TableCache()
    pd.DataFrame({"a": [1, 2]}).to_parquet(path)
    before = cache.table(path, "table", read_table)
    assert cache.table(path, "table", read_table) is before
    pd.DataFrame({"a": [1, 2, 3]}).to_parquet(path)
    after = cache.table(path, "table", read_table)
    assert list(after["a"]) == [1, 2, 3] and len(cache) == 2


def test_the_cache_keeps_the_newest_used_tables_only(tmp_path):
    cache = TableCache(size=2)
    paths = []
    for number in range(3):
        paths.append(tmp_path / f"t{number}.parquet")
        pd.DataFrame({"a": [number]}).to_parquet(paths[-1])
    first = cache.table(paths[0], "table", read_table)
    cache.table(paths[1], "table", read_table)
    assert cache.table(paths[0], "table", read_table) is first  # used again: kept
    cache.table(paths[2], "table", read_table)
    assert len(cache) == 2
    assert cache.table(paths[0], "table", read_table) is first
    assert cache.table(paths[1], "table", read_table) is not None  # was dropped: read anew
