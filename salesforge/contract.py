"""The component contract as separate checks: one pytest item per check, component and
settings, in the style of scikit-learn's ``parametrize_with_checks``.

In a plugin's tests, one import::

    from salesforge.contract import parametrize_with_checks
    from salesforge.plugin.manager import build_plugin_manager

    MINE = [build_plugin_manager().registry.get("forecaster", "my_model")]

    @parametrize_with_checks(MINE)
    def test_contract(check, tmp_path):
        check(tmp_path)

(:func:`salesforge.testing.check_component` runs the same checks in one test.)
Every component gets ``settings`` (declared once with defaults, stored unchanged) and its
kind's behaviour check (:data:`salesforge.testing.CHECKS`); a forecaster instead gets, per
settings variant, ``fit_predict``, ``deterministic``, ``no_peeking`` (the backtest's
forecasts ignore every actual after the cutoff, and a fitted model keeps no reference to
the caller's frame), ``save_load`` (saved and loaded, the same forecast), ``intervals``
(its own intervals, when it has them, hold the point forecast) and, when it supports
covariates, ``covariates``. The variants are the defaults and each dict of the class's
optional ``contract_settings`` (non-default settings its author wants covered).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from salesforge.base import Forecaster
from salesforge.registry import ComponentInfo, Registry
from salesforge.testing import BASES, CHECKS, example_series

__all__ = ["Check", "component_checks", "parametrize_with_checks", "run_checks"]

HORIZON = 14


@dataclass(frozen=True)
class Check:
    """One check of one component with one set of settings; call it with a scratch folder."""

    info: ComponentInfo
    name: str
    settings: tuple[tuple[str, Any], ...]
    run: Callable[[ComponentInfo, dict[str, Any], Path], None]
    variant: int = 0

    @property
    def id(self) -> str:
        suffix = f"-settings{self.variant}" if self.variant else ""
        return f"{self.info.kind}:{self.info.name}-{self.name}{suffix}"

    def __call__(self, tmp_path: Path) -> None:
        self.run(self.info, dict(self.settings), Path(tmp_path))


def component_checks(info: ComponentInfo) -> list[Check]:
    """Every check of ``info``: ``settings`` and its kind's behaviour on the defaults,
    then the forecaster checks for each settings variant."""
    defaults = info.settings()
    checks = [Check(info, "settings", _frozen(defaults), _check_settings)]
    if info.kind != "forecaster" or getattr(info.cls, "combines_forecasts", False):
        return [*checks, Check(info, "behaviour", _frozen(defaults), _check_behaviour)]
    forecaster: type[Forecaster] = info.cls
    variants = [defaults, *({**defaults, **extra}
                            for extra in getattr(info.cls, "contract_settings", ()))]
    for number, settings in enumerate(variants):
        for name, run in FORECASTER_CHECKS.items():
            if name == "covariates" and not forecaster.supports_exog:
                continue
            checks.append(Check(info, name, _frozen(settings), run, number))
    return checks


def parametrize_with_checks(infos: Iterable[ComponentInfo], *,
                            slow: Iterable[str] = ()) -> Any:
    """``pytest.mark.parametrize("check", ...)`` over every check of every component in
    ``infos``, with readable ids (``forecaster:linear-no_peeking-settings1``). Some are
    marked ``slow`` (the full test tier runs them; ``-m "not slow"`` leaves them out):
    every check but ``settings`` of the components named in ``slow`` (models that take
    seconds per fit), and the checks that fit again for non-default settings
    (``no_peeking`` stays in the fast tier for the defaults and the first variant)."""
    import pytest

    slow = set(slow)

    def marks(check: Check) -> list[Any]:
        if check.info.name in slow:
            costly = check.name != "settings"
        else:
            costly = check.name in REFITS and check.variant > 0 and (
                check.name != "no_peeking" or check.variant > 1)
        return [pytest.mark.slow] if costly else []

    params = [pytest.param(check, id=check.id, marks=marks(check))
              for info in infos for check in component_checks(info)]
    return pytest.mark.parametrize("check", params)


def run_checks(info: ComponentInfo, tmp_path: Path) -> None:
    """Every check of ``info`` in turn (what :func:`salesforge.testing.check_component`
    runs); the first broken rule raises ``AssertionError`` naming it."""
    for check in component_checks(info):
        folder = Path(tmp_path) / check.id.replace(":", "_")
        folder.mkdir(parents=True, exist_ok=True)
        check(folder)


def _frozen(settings: dict[str, Any]) -> tuple[tuple[str, Any], ...]:
    return tuple((k, tuple(v) if isinstance(v, list) else v) for k, v in settings.items())


def _build(info: ComponentInfo, settings: dict[str, Any]) -> Any:
    return info.cls(**{k: list(v) if isinstance(v, tuple) else v for k, v in settings.items()})


# --- every component ---------------------------------------------------------------------


def _check_settings(info: ComponentInfo, settings: dict[str, Any], tmp: Path) -> None:
    base = BASES[info.kind]
    assert issubclass(info.cls, base), f"{info.name}: {info.cls} must subclass {base.__name__}"
    defaults = info.settings()
    required = [k for k, v in defaults.items() if v == "???"]
    assert not required, f"{info.name}: settings {required} have no default"
    params = info.cls._param_names()
    if info.config is not None:
        fields = {f.name for f in dataclasses.fields(info.config)}
        assert fields == set(params), (f"{info.name}: config fields {sorted(fields)} differ "
                                       f"from __init__ arguments {sorted(params)}")
        first, second = info.cls().get_params(), info.cls().get_params()
        for name, value in defaults.items():
            own = first[name]
            # None from a hand-written __init__ stands for a list or dict default
            agree = own == value or (own is None and isinstance(value, (list, dict)))
            assert agree, (f"{info.name}: setting {name} defaults to {value!r} in the config "
                           f"dataclass but {own!r} in __init__; declare it once: make the "
                           "component a dataclass over its config (salesforge.base.Component)")
            assert not isinstance(own, (list, dict)) or own is not second[name], \
                f"{info.name}: two instances share one {name} default (a mutable default)"
    component = info.cls(**defaults)
    assert component.get_params() == defaults, \
        f"{info.name}: __init__ must store its arguments unchanged"
    assert type(component).__name__ in repr(component)


def _check_behaviour(info: ComponentInfo, settings: dict[str, Any], tmp: Path) -> None:
    CHECKS[info.kind](_build(info, settings), tmp)


# --- forecasters -------------------------------------------------------------------------


#: Days of history the forecaster checks fit on: enough for weekly seasonality and the
#: backtest window, short enough that a model fitting per series takes a moment (the
#: checks are about behaviour, not accuracy).
HISTORY_DAYS = 240


@cache
def _series() -> pd.DataFrame:
    series = example_series("D")
    start = series["ds"].max() - pd.Timedelta(days=HISTORY_DAYS - 1)
    return series[series["ds"] >= start].reset_index(drop=True)


@cache
def _fitted(info: ComponentInfo, settings: tuple[tuple[str, Any], ...]) -> tuple[Forecaster,
                                                                                 pd.DataFrame]:
    """One fit per component and settings shared by the checks that only read it."""
    model = _build(info, dict(settings)).fit(_series().copy(), "D")
    return model, model.predict(HORIZON)


def _check_fit_predict(info: ComponentInfo, settings: dict[str, Any], tmp: Path) -> None:
    series = _series().copy()
    model = _build(info, settings)
    assert model.fit(series, "D") is model, "fit must return self"
    out = model.predict(HORIZON)
    assert list(out.columns[:3]) == ["series_id", "ds", "step"] and "y_pred" in out
    assert len(out) == series["series_id"].nunique() * HORIZON
    assert np.isfinite(out["y_pred"]).all(), "forecasts must be finite"
    last = series.groupby("series_id")["ds"].max()
    assert (out["ds"] > out["series_id"].map(last)).all(), "forecasts must be in the future"


def _check_deterministic(info: ComponentInfo, settings: dict[str, Any], tmp: Path) -> None:
    _, first = _fitted(info, _frozen(settings))
    again = _build(info, settings).fit(_series().copy(), "D").predict(HORIZON)
    np.testing.assert_allclose(first["y_pred"], again["y_pred"], rtol=1e-6,
                               err_msg="the same data must give the same forecast")


def _check_no_peeking(info: ComponentInfo, settings: dict[str, Any], tmp: Path) -> None:
    from salesforge.forecast.backtest import backtest, cutoffs

    series = _series().copy()
    cutoff = cutoffs(series, HORIZON, 1, HORIZON)[0]
    after = series["ds"] > cutoff
    scrambled = series.copy()
    rng = np.random.default_rng(0)
    scrambled.loc[after, "y"] = rng.permutation(series.loc[after, "y"].to_numpy()) * 10 + 1e6

    def make() -> Forecaster:
        return _build(info, settings)

    honest = backtest(make, series, "D", HORIZON)
    tampered = backtest(make, scrambled, "D", HORIZON)
    assert not np.allclose(honest["y_true"], tampered["y_true"])  # the scramble took effect
    np.testing.assert_allclose(honest["y_pred"], tampered["y_pred"], rtol=1e-9, err_msg=(
        "the backtest's forecasts changed with the actuals after the cutoff"))
    train = series[~after].copy()
    model = make().fit(train, "D")
    before = model.predict(HORIZON)["y_pred"].to_numpy()
    np.testing.assert_allclose(before, honest["y_pred"], rtol=1e-9, err_msg=(
        "a model fitted up to the cutoff must forecast what the backtest did"))
    train["y"] = rng.permutation(train["y"].to_numpy()) * 3  # the caller reuses its frame
    np.testing.assert_allclose(model.predict(HORIZON)["y_pred"], before, rtol=1e-9,
                               err_msg="a fitted model must not read the caller's frame")


def _check_save_load(info: ComponentInfo, settings: dict[str, Any], tmp: Path) -> None:
    from salesforge.forecast.persistence import load_model, save_model

    model, expected = _fitted(info, _frozen(settings))
    registry = Registry()
    registry.add("forecaster", info.name, info.cls, config=info.config)
    path = save_model(model, info.name, tmp / "model", {"target": "revenue", "freq": "D"})
    loaded, _ = load_model(path, registry)
    assert loaded.get_params() == model.get_params(), "settings must survive saving"
    np.testing.assert_allclose(loaded.predict(HORIZON)["y_pred"], expected["y_pred"],
                               rtol=1e-9, err_msg="a loaded model must forecast as it did")


def _check_intervals(info: ComponentInfo, settings: dict[str, Any], tmp: Path) -> None:
    model, expected = _fitted(info, _frozen(settings))
    out = model.predict_interval(HORIZON, [0.8, 0.95])
    if out is None:  # the stage adds conformal intervals from backtest residuals
        return
    assert len(out) == len(expected)
    np.testing.assert_allclose(out["y_pred"], expected["y_pred"], rtol=1e-6)
    for pct in (80, 95):
        lo, hi = out[f"y_lo_{pct}"], out[f"y_hi_{pct}"]
        assert np.isfinite(lo).all() and np.isfinite(hi).all(), "bounds must be finite"
        assert (lo <= out["y_pred"] + 1e-9).all() and (out["y_pred"] <= hi + 1e-9).all(), \
            f"the {pct}% interval must hold the point forecast"
    assert (out["y_lo_95"] <= out["y_lo_80"] + 1e-9).all() and \
        (out["y_hi_80"] <= out["y_hi_95"] + 1e-9).all(), "a wider level must not be narrower"


def _check_covariates(info: ComponentInfo, settings: dict[str, Any], tmp: Path) -> None:
    series = _series().copy()
    series["promo"] = (series["ds"].dt.day_of_week == 4).astype("float64")
    model = _build(info, settings).fit(series, "D")
    assert model.exog_ == ["promo"], "a model that supports covariates must record them"
    try:
        model.predict(HORIZON)
    except ValueError:
        pass
    else:
        raise AssertionError("predicting without the covariates' future values must raise "
                             "ValueError")
    last = series.groupby("series_id")["ds"].max()
    future = pd.DataFrame([(sid, end + pd.Timedelta(days=step)) for sid, end in last.items()
                           for step in range(1, HORIZON + 1)], columns=["series_id", "ds"])
    future["promo"] = (future["ds"].dt.day_of_week == 4).astype("float64")
    out = model.predict(HORIZON, exog=future)
    assert len(out) == len(future) and np.isfinite(out["y_pred"]).all()


#: Checks that fit the model again (beyond the one shared fit per settings).
REFITS = frozenset({"deterministic", "no_peeking", "covariates"})
FORECASTER_CHECKS: dict[str, Callable[[ComponentInfo, dict[str, Any], Path], None]] = {
    "fit_predict": _check_fit_predict, "deterministic": _check_deterministic,
    "no_peeking": _check_no_peeking, "save_load": _check_save_load,
    "intervals": _check_intervals, "covariates": _check_covariates,
}
