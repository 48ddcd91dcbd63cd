"""The component contract suite: the checks every built-in passes, for plugin authors too.

In a plugin's tests::

    from salesforge.plugin.manager import build_plugin_manager
    from salesforge.testing import check_component

    def test_my_forecaster_honours_the_contract(tmp_path):
        info = build_plugin_manager().registry.get("forecaster", "my_model")
        check_component(info, tmp_path)

:func:`check_component` raises ``AssertionError`` naming the broken rule;
:func:`salesforge.contract.parametrize_with_checks` makes one pytest item per check. The
kind checks (``CHECKS``) and the example data live here.
"""

from __future__ import annotations

import os
import socket
import tempfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import Any, Protocol, cast

import numpy as np
import pandas as pd

from salesforge.base import (
    Alert,
    Analysis,
    Analyzer,
    Cleaner,
    Detector,
    Executor,
    FeatureBuilder,
    Forecaster,
    Loader,
    Notifier,
    ReportBundle,
    Reporter,
    Segmenter,
)
from salesforge.errors import DataError, NotifierError
from salesforge.registry import ComponentInfo

BASES = {
    "loader": Loader, "cleaner": Cleaner, "feature_builder": FeatureBuilder,
    "forecaster": Forecaster, "segmenter": Segmenter, "detector": Detector,
    "analyzer": Analyzer, "reporter": Reporter, "notifier": Notifier, "executor": Executor,
}


@cache
def example_transactions(rows: int = 3000, seed: int = 7) -> pd.DataFrame:
    """Clean canonical transactions from the synthetic generator (cached; copy before use)."""
    from salesforge.data.cleaning import StandardCleaner
    from salesforge.data.sample import generate_sample

    sales, _ = generate_sample(rows=rows, seed=seed)
    return StandardCleaner().clean(sales).clean


def example_series(freq: str = "D") -> pd.DataFrame:
    """Tidy series (series_id, ds, y): the total and one per category."""
    from salesforge.forecast.series import build_series

    clean = example_transactions()
    return pd.concat([build_series(clean, "revenue", freq),
                      build_series(clean, "revenue", freq, ["category"])], ignore_index=True)


def synthetic_panel(n_series: int, days: int = 365, seed: int = 0) -> pd.DataFrame:
    """``n_series`` tidy daily series (``series_id, ds, y``) of ``days`` days each: a
    log-normal level, a weekly pattern with a random phase, a trend and noise."""
    rng = np.random.default_rng(seed)
    t = np.arange(days)
    level = rng.lognormal(5, 1, size=(n_series, 1))
    weekly = 1 + 0.3 * np.sin(2 * np.pi * (t + rng.integers(0, 7, (n_series, 1))) / 7)
    trend = 1 + rng.normal(0, 0.3, (n_series, 1)) * t / days
    y = level * weekly * trend * rng.lognormal(0, 0.2, (n_series, days))
    ids = pd.array([f"s{i:05d}" for i in range(n_series)], dtype="string")
    return pd.DataFrame({"series_id": np.repeat(ids, days),
                         "ds": np.tile(pd.date_range("2023-01-01", periods=days), n_series),
                         "y": y.ravel()})


def check_component(info: ComponentInfo, tmp_path: Path | None = None) -> None:
    """Run every check of :func:`salesforge.contract.component_checks` on ``info``, one
    after another (``parametrize_with_checks`` gives one pytest item per check)."""
    from salesforge.contract import run_checks

    with tempfile.TemporaryDirectory() as scratch:
        run_checks(info, Path(tmp_path or scratch))


def _check_loader(loader: Loader, tmp: Path) -> None:
    assert loader.extensions, "a loader must declare the file extensions it reads"
    assert all(e.startswith(".") and e == e.lower() for e in loader.extensions)
    missing = tmp / f"missing{loader.extensions[0]}"
    try:
        loader.load(missing)
    except DataError as error:
        assert str(missing) in str(error), "the missing-file error must name the file"
    else:
        raise AssertionError("loading a missing file must raise DataError")


def _check_cleaner(cleaner: Cleaner, tmp: Path) -> None:
    raw = example_transactions().drop(columns="source_row").astype({"date": "string"})
    raw.loc[raw.index[:3], "date"] = "not a date"
    result = cleaner.clean(raw)
    assert result.rows_in == len(raw), "every row must be clean, rejected or a duplicate"
    assert len(result.rejected) >= 3 and "reason" in result.rejected.columns
    for column in ("date", "product", "quantity", "price", "revenue"):
        assert column in result.clean.columns, f"clean data lacks {column}"
    assert pd.api.types.is_datetime64_any_dtype(result.clean["date"])


def _check_feature_builder(builder: FeatureBuilder, tmp: Path) -> None:
    frame = example_transactions().copy()
    assert builder.fit(frame) is builder, "fit must return self"
    out = builder.transform(frame)
    assert len(out) == len(frame) and out.index.equals(frame.index)
    assert list(out.columns[: frame.shape[1]]) == list(frame.columns)
    assert out.shape[1] > frame.shape[1], "a feature builder must add columns"


def _check_forecaster(model: Forecaster, tmp: Path) -> None:
    if getattr(type(model), "combines_forecasts", False):
        _check_combiner(model)
        return
    series = example_series("D")
    horizon = 14
    assert model.fit(series, "D") is model, "fit must return self"
    out = model.predict(horizon)
    n_series = series["series_id"].nunique()
    assert list(out.columns[:3]) == ["series_id", "ds", "step"] and "y_pred" in out
    assert len(out) == n_series * horizon
    assert np.isfinite(out["y_pred"]).all(), "forecasts must be finite"
    last = series.groupby("series_id")["ds"].max()
    assert (out["ds"] > out["series_id"].map(last)).all(), "forecasts must be in the future"
    again = type(model)(**model.get_params()).fit(series, "D").predict(horizon)
    np.testing.assert_allclose(out["y_pred"], again["y_pred"], rtol=1e-6,
                               err_msg="the same data must give the same forecast")


def _check_combiner(model: Forecaster) -> None:
    """A forecaster that declares ``combines_forecasts = True`` is built by the forecast
    stage from other forecasters' forecasts: ``combine(forecasts, keys, weights)`` must give
    one finite forecast per key, between the members' lowest and highest, the same each
    time; fitting it alone must fail with a ValueError that says so."""
    from salesforge.forecast.seasonal_naive import SeasonalNaiveForecaster

    series, horizon = example_series("D"), 14
    members = {f"naive_{m}": SeasonalNaiveForecaster(season_length=m).fit(series, "D")
               .predict(horizon).assign(model=f"naive_{m}") for m in (1, 7, 28)}
    forecasts = pd.concat(members.values(), ignore_index=True)
    weights = {name: 1 / len(members) for name in members}
    out = _combined(model, forecasts, weights)
    assert list(out.columns) == ["series_id", "ds", "y_pred"], "combine returns keys + y_pred"
    assert len(out) == series["series_id"].nunique() * horizon
    assert np.isfinite(out["y_pred"]).all(), "combined forecasts must be finite"
    spread = forecasts.groupby(["series_id", "ds"])["y_pred"].agg(["min", "max"])
    merged = out.join(spread, on=["series_id", "ds"])
    assert ((merged["y_pred"] >= merged["min"] - 1e-9) &
            (merged["y_pred"] <= merged["max"] + 1e-9)).all(), \
        "a combination must lie between its members' forecasts"
    again = _combined(type(model)(**model.get_params()), forecasts, weights)
    np.testing.assert_allclose(out["y_pred"], again["y_pred"], rtol=1e-9)
    try:
        model.fit(series, "D")
    except ValueError:
        pass
    else:
        raise AssertionError("a combiner fitted alone must raise ValueError saying why")


class _Combiner(Protocol):
    """The method a forecaster with ``combines_forecasts = True`` adds to :class:`Forecaster`."""

    def combine(self, forecasts: pd.DataFrame, keys: Sequence[str],
                weights: Mapping[str, float] | None = None) -> pd.DataFrame: ...


def _combined(model: Forecaster, forecasts: pd.DataFrame,
              weights: Mapping[str, float]) -> pd.DataFrame:
    """``model.combine(forecasts, ["series_id", "ds"], weights)`` of a combiner."""
    return cast(_Combiner, model).combine(forecasts, ["series_id", "ds"], weights)


def _check_segmenter(segmenter: Segmenter, tmp: Path) -> None:
    from salesforge.stages.segment import entity_features

    features = entity_features(example_transactions(), "product")
    assert segmenter.fit(features) is segmenter, "fit must return self"
    labels = np.asarray(segmenter.labels_)
    assert labels.shape == (len(features),)
    names = segmenter.segment_names_
    assert set(np.unique(labels)) <= set(names), "every segment needs a name"
    assert len(set(names.values())) == len(names), "segment names must be unique"
    assert set(np.unique(segmenter.predict(features))) <= set(names)


def _check_detector(detector: Detector, tmp: Path) -> None:
    from salesforge.stages.detect import context_features

    features, _ = context_features(example_transactions())
    assert detector.fit(features) is detector, "fit must return self"
    scores = detector.score_samples(features)
    assert scores.shape == (len(features),) and ((scores >= 0) & (scores <= 1)).all()
    flags = detector.predict(features)
    assert flags.dtype == bool and 0 < flags.sum() < len(flags) / 2
    if "contamination" in detector.get_params():
        detector.set_params(contamination=0.05)
        detector.fit(features)
        rate = detector.predict(features).mean()
        assert 0.02 <= rate <= 0.1, f"contamination=0.05 flagged {rate:.1%} of rows"


def _check_analyzer(analyzer: Analyzer, tmp: Path) -> None:
    clean = example_transactions()
    result = analyzer.analyze(clean, "en", "IDR")
    assert isinstance(result, Analysis) and "revenue" in result.kpis
    assert result.insights == analyzer.analyze(clean, "en", "IDR").insights, "not deterministic"
    assert analyzer.analyze(clean, "id", "IDR").insights, "Indonesian insights are empty"


def _check_reporter(reporter: Reporter, tmp: Path) -> None:
    clean = example_transactions()
    table = clean.groupby("product", as_index=False, observed=True)["revenue"].sum()
    bundle = ReportBundle(title="contract", kpis={"revenue": float(clean["revenue"].sum())},
                          tables={"products": table}, insights=["One insight."])
    paths = reporter.write(bundle, tmp / "reports")
    assert paths, "a reporter must write at least one file"
    assert all(p.is_relative_to(tmp / "reports") and p.stat().st_size > 0 for p in paths)


@contextmanager
def _no_network() -> Iterator[None]:
    """Any socket connection attempted inside fails the check."""
    def refuse(*args, **kwargs):
        raise AssertionError("this notifier check must not use the network")

    connect = socket.socket.connect
    socket.socket.connect = refuse  # type: ignore[method-assign]
    try:
        yield
    finally:
        socket.socket.connect = connect  # type: ignore[method-assign]


def _check_notifier(notifier: Notifier, tmp: Path) -> None:
    """A local notifier sends a sample alert; a network notifier (``sends_over_network``)
    with its default settings and none of the environment variables its ``*_env`` settings
    name refuses in ``check`` and ``send`` with one :class:`NotifierError` sentence naming
    its config key (``notifier.<name>.<setting>``), without touching the network."""
    alert = Alert(run_id="contract", rule="contract_rule", severity="warning",
                  title="Contract check", message="The contract suite sent this alert.",
                  facts={"count": 1, "largest": 2.5}, run_dir=str(tmp))
    if not type(notifier).sends_over_network:
        notifier.send(alert)
        return
    names = [v for k, v in notifier.get_params().items()
             if k.endswith("_env") and isinstance(v, str) and v]
    saved = {name: os.environ.pop(name) for name in names if name in os.environ}
    with _no_network():
        try:
            for call in (notifier.check, lambda: notifier.send(alert)):
                try:
                    call()
                except NotifierError as error:
                    text = str(error)
                    assert "\n" not in text and "config key notifier." in text, \
                        f"an unconfigured notifier must name its config key in one line: {text}"
                else:
                    raise AssertionError("a network notifier must refuse its unconfigured "
                                         "default settings with NotifierError")
        finally:
            os.environ.update(saved)


def _square(x: int) -> int:
    """A module-level task: executors may ship tasks to other processes by reference."""
    if x < 0:
        raise ValueError(f"negative task {x}")
    return x * x


def _add_shared(item: tuple[list[int], int]) -> int:
    values, extra = item
    return sum(values) + extra


def _check_executor(executor: Executor, tmp: Path) -> None:
    try:
        seen: list[tuple[int, int]] = []
        items = list(range(10))[::-1]
        assert executor.map(_square, items, progress=lambda d, t: seen.append((d, t))) == \
            [x * x for x in items], "map must return results in item order"
        assert seen and seen[-1] == (10, 10), "progress must reach (total, total)"
        assert executor.map(_square, []) == []
        shared = executor.share([1, 2, 3])
        assert executor.map(_add_shared, [(shared, 1), (shared, 2)]) == [7, 8], \
            "a task must receive the value of a shared handle in its item"
        try:
            executor.map(_square, [1, -1])
        except ValueError as error:
            assert "negative task -1" in str(error), "a task's error must reach the caller"
        else:
            raise AssertionError("a task's exception must reach the caller of map")
    finally:
        executor.close()
    executor.close()  # closing twice is harmless


#: Kind -> its check, called with a component of that kind and a temporary folder.
CHECKS: dict[str, Callable[[Any, Path], None]] = {
    "loader": _check_loader, "cleaner": _check_cleaner, "feature_builder": _check_feature_builder,
    "forecaster": _check_forecaster, "segmenter": _check_segmenter,
    "detector": _check_detector, "analyzer": _check_analyzer, "reporter": _check_reporter,
    "notifier": _check_notifier, "executor": _check_executor,
}


def modules_loaded_by_core(prefixes: tuple[str, ...], *, entry_points: bool = False) -> list[str]:
    """Modules under the top-level names ``prefixes`` that importing the core (CLI, runner,
    testing) and building the plugin manager loads, in a fresh interpreter.

    A plugin's tests use it to prove the core never imports the plugin (``entry_points=False``)
    or that discovery never imports its heavy library (``entry_points=True``).
    """
    import subprocess
    import sys

    script = (
        "import sys\n"
        "import salesforge.cli, salesforge.runner, salesforge.testing\n"
        "from salesforge.plugin.manager import build_plugin_manager\n"
        f"build_plugin_manager(entry_points={entry_points!r})\n"
        f"print('\\n'.join(sorted(m for m in sys.modules if m.split('.')[0] in {prefixes!r})))\n"
    )
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=180, check=True)
    return proc.stdout.split()
